from datetime import timedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common_order import RentalOrderCommon


@tagged("post_install", "-at_install")
class TestRentalChanges(RentalOrderCommon):
    """Successive rentals of one serial, extensions, early ends and swaps of a booked rental."""

    def _order(self, start, end, lot=None):
        order = self._create_rental_order(
            lots=lot or self.lot_1, start=start, end=end, user_id=self.rental_user.id
        )
        order.action_confirm()
        return order

    def _change(self, order, user=None, **values):
        wizard = Form(
            self.env["sale.order.rental.change"]
            .with_user(user or self.rental_user)
            .with_context(default_order_id=order.id)
        )
        for name, value in values.items():
            setattr(wizard, name, value)
        return wizard.save().action_apply()

    def test_successive_rentals_confirmed_in_reverse_order(self):
        """The later period is confirmed first: the earlier pickup still gets the serial, the
        later one waits, and reserves it as soon as it is back; both go out and come back."""
        later = self._order(self.end + timedelta(days=3), self.end + timedelta(days=5))
        self.assertEqual(self._pickup(later).move_line_ids.lot_id, self.lot_1)
        earlier = self._order(self.start, self.end)
        first_pickup, second_pickup = self._pickup(earlier), self._pickup(later)
        self.assertEqual(first_pickup.state, "assigned")
        self.assertEqual(first_pickup.move_line_ids.lot_id, self.lot_1)
        self.assertFalse(second_pickup.move_line_ids)
        self.assertNotEqual(second_pickup.state, "assigned")

        self._validate(first_pickup)
        self._validate(self._return(earlier))
        self._inspect(self.lot_1, condition="good")
        self.assertEqual(second_pickup.state, "assigned")
        self.assertEqual(second_pickup.move_line_ids.lot_id, self.lot_1)
        self._validate(second_pickup)
        self.assertEqual(self.lot_1.rental_state, "out")
        self._validate(self._return(later))
        self.assertEqual(
            (earlier.order_line.rental_qty_returned, later.order_line.rental_qty_returned),
            (1.0, 1.0),
        )

    def test_earlier_pickup_does_not_take_from_a_running_rental(self):
        """A pickup never takes back a serial reserved for a period that starts before its
        own: the first period keeps it."""
        earlier = self._order(self.start, self.end)
        later = self._order(self.end + timedelta(days=3), self.end + timedelta(days=5))
        self.assertEqual(self._pickup(earlier).move_line_ids.lot_id, self.lot_1)
        self.assertFalse(self._pickup(later).move_line_ids)

    def test_extend_reprices_and_moves_the_return(self):
        order = self._order(self.start, self.end)
        line = order.order_line
        price = line.price_unit
        self._validate(self._pickup(order))
        new_end = self.end + timedelta(days=3)
        result = self._change(order, mode="extend", new_end=new_end)
        self.assertEqual(result["params"]["type"], "success")
        self.assertEqual(line.rental_end, new_end)
        self.assertGreater(line.price_unit, price)
        self.assertEqual(line.price_unit, line._rental_get_period_price())
        booking = line.rental_booking_ids.filtered(lambda b: b.state == "out")
        self.assertEqual(booking.date_end, new_end)
        self.assertEqual(self._return(order).move_ids.date_deadline, new_end)
        self.assertIn("moved from", order.message_ids[0].body)

    def test_extension_refused_over_a_conflicting_booking(self):
        """The serial is booked by someone else right after: the extension is refused with a
        sentence, and nothing of the line, its booking or its price changed."""
        order = self._order(self.start, self.end)
        self._order(self.end + timedelta(days=2), self.end + timedelta(days=4))
        line = order.order_line
        before = (line.rental_end, line.price_unit, line.rental_booking_ids.date_end)
        with self.assertRaisesRegex(UserError, "already booked|booked for an overlapping"):
            self._change(order, mode="extend", new_end=self.end + timedelta(days=3))
        self.assertEqual(
            (line.rental_end, line.price_unit, line.rental_booking_ids.date_end), before
        )

    def test_extension_runs_the_risk_gate(self):
        """An extension that takes the customer over the limit puts the order on hold."""
        order = self._order(self.start, self.end)
        self._set_limit(self.customer, order.amount_total + 10.0)
        self._change(order, mode="extend", new_end=self.end + timedelta(days=20))
        self.assertEqual(order.rental_risk_approval_state, "waiting")

    def test_end_early_by_policy(self):
        order = self._order(self.start, self.end)
        line = order.order_line
        price = line.price_unit
        early = self.start + timedelta(days=1)
        self._change(order, mode="end_early", new_end=early)
        self.assertEqual((line.rental_end, line.price_unit), (early, price))
        self.assertEqual(line.rental_booking_ids.date_end, early)

        self.company.rental_early_return_policy = "used"
        other = self._order(self.start, self.end, lot=self.lot_2)
        self._change(other, mode="end_early", new_end=early)
        self.assertLess(other.order_line.price_unit, price)
        self.assertEqual(other.order_line.price_unit, other.order_line._rental_get_period_price())

    def test_swap_serial_before_pickup(self):
        order = self._order(self.start, self.end)
        line = order.order_line
        self._change(order, mode="swap", lot_id=self.lot_1, new_lot_id=self.lot_2)
        self.assertEqual(line.rental_lot_ids, self.lot_2)
        self.assertEqual(
            line.rental_booking_ids.filtered(lambda b: b.state == "reserved").lot_id, self.lot_2
        )
        self.assertEqual(self._pickup(order).move_line_ids.lot_id, self.lot_2)
        # lot_1 is free again for the period.
        self._order(self.start, self.end, lot=self.lot_1)

    def test_swap_refuses_a_busy_serial(self):
        order = self._order(self.start, self.end)
        self._order(self.start, self.end, lot=self.lot_2)
        with self.assertRaises(UserError):
            self._change(order, mode="swap", lot_id=self.lot_1, new_lot_id=self.lot_2)
        self.assertEqual(order.order_line.rental_lot_ids, self.lot_1)

    def test_changes_refused_on_quotation(self):
        quotation = self._create_rental_order(lots=self.lot_1)
        with self.assertRaisesRegex(UserError, "Only a confirmed rental"):
            quotation.order_line._rental_extend(self.end + timedelta(days=1))

    def test_who_may_change_a_rental(self):
        """Rental users change rentals; a plain salesperson has no access to the wizard."""
        order = self._order(self.start, self.end)
        with self.assertRaises(AccessError):
            self.env["sale.order.rental.change"].with_user(self.salesman).create(
                {"order_id": order.id, "line_id": order.order_line.id, "mode": "extend"}
            )
        self._change(
            order, user=self.rental_user, mode="extend", new_end=self.end + timedelta(days=1)
        )
        self.assertEqual(order.order_line.rental_end, self.end + timedelta(days=1))
