from datetime import datetime

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common_order import RentalOrderCommon


@tagged("post_install", "-at_install")
class TestRentalOrder(RentalOrderCommon):
    def test_is_rental_order(self):
        """An order with a rental line is a rental order; its line is a rental line."""
        order = self._create_rental_order()
        self.assertTrue(order.is_rental_order)
        self.assertTrue(order.order_line.is_rental)
        self.assertFalse(self._create_sale_order(product=self.plain_product).is_rental_order)

    def test_price_follows_period_in_days(self):
        """Price per unit is the daily price times the started days of the period."""
        # 3 March 09:00 -> 7 March 17:00 = 4 days 8 hours = 5 started days; the camera's weekly
        # rate (5 days' price) equals five days, so the daily price applies.
        order = self._create_rental_order(qty=2)
        line = order.order_line
        self.assertEqual(line.rental_days, 5)
        self.assertAlmostEqual(line.price_unit, 500.0)
        self.assertAlmostEqual(line.price_subtotal, 1000.0)

    def test_price_uses_cheaper_weekly_rate(self):
        """Ten days are priced one week (5 days' price) plus three days."""
        order = self._create_rental_order(
            start=datetime(2031, 3, 3, 9, 0), end=datetime(2031, 3, 13, 9, 0)
        )
        self.assertAlmostEqual(order.order_line.price_unit, 500.0 + 300.0)

    def test_price_updates_with_period(self):
        """Changing the period of a quotation line reprices it."""
        order = self._create_rental_order()
        order.order_line.rental_end = datetime(2031, 3, 4, 9, 0)
        self.assertAlmostEqual(order.order_line.price_unit, 100.0)

    def test_end_before_start_refused(self):
        """A period ending before it starts is refused with a ValidationError."""
        with self.assertRaises(ValidationError):
            self._create_rental_order(start=self.end, end=self.start)

    def test_period_required_to_confirm(self):
        """A rental line without period cannot be confirmed (a new line gets the default
        period; here the salesperson cleared it)."""
        order = self._create_sale_order()
        self.assertTrue(order.order_line.rental_start)
        order.order_line.write({"rental_start": False, "rental_end": False})
        with self.assertRaises(ValidationError):
            order.action_confirm()
        self.assertEqual(order.state, "draft")

    def test_quantity_must_match_chosen_serials(self):
        """Choosing fewer serials than the quantity is refused."""
        with self.assertRaises(ValidationError):
            self._create_rental_order(qty=2, lots=self.lot_1)

    def test_serial_of_other_product_refused(self):
        """A serial of another product cannot be chosen on a line."""
        with self.assertRaises(ValidationError):
            self._create_rental_order(lots=self.lens_lots[0])

    def test_confirm_assigns_free_serials_and_books(self):
        """Confirming assigns free serials to the line and books them for its period."""
        self._book(self.lot_1)
        order = self._create_rental_order(qty=2)
        order.action_confirm()
        line = order.order_line
        self.assertEqual(order.state, "sale")
        self.assertEqual(line.rental_lot_ids, self.lot_2 | self.lot_3)
        bookings = line.rental_booking_ids
        self.assertEqual(bookings.lot_id, self.lot_2 | self.lot_3)
        self.assertEqual(set(bookings.mapped("state")), {"reserved"})
        self.assertEqual(bookings[0].date_start, self.start)
        self.assertEqual(bookings[0].date_end, self.end)

    def test_confirm_with_chosen_serials(self):
        """Confirming books exactly the serials chosen on the line."""
        order = self._create_rental_order(lots=self.lot_3)
        order.action_confirm()
        self.assertEqual(order.order_line.rental_booking_ids.lot_id, self.lot_3)

    def test_confirm_chosen_serial_taken_refused(self):
        """A chosen serial already booked for the period blocks confirmation."""
        self._book(self.lot_1)
        order = self._create_rental_order(lots=self.lot_1)
        with self.assertRaisesRegex(UserError, "TCAM-01"):
            order.action_confirm()

    def test_confirm_too_many_requested_writes_nothing(self):
        """Asking for more serials than free fails naming product and period; nothing is kept."""
        self._book(self.lot_1)
        order = self._create_rental_order(qty=3)
        with self.assertRaises(UserError) as error:
            order.action_confirm()
        message = str(error.exception)
        self.assertIn("Test Cinema Camera", message)
        self.assertIn("2031", message)
        self.assertIn("Only 2 of 3", message)
        self.env.invalidate_all()
        self.assertEqual(order.state, "draft")
        self.assertFalse(order.order_line.rental_booking_ids)
        self.assertFalse(order.order_line.rental_lot_ids)
        self.assertFalse(order.picking_ids)

    def test_check_availability_button(self):
        """The availability check reports a shortage without booking anything."""
        self._book(self.lot_1)
        order = self._create_rental_order(qty=3)
        action = order.action_rental_check_availability()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("Only 2 of 3", action["params"]["message"])
        self.assertFalse(order.order_line.rental_booking_ids)
        order.order_line.product_uom_qty = 2
        action = order.action_rental_check_availability()
        self.assertEqual(action["params"]["type"], "success")

    def test_availability_warning_on_line(self):
        """The line and the order show a warning when fewer serials are free than requested."""
        self._book(self.lot_1)
        order = self._create_rental_order(qty=3)
        self.assertIn("Only 2 of 3", order.order_line.rental_availability_warning)
        self.assertIn("Only 2 of 3", order.rental_availability_warning)
        self.assertEqual(order.order_line.rental_available_lot_ids, self.lot_2 | self.lot_3)
        order.order_line.product_uom_qty = 1
        self.assertFalse(order.order_line.rental_availability_warning)

    def test_cancel_cancels_bookings(self):
        """Cancelling a confirmed rental order cancels its bookings and frees the serials."""
        order = self._create_rental_order(qty=2)
        order.action_confirm()
        order.with_context(disable_cancel_warning=True).action_cancel()
        self.assertEqual(set(order.order_line.rental_booking_ids.mapped("state")), {"cancelled"})
        self.assertEqual(self._pickup(order).state, "cancel")
        free = self.env["rental.booking"]._get_available_lots(self.camera, self.start, self.end)
        self.assertEqual(free, self.camera_lots)

    def test_booked_line_cannot_change_period(self):
        """The period of a booked line cannot be changed."""
        order = self._create_rental_order()
        order.action_confirm()
        with self.assertRaises(UserError):
            order.order_line.rental_end = datetime(2031, 3, 10, 9, 0)

    def test_rental_user_confirms(self):
        """A Rental User can quote and confirm a rental order."""
        order = self._create_rental_order(user_id=self.rental_user.id).with_user(self.rental_user)
        order.action_confirm()
        self.assertEqual(order.order_line.rental_booking_ids.lot_id, self.lot_1)

    def test_form_rental_order(self):
        """A rental order entered in the form gets the period price and books on confirm."""
        with Form(self.env["sale.order"]) as order_form:
            order_form.partner_id = self.customer
            with order_form.order_line.new() as line:
                line.product_id = self.camera
                line.rental_start = datetime(2031, 3, 3, 9, 0)
                line.rental_end = datetime(2031, 3, 5, 9, 0)
                line.product_uom_qty = 2
                self.assertAlmostEqual(line.price_unit, 200.0)
                self.assertFalse(line.rental_availability_warning)
        order = order_form.record
        self.assertTrue(order.is_rental_order)
        self.assertAlmostEqual(order.amount_untaxed, 400.0)
        order.action_confirm()
        self.assertEqual(len(order.order_line.rental_booking_ids), 2)
        pickup = self._pickup(order)
        self.assertEqual(pickup.state, "assigned")
        self.assertEqual(pickup.move_line_ids.lot_id, order.order_line.rental_lot_ids)

    def test_new_line_takes_period_of_order(self):
        """A second rental line defaults to the period of the first one."""
        order = self._create_rental_order()
        order.order_line = [Command.create({"product_id": self.lens.id})]
        lens_line = order.order_line.filtered(lambda sol: sol.product_id == self.lens)
        self.assertEqual(lens_line.rental_start, self.start)
        self.assertEqual(lens_line.rental_end, self.end)
