from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_order import RentalOrderCommon


@tagged("post_install", "-at_install")
class TestRentalScan(RentalOrderCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls._create_rental_order(qty=2)
        cls.order.action_confirm()
        cls.first, cls.second = cls.order.order_line.rental_lot_ids

    def _scan(self, mode="checkout"):
        return (
            self.env["rental.scan"]
            .with_user(self.warehouse_user)
            .create({"mode": mode, "order_id": self.order.id})
        )

    def test_scan_finds_open_pickup(self):
        """The check-out screen opens on the open pickup of the order."""
        scan = self._scan()
        self.assertEqual(scan.picking_id, self._pickup(self.order))
        self.assertFalse(self._scan("checkin").picking_id)

    def test_scan_marks_move_line_picked(self):
        """Scanning a booked serial marks its move line picked and logs the scan."""
        scan = self._scan()
        scan.on_barcode_scanned("TCAM-01")
        move_line = scan.picking_id.move_line_ids.filtered(lambda ml: ml.lot_id == self.first)
        self.assertTrue(move_line.picked)
        self.assertEqual(move_line.quantity, 1)
        self.assertEqual(scan.line_ids.lot_id, self.first)

    def test_scan_by_rental_barcode(self):
        """A serial is found by its rental barcode label too."""
        self.first.rental_barcode = "LBL-0001"
        scan = self._scan()
        scan.on_barcode_scanned("LBL-0001")
        self.assertEqual(scan.line_ids.lot_id, self.first)

    def test_scan_unknown_barcode(self):
        """An unknown barcode gives a clear error and changes nothing."""
        scan = self._scan()
        with self.assertRaisesRegex(UserError, "Unknown barcode"):
            scan.on_barcode_scanned("NOPE-404")
        self.assertFalse(scan.picking_id.move_line_ids.filtered("picked"))

    def test_scan_serial_not_on_order(self):
        """A serial of another order is refused."""
        scan = self._scan()
        with self.assertRaisesRegex(UserError, "not on the order"):
            scan.on_barcode_scanned("TCAM-03")
        self.assertFalse(scan.picking_id.move_line_ids.filtered("picked"))

    def test_scan_twice_refused(self):
        """Scanning the same serial twice is refused the second time."""
        scan = self._scan()
        scan.on_barcode_scanned("TCAM-01")
        with self.assertRaisesRegex(UserError, "already been scanned"):
            scan.on_barcode_scanned("TCAM-01")
        self.assertEqual(len(scan.line_ids), 1)

    def test_scan_validate_partial_checkout(self):
        """Validating after scanning one serial hands it out and leaves a backorder."""
        scan = self._scan()
        scan.on_barcode_scanned("TCAM-01")
        res = scan.action_validate()
        self.assertEqual(res.get("res_model"), "stock.backorder.confirmation")
        wizard = self.env["stock.backorder.confirmation"].with_user(self.warehouse_user)
        wizard.with_context(**res["context"]).create({}).process()
        self.assertEqual(self.first.rental_state, "out")
        self.assertEqual(self._pickup(self.order).move_line_ids.lot_id, self.second)

    def test_checkin_flow(self):
        """Check-in scans picked-up serials and validation returns them for inspection."""
        self._validate(self._pickup(self.order))
        scan = self._scan("checkin")
        self.assertEqual(scan.picking_id, self._return(self.order))
        scan.on_barcode_scanned("TCAM-01")
        scan.on_barcode_scanned("TCAM-02")
        scan.action_validate()
        self.assertEqual((self.first | self.second).mapped("rental_state"), ["inspection"] * 2)

    def test_checkin_already_returned(self):
        """Checking in a serial already returned is refused."""
        self._validate(self._pickup(self.order))
        self._validate(self._return(self.order), lots=self.first)
        scan = self._scan("checkin")
        with self.assertRaisesRegex(UserError, "already been returned"):
            scan.on_barcode_scanned("TCAM-01")

    def test_checkin_not_picked_up(self):
        """Checking in a serial never picked up is refused."""
        self._validate(self._pickup(self.order), lots=self.first)
        scan = self._scan("checkin")
        with self.assertRaisesRegex(UserError, "not been picked up"):
            scan.on_barcode_scanned("TCAM-02")

    def test_order_buttons_open_scan(self):
        """Check Out / Check In buttons open the scan screen in the right mode."""
        action = self.order.action_rental_scan_checkout()
        self.assertEqual(action["res_model"], "rental.scan")
        self.assertEqual(action["context"]["default_mode"], "checkout")
        self.assertEqual(
            self.order.action_rental_scan_checkin()["context"]["default_mode"], "checkin"
        )
