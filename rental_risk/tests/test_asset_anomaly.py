from datetime import timedelta

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common_anomaly import AnomalyCommon


@tagged("post_install", "-at_install")
class TestAssetAnomaly(AnomalyCommon):
    """The daily anomaly report: each check finds its planted case and nothing else, a run
    again sees the same anomalies, a fixed one gets its "fixed since"."""

    def test_clean_company_has_no_anomaly(self):
        """Serials on the shelf, nothing booked: the report finds nothing."""
        run = self._run()
        self.assertEqual(self._open(), set())
        self.assertEqual((run.found_count, run.new_count, run.fixed_count), (0, 0, 0))

    def test_out_but_not_in_rental_location(self):
        self._as_life_cycle(self.co_lot, rental_state="out")
        self._run()
        self.assertEqual(self._open(), {("state_location", "stock.lot", self.co_lot.id)})

    def test_available_in_rental_location(self):
        self._to_rental_location(self.co_lot)
        self._run()
        self.assertEqual(self._open(), {("state_location", "stock.lot", self.co_lot.id)})

    def test_out_on_rental_without_open_rental(self):
        """Out and in the Out on Rental location, but no booking out; a booking out clears
        it."""
        self._to_rental_location(self.co_lot)
        self._as_life_cycle(self.co_lot, rental_state="out")
        self._run()
        self.assertEqual(self._open(), {("out_no_rental", "stock.lot", self.co_lot.id)})
        booking = self._book(self.co_lot, self._days_ago(1), self.now + timedelta(days=1))
        booking.state = "out"
        self._run()
        self.assertEqual(self._open(), set())

    def test_booking_on_retired_or_lost_serial(self):
        booking = self._book(self.co_lot)
        other = self._book(self.co_lot_2)
        self._as_life_cycle(self.co_lot, rental_state="retired")
        self._run()
        self.assertEqual(self._open(), {("booking_retired", "rental.booking", booking.id)})
        self._as_life_cycle(self.co_lot_2, rental_state="lost")
        self._run()
        self.assertEqual(
            self._open(),
            {
                ("booking_retired", "rental.booking", booking.id),
                ("booking_retired", "rental.booking", other.id),
            },
        )

    def _returned_order_with_deposit(self, returned_days_ago, lot):
        order = self._co_order()
        line = order.order_line
        booking = self._book(
            lot,
            self._days_ago(returned_days_ago + 2),
            self._days_ago(returned_days_ago),
            order_line_id=line.id,
        )
        booking.state = "returned"
        deposit = self.env["sale.order.line"].create(
            {"order_id": order.id, "product_id": self.plain_product.id, "product_uom_qty": 1}
        )
        self._sql(
            "UPDATE sale_order SET state = 'sale' WHERE id = %s; "
            "UPDATE sale_order_line SET is_rental_deposit = TRUE, qty_invoiced = 1 "
            "WHERE id = %s",
            [order.id, deposit.id],
        )
        return order

    def test_deposit_not_settled_after_delay(self):
        """Returned 8 days ago (delay 7): listed; 6 days ago: not yet; settled: not."""
        self.assertEqual(self.co.rental_anomaly_deposit_days, 7)
        late = self._returned_order_with_deposit(8, self.co_lot)
        self._returned_order_with_deposit(6, self.co_lot_2)
        self._run()
        self.assertEqual(self._open(), {("deposit_unsettled", "sale.order", late.id)})
        self.env["rental.deposit.settlement"].create({"order_id": late.id})
        self._run()
        self.assertEqual(self._open(), set())

    def _late_line(self, late_days):
        order = self._co_order()
        line = order.order_line
        self._sql(
            "UPDATE sale_order SET state = 'sale' WHERE id = %s; "
            "UPDATE sale_order_line SET rental_is_late = TRUE, rental_end = %s WHERE id = %s",
            [order.id, self._days_ago(late_days), line.id],
        )
        return line

    def test_late_rental_without_follow_up(self):
        """Late 5 days (delay 3) with no reminder, message or activity: listed; late 2 days:
        not yet; a message to the customer fixes it."""
        self.assertEqual(self.co.rental_anomaly_late_days, 3)
        line = self._late_line(5)
        self._late_line(2)
        self._run()
        self.assertEqual(self._open(), {("late_no_action", "sale.order.line", line.id)})
        line.order_id.message_post(body="Called the customer", message_type="comment")
        self._run()
        self.assertEqual(self._open(), set())

    def test_late_rental_with_planned_activity_is_followed(self):
        line = self._late_line(5)
        line.order_id.activity_schedule(
            "mail.mail_activity_data_call", user_id=self.salesman.id, summary="Call them"
        )
        self._run()
        self.assertEqual(self._open(), set())

    def _release(self, order, days_ago):
        with self.env["rental.risk.decision"]._open_guard():
            return self.env["rental.risk.decision"].create(
                {
                    "kind": "release",
                    "user_id": self.manager.id,
                    "company_id": self.co.id,
                    "order_id": order.id,
                    "partner_id": self.customer.id,
                    "reason": "Customer paid in cash",
                    "date": self._days_ago(days_ago),
                }
            )

    def test_pickup_released_by_override_in_last_day(self):
        today = self._co_order()
        self._release(today, 0)
        self._release(self._co_order(), 2)
        self._run()
        anomalies = self.env["rental.anomaly"].search([("company_id", "=", self.co.id)])
        self.assertEqual(self._open(), {("release_override", "sale.order", today.id)})
        self.assertEqual(anomalies.user_id, self.manager, "owner: who released the pickup")

    def _readings(self, lot, values):
        Reading = self.env["rental.asset.reading"]
        return Reading.browse(
            [
                Reading.create({"lot_id": lot.id, "value": value, "date": self._days_ago(days)}).id
                for days, value in values
            ]
        )

    def test_counter_decrease(self):
        """A reading lower than the previous one (the form refuses it, an import does not)."""
        readings = self._readings(self.co_lot, [(3, 100), (2, 200), (1, 300)])
        self._sql("UPDATE rental_asset_reading SET value = 50 WHERE id = %s", [readings[1].id])
        self._run()
        self.assertEqual(
            self._open(), {("counter_decrease", "rental.asset.reading", readings[1].id)}
        )

    def test_counter_jump(self):
        """Above the product's usage per day at most (per day elapsed, a day at least)."""
        self.camera.rental_counter_max_per_day = 100
        readings = self._readings(self.co_lot, [(3, 0), (2, 100), (1, 201)])
        self._readings(self.co_lot_2, [(4, 0), (2, 200)])  # 2 days: 200 is fine
        self._run()
        self.assertEqual(self._open(), {("counter_jump", "rental.asset.reading", readings[2].id)})
        self.camera.rental_counter_max_per_day = 0
        self._run()
        self.assertEqual(self._open(), set(), "0 checks nothing")

    def test_run_twice_same_anomalies_then_fixed_since(self):
        self._as_life_cycle(self.co_lot, rental_state="out")
        first = self._run()
        anomaly = self.env["rental.anomaly"].search([("company_id", "=", self.co.id)])
        self.assertEqual(len(anomaly), 1)
        self.assertEqual((first.found_count, first.new_count), (1, 1))
        second = self._run()
        self.assertEqual(
            self.env["rental.anomaly"].search([("company_id", "=", self.co.id)]), anomaly
        )
        self.assertEqual((second.found_count, second.new_count), (1, 0))
        self.assertEqual(anomaly.first_run_id, first)
        self.assertEqual(anomaly.run_id, second)
        self.assertFalse(anomaly.fixed_since)
        # Fixed: the next run stamps it, and it stays one record.
        self._as_life_cycle(self.co_lot, rental_state="available")
        third = self._run()
        self.assertEqual(third.fixed_count, 1)
        self.assertEqual(anomaly.fixed_since, third.date)
        self.assertEqual(anomaly.fixed_run_id, third)
        self.assertFalse(anomaly.is_open)
        self._run()
        self.assertEqual(anomaly.fixed_since, third.date, "fixed stays fixed")
        # Back again: a new anomaly, the fixed one is history.
        self._as_life_cycle(self.co_lot, rental_state="out")
        self._run()
        again = self.env["rental.anomaly"].search(
            [("company_id", "=", self.co.id), ("is_open", "=", True)]
        )
        self.assertEqual(len(again), 1)
        self.assertNotEqual(again, anomaly)

    def test_digest_mailed_to_risk_officers_once_a_day(self):
        self._as_life_cycle(self.co_lot, rental_state="out")
        run = self._run()
        run._rental_anomaly_notify()
        mail = self.env["mail.mail"].search(
            [("model", "=", "rental.anomaly.run"), ("res_id", "=", run.id)]
        )
        self.assertEqual(len(mail), 1)
        self.assertIn(self.officer.partner_id, mail.recipient_ids)
        self.assertIn(f"/odoo/stock.lot/{self.co_lot.id}", mail.body_html)
        self.assertIn("ACAM-01", mail.body_html)
        self.assertTrue(run.mailed)
        # New anomalies are also a routed alert (credit control, by system message).
        alert = self.env["rental.risk.alert"].search(
            [("kind", "=", "anomaly"), ("res_model", "=", run._name), ("res_id", "=", run.id)]
        )
        self.assertEqual(len(alert), 1)
        self.assertIn(self.officer, alert.message_user_ids)
        self.assertTrue(
            self.env["mail.message"].search(
                [("model", "=", "rental.risk.alert"), ("res_id", "=", alert.id)]
            )
        )
        again = self._run()
        again._rental_anomaly_notify()
        self.assertFalse(again.mailed, "nothing new: no second digest the same day")
        self.assertFalse(
            self.env["rental.risk.alert"].search(
                [("kind", "=", "anomaly"), ("res_model", "=", run._name), ("res_id", "=", again.id)]
            ),
            "nothing new: no second alert",
        )

    def test_cron_runs_every_company(self):
        self._as_life_cycle(self.co_lot, rental_state="out")
        Run = self.env["rental.anomaly.run"]
        pending = Run._companies_to_check()
        self.assertIn(self.co, pending)
        for _company in pending:
            Run._cron_check_anomalies()
        self.assertFalse(Run._companies_to_check(), "one company per call, each once a day")
        self.assertEqual(self._open(), {("state_location", "stock.lot", self.co_lot.id)})
        self.assertTrue(
            self.env["rental.anomaly.run"].search([("company_id", "=", self.env.company.id)])
        )

    def test_nobody_writes_anomalies(self):
        """Create, write and delete are refused for every role, administrator and superuser
        included; Risk Officers and Managers read."""
        self._as_life_cycle(self.co_lot, rental_state="out")
        run = self._run()
        anomaly = self.env["rental.anomaly"].search([("company_id", "=", self.co.id)])
        admin = self.env.ref("base.user_admin")
        for user in (self.officer, self.manager, self.manager):
            user.company_ids |= self.co
        for user in (self.rental_user, self.warehouse_user, self.officer, self.manager, admin):
            env = self.env(user=user, context={"allowed_company_ids": [self.co.id]})
            with self.subTest(user=user.login), self.assertRaises(UserError):
                env["rental.anomaly"].create(
                    {
                        "kind": "state_location",
                        "res_model": "stock.lot",
                        "res_id": self.co_lot_2.id,
                        "company_id": self.co.id,
                        "first_seen": self.now,
                        "last_seen": self.now,
                    }
                )
            for vals in ({"fixed_since": self.now}, {"user_id": user.id}, {"kind": "counter_jump"}):
                with (
                    self.subTest(user=user.login, vals=vals),
                    self.assertRaises(UserError),
                ):
                    anomaly.with_env(env).write(vals)
            with self.subTest(user=user.login), self.assertRaises(UserError):
                run.with_env(env).write({"fixed_count": 0})
        for user in (self.officer, self.manager):
            env = self.env(user=user, context={"allowed_company_ids": [self.co.id]})
            self.assertEqual(anomaly.with_env(env).kind, "state_location")
        # The superuser is refused too: only the report's own code writes behind the guard.
        with self.assertRaisesRegex(UserError, "cannot be created or changed by hand"):
            anomaly.sudo().write({"fixed_since": self.now})
        with self.assertRaises(UserError):
            anomaly.sudo().unlink()
        with self.assertRaises(UserError):
            run.sudo().unlink()
        self.assertFalse(anomaly.fixed_since)


