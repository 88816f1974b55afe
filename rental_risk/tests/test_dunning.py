import io
from datetime import timedelta
from unittest.mock import patch

import openpyxl

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.base.models.ir_mail_server import IrMailServer

from .common_risk import RiskCommon


@tagged("post_install", "-at_install")
class TestDunning(RiskCommon):
    """The dunning ladder: levels sent once per episode of debt, stopped by a payment, paused
    by a promise, holding orders and pickups; runs reviewed and sent by credit control."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Credit control's day: promises and runs are dated in the acting user's time zone
        # (the officer's, UTC here), which is not the admin's (Europe/Brussels in demo data).
        cls.today = fields.Date.context_today(cls.env.user.with_user(cls.officer))
        cls.customer.email = "accounts@customer.example.com"
        cls.policy = cls.env.ref("rental_risk.rental_dunning_policy_default")
        cls.policy.company_id = cls.company
        cls.reminder = cls.env.ref("rental_risk.rental_dunning_level_reminder")
        cls.call = cls.env.ref("rental_risk.rental_dunning_level_call")
        cls.hold = cls.env.ref("rental_risk.rental_dunning_level_hold")
        cls.accountant = new_test_user(
            cls.env, login="dunning_accountant", groups="account.group_account_invoice"
        )

    def _run(self, date=None):
        run = (
            self.env["rental.dunning.run"]
            .with_user(self.officer)
            .create({"company_id": self.company.id, "date": date or self.today})
        )
        run.action_propose()
        return run

    def _lines(self, run):
        return run.line_ids.filtered(lambda line: line.partner_id == self.customer)

    def _pay(self, invoice):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()

    def test_level_sent_once_and_only_once(self):
        """A reminder 10 days overdue is proposed, sent once (a queued e-mail), and neither the
        same run proposed again nor the next run nor the daily cron run twice sends it again."""
        invoice = self._post_invoice(300.0, self.today - timedelta(days=10))
        run = self._run()
        line = self._lines(run)
        self.assertEqual(line.level_id, self.reminder)
        self.assertEqual(line.sudo().review_invoice_ids, invoice)
        self.assertFalse(line.sudo().invoice_ids)
        self.assertEqual(line.amount_overdue, 300.0)
        self.assertEqual(line.days_overdue, 10)
        line.with_user(self.officer).action_send()
        self.assertEqual(line.state, "sent")
        self.assertEqual(line.sudo().invoice_ids, invoice)
        self.assertEqual(line.mail_id.state, "outgoing")
        self.assertEqual(line.mail_id.recipient_ids, self.customer)
        self.assertIn(invoice.name, line.mail_id.body_html)
        run.with_user(self.officer).action_propose()
        self.assertEqual(self._lines(run), line)
        self.assertFalse(self._lines(self._run()))
        cron_model = self.env["rental.dunning.run"]
        self.reminder.auto_send = True
        for _call in range(3):
            cron_model._cron_dunning()
        sent = self.env["rental.dunning.line"].search(
            [("partner_id", "=", self.customer.id), ("state", "=", "sent")]
        )
        self.assertEqual(sent, line)
        self.assertEqual(self.customer.invoice_ids.rental_dunning_line_ids, line)
        self.assertTrue(self._events("dunning", partner=self.customer))

    def test_next_level_follows_and_cron_sends_automatic_levels(self):
        """Each level once: the reminder sent at 10 days, the formal notice at 25 days."""
        self._post_invoice(300.0, self.today - timedelta(days=25))
        self.reminder.auto_send = True
        formal = self.env.ref("rental_risk.rental_dunning_level_formal")
        formal.auto_send = True
        for _call in range(2):
            self.env["rental.dunning.run"]._cron_dunning()
        sent = self.env["rental.dunning.line"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(sent.level_id, formal)
        self.assertEqual(sent.state, "sent")
        self.env["rental.dunning.run"]._cron_dunning()
        self.assertEqual(
            self.env["rental.dunning.line"].search_count([("partner_id", "=", self.customer.id)]),
            1,
        )

    def test_payment_stops_the_ladder(self):
        """Paid before sending: the line is skipped, nothing sent; paid afterwards: no line
        and the holds end."""
        invoice = self._post_invoice(300.0, self.today - timedelta(days=40))
        run = self._run()
        line = self._lines(run)
        self.assertEqual(line.level_id, self.call)
        self._pay(invoice)
        line.with_user(self.officer).action_send()
        self.assertEqual(line.state, "skipped")
        self.assertFalse(line.mail_id)
        self.assertFalse(self._lines(self._run()))

    def test_promise_pauses_the_ladder(self):
        """A promise to pay by a date pauses the customer's dunning until then."""
        self._post_invoice(300.0, self.today - timedelta(days=10))
        self.env["rental.dunning.promise"].with_user(self.officer).create(
            {
                "partner_id": self.customer.id,
                "date_promised": self.today + timedelta(days=5),
                "amount": 300.0,
                "company_id": self.company.id,
            }
        )
        self.assertFalse(self._lines(self._run()))
        later = self._run(self.today + timedelta(days=6))
        self.assertTrue(self._lines(later))
        self.assertTrue(self._events("promise", partner=self.customer))

    def test_mail_server_down_keeps_mail_queued_and_step_recorded(self):
        """Sending only queues the e-mail: with the mail server down the mail stays queued,
        the step is recorded once, and the next run does not send it again."""
        self._post_invoice(300.0, self.today - timedelta(days=10))
        line = self._lines(self._run())
        line.with_user(self.officer).action_send()
        mail = line.mail_id
        self.assertEqual(mail.state, "outgoing")
        down = ConnectionRefusedError("the mail server is down")
        with (
            patch.object(IrMailServer, "connect", side_effect=down),
            mute_logger("odoo.addons.mail.models.mail_mail"),
        ):
            mail.sudo().send(raise_exception=False)
        self.assertEqual(mail.state, "exception")
        self.assertTrue(mail.exists())
        self.assertEqual(line.state, "sent")
        self.assertFalse(self._lines(self._run()))

    def test_collector_call_and_order_hold(self):
        """At 40 days the collector gets a call to make and new orders wait for credit
        control; the payment ends the hold."""
        invoice = self._post_invoice(300.0, self.today - timedelta(days=40))
        self._lines(self._run()).with_user(self.officer).action_send()
        activity = self.customer.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("mail.mail_activity_data_call")
        )
        self.assertEqual(activity.user_id, self.rental_user)
        self.assertTrue(self.customer.rental_dunning_hold_orders)
        self.Rule.with_context(active_test=False).search(
            [("company_id", "=", self.company.id), ("default_key", "=", "dunning_hold")]
        ).active = True
        order = self._order()
        order.action_confirm()
        self.assertEqual(order.rental_risk_approval_state, "waiting")
        self._pay(invoice)
        self.customer.invalidate_recordset()
        self.assertFalse(self.customer.rental_dunning_hold_orders)
        self.assertFalse(self.customer.rental_dunning_level_id)

    def test_pickup_hold(self):
        """A level holding pickups locks the customer's rental gear until paid."""
        order = self._order()
        order.action_confirm()
        self.company.rental_risk_lock_overdue = False
        self._post_invoice(300.0, self.today - timedelta(days=55))
        self._lines(self._run()).with_user(self.officer).action_send()
        pickup = self._pickup(order)
        with self.assertRaisesRegex(UserError, "holds pickups"):
            self._validate(pickup)

    def test_lines_and_promises_cannot_be_written_around(self):
        """Nobody creates a line, changes its state or its history, nor edits a promise, by a
        raw write; the salesperson, the accountant and the warehouse cannot run dunning."""
        self._post_invoice(300.0, self.today - timedelta(days=10))
        line = self._lines(self._run())
        for user in (self.officer, self.manager, self.env.ref("base.user_admin")):
            with self.assertRaises(UserError):
                line.with_user(user).write({"state": "sent"})
            with self.assertRaises(UserError):
                line.with_user(user).write({"level_id": self.hold.id})
            with self.assertRaises(UserError):
                self.env["rental.dunning.line"].with_user(user).create(
                    {
                        "run_id": line.run_id.id,
                        "company_id": self.company.id,
                        "partner_id": self.customer.id,
                        "level_id": self.reminder.id,
                    }
                )
        with self.assertRaises(UserError):
            line.invoice_ids.sudo().write({"rental_dunning_line_ids": [(5,)]})
        for user in (self.rental_user, self.accountant, self.warehouse_user):
            with self.assertRaises(AccessError):
                line.with_user(user).action_send()
            with self.assertRaises(AccessError):
                self.env["rental.dunning.run"].with_user(user).create(
                    {"company_id": self.company.id}
                ).action_propose()
        self.assertEqual(line.state, "proposed")
        # The accountant reads the history.
        self.assertEqual(line.with_user(self.accountant).level_id, self.reminder)
        line.with_user(self.officer).action_send()
        with self.assertRaises(UserError):
            line.with_user(self.manager).unlink()
        with self.assertRaises(UserError):
            line.run_id.with_user(self.officer).unlink()
        with self.assertRaises(UserError):
            line.run_id.with_user(self.officer).write({"processed": True})
        with self.assertRaises(UserError):
            line.with_user(self.manager).write({"level_days": 1})
        self.assertTrue(line.exists())
        promise = (
            self.env["rental.dunning.promise"]
            .with_user(self.officer)
            .create({"partner_id": self.customer.id, "date_promised": self.today, "amount": 10.0})
        )
        with self.assertRaises(UserError):
            promise.with_user(self.manager).write({"date_promised": self.today + timedelta(9)})
        with self.assertRaises(UserError):
            promise.with_user(self.manager).unlink()
        with self.assertRaises(UserError):
            self.env["rental.dunning.promise"].with_user(self.officer).create(
                {"partner_id": self.customer.id, "date_promised": self.today - timedelta(1)}
            )

    def test_run_form_review_and_send(self):
        """Credit control proposes from the form and sends everything in one click."""
        self._post_invoice(300.0, self.today - timedelta(days=10))
        with Form(self.env["rental.dunning.run"].with_user(self.officer)) as form:
            form.date = self.today
        run = form.save()
        run.action_propose()
        self.assertTrue(run.to_review_count)
        run.action_send_all()
        self.assertEqual(self._lines(run).state, "sent")
        self.assertFalse(run.to_review_count)

    def test_dunning_history_register(self):
        """The Excel dunning history lists the levels sent, for credit control and finance."""
        self._post_invoice(300.0, self.today - timedelta(days=10))
        self._lines(self._run()).with_user(self.officer).action_send()
        name, content = (
            self.env["rental.xlsx.register"]
            .with_user(self.accountant)
            ._export("dunning", self.company)
        )
        self.assertTrue(name.endswith(".xlsx"))
        sheet = openpyxl.load_workbook(io.BytesIO(content))["Dunning"]
        rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
        row = next(r for r in rows if self.customer.name in (r[1] or ""))
        self.assertEqual(row[3], "Reminder")
        self.assertEqual(row[6], 300.0)
        with self.assertRaises(AccessError):
            self.env["rental.xlsx.register"].with_user(self.rental_user)._export(
                "dunning", self.company
            )
        # From the list's action menu, for the selected lines.
        line = self.env["rental.dunning.line"].search([("partner_id", "=", self.customer.id)])
        wizard = (
            self.env["rental.xlsx.export"]
            .with_user(self.officer)
            .with_context(active_model="rental.dunning.line", active_ids=line.ids)
            .create({})
        )
        self.assertEqual(wizard.register, "dunning")
        self.assertEqual(wizard.dunning_line_ids, line)
        action = wizard.action_export()
        self.assertIn("/web/content", action["url"])

    def test_collection_figures(self):
        """Average days to pay, share overdue by more than 30 days, promises kept."""
        paid = self._post_invoice(100.0, self.today - timedelta(days=50))
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=paid.ids
        ).create({"payment_date": self.today - timedelta(days=30)})._create_payments()
        self._post_invoice(300.0, self.today - timedelta(days=40))
        self._post_invoice(100.0, self.today - timedelta(days=5))
        self.customer.invalidate_recordset()
        self.assertAlmostEqual(self.customer.rental_avg_days_to_pay, 20.0)
        self.assertAlmostEqual(self.customer.rental_overdue_30_share, 75.0)
        self.assertEqual(self.customer.rental_promise_kept_rate, 0.0)
        # The company's figures in the dashboard's data: the same aggregates over every
        # customer, checked against a plain walk over the records.
        data = (
            self.env["rental.risk.dashboard"]
            .with_user(self.officer)
            .get_dashboard_data(self.company.id)["collections"]
        )
        invoices = self.env["account.move"].search(
            [
                ("company_id", "=", self.company.id),
                ("state", "=", "posted"),
                ("move_type", "=", "out_invoice"),
                ("amount_residual_signed", "!=", 0),
            ]
        )
        today = fields.Date.context_today(self.env["res.partner"].with_user(self.officer))
        late = invoices.filtered(lambda m: m.invoice_date_due < today - timedelta(days=30))
        share = (
            100.0
            * sum(late.mapped("amount_residual_signed"))
            / sum(invoices.mapped("amount_residual_signed"))
        )
        self.assertAlmostEqual(data["overdue_30_share"], round(share, 1))
        partials = self.env["account.partial.reconcile"].search(
            [
                ("debit_move_id.move_id.company_id", "=", self.company.id),
                ("debit_move_id.move_id.move_type", "=", "out_invoice"),
                ("debit_move_id.move_id.state", "=", "posted"),
                ("credit_move_id.journal_id.type", "!=", "sale"),
            ]
        )
        days = sum(
            p.amount * (p.max_date - p.debit_move_id.move_id.invoice_date).days for p in partials
        ) / sum(partials.mapped("amount"))
        self.assertAlmostEqual(data["avg_days_to_pay"], round(days, 1))
        self.assertIn("promise_kept_rate", data)
