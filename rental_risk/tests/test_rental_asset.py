from datetime import datetime

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import RentalCommon


@tagged("post_install", "-at_install")
class TestRentalAsset(RentalCommon):
    def test_lot_defaults_from_product(self):
        """A new rental serial takes its name as barcode and the product's replacement value."""
        self.assertEqual(self.lot_1.rental_barcode, "TCAM-01")
        self.assertEqual(self.lot_1.rental_replacement_value, 5000.0)
        self.assertEqual(self.lot_1.rental_state, "available")
        self.assertTrue(self.lot_1.rental_ok)

    def test_non_rental_lot_keeps_rental_fields_empty(self):
        """A serial of a non-rental product gets no barcode nor replacement value."""
        self.assertFalse(self.plain_lot.rental_ok)
        self.assertFalse(self.plain_lot.rental_barcode)
        self.assertFalse(self.plain_lot.rental_replacement_value)

    @mute_logger("odoo.sql_db")
    def test_barcode_unique_per_company(self):
        """Two assets of one company cannot share a barcode."""
        with self.assertRaises(IntegrityError):
            self.lot_2.rental_barcode = "TCAM-01"
            self.lot_2.flush_recordset()

    def test_barcode_reused_in_other_company(self):
        """Another company may use the same barcode."""
        other = self.env["res.company"].create({"name": "Other Rental Co"})
        lot = self._create_lots(self.camera, ["TCAM-01"], company=other, with_stock=False)
        self.assertEqual(lot.rental_barcode, "TCAM-01")
        self.assertEqual(lot.company_id, other)

    def test_default_barcode_skipped_when_taken(self):
        """A serial named like another product's asset gets no default barcode."""
        lot = self._create_lots(self.lens, ["TCAM-01"], with_stock=False)
        self.assertFalse(lot.rental_barcode)

    def test_repair_cycle(self):
        """Warehouse staff send an asset to repair and put it back on the shelf."""
        lot = self.lot_1.with_user(self.warehouse_user)
        lot.action_rental_send_to_repair()
        self.assertEqual(self.lot_1.rental_state, "repair")
        lot.action_rental_mark_available()
        self.assertEqual(self.lot_1.rental_state, "available")

    def test_rental_user_cannot_change_state(self):
        """A Rental User without warehouse rights cannot send an asset to repair."""
        with self.assertRaises(UserError):
            self.lot_1.with_user(self.rental_user).action_rental_send_to_repair()
        self.assertEqual(self.lot_1.rental_state, "available")

    def test_retire_out_asset_refused(self):
        """An asset out with a customer cannot be retired."""
        self.lot_1._rental_set_out(self._create_sale_order())
        with self.assertRaisesRegex(UserError, "retire"):
            self.lot_1.with_user(self.manager).action_rental_retire()

    def test_retire_booked_asset_refused(self):
        """An asset with an upcoming booking cannot be retired."""
        self._book(self.lot_1)
        with self.assertRaisesRegex(UserError, "still booked"):
            self.lot_1.with_user(self.manager).action_rental_retire()

    def test_manager_retires_asset(self):
        """A Risk Manager retires an asset, even without inventory rights."""
        self.lot_1.with_user(self.manager).action_rental_retire()
        self.assertEqual(self.lot_1.rental_state, "retired")

    def test_warehouse_user_cannot_retire(self):
        """Retiring is for Risk Managers only."""
        with self.assertRaises(UserError):
            self.lot_1.with_user(self.warehouse_user).action_rental_retire()

    def test_mark_lost(self):
        """A Risk Manager records an asset out with a customer as lost."""
        self.lot_1._rental_set_out(self._create_sale_order())
        self.lot_1.with_user(self.manager).action_rental_mark_lost()
        self.assertEqual(self.lot_1.rental_state, "lost")

    def test_non_rental_lot_has_no_rental_transition(self):
        """A serial of a non-rental product cannot be sent to repair as a rental asset."""
        with self.assertRaisesRegex(UserError, "not a rental asset"):
            self.plain_lot.action_rental_send_to_repair()

    def test_out_and_return(self):
        """Pickup sets the customer and order; return clears them and awaits inspection."""
        order = self._create_sale_order()
        self.lot_1._rental_set_out(order)
        self.assertEqual(self.lot_1.rental_state, "out")
        self.assertEqual(self.lot_1.rental_partner_id, self.customer)
        self.assertEqual(self.lot_1.rental_order_id, order)
        self.lot_1._rental_set_returned()
        self.assertEqual(self.lot_1.rental_state, "inspection")
        self.assertFalse(self.lot_1.rental_partner_id)
        self.assertFalse(self.lot_1.rental_order_id)

    def test_state_change_is_tracked(self):
        """Rental state changes are logged in the asset's chatter."""
        self.lot_1.action_rental_send_to_repair()
        self.env.cr.flush()
        tracked = self.lot_1.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "rental_state"
        )
        self.assertTrue(tracked)

    def test_usage_counter_is_last_reading(self):
        """The usage counter shows the latest reading."""
        self.lot_1._rental_record_reading(100, date=datetime(2030, 1, 1))
        self.lot_1._rental_record_reading(250, date=datetime(2030, 2, 1))
        self.assertEqual(self.lot_1.rental_usage_counter, 250)
        self.assertEqual(self.lot_1.rental_reading_count, 2)

    def test_reading_cannot_decrease(self):
        """A reading lower than an earlier one is refused."""
        self.lot_1._rental_record_reading(500, date=datetime(2030, 1, 1))
        with self.assertRaisesRegex(ValidationError, "never go down"):
            self.lot_1._rental_record_reading(499, date=datetime(2030, 2, 1))

    def test_backdated_reading_cannot_exceed_later_one(self):
        """A back-dated reading higher than a later one is refused."""
        self.lot_1._rental_record_reading(500, date=datetime(2030, 2, 1))
        with self.assertRaises(ValidationError):
            self.lot_1._rental_record_reading(600, date=datetime(2030, 1, 1))

    def test_warehouse_user_records_reading(self):
        """Warehouse staff record readings."""
        reading = self.lot_1.with_user(self.warehouse_user)._rental_record_reading(42)
        self.assertEqual(reading.user_id, self.warehouse_user)
        self.assertEqual(self.lot_1.rental_usage_counter, 42)

    def test_salesman_cannot_read_readings(self):
        """A plain salesperson has no access to usage readings."""
        self.lot_1._rental_record_reading(7)
        with self.assertRaises(AccessError):
            self.env["rental.asset.reading"].with_user(self.salesman).search([])

    def test_smart_buttons_open_the_asset_records(self):
        """The asset's smart buttons open its bookings, stock moves and readings."""
        self._book(self.lot_1)
        self.lot_1._rental_record_reading(10)
        self.assertEqual(self.lot_1.rental_booking_count, 1)
        bookings = self.lot_1.action_rental_open_bookings()
        self.assertEqual(self.env["rental.booking"].search_count(bookings["domain"]), 1)
        readings = self.lot_1.action_rental_open_readings()
        self.assertEqual(self.env["rental.asset.reading"].search_count(readings["domain"]), 1)
        moves = self.lot_1.action_rental_open_move_lines()
        self.assertEqual(
            self.env["stock.move.line"].search_count(moves["domain"]),
            self.lot_1.rental_move_line_count,
        )
