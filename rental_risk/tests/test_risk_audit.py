from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common_risk import RiskCommon


@tagged("post_install", "-at_install")
class TestRiskAudit(RiskCommon):
    """The risk event log is append-only and readable by Risk Officers only."""

    def setUp(self):
        super().setUp()
        self._blacklist()
        self.event = self._events("blacklist", partner=self.customer)

    def test_event_records_who_when_what(self):
        """An event carries user, time, company, partner and details."""
        self.assertEqual(self.event.user_id, self.manager)
        self.assertEqual(self.event.company_id, self.company)
        self.assertTrue(self.event.date)
        self.assertIn("Fraud with a stolen card", self.event.details)

    def test_nobody_edits_or_deletes(self):
        """Even the superuser cannot change or delete an event through the ORM."""
        for env in (self.env, self.env(su=True), self.env(user=self.manager)):
            event = self.event.with_env(env)
            with self.assertRaises(UserError):
                event.write({"details": "nothing happened"})
            with self.assertRaises(UserError):
                event.unlink()
        self.assertIn("Fraud", self.event.details)

    def test_officer_reads_salesperson_does_not(self):
        """Risk Officers read and filter events; a salesperson cannot read them."""
        found = self.Event.with_user(self.officer).search(
            [("event_type", "=", "blacklist"), ("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(found, self.event)
        with self.assertRaises(AccessError):
            self.Event.with_user(self.rental_user).search([])
        with self.assertRaises(AccessError):
            self.Event.with_user(self.officer).create(
                {"event_type": "override", "company_id": self.company.id}
            )
