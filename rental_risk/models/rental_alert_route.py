from odoo import api, fields, models
from odoo.exceptions import ValidationError

ALERT_KINDS = [
    ("grade_drop", "Risk grade dropped"),
    ("warning_line", "Warning line crossed"),
    ("over_limit", "Over the credit limit"),
    ("blacklist_hit", "Blacklist hit"),
    ("overdue_step", "Overdue gear escalation step"),
    ("dunning_sent", "Dunning level sent"),
    ("anomaly", "Anomaly detected"),
]
SEVERITIES = [
    ("info", "Information"),
    ("warning", "Warning"),
    ("critical", "Critical"),
]
SEVERITY_RANK = {code: rank for rank, (code, _label) in enumerate(SEVERITIES)}
#: Severity of an alert of each kind when its caller does not say otherwise.
KIND_SEVERITY = {
    "grade_drop": "warning",
    "warning_line": "warning",
    "over_limit": "critical",
    "blacklist_hit": "critical",
    "overdue_step": "warning",
    "dunning_sent": "info",
    "anomaly": "warning",
}
#: Who a route can send to: {field: group whose company users receive it (None: salesperson)}.
RECIPIENT_FIELDS = {
    "to_salesperson": None,
    "to_finance": "account.group_account_manager",
    "to_credit_control": "rental_risk.rental_risk_group_officer",
    "to_executives": "rental_risk.rental_risk_group_manager",
}
CHANNEL_FIELDS = ("channel_message", "channel_email", "channel_sms")


class RentalAlertRoute(models.Model):
    """One row of a company's alert routing table: alerts of a kind at or above a severity go
    to these people by these channels. Every matching row is applied; an alert kind without
    any row goes to the Risk Officers by a system message."""

    _name = "rental.alert.route"
    _description = "Risk Alert Route"
    _order = "company_id, kind, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    kind = fields.Selection(ALERT_KINDS, string="Alert", required=True, index=True)
    min_severity = fields.Selection(
        SEVERITIES,
        string="From Severity",
        required=True,
        default="warning",
        help="Alerts of this kind at this severity or above follow the route; milder ones do "
        "not.",
    )
    to_salesperson = fields.Boolean(
        string="Salesperson", help="The salesperson of the order, or else of the customer."
    )
    to_finance = fields.Boolean(
        string="Finance", help="The company's users with the Accounting Administrator rights."
    )
    to_credit_control = fields.Boolean(
        string="Credit Control", help="The company's Risk Officers (Risk Managers included)."
    )
    to_executives = fields.Boolean(string="Executives", help="The company's Risk Managers.")
    channel_message = fields.Boolean(
        string="System Message",
        default=True,
        help="A note on the record that lands in the recipients' inbox.",
    )
    channel_email = fields.Boolean(
        string="E-mail", help="An e-mail queued to the recipients with an e-mail address."
    )
    channel_sms = fields.Boolean(
        string="SMS", help="A text message queued to the recipients with a mobile number."
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("kind", "min_severity")
    def _compute_display_name(self):
        severities = dict(self._fields["min_severity"]._description_selection(self.env))
        for route in self:
            route.display_name = self.env._(
                "%(kind)s from %(severity)s",
                kind=route._kind_label() if route.kind else "",
                severity=severities.get(route.min_severity, ""),
            )

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

    @api.constrains(*RECIPIENT_FIELDS, *CHANNEL_FIELDS)
    def _check_route(self):
        for route in self:
            if not any(route[fname] for fname in RECIPIENT_FIELDS):
                raise ValidationError(
                    self.env._(
                        "The alert route %(kind)s sends to nobody: tick at least one recipient.",
                        kind=route._kind_label(),
                    )
                )
            if not any(route[fname] for fname in CHANNEL_FIELDS):
                raise ValidationError(
                    self.env._(
                        "The alert route %(kind)s has no channel: tick a system message, an "
                        "e-mail or an SMS.",
                        kind=route._kind_label(),
                    )
                )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _kind_label(self):
        self.ensure_one()
        return dict(self._fields["kind"]._description_selection(self.env))[self.kind]

    def _matches(self, severity):
        """Routes of ``self`` that an alert of ``severity`` follows."""
        rank = SEVERITY_RANK[severity]
        return self.filtered(lambda route: SEVERITY_RANK[route.min_severity] <= rank)

    def _recipients(self, salesperson):
        """{channel field: users} the routes of ``self`` send to; ``salesperson`` is the
        alert's salesperson (res.users, possibly empty)."""
        result = {channel: self.env["res.users"] for channel in CHANNEL_FIELDS}
        for route in self:
            users = self.env["res.users"]
            for fname, group in RECIPIENT_FIELDS.items():
                if not route[fname]:
                    continue
                users |= (
                    salesperson
                    if group is None
                    else route.company_id._rental_risk_group_users(group)
                )
            for channel in CHANNEL_FIELDS:
                if route[channel]:
                    result[channel] |= users
        return result

    @api.model
    def _create_default_routes(self, companies):
        """Give new companies the routing a fresh install ships (the rows of the addon's data
        still in place), so their alerts reach sales, credit control and executives from the
        start rather than the Risk Officers' fallback only."""
        shipped = (
            self.env["ir.model.data"]
            .sudo()
            .search([("module", "=", "rental_risk"), ("model", "=", self._name)])
        )
        routes = self.sudo().browse(shipped.mapped("res_id")).exists()
        for company in companies:
            for route in routes:
                route.copy({"company_id": company.id})
