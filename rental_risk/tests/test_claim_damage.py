from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common_deposit import DepositCommon


@tagged("post_install", "-at_install")
class TestDamageClaim(DepositCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_grade(cls.customer, "A")
        cls.order = cls._create_rental_order(lots=cls.lot_1)
        cls.order.action_confirm()

    def _picked_up(self):
        self._validate(self._pickup(self.order))

    def _claim(self, user=None, **vals):
        return (
            self.env["rental.damage.claim"]
            .with_user(user or self.env.user)
            .create(
                {
                    "lot_id": self.lot_1.id,
                    "partner_id": self.customer.id,
                    "order_id": self.order.id,
                    "description": "Scratched sensor",
                    "assessed_amount": 300.0,
                    **vals,
                }
            )
        )

    def test_claim_sequence_and_charge_with_insurance(self):
        """Claims get a reference; insurance cover lowers the charge down to the deductible."""
        self._picked_up()
        claim = self._claim(assessed_amount=800.0, insurance_cover=500.0, deductible=100.0)
        self.assertTrue(claim.name.startswith("CLM/"))
        self.assertEqual(claim.charge_amount, 300.0)
        claim.insurance_cover = 1000.0
        self.assertEqual(claim.charge_amount, 100.0)

    def test_claim_invoice_and_payment(self):
        """Invoicing posts a damage-charge invoice; paying it marks the claim paid."""
        self._picked_up()
        claim = self._claim()
        claim.action_assess()
        claim.action_invoice()
        self.assertEqual(claim.invoice_id.state, "posted")
        self.assertEqual(claim.invoice_id.amount_total, 300.0)
        self.assertEqual(claim.invoice_id.invoice_line_ids.product_id, self.damage_product)
        payment = self._pay(claim.invoice_id)
        self.assertEqual(claim.state, "paid")
        payment.move_id.line_ids.remove_move_reconcile()
        self.assertEqual(claim.state, "invoiced")

    def test_claim_invoice_is_a_draft_unless_the_company_posts(self):
        """By default a claim invoice is a draft for an accountant; the company may post them."""
        self.company.rental_claim_invoice_post = False
        self.assertFalse(
            self.env["res.company"].create({"name": "New Co"}).rental_claim_invoice_post
        )
        self._picked_up()
        claim = self._claim()
        claim.action_assess()
        claim.action_invoice()
        self.assertEqual(claim.state, "invoiced")
        self.assertEqual(claim.invoice_id.state, "draft")
        self.assertEqual(claim.invoice_id.amount_total, 300.0)

    def test_negative_amount_refused(self):
        """A negative assessed amount, cover or deductible is refused; nothing is written."""
        self._picked_up()
        for field in ("assessed_amount", "insurance_cover", "deductible"):
            with self.assertRaises(ValidationError):
                self._claim(**{field: -1.0})
        self.assertFalse(self.env["rental.damage.claim"].search([("lot_id", "=", self.lot_1.id)]))

    def test_claim_on_asset_never_rented_refused(self):
        """A customer cannot be charged for an asset they never picked up."""
        with self.assertRaises(ValidationError):
            self._claim()  # booked, not picked up yet
        self._picked_up()
        with self.assertRaises(ValidationError):
            self._claim(lot_id=self.lot_2.id)
        other = self.env["res.partner"].create({"name": "Someone Else"})
        with self.assertRaises(ValidationError):
            self._claim(partner_id=other.id, order_id=False)
        lots = self.lot_1 | self.lot_2
        self.assertFalse(self.env["rental.damage.claim"].search([("lot_id", "in", lots.ids)]))

    def test_waive_needs_risk_manager(self):
        """A Rental User cannot waive; a Risk Manager can, with a reason, and the invoice is
        credited."""
        self._picked_up()
        claim = self._claim()
        claim.action_assess()
        claim.action_invoice()
        with self.assertRaises(AccessError):
            claim.with_user(self.rental_user).action_waive(reason="Good customer")
        self.assertEqual(claim.state, "invoiced")
        with self.assertRaises(UserError):
            claim.with_user(self.manager).action_waive()
        claim.with_user(self.manager).action_waive(reason="Good customer")
        self.assertEqual(claim.state, "waived")
        self.assertEqual(claim.invoice_id.payment_state, "reversed")
        self.assertEqual(claim.credit_note_id.amount_total, 300.0)

    def test_above_replacement_value_needs_risk_manager(self):
        """Charging more than the asset's replacement value needs a Risk Manager."""
        self._picked_up()
        with self.assertRaises(AccessError):
            self._claim(user=self.rental_user, assessed_amount=5000.01)
        claim = self._claim(user=self.rental_user, assessed_amount=400.0)
        with self.assertRaises(AccessError):
            claim.with_user(self.rental_user).assessed_amount = 6000.0
        claim.with_user(self.manager).assessed_amount = 6000.0
        claim.with_user(self.manager).action_assess()
        self.assertEqual(claim.state, "assessed")

    def test_claims_feed_the_score(self):
        """Damage claims count in the customer's damage facts; waived ones do not."""
        self._picked_up()
        claim = self._claim()
        facts = self.env["rental.credit.facts"]._damage_facts(self.customer.ids)
        self.assertEqual(facts[self.customer.id], {"damage_count": 1, "damage_amount": 300.0})
        claim.with_user(self.manager).action_waive(reason="Goodwill")
        facts = self.env["rental.credit.facts"]._damage_facts(self.customer.ids)
        self.assertNotIn(self.customer.id, facts)

    def test_dispute_and_reassess(self):
        """A disputed claim is assessed again before it is invoiced."""
        self._picked_up()
        claim = self._claim()
        claim.action_dispute()
        self.assertEqual(claim.state, "disputed")
        with self.assertRaises(UserError):
            claim.action_invoice()
        claim.assessed_amount = 150.0
        claim.action_assess()
        claim.action_invoice()
        self.assertEqual(claim.invoice_id.amount_total, 150.0)

    def test_waive_wizard(self):
        """The waive wizard, opened by a Risk Manager, waives with the reason given."""
        self._picked_up()
        claim = self._claim()
        with self.assertRaises(AccessError):
            claim.with_user(self.rental_user).action_open_waive()
        action = claim.with_user(self.manager).action_open_waive()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.manager)
            .with_context(**action["context"])
            .create({"reason": "Scratch was there before"})
        )
        wizard.action_waive()
        self.assertEqual((claim.state, claim.waive_reason), ("waived", "Scratch was there before"))
