from datetime import date, datetime, timedelta
from unittest.mock import patch

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common_deposit import DepositCommon
from .common_report import ReportHelpers

STATEMENT = "rental_risk.action_report_rental_customer_statement"


class BillingCommon(DepositCommon):
    """Long leases of the lens (30.00 a day, 150.00 a week) billed period by period."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.rental_deposit_enabled = False
        cls.company.rental_billing_min_days = 60
        cls.Run = cls.env["rental.billing.run"]
        cls.accountant = new_test_user(
            cls.env, login="rr_billing_accountant", groups="account.group_account_invoice"
        )

    def _lease_out(self, start, end, product=None):
        """A confirmed lease whose gear was picked up (its first period billed at pickup)."""
        order = self._create_rental_order(product=product or self.lens, start=start, end=end)
        order.action_confirm()
        self._validate(self._pickup(order))
        return order

    def _run_daily(self, first, last, twice=False):
        """The scheduled action run every day from ``first`` to ``last`` (twice a day when
        ``twice``); returns {day: invoices made that day}."""
        made = {}
        day = first
        while day <= last:
            invoices = self.Run._cron_bill_periods(today=day, limit=None)
            if twice:
                again = self.Run._cron_bill_periods(today=day, limit=None)
                self.assertFalse(again, f"the second run of {day} billed again")
            if invoices:
                made[day] = invoices
            day += timedelta(days=1)
        return made

    def _assert_billed_once_in_full(self, order, periods_count):
        line = order.order_line.filtered("is_rental")
        periods = order.rental_billing_period_ids
        self.assertEqual(len(periods), periods_count)
        self.assertEqual(len(set(periods.mapped("date_start"))), periods_count)
        self.assertEqual(len(periods.invoice_id), periods_count, "one invoice per period")
        self.assertTrue(all(inv.state == "posted" for inv in periods.invoice_id))
        self.assertEqual(order.invoice_ids, periods.invoice_id)
        self.assertAlmostEqual(
            sum(periods.invoice_id.mapped("amount_untaxed")), line.price_subtotal
        )
        self.assertAlmostEqual(sum(periods.mapped("amount")), line.price_subtotal)
        self.assertAlmostEqual(line.untaxed_amount_invoiced, line.price_subtotal)
        self.assertEqual(line.qty_invoiced, line.product_uom_qty)
        self.assertEqual(line.qty_to_invoice, 0.0)
        self.assertEqual(line.invoice_status, "invoiced")
        return periods


@tagged("post_install", "-at_install")
class TestPeriodicBilling(BillingCommon):
    """Long leases billed monthly in advance: the first period at pickup, the next on their
    first day, each exactly once."""

    def test_lease_starting_on_a_month_end(self):
        """A 12-month lease from January 31: 12 invoices over the year run daily (twice a
        day), on February 28, March 31, April 30..., adding up to the lease's price."""
        start, end = datetime(2031, 1, 31, 9), datetime(2032, 1, 31, 9)
        order = self._lease_out(start, end)
        self.assertEqual(order.rental_billing_period, "month")
        line = order.order_line.filtered("is_rental")
        self.assertEqual(line.price_unit, 52 * 150.0 + 30.0)  # 365 days
        # The first period is billed at pickup, before the lease starts.
        self.assertEqual(len(order.invoice_ids), 1)
        self.assertEqual(order.rental_billing_period_ids.sequence, 1)
        self.assertEqual(line.qty_to_invoice, 0.0)
        made = self._run_daily(date(2031, 1, 25), date(2032, 2, 5), twice=True)
        self.assertEqual(
            list(made),
            [
                date(2031, 2, 28),
                date(2031, 3, 31),
                date(2031, 4, 30),
                date(2031, 5, 31),
                date(2031, 6, 30),
                date(2031, 7, 31),
                date(2031, 8, 31),
                date(2031, 9, 30),
                date(2031, 10, 31),
                date(2031, 11, 30),
                date(2031, 12, 31),
            ],
        )
        self.assertTrue(all(len(invoices) == 1 for invoices in made.values()))
        periods = self._assert_billed_once_in_full(order, 12)
        self.assertEqual(set(periods.mapped("price_unit")), {652.5})
        self.assertEqual(periods[-1].date_end, end)
        self.assertEqual(periods.invoice_id[-1].invoice_date, date(2031, 12, 31))

    def test_renewed_lease_bills_the_new_price_over_the_periods_to_come(self):
        """A lease billed per period renews through the extension path: the periods billed
        stay as billed, the periods to come share what the new price adds, each once, and
        the line adds up to its new price. Ending it early stays refused once billed."""
        start = datetime(2031, 1, 31, 9)
        order = self._lease_out(start, datetime(2031, 7, 31, 9))
        line = order.order_line.filtered("is_rental")
        old_price = line.price_unit
        made = self._run_daily(date(2031, 1, 25), date(2031, 4, 5))
        self.assertEqual(len(made), 2)
        billed = order.rental_billing_period_ids
        self.assertEqual(len(billed), 3)
        old_prices = billed.mapped("price_unit")
        line._rental_extend(datetime(2032, 1, 31, 9))
        self.assertGreater(line.price_unit, old_price)
        self.assertEqual(billed.mapped("price_unit"), old_prices)
        self._run_daily(date(2031, 4, 6), date(2032, 2, 5), twice=True)
        self._assert_billed_once_in_full(order, 12)
        with self.assertRaisesRegex(UserError, "already invoiced"):
            line._rental_end_early(datetime(2031, 12, 1, 9))

    def test_lease_over_a_leap_day(self):
        """A lease from February 29, 2028 to February 28, 2029: 12 invoices, the next periods
        starting on the 29th, adding up to the lease's price."""
        start, end = datetime(2028, 2, 29, 8), datetime(2029, 2, 28, 8)
        order = self._lease_out(start, end)
        made = self._run_daily(date(2028, 2, 20), date(2029, 3, 10))
        self.assertEqual(len(made), 11)
        self.assertEqual(min(made), date(2028, 3, 29))
        self.assertEqual(max(made), date(2029, 1, 29))
        self._assert_billed_once_in_full(order, 12)

    def test_lease_spanning_february_29(self):
        """A lease from February 1, 2028 to February 1, 2029, its cron days missed and caught
        up: each period still billed once, on its own invoice."""
        order = self._lease_out(datetime(2028, 2, 1, 9), datetime(2029, 2, 1, 9))
        first = order.rental_billing_period_ids
        self.assertEqual(first.date_end, datetime(2028, 3, 1, 9))  # February has 29 days
        # Three months without a run: the run of May 2 bills March, April and May apart.
        caught_up = self.Run._cron_bill_periods(today=date(2028, 5, 2), limit=None)
        self.assertEqual(len(caught_up), 3)
        self._run_daily(date(2028, 5, 1), date(2029, 2, 3))
        self._assert_billed_once_in_full(order, 12)

    def test_last_partial_period_prorated_by_days(self):
        """Feb 1 to Apr 15: two full months, then 14 days of a 30-day April, weighing 14/30."""
        order = self._lease_out(datetime(2028, 2, 1, 9), datetime(2028, 4, 15, 9))
        self._run_daily(date(2028, 2, 1), date(2028, 4, 20))
        periods = self._assert_billed_once_in_full(order, 3)
        price = order.order_line.filtered("is_rental").price_unit
        full = price / (2 + 14 / 30)
        self.assertAlmostEqual(periods[0].price_unit, full, delta=0.01)
        self.assertAlmostEqual(periods[2].price_unit, full * 14 / 30, delta=0.01)

    def test_create_invoice_never_bills_a_period_again(self):
        """The order's Create Invoice finds nothing to bill once the period is billed; when the
        period's invoice is cancelled, it bills that period (and only it) again."""
        order = self._lease_out(datetime(2031, 1, 31, 9), datetime(2032, 1, 31, 9))
        with self.assertRaises(UserError):
            order._create_invoices()
        first = order.rental_billing_period_ids
        first.invoice_id.button_draft()
        first.invoice_id.button_cancel()
        line = order.order_line.filtered("is_rental")
        self.assertEqual(line.qty_to_invoice, 1.0)
        again = order._create_invoices()
        self.assertEqual(again.amount_untaxed, first.amount)
        self.assertEqual(first.invoice_id, again)
        self.assertFalse(self.Run._cron_bill_periods(today=date(2031, 2, 1), limit=None))
        with self.assertRaises(UserError):
            order._create_invoices()

    def test_invoice_failure_leaves_the_period_to_invoice(self):
        """An order whose invoice cannot be made does not stop the pickup: its period stays
        recorded and to invoice, said in the chatter, and Create Invoice bills it later."""
        SaleOrder = self.registry["sale.order"]
        with (
            patch.object(SaleOrder, "_create_invoices", side_effect=UserError("No journal.")),
            self.assertLogs("odoo.addons.rental_risk.models.rental_billing_run", "WARNING"),
        ):
            order = self._lease_out(datetime(2031, 1, 31, 9), datetime(2032, 1, 31, 9))
        period = order.rental_billing_period_ids
        self.assertEqual(len(period), 1)
        self.assertFalse(period.invoice_id)
        self.assertTrue(
            any("could not be invoiced" in str(m.body) for m in order.message_ids),
            "the chatter says why the period is not invoiced",
        )
        self.assertEqual(order.order_line.filtered("is_rental").qty_to_invoice, 1.0)
        self.assertEqual(order.invoice_status, "to invoice")
        invoice = order._create_invoices()
        self.assertEqual(period.invoice_id, invoice)
        self.assertEqual(invoice.amount_untaxed, period.amount)

    def test_recording_twice_records_nothing(self):
        """Two runs recording the same due periods (as two concurrent runs would): the
        second inserts nothing, the database refusing a second row per line and start."""
        order = self._lease_out(datetime(2031, 1, 31, 9), datetime(2032, 1, 31, 9))
        line = order.order_line.filtered("is_rental")
        day = date(2031, 3, 1)
        self.assertEqual(len(self.Run._record_due_periods(line, day)), 1)
        self.assertFalse(self.Run._record_due_periods(line, day))
        self.assertEqual(len(order.rental_billing_period_ids), 2)

    def test_short_rental_billed_once_as_before(self):
        """A rental shorter than the company's minimum stays on one invoice."""
        order = self._lease_out(self.start, self.end)
        self.assertEqual(order.rental_billing_period, "once")
        self.assertFalse(order.rental_billing_period_ids)
        line = order.order_line.filtered("is_rental")
        self.assertEqual(line.qty_to_invoice, 1.0)
        invoice = order._create_invoices()
        self.assertEqual(invoice.amount_untaxed, line.price_subtotal)

    def test_lease_invoiced_before_periodic_billing_stays_on_one_invoice(self):
        """A confirmed lease already invoiced whole (before periodic billing existed, its
        billing computed at install) is never billed again per period."""
        self.company.rental_billing_min_days = 0
        order = self._lease_out(datetime(2031, 1, 31, 9), datetime(2032, 1, 31, 9))
        self.assertEqual(order.rental_billing_period, "once")
        order._create_invoices()
        self.company.rental_billing_min_days = 60
        order.rental_billing_period = False  # as a column added at install
        order._compute_rental_billing_period()
        self.assertEqual(order.rental_billing_period, "once")
        self.assertFalse(self.Run._cron_bill_periods(today=date(2031, 3, 1), limit=None))
        self.assertFalse(order.rental_billing_period_ids)

    def test_product_billing_period_wins(self):
        """A product billed weekly makes even a short rental weekly."""
        self.lens.rental_billing_period = "week"
        order = self._lease_out(datetime(2031, 3, 3, 9), datetime(2031, 3, 17, 9))
        self.assertEqual(order.rental_billing_period, "week")
        self._run_daily(date(2031, 3, 3), date(2031, 3, 20))
        self._assert_billed_once_in_full(order, 2)

    def test_billing_of_a_billed_order_cannot_change(self):
        order = self._lease_out(datetime(2031, 1, 31, 9), datetime(2032, 1, 31, 9))
        with self.assertRaises(UserError):
            order.rental_billing_period = "once"

    def test_periods_refuse_raw_writes(self):
        """Nobody writes, creates or deletes a billing period directly: rental user,
        accountant, administrator, superuser."""
        order = self._lease_out(datetime(2031, 1, 31, 9), datetime(2032, 1, 31, 9))
        period = order.rental_billing_period_ids
        admin = self.env.ref("base.user_admin")
        envs = {
            "rental user": period.with_user(self.rental_user),
            "accountant": period.with_user(self.accountant),
            "admin": period.with_user(admin),
            "superuser": period.sudo(),
        }
        for role, record in envs.items():
            with self.subTest(role=role):
                for vals in ({"amount": 1.0}, {"invoice_line_id": False}, {"date_start": False}):
                    with self.assertRaises(UserError):
                        record.write(vals)
                # Who may not delete records of the model at all is stopped by its access
                # rights first; the others by the model.
                readers = ("rental user", "accountant")
                with self.assertRaises(AccessError if role in readers else UserError):
                    record.unlink()
                with self.assertRaises(UserError):
                    record.create({"order_line_id": period.order_line_id.id, "amount": 1.0})
        self.assertEqual(period.amount, 652.5)
        self.assertTrue(period.invoice_line_id)
        self.assertEqual(len(order.rental_billing_period_ids), 1)
        # Readable by those who sell and those who invoice.
        self.assertEqual(envs["rental user"].amount, 652.5)
        self.assertEqual(envs["accountant"].invoice_id, period.invoice_id)


