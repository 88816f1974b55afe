import json
from datetime import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import RentalCommon


@tagged("post_install", "-at_install")
class TestRentalSchedule(RentalCommon):
    """The Schedule screen's data: serials x days, bookings placed in day units."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Booking = cls.env["rental.booking"].with_context(tz="UTC")
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": cls.camera.id,
                            "product_uom_qty": 1.0,
                            "rental_start": cls.start,
                            "rental_end": cls.end,
                        }
                    )
                ],
            }
        )
        cls.camera_filter = {"product_id": cls.camera.id}

    def _data(self, date_from="2031-03-01", days=14, filters=None, user=None, **kwargs):
        booking = self.Booking.with_user(user) if user else self.Booking
        return booking._get_schedule_data(
            date_from, days, self.camera_filter if filters is None else filters, **kwargs
        )

    def _row(self, data, lot):
        return next(row for row in data["rows"] if row["id"] == lot.id)

    def test_booking_placed_with_turnaround(self):
        """A booking of an order shows its customer, order and turnaround in day units."""
        self._book(self.lot_1, order_line_id=self.order.order_line.id)
        data = self._data()
        self.assertEqual(data["days"][0], "2031-03-01")
        self.assertEqual(len(data["days"]), 14)
        [item] = self._row(data, self.lot_1)["items"]
        # 3 March 09:00 is 2 days and 9 hours after 1 March 00:00; the end 7 March 17:00,
        # plus the camera's 4 hours of turnaround.
        self.assertEqual(item["kind"], "booking")
        self.assertEqual(item["state"], "reserved")
        self.assertAlmostEqual(item["start"], 2 + 9 / 24, places=3)
        self.assertAlmostEqual(item["end"], 6 + 17 / 24, places=3)
        self.assertAlmostEqual(item["block_end"], 6 + 21 / 24, places=3)
        self.assertEqual(item["order_id"], self.order.id)
        self.assertEqual(item["order_name"], self.order.name)
        self.assertEqual(item["partner_name"], self.customer.name)
        self.assertFalse(self._row(data, self.lot_2)["items"])

    def test_states_of_bookings(self):
        """Reserved, out and returned bookings are shown with their state; cancelled are not."""
        self._book(self.lot_1, datetime(2031, 3, 2), datetime(2031, 3, 3), state="returned")
        self._book(self.lot_1, datetime(2031, 3, 4), datetime(2031, 3, 5), state="out")
        self._book(self.lot_1, datetime(2031, 3, 6), datetime(2031, 3, 7))
        self._book(self.lot_1, datetime(2031, 3, 9), datetime(2031, 3, 10), state="cancelled")
        items = self._row(self._data(), self.lot_1)["items"]
        self.assertEqual([item["state"] for item in items], ["returned", "out", "reserved"])

    def test_window_clips_bookings(self):
        """A booking longer than the window is cut at both edges; one outside is left out."""
        self._book(self.lot_1, datetime(2031, 2, 20), datetime(2031, 3, 20))
        self._book(self.lot_2, datetime(2031, 2, 1), datetime(2031, 2, 5))
        data = self._data(days=7)
        [item] = self._row(data, self.lot_1)["items"]
        self.assertEqual((item["start"], item["end"], item["block_end"]), (0.0, 7.0, 7.0))
        self.assertEqual(item["date_start"], "2031-02-20 00:00:00")
        self.assertFalse(self._row(data, self.lot_2)["items"])

    def test_turnaround_inside_window_is_shown(self):
        """A booking that ended before the window still shows the turnaround reaching into it."""
        self._book(self.lot_1, datetime(2031, 2, 25), datetime(2031, 2, 28, 22, 0))
        [item] = self._row(self._data(), self.lot_1)["items"]
        self.assertEqual(item["start"], 0.0)
        self.assertEqual(item["end"], 0.0)
        self.assertAlmostEqual(item["block_end"], 2 / 24, places=3)

    def test_maintenance_block_shown_with_its_note(self):
        """A booking without order is a maintenance block labelled with its note."""
        self._book(self.lot_2, note="Sensor cleaning")
        [item] = self._row(self._data(), self.lot_2)["items"]
        self.assertEqual(item["kind"], "maintenance")
        self.assertEqual(item["label"], "Sensor cleaning")
        self.assertEqual((item["order_id"], item["order_name"], item["partner_name"]), (0, "", ""))

    @freeze_time("2031-03-05 12:00:00")
    def test_serial_in_repair_blocked_from_today(self):
        """A serial in repair is blocked from today to the end of the window."""
        self._as_life_cycle(self.lot_3, rental_state="repair")
        [item] = self._row(self._data(), self.lot_3)["items"]
        self.assertEqual(item["kind"], "repair")
        self.assertEqual((item["start"], item["end"]), (4.0, 14.0))
        self.assertFalse(self._row(self._data("2031-02-01"), self.lot_3)["items"])

    def test_lost_serial_blocked_over_future_window(self):
        """A lost serial is blocked over a window that starts after today."""
        self._as_life_cycle(self.lot_3, rental_state="lost")
        row = self._row(self._data(), self.lot_3)
        self.assertEqual(row["rental_state"], "lost")
        self.assertEqual(
            [(i["kind"], i["start"], i["end"]) for i in row["items"]], [("lost", 0.0, 14.0)]
        )

    def test_filters(self):
        """Product, category, company and search narrow the serials."""
        lens_ids = self._ids(self._data(filters={"product_id": self.lens.id}))
        self.assertEqual(lens_ids, self.lens_lots.ids)
        category = self.env["product.category"].create({"name": "Schedule Test Lenses"})
        self.lens.categ_id = category
        self.assertEqual(
            self._ids(self._data(filters={"categ_id": category.id})), self.lens_lots.ids
        )
        self.assertEqual(self._ids(self._data(filters={"search": "TCAM-02"})), self.lot_2.ids)
        self.assertEqual(
            self._ids(self._data(filters={"search": "Test Zoom Lens"})), self.lens_lots.ids
        )
        company_b = self.env["res.company"].create({"name": "Schedule Company B"})
        self.assertFalse(
            self._ids(self._data(filters={"product_id": self.lens.id, "company_id": company_b.id}))
        )

    def _ids(self, data):
        return [row["id"] for row in data["rows"]]

    def test_pagination(self):
        """Serials come by pages, ordered by serial number, with the total."""
        first = self._data(limit=2)
        self.assertEqual(self._ids(first), [self.lot_1.id, self.lot_2.id])
        self.assertEqual(first["total"], 3)
        second = self._data(limit=2, offset=2)
        self.assertEqual(self._ids(second), [self.lot_3.id])
        self.assertEqual((second["total"], second["offset"], second["limit"]), (3, 2, 2))

    def test_plain_json_without_none(self):
        """The answer is plain JSON and holds no null, whatever the kinds of cells."""
        self._book(self.lot_1, order_line_id=self.order.order_line.id)
        self._book(self.lot_2)
        self._as_life_cycle(self.lot_3, rental_state="retired")
        text = json.dumps(self._data())
        self.assertNotIn("null", text)
        self.assertEqual(
            json.dumps(self._data(filters={"search": "no such serial"})).count("null"), 0
        )

    def test_user_without_rental_group_refused(self):
        """A salesperson without a rental group may not read the schedule."""
        with self.assertRaises(AccessError):
            self._data(user=self.salesman)

    def test_inventory_user_without_rental_group_refused(self):
        """An inventory user without a rental group may not read the schedule."""
        stock_user = new_test_user(self.env, login="rr_stock_only", groups="stock.group_stock_user")
        with self.assertRaises(AccessError):
            self._data(user=stock_user)

    def test_rental_roles_read_the_schedule(self):
        """Rental Users and Rental Warehouse read the schedule; only the former may quote."""
        self._book(self.lot_1, order_line_id=self.order.order_line.id)
        for user, can_quote in ((self.rental_user, True), (self.warehouse_user, False)):
            data = self._data(user=user)
            self.assertEqual(len(self._row(data, self.lot_1)["items"]), 1)
            self.assertEqual(data["can_quote"], can_quote)

    def test_company_isolation(self):
        """Serials and bookings of another company stay out of the schedule."""
        company_b = self.env["res.company"].create({"name": "Schedule Company B"})
        lot_b = self._create_lots(self.camera, ["TCAM-B1"], company=company_b, with_stock=False)
        self.env["rental.booking"].create(
            {
                "lot_id": lot_b.id,
                "date_start": self.start,
                "date_end": self.end,
                "company_id": company_b.id,
            }
        )
        user_a = new_test_user(
            self.env, login="rr_schedule_a", groups="rental_risk.rental_risk_group_user"
        )
        self.assertNotIn(lot_b.id, self._ids(self._data(user=user_a)))
        both = new_test_user(
            self.env,
            login="rr_schedule_ab",
            groups="rental_risk.rental_risk_group_user",
            company_ids=[Command.set((self.company | company_b).ids)],
        )
        # The web client sends the companies ticked in the company switcher.
        data = (
            self.Booking.with_user(both)
            .with_context(allowed_company_ids=[self.company.id])
            ._get_schedule_data("2031-03-01", 14, self.camera_filter)
        )
        self.assertNotIn(lot_b.id, self._ids(data))
        data = (
            self.Booking.with_user(both)
            .with_context(allowed_company_ids=[company_b.id, self.company.id])
            ._get_schedule_data("2031-03-01", 14, self.camera_filter)
        )
        self.assertEqual(len(self._row(data, lot_b)["items"]), 1)


@tagged("post_install", "-at_install")
class TestRentalScheduleQuotation(RentalCommon):
    """A new rental quotation started from a free cell of the schedule."""

    def _action(self, lot, day="2031-03-10", user=None):
        booking = self.env["rental.booking"].with_context(tz="UTC")
        return (booking.with_user(user) if user else booking).action_schedule_new_quotation(
            lot.id, day
        )

    def test_free_cell_opens_prefilled_quotation(self):
        """The quotation has a rental line of the serial's product, the serial, that day."""
        action = self._action(self.lot_2, user=self.rental_user)
        self.assertEqual((action["res_model"], action["views"]), ("sale.order", [[False, "form"]]))
        order_form = Form(
            self.env["sale.order"].with_user(self.rental_user).with_context(**action["context"])
        )
        order_form.partner_id = self.customer
        order = order_form.save()
        line = order.order_line
        self.assertEqual(line.product_id, self.camera)
        self.assertEqual(line.rental_lot_ids, self.lot_2)
        self.assertEqual(line.rental_start, datetime(2031, 3, 10, 9, 0))
        self.assertEqual(line.rental_end, datetime(2031, 3, 11, 9, 0))
        self.assertEqual(order.state, "draft")
        self.assertGreater(line.price_unit, 0)

    def test_busy_serial_refused(self):
        """A serial booked (turnaround included) on that day is refused in plain words."""
        self._book(self.lot_1, datetime(2031, 3, 8), datetime(2031, 3, 10, 6, 0))
        with self.assertRaisesRegex(UserError, "TCAM-01 is not free"):
            self._action(self.lot_1)
        self._action(self.lot_1, day="2031-03-11")

    def test_serial_in_repair_refused(self):
        """A serial in repair cannot start a quotation."""
        self._as_life_cycle(self.lot_3, rental_state="repair")
        with self.assertRaisesRegex(UserError, "cannot be rented"):
            self._action(self.lot_3)

    @freeze_time("2031-03-12 10:00:00")
    def test_past_day_refused(self):
        """A rental cannot start on a day already gone."""
        with self.assertRaisesRegex(UserError, "past"):
            self._action(self.lot_2)

    def test_warehouse_user_cannot_quote(self):
        """Rental Warehouse reads the schedule but does not create quotations."""
        with self.assertRaises(AccessError):
            self._action(self.lot_2, user=self.warehouse_user)
