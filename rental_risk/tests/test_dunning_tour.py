from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common_risk import RiskCommon


@tagged("post_install", "-at_install")
class TestDunningTour(RiskCommon, HttpCase):
    def test_credit_control_reviews_and_sends(self):
        """A Risk Officer proposes a run in the browser, reviews it and sends the reminders:
        the e-mails are queued for the customer and the lines are its dunning history."""
        self.officer.tour_enabled = False
        self.customer.write({"name": "Dunning Tour Customer", "email": "pay@tour.example.com"})
        self.env.ref("rental_risk.rental_dunning_policy_default").company_id = self.company
        today = fields.Date.context_today(self.env.user)
        invoice = self._post_invoice(250.0, today - timedelta(days=9))
        run = self.env["rental.dunning.run"].create({"company_id": self.company.id})
        self.start_tour(
            f"/odoo/rental.dunning.run/{run.id}",
            "rental_risk_dunning_review_send",
            login=self.officer.login,
        )
        line = run.line_ids.filtered(lambda line: line.partner_id == self.customer)
        self.assertEqual(line.state, "sent")
        self.assertEqual(line.sent_by_id, self.officer)
        self.assertEqual(line.level_id, self.env.ref("rental_risk.rental_dunning_level_reminder"))
        self.assertEqual(line.mail_id.recipient_ids, self.customer)
        self.assertEqual(invoice.rental_dunning_line_ids, line)