@tagged("post_install", "-at_install")
class TestCustomerStatement(ReportHelpers, BillingCommon, HttpCase):
    """Customer statements: invoices, payments, balance, gear out and deposits held."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.rental_deposit_enabled = True
        cls._set_grade(cls.customer, "B")  # deposit: 10 % of 1,200.00 = 120.00
        cls.Statement = cls.env["rental.customer.statement"]

    def _lease_with_deposit(self):
        order = self._create_rental_order(
            product=self.lens,
            lots=self.lens_lots[:1],
            start=datetime(2031, 1, 31, 9),
            end=datetime(2032, 1, 31, 9),
        )
        order.action_confirm()
        order.action_rental_invoice_deposit()
        self._pay(order.invoice_ids)
        self._validate(self._pickup(order))
        return order

    def test_statement_lists_invoices_payments_gear_and_deposit(self):
        """Send Statement queues the e-mail with the PDF; the PDF lists the period's invoice,
        the payment, the serial out with its due date and the deposit held."""
        order = self._lease_with_deposit()
        period_invoice = order.rental_billing_period_ids.invoice_id
        self.assertTrue(period_invoice)
        self.customer.with_user(self.rental_user).action_rental_send_statement()
        statement = self.Statement.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(statement), 1)
        self.assertEqual(statement.mail_id.state, "outgoing")
        self.assertEqual(statement.mail_id.recipient_ids, self.customer)
        # The report attached (as HTML in test mode, where Odoo does not run wkhtmltopdf).
        self.assertTrue(statement.mail_id.attachment_ids[:1].name.startswith("Statement - "))
        text = self._pdf_text(self._render_pdf(STATEMENT, statement.with_user(self.rental_user)))
        self.assertIn("Statement of Account", text)
        self.assertIn(period_invoice.name, text)
        self.assertIn("TLENS-01", text)
        self.assertIn(order.name, text)
        tree = self._render_html(STATEMENT, statement)
        self.assertIn("120.00", self._node_text(tree, "//table[@id='statement_deposits']"))
        self.assertTrue(tree.xpath("//tr[@name='statement_payment']"))
        closing = self._node_text(tree, "//tr[@id='statement_closing']")
        self.assertIn(f"{period_invoice.amount_total:,.2f}", closing)

    def test_monthly_run_queues_each_statement_once(self):
        """The monthly run makes last month's statement of each customer with activity, once."""
        self._lease_with_deposit()
        next_month = fields.Date.context_today(self.env.user) + relativedelta(months=1, day=1)
        self.Statement._cron_send_statements(today=next_month, limit=None)
        statement = self.Statement.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(statement), 1)
        self.assertEqual(statement.date_to, next_month - timedelta(days=1))
        self.assertTrue(statement.mail_id)
        self.assertEqual(self.Statement._cron_send_statements(today=next_month, limit=None), 0)
        self.assertEqual(self.Statement.search_count([("partner_id", "=", self.customer.id)]), 1)

    def test_statement_refuses_raw_writes_and_outsiders(self):
        self._lease_with_deposit()
        self.customer.with_user(self.rental_user).action_rental_send_statement()
        statement = self.Statement.search([("partner_id", "=", self.customer.id)])
        for user in (self.rental_user, self.accountant, self.env.ref("base.user_admin")):
            with self.subTest(user=user.login), self.assertRaises(UserError):
                statement.with_user(user).write({"date_to": date(2099, 1, 1)})
        with self.assertRaises(UserError):
            statement.sudo().write({"date_to": date(2099, 1, 1)})
        outsider = new_test_user(self.env, login="rr_stmt_outsider", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.customer.with_user(outsider).action_rental_send_statement()
