from datetime import datetime, timedelta
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from odoo.addons.rental_risk.models.rental_booking import RentalBooking

from .common import RentalCommon


@tagged("post_install", "-at_install")
class TestRentalBooking(RentalCommon):
    def _count(self, lot):
        return self.env["rental.booking"].search_count([("lot_id", "=", lot.id)])

    def test_booking_blocks_padding(self):
        """A booking blocks its serial until its end plus the product's turnaround time."""
        booking = self._book(self.lot_1)
        self.assertEqual(booking.date_block_end, self.end + timedelta(hours=4))
        self.assertEqual(booking.company_id, self.company)
        self.assertEqual(booking.product_id, self.camera)
        self.assertEqual(booking.state, "reserved")

    def test_overlap_refused_and_nothing_written(self):
        """An overlapping booking of the same serial is refused and not stored."""
        self._book(self.lot_1)
        with self.assertRaisesRegex(ValidationError, "TCAM-01 is already booked"):
            self._book(self.lot_1, self.start + timedelta(days=1), self.end + timedelta(days=1))
        self.assertEqual(self._count(self.lot_1), 1)

    def test_other_serial_same_period_allowed(self):
        """Another serial of the product can be booked for the same period."""
        self._book(self.lot_1)
        self._book(self.lot_2)
        self.assertEqual(self._count(self.lot_2), 1)

    def test_booking_inside_padding_refused(self):
        """A booking starting during the previous one's turnaround time is refused."""
        self._book(self.lot_1)
        with self.assertRaises(ValidationError):
            self._book(self.lot_1, self.end + timedelta(hours=3), self.end + timedelta(days=2))

    def test_booking_right_after_padding_allowed(self):
        """A booking starting when the turnaround time ends is accepted."""
        self._book(self.lot_1)
        self._book(self.lot_1, self.end + timedelta(hours=4), self.end + timedelta(days=2))
        self.assertEqual(self._count(self.lot_1), 2)

    def test_cancelled_booking_does_not_block(self):
        """A cancelled booking frees its serial for the period."""
        self._book(self.lot_1).action_cancel()
        self._book(self.lot_1)
        self.assertEqual(self._count(self.lot_1), 2)

    def test_reviving_cancelled_booking_into_conflict_refused(self):
        """A cancelled booking cannot be reset to reserved over a newer booking."""
        cancelled = self._book(self.lot_1)
        cancelled.action_cancel()
        self._book(self.lot_1)
        with self.assertRaises(ValidationError):
            cancelled.state = "reserved"

    def test_end_before_start_refused(self):
        """A booking ending before it starts is refused."""
        with self.assertRaisesRegex(ValidationError, "not after its start"):
            self._book(self.lot_1, self.end, self.start)
        with self.assertRaises(ValidationError):
            self._book(self.lot_1, self.start, self.start)

    def test_lost_lot_refused(self):
        """A lost serial cannot be booked."""
        self._as_life_cycle(self.lot_1, rental_state="lost")
        with self.assertRaisesRegex(ValidationError, "lost"):
            self._book(self.lot_1)

    def test_retired_lot_refused(self):
        """A retired serial cannot be booked."""
        self.lot_1.action_rental_retire()
        with self.assertRaisesRegex(ValidationError, "retired"):
            self._book(self.lot_1)

    def test_repair_lot_refused(self):
        """A serial in repair cannot be booked."""
        self.lot_1.action_rental_send_to_repair()
        with self.assertRaises(ValidationError):
            self._book(self.lot_1)

    def test_non_rental_serial_refused(self):
        """A serial of a non-rental product cannot be booked."""
        with self.assertRaisesRegex(ValidationError, "non-rental product"):
            self._book(self.plain_lot)

    def test_edit_period_into_conflict_refused(self):
        """Moving a booking onto another booking of the serial is refused."""
        self._book(self.lot_1)
        later = self._book(self.lot_1, datetime(2031, 4, 1, 9), datetime(2031, 4, 3, 9))
        with self.assertRaisesRegex(ValidationError, "already booked"):
            later.write({"date_start": self.end - timedelta(days=1)})
        self.assertEqual(later.date_start, datetime(2031, 4, 1, 9))

    def test_move_booking_to_busy_serial_refused(self):
        """Switching a booking to a serial busy in that period is refused."""
        self._book(self.lot_1)
        other = self._book(self.lot_2)
        with self.assertRaises(ValidationError):
            other.lot_id = self.lot_1

    def test_extend_own_booking_allowed(self):
        """A booking can be extended; it does not conflict with itself."""
        booking = self._book(self.lot_1)
        booking.date_end = self.end + timedelta(days=2)
        self.assertEqual(booking.date_block_end, self.end + timedelta(days=2, hours=4))

    def test_overlap_in_one_batch_refused(self):
        """Two overlapping bookings of one serial in one create are refused."""
        vals = {"lot_id": self.lot_1.id, "date_start": self.start, "date_end": self.end}
        with self.assertRaises(ValidationError):
            self.env["rental.booking"].create([vals, dict(vals)])
        self.assertEqual(self._count(self.lot_1), 0)

    @mute_logger("odoo.sql_db")
    def test_database_refuses_overlap_without_precheck(self):
        """The exclusion constraint refuses an overlap the Python check missed."""
        self._book(self.lot_1)
        with (
            patch.object(RentalBooking, "_check_no_conflict", lambda *args, **kwargs: None),
            self.assertRaisesRegex(ValidationError, "TCAM-01 is already booked"),
        ):
            self._book(self.lot_1, self.start + timedelta(hours=1), self.end)
        self.assertEqual(self._count(self.lot_1), 1)

    def test_available_lots(self):
        """Availability lists free serials only, padding included, in one query."""
        self._book(self.lot_1)
        self.lot_3.action_rental_send_to_repair()
        booking_model = self.env["rental.booking"]
        self.assertTrue(self.camera.rental_ok and self.camera.rental_padding_hours)
        with self.assertQueryCount(1):
            available = booking_model._get_available_lots(self.camera, self.start, self.end)
        self.assertEqual(available, self.lot_2)
        # Ending 3 hours before lot_1's booking starts: its 4 hours of padding overlap.
        before = booking_model._get_available_lots(
            self.camera, self.start - timedelta(days=2), self.start - timedelta(hours=3)
        )
        self.assertEqual(before, self.lot_2)
        after = booking_model._get_available_lots(
            self.camera, self.end + timedelta(hours=4), self.end + timedelta(days=1)
        )
        self.assertEqual(after, self.lot_1 | self.lot_2)

    def test_available_lots_short_and_long_bookings(self):
        """Bookings shorter and longer than SHORT_BOOKING (found through two different indexes)
        hide their serials exactly when the single-serial check says they are busy."""
        lots = self._create_lots(self.camera, [f"TCAM-L{i}" for i in range(5)])
        padding = timedelta(hours=self.camera.rental_padding_hours)
        # Blocked spans (booking + padding) around the 7-day threshold, and a lease of months.
        spans = [
            timedelta(hours=5),
            timedelta(days=7) - padding - timedelta(hours=1),
            timedelta(days=7) - padding,
            timedelta(days=7) - padding + timedelta(hours=1),
            timedelta(days=90),
        ]
        for lot, span in zip(lots, spans, strict=True):
            self._book(lot, self.start, self.start + span)
        booking_model = self.env["rental.booking"]
        windows = [
            (self.start + timedelta(hours=h), self.start + timedelta(hours=h + length))
            for h in (-30, -2, 0, 3, 24 * 6 + 20, 24 * 7 - 5, 24 * 7 + 2, 24 * 30, 24 * 89, 24 * 95)
            for length in (1, 26)
        ]
        for window_start, window_end in windows:
            available = booking_model._get_available_lots(self.camera, window_start, window_end)
            expected = lots.filtered(
                lambda lot, s=window_start, e=window_end: booking_model._is_lot_available(lot, s, e)
            )
            self.assertEqual(available & lots, expected, f"window {window_start} - {window_end}")
        # The lease of months is busy a month in; the 5-hour booking is free by then.
        month_in = booking_model._get_available_lots(
            self.camera, self.start + timedelta(days=30), self.start + timedelta(days=31)
        )
        self.assertNotIn(lots[4], month_in)
        self.assertIn(lots[0], month_in)

    def test_unavailable_states_never_offered(self):
        """Serials awaiting inspection, in repair, lost or retired are never offered."""
        for lot, state in zip(self.camera_lots, ("inspection", "lost", "retired"), strict=True):
            self._as_life_cycle(lot, rental_state=state)
        self.assertFalse(
            self.env["rental.booking"]._get_available_lots(self.camera, self.start, self.end)
        )
        self.assertFalse(
            self.env["rental.booking"]._is_lot_available(self.lot_1, self.start, self.end)
        )

    def test_available_lots_other_company_excluded(self):
        """Serials of another company are not offered."""
        other = self.env["res.company"].create({"name": "Other Rental Co"})
        self._create_lots(self.camera, ["TCAM-99"], company=other, with_stock=False)
        available = self.env["rental.booking"]._get_available_lots(
            self.camera, self.start, self.end
        )
        self.assertEqual(available, self.camera_lots)

    def test_available_lots_exclude_line(self):
        """The bookings of the line being re-planned do not hide its own serial."""
        order = self._create_sale_order()
        self._book(self.lot_1, order_line_id=order.order_line.id)
        available = self.env["rental.booking"]._get_available_lots(
            self.camera, self.start, self.end, exclude_line=order.order_line
        )
        self.assertEqual(available, self.camera_lots)

    def test_is_lot_available(self):
        """The single-serial check sees bookings and their padding."""
        booking = self._book(self.lot_1)
        is_available = self.env["rental.booking"]._is_lot_available
        self.assertFalse(
            is_available(self.lot_1, self.end + timedelta(hours=2), self.end + timedelta(days=1))
        )
        self.assertTrue(
            is_available(self.lot_1, self.end + timedelta(hours=4), self.end + timedelta(days=1))
        )
        self.assertTrue(is_available(self.lot_1, self.start, self.end, exclude=booking))
        self.assertTrue(is_available(self.lot_2, self.start, self.end))

    def test_booking_name_and_partner_from_order(self):
        """A booking made for an order line is named after serial and order, with its customer."""
        order = self._create_sale_order()
        booking = self._book(self.lot_1, order_line_id=order.order_line.id)
        self.assertEqual(booking.name, f"TCAM-01 / {order.name}")
        self.assertEqual(booking.partner_id, self.customer)
        self.assertEqual(booking.order_id, order)

    def test_deleting_order_line_deletes_booking(self):
        """Bookings go with their order line."""
        order = self._create_sale_order()
        self._book(self.lot_1, order_line_id=order.order_line.id)
        order.write({"order_line": [Command.unlink(order.order_line.id)]})
        self.assertEqual(self._count(self.lot_1), 0)

    def test_cancel_out_booking_refused(self):
        """A booking whose serial is out cannot be cancelled."""
        booking = self._book(self.lot_1)
        booking.state = "out"
        with self.assertRaises(UserError):
            booking.action_cancel()

    def test_rental_user_creates_booking(self):
        """A Rental User can book a serial."""
        booking = (
            self.env["rental.booking"]
            .with_user(self.rental_user)
            .create({"lot_id": self.lot_2.id, "date_start": self.start, "date_end": self.end})
        )
        self.assertEqual(booking.create_uid, self.rental_user)

    def test_rental_user_sees_conflict_message(self):
        """A Rental User gets the plain conflict message, not an access error."""
        self._book(self.lot_1)
        with self.assertRaisesRegex(ValidationError, "TCAM-01 is already booked"):
            self.env["rental.booking"].with_user(self.rental_user).create(
                {"lot_id": self.lot_1.id, "date_start": self.start, "date_end": self.end}
            )

    def test_salesman_cannot_read_bookings(self):
        """A plain salesperson has no access to bookings."""
        self._book(self.lot_1)
        with self.assertRaises(AccessError):
            self.env["rental.booking"].with_user(self.salesman).search([])

    def test_warehouse_user_cannot_create_booking(self):
        """Warehouse staff read bookings but do not create them."""
        self._book(self.lot_1)
        self.assertEqual(
            self.env["rental.booking"].with_user(self.warehouse_user).search_count([]),
            self.env["rental.booking"].search_count([]),
        )
        with self.assertRaises(AccessError):
            self.env["rental.booking"].with_user(self.warehouse_user).create(
                {"lot_id": self.lot_2.id, "date_start": self.start, "date_end": self.end}
            )

    def test_rental_user_cannot_delete_booking(self):
        """Only Risk Managers delete bookings; others cancel them."""
        booking = self._book(self.lot_1)
        with self.assertRaises(AccessError):
            booking.with_user(self.rental_user).unlink()
        booking.with_user(self.manager).unlink()
        self.assertFalse(booking.exists())

    def test_booking_form_blocks_serial(self):
        """A Rental User blocks a serial for maintenance from the booking form."""
        with Form(self.env["rental.booking"].with_user(self.rental_user)) as form:
            form.lot_id = self.lot_1
            form.date_start = self.start
            form.date_end = self.end
            form.note = "Sensor cleaning"
        booking = form.record
        self.assertEqual(booking.name, "TCAM-01")
        self.assertFalse(
            self.env["rental.booking"]._is_lot_available(self.lot_1, self.start, self.end)
        )
