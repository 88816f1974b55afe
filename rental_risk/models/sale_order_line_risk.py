from odoo import api, models

#: Line fields whose change on a confirmed order runs the risk rules again.
GATE_FIELDS = frozenset(
    {
        "product_id",
        "product_uom_qty",
        "price_unit",
        "discount",
        "tax_id",
        "rental_start",
        "rental_end",
        "rental_lot_ids",
    }
)


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._rental_risk_gate_confirmed_orders()
        return lines

    def write(self, vals):
        res = super().write(vals)
        if GATE_FIELDS & vals.keys():
            self._rental_risk_gate_confirmed_orders()
        return res

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _rental_risk_gate_confirmed_orders(self):
        """Rental lines added to or changed on a confirmed order put more gear or money at risk
        than was checked at confirmation: the risk rules run again on their orders."""
        if self.env["rental.risk.decision"]._guard_open():
            return
        orders = self.filtered(
            lambda line: line.is_rental and line.state == "sale" and not line.display_type
        ).order_id
        if orders:
            orders._rental_risk_check_change()
