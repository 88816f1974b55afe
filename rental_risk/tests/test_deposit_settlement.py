from datetime import timedelta

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_deposit import DepositCommon


@tagged("post_install", "-at_install")
class TestSettlement(DepositCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_grade(cls.customer, "B")  # 10 % of 5,000.00: 500.00

    def _paid_order(self):
        order = self._confirmed_order(lots=self.lot_1)
        order.action_rental_invoice_deposit()
        self._pay(order.invoice_ids)
        self._validate(self._pickup(order))
        return order

    def _claim(self, order, amount):
        claim = self.env["rental.damage.claim"].create(
            {
                "lot_id": self.lot_1.id,
                "partner_id": self.customer.id,
                "order_id": order.id,
                "description": "Dent",
                "assessed_amount": amount,
            }
        )
        claim.action_assess()
        claim.action_invoice()
        return claim

    def test_settlement_refused_while_gear_is_out(self):
        """Settling before the gear is back is refused, nothing written."""
        order = self._paid_order()
        count = self.env["account.move"].search_count([])
        with self.assertRaises(UserError):
            order._rental_settle_deposit()
        self.assertEqual(self.env["account.move"].search_count([]), count)
        self.assertFalse(order.rental_deposit_settled)

    def test_claim_larger_than_deposit(self):
        """A claim above the deposit takes all of it; the customer owes the rest."""
        order = self._paid_order()
        self._validate(self._return(order))
        claim = self._claim(order, 800.0)
        settlement = order._rental_settle_deposit()
        self.assertEqual((settlement.applied_amount, settlement.refund_amount), (500.0, 0.0))
        self.assertEqual(claim.invoice_id.amount_residual, 300.0)
        self.assertEqual(claim.invoice_id.payment_state, "partial")
        self.assertEqual(self._balance(self.receivable, self.customer), 300.0)
        self.assertEqual(self._balance(self.company.rental_deposit_account_id), 0.0)

    def test_retention_with_reason(self):
        """Part of the deposit may be retained, with a reason; the rest is refunded."""
        order = self._paid_order()
        self._validate(self._return(order))
        with self.assertRaises(UserError):
            order._rental_settle_deposit(retention=50.0)
        with self.assertRaises(UserError):
            order._rental_settle_deposit(retention=600.0, reason="Too much")
        self.assertFalse(order.rental_deposit_settlement_ids)
        settlement = order._rental_settle_deposit(retention=50.0, reason="Cleaning")
        self.assertEqual(
            (settlement.applied_amount, settlement.retained_amount, settlement.refund_amount),
            (50.0, 50.0, 450.0),
        )
        self.assertEqual(settlement.retention_move_id.payment_state, "paid")
        self.assertEqual(self._balance(self.receivable, self.customer), -450.0)
        self.assertEqual(order.rental_deposit_held, 0.0)

    def test_late_fees_paid_from_deposit(self):
        """Late fees charged on return are invoiced and paid from the deposit."""
        order = self._paid_order()
        with freeze_time(self.end + timedelta(days=2)):
            self._validate(self._return(order))
        fee_lines = order.order_line.filtered(
            lambda sol: sol.product_id == self.env.ref("rental_risk.product_late_fee")
        )
        self.assertTrue(fee_lines)
        fees = sum(fee_lines.mapped("price_total"))
        settlement = order._rental_settle_deposit(refund_journal=self.bank_journal)
        applied = min(fees, 500.0)
        self.assertAlmostEqual(settlement.applied_amount, applied, places=2)
        self.assertAlmostEqual(settlement.refund_amount, 500.0 - applied, places=2)
        self.assertEqual(fee_lines.invoice_lines.move_id.payment_state, "paid")

    def test_pending_claim_blocks_settlement(self):
        """A claim not yet invoiced or waived must be decided first."""
        order = self._paid_order()
        self._validate(self._return(order))
        self.env["rental.damage.claim"].create(
            {
                "lot_id": self.lot_1.id,
                "partner_id": self.customer.id,
                "order_id": order.id,
                "description": "Dent",
                "assessed_amount": 10.0,
            }
        )
        with self.assertRaises(UserError):
            order._rental_settle_deposit()

    def test_database_refuses_second_settlement(self):
        """Even past the Python check, the database keeps one settlement per order."""
        order = self._paid_order()
        self._validate(self._return(order))
        order._rental_settle_deposit()
        with (
            self.assertRaises(IntegrityError),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            self.env["rental.deposit.settlement"].sudo().create({"order_id": order.id})

    def test_settle_wizard(self):
        """A Risk Officer (no accounting rights) settles through the wizard, which shows the
        held deposit."""
        order = self._paid_order()
        self._validate(self._return(order))
        action = order.with_user(self.officer).action_rental_settle_deposit()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.officer)
            .with_context(**action["context"])
            .create({"refund_journal_id": self.bank_journal.id})
        )
        self.assertEqual(wizard.held_amount, 500.0)
        wizard.action_settle()
        self.assertTrue(order.rental_deposit_settled)
        with self.assertRaises(UserError):
            order.action_rental_settle_deposit()
