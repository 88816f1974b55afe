import calendar
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from .common_risk import RiskCommon


class DashboardCommon(RiskCommon):
    """Customers graded by the rescoring, as the dashboard reads them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Dashboard = cls.env["rental.risk.dashboard"]
        cls.today = fields.Date.context_today(cls.Dashboard)
        cls._rule("asset_value", "approval", amount=1000.0, approval_group_id=cls.officer_group.id)

    @classmethod
    def _graded(cls, name, grade, score, exposure):
        partner = cls.env["res.partner"].create({"name": name})
        cls._as_rescoring(
            partner,
            rental_grade=grade,
            rental_grade_computed=grade,
            rental_score=score,
            rental_exposure_at_scoring=exposure,
        )
        return partner

    @classmethod
    def _rented(cls, lot, start, days):
        """A rental of ``lot`` by the customer from ``start``, picked up and returned."""
        end = start + timedelta(days=days)
        order = cls._create_rental_order(product=lot.product_id, start=start, end=end)
        booking = cls.env["rental.booking"].create(
            {
                "lot_id": lot.id,
                "order_line_id": order.order_line.id,
                "date_start": start,
                "date_end": end,
            }
        )
        with cls.env["rental.risk.decision"]._open_guard():
            booking.sudo().write({"state": "returned"})
        return booking

    def _data(self, user=None):
        return self.Dashboard.with_user(user or self.officer).get_dashboard_data(self.company.id)

    def _records(self, tile, key=None, user=None):
        """The records the tile's action lists, searched as the officer who clicks it."""
        user = user or self.officer
        action = self.Dashboard.with_user(user).action_open_tile(tile, key, self.company.id)
        env = self.env(user=user, context={"allowed_company_ids": [self.company.id]})
        return env[action["res_model"]].with_context(**action["context"]).search(action["domain"])


