import base64
import io
from datetime import date, timedelta

import openpyxl
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common_scoring import CreditScoringCommon

TODAY = "2025-12-31"
#: Month-ends judged by a 2-month backtest on TODAY.
ENDS = [date(2025, 8, 31), date(2025, 9, 30)]
LIMITS = {"A": 20000.0, "B": 10000.0, "C": 5000.0, "D": 2000.0, "E": 0.0}


@tagged("post_install", "-at_install")
class TestScoringBacktestLimits(CreditScoringCommon):
    """What the limits in force would have capped of the losses, the charts and the Excel
    export of a backtest, on a few customers: a big debtor, a small one and a good payer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        grade_limits = cls.env["rental.grade.limit"]
        grade_limits._create_missing_rows(cls.company)
        for line in grade_limits.search([("company_id", "=", cls.company.id)]):
            line.credit_limit = LIMITS[line.grade]
        cls.manager = cls.env.user  # Risk Manager (see CreditScoringCommon)
        cls.accountant = new_test_user(
            cls.env,
            login="rr_backtest_accountant",
            groups="account.group_account_invoice",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        with freeze_time(TODAY):
            cls.big = cls._customer("Big Debtor")
            cls.small = cls._customer("Small Debtor")
            cls.good = cls._customer("Good Payer")
            payments = []
            for customer in (cls.big, cls.small, cls.good):
                for month in range(1, 8):
                    day = date(2025, month, 5)
                    payments.append(
                        (day + timedelta(days=2), cls._invoice(customer, 1000.0, day), None)
                    )
            # Never paid: 25,000.00 more than 60 days overdue on 19 October.
            cls._invoice(cls.big, 25000.0, date(2025, 8, 20))
            # 1,000.00 of 3,000.00 paid before 9 November, when it passes 60 days overdue.
            part = cls._invoice(cls.big, 3000.0, date(2025, 9, 10))
            payments.append((date(2025, 10, 1), part, 1000.0))
            # 600.00 more than 60 days overdue on 14 November.
            cls._invoice(cls.small, 600.0, date(2025, 9, 15))
            cls.env["account.move"].search(
                [
                    ("partner_id", "in", (cls.big | cls.small | cls.good).ids),
                    ("state", "=", "draft"),
                ]
            ).action_post()
            for paid_on, invoice, amount in payments:
                vals = {"payment_date": paid_on}
                if amount:
                    vals["amount"] = amount
                (
                    cls.env["account.payment.register"]
                    .with_context(active_model="account.move", active_ids=invoice.ids)
                    .create(vals)
                    ._create_payments()
                )

    @classmethod
    def _customer(cls, name):
        return cls.env["res.partner"].create(
            {"name": name, "is_company": True, "property_payment_term_id": cls.pay_terms_a.id}
        )

    @classmethod
    def _invoice(cls, customer, amount, day):
        """A draft invoice of ``amount`` to ``customer`` on ``day``, due at once."""
        return cls.env["rental.demo.story"]._rental_demo_draft_invoice(customer, day, amount)

    def _grades(self):
        """{(month-end, partner id): grade computed as of that month-end}."""
        observations = self.env["rental.score.backtest"]._observations(ENDS, self.company)
        return {(end, partner_id): grade for end, partner_id, _s, grade, _b in observations}

    def _set_limits(self, limits):
        for line in self.env["rental.grade.limit"].search([("company_id", "=", self.company.id)]):
            line.credit_limit = limits[line.grade]

    def _run(self, user=None):
        return self.env["rental.score.backtest"].with_user(user or self.officer)._run(2)

    # ------------------------------------------------------------------
    # Capped losses
    # ------------------------------------------------------------------

    @freeze_time(TODAY)
    def test_bad_exposure_is_what_was_owed_when_it_went_bad(self):
        """Per month-end, what the bad customers still owed when their invoices passed 60
        days overdue in the next 90 days; over the backtest each invoice once."""
        ids = (self.big | self.small | self.good).ids
        by_month, overall = self.env["rental.score.backtest"]._bad_exposures(
            ids, ENDS, self.company
        )
        for end in ENDS:
            self.assertAlmostEqual(by_month[end, self.big.id], 27000.0)
            self.assertAlmostEqual(by_month[end, self.small.id], 600.0)
            self.assertNotIn((end, self.good.id), by_month)
        self.assertEqual(overall, {self.big.id: 27000.0, self.small.id: 600.0})

    @freeze_time(TODAY)
    def test_capped_amount_is_the_excess_over_the_limit(self):
        """With one limit for every grade, the limits cap exactly what went past it."""
        self._set_limits(dict.fromkeys(LIMITS, 10000.0))
        backtest = self._run()
        for month in backtest.month_ids:
            self.assertAlmostEqual(month.bad_exposure, 27600.0)
            self.assertAlmostEqual(month.capped_amount, 17000.0)
            self.assertAlmostEqual(month.capped_share, 100.0 * 17000.0 / 27600.0, places=1)
            self.assertEqual(month.capped_count, 1)
        # Counted once over the backtest, not at each of the two month-ends.
        self.assertAlmostEqual(backtest.bad_exposure, 27600.0)
        self.assertAlmostEqual(backtest.capped_amount, 17000.0)
        self.assertEqual(backtest.capped_count, 1)

    @freeze_time(TODAY)
    def test_capped_amount_uses_the_grade_of_the_month_end(self):
        """Each bad customer is capped by the limit its grade of that month-end gave."""
        grades = self._grades()
        backtest = self._run()
        for month in backtest.month_ids:
            end = month.month_end
            expected = max(0.0, 27000.0 - LIMITS[grades[end, self.big.id]]) + max(
                0.0, 600.0 - LIMITS[grades[end, self.small.id]]
            )
            self.assertGreater(expected, 0.0, "25,000.00 exceeds every grade's limit")
            self.assertAlmostEqual(month.capped_amount, expected)
        first = ENDS[0]
        self.assertAlmostEqual(
            backtest.capped_amount,
            max(0.0, 27000.0 - LIMITS[grades[first, self.big.id]])
            + max(0.0, 600.0 - LIMITS[grades[first, self.small.id]]),
        )

    @freeze_time(TODAY)
    def test_capped_figures_cannot_be_forged(self):
        """Nobody writes the capped figures or creates months or grade lines by hand."""
        backtest = self._run()
        month, line = backtest.month_ids[:1], backtest.line_ids[:1]
        Month = self.env["rental.score.backtest.month"]
        Line = self.env["rental.score.backtest.line"]
        for user in (self.officer, self.manager):
            for sudo in (False, True):
                with self.assertRaises(UserError):
                    backtest.with_user(user).sudo(sudo).write({"capped_amount": 0.0})
                with self.assertRaises(UserError):
                    month.with_user(user).sudo(sudo).write({"capped_amount": 0.0})
                with self.assertRaises(UserError):
                    line.with_user(user).sudo(sudo).write({"default_rate": 0.0})
                with self.assertRaises(UserError):
                    Month.with_user(user).sudo(sudo).create(
                        {"backtest_id": backtest.id, "month_end": ENDS[0], "capped_amount": 1.0}
                    )
                with self.assertRaises(UserError):
                    Line.with_user(user).sudo(sudo).create(
                        {"backtest_id": backtest.id, "grade": "A", "customers": 1}
                    )
        self.assertAlmostEqual(month.capped_amount, backtest.month_ids[:1].capped_amount)
        # A rental user cannot even read a backtest.
        with self.assertRaises(AccessError):
            backtest.with_user(self.rental_user).read(["capped_amount"])

    # ------------------------------------------------------------------
    # Charts
    # ------------------------------------------------------------------

    @freeze_time(TODAY)
    def test_chart_actions_show_this_backtest(self):
        """The form's buttons open the bar chart of the rate per grade and the line chart of
        the AUC per month, on this backtest's records only."""
        backtest = self._run()
        self._run()  # another backtest, kept out of the charts
        grades = backtest.with_user(self.officer).action_view_grades()
        self.assertEqual(grades["res_model"], "rental.score.backtest.line")
        self.assertEqual(grades["domain"], [("backtest_id", "=", backtest.id)])
        self.assertEqual(grades["view_mode"].split(",")[0], "graph")
        months = backtest.with_user(self.officer).action_view_months()
        self.assertEqual(months["res_model"], "rental.score.backtest.month")
        self.assertEqual(months["domain"], [("backtest_id", "=", backtest.id)])
        self.assertEqual(months["view_mode"].split(",")[0], "graph")
        Month = self.env["rental.score.backtest.month"].with_user(self.officer)
        arch = Month.get_view(view_type="graph")["arch"]
        self.assertIn('type="line"', arch)
        self.assertIn('name="auc"', arch)
        self.assertIn(
            'type="bar"',
            self.env["rental.score.backtest.line"].get_view(view_type="graph")["arch"],
        )
        # The chart's points: one per month-end, the AUC of that month (averaged, not summed).
        points = Month._read_group(months["domain"], ["month_end:month"], ["auc:avg", "__count"])
        self.assertEqual(len(points), 2)
        for (_month, area, count), month in zip(points, backtest.month_ids, strict=True):
            self.assertEqual(count, 1)
            self.assertAlmostEqual(area, month.auc, places=3)
        self.assertEqual(Month.search_count(months["domain"]), 2)

    # ------------------------------------------------------------------
    # Excel export
    # ------------------------------------------------------------------

    def _download(self, action):
        """The workbook behind the download ``action`` of the export wizard."""
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertIn("download=true", action["url"])
        wizard_id = int(action["url"].split("/")[4])
        wizard = self.env["rental.xlsx.export"].browse(wizard_id)
        self.assertTrue(wizard.file_name.endswith(".xlsx"))
        return openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file_data)))

    @freeze_time(TODAY)
    def test_export_to_excel_summary_months_grades(self):
        """Export to Excel downloads a workbook with the summary, the months and the grades."""
        self._set_limits(dict.fromkeys(LIMITS, 10000.0))
        backtest = self._run()
        book = self._download(backtest.with_user(self.officer).action_export_xlsx())
        self.assertEqual(book.sheetnames, ["Summary", "Months", "Grades"])
        summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=4, values_only=True)}
        self.assertAlmostEqual(summary["AUC"], backtest.auc, places=3)
        self.assertAlmostEqual(summary["Gini"], backtest.gini, places=3)
        self.assertAlmostEqual(summary["Caught by D-E (capture rate)"], backtest.caught_share / 100)
        self.assertAlmostEqual(summary["Bad Outcome Exposure"], 27600.0)
        self.assertAlmostEqual(summary["Capped by Limits"], 17000.0)
        self.assertAlmostEqual(summary["Capped by Limits (share)"], 17000.0 / 27600.0, places=3)
        self.assertEqual(summary["Customer-Months"], backtest.observations)
        months = book["Months"]
        header = [cell.value for cell in months[3]]
        rows = [
            dict(zip(header, row, strict=True))
            for row in months.iter_rows(min_row=4, values_only=True)
        ]
        self.assertEqual([row["Month-End"].date() for row in rows[:2]], ENDS)
        self.assertEqual(rows[2]["Month-End"], "Total")
        self.assertAlmostEqual(rows[0]["Capped by Limits"], 17000.0)
        self.assertAlmostEqual(rows[1]["AUC"], backtest.month_ids[1].auc, places=3)
        grades = list(book["Grades"].iter_rows(min_row=4, values_only=True))
        self.assertEqual(len(grades), 15)  # A-E overall, then A-E of each month-end
        self.assertEqual([row[0] for row in grades[:5]], list("ABCDE"))
        self.assertIsNone(grades[0][1])
        self.assertEqual(grades[5][1].date(), ENDS[0])
        overall = {line.grade: line for line in backtest.overall_line_ids}
        for row in grades[:5]:
            self.assertEqual(row[2], overall[row[0]].customers)
            self.assertEqual(row[3], overall[row[0]].bad_count)

    @freeze_time(TODAY)
    def test_only_risk_officers_export_backtests(self):
        """Officers and managers export a backtest; a rental user or an accountant cannot,
        neither from the button nor through the register service."""
        backtest = self._run()
        self._download(backtest.with_user(self.manager).action_export_xlsx())
        service = self.env["rental.xlsx.register"]
        name, content = service.with_user(self.officer)._export(
            "backtest", self.company, backtest_id=backtest.id
        )
        self.assertTrue(name.startswith("Scoring_Backtest"))
        self.assertEqual(content[:2], b"PK")
        for user in (self.rental_user, self.accountant):
            with self.assertRaises(AccessError):
                backtest.with_user(user).action_export_xlsx()
            with self.assertRaises(AccessError):
                service.with_user(user)._export("backtest", self.company, backtest_id=backtest.id)
        with self.assertRaises(UserError):
            self.env["rental.xlsx.export"].with_user(self.officer).create(
                {"register": "backtest"}
            ).action_export()
