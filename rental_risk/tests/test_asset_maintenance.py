from datetime import timedelta

from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import RentalCommon


@tagged("post_install", "-at_install")
class TestAssetMaintenance(RentalCommon):
    """Preventive maintenance by usage counter and by calendar on Odoo's Maintenance app: a due
    plan opens one request and blocks the serial; finishing the request frees it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan = cls.env["rental.maintenance.plan"].create(
            {
                "name": "Sensor cleaning",
                "product_tmpl_id": cls.camera.product_tmpl_id.id,
                "counter_interval": 500,
                "counter_unit": "hours",
                "duration_hours": 48.0,
            }
        )
        cls.done_stage = cls.env["maintenance.stage"].search(
            [("done", "=", True)], order="sequence, id", limit=1
        )
        cls.Request = cls.env["maintenance.request"].with_context(active_test=False)

    def _requests(self, lot):
        return self.Request.search([("rental_lot_id", "=", lot.id)])

    def _run(self):
        return self.env["rental.maintenance.plan"]._cron_open_due_requests()

    def _now(self):
        return fields.Datetime.now().replace(microsecond=0)

    def test_counter_crossing_threshold_opens_exactly_one_request(self):
        self.lot_1._rental_record_reading(480)
        self._run()
        self.assertFalse(self._requests(self.lot_1), "480 hours: not due yet")
        self.lot_1._rental_record_reading(520)
        self._run()
        self._run()
        request = self._requests(self.lot_1)
        self.assertEqual(len(request), 1, "due once, run twice: one request")
        self.assertFalse(self._requests(self.lot_2), "a serial with no usage is not due")
        self.assertEqual(request.maintenance_type, "preventive")
        self.assertEqual(request.rental_plan_id, self.plan)
        self.assertEqual(request.rental_counter_at, 520)
        self.assertEqual(request.equipment_id, self.lot_1.rental_equipment_id)
        self.assertTrue(request.equipment_id, "the serial got its Maintenance equipment")
        window = request.rental_booking_id
        self.assertEqual(window.lot_id, self.lot_1)
        self.assertFalse(window.order_line_id)
        self.assertEqual(window.date_end - window.date_start, timedelta(hours=48))
        self.assertEqual(self.lot_1.rental_state, "repair", "the window started: in repair")
        # More usage while the request is open opens nothing more.
        self.lot_1._rental_record_reading(900)
        self._run()
        self.assertEqual(len(self._requests(self.lot_1)), 1)

    def test_rental_in_repair_window_refused_until_request_done(self):
        # lot_2 is rented from now on: its maintenance goes after the rental (turnaround
        # included), and stays available until then.
        now = self._now()
        rental = self._book(self.lot_2, start=now + timedelta(hours=1), end=now + timedelta(days=2))
        self.lot_2._rental_record_reading(600)
        self._run()
        request = self._requests(self.lot_2)
        window = request.rental_booking_id
        self.assertEqual(window.date_start, rental.date_block_end)
        self.assertEqual(self.lot_2.rental_state, "available")
        inside = window.date_start + timedelta(hours=10)
        with self.assertRaises(ValidationError):
            self._book(self.lot_2, start=inside, end=inside + timedelta(hours=5))
        request.stage_id = self.done_stage
        self.assertEqual(window.state, "cancelled")
        booking = self._book(self.lot_2, start=inside, end=inside + timedelta(hours=5))
        self.assertEqual(booking.state, "reserved")
        # Done: the next interval counts from the counter at the request.
        self.lot_2._rental_record_reading(1050)
        self._run()
        self.assertEqual(len(self._requests(self.lot_2)), 1, "550 hours since: not due")
        self.lot_2._rental_record_reading(1100)
        self._run()
        self.assertEqual(len(self._requests(self.lot_2)), 2, "600 hours since: due again")

    def test_done_request_puts_serial_back_available(self):
        self.lot_1._rental_record_reading(500)
        self._run()
        request = self._requests(self.lot_1)
        self.assertEqual(self.lot_1.rental_state, "repair")
        now = self._now()
        with self.assertRaises(ValidationError):
            self._book(self.lot_1, start=now + timedelta(hours=2), end=now + timedelta(hours=6))
        request.with_user(self.warehouse_user).sudo().write({"rental_cost": 180.0})
        request.stage_id = self.done_stage
        self.assertEqual(self.lot_1.rental_state, "available")
        self.assertEqual(request.rental_booking_id.state, "cancelled")
        self._book(self.lot_1, start=now + timedelta(hours=2), end=now + timedelta(hours=6))
        # Repairs and their cost are part of the serial's history.
        self.lot_1.invalidate_recordset()
        self.assertEqual(self.lot_1.rental_maintenance_count, 1)
        self.assertEqual(self.lot_1.rental_maintenance_cost, 180.0)

    def test_cancelled_request_releases_the_serial(self):
        self.lot_1._rental_record_reading(500)
        self._run()
        request = self._requests(self.lot_1)
        self.assertEqual(self.lot_1.rental_state, "repair")
        request.archive_equipment_request()
        self.assertEqual(self.lot_1.rental_state, "available")
        self.assertEqual(request.rental_booking_id.state, "cancelled")

    def test_calendar_interval(self):
        today = fields.Date.context_today(self.env["rental.maintenance.plan"])
        plan = self.env["rental.maintenance.plan"].create(
            {"name": "Yearly check", "lot_id": self.lot_3.id, "day_interval": 30}
        )
        self.lot_3.rental_acquisition_date = today - timedelta(days=29)
        self._run()
        self.assertFalse(self._requests(self.lot_3), "29 days: not due")
        self.lot_3.rental_acquisition_date = today - timedelta(days=30)
        self._run()
        self._run()
        self.assertEqual(self._requests(self.lot_3).rental_plan_id, plan)

    def test_plan_fields_and_flow_fields_refused_on_raw_write(self):
        self.lot_1._rental_record_reading(500)
        self._run()
        request = self._requests(self.lot_1)
        for user in (self.warehouse_user, self.manager, self.env.ref("base.user_admin")):
            for field, value in (
                ("rental_counter_at", 0),
                ("rental_booking_id", False),
                ("rental_took_out", False),
                ("rental_fix_confirmed_on", fields.Datetime.now()),
            ):
                with self.subTest(user=user.login, field=field), self.assertRaises(UserError):
                    request.with_user(user).sudo().write({field: value})
        # Nobody links a booking of their own to a request (it would block a serial in repair
        # and be released with the request), nor moves a window to another request.
        window = request.rental_booking_id
        for user in (self.rental_user, self.manager, self.env.ref("base.user_admin")):
            with self.subTest(user=user.login), self.assertRaises(UserError):
                window.with_user(user).sudo().write({"maintenance_request_id": False})
            with self.subTest(user=user.login), self.assertRaises(UserError):
                self.env["rental.booking"].with_user(user).sudo().create(
                    {
                        "lot_id": self.lot_2.id,
                        "date_start": fields.Datetime.now() + timedelta(days=300),
                        "date_end": fields.Datetime.now() + timedelta(days=301),
                        "maintenance_request_id": request.id,
                    }
                )
        self.assertEqual(window.maintenance_request_id, request)

    def test_plan_needs_an_interval_and_a_rental_target(self):
        with (
            self.assertRaises(IntegrityError),
            self.cr.savepoint(),
            mute_logger("odoo.sql_db"),
        ):
            self.env["rental.maintenance.plan"].create(
                {"name": "Nothing", "product_tmpl_id": self.camera.product_tmpl_id.id}
            ).flush_recordset()
        with self.assertRaises(ValidationError):
            self.env["rental.maintenance.plan"].create(
                {
                    "name": "Not rented",
                    "product_tmpl_id": self.plain_product.product_tmpl_id.id,
                    "day_interval": 10,
                }
            )

    def test_create_equipment_button(self):
        with self.assertRaises(UserError):
            self.lot_3.with_user(self.rental_user).action_rental_create_equipment()
        self.lot_3.with_user(self.warehouse_user).action_rental_create_equipment()
        equipment = self.lot_3.rental_equipment_id
        self.assertEqual(equipment.serial_no, "TCAM-03")
        self.lot_3.with_user(self.warehouse_user).action_rental_create_equipment()
        self.assertEqual(self.lot_3.rental_equipment_id, equipment, "created once")
