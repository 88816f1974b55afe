from datetime import date, datetime, timedelta

from odoo.tests import tagged

from .common_risk import RiskCommon


@tagged("post_install", "-at_install")
class TestRiskTriggers(RiskCommon):
    """Automatic blacklist triggers run by the scheduled action, twice without duplicates."""

    def _cron(self):
        self.env.ref("rental_risk.ir_cron_rental_risk_blacklist_triggers").method_direct_trigger()

    def _late_rental(self):
        """A camera picked up on a rental that ended 20 days ago."""
        start = datetime.now() - timedelta(days=25)
        order = self._order(start=start, end=start + timedelta(days=5))
        order.action_confirm()
        self._validate(self._pickup(order))
        return order

    def _proposals(self):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", self.customer.id),
                (
                    "activity_type_id",
                    "=",
                    self.env.ref("rental_risk.mail_activity_type_blacklist_proposal").id,
                ),
            ]
        )

    def test_late_asset_proposes_once(self):
        """Asset not returned N days after its end: one proposal to the Risk Managers."""
        self.company.write(
            {
                "rental_risk_trigger_late_asset": True,
                "rental_risk_trigger_late_asset_days": 10,
                "rental_risk_trigger_late_asset_mode": "propose",
            }
        )
        self._late_rental()
        self._cron()
        proposals = self._proposals()
        self.assertIn(self.manager, proposals.user_id)
        self.assertNotIn(self.officer, proposals.user_id)
        self.assertFalse(self.customer.rental_blacklisted)
        self._cron()
        self.assertEqual(self._proposals(), proposals)
        self.assertEqual(len(self._events("blacklist_proposal", partner=self.customer)), 1)

    def test_late_asset_not_yet_due(self):
        """Within the N days nothing happens."""
        self.company.write(
            {"rental_risk_trigger_late_asset": True, "rental_risk_trigger_late_asset_days": 30}
        )
        self._late_rental()
        self._cron()
        self.assertFalse(self._proposals())

    def test_unpaid_invoice_blacklists_once(self):
        """Invoice unpaid N days after due, mode blacklist: blacklisted at once, once."""
        self.company.write(
            {
                "rental_risk_trigger_unpaid": True,
                "rental_risk_trigger_unpaid_days": 30,
                "rental_risk_trigger_unpaid_mode": "blacklist",
            }
        )
        self._post_invoice(300.0, date.today() - timedelta(days=40))
        self._cron()
        self.assertTrue(self.customer.rental_blacklisted)
        self.assertEqual(self.customer.rental_blacklist_category, "unpaid")
        self._cron()
        entries = self.customer.rental_blacklist_history_ids
        self.assertEqual(len(entries), 1)
        self.assertTrue(entries.automatic)

    def test_triggers_off_do_nothing(self):
        """Switched off, the triggers leave everyone alone."""
        self._post_invoice(300.0, date.today() - timedelta(days=400))
        self._cron()
        self.assertFalse(self.customer.rental_blacklisted)
        self.assertFalse(self._proposals())
