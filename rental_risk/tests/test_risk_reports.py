from datetime import timedelta

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.base.tests.common import new_test_user

from .common_scoring import CreditScoringCommon


class RiskReportCommon(CreditScoringCommon):
    """Three customers of company A with real invoices due in the past, graded and limited by
    a Risk Manager's decisions and rescored, as the management reports read them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls._risk_manager()
        # The reports are SQL views: their "today" is the database's, whatever the user's
        # time zone. The tests count days from it, never from a user's today.
        cls.env.cr.execute("SELECT CURRENT_DATE")
        [[cls.db_today]] = cls.env.cr.fetchall()
        Industry = cls.env["res.partner.industry"]
        cls.film = Industry.create({"name": "Report Film Production"})
        cls.events = Industry.create({"name": "Report Events"})
        cls.us = cls.env.ref("base.us")
        cls.california = cls.env.ref("base.state_us_5")
        cls.cn = cls.env.ref("base.cn")
        cls.risky = cls._customer("Report Risky", cls.film, cls.us, cls.california)
        cls.steady = cls._customer("Report Steady", cls.events, cls.cn)
        cls.quiet = cls._customer("Report Quiet", cls.events, cls.cn)
        # Risky: one invoice in each overdue bucket, and one due today (open, not overdue).
        for amount, days in ((100.0, 10), (200.0, 45), (300.0, 75), (400.0, 120), (500.0, 0)):
            cls._invoice(cls.risky, amount, days)
        # Steady: one invoice due today, nothing overdue.
        cls._invoice(cls.steady, 600.0, 0)
        cls._set_limit(cls.risky, 1000.0, cls.manager)
        cls._set_limit(cls.steady, 1000.0, cls.manager)
        cls._override_grade(cls.risky, "E", cls.manager)
        cls._override_grade(cls.steady, "B", cls.manager)
        cls._override_grade(cls.quiet, "C", cls.manager)
        cls.customers = cls.risky | cls.steady | cls.quiet
        cls.env["rental.credit.rescoring"]._rescore(cls.customers.ids, cls.company)

    @classmethod
    def _customer(cls, name, industry, country, state=None):
        return cls.env["res.partner"].create(
            {
                "name": name,
                "is_company": True,
                "customer_rank": 1,
                "industry_id": industry.id,
                "country_id": country.id,
                "state_id": state.id if state else False,
                "user_id": cls.salesman.id,
                # Due on the invoice date: the days overdue count from it.
                "property_payment_term_id": cls.pay_terms_a.id,
            }
        )

    @classmethod
    def _invoice(cls, partner, amount, days_ago, company=None):
        """A posted customer invoice of ``amount`` due ``days_ago`` days before the database's
        today, in ``company`` (A by default)."""
        company = company or cls.company
        return cls.init_invoice(
            "out_invoice",
            partner=partner,
            invoice_date=cls.db_today - timedelta(days=days_ago),
            amounts=[amount],
            taxes=[],
            post=True,
            company=company,
            currency=company.currency_id,
        )

    def _env(self, user, companies=None):
        companies = companies or user.company_ids
        return self.env(user=user, context={"allowed_company_ids": companies.ids})

    def _rows(self, user=None, model="rental.risk.report", domain=None):
        env = self._env(user or self.officer)
        return env[model].search(domain or [("partner_id", "in", self.customers.ids)])


@tagged("post_install", "-at_install")
class TestRiskAnalysisReport(RiskReportCommon):
    """Risk analysis: one row per customer and company, from the last scoring and the open
    receivables."""

    def test_row_values_of_a_risky_customer(self):
        """Grade, limit, exposure, utilization, region and overdue buckets of one customer."""
        row = self._rows(domain=[("partner_id", "=", self.risky.id)])
        self.assertEqual(len(row), 1)
        scored = self.risky.with_company(self.company)
        self.assertEqual(row.company_id, self.company)
        self.assertEqual(row.commercial_partner_id, self.risky)
        self.assertEqual(row.currency_id, self.company.currency_id)
        self.assertEqual(row.grade, "E")
        self.assertEqual(row.score, scored.rental_score)
        self.assertEqual(row.credit_limit, 1000.0)
        # Every invoice is open: the exposure is the whole receivable, as the Risk tab says.
        self.assertEqual(row.exposure, 1500.0)
        self.assertEqual(row.exposure, scored.rental_exposure)
        self.assertEqual(row.available_credit, -500.0)
        self.assertEqual(row.limit_utilization, 150.0)
        self.assertEqual(row.utilization_band, "over")
        self.assertTrue(row.over_limit)
        self.assertEqual(row.overdue_amount, 1000.0)
        self.assertEqual(
            (row.overdue_1_30, row.overdue_31_60, row.overdue_61_90, row.overdue_90_plus),
            (100.0, 200.0, 300.0, 400.0),
        )
        self.assertEqual(row.industry_id, self.film)
        self.assertEqual((row.country_id, row.state_id), (self.us, self.california))
        self.assertEqual(row.user_id, self.salesman)
        self.assertFalse(row.blacklisted)

    def test_utilization_bands_and_filters(self):
        """60 % used is 50-80 %; no exposure is its own band; the search filters select them."""
        rows = {row.partner_id: row for row in self._rows()}
        steady, quiet = rows[self.steady], rows[self.quiet]
        self.assertEqual((steady.exposure, steady.credit_limit), (600.0, 1000.0))
        self.assertEqual(steady.limit_utilization, 60.0)
        self.assertEqual(steady.utilization_band, "50_80")
        self.assertFalse(steady.over_limit)
        self.assertEqual(steady.overdue_amount, 0.0)
        self.assertEqual(quiet.grade, "C")
        self.assertEqual(quiet.exposure, 0.0)
        self.assertEqual(quiet.utilization_band, "none")
        mine = [("partner_id", "in", self.customers.ids)]
        high = self._rows(domain=[*mine, ("utilization_band", "in", ("80_100", "over"))])
        self.assertEqual(high.partner_id, self.risky)
        self.assertEqual(
            self._rows(domain=[*mine, ("over_limit", "=", True)]).partner_id, self.risky
        )
        overdue = self._rows(domain=[*mine, ("overdue_amount", ">", 0)])
        self.assertEqual(overdue.partner_id, self.risky)

    def test_group_by_grade_counts_and_ratio(self):
        """read_group by grade counts the customers; utilization is the group's ratio."""
        Report = self._env(self.officer)["rental.risk.report"]
        mine = [("partner_id", "in", self.customers.ids)]
        groups = Report.read_group(mine, ["exposure:sum", "limit_utilization:sum"], ["grade"])
        by_grade = {group["grade"]: group for group in groups}
        self.assertEqual(
            {g: by_grade[g]["grade_count"] for g in by_grade}, {"B": 1, "C": 1, "E": 1}
        )
        [both] = Report.read_group(
            [("partner_id", "in", (self.risky | self.steady).ids)],
            ["exposure:sum", "credit_limit:sum", "limit_utilization:sum"],
            [],
        )
        # (1500 + 600) / (1000 + 1000): the ratio of the sums, not the sum of 150 % and 60 %.
        self.assertEqual(both["limit_utilization"], 105.0)

    def test_grade_counts_match_the_dashboard(self):
        """The distribution per grade is the dashboard's "Customers by Grade" tile."""
        Report = self._env(self.officer, self.company)["rental.risk.report"]
        groups = Report.read_group(
            [("company_id", "=", self.company.id), ("grade", "!=", False)], [], ["grade"]
        )
        counts = {group["grade"]: group["grade_count"] for group in groups}
        tile = (
            self.env["rental.risk.dashboard"]
            .with_user(self.officer)
            .get_dashboard_data(self.company.id)["grades"]
        )
        self.assertEqual(counts, {row["grade"]: row["count"] for row in tile if row["count"]})

    def test_blacklisted_customer_flagged(self):
        """A blacklisted customer is flagged and found by the Blacklisted filter."""
        self.risky.with_user(self.manager)._rental_risk_set_blacklist("fraud", "Stolen card")
        self.env.flush_all()
        blacklisted = self._rows(
            domain=[("partner_id", "in", self.customers.ids), ("blacklisted", "=", True)]
        )
        self.assertEqual(blacklisted.partner_id, self.risky)

    def test_customer_not_scored_yet_shows_its_overdue(self):
        """A customer the company has not scored yet (the addon just installed) keeps a row
        with its overdue receivables and no grade."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET rental_grade = rental_grade - %(c)s,"
            " rental_scored_at = rental_scored_at - %(c)s WHERE id = %(id)s",
            {"c": str(self.company.id), "id": self.risky.id},
        )
        row = self._rows(domain=[("partner_id", "=", self.risky.id)])
        self.assertEqual(len(row), 1)
        self.assertEqual(row.overdue_amount, 1000.0)
        self.assertEqual(row.overdue_90_plus, 400.0)
        self.assertFalse(row.grade)


@tagged("post_install", "-at_install")
class TestOverdueDetailReport(RiskReportCommon):
    """Overdue detail: one row per overdue instalment, with its days and bucket."""

    def test_lines_days_and_buckets(self):
        """Each overdue invoice is a row with the customer's grade, its days and bucket; the
        invoice due today is not overdue."""
        rows = self._rows(model="rental.overdue.report")
        self.assertEqual(rows.partner_id, self.risky)
        self.assertEqual(
            sorted((r.days_overdue, r.bucket, r.amount_residual) for r in rows),
            [
                (10, "1_30", 100.0),
                (45, "31_60", 200.0),
                (75, "61_90", 300.0),
                (120, "90_plus", 400.0),
            ],
        )
        self.assertEqual(set(rows.mapped("grade")), {"E"})
        self.assertEqual(rows.company_id, self.company)
        self.assertTrue(all(r.move_id.move_type == "out_invoice" for r in rows))
        self.assertEqual(rows.move_line_id.move_id, rows.move_id)
        self.assertEqual(
            {r.date_maturity for r in rows},
            {self.db_today - timedelta(days=d) for d in (10, 45, 75, 120)},
        )

    def test_bucket_edges(self):
        """30 days overdue is 1-30, 31 is 31-60, 90 is 61-90, 91 is over 90."""
        edge = self._customer("Report Edge", self.film, self.us)
        for days in (1, 30, 31, 60, 61, 90, 91):
            self._invoice(edge, float(days), days)
        rows = self._rows(model="rental.overdue.report", domain=[("partner_id", "=", edge.id)])
        self.assertEqual(
            sorted((r.days_overdue, r.bucket) for r in rows),
            [
                (1, "1_30"),
                (30, "1_30"),
                (31, "31_60"),
                (60, "31_60"),
                (61, "61_90"),
                (90, "61_90"),
                (91, "90_plus"),
            ],
        )

    def test_paid_invoice_leaves_the_report(self):
        """A paid invoice is no longer overdue; a part-paid one shows what is left."""
        rows = self._rows(model="rental.overdue.report")
        oldest = rows.filtered(lambda r: r.days_overdue == 120).move_id
        newest = rows.filtered(lambda r: r.days_overdue == 10).move_id
        self.pay(oldest, 400.0, self.db_today)
        self.pay(newest, 40.0, self.db_today)
        self.env.flush_all()
        self.env.invalidate_all()
        rows = self._rows(model="rental.overdue.report")
        self.assertNotIn(oldest, rows.move_id)
        self.assertEqual(rows.filtered(lambda r: r.move_id == newest).amount_residual, 60.0)
        [row] = self._rows(domain=[("partner_id", "=", self.risky.id)])
        self.assertEqual((row.overdue_amount, row.overdue_1_30), (560.0, 60.0))

    def test_same_days_whatever_the_user_time_zone(self):
        """Users far east and far west of UTC read the same days overdue."""
        expected = sorted(self._rows(model="rental.overdue.report").mapped("days_overdue"))
        for tz in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
            self.officer.tz = tz
            self.env.invalidate_all()
            rows = self._rows(model="rental.overdue.report")
            self.assertEqual(sorted(rows.mapped("days_overdue")), expected, tz)

    def test_score_trend_reads_the_history(self):
        """The score trend averages the stored history per grade, as a Risk Officer reads it."""
        History = self._env(self.officer)["rental.score.history"]
        domain = [("partner_id", "in", self.customers.ids)]
        groups = History.read_group(domain, ["score:avg"], ["date:month", "grade"], lazy=False)
        self.assertTrue(groups)
        history = History.search([*domain, ("grade", "=", "E")])
        [group_e] = [g for g in groups if g["grade"] == "E"]
        self.assertAlmostEqual(group_e["score"], sum(history.mapped("score")) / len(history))
        action = self.env.ref("rental_risk.rental_score_history_action_trend")
        self.assertEqual(action.view_mode.split(",")[0], "graph")


@tagged("post_install", "-at_install")
class TestRiskReportAccess(RiskReportCommon):
    """Who reads the reports, and that a company never sees another company's figures."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.setup_other_company(name="Report Company B")["company"]
        cls.env.user.company_ids |= cls.company_b
        cls.officer_b = new_test_user(
            cls.env,
            login="rr_report_officer_b",
            groups="rental_risk.rental_risk_group_officer",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        # A customer who buys in B only, with an overdue invoice there, scored in B.
        cls.customer_b = cls._customer("Report B Customer", cls.film, cls.cn)
        cls.customer_b.with_company(cls.company_b).property_payment_term_id = cls.pay_terms_a
        cls._invoice(cls.customer_b, 700.0, 40, company=cls.company_b)
        # The risky customer of A also buys in B (shared partner), overdue there too.
        cls.risky.with_company(cls.company_b).property_payment_term_id = cls.pay_terms_a
        cls._invoice(cls.risky, 800.0, 95, company=cls.company_b)
        cls.env["rental.credit.rescoring"]._rescore((cls.risky | cls.customer_b).ids, cls.company_b)

    def test_roles_who_read_the_reports(self):
        """Risk Officers and Managers read both reports; Rental Users and salesmen do not."""
        for model in ("rental.risk.report", "rental.overdue.report"):
            for user in (self.officer, self.manager):
                self.assertTrue(self._rows(user, model), f"{user.login} {model}")
            for user in (self.rental_user, self.salesman):
                with self.assertRaises(AccessError, msg=f"{user.login} {model}"):
                    self._rows(user, model)
            with self.assertRaises(AccessError):
                self._env(self.manager)[model].check_access("write")

    def test_other_company_sees_nothing_of_company_a(self):
        """B's officer reads B's rows only; A's officer reads none of B's, even of a customer
        both companies share."""
        for model in ("rental.risk.report", "rental.overdue.report"):
            seen_by_b = self._env(self.officer_b)[model].search([])
            self.assertTrue(seen_by_b, model)
            self.assertEqual(seen_by_b.company_id, self.company_b, model)
            seen_by_a = self._env(self.officer)[model].search(
                [("partner_id", "in", (self.customers | self.customer_b).ids)]
            )
            self.assertEqual(seen_by_a.company_id, self.company, model)
            self.assertNotIn(self.customer_b, seen_by_a.partner_id, model)

    def test_shared_customer_has_one_row_per_company(self):
        """A customer shared by A and B has a row in each, with each company's figures."""
        admin_env = self._env(self.env.user, self.company | self.company_b)
        rows = admin_env["rental.risk.report"].search([("partner_id", "=", self.risky.id)])
        self.assertEqual(rows.company_id, self.company | self.company_b)
        in_a = rows.filtered(lambda r: r.company_id == self.company)
        in_b = rows.filtered(lambda r: r.company_id == self.company_b)
        self.assertEqual((in_a.overdue_amount, in_b.overdue_amount), (1000.0, 800.0))
        self.assertEqual(in_b.overdue_61_90 + in_b.overdue_90_plus, 800.0)
        self.assertEqual(in_b.overdue_90_plus, 800.0)
        self.assertEqual(in_a.grade, "E")
        self.assertEqual(in_b.exposure, self.risky.with_company(self.company_b).rental_exposure)
