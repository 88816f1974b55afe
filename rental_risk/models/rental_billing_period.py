from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date


class RentalBillingPeriod(models.Model):
    """One billing period of a rental line billed period by period: what it bills and the
    invoice that billed it. Recorded by the periodic billing only (rental.billing.run), one row
    per line and period start, enforced by the database, so that a period is never billed
    twice, even by two runs at once."""

    _name = "rental.billing.period"
    _description = "Rental Billing Period"
    _order = "date_start, order_line_id"
    _check_company_auto = True
    _sql_constraints = [
        (
            "line_start_uniq",
            "unique (order_line_id, date_start)",
            "This billing period of the rental line is already recorded.",
        ),
    ]

    order_line_id = fields.Many2one(
        "sale.order.line", required=True, index=True, ondelete="cascade", readonly=True
    )
    order_id = fields.Many2one(related="order_line_id.order_id", store=True, index=True)
    partner_id = fields.Many2one(related="order_id.partner_id", store=True, string="Customer")
    company_id = fields.Many2one(related="order_line_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="order_line_id.currency_id")
    product_id = fields.Many2one(related="order_line_id.product_id")
    sequence = fields.Integer(string="Period", readonly=True, help="1 for the first period.")
    date_start = fields.Datetime(string="From", required=True, readonly=True)
    date_end = fields.Datetime(string="To", required=True, readonly=True)
    share = fields.Float(
        digits=(16, 8),
        readonly=True,
        help="Part of the rental's price this period bills (see the billing rule).",
    )
    price_unit = fields.Monetary(
        string="Unit Price", readonly=True, help="Price per unit for this period."
    )
    amount = fields.Monetary(
        string="Untaxed Amount", readonly=True, help="Units × unit price, less the discount."
    )
    invoice_line_id = fields.Many2one(
        "account.move.line", readonly=True, index="btree_not_null", ondelete="set null"
    )
    invoice_id = fields.Many2one(
        related="invoice_line_id.move_id", string="Invoice", store=True, index="btree_not_null"
    )
    invoice_state = fields.Selection(related="invoice_id.state", string="Invoice Status")

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    # Rows are inserted by rental.billing.run's one SQL statement only: no super() on purpose.
    @api.model_create_multi
    def create(self, vals_list):  # pylint: disable=method-required-super
        raise UserError(
            self.env._(
                "Billing periods are recorded by the periodic billing only (at pickup and by "
                "its scheduled action)."
            )
        )

    def write(self, vals):
        if self.env["rental.risk.decision"]._guard_open():
            return super().write(vals)
        raise UserError(
            self.env._(
                "A billing period is history; it cannot be changed. Credit its invoice if it "
                "was wrong."
            )
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_history(self):
        if not self.env["rental.risk.decision"]._guard_open():
            raise UserError(
                self.env._(
                    "A billing period is history; it cannot be deleted. Credit its invoice if "
                    "it was wrong."
                )
            )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _is_billed(self):
        """Whether the period is on an invoice that is not cancelled."""
        self.ensure_one()
        return bool(self.invoice_line_id) and self.invoice_line_id.parent_state != "cancel"

    def _label(self):
        """'from - to' of the periods, as printed on the invoice line."""
        return ", ".join(
            f"{format_date(self.env, period.date_start)} – {format_date(self.env, period.date_end)}"
            for period in self
        )
