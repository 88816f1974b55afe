from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common_risk import RiskCommon


@tagged("post_install", "-at_install")
class TestRiskBlacklist(RiskCommon):
    """Blacklisting and lifting: Risk Managers only, with reasons, history kept."""

    def _wizard(self, user, decision, reason, category=None):
        action = self.customer.with_user(user).action_rental_risk_blacklist()
        form = Form.from_action(self.env(user=user), action)
        form.decision = decision
        if category:
            form.category = category
        form.reason = reason
        return form.save()

    def test_manager_blacklists_with_evidence(self):
        """The wizard sets the flag, reason, evidence, who and when, and caps the grade at E."""
        evidence = self.env["ir.attachment"].create({"name": "police_report.pdf", "raw": b"%PDF"})
        wizard = self._wizard(self.manager, "set", "Paid with a stolen card", "fraud")
        wizard.attachment_ids = evidence
        wizard.action_apply()
        customer = self.customer
        self.assertTrue(customer.rental_blacklisted)
        self.assertEqual(customer.rental_blacklist_category, "fraud")
        self.assertEqual(customer.rental_blacklisted_by_id, self.manager)
        self.assertTrue(customer.rental_blacklisted_on)
        self.assertEqual(customer.rental_blacklist_attachment_ids, evidence)
        self.assertEqual(customer.rental_grade, "E")
        self.assertEqual(customer.rental_blacklist_history_ids.kind, "blacklist")
        self.assertEqual(customer.rental_blacklist_decision_id.user_id, self.manager)
        self.assertTrue(self._events("blacklist", partner=customer))

    def test_lift_needs_reason_and_keeps_history(self):
        """Lifting requires a reason; both decisions stay in the history."""
        self._blacklist()
        with self.assertRaises(UserError):
            self.customer.with_user(self.manager)._rental_risk_lift_blacklist("  ")
        self._wizard(self.manager, "lift", "Debt settled in full").action_apply()
        self.assertFalse(self.customer.rental_blacklisted)
        self.assertEqual(
            self.customer.rental_blacklist_history_ids.mapped("kind"),
            ["blacklist_lift", "blacklist"],
        )
        self.assertTrue(self._events("blacklist_lift", partner=self.customer))
        with self.assertRaises(UserError):
            self.customer.rental_blacklist_history_ids.unlink()
        with self.assertRaises(UserError):
            self.customer.rental_blacklist_history_ids[:1].write({"reason": "forged"})

    def test_officer_and_salesperson_cannot_blacklist(self):
        """Below Risk Manager: the button, the method and a direct write are all refused."""
        for user in (self.officer, self.rental_user):
            with self.assertRaises(AccessError):
                self.customer.with_user(user).action_rental_risk_blacklist()
            with self.assertRaises(AccessError):
                self.customer.with_user(user)._rental_risk_set_blacklist("fraud", "Because")
            with self.assertRaises(UserError):
                self.customer.with_user(user).write({"rental_blacklisted": True})
            with self.assertRaises(UserError):
                self.customer.with_user(user).write({"rental_blacklist_reason": "x"})
        self.assertFalse(self.customer.rental_blacklisted)

    def test_direct_write_refused_even_for_administrator(self):
        """The flag is computed from the decisions: a direct write is refused, even as admin."""
        with self.assertRaises(UserError) as error:
            self.customer.sudo().write({"rental_blacklisted": True})
        self.assertIn("Blacklist", str(error.exception))
        self.assertFalse(self.customer.rental_blacklisted)
        self.assertFalse(self.customer.rental_blacklist_history_ids)

    def test_kyc_verify_and_edit_unverifies(self):
        """A Risk Officer verifies the document; changing its number un-verifies it."""
        self.customer.write({"rental_kyc_id_type": "passport", "rental_kyc_id_number": "E123"})
        with self.assertRaises(AccessError):
            self.customer.with_user(self.rental_user).action_rental_kyc_verify()
        self.customer.with_user(self.officer).action_rental_kyc_verify()
        self.assertTrue(self.customer.rental_kyc_verified)
        self.assertEqual(self.customer.rental_kyc_verified_by_id, self.officer)
        self.customer.rental_kyc_id_number = "e-123"  # the same number, written differently
        self.assertTrue(self.customer.rental_kyc_verified)
        self.customer.rental_kyc_id_number = "E999"
        self.assertFalse(self.customer.rental_kyc_verified)
        self.assertFalse(self.customer.rental_kyc_verified_by_id)
