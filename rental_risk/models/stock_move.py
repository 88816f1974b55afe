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
        lots = self._rental_get_reservable_lots()
        if self.rental_operation == "pickup":
            self._rental_take_back_reservations(lots)
        for lot in lots:
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

    def _rental_take_back_reservations(self, lots):
        """Free ``lots`` from the pickups of later periods that reserved them first.

        A serial booked for several successive periods is reserved by the pickup of the period
        that comes first, whatever the order in which the orders were confirmed: the pickup of
        a later period gives its reservation back (it waits, and reserves again when the serial
        comes back: see stock.picking._rental_reassign_pickups)."""
        self.ensure_one()
        starts = {
            booking.lot_id: booking.date_start
            for booking in self.sale_line_id.sudo().rental_booking_ids
            if booking.state == "reserved" and booking.lot_id in lots
        }
        others = (
            self.env["stock.move.line"]
            .sudo()
            .search(
                [
                    ("lot_id", "in", lots.ids),
                    ("move_id", "!=", self.id),
                    ("move_id.rental_operation", "=", "pickup"),
                    ("state", "not in", ("done", "cancel")),
                    ("picked", "=", False),
                ]
            )
        )
        later = others.filtered(
            lambda ml: any(
                booking.lot_id == ml.lot_id
                and booking.state == "reserved"
                and booking.date_start > starts.get(ml.lot_id, booking.date_start)
                for booking in ml.move_id.sale_line_id.rental_booking_ids
            )
        )
        if later:
            moves = later.move_id
            later.unlink()
            moves._recompute_state()
        return later
