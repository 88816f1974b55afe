from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

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
