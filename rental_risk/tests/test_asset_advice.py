from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import RentalCommon


@tagged("post_install", "-at_install")
class TestAssetAdvice(RentalCommon):
    """Retire-or-buy advice: the retirement rule of the seeds (two repairs within 60 days,
    older than two years) fires on its example and not one day earlier; the buy rule wants a
    busy product and requests turned away; a Risk Manager retires or dismisses."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Advice = cls.env["rental.asset.advice"]
        cls.today = fields.Date.context_today(cls.Advice)
        cls.lot = cls.lot_1

    def _repair_on(self, lot, days_ago):
        """Send ``lot`` to repair and back, the repair dated ``days_ago`` days ago (noon UTC)."""
        lot.with_user(self.warehouse_user).action_rental_send_to_repair()
        self.env.flush_all()
        self.env.cr.precommit.run()  # write the tracked status change now
        message = self.env["mail.message"].search(
            [("model", "=", "stock.lot"), ("res_id", "=", lot.id)], order="id desc", limit=1
        )
        self.assertTrue(message.tracking_value_ids, "the status change is tracked")
        day = self.today - timedelta(days=days_ago)
        self.env.cr.execute(
            "UPDATE mail_message SET date = %s WHERE id = %s",
            [datetime.combine(day, time(12)), message.id],
        )
        lot.with_user(self.warehouse_user).action_rental_mark_available()
        self.env.flush_all()
        self.env.cr.precommit.run()

    def _acquired(self, lot, **delta):
        lot.rental_acquisition_date = self.today - relativedelta(**delta)

    def _retire_advice(self, lot=None):
        self.Advice._refresh(self.env.company, today=self.today)
        return self.Advice.search([("lot_id", "=", (lot or self.lot).id), ("kind", "=", "retire")])

    def test_retire_rule_fires_on_seed_example(self):
        """Two repairs within 60 days, acquired two years and one day ago: retire."""
        self._acquired(self.lot, years=2, days=1)
        self._repair_on(self.lot, 60)
        self._repair_on(self.lot, 0)
        advice = self._retire_advice()
        self.assertEqual(len(advice), 1)
        self.assertEqual(advice.state, "proposed")
        self.assertEqual(advice.repair_count, 2)
        self.assertEqual(advice.product_id, self.camera)
        self.assertEqual(advice.age_days, (self.today - self.lot.rental_acquisition_date).days)
        self.assertIn("TCAM-01", advice.name)

    def test_retire_rule_not_one_day_younger(self):
        """Acquired two years less one day ago: not yet."""
        self._acquired(self.lot, years=2, days=-1)
        self._repair_on(self.lot, 60)
        self._repair_on(self.lot, 0)
        self.assertFalse(self._retire_advice())

    def test_retire_rule_not_repairs_61_days_apart(self):
        self._acquired(self.lot, years=2, days=1)
        self._repair_on(self.lot, 61)
        self._repair_on(self.lot, 0)
        self.assertFalse(self._retire_advice())

    def test_retire_rule_follows_company_settings(self):
        self._acquired(self.lot, years=2, days=1)
        self._repair_on(self.lot, 0)
        self.assertFalse(self._retire_advice())
        self.env.company.rental_retire_repair_count = 1
        self.assertTrue(self._retire_advice())

    def test_refresh_twice_proposes_once_and_expires(self):
        self._acquired(self.lot, years=3)
        self._repair_on(self.lot, 10)
        self._repair_on(self.lot, 5)
        advice = self._retire_advice()
        self.assertEqual(advice, self._retire_advice())
        self.assertEqual(len(advice), 1)
        self.env.company.rental_retire_repair_count = 3
        self._retire_advice()
        self.assertEqual(advice.state, "expired")

    def test_manager_retires_the_serial(self):
        self._acquired(self.lot, years=3)
        self._repair_on(self.lot, 10)
        self._repair_on(self.lot, 5)
        advice = self._retire_advice()
        for user in (self.officer, self.warehouse_user):
            with (
                self.subTest(user=user.login),
                self.assertRaises(UserError),
            ):  # AccessError included
                advice.with_user(user).action_retire()
        self.assertEqual(self.lot.rental_state, "available")
        advice.with_user(self.manager).action_retire()
        self.assertEqual(self.lot.rental_state, "retired")
        self.assertEqual(advice.state, "done")
        self.assertEqual(advice.decided_by_id, self.manager)
        # A retired serial is not proposed again.
        self.Advice._refresh(self.env.company, today=self.today)
        self.assertEqual(advice.state, "done")
        self.assertEqual(len(self._retire_advice()), 1)

    def test_dismissed_advice_stays_dismissed(self):
        self._acquired(self.lot, years=3)
        self._repair_on(self.lot, 10)
        self._repair_on(self.lot, 5)
        advice = self._retire_advice()
        advice.with_user(self.manager).action_dismiss()
        self.assertEqual(advice.state, "dismissed")
        self.assertEqual(self._retire_advice(), advice, "not proposed again")

    def test_nobody_writes_advice(self):
        self._acquired(self.lot, years=3)
        self._repair_on(self.lot, 10)
        self._repair_on(self.lot, 5)
        advice = self._retire_advice()
        admin = self.env.ref("base.user_admin")
        for user in (self.rental_user, self.officer, self.manager, admin):
            with self.subTest(user=user.login):
                with self.assertRaises(UserError):  # AccessError included
                    advice.with_user(user).write({"state": "dismissed"})
                with self.assertRaises(UserError):  # AccessError included
                    self.Advice.with_user(user).create(
                        {"kind": "buy", "product_id": self.camera.id, "company_id": 1}
                    )
        with self.assertRaises(UserError):
            advice.sudo().write({"repair_count": 0})
        with self.assertRaises(UserError):
            advice.sudo().unlink()
        self.assertEqual(advice.state, "proposed")

    # ------------------------------------------------------------------
    # Buy more
    # ------------------------------------------------------------------

    def _busy_product(self):
        """A product with one serial booked on an order for the whole window."""
        drone = self._create_rental_product("Test Busy Drone", code="TDRONE", day=50.0)
        lot = self._create_lots(drone, ["TDRONE-01"])
        lot.rental_acquisition_date = self.today - timedelta(days=400)
        order = self._create_sale_order(product=drone)
        window_start = (self.today - timedelta(days=self.env.company.rental_buy_days)).replace(
            day=1
        )
        month_end = self.today.replace(day=1) + relativedelta(months=1)
        self._book(
            lot,
            datetime.combine(window_start, time(0)),
            datetime.combine(month_end, time(0)),
            order_line_id=order.order_line.id,
        )
        return drone

    def _turned_away(self, product):
        """A quotation for ``product`` over a past period, never confirmed."""
        quote = self._create_sale_order(product=product)
        now = fields.Datetime.now()
        quote.order_line.write(
            {"rental_start": now - timedelta(days=10), "rental_end": now - timedelta(days=8)}
        )
        return quote

    def _buy_advice(self, product):
        self.Advice._refresh(self.env.company, today=self.today)
        return self.Advice.search([("product_id", "=", product.id), ("kind", "=", "buy")])

    def test_buy_rule_busy_product_with_refused_request(self):
        drone = self._busy_product()
        self.assertFalse(self._buy_advice(drone), "busy, but nobody was turned away")
        self._turned_away(drone)
        advice = self._buy_advice(drone)
        self.assertEqual(len(advice), 1)
        self.assertEqual(advice.refused_count, 1)
        self.assertGreaterEqual(advice.utilization, 85.0)
        advice.with_user(self.manager).action_mark_done()
        self.assertEqual(advice.state, "done")

    def test_buy_rule_needs_utilization(self):
        """Requests turned away on a product booked half of the time are no reason to buy,
        unless the company's threshold is that low."""
        drone = self._busy_product()
        spare = self._create_lots(drone, ["TDRONE-02"])
        spare.rental_acquisition_date = self.today - timedelta(days=400)
        quote = self._turned_away(drone)
        quote.order_line.product_uom_qty = 2  # more than the one free serial
        self.assertFalse(self._buy_advice(drone))
        self.env.company.rental_buy_utilization = 40.0
        advice = self._buy_advice(drone)
        self.assertEqual(advice.refused_count, 1)
        self.assertLess(advice.utilization, 85.0)
