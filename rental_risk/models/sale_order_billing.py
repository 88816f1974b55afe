from odoo import api, fields, models
from odoo.exceptions import UserError

BILLING_PERIODS = [
    ("once", "Whole rental on one invoice"),
    ("week", "Weekly in advance"),
    ("month", "Monthly in advance"),
    ("quarter", "Quarterly in advance"),
]
#: From the shortest period to the longest: an order of products asking different periods
#: takes the shortest.
BILLING_ORDER = ("week", "month", "quarter", "once")


class SaleOrder(models.Model):
    _inherit = "sale.order"

    rental_billing_period = fields.Selection(
        BILLING_PERIODS,
        string="Rental Billing",
        compute="_compute_rental_billing_period",
        store=True,
        readonly=False,
        help="How the rental lines are invoiced: in one invoice, or period by period in "
        "advance (the first at pickup, the next ones by the periodic billing). Defaults from "
        "the products, else monthly for rentals at least as long as the company's setting.",
    )
    rental_billing_period_ids = fields.One2many(
        "rental.billing.period", "order_id", string="Billing Periods", readonly=True
    )
    rental_billing_period_count = fields.Integer(compute="_compute_rental_billing_period_count")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends(
        "order_line.product_id",
        "order_line.rental_start",
        "order_line.rental_end",
        "company_id",
    )
    def _compute_rental_billing_period(self):
        for order in self:
            if order.state == "sale" and (
                order.rental_billing_period or order.order_line.filtered("is_rental").invoice_lines
            ):
                # Fixed at confirmation: its periods may already be billed. A confirmed order
                # invoiced before periodic billing existed (the field computed at install)
                # stays on its one invoice, never billed a second time per period.
                order.rental_billing_period = order.rental_billing_period or "once"
                continue
            order.rental_billing_period = order._rental_get_default_billing_period()

    @api.depends("rental_billing_period_ids")
    def _compute_rental_billing_period_count(self):
        # A count on the order form, read by everyone who reads the order (stock users
        # preparing a pickup included), not only by those who may open the periods.
        counts = dict(
            self.env["rental.billing.period"]
            .sudo()
            ._read_group([("order_id", "in", self.ids)], ["order_id"], ["__count"])
        )
        for order in self:
            order.rental_billing_period_count = counts.get(order._origin, 0)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    def write(self, vals):
        if "rental_billing_period" in vals and not self.env["rental.risk.decision"]._guard_open():
            billed = self.filtered(
                lambda o: o.rental_billing_period != vals["rental_billing_period"]
                and o.sudo().rental_billing_period_ids
            )
            if billed:
                raise UserError(
                    self.env._(
                        "The rental of %(order)s is already billed period by period; its "
                        "billing cannot change any more.",
                        order=billed[0].display_name,
                    )
                )
        return super().write(vals)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_rental_view_billing_periods(self):
        """Open the billing periods of the order."""
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "rental_risk.rental_billing_period_action"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _rental_get_default_billing_period(self):
        """Billing of the order by default (hook): the shortest period its rental products
        ask; without one, monthly when its longest rental lasts at least the company's
        minimum days of periodic billing, else one invoice."""
        self.ensure_one()
        lines = self.order_line.filtered(lambda line: line.product_id.rental_ok)
        asked = {p for p in lines.product_id.product_tmpl_id.mapped("rental_billing_period") if p}
        if asked:
            return next(period for period in BILLING_ORDER if period in asked)
        minimum = (self.company_id or self.env.company).rental_billing_min_days
        longest = max(
            (line.rental_days for line in lines if line.rental_start and line.rental_end),
            default=0,
        )
        return "month" if minimum and longest >= minimum else "once"

    def _get_invoiceable_lines(self, final=False):
        lines = super()._get_invoiceable_lines(final=final)
        scope = self.env.context.get("rental_billing_period_ids")
        if scope is not None:
            # The periodic billing invoices its periods alone, one invoice per period.
            periods = self.env["rental.billing.period"].sudo().browse(scope)
            lines = lines.filtered(lambda line: line in periods.order_line_id)
        return lines

    def _create_invoices(self, grouped=False, final=False, date=None):
        moves = super()._create_invoices(grouped=grouped, final=final, date=date)
        # Whoever invoiced (the periodic billing or the order's button), the periods billed
        # now point to their invoice line: they will not be billed again.
        self.order_line._rental_billing_link(moves.sudo().invoice_line_ids)
        return moves
