from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_deposit import DepositCommon


@tagged("post_install", "-at_install")
class TestLoss(DepositCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_grade(cls.customer, "A")
        cls.loss_location = cls.camera.with_company(cls.company).property_stock_inventory

    def _out_order(self):
        order = self._confirmed_order(lots=self.lot_1)
        self._validate(self._pickup(order))
        return order

    def _qty(self, location):
        return sum(
            self.env["stock.quant"]
            .search([("lot_id", "=", self.lot_1.id), ("location_id", "=", location.id)])
            .mapped("quantity")
        )

    def test_declare_lost_creates_claim_and_takes_stock_out(self):
        """Declaring an asset lost claims its replacement value and takes it out of stock."""
        order = self._out_order()
        self.lot_1.with_user(self.manager).action_rental_mark_lost()
        self.assertEqual(self.lot_1.rental_state, "lost")
        claim = self.lot_1.rental_claim_ids
        self.assertEqual(
            (claim.claim_type, claim.state, claim.assessed_amount),
            ("loss", "assessed", 5000.0),
        )
        self.assertEqual((claim.partner_id, claim.order_id), (self.customer, order))
        self.assertEqual(self._qty(self.rental_location), 0.0)
        self.assertEqual(self._qty(self.loss_location), 1.0)
        self.assertNotIn(
            self.lot_1,
            self.env["rental.booking"]._get_available_lots(
                self.camera, datetime(2032, 1, 1), datetime(2032, 1, 2)
            ),
        )

    def test_loss_depreciated_by_age(self):
        """With straight-line depreciation the claim charges what the asset is still worth."""
        self.company.rental_loss_depreciation_years = 4
        self.lot_1.rental_acquisition_date = date.today() - timedelta(days=365 * 2)
        self._out_order()
        self.lot_1.action_rental_mark_lost()
        self.assertAlmostEqual(self.lot_1.rental_claim_ids.assessed_amount, 2500.0, delta=0.01)

    def test_declare_lost_needs_risk_manager(self):
        """A Rental User cannot declare an asset lost; nothing is written."""
        self._out_order()
        with self.assertRaises(UserError):
            self.lot_1.with_user(self.rental_user).action_rental_mark_lost()
        self.assertEqual(self.lot_1.rental_state, "out")
        self.assertFalse(self.lot_1.rental_claim_ids)

    def test_lost_asset_comes_back(self):
        """A lost asset that comes back: its invoiced claim is credited, its stock put back,
        and the return sends it to inspection."""
        order = self._out_order()
        self.lot_1.action_rental_mark_lost()
        claim = self.lot_1.rental_claim_ids
        claim.action_invoice()
        self.assertEqual(self._balance(self.receivable, self.customer), 5000.0)
        self.lot_1.with_user(self.warehouse_user).action_rental_found()
        self.assertEqual(claim.state, "cancelled")
        self.assertEqual(claim.credit_note_id.amount_total, 5000.0)
        self.assertEqual(self._balance(self.receivable, self.customer), 0.0)
        self.assertEqual(self._qty(self.rental_location), 1.0)
        self.assertEqual(self._qty(self.loss_location), 0.0)
        self._validate(self._return(order))
        self.assertEqual(self.lot_1.rental_state, "inspection")

    def test_late_cron_proposes_loss_once(self):
        """Gear late more than the company's days gets one "Declare lost?" activity."""
        self.company.rental_loss_proposal_days = 3
        order = self._out_order()
        line = order.order_line.filtered("is_rental")
        with freeze_time(self.end + timedelta(days=1)):
            self.env["sale.order.line"]._cron_flag_late_rentals()
        self.assertFalse(line.rental_loss_activity_id)
        with freeze_time(self.end + timedelta(days=4)):
            self.env["sale.order.line"]._cron_flag_late_rentals()
            self.env["sale.order.line"]._cron_flag_late_rentals()
        self.assertTrue(line.rental_loss_activity_id)
        activities = self.env["mail.activity"].search(
            [("res_model", "=", "sale.order"), ("res_id", "=", order.id)]
        )
        self.assertEqual(len(activities.filtered(lambda a: "Declare lost" in a.summary)), 1)
