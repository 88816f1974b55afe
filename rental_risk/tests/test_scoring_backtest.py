import random
from datetime import date

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.rental_risk.engine.backtest import auc
from odoo.addons.rental_risk.models.rental_score_backtest import month_ends

from .common_scoring import CreditScoringCommon

TODAY = "2025-12-31"
#: Month-ends judged by a 6-month backtest on TODAY (their next 90 days have passed).
ENDS = [
    date(2025, 4, 30),
    date(2025, 5, 31),
    date(2025, 6, 30),
    date(2025, 7, 31),
    date(2025, 8, 31),
    date(2025, 9, 30),
]


@tagged("post_install", "-at_install")
class TestScoringBacktest(CreditScoringCommon):
    """The backtest on generated data where some customers stretch payments, then default."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time(TODAY):
            # The demo's generator (rental.demo.story): 14 steady payers and 6 that stretch
            # their payments, then stop paying.
            cls.good, cls.deteriorating = cls.env["rental.demo.story"]._rental_demo_payment_book(
                fields.Date.to_date(TODAY),
                [f"Steady Customer {index}" for index in range(14)],
                [f"Slipping Customer {index}" for index in range(6)],
                payment_term=cls.pay_terms_a,
            )

    def _own(self, observations):
        """Observations of the generated customers only."""
        ids = set((self.good | self.deteriorating).ids)
        return [obs for obs in observations if obs[1] in ids]

    def test_month_ends_wait_for_their_horizon(self):
        """Only month-ends whose next 90 days have passed are judged, oldest first."""
        self.assertEqual(month_ends(date(2025, 12, 31), 6, 90), ENDS)
        self.assertEqual(month_ends(date(2025, 12, 29), 1, 90), [date(2025, 9, 30)])
        self.assertEqual(month_ends(date(2025, 12, 28), 1, 90), [date(2025, 8, 31)])

    @freeze_time(TODAY)
    def test_backtest_ranks_the_deteriorating_customers(self):
        """Customers who stretch payments score lower before they default: AUC > 0.75."""
        backtest = self.env["rental.score.backtest"].with_user(self.officer)._run(6)
        self.assertEqual((backtest.date_from, backtest.date_to), (ENDS[0], ENDS[-1]))
        self.assertEqual(len(backtest.month_ids), 6)
        self.assertEqual(len(backtest.overall_line_ids), 5)
        self.assertGreater(backtest.bad_count, 5)
        self.assertGreater(backtest.auc, 0.75)
        self.assertAlmostEqual(backtest.gini, 2 * backtest.auc - 1, places=3)
        self.assertGreater(backtest.caught_share, 50.0)
        rates = {line.grade: line for line in backtest.overall_line_ids}
        bad_low = sum(rates[g].bad_count for g in "DE") / max(
            1, sum(rates[g].customers for g in "DE")
        )
        bad_high = sum(rates[g].bad_count for g in "ABC") / max(
            1, sum(rates[g].customers for g in "ABC")
        )
        self.assertGreater(bad_low, bad_high, "bad outcomes fall from E to A")
        event = self.env["rental.risk.event"].search([("event_type", "=", "backtest")])
        self.assertEqual(len(event), 1)

    @freeze_time(TODAY)
    def test_all_month_ends_at_once_read_what_each_date_reads(self):
        """The backtest reads every month-end in one pass (invoices, payments, overdue trend
        and peers grouped by date): the facts are those of the one-date readers, date by
        date, and the slide shows in them (later month-ends know more unpaid invoices)."""
        Facts = self.env["rental.credit.facts"]
        ids = (self.good | self.deteriorating).ids
        together = dict(Facts._collect_facts_over(ids, ENDS))
        self.assertEqual(list(together), ENDS)
        for end in ENDS:
            alone = Facts._collect_facts(ids, as_of=end)[0]
            self.assertEqual(together[end], alone, f"facts as of {end}")
        slipping = self.deteriorating[0].id
        self.assertLess(
            together[ENDS[0]][slipping].overdue_balance,
            together[ENDS[-1]][slipping].overdue_balance,
        )
        self.assertLess(
            together[ENDS[0]][slipping].weighted_days_late,
            together[ENDS[-1]][slipping].weighted_days_late,
        )
        with self.assertRaises(ValueError):
            next(Facts._collect_facts_over(ids, [None]))

    @freeze_time(TODAY)
    def test_shuffled_outcomes_give_about_half(self):
        """The same scores against shuffled outcomes rank nothing: AUC about 0.5."""
        observations = self._own(
            self.env["rental.score.backtest"]._observations(ENDS, self.company)
        )
        scores = [obs[2] for obs in observations]
        bad = [obs[4] for obs in observations]
        self.assertTrue(any(bad) and not all(bad))
        self.assertGreater(auc(scores, bad), 0.75)
        rng = random.Random(17)
        shuffled = []
        for _round in range(200):
            rng.shuffle(bad)
            shuffled.append(auc(scores, bad))
        self.assertAlmostEqual(sum(shuffled) / len(shuffled), 0.5, delta=0.03)

    @freeze_time(TODAY)
    def test_outcome_is_a_new_default_within_the_horizon(self):
        """A customer sliding from April is bad at the month-ends before its first invoice
        passes 60 days overdue, not before its slide could be foreseen."""
        slipping = self.deteriorating[0]  # slides from April, unpaid from July: 3 Sep + 60 days
        bad = self.env["rental.score.backtest"]._bad_outcomes(slipping.ids, ENDS, self.company)
        self.assertEqual(
            sorted(end for end, _partner in bad),
            [date(2025, 6, 30), date(2025, 7, 31), date(2025, 8, 31), date(2025, 9, 30)],
        )
        self.assertFalse(
            self.env["rental.score.backtest"]._bad_outcomes(self.good[1].ids, ENDS, self.company)
        )

    @freeze_time(TODAY)
    def test_only_officers_run_backtests_and_results_are_not_edited(self):
        """A salesperson cannot run a backtest; nobody writes or creates one by hand."""
        with self.assertRaises(AccessError):
            self.env["rental.score.backtest"].with_user(self.salesman)._run(3)
        with self.assertRaises(AccessError):
            self.env["rental.score.backtest.run"].with_user(self.salesman).create({"months": 3})
        backtest = self.env["rental.score.backtest"].with_user(self.officer)._run(2)
        for user in (self.officer, self.env.user):
            with self.assertRaises(UserError):
                backtest.with_user(user).sudo().write({"auc": 1.0})
            with self.assertRaises(UserError):
                backtest.month_ids[:1].with_user(user).sudo().write({"auc": 1.0})
            with self.assertRaises(UserError):
                backtest.line_ids[:1].with_user(user).sudo().write({"bad_count": 0})
            with self.assertRaises(UserError):
                self.env["rental.score.backtest"].with_user(user).sudo().create(
                    {"name": "Forged", "company_id": self.company.id, "auc": 1.0}
                )

    @freeze_time(TODAY)
    def test_wizard_runs_and_opens_the_result(self):
        """The wizard of a Risk Officer stores a backtest and opens it."""
        wizard = self.env["rental.score.backtest.run"].with_user(self.officer).create({"months": 3})
        action = wizard.action_run()
        backtest = self.env["rental.score.backtest"].browse(action["res_id"])
        self.assertEqual(backtest.months, 3)
        self.assertEqual(backtest.user_id, self.officer)

    @freeze_time(TODAY)
    def test_rate_per_grade_chart_falls_from_e_to_a(self):
        """The bar chart of the form's Rate per Grade: one bar per grade of the whole
        backtest, the bad outcome rate falling from E to A."""
        backtest = self.env["rental.score.backtest"].with_user(self.officer)._run(6)
        action = backtest.action_view_grades()
        Line = self.env["rental.score.backtest.line"].with_user(self.officer)
        # The chart's own query: the action's domain, its default filter, grouped by grade.
        bars = Line._read_group(
            action["domain"] + [("overall", "=", True)],
            ["grade"],
            ["default_rate:avg", "customers:sum"],
        )
        self.assertEqual([grade for grade, _rate, _count in bars], ["A", "B", "C", "D", "E"])
        rates = [rate for _grade, rate, customers in bars if customers]
        self.assertGreaterEqual(len(rates), 3)
        self.assertEqual(rates, sorted(rates), f"rates per grade A to E: {rates}")
        self.assertGreater(rates[-1], rates[0])