@tagged("post_install", "-at_install")
class TestAssetAnomalyDemo(AnomalyCommon):
    """The report on the demo company: only the kinds its demo story plants."""

    #: What the demo data holds that the report should list: the late rental of its story,
    #: flagged late with nobody following it up.
    EXPECTED_DEMO_KINDS = {"late_no_action"}

    def test_demo_company_kinds(self):
        company = self.env.ref("base.main_company")
        first = self.env["rental.anomaly.run"]._run(company)
        anomalies = self.env["rental.anomaly"].search(
            [("company_id", "=", company.id), ("fixed_since", "=", False)]
        )
        kinds = set(anomalies.mapped("kind"))
        self.assertLessEqual(kinds, self.EXPECTED_DEMO_KINDS, anomalies.mapped("name"))
        second = self.env["rental.anomaly.run"]._run(company)
        self.assertEqual(second.new_count, 0)
        self.assertEqual(second.found_count, first.found_count)
        self.assertEqual(
            self.env["rental.anomaly"].search([("company_id", "=", company.id)]), anomalies
        )


@tagged("post_install", "-at_install")
class TestAssetAnomalyRunNow(AnomalyCommon):
    def test_run_now_by_risk_officers_only(self):
        self._as_life_cycle(self.co_lot, rental_state="out")
        Run = self.env["rental.anomaly.run"].with_context(allowed_company_ids=[self.co.id])
        with self.assertRaises(UserError):
            Run.with_user(self.rental_user).action_run_now()
        self.assertEqual(self._open(), set())
        action = Run.with_user(self.officer).action_run_now()
        self.assertEqual(action["res_model"], "rental.anomaly")
        self.assertEqual(self._open(), {("state_location", "stock.lot", self.co_lot.id)})

    def test_settings_in_range(self):
        with self.assertRaises(ValidationError):
            self.co.rental_anomaly_deposit_days = -1
        with self.assertRaises(ValidationError):
            self.co.rental_buy_utilization = 120.0
        with self.assertRaises(ValidationError):
            self.co.rental_retire_repair_count = 0
