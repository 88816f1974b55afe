from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from .common_scoring import CreditScoringCommon

TODAY = "2025-06-30"


@tagged("post_install", "-at_install")
class TestCreditRescoring(CreditScoringCommon):
    """The scheduled rescoring: resumable, idempotent and set-based."""

    @freeze_time(TODAY)
    def test_cron_scores_every_customer_once_a_day(self):
        """The cron scores unscored customers; a second run the same day changes nothing."""
        others = self.env["res.partner"].create(
            [{"name": f"Customer {i}", "customer_rank": 1} for i in range(3)]
        )
        self.env["rental.credit.rescoring"]._cron_rescore_partners()
        self.assertEqual(set(others.mapped("rental_grade")), {"C"})
        history = self.env["rental.score.history"].search([("partner_id", "in", others.ids)])
        self.assertEqual(len(history), 3)
        scored_at = others.mapped("rental_scored_at")
        self.assertEqual(self.env["rental.credit.rescoring"]._cron_rescore_partners(), 0)
        self.assertEqual(others.mapped("rental_scored_at"), scored_at)
        with freeze_time("2025-07-01"):
            self.assertGreaterEqual(self.env["rental.credit.rescoring"]._cron_rescore_partners(), 3)
        history = self.env["rental.score.history"].search([("partner_id", "in", others.ids)])
        self.assertEqual(len(history), 3, "no duplicate history when nothing changed")

    def test_batches_run_without_jit_and_put_the_setting_back(self):
        """A batch's queries run with PostgreSQL's JIT off; the setting is back afterwards,
        and the scoring and the column indexes are unchanged by it."""
        cr = self.env.cr

        def jit():
            cr.execute("SELECT current_setting('jit')")
            return cr.fetchone()[0]

        before = jit()
        seen = []
        Facts = type(self.env["rental.credit.facts"])
        collect = Facts._collect_facts

        def spy(facts, *args, **kwargs):
            seen.append(jit())
            return collect(facts, *args, **kwargs)

        with patch.object(Facts, "_collect_facts", spy):
            self.env["rental.credit.rescoring"]._rescore_ids(self.customer.ids)
        self.assertEqual(seen, ["off"])
        self.assertEqual(jit(), before)
        self.assertTrue(self.customer.rental_grade)
        # Odoo's default index of company-dependent columns is left out of the scoring
        # columns: the rescoring rewrites them for every customer each night.
        cr.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'res_partner' AND indexname"
            " IN ('res_partner__rental_score_index', 'res_partner__rental_grade_index',"
            " 'res_partner__rental_scored_at_index')"
        )
        self.assertEqual(cr.fetchall(), [])

    @freeze_time(TODAY)
    def test_cron_batches_report_progress(self):
        """Batches are processed in id order and progress is reported after each one."""
        partners = self.env["res.partner"].create(
            [{"name": f"Batch {i}", "customer_rank": 1} for i in range(5)]
        )
        progress = []
        cron = self.env["ir.cron"]

        def notify(self_cron, *, done, remaining, deactivate=False):
            progress.append((done, remaining))

        self.patch(type(cron), "_notify_progress", notify)
        total = self.env["rental.credit.rescoring"]._cron_rescore_partners(batch_size=2)
        self.assertGreaterEqual(total, 5)
        self.assertEqual(progress[-1], (total, 0))
        # Batches of at most 2, company after company (shared customers in each).
        dones = [done for done, _remaining in progress]
        steps = [after - before for before, after in zip([0, *dones], dones, strict=False)]
        self.assertTrue(all(0 < step <= 2 for step in steps), steps)
        self.assertEqual(dones[-1], total)
        self.assertTrue(all(partners.mapped("rental_scored_at")))

    @freeze_time(TODAY)
    def test_scheduler_scores_one_batch_per_call(self):
        """Under the scheduler each call scores one batch and leaves the rest for the next."""
        partners = self.env["res.partner"].create(
            [{"name": f"Scheduled {i}", "customer_rank": 1} for i in range(3)]
        )
        cron = self.env.ref("rental_risk.ir_cron_rescore_partners")
        cron, progress = cron._add_progress()
        Rescoring = self.env["rental.credit.rescoring"].with_context(
            ir_cron_progress_id=progress.id
        )
        # Shared customers are scored once per company.
        pending = sum(
            len(Rescoring._pending_ids(fields.Datetime.now(), company))
            for company in self.env["res.company"].search([])
        )
        self.assertEqual(Rescoring._cron_rescore_partners(batch_size=2), 2)
        self.assertEqual((progress.done, progress.remaining), (2, pending - 2))
        while progress.remaining:
            Rescoring._cron_rescore_partners(batch_size=2)
        self.assertTrue(all(partners.mapped("rental_scored_at")))
        self.assertEqual(Rescoring._cron_rescore_partners(batch_size=2), 0)

    @freeze_time(TODAY)
    def test_rescoring_query_count_does_not_grow_with_partners(self):
        """5 or 50 customers cost the same number of queries: the rescoring is set-based."""
        partners = self.env["res.partner"].create(
            [{"name": f"Bulk {i}", "customer_rank": 1, "is_company": True} for i in range(55)]
        )
        for partner in partners[:2] | partners[5:7]:
            self.invoice(100.0, "2025-05-01", partner=partner)
        Rescoring = self.env["rental.credit.rescoring"]

        def count_queries(ids):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            Rescoring._rescore_ids(ids)
            return self.env.cr.sql_log_count - before

        # Score once so both runs below are rescorings with the same kind of changes.
        Rescoring._rescore_ids(partners.ids)
        self.env["rental.grade.limit"].search([("grade", "=", "C")]).credit_limit = 12345.0
        count_queries(partners[:5].ids)  # warm the ormcaches (access rules, companies)
        small = count_queries(partners[:5].ids)
        large = count_queries(partners[5:].ids)
        self.assertEqual(small, large)
        # A fixed handful: one aggregate query per fact bucket (peer medians included), and
        # the JIT setting turned off and back.
        self.assertLess(large, 23)
        self.assertEqual(set(partners.mapped("rental_credit_limit")), {12345.0})
