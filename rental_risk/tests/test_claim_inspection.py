import base64

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_deposit import DepositCommon


@tagged("post_install", "-at_install")
class TestReturnInspection(DepositCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_grade(cls.customer, "A")
        cls.camera.product_tmpl_id.rental_accessory_ids = [
            (0, 0, {"name": "Battery", "value": 120.0}),
            (0, 0, {"name": "Charger", "value": 45.5}),
        ]

    def _returned_order(self):
        order = self._confirmed_order(lots=self.lot_1)
        self._validate(self._pickup(order))
        self._validate(self._return(order))
        return order

    def test_fine_asset_back_on_the_shelf(self):
        """Nothing wrong: the asset is available again, the inspection is on its history."""
        self._returned_order()
        photo = self.env["ir.attachment"].create(
            {"name": "front.png", "datas": base64.b64encode(b"png")}
        )
        inspection = self._inspect(
            self.lot_1, condition="good", counter_reading=1500, notes="Clean", attachment_ids=photo
        )
        self.assertEqual(inspection.outcome, "fine")
        self.assertEqual(self.lot_1.rental_state, "available")
        self.assertEqual(self.lot_1.rental_condition, "good")
        self.assertEqual(self.lot_1.rental_usage_counter, 1500)
        self.assertEqual(self.lot_1.rental_inspection_count, 1)
        self.assertEqual(inspection.attachment_ids, photo)
        self.assertEqual(inspection.line_ids.mapped("present"), [True, True])
        self.assertFalse(inspection.claim_ids)

    def test_missing_accessories_claimed_at_their_value(self):
        """A missing accessory makes a claim for its value; the asset itself is available."""
        order = self._returned_order()
        inspection = self._inspect(self.lot_1, accessories_present=[True, False])
        self.assertEqual(inspection.outcome, "missing")
        claim = inspection.claim_ids
        self.assertEqual((claim.claim_type, claim.assessed_amount), ("accessories", 45.5))
        self.assertEqual((claim.partner_id, claim.order_id), (self.customer, order))
        self.assertEqual(self.lot_1.rental_state, "available")

    def test_damaged_without_estimate_claims_replacement_value(self):
        """Damage without a repair estimate claims the replacement value; asset to repair."""
        self._returned_order()
        inspection = self._inspect(self.lot_1, damaged=True, accessories_present=[False, False])
        self.assertEqual(inspection.outcome, "damaged_missing")
        self.assertEqual(sorted(inspection.claim_ids.mapped("assessed_amount")), [165.5, 5000.0])
        self.assertEqual(self.lot_1.rental_state, "repair")

    def test_inspection_needs_rental_warehouse(self):
        """A Rental User cannot record an inspection; only an asset awaiting one is inspected."""
        self._returned_order()
        with self.assertRaises(UserError):
            self._inspect(self.lot_1, user=self.rental_user)
        self.assertEqual(self.lot_1.rental_state, "inspection")
        self._inspect(self.lot_1)
        with self.assertRaises(UserError):
            self._inspect(self.lot_1)
        self.assertEqual(self.lot_1.rental_inspection_count, 1)

    def test_inspect_from_return_picking(self):
        """The return offers the inspection of its returned serials."""
        order = self._returned_order()
        returned = order._rental_get_pickings("return")
        action = returned.with_user(self.warehouse_user).action_rental_inspect()
        self.assertEqual(action["res_model"], "stock.lot.inspect")
        self.assertEqual(action["context"]["default_lot_id"], self.lot_1.id)

    def test_inspection_shows_the_claims_it_opens(self):
        """The inspection that opens a claim shows it; one that opens none closes."""
        self._returned_order()
        wizard = (
            self.env["stock.lot.inspect"]
            .with_user(self.warehouse_user)
            .create({"lot_id": self.lot_1.id, "damaged": True, "repair_estimate": 300.0})
        )
        action = wizard.action_confirm()
        claim = self.env["rental.damage.claim"].search([("lot_id", "=", self.lot_1.id)])
        self.assertEqual(len(claim), 1)
        self.assertEqual((action["res_model"], action["res_id"]), ("rental.damage.claim", claim.id))
        self.assertEqual(action["view_mode"], "form")

        self._as_life_cycle(self.lot_1, rental_state="inspection")
        wizard = (
            self.env["stock.lot.inspect"]
            .with_user(self.warehouse_user)
            .create({"lot_id": self.lot_1.id})
        )
        self.assertEqual(wizard.line_ids.mapped("present"), [True, True])
        self.assertEqual(wizard.action_confirm(), {"type": "ir.actions.act_window_close"})