@tagged("post_install", "-at_install")
class TestRiskDashboard(DashboardCommon):
    """Each tile's figures from real records, and the records each tile opens."""

    def test_grades_and_exposure_count_the_graded_customers(self):
        """A customer graded E adds one to E and its exposure to E's exposure; tiles match."""
        before = {row["grade"]: row for row in self._data()["grades"]}
        partner = self._graded("Dash Grade E", "E", 14, 7300.0)
        after = {row["grade"]: row for row in self._data()["grades"]}
        self.assertEqual(after["E"]["count"], before["E"]["count"] + 1)
        self.assertAlmostEqual(after["E"]["exposure"], before["E"]["exposure"] + 7300.0)
        self.assertEqual(after["A"]["count"], before["A"]["count"])
        for grade, row in after.items():
            customers = self._records("grades", grade)
            self.assertEqual(len(customers), row["count"], grade)
            exposed = self._records("exposure", grade).with_company(self.company)
            self.assertAlmostEqual(
                sum(exposed.sudo().mapped("rental_exposure_at_scoring")), row["exposure"], 2
            )
        self.assertIn(partner, self._records("grades", "E"))

    def test_trend_subtracts_the_changes_of_each_month(self):
        """A customer moved from C to E this month counts as C at the end of last month."""
        before = self._data()["trend"]
        partner = self._graded("Dash Trend", "E", 20, 100.0)
        with self.env["rental.risk.decision"]._open_guard():
            self.env["rental.score.history"].create(
                {
                    "partner_id": partner.id,
                    "company_id": self.company.id,
                    "date": fields.Datetime.now(),
                    "score": 20,
                    "grade": "E",
                    "previous_score": 55,
                    "previous_grade": "C",
                }
            )
        after = self._data()["trend"]
        self.assertEqual(len(after["months"]), 6)
        self.assertEqual(after["series"]["E"][-1], before["series"]["E"][-1] + 1)
        self.assertEqual(after["series"]["E"][-2], before["series"]["E"][-2])
        self.assertEqual(after["series"]["C"][-2], before["series"]["C"][-2] + 1)
        self.assertEqual(after["series"]["C"][-1], before["series"]["C"][-1])
        self.assertEqual(after["changes"], before["changes"] + 1)
        self.assertEqual(len(self._records("trend")), after["changes"])

    def test_overdue_buckets_from_open_receivable_lines(self):
        """An invoice 45 days overdue lands in 31-60; each bucket opens its own lines."""
        before = {row["bucket"]: row for row in self._data()["overdue"]}
        self._post_invoice(450.0, self.today - timedelta(days=45))
        self._post_invoice(120.0, self.today - timedelta(days=100))
        self._post_invoice(999.0, self.today + timedelta(days=10))  # not due yet
        after = {row["bucket"]: row for row in self._data()["overdue"]}
        self.assertEqual(after["31_60"]["count"], before["31_60"]["count"] + 1)
        self.assertAlmostEqual(after["31_60"]["amount"], before["31_60"]["amount"] + 450.0)
        self.assertAlmostEqual(after["90_plus"]["amount"], before["90_plus"]["amount"] + 120.0)
        self.assertEqual(after["1_30"], before["1_30"])
        for bucket, row in after.items():
            lines = self._records("overdue", bucket)
            self.assertEqual(len(lines), row["count"], bucket)
            self.assertAlmostEqual(sum(lines.mapped("amount_residual")), row["amount"], 2)

    def test_top_customers_lowest_score_first(self):
        """The worst-scored customer with money at stake heads the list, which its tile opens."""
        worst = self._graded("Dash Worst", "E", 0, 1_000_000.0)
        self._graded("Dash Nothing At Stake", "E", 0, 0.0)
        top = self._data()["top_customers"]
        self.assertEqual(top[0]["id"], worst.id)
        self.assertNotIn("Dash Nothing At Stake", [row["name"] for row in top])
        self.assertLessEqual(len(top), 10)
        self.assertEqual(set(self._records("top_customers").ids), {row["id"] for row in top})

    def test_gear_out_by_replacement_value(self):
        """A camera out adds its replacement value; the tile opens the serials out."""
        before = self._data()["gear_out"]
        self._as_life_cycle(self.lot_1, rental_state="out", rental_partner_id=self.customer.id)
        after = self._data()["gear_out"]
        self.assertEqual(after["count"], before["count"] + 1)
        self.assertAlmostEqual(after["value"], before["value"] + 5000.0)
        lots = self._records("gear_out")
        self.assertEqual(len(lots), after["count"])
        self.assertAlmostEqual(sum(lots.mapped("rental_replacement_value")), after["value"], 2)
        camera = self._records("gear_out", self.camera.id)
        self.assertIn(self.lot_1, camera)
        row = next(p for p in after["products"] if p["id"] == self.camera.id)
        self.assertEqual(row["count"], len(camera))

    def test_claims_of_this_month(self):
        """A claim dated today counts with its assessed amount; last month's does not."""
        self._rented(self.lot_2, datetime(2024, 1, 8, 9, 0), 3)
        before = self._data()["claims"]
        Claim = self.env["rental.damage.claim"]
        values = {
            "lot_id": self.lot_2.id,
            "partner_id": self.customer.id,
            "description": "Cracked LCD",
            "assessed_amount": 320.0,
        }
        Claim.create(values)
        Claim.create(dict(values, date=self.today.replace(day=1) - timedelta(days=1)))
        after = self._data()["claims"]
        self.assertEqual(after["count"], before["count"] + 1)
        self.assertAlmostEqual(after["amount"], before["amount"] + 320.0)
        claims = self._records("claims")
        self.assertEqual(len(claims), after["count"])
        self.assertAlmostEqual(sum(claims.mapped("assessed_amount")), after["amount"], 2)

    def test_pending_approvals_and_locked_pickups(self):
        """A held order is pending; a blacklisted customer's pickup is locked; tiles match."""
        before = self._data()
        held = self._order().with_user(self.rental_user)
        held.action_confirm()
        self.assertEqual(held.rental_risk_approval_state, "waiting")
        self.Rule.search([("company_id", "=", self.company.id)]).active = False
        confirmed = self._order(lots=self.lot_3)
        confirmed.action_confirm()
        self._blacklist()
        after = self._data()
        self.assertEqual(after["approvals"]["count"], before["approvals"]["count"] + 1)
        self.assertAlmostEqual(
            after["approvals"]["amount"], before["approvals"]["amount"] + held.amount_total, 2
        )
        orders = self._records("approvals")
        self.assertIn(held, orders)
        self.assertEqual(len(orders), after["approvals"]["count"])
        self.assertEqual(after["locks"]["count"], before["locks"]["count"] + 1)
        self.assertEqual(after["locks"]["blacklisted"], before["locks"]["blacklisted"] + 1)
        pickups = self._records("locks")
        self.assertIn(self._pickup(confirmed), pickups)
        self.assertEqual(len(pickups), after["locks"]["count"])

    def test_rental_user_is_refused(self):
        """A Rental User (not a Risk Officer) gets neither the figures nor the tiles' records."""
        with self.assertRaises(AccessError):
            self._data(self.rental_user)
        with self.assertRaises(AccessError):
            self.Dashboard.with_user(self.rental_user).action_open_tile("grades", "A")
        self.assertTrue(self._data(self.manager)["grades"])

    def test_other_company_is_refused(self):
        """An officer cannot read the dashboard of a company they do not work in."""
        other = self.env["res.company"].create({"name": "Dash Other Company"})
        self.assertNotIn(other, self.officer.company_ids)
        with self.assertRaises(AccessError):
            self.Dashboard.with_user(self.officer).get_dashboard_data(other.id)


