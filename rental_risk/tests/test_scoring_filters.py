from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.rental_risk.models.res_partner_filter_index import FILTERED_FIELDS

from .common_scoring import CreditScoringCommon

TODAY = "2025-06-30"


@tagged("post_install", "-at_install")
class TestCustomerFilters(CreditScoringCommon):
    """The Customers by Grade filters and sorts: the overdue snapshot, and the per-company
    expression indexes that make them fast at 100,000 customers (bench/run filters)."""

    def _plan(self, domain, order=None, company=None):
        """The query plan of the ORM's search for ``domain`` in ``company``, sequential scans
        disabled: an index appears in it only if its expression is the one the ORM writes.

        The main company's indexes are used: they were committed at install. PostgreSQL may
        not let the transaction that built an index use it (broken HOT chains), and every test
        runs in the transaction that created its company."""
        partners = self.env["res.partner"].sudo().with_company(company)
        query = partners._search(domain, order=order, limit=80)
        self.env.cr.execute("SET LOCAL enable_seqscan = off")
        try:
            self.env.cr.execute(SQL("EXPLAIN %s", query.select()))
            return "\n".join(row[0] for row in self.env.cr.fetchall())
        finally:
            self.env.cr.execute("SET LOCAL enable_seqscan = on")

    @freeze_time(TODAY)
    def test_overdue_snapshot_and_filter(self):
        """The rescoring stores the overdue receivables; the Overdue filter finds them."""
        self.invoice(800.0, "2025-05-10")  # due that day: overdue
        punctual = self.env["res.partner"].create({"name": "Punctual", "customer_rank": 1})
        self.invoice(500.0, TODAY, partner=punctual)  # due today: not overdue yet
        (self.customer | punctual)._rental_risk_rescore()
        self.assertEqual(self.customer.rental_overdue_at_scoring, 800.0)
        self.assertEqual(punctual.rental_overdue_at_scoring, 0.0)
        found = self.env["res.partner"].search([("rental_overdue_at_scoring", ">", 0)])
        self.assertIn(self.customer, found)
        self.assertNotIn(punctual, found)

    def test_every_filter_and_sort_uses_an_index(self):
        """Each filter and sort of the customer list reads an index of the company."""
        Partner = self.env["res.partner"]
        company = self.env.ref("base.main_company")
        cases = [
            ([("rental_grade", "=", "E")], None, "rental_grade"),
            ([("rental_available_credit_at_scoring", "<", 0)], None, "available_credit"),
            ([("rental_overdue_at_scoring", ">", 0)], None, "overdue"),
            ([], "rental_exposure_at_scoring desc", "exposure_at_scoring"),
            ([], "rental_score asc", "rental_score"),
        ]
        for domain, order, fname in cases:
            with self.subTest(domain=domain, order=order):
                plan = self._plan(domain, order, company)
                expected = [
                    Partner._rental_risk_filter_index_name(f, company)
                    for f in FILTERED_FIELDS
                    if fname in f
                ]
                self.assertTrue(any(name in plan for name in expected), plan)
        self.assertIn(
            "res_partner_rental_blacklisted_idx",
            self._plan([("rental_blacklisted", "=", True)], company=company),
        )

    def test_new_company_gets_its_indexes(self):
        """A company created later gets the indexes of its own slot of the columns."""
        company = self.env["res.company"].create({"name": "Second Rental Co"})
        names = {
            self.env["res.partner"]._rental_risk_filter_index_name(f, company)
            for f in FILTERED_FIELDS
        }
        self.env.cr.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'res_partner'"
            " AND indexname = ANY(%s)",
            [list(names)],
        )
        found = dict(self.env.cr.fetchall())
        self.assertEqual(set(found), names)
        for indexdef in found.values():
            self.assertIn(f"'{company.id}'::text", indexdef)
