from odoo import Command
from odoo.tests import new_test_user, tagged

from .common_risk import RiskCommon


@tagged("post_install", "-at_install")
class TestRiskMultiCompany(RiskCommon):
    """Rules, events and blacklist decisions stay within their company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Rental Risk Company B"})
        cls.officer_b = new_test_user(
            cls.env,
            login="rr_officer_b",
            groups="rental_risk.rental_risk_group_manager",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.customer_b = cls.env["res.partner"].create(
            {"name": "Customer of B", "company_id": cls.company_b.id}
        )

    def test_new_company_gets_default_rules(self):
        """A new company starts with its own default rules."""
        rules = self.Rule.search([("company_id", "=", self.company_b.id)])
        self.assertIn("over_limit", rules.mapped("default_key"))

    def test_rules_isolated(self):
        """A user of company B sees only B's rules."""
        rules = self.Rule.with_user(self.officer_b).search([])
        self.assertEqual(rules.company_id, self.company_b)

    def test_events_and_blacklist_entries_isolated(self):
        """Events and blacklist decisions of company A are invisible from company B."""
        self._blacklist()
        self.customer_b.with_user(self.officer_b)._rental_risk_set_blacklist("unpaid", "Owes B")
        Event = self.Event.with_user(self.officer_b)
        self.assertEqual(Event.search([]).company_id, self.company_b)
        entries = self.env["rental.risk.decision"].with_user(self.officer_b).search([])
        self.assertEqual(entries.partner_id, self.customer_b)
        self.assertEqual(self.Event.with_user(self.manager).search([]).company_id, self.company)
