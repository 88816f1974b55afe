from odoo import models
from odoo.exceptions import UserError


class StockPicking(models.Model):
    # Deposit lock of rental pickups (issue 6); kept apart from stock_picking.py while issues 5
    # and 6 were built in parallel; merge later.
    _inherit = "stock.picking"

    def _rental_risk_delivery_lock_reasons(self):
        """Add "deposit not paid" to the delivery lock reasons of the risk approvals."""
        parent = super()
        reasons = (
            parent._rental_risk_delivery_lock_reasons()
            if hasattr(parent, "_rental_risk_delivery_lock_reasons")
            else []
        )
        return reasons + self._rental_deposit_lock_reasons()

    def _rental_deposit_lock_reasons(self):
        """Plain-language reasons the deposit forbids these rental pickups (empty: none)."""
        reasons = []
        for picking in self.filtered(lambda p: p.rental_operation == "pickup"):
            order = picking.sale_id
            if not order or not picking.company_id.rental_deposit_required_before_pickup:
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

    def button_validate(self):
        # Until the risk approvals define the common delivery lock, the deposit checks itself.
        if not hasattr(super(), "_rental_risk_delivery_lock_reasons"):
            reasons = self._rental_deposit_lock_reasons()
            if reasons:
                raise UserError("\n".join(reasons))
        return super().button_validate()

    def action_rental_inspect(self):
        """Inspect the next serial of this return still awaiting inspection."""
        self.ensure_one()
        lots = self.move_line_ids.lot_id.filtered(lambda lot: lot.rental_state == "inspection")
        if not lots:
            raise UserError(
                self.env._(
                    "No serial of %(picking)s is awaiting inspection: validate the return first, "
                    "or the gear is inspected already.",
                    picking=self.name,
                )
            )
        return lots[:1].action_rental_inspect()
