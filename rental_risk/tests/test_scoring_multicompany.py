from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import tagged

from .common_scoring import CreditScoringCommon

TODAY = "2025-06-05"


@tagged("post_install", "-at_install")
class TestScoringMultiCompany(CreditScoringCommon):
    """A customer shared by two companies is scored once per company, with each company's
    facts, limits and currency; the risk checks of an order use its own company's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Company B keeps its books in EUR (2 EUR per USD at the test's rates).
        cls.company_b = cls.setup_other_company(name="Rentals Europe", currency_id=cls.eur.id)[
            "company"
        ]
        cls.env.user.company_ids |= cls.company_b
        cls.shared = cls.env["res.partner"].create({"name": "Shared Customer", "is_company": True})
        # Due on the invoice date in both companies, so days late count from the invoice date.
        for company in cls.company | cls.company_b:
            cls.shared.with_company(company).property_payment_term_id = cls.pay_terms_a

    def _invoice_in(self, company, amount, date):
        return self.init_invoice(
            "out_invoice",
            partner=self.shared,
            invoice_date=fields.Date.to_date(date),
            amounts=[amount],
            taxes=[],
            post=True,
            company=company,
            currency=company.currency_id,
        )

    @freeze_time(TODAY)
    def test_shared_customer_scored_once_per_company(self):
        """Each company scores the customer from its own invoices: an old overdue debt in B
        does not touch the score or the exposure in A."""
        self._invoice_in(self.company, 500.0, "2025-06-01")
        self._invoice_in(self.company_b, 9000.0, "2025-01-01")  # long overdue, in EUR
        self.env["rental.credit.rescoring"]._cron_rescore_partners()
        in_a = self.shared.with_company(self.company)
        in_b = self.shared.with_company(self.company_b)
        self.assertEqual(in_a.rental_exposure, 500.0)
        self.assertEqual(in_b.rental_exposure, 9000.0, "in company B's own currency")
        # Two scorings, each explained in its own company's currency.
        self.assertIn("€", in_b.rental_score_explanation)
        self.assertNotIn("€", in_a.rental_score_explanation)
        self.assertNotEqual(in_a.rental_score_explanation, in_b.rental_score_explanation)
        self.assertEqual(in_a.rental_exposure_at_scoring, 500.0)
        self.assertEqual(in_b.rental_exposure_at_scoring, 9000.0)
        histories = self.history(self.shared)
        self.assertEqual(histories.company_id, self.company | self.company_b)
        # A second run the same day scores nobody again, in either company.
        self.assertEqual(self.env["rental.credit.rescoring"]._cron_rescore_partners(), 0)

    @freeze_time(TODAY)
    def test_limits_and_overrides_per_company(self):
        """A hand-set limit or an override decided in B applies in B only."""
        self._invoice_in(self.company, 100.0, "2025-06-01")
        self._invoice_in(self.company_b, 100.0, "2025-06-01")
        self.env["rental.credit.rescoring"]._cron_rescore_partners()
        manager = self._risk_manager()
        manager.company_ids |= self.company_b
        shared_b = self.shared.with_company(self.company_b).with_user(manager)
        shared_b._rental_risk_set_credit_limit(123.0, "Guarantee for B only")
        shared_b._rental_risk_set_override("E", "Dispute in B", fields.Date.to_date("2025-07-01"))
        self.assertEqual(self.shared.with_company(self.company_b).rental_credit_limit, 123.0)
        self.assertEqual(self.shared.with_company(self.company_b).rental_grade, "E")
        in_a = self.shared.with_company(self.company)
        self.assertNotEqual(in_a.rental_grade, "E")
        self.assertFalse(in_a.rental_grade_override)
        self.assertFalse(in_a.rental_credit_limit_manual)
        limits = self.env["rental.grade.limit"]._get_limits(self.company)
        self.assertEqual(in_a.rental_credit_limit, limits[self.company.id][in_a.rental_grade])
        decisions = self.shared.rental_risk_decision_ids
        self.assertEqual(decisions.company_id, self.company_b)

    @freeze_time(TODAY)
    def test_order_checked_with_its_company_facts(self):
        """An order of company A is checked against A's exposure and limit, not B's debts."""
        self._invoice_in(self.company_b, 50000.0, "2025-06-01")
        self.env["rental.credit.rescoring"]._cron_rescore_partners()
        order = self.env["sale.order"].create(
            {
                "partner_id": self.shared.id,
                "company_id": self.company.id,
                "order_line": [
                    Command.create({"product_id": self.service.id, "price_unit": 100.0})
                ],
            }
        )
        self.assertEqual(order.rental_risk_partner_exposure, 0.0)
        self.assertFalse(order.rental_risk_over_limit)
        facts_b = self.env["rental.credit.facts"]._current_facts(
            self.shared.ids, (), self.company_b
        )
        self.assertEqual(facts_b[self.shared.id]["exposure"]["total"], 50000.0)
