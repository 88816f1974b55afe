from odoo import fields, models
from odoo.tools import float_compare


class StockMove(models.Model):
    _inherit = "stock.move"

    rental_operation = fields.Selection(related="picking_type_id.rental_operation")

    def _update_reserved_quantity(
        self, need, location_id, lot_id=None, package_id=None, owner_id=None, strict=True
    ):
        # A rental pickup must hand out the serials booked for the customer and a rental return
        # take back those picked up on the order, never whatever serial comes first in stock.
        if lot_id or not self._rental_restricts_lots():
            return super()._update_reserved_quantity(
                need,
                location_id,
                lot_id=lot_id,
                package_id=package_id,
                owner_id=owner_id,
                strict=strict,
            )
        precision = self.env["decimal.precision"].precision_get("Product Unit of Measure")
        taken = 0.0
        for lot in self._rental_get_reservable_lots():
            if float_compare(taken, need, precision_digits=precision) >= 0:
                break
            taken += super()._update_reserved_quantity(
                min(1.0, need - taken),
                location_id,
                lot_id=lot,
                package_id=package_id,
                owner_id=owner_id,
                strict=strict,
            )
        return taken

    def _rental_restricts_lots(self):
        self.ensure_one()
        return bool(self.rental_operation and self.sale_line_id.is_rental)

    def _rental_get_reservable_lots(self):
        """Serials this rental move may reserve: booked (pickup) or out (return), not yet taken.

        Serials already on a move line of an open move of the same operation for the same order
        line (this one included) are left out.
        """
        self.ensure_one()
        line = self.sale_line_id
        wanted_state = "reserved" if self.rental_operation == "pickup" else "out"
        lots = line.sudo().rental_booking_ids.filtered(lambda b: b.state == wanted_state).lot_id
        open_moves = line.move_ids.filtered(
            lambda m: m.state not in ("done", "cancel")
            and m.rental_operation == self.rental_operation
        )
        return lots - open_moves.move_line_ids.lot_id
