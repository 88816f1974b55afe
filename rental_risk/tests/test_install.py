from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    def test_groups_hierarchy(self):
        """Risk Manager implies Risk Officer, which implies Rental User."""
        manager = self.env.ref("rental_risk.rental_risk_group_manager")
        officer = self.env.ref("rental_risk.rental_risk_group_officer")
        user = self.env.ref("rental_risk.rental_risk_group_user")
        self.assertIn(officer, manager.implied_ids)
        self.assertIn(user, manager.trans_implied_ids)
        self.assertEqual(officer.category_id, user.category_id)
