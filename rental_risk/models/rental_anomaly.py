from odoo import api, fields, models
from odoo.exceptions import UserError

ANOMALY_KINDS = [
    ("state_location", "Status and stock location disagree"),
    ("out_no_rental", "Out on Rental without an open rental"),
    ("booking_retired", "Booking on a retired or lost serial"),
    ("deposit_unsettled", "Deposit not settled"),
    ("late_no_action", "Late rental without follow-up"),
    ("release_override", "Pickup released by override"),
    ("counter_decrease", "Usage counter went down"),
    ("counter_jump", "Usage counter jumped"),
]

#: Models an anomaly may point at (the link of its line).
ANOMALY_MODELS = [
    ("stock.lot", "Serial"),
    ("rental.booking", "Booking"),
    ("sale.order", "Order"),
    ("sale.order.line", "Order Line"),
    ("stock.picking", "Transfer"),
    ("rental.risk.decision", "Decision"),
    ("rental.asset.reading", "Usage Reading"),
]


class RentalAnomaly(models.Model):
    """Something the daily anomaly report found wrong: one record per problem (kind and record
    it is about) while it lasts, seen again by every run that still finds it, and stamped
    "fixed since" by the first run that does not. Lines are written by the report's SQL only:
    nobody creates or edits them, administrator included."""

    _name = "rental.anomaly"
    _description = "Rental Anomaly"
    _order = "fixed_since desc nulls first, first_seen desc, id desc"
    _check_company_auto = True

    kind = fields.Selection(ANOMALY_KINDS, required=True, readonly=True, index=True)
    name = fields.Char(string="Anomaly", compute="_compute_name")
    res_model = fields.Char(string="Model", required=True, readonly=True)
    res_id = fields.Many2oneReference(
        string="Record ID", model_field="res_model", required=True, readonly=True
    )
    record_ref = fields.Reference(ANOMALY_MODELS, string="Record", compute="_compute_record_ref")
    record_url = fields.Char(string="Link", compute="_compute_record_url")
    lot_id = fields.Many2one("stock.lot", string="Serial", readonly=True, index="btree_not_null")
    order_id = fields.Many2one("sale.order", readonly=True, index="btree_not_null")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        readonly=True,
        index="btree_not_null",
        help="Who should act: the salesperson of the order, who recorded the reading, who "
        "released the pickup.",
    )
    first_seen = fields.Datetime(required=True, readonly=True)
    last_seen = fields.Datetime(required=True, readonly=True)
    fixed_since = fields.Datetime(
        readonly=True, index=True, help="First run that no longer found the anomaly."
    )
    is_open = fields.Boolean(string="Open", compute="_compute_is_open", search="_search_is_open")
    run_id = fields.Many2one(
        "rental.anomaly.run",
        string="Last Seen By",
        readonly=True,
        index=True,
        ondelete="set null",
    )
    first_run_id = fields.Many2one(
        "rental.anomaly.run", string="First Seen By", readonly=True, ondelete="set null"
    )
    fixed_run_id = fields.Many2one(
        "rental.anomaly.run",
        string="Fixed According To",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )

    def init(self):
        # One open anomaly per problem, whatever runs at once: the report's upsert relies on it.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS rental_anomaly_open_uniq
                ON rental_anomaly (company_id, kind, res_model, res_id)
             WHERE fixed_since IS NULL
            """
        )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("kind", "res_model", "res_id")
    def _compute_name(self):
        labels = dict(self._fields["kind"]._description_selection(self.env))
        for anomaly in self:
            record = anomaly.sudo().record_ref
            anomaly.name = self.env._(
                "%(kind)s: %(record)s",
                kind=labels.get(anomaly.kind, ""),
                record=record.display_name if record else anomaly.res_id,
            )

    @api.depends("res_model", "res_id")
    def _compute_record_ref(self):
        for anomaly in self:
            record = None
            if anomaly.res_model in self.env and anomaly.res_id:
                record = self.env[anomaly.res_model].browse(anomaly.res_id).exists()
            anomaly.record_ref = record or False

    @api.depends("res_model", "res_id")
    def _compute_record_url(self):
        base_url = self.get_base_url() if self else ""
        for anomaly in self:
            anomaly.record_url = f"{base_url}/odoo/{anomaly.res_model}/{anomaly.res_id}"

    @api.depends("fixed_since")
    def _compute_is_open(self):
        for anomaly in self:
            anomaly.is_open = not anomaly.fixed_since

    def _search_is_open(self, operator, value):
        if operator not in ("=", "!="):
            raise UserError(self.env._("Search open anomalies with 'is' or 'is not'."))
        is_open = bool(value) == (operator == "=")
        return [("fixed_since", "=" if is_open else "!=", False)]

    # ------------------------------------------------------------------
    # CRUD: the report's SQL writes the lines, nobody else
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        self._check_written_by_report()
        return super().create(vals_list)

    def write(self, vals):
        self._check_written_by_report()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        if not self.env["rental.risk.decision"]._guard_open():
            raise UserError(self.env._("Anomalies are the report's history and cannot be deleted."))

    @api.model
    def _check_written_by_report(self):
        if not self.env["rental.risk.decision"]._guard_open():
            raise UserError(
                self.env._(
                    "Anomalies are found by the daily anomaly report, which also marks them "
                    "fixed once they are gone: fix the record the anomaly points to, and the "
                    "next run says so. They cannot be created or changed by hand."
                )
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_open_record(self):
        self.ensure_one()
        record = self.record_ref
        if not record:
            raise UserError(self.env._("The record of this anomaly no longer exists."))
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
