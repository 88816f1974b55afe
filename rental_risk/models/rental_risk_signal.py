from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression

OFFICER_GROUP = "rental_risk.rental_risk_group_officer"

SIGNAL_KIND_SELECTION = [
    ("negative_news", "Negative News"),
    ("legal_case", "Legal Case"),
    ("management_change", "Management Change"),
]
SIGNAL_SEVERITY_SELECTION = [("low", "Low"), ("medium", "Medium"), ("high", "High")]


class RentalRiskSignal(models.Model):
    """Something a Risk Officer learnt about a customer outside the books (negative news, a
    legal case, a change of management), with where it came from: it lowers the customer's
    score until it expires. A record of what was known when, never edited: a new signal is
    recorded instead, and a mistaken one is withdrawn (archived)."""

    _name = "rental.risk.signal"
    _description = "Officer Risk Signal"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        readonly=True,
        domain="[('is_company', '=', True)]",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        index=True,
        readonly=True,
    )
    kind = fields.Selection(SIGNAL_KIND_SELECTION, required=True, readonly=True)
    severity = fields.Selection(
        SIGNAL_SEVERITY_SELECTION, required=True, default="medium", readonly=True
    )
    source = fields.Char(
        required=True,
        readonly=True,
        help="Where the information comes from: article, court register, letter, call.",
    )
    note = fields.Text(string="What Was Learnt", readonly=True)
    date = fields.Date(
        string="Known Since",
        required=True,
        readonly=True,
        default=fields.Date.context_today,
        help="Day the information became known; the score counts it from that day.",
    )
    date_expiry = fields.Date(
        string="Counts Until",
        required=True,
        readonly=True,
        help="Last day the signal lowers the score.",
    )
    user_id = fields.Many2one("res.users", string="Recorded By", readonly=True)
    active = fields.Boolean(default=True, readonly=True)
    state = fields.Selection(
        [("active", "Active"), ("expired", "Expired"), ("withdrawn", "Withdrawn")],
        compute="_compute_state",
        search="_search_state",
    )

    _sql_constraints = [
        (
            "expiry_after_date",
            "CHECK (date_expiry >= date)",
            "A signal counts until a day on or after the day it became known.",
        ),
    ]

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("active", "date_expiry")
    @api.depends_context("tz")
    def _compute_state(self):
        today = fields.Date.context_today(self)
        for signal in self:
            if not signal.active:
                signal.state = "withdrawn"
            elif signal.date_expiry and signal.date_expiry < today:
                signal.state = "expired"
            else:
                signal.state = "active"

    def _search_state(self, operator, value):
        if operator not in ("=", "in"):
            raise UserError(self.env._("Search signals by state with = or in."))
        states = {value} if operator == "=" else set(value)
        today = fields.Date.context_today(self)
        domains = []
        if "active" in states:
            domains.append([("active", "=", True), ("date_expiry", ">=", today)])
        if "expired" in states:
            domains.append([("active", "=", True), ("date_expiry", "<", today)])
        if "withdrawn" in states:
            domains.append([("active", "=", False)])
        if not domains:
            return [("id", "=", 0)]
        return expression.OR(domains)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        self._check_officer()
        today = fields.Date.context_today(self)
        for vals in vals_list:
            known = fields.Date.to_date(vals.get("date")) or today
            if known > today:
                raise ValidationError(
                    self.env._("A signal is recorded once known: its date cannot be in the future.")
                )
            if not (vals.get("source") or "").strip():
                raise ValidationError(self.env._("Say where the signal comes from (its source)."))
            vals.update(user_id=self.env.uid, active=True)
            if vals.get("partner_id"):
                partner = self.env["res.partner"].browse(vals["partner_id"])
                vals["partner_id"] = partner.commercial_partner_id.id
        signals = super().create(vals_list)
        for signal in signals:
            self.env["rental.risk.event"]._log(
                "risk_signal",
                partner=signal.partner_id,
                company=signal.company_id,
                details=self.env._(
                    "%(kind)s (%(severity)s) until %(until)s, source: %(origin)s",
                    kind=signal._field_label("kind"),
                    severity=signal._field_label("severity"),
                    until=signal.date_expiry,
                    origin=signal.source,
                ),
            )
        signals._rescore_customers()
        return signals

    def write(self, vals):
        # The chatter keeps its own bookkeeping fields up to date; the signal itself is fixed.
        if self.env["rental.risk.decision"]._guard_open() or all(
            fname.startswith(("message_", "activity_")) for fname in vals
        ):
            return super().write(vals)
        raise UserError(
            self.env._(
                "An officer signal records what was known and when: record a new signal, or "
                "withdraw this one if it was a mistake."
            )
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            self.env._("An officer signal cannot be deleted; withdraw it if it was a mistake.")
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_withdraw(self):
        """Withdraw mistaken signals (Risk Officer): they stop counting, the record stays."""
        self._check_officer()
        signals = self.filtered("active")
        with self.env["rental.risk.decision"]._open_guard():
            signals.write({"active": False})
        for signal in signals:
            self.env["rental.risk.event"]._log(
                "risk_signal_withdrawn",
                partner=signal.partner_id,
                company=signal.company_id,
                details=signal.display_name,
            )
        signals._rescore_customers()
        return True

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _check_officer(self):
        if not self.env.user.has_group(OFFICER_GROUP):
            raise AccessError(self.env._("Only a Risk Officer can record or withdraw signals."))

    def _field_label(self, fname):
        return dict(self._fields[fname]._description_selection(self.env)).get(self[fname], "")

    def _rescore_customers(self):
        for company in self.company_id:
            signals = self.filtered(lambda s, c=company: s.company_id == c)
            signals.partner_id._rental_risk_rescore(company=company)
