from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_deposit import DepositCommon


@tagged("post_install", "-at_install")
class TestDepositEndToEnd(DepositCommon):
    def test_deposit_claim_settlement_end_to_end(self):
        """Deposit invoiced and paid, pickup, damaged return, claim invoiced, settlement nets
        the deposit against the claim and refunds the rest; every balance to the cent."""
        self._set_grade(self.customer, "C")
        order = self._confirmed_order(lots=self.lot_1)
        deposit_line = order.order_line.filtered("is_rental_deposit")
        # 30 % of the camera's 5,000.00 replacement value (grade C).
        self.assertEqual(deposit_line.price_unit, 1500.0)
        self.assertEqual(order.rental_deposit_required, 1500.0)
        self.assertFalse(deposit_line.tax_id)

        # Deposit invoiced alone, and paid.
        order.action_rental_invoice_deposit()
        deposit_invoice = order.invoice_ids
        self.assertEqual(deposit_invoice.state, "posted")
        self.assertEqual(deposit_invoice.amount_total, 1500.0)
        liability = self.company.rental_deposit_account_id
        self.assertEqual(liability.account_type, "liability_current")
        self.assertEqual(deposit_invoice.invoice_line_ids.account_id, liability)
        self.assertEqual(self._balance(liability), -1500.0)
        self._pay(deposit_invoice)
        self.assertIn(deposit_invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(order.rental_deposit_paid, 1500.0)
        self.assertEqual(order.rental_deposit_held, 1500.0)
        held = self.env["rental.credit.facts"]._deposits_held(self.customer.ids)
        self.assertEqual(held[self.customer.id], 1500.0)

        # Pickup: the camera is out; the order check's facts (one SQL function) and the
        # scoring's readers agree on the exposure to the cent.
        self._validate(self._pickup(order))
        facts = self.env["rental.credit.facts"]
        current = facts._current_facts(self.customer.ids, (0, 30))[self.customer.id]
        self.assertEqual(
            current["exposure"], facts._get_exposure(self.customer.ids)[self.customer.id]
        )
        self.assertEqual(
            (current["exposure"]["assets_out"], current["exposure"]["deposits"]), (5000.0, 1500.0)
        )
        self.assertEqual(current["overdue"], {0: 0.0, 30: 0.0})

        # Return.
        self._validate(self._return(order))
        self.assertEqual(self.lot_1.rental_state, "inspection")

        # Inspection finds damage: a claim, the asset goes to repair.
        inspection = self._inspect(
            self.lot_1,
            condition="poor",
            damaged=True,
            repair_estimate=400.0,
            damage_description="Cracked lens mount",
        )
        self.assertEqual(inspection.outcome, "damaged")
        self.assertEqual(self.lot_1.rental_state, "repair")
        claim = inspection.claim_ids
        self.assertEqual(len(claim), 1)
        self.assertEqual((claim.state, claim.assessed_amount), ("draft", 400.0))
        self.assertEqual(claim.partner_id, self.customer)
        self.assertEqual(claim.order_id, order)

        claim.action_assess()
        claim.action_invoice()
        claim_invoice = claim.invoice_id
        self.assertEqual(claim.state, "invoiced")
        self.assertEqual(claim_invoice.amount_total, 400.0)
        self.assertEqual(claim_invoice.invoice_line_ids.product_id, self.damage_product)
        self.assertNotEqual(claim_invoice.invoice_line_ids.account_id, liability)
        self.assertEqual(self._balance(self.receivable, self.customer), 400.0)

        # Settlement: 400 of the deposit pays the claim, 1,100 is refunded and paid back.
        settlement = order._rental_settle_deposit(refund_journal=self.bank_journal)
        self.assertEqual(
            (
                settlement.held_amount,
                settlement.applied_amount,
                settlement.refund_amount,
                settlement.retained_amount,
            ),
            (1500.0, 400.0, 1100.0, 0.0),
        )
        self.assertEqual(claim_invoice.payment_state, "paid")
        self.assertEqual(claim.state, "paid")
        self.assertEqual(settlement.applied_move_id.move_type, "entry")
        self.assertEqual(settlement.applied_move_id.amount_total, 400.0)
        self.assertEqual(settlement.refund_move_id.amount_total, 1100.0)
        self.assertEqual(settlement.refund_move_id.payment_state, "paid")
        self.assertTrue(settlement.payment_id)
        # Balances: nothing owed either way, the liability is empty, the claim is income.
        self.assertEqual(self._balance(self.receivable, self.customer), 0.0)
        self.assertEqual(self._balance(liability), 0.0)
        damage_account = claim_invoice.invoice_line_ids.account_id
        self.assertEqual(self._balance(damage_account), -400.0)
        self.assertEqual(
            (
                order.rental_deposit_invoiced,
                order.rental_deposit_paid,
                order.rental_deposit_applied,
                order.rental_deposit_refunded,
                order.rental_deposit_held,
            ),
            (1500.0, 1500.0, 400.0, 1100.0, 0.0),
        )
        held = self.env["rental.credit.facts"]._deposits_held(self.customer.ids)
        self.assertEqual(held.get(self.customer.id, 0.0), 0.0)

        # Settling twice is refused with nothing written.
        move_count = self.env["account.move"].search_count([])
        with self.assertRaises(UserError):
            order._rental_settle_deposit(refund_journal=self.bank_journal)
        self.assertEqual(self.env["account.move"].search_count([]), move_count)
        self.assertEqual(len(order.rental_deposit_settlement_ids), 1)

    def test_deposit_never_posted_as_revenue(self):
        """The accountant's view: deposit money moves only on the liability account, never on
        an income account, from invoice to refund."""
        self._set_grade(self.customer, "C")
        order = self._confirmed_order(lots=self.lot_1)
        order.action_rental_invoice_deposit()
        self._pay(order.invoice_ids)
        self._validate(self._pickup(order))
        self._validate(self._return(order))
        settlement = order._rental_settle_deposit()
        liability = self.company.rental_deposit_account_id
        deposit_moves = order.invoice_ids | settlement.refund_move_id
        product_lines = deposit_moves.line_ids.filtered(lambda aml: aml.display_type == "product")
        self.assertEqual(product_lines.account_id, liability)
        self.assertFalse(
            deposit_moves.line_ids.filtered(lambda aml: aml.account_id.internal_group == "income")
        )
        self.assertFalse(deposit_moves.line_ids.tax_ids)
        # 30 % of 5,000.00 invoiced and paid; all of it refunded as a customer credit.
        self.assertEqual(self._balance(liability), 0.0)
        self.assertEqual(settlement.refund_amount, 1500.0)
        self.assertEqual(self._balance(self.receivable, self.customer), -1500.0)