@tagged("post_install", "-at_install")
class TestRentalAssetReport(DashboardCommon):
    """Asset analytics: utilization, damage rate, idle gear and losses of planted serials."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The last 30-day month before this one: a serial in the fleet all month long.
        month = cls.today.replace(day=1) - relativedelta(months=1)
        while calendar.monthrange(month.year, month.month)[1] != 30:
            month -= relativedelta(months=1)
        cls.month = month
        cls.product = cls._create_rental_product(
            "Dash Report Light", "DRL", 50.0, replacement=800.0
        )
        cls.lot = cls._create_lots(cls.product, ["DRL-01"])
        cls.lot.rental_acquisition_date = month - relativedelta(months=2)
        start = datetime.combine(month + timedelta(days=4), datetime.min.time())
        cls.booking = cls._rented(cls.lot, start, 10)

    def _group(self, domain, fields_=("booked_days:sum", "available_days:sum", "utilization:sum")):
        Report = self.env["rental.asset.report"].with_user(self.officer)
        return Report.read_group(domain, list(fields_), ["product_id"], lazy=False)

    def test_serial_booked_ten_of_thirty_days(self):
        """Booked 10 days of a 30-day month: 33.3 % utilization, as row and as group."""
        domain = [("lot_id", "=", self.lot.id), ("month", "=", self.month)]
        row = self.env["rental.asset.report"].with_user(self.officer).search(domain)
        self.assertEqual(len(row), 1)
        self.assertAlmostEqual(row.available_days, 30.0)
        self.assertAlmostEqual(row.booked_days, 10.0)
        self.assertAlmostEqual(row.utilization, 33.3, 1)
        self.assertEqual(row.rental_count, 1)
        [group] = self._group(domain)
        self.assertAlmostEqual(group["utilization"], 33.3, 1)
        # Over the three months in the fleet up to that one, the ratio of the sums (not a sum
        # of ratios): 10 booked days of 30 + 31 + 31 or so.
        since = self.month - relativedelta(months=2)
        [group] = self._group(
            [("lot_id", "=", self.lot.id), ("month", ">=", since), ("month", "<=", self.month)]
        )
        expected = 100.0 * 10 / group["available_days"]
        self.assertAlmostEqual(group["utilization"], round(expected, 1), 1)

    def test_rental_user_cannot_read_the_report(self):
        """Asset analytics are for Risk Officers: a Rental User is refused."""
        with self.assertRaises(AccessError):
            self.env["rental.asset.report"].with_user(self.rental_user).search([])
        self.assertTrue(self.env["rental.asset.report"].with_user(self.officer).search([]))

    def test_damage_rate_idle_days_and_loss_value(self):
        """A claim on one rental is a 100 % damage rate; a lost serial shows its value."""
        self.env["rental.damage.claim"].create(
            {
                "lot_id": self.lot.id,
                "partner_id": self.customer.id,
                "description": "Broken lamp",
                "date": self.month + timedelta(days=20),
            }
        )
        domain = [("lot_id", "=", self.lot.id), ("month", "=", self.month)]
        [group] = self._group(domain, ("claim_count:sum", "rental_count:sum", "damage_rate:sum"))
        self.assertEqual(group["claim_count"], 1)
        self.assertAlmostEqual(group["damage_rate"], 100.0)
        # The report is a SQL view: its "today" is the database's (UTC), not the user's.
        self.env.cr.execute("SELECT CURRENT_DATE")
        [[db_today]] = self.env.cr.fetchall()
        current = [("lot_id", "=", self.lot.id), ("month", "=", db_today.replace(day=1))]
        row = self.env["rental.asset.report"].search(current)
        # Idle since it came back from its rental.
        self.assertEqual(row.idle_days, (db_today - self.booking.date_end.date()).days)
        self._as_life_cycle(self.lot, rental_state="lost")
        self.env.flush_all()
        row.invalidate_recordset()
        self.assertAlmostEqual(row.loss_value, 800.0)
        self.assertEqual(row.idle_days, 0)


@tagged("post_install", "-at_install")
class TestRiskDashboardTour(DashboardCommon, HttpCase):
    """The dashboard in the browser: a Risk Officer clicks a tile and lands on its records."""

    def test_officer_opens_pending_approvals(self):
        """The approvals tile opens the held order of the tour customer."""
        self.officer.tour_enabled = False
        self.customer.name = "Tour Dashboard Customer"
        self._graded("Dash Tour Graded", "E", 10, 10.0)
        held = self._order().with_user(self.rental_user)
        held.action_confirm()
        self.assertEqual(held.rental_risk_approval_state, "waiting")
        self.start_tour(
            "/odoo/rental-risk-dashboard", "rental_risk_dashboard", login=self.officer.login
        )

    def test_officer_opens_a_report_from_the_header(self):
        """The header's Risk Distribution link opens the report's graph."""
        self.officer.tour_enabled = False
        self._graded("Dash Tour Report", "D", 35, 10.0)
        self.start_tour(
            "/odoo/rental-risk-dashboard",
            "rental_risk_dashboard_reports",
            login=self.officer.login,
        )
