from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged

from .common_deposit import DepositCommon
from .common_risk import RiskCommon


@tagged("post_install", "-at_install")
class TestRentalReminders(RiskCommon):
    """Reminders before the end of a rental or a lease, escalation of gear not back: each step
    once per rental line, on its day."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.email = "rent@customer.example.com"
        steps = cls.env["rental.reminder.step"].search([])
        steps.company_id = cls.company
        cls.Run = cls.env["rental.reminder.run"]

    def _out(self, start=None, end=None):
        """A confirmed rental whose gear was handed out."""
        order = self._order(start=start, end=end)
        order.action_confirm()
        self._validate(self._pickup(order))
        line = order.order_line.filtered("is_rental")
        self.assertEqual(line.rental_booking_ids.state, "out")
        return line

    def _steps(self, line, now):
        return self.Run._record_due_steps(now).filtered(lambda log: log.order_line_id == line)

    def test_return_due_reminder_once(self):
        """Two days before the end the customer gets one e-mail, however often the run goes."""
        line = self._out()
        self.assertFalse(self._steps(line, line.rental_end - timedelta(days=3)))
        logs = self._steps(line, line.rental_end - timedelta(days=1))
        self.assertEqual(logs.step_id, self.env.ref("rental_risk.rental_reminder_step_return_due"))
        logs._do_steps()
        self.assertEqual(logs.mail_id.recipient_ids, self.customer)
        self.assertEqual(logs.mail_id.state, "outgoing")
        self.assertFalse(self._steps(line, line.rental_end - timedelta(hours=2)))

    def test_escalation_reaches_suspected_loss_on_its_day(self):
        """Gear not back: e-mail at once, the salesperson at 2 days, a manager at 5, suspected
        loss at 10 days and not an hour earlier; each step once."""
        line = self._out()
        end = line.rental_end
        first = self._steps(line, end + timedelta(days=3))
        self.assertEqual(set(first.step_id.mapped("action")), {"email", "salesperson"})
        first._do_steps()
        self.assertTrue(
            line.order_id.activity_ids.filtered(lambda a: a.user_id == self.rental_user)
        )
        before = self._steps(line, end + timedelta(days=10, hours=-1))
        self.assertEqual(before.step_id.mapped("action"), ["manager"])
        loss = self._steps(line, end + timedelta(days=10))
        self.assertEqual(loss.step_id.mapped("action"), ["suspected_loss"])
        loss._do_steps()
        self.assertTrue(self._events("suspected_loss", order=line.order_id))
        self.assertFalse(self._steps(line, end + timedelta(days=30)))

    def test_returned_gear_gets_no_reminder(self):
        line = self._out()
        self._validate(self._return(line.order_id))
        self.assertFalse(self._steps(line, line.rental_end + timedelta(days=3)))

    def test_lease_end_reminders_for_long_leases_only(self):
        """30, 15 and 7 days before the end of a lease of 60 days or more, each once."""
        start = self.start
        lease = self._out(start=start, end=start + timedelta(days=90))
        at_20 = self._steps(lease, lease.rental_end - timedelta(days=20))
        self.assertEqual(at_20.step_id, self.env.ref("rental_risk.rental_reminder_step_lease_30"))
        at_5 = self._steps(lease, lease.rental_end - timedelta(days=5))
        self.assertEqual(set(at_5.step_id.mapped("days")), {15, 7})

    def test_short_rental_gets_no_lease_reminder(self):
        line = self._out()
        logs = self._steps(line, line.rental_end - timedelta(hours=1))
        self.assertNotIn("lease_end", logs.mapped("kind"))

    def test_reminders_cannot_be_forged(self):
        line = self._out()
        logs = self._steps(line, line.rental_end - timedelta(days=1))
        with self.assertRaises(UserError):
            self.env["rental.reminder.log"].create(
                {"step_id": logs.step_id.id, "order_line_id": line.id}
            )
        with self.assertRaises(UserError):
            logs.write({"date": logs.date - timedelta(days=9)})

    def test_cron_twice_sends_once(self):
        """The scheduled action run twice queues one e-mail per step."""
        self.env["rental.reminder.step"].search([]).active = False
        step = self.env.ref("rental_risk.rental_reminder_step_overdue_email")
        step.active = True
        now = fields.Datetime.now()
        line = self._out(start=now - timedelta(days=20), end=now - timedelta(days=10))
        self.Run._cron_send_reminders()
        self.Run._cron_send_reminders()
        logs = self.env["rental.reminder.log"].search([("order_line_id", "=", line.id)])
        self.assertEqual(len(logs), 1)
        self.assertTrue(logs.mail_id)

    # ------------------------------------------------------------------
    # Renewal of long leases
    # ------------------------------------------------------------------

    def _lease(self):
        """A 90-day lease, out, reminded of its end (the 30 days step)."""
        lease = self._out(start=self.start, end=self.start + timedelta(days=90))
        logs = self._steps(lease, lease.rental_end - timedelta(days=20))
        self.assertEqual(logs.kind, "lease_end")
        logs._do_steps()
        return lease

    def _renew(self, lease):
        action = lease.order_id.with_user(self.rental_user).action_rental_renew_lease()
        return Form.from_action(self.env(user=self.rental_user), action)

    def test_lease_end_reminder_offers_renewal(self):
        """The lease end reminder gives the salesperson a task pointing to Renew Lease, which
        extends the lease by its length through the extension path: booked and repriced."""
        lease = self._lease()
        order = lease.order_id
        task = order.activity_ids.filtered(lambda a: "Renew" in (a.summary or ""))
        self.assertEqual(task.user_id, self.rental_user)
        self.assertIn("Renew Lease", str(task.note))
        self.assertTrue(order.rental_lease_renewable)
        # The 15 and 7 days reminders do not stack more tasks.
        self._steps(lease, lease.rental_end - timedelta(days=5))._do_steps()
        self.assertEqual(len(order.activity_ids.filtered(lambda a: "Renew" in a.summary)), 1)
        end, price = lease.rental_end, lease.price_unit
        form = self._renew(lease)
        self.assertEqual(form.mode, "extend")
        self.assertEqual(form.line_id, lease)
        self.assertEqual(form.new_end, end + timedelta(days=90))
        form.save().action_apply()
        self.assertEqual(lease.rental_end, end + timedelta(days=90))
        self.assertEqual(lease.rental_booking_ids.date_end, end + timedelta(days=90))
        self.assertGreater(lease.price_unit, price)
        self.assertEqual(lease.price_unit, lease._rental_get_period_price())
        # The renewed lease gets its reminders again, against its new end, each once.
        again = self._steps(lease, lease.rental_end - timedelta(days=20))
        self.assertEqual(again.step_id, self.env.ref("rental_risk.rental_reminder_step_lease_30"))
        self.assertEqual(again.due_on, lease.rental_end)
        self.assertFalse(self._steps(lease, lease.rental_end - timedelta(days=20)))

    def test_renewal_refused_when_the_serial_is_booked_after(self):
        """The serial is booked by another customer after the lease: renewing is refused
        and the lease is unchanged."""
        lease = self._lease()
        lot = lease.rental_booking_ids.lot_id
        later = self._order(
            lots=lot,
            start=lease.rental_end + timedelta(days=10),
            end=lease.rental_end + timedelta(days=12),
        )
        later.action_confirm()
        end, price = lease.rental_end, lease.price_unit
        wizard = self._renew(lease).save()
        with self.assertRaisesRegex(UserError, "already booked|booked for an overlapping"):
            wizard.action_apply()
        self.assertEqual((lease.rental_end, lease.price_unit), (end, price))

    def test_no_renewal_without_lease_reminder(self):
        line = self._out()
        self.assertFalse(line.order_id.rental_lease_renewable)
        with self.assertRaises(UserError):
            line.order_id.action_rental_renew_lease()

    # ------------------------------------------------------------------
    # Suspected loss
    # ------------------------------------------------------------------

    def _suspect(self, line):
        logs = self._steps(line, line.rental_end + timedelta(days=10))
        self.assertIn("suspected_loss", logs.step_id.mapped("action"))
        logs._do_steps()
        return logs

    def test_suspected_loss_state_and_loss_proposal(self):
        """The suspected loss step flags the line and the order (found by the Suspected Loss
        filters), gives a Risk Manager the loss to declare, logs the event once, and proposes
        no blacklisting unless the company asks; the gear back clears the flag."""
        line = self._out()
        order = line.order_id
        self._suspect(line)
        self.assertTrue(line.rental_suspected_loss)
        self.assertTrue(order.rental_suspected_loss)
        self.assertIn(
            order, self.env["sale.order"].search([("order_line.rental_suspected_loss", "=", True)])
        )
        self.assertIn(
            line, self.env["sale.order.line"].search([("rental_suspected_loss", "=", True)])
        )
        task = order.activity_ids.filtered(lambda a: (a.summary or "").startswith("Suspected loss"))
        self.assertTrue(task.user_id.has_group("rental_risk.rental_risk_group_manager"))
        self.assertIn("Declare Loss", str(task.note))
        self.assertEqual(len(self._events("suspected_loss", order=order)), 1)
        self.assertFalse(self._events("blacklist_proposal", partner=self.customer))
        self.assertTrue(order.message_ids.filtered(lambda m: "10 days late" in str(m.body)))
        # Nothing twice.
        self.assertFalse(self._steps(line, line.rental_end + timedelta(days=40)))
        self.assertEqual(len(self._events("suspected_loss", order=order)), 1)
        self._validate(self._return(order))
        self.assertFalse(line.rental_suspected_loss)
        self.assertFalse(order.rental_suspected_loss)

    def test_suspected_loss_proposes_blacklisting_when_set(self):
        """With the company setting on, the customer is proposed for blacklisting (a task
        for the Risk Managers and an audit event), once, and never blacklisted by it."""
        self.company.rental_reminder_propose_blacklist = True
        line = self._out()
        self._suspect(line)
        self.assertEqual(len(self._events("blacklist_proposal", partner=self.customer)), 1)
        proposal = self.customer.activity_ids.filtered(
            lambda a: a.activity_type_id
            == self.env.ref("rental_risk.mail_activity_type_blacklist_proposal")
        )
        self.assertIn(self.manager, proposal.user_id)
        self.assertFalse(self.customer.rental_blacklisted)
        self.Run._record_due_steps(line.rental_end + timedelta(days=30))._do_steps()
        self.assertEqual(len(self._events("blacklist_proposal", partner=self.customer)), 1)

    def test_declare_loss_from_the_order(self):
        """A Risk Manager declares the suspected loss from the order: the serial is lost, a
        loss claim is raised, the flag goes; a salesperson cannot."""
        line = self._out()
        order = line.order_id
        lot = line.rental_booking_ids.lot_id
        self._suspect(line)
        with self.assertRaises(UserError):
            order.with_user(self.rental_user).action_rental_declare_loss()
        order.with_user(self.manager).action_rental_declare_loss()
        self.assertEqual(lot.rental_state, "lost")
        claim = self.env["rental.damage.claim"].search([("lot_id", "=", lot.id)])
        self.assertEqual(claim.claim_type, "loss")
        self.assertEqual(claim.partner_id, self.customer)
        self.assertFalse(line.rental_suspected_loss)

    def test_suspected_loss_cannot_be_written(self):
        """Nobody sets or clears the suspected loss by a raw write, administrator included."""
        line = self._out()
        accountant = new_test_user(
            self.env, login="reminder_accountant", groups="account.group_account_invoice"
        )
        users = (
            self.rental_user,
            self.warehouse_user,
            accountant,
            self.officer,
            self.manager,
            self.env.ref("base.user_admin"),
        )
        for user in users:
            with self.assertRaises(UserError):  # AccessError is one too
                line.with_user(user).write({"rental_suspected_loss": True})
        with self.assertRaises(UserError):
            line.sudo().write({"rental_suspected_loss": True})
        self._suspect(line)
        for user in users:
            with self.assertRaises(UserError):  # AccessError is one too
                line.with_user(user).write({"rental_suspected_loss": False})
        self.assertTrue(line.rental_suspected_loss)


@tagged("post_install", "-at_install")
class TestReminderDeposit(DepositCommon):
    """The deposit of a rental still unpaid a few days before its pickup: the customer is
    reminded once per order."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.email = "rent@customer.example.com"
        # As superuser: the accounting test user does not see the main company's steps.
        cls.env["rental.reminder.step"].sudo().search([]).company_id = cls.company
        cls.step = cls.env.ref("rental_risk.rental_reminder_step_deposit_unpaid")
        cls.Run = cls.env["rental.reminder.run"]
        cls._set_grade(cls.customer, "C")  # deposit 1,500.00 for lot_1

    def _due(self, order, now):
        # Read as superuser: the accounting test user works in another company than the logs.
        logs = self.Run._record_due_steps(now).sudo()
        return logs.filtered(lambda log: log.order_id == order)

    def test_deposit_unpaid_reminded_once_per_order(self):
        """Two days before the pickup the customer gets one e-mail for the order's deposit,
        however often the run goes and however many rental lines the order has."""
        order = self._create_rental_order(lots=self.lot_1)
        order.order_line = [
            fields.Command.create(
                {
                    "product_id": self.lens.id,
                    "product_uom_qty": 1,
                    "rental_start": self.start,
                    "rental_end": self.end,
                    "rental_lot_ids": [fields.Command.set(self.lens_lots[:1].ids)],
                }
            )
        ]
        order.action_confirm()
        self.assertTrue(order.order_line.filtered("is_rental_deposit"))
        self.assertFalse(self._due(order, self.start - timedelta(days=3)))
        logs = self._due(order, self.start - timedelta(days=1))
        self.assertEqual(logs.step_id, self.step)
        self.assertEqual(logs.kind, "deposit_unpaid")
        logs._do_steps()
        self.assertEqual(logs.mail_id.recipient_ids, self.customer)
        self.assertEqual(logs.mail_id.state, "outgoing")
        self.assertIn("deposit", logs.mail_id.subject)
        self.assertIn("not paid", order.message_ids[0].body)
        self.assertFalse(self._due(order, self.start - timedelta(hours=2)))

    def test_paid_deposit_is_not_reminded(self):
        """A deposit paid in full is not reminded; one paid in part is."""
        paid = self._confirmed_order(lots=self.lot_1)
        paid.action_rental_invoice_deposit()
        self._pay(paid.invoice_ids)
        part = self._confirmed_order(lots=self.lot_2)
        part.action_rental_invoice_deposit()
        self._pay(part.invoice_ids, amount=1000.0)
        logs = self.Run._record_due_steps(self.start - timedelta(days=1)).sudo()
        self.assertNotIn(paid, logs.order_id)
        self.assertIn(part, logs.order_id)

    def test_picked_up_gear_is_not_reminded(self):
        """Once the gear is picked up the deposit reminder has no purpose: nothing is sent."""
        order = self._confirmed_order(lots=self.lot_1)
        self._validate(self._pickup(order))
        self.assertFalse(self._due(order, self.start - timedelta(days=1)))

    def test_order_without_deposit_is_not_reminded(self):
        self._set_grade(self.customer, "A")
        order = self._confirmed_order(lots=self.lot_1)
        self.assertFalse(self._due(order, self.start - timedelta(days=1)))
