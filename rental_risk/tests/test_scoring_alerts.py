from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common_scoring import CreditScoringCommon

TODAY = "2025-06-30"


@tagged("post_install", "-at_install")
class TestCreditAlerts(CreditScoringCommon):
    """Grade drop alerts, manual overrides and who may do what."""

    def _activities(self, partner):
        return self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", partner.id)]
        )

    @freeze_time(TODAY)
    def test_alert_when_grade_falls_by_the_step(self):
        """C to E with a step of 2: one To-Do for the salesperson and each Risk Officer."""
        self.company.rental_risk_alert_step = 2
        self.invoice(500.0, TODAY)
        self.assertEqual(self.customer.rental_grade, "C")
        self.customer._rental_risk_set_blacklist("fraud", "Stolen card")
        self.assertEqual(self.customer.rental_grade, "E")
        activities = self._activities(self.customer)
        users = activities.user_id
        self.assertIn(self.salesman, users)
        self.assertIn(self.officer, users)
        self.assertIn(self.env.user, users, "Risk Managers are Risk Officers too")
        self.assertNotIn(self.rental_user, users)
        self.assertEqual(len(activities), len(users), "one activity per user")
        self.assertEqual(activities[0].summary, "Risk grade dropped from C to E")
        message = self.customer.message_ids[0]
        self.assertIn("Risk grade dropped from C to E", message.body)
        self.assertIn("customer is blacklisted", message.body)

    @freeze_time(TODAY)
    def test_no_alert_below_the_step(self):
        """C to D with a step of 2 stays quiet; the history still records it."""
        self.company.rental_risk_alert_step = 2
        self.invoice(500.0, TODAY)
        self.assertEqual(self.customer.rental_grade, "C")
        # 1,000.00 due 60 days ago: two thirds of the open balance overdue (score 42, grade D).
        self.invoice(1000.0, "2025-05-01")
        self.assertEqual(self.customer.rental_grade, "D")
        self.assertFalse(self._activities(self.customer))
        drop = self.history(self.customer)[0]
        self.assertEqual((drop.previous_grade, drop.grade), ("C", "D"))
        self.assertIn("67% of the open balance is overdue", drop.explanation)

    @freeze_time(TODAY)
    def test_override_by_manager_ends_by_itself(self):
        """A manager's override holds until its last day; the next day's cron ends it."""
        self.invoice(500.0, TODAY)
        action = self.customer.action_rental_risk_override()
        wizard = Form(self.env[action["res_model"]].with_context(**action["context"]))
        wizard.grade = "A"
        wizard.reason = "Bank guarantee received"
        wizard.date_until = date(2025, 7, 5)
        wizard.save().action_apply()
        self.assertEqual(self.customer.rental_grade, "A")
        self.assertEqual(self.customer.rental_grade_computed, "C")
        self.assertEqual(self.customer.rental_credit_limit, 50000.0)
        self.assertEqual(self.customer.rental_grade_override_user_id, self.env.user)
        self.assertIn("Bank guarantee received", self.customer.message_ids[0].body)
        with freeze_time("2025-07-05"):
            self.env["rental.credit.rescoring"]._cron_rescore_partners()
            self.assertEqual(self.customer.rental_grade, "A", "still the last day")
        with freeze_time("2025-07-06"):
            self.env["rental.credit.rescoring"]._cron_rescore_partners()
            self.assertFalse(self.customer.rental_grade_override)
            # Back to the computed grade: D by now, the invoice is 6 days overdue.
            self.assertEqual(self.customer.rental_grade_computed, "D")
            self.assertEqual(self.customer.rental_grade, "D")
            self.assertEqual(self.customer.rental_credit_limit, 2000.0)
            self.assertTrue(
                any("override expired" in body for body in self.customer.message_ids.mapped("body"))
            )

    @freeze_time(TODAY)
    def test_rental_user_reads_but_cannot_override(self):
        """A Rental User sees score, grade and limit but cannot override or change the limit."""
        self.invoice(500.0, TODAY)
        customer = self.customer.with_user(self.rental_user)
        values = customer.read(["rental_score", "rental_grade", "rental_credit_limit"])[0]
        self.assertEqual(values["rental_grade"], "C")
        self.assertEqual(values["rental_credit_limit"], 10000.0)
        with self.assertRaises(AccessError):
            customer.action_rental_risk_override()
        with self.assertRaises(AccessError):
            customer._rental_risk_set_override("A", "friend of the boss", date(2025, 7, 5))
        with self.assertRaises(UserError):
            customer.write({"rental_grade_override": "A"})
        with self.assertRaises(UserError):
            customer.write({"rental_credit_limit": 99999.0, "rental_credit_limit_manual": True})
        with self.assertRaises(AccessError):
            self.env["res.partner.risk.override"].with_user(self.rental_user).create(
                {
                    "partner_id": self.customer.id,
                    "grade": "A",
                    "reason": "x",
                    "date_until": date(2025, 7, 5),
                }
            )
        self.assertEqual(self.customer.rental_grade, "C")

    @freeze_time(TODAY)
    def test_officer_cannot_override_either(self):
        """Risk Officers read the override fields but only managers override."""
        self.invoice(500.0, TODAY)
        customer = self.customer.with_user(self.officer)
        customer.read(["rental_grade_override_reason"])
        with self.assertRaises(AccessError):
            customer.action_rental_risk_override()
