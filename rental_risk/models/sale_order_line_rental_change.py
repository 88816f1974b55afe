from odoo import Command, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_datetime


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    # ------------------------------------------------------------------
    # Business methods: changes of a booked rental
    # ------------------------------------------------------------------

    def _rental_live_bookings(self):
        """Bookings of this line still holding their serial (reserved or out)."""
        self.ensure_one()
        return self.sudo().rental_booking_ids.filtered(lambda b: b.state in ("reserved", "out"))

    def _rental_check_changeable(self, renewal=False):
        """A booked rental changes through these methods only while its order is confirmed,
        its serials are booked and nothing of it has been invoiced yet; a lease billed per
        period may still be extended (``renewal``): its billed periods stay as they are and
        the periods still to come bill what the new price adds."""
        self.ensure_one()
        if not self.is_rental or self.order_id.state != "sale" or not self._rental_live_bookings():
            raise UserError(
                self.env._(
                    "Only a confirmed rental whose serials are booked or out can be extended, "
                    "ended early or have a serial swapped; %(product)s on %(order)s is not one.",
                    product=self.product_id.display_name,
                    order=self.order_id.display_name,
                )
            )
        if renewal and self._rental_is_billed_by_period():
            return
        if self.qty_invoiced:
            raise UserError(
                self.env._(
                    "The rental of %(product)s on %(order)s is already invoiced: credit the "
                    "invoice first, then change the period, so that the invoice follows it.",
                    product=self.product_id.display_name,
                    order=self.order_id.display_name,
                )
            )

    def _rental_extend(self, new_end):
        """Extend the rental to ``new_end``: the serials must be free until then (the booking
        constraint checks it), the line is priced for the new period and the risk rules run
        again on the larger amount (a block refuses it, an approval puts the order on hold)."""
        self.ensure_one()
        self._rental_check_changeable(renewal=True)
        new_end = fields.Datetime.to_datetime(new_end)
        if not new_end or new_end <= self.rental_end:
            raise UserError(
                self.env._(
                    "An extension ends after the current end (%(end)s); choose a later date.",
                    end=format_datetime(self.env, self.rental_end),
                )
            )
        return self._rental_change_period(new_end, reprice=True)

    def _rental_end_early(self, new_end):
        """End the rental at ``new_end``, before the booked end: the serials are free again
        after it; the price follows the company's early return policy."""
        self.ensure_one()
        self._rental_check_changeable()
        new_end = fields.Datetime.to_datetime(new_end)
        if not new_end or not self.rental_start < new_end < self.rental_end:
            raise UserError(
                self.env._(
                    "An early end falls between the start (%(start)s) and the booked end "
                    "(%(end)s) of the rental; choose a date in between.",
                    start=format_datetime(self.env, self.rental_start),
                    end=format_datetime(self.env, self.rental_end),
                )
            )
        policy = self.order_id.company_id.rental_early_return_policy
        return self._rental_change_period(new_end, reprice=policy == "used")

    def _rental_change_period(self, new_end, reprice):
        old_end, old_price = self.rental_end, self.price_unit
        bookings = self._rental_live_bookings()
        with self.env["rental.risk.decision"]._open_guard():
            # The booking's own checks (serial free, turnaround) run on the new period; the
            # exclusion constraint refuses a concurrent booking of the freed or taken days.
            bookings.write({"date_end": new_end})
            self.write({"rental_end": new_end})
            if not reprice:
                self.write({"price_unit": old_price})
            elif self.qty_invoiced:
                # Odoo never reprices a line once part of it is invoiced; a renewed lease
                # billed per period is priced again for its new length (its billed periods
                # keep their amounts, see _rental_billing_schedule).
                self._rental_reprice()
        returns = self.move_ids.filtered(
            lambda m: m.rental_operation == "return" and m.state not in ("done", "cancel")
        )
        returns.sudo().write({"date": new_end, "date_deadline": new_end})
        for picking in returns.picking_id:
            picking.sudo().scheduled_date = max(picking.move_ids.mapped("date_deadline"))
        if self.rental_is_late and new_end > fields.Datetime.now():
            self._rental_clear_late()
        self.order_id._rental_risk_check_change()
        self.order_id.message_post(
            body=self.env._(
                "Rental of %(product)s moved from %(old)s to %(new)s by %(user)s; unit price "
                "%(old_price)s → %(new_price)s.",
                product=self.product_id.display_name,
                old=format_datetime(self.env, old_end),
                new=format_datetime(self.env, new_end),
                user=self.env.user.name,
                old_price=old_price,
                new_price=self.price_unit,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return True

    def _rental_reprice(self):
        """The unit price of the line for its period, as Odoo's own price compute makes it."""
        self.ensure_one()
        line = self.with_company(self.company_id)
        price = line.product_id._get_tax_included_unit_price_from_price(
            line._get_display_price(),
            product_taxes=line.product_id.taxes_id.filtered(
                lambda tax: tax.company_id == line.env.company
            ),
            fiscal_position=line.order_id.fiscal_position_id,
        )
        self.write({"price_unit": price, "technical_price_unit": price})

    def _rental_swap_lot(self, old_lot, new_lot):
        """Swap the booked serial ``old_lot`` for ``new_lot`` (same product, free for the
        period) before pickup: the booking, the line's serials and the pickup's reservation
        follow."""
        self.ensure_one()
        self._rental_check_changeable()
        booking = self._rental_live_bookings().filtered(
            lambda b: b.lot_id == old_lot and b.state == "reserved"
        )
        if not booking or new_lot.product_id != self.product_id or new_lot == old_lot:
            raise UserError(
                self.env._(
                    "Swap a serial booked and not yet picked up on this line for another serial "
                    "of %(product)s.",
                    product=self.product_id.display_name,
                )
            )
        pickups = self.move_ids.filtered(
            lambda m: m.rental_operation == "pickup" and m.state not in ("done", "cancel")
        )
        # The old serial's reservation goes first, so that the pickup reserves the new one.
        pickups.move_line_ids.filtered(
            lambda ml: ml.lot_id == old_lot and not ml.picked
        ).sudo().unlink()
        with self.env["rental.risk.decision"]._open_guard():
            booking.write({"lot_id": new_lot.id})
            self.write({"rental_lot_ids": [Command.unlink(old_lot.id), Command.link(new_lot.id)]})
        pickups.sudo()._action_assign()
        self.order_id.message_post(
            body=self.env._(
                "Serial %(old)s of %(product)s swapped for %(new)s by %(user)s.",
                old=old_lot.name,
                new=new_lot.name,
                product=self.product_id.display_name,
                user=self.env.user.name,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return True
