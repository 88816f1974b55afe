from unittest import SkipTest

from odoo import fields
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoStory(TransactionCase):
    """The demo data tells the story it promises: orders in every state, customers graded A to
    E from their invoices and payments, a blacklisted customer and its double, deposits on."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not cls.env.ref("rental_risk.partner_kestrel_demo", raise_if_not_found=False):
            raise SkipTest("installed without demo data")
        cls.partners = {
            key: cls.env.ref(f"rental_risk.partner_{key}_demo")
            for key in "northlight jane bluehabour quickshot kestrel castlerock "
            "castlerock_lookalike".split()
        }

    def _lot(self, key):
        return self.env.ref(f"rental_risk.lot_{key}_demo")

    def _orders(self, key):
        return self.env["sale.order"].search(
            [("partner_id", "=", self.partners[key].id), ("is_rental_order", "=", True)]
        )

    def test_grades_from_invoices_and_payments(self):
        """Each named customer has the grade its history earns, computed by the scoring."""
        expected = {
            "northlight": "A",
            "jane": "B",
            "bluehabour": "C",
            "quickshot": "D",
            "kestrel": "E",
            "castlerock": "E",
        }
        grades = {key: self.partners[key].rental_grade for key in expected}
        self.assertEqual(grades, expected)
        invoices = self.env["account.move"].search(
            [
                ("partner_id", "in", [self.partners[k].id for k in ("quickshot", "kestrel")]),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "=", "not_paid"),
                ("invoice_date_due", "<", fields.Date.context_today(self.env.user)),
            ]
        )
        self.assertTrue(invoices, "the poor payers have overdue unpaid invoices")
        self.assertTrue(self.env["rental.score.history"].search_count([]))

    def test_blacklisted_customer_and_lookalike(self):
        """Castle Rock is blacklisted; its double with the same phone is flagged."""
        castle, double = self.partners["castlerock"], self.partners["castlerock_lookalike"]
        self.assertTrue(castle.rental_blacklisted)
        self.assertFalse(double.rental_blacklisted)
        self.assertEqual(double.rental_blacklist_match_id, castle)
        self.assertIn("phone", double.rental_blacklist_match_reason)

    def test_orders_in_every_state(self):
        """Quotation, held, confirmed, out, late, returned, inspected, claimed, settled."""
        quotation = self._orders("bluehabour")
        self.assertEqual(quotation.mapped("state"), ["draft"])
        held = self._orders("quickshot").filtered(lambda o: o.state == "draft")
        self.assertEqual(held.rental_risk_approval_state, "waiting")
        confirmed = self._orders("northlight").filtered(
            lambda o: self._lot("fx6_0003") in o.order_line.rental_lot_ids
        )
        self.assertEqual(confirmed.state, "sale")
        bookings = self.env["rental.booking"].search([("order_id", "=", confirmed.id)])
        self.assertEqual(set(bookings.mapped("state")), {"reserved"})
        self.assertEqual(self._lot("r5_1003").rental_state, "out")
        late = self._orders("kestrel").order_line.filtered("is_rental")
        self.assertTrue(late.rental_is_late)
        self.assertEqual(self._lot("r5_1004").rental_state, "out")
        self.assertEqual(self._lot("rf70200_32").rental_state, "inspection")
        inspection = self.env["rental.inspection"].search(
            [("lot_id", "=", self._lot("sg2470_502").id)]
        )
        self.assertEqual(inspection.outcome, "fine")
        self.assertEqual(self._lot("sg2470_502").rental_state, "available")
        claim = self.env["rental.damage.claim"].search(
            [("lot_id", "=", self._lot("rf70200_31").id)]
        )
        self.assertEqual((claim.state, claim.partner_id), ("invoiced", self.partners["quickshot"]))
        self.assertEqual(self._lot("rf70200_31").rental_state, "repair")
        settled = self._orders("jane").filtered("rental_deposit_settled")
        self.assertEqual(len(settled), 1)
        self.assertTrue(settled.rental_deposit_settlement_ids)

    def test_deposits_and_roles(self):
        """Deposits are on in the demo company; a clerk and a risk manager can log in."""
        self.assertTrue(self.env.ref("base.main_company").rental_deposit_enabled)
        manager = self.env.ref("rental_risk.user_risk_manager_demo")
        self.assertTrue(manager.has_group("rental_risk.rental_risk_group_manager"))
        clerk = self.env.ref("rental_risk.user_rental_clerk_demo")
        self.assertTrue(clerk.has_group("rental_risk.rental_risk_group_warehouse"))
        board = self.env.ref("rental_risk.stock_picking_report_today_action")
        self.assertEqual(self.env.ref("base.user_admin").action_id.id, board.id)

    def test_backtest_finds_the_slipping_customers(self):
        """The demo's book of customers paying for most of a year, four of them slipping,
        and the Risk Manager's backtest on it: the scores rank the customers who went on to
        default below the others, and grades D-E caught most of them beforehand."""
        slipping = self.env["res.partner"].search([("name", "=", "Mosaic Live Events")])
        self.assertEqual(len(slipping), 1)
        self.assertTrue(
            self.env["account.move"].search_count(
                [("partner_id", "=", slipping.id), ("payment_state", "=", "not_paid")]
            ),
            "a slipping customer stopped paying",
        )
        backtest = self.env["rental.score.backtest"].search([], limit=1, order="id desc")
        self.assertTrue(backtest, "the demo comes with a backtest to read")
        self.assertEqual(backtest.user_id, self.env.ref("rental_risk.user_risk_manager_demo"))
        self.assertEqual(len(backtest.month_ids), 6)
        self.assertGreater(backtest.bad_count, 0)
        self.assertGreater(backtest.auc, 0.75)
        self.assertGreater(backtest.caught_share, 50.0)
