from odoo import models
from odoo.exceptions import UserError


class StockPicking(models.Model):
    _inherit = "stock.picking"

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_rental_inspect(self):
        """Inspect the next serial of this return still awaiting inspection."""
        self._rental_ensure_one()
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
