import xmlrpc.client

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import RentalCommon


@tagged("post_install", "-at_install")
class TestRentalStockCount(RentalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shelf_b = cls.env["stock.location"].create(
            {
                "name": "Shelf B",
                "usage": "internal",
                "location_id": cls.warehouse.view_location_id.id,
            }
        )
        cls.stray = cls.env["stock.lot"].create(
            {"name": "TCAM-09", "product_id": cls.camera.id, "company_id": cls.company.id}
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.camera, cls.shelf_b, 1, lot_id=cls.stray
        )

    def _count(self, user=None, **vals):
        return (
            self.env["rental.stock.count"]
            .with_user(user or self.warehouse_user)
            .create({"location_id": self.stock_location.id, "product_ids": self.camera.ids, **vals})
        )

    def test_count_finds_missing_and_misplaced_serials(self):
        count = self._count()
        count.action_start()
        self.assertEqual(count.state, "counting")
        self.assertEqual(count.line_ids.lot_id, self.camera_lots)
        self.assertEqual(set(count.line_ids.mapped("result")), {"to_count"})

        self.assertEqual(count.action_scan("TCAM-01")["status"], "found")
        self.assertEqual(count.action_scan(self.lot_2.rental_barcode)["status"], "found")
        self.assertEqual(count.action_scan("TCAM-01")["status"], "again")
        result = count.action_scan("TCAM-09")
        self.assertEqual(result["status"], "unexpected")
        self.assertIn("Shelf B", result["message"])
        self.assertEqual(count.action_scan("NOPE-404")["status"], "unknown")
        self.assertEqual(count.action_scan("TLENS-01")["status"], "ignored")
        # Every answer travels over XML-RPC.
        xmlrpc.client.dumps((count.action_scan("TCAM-02"),), allow_none=False)

        count.action_done()
        results = {line.lot_id.name: line.result for line in count.line_ids}
        self.assertEqual(
            results,
            {"TCAM-01": "ok", "TCAM-02": "ok", "TCAM-03": "missing", "TCAM-09": "wrong_place"},
        )
        self.assertEqual((count.expected_count, count.found_count, count.missing_count), (3, 3, 1))
        missing = count.line_ids.filtered(lambda line: line.result == "missing")
        self.assertTrue(missing.loss_candidate)
        self.assertIn("Missing at stock count", self.lot_3.activity_ids.summary)
        others = count.line_ids.filtered(lambda line: line.result != "missing")
        self.assertFalse(any(others.mapped("loss_candidate")))

    def test_gear_out_with_a_customer_is_unexpected_on_the_shelf(self):
        self.lot_1.sudo()._rental_write_life_cycle({"rental_state": "out"})
        count = self._count()
        count.action_start()
        self.env["stock.quant"]._update_available_quantity(
            self.camera, self.stock_location, -1, lot_id=self.lot_1
        )
        self.env["stock.quant"]._update_available_quantity(
            self.camera, self.company.rental_location_id, 1, lot_id=self.lot_1
        )
        count.line_ids.filtered(lambda line: line.lot_id == self.lot_1).sudo().unlink()
        count.action_scan("TCAM-01")
        line = count.line_ids.filtered(lambda line: line.lot_id == self.lot_1)
        self.assertEqual((line.result, line.book_state), ("unexpected", "out"))

    def test_only_the_warehouse_counts_and_nobody_writes_the_result(self):
        count = self._count()
        with self.assertRaises(UserError):
            count.with_user(self.rental_user).action_start()
        with self.assertRaises(AccessError):
            self._count(user=self.rental_user)
        count.action_start()
        # Raw writes of what the count found are refused, administrator included.
        with self.assertRaisesRegex(UserError, "Start, the scanner and Close"):
            count.write({"state": "done"})
        with self.assertRaisesRegex(UserError, "Start, the scanner and Close"):
            count.sudo().write({"state": "done"})
        with self.assertRaises(AccessError):
            count.line_ids[:1].write({"found": True})
        with self.assertRaises(UserError):
            count.write({"location_id": self.shelf_b.id})
        for vals in (
            {"name": "COUNT/FAKE"},
            {"company_id": self.env["res.company"].create({"name": "Other Rental Co"}).id},
        ):
            with self.assertRaisesRegex(UserError, "fixed once it has started"):
                count.sudo().write(vals)
        with self.assertRaisesRegex(UserError, "Start, the scanner and Close"):
            self.env["rental.stock.count"].with_user(self.warehouse_user).create(
                {"location_id": self.stock_location.id, "state": "done"}
            )
        self.assertEqual(count.state, "counting")
        self.assertFalse(count.line_ids.filtered("found"))
