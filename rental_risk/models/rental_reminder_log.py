from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_datetime

MANAGER_GROUP = "rental_risk.rental_risk_group_manager"

#: Severity of the alert of an overdue gear step, by what the step does.
STEP_SEVERITY = {
    "email": "info",
    "salesperson": "warning",
    "manager": "warning",
    "suspected_loss": "critical",
}


class RentalReminderLog(models.Model):
    """That a reminder step was done for a rental line, and when: one row per step, line and
    date it was due against (the end of the rental, or its start for a deposit), enforced by
    the database, so a step is never done twice, even by two runs at once, and comes again
    when the rental is extended or renewed to a new end."""

    _name = "rental.reminder.log"
    _description = "Rental Reminder Sent"
    _order = "date desc, id desc"
    _sql_constraints = [
        (
            "step_line_uniq",
            "unique (step_id, order_line_id, due_on)",
            "This reminder step was already done for this rental line and date.",
        ),
    ]

    step_id = fields.Many2one(
        "rental.reminder.step", required=True, index=True, ondelete="cascade", readonly=True
    )
    order_line_id = fields.Many2one(
        "sale.order.line", required=True, index=True, ondelete="cascade", readonly=True
    )
    order_id = fields.Many2one(related="order_line_id.order_id", store=True, index=True)
    company_id = fields.Many2one(related="step_id.company_id", store=True)
    kind = fields.Selection(related="step_id.kind", store=True)
    action = fields.Selection(related="step_id.action")
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    due_on = fields.Datetime(
        string="Due Against",
        readonly=True,
        help="The end of the rental (its start for an unpaid deposit) when the step was done.",
    )
    mail_id = fields.Many2one("mail.mail", readonly=True, ondelete="set null")

    # Rows are inserted by rental.reminder.run's one SQL statement only: no super() on purpose.
    @api.model_create_multi
    def create(self, vals_list):  # pylint: disable=method-required-super
        raise UserError(self.env._("Reminders are recorded by their scheduled action only."))

    def write(self, vals):
        if self.env["rental.risk.decision"]._guard_open():
            return super().write(vals)
        raise UserError(self.env._("A reminder that was sent is history; it cannot be changed."))

    def _do_steps(self):
        """Queue the e-mail or schedule the task of each recorded step, and say it in the
        order's chatter (and the audit trail for a suspected loss); a step of the overdue gear
        ladder also raises its routed alert, once per step and line like the step itself."""
        guard = self.env["rental.risk.decision"]._open_guard
        for log in self.sudo():
            step, line = log.step_id, log.order_line_id
            order = line.order_id
            if step.action == "email" and step.mail_template_id and order.partner_id.email:
                mail_id = step.mail_template_id.send_mail(
                    line.id, force_send=False, email_layout_xmlid="mail.mail_notification_light"
                )
                with guard():
                    log.mail_id = mail_id
            elif step.action == "salesperson":
                order.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=step.name,
                    note=log._note(),
                    user_id=(order.user_id or self.env.user).id,
                )
            elif step.action == "manager":
                order.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=step.name,
                    note=log._note(),
                    user_id=log._manager().id,
                )
            elif step.action == "suspected_loss":
                log._suspect_loss()
            if step.kind == "lease_end":
                log._propose_renewal()
            body = self.env._("%(step)s: %(note)s", step=step.name, note=log._note())
            if step.kind != "overdue_gear":
                order.message_post(body=body, subtype_xmlid="mail.mt_note")
                continue
            # A step of the overdue gear ladder is a routed alert; its note is the chatter's.
            order.company_id._rental_risk_alert(
                "overdue_step",
                STEP_SEVERITY[step.action],
                log,
                order.partner_id,
                body,
                salesperson=order.user_id,
                thread=order,
            )

    def _manager(self):
        """The Risk Manager who gets the step's task (the salesperson when there is none)."""
        order = self.order_line_id.order_id
        manager = order.company_id._rental_risk_group_users(MANAGER_GROUP)[:1]
        return manager or order.user_id or self.env.user

    def _suspect_loss(self):
        """Put the line in "suspected loss", ask a Risk Manager to declare the loss (the
        order's Declare Loss button) and, when the company asks it, propose blacklisting the
        customer to its Risk Managers. Nothing is declared nor blacklisted here: people
        decide."""
        self.ensure_one()
        line = self.order_line_id
        order = line.order_id
        company = order.company_id
        line._rental_set_suspected_loss(True)
        note = self._note()
        self.env["rental.risk.event"]._log(
            "suspected_loss", partner=order.partner_id, order=order, details=note
        )
        order.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._("Suspected loss: %(step)s", step=self.step_id.name),
            note=self.env._(
                "%(note)s If the customer cannot return it, declare the loss with the Declare "
                "Loss button of the order: the serial goes out of stock and a claim at its "
                "replacement value is raised on the customer.",
                note=note,
            ),
            user_id=self._manager().id,
        )
        if company.rental_reminder_propose_blacklist:
            partner = order.partner_id.commercial_partner_id
            reason = self.env._(
                "Suspected loss of rented equipment on %(order)s: %(note)s",
                order=order.name,
                note=note,
            )
            self.env["rental.blacklist.trigger"]._propose(partner, company, reason)

    def _propose_renewal(self):
        """Give the salesperson a task pointing to the order's Renew Lease button, once per
        rental line (the 30, 15 and 7 days reminders share it)."""
        self.ensure_one()
        line = self.order_line_id
        order = line.order_id
        summary = self.env._(
            "Renew the lease of %(product)s?", product=line.product_id.display_name
        )
        if order.activity_ids.filtered(lambda a: a.summary == summary):
            return
        order.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=summary,
            note=self.env._(
                "%(note)s If the customer keeps it, use Renew Lease on the order: the lease "
                "is extended by its length, with the serials' availability, the price and the "
                "risk rules checked as for any extension.",
                note=self._note(),
            ),
            user_id=(order.user_id or self.env.user).id,
            date_deadline=min(
                line.rental_end.date(), fields.Date.context_today(self) + timedelta(days=7)
            ),
        )

    def _note(self):
        self.ensure_one()
        line = self.order_line_id
        if self.kind == "deposit_unpaid":
            order = line.order_id
            deposit = sum(order.order_line.filtered("is_rental_deposit").mapped("price_total"))
            return self.env._(
                "%(order)s starts on %(start)s and its deposit is not paid (%(paid)s of "
                "%(deposit)s).",
                order=order.name,
                start=format_datetime(self.env, line.rental_start),
                paid=format_amount(self.env, order.rental_deposit_paid, order.currency_id),
                deposit=format_amount(self.env, deposit, order.currency_id),
            )
        serials = ", ".join(
            line.sudo()
            .rental_booking_ids.filtered(lambda b: b.state == "out")
            .lot_id.mapped("name")
        )
        return self.env._(
            "%(product)s (%(serials)s) is due back on %(end)s.",
            product=line.product_id.display_name,
            serials=serials,
            end=format_datetime(self.env, line.rental_end),
        )
