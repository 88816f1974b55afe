from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _rental_deposit_lock_reasons(self):
        """Plain-language reasons the deposit forbids these rental pickups (empty: none)."""
        reasons = []
        for picking in self.filtered(lambda p: p.rental_operation == "pickup"):
            order = picking.sale_id
            # The company may want every deposit paid before the pickup; a deposit a risk rule
            # asked is always required before the gear leaves.
            if not order or not (
                picking.company_id.rental_deposit_required_before_pickup
                or order.rental_risk_deposit_percent
            ):
                continue
            required = order.order_line.filtered("is_rental_deposit")
            required_amount = sum(required.mapped("price_total"))
            paid = order.rental_deposit_paid
            if order.currency_id.compare_amounts(paid, required_amount) < 0:
                reasons.append(
                    self.env._(
                        "The deposit of %(order)s is not paid: %(paid)s paid of %(required)s "
                        "required. Invoice the deposit and register the customer's payment "
                        "before the pickup.",
                        order=order.name,
                        paid=order.currency_id.format(paid),
                        required=order.currency_id.format(required_amount),
                    )
                )
        return reasons
