from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _rental_dunning_lock_reasons(self):
        """A dunning level holding pickups locks rental gear until the overdue debt is paid
        (called by the risk lock for rental gear)."""
        reasons = []
        customer = (self.sale_id.partner_id or self.partner_id).commercial_partner_id
        if not customer:
            return reasons
        current = (
            self.env["rental.dunning.line"].sudo()._current_levels(customer.ids, self.company_id)
        )
        level_id, _hold_orders, hold_pickups = current.get(customer.id, (False, False, False))
        if hold_pickups:
            level = self.env["rental.dunning.level"].sudo().browse(level_id)
            reasons.append(
                self.env._(
                    "%(customer)s reached the dunning level %(level)s, which holds pickups "
                    "until the overdue invoices are paid.",
                    customer=customer.display_name,
                    level=level.display_name,
                )
            )
        return reasons
