from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_amount

#: Customer invoices still unpaid, in the words of the partial index
#: account_move_rental_risk_open_cover_idx (its predicate repeated so that PostgreSQL uses it).
UNPAID_INVOICE = SQL(
    "am.state = 'posted' AND am.move_type IN ('out_invoice', 'out_refund') "
    "AND am.amount_residual_signed <> 0 "
    "AND am.move_type = 'out_invoice' AND am.amount_residual_signed > 0"
)

LINE_STATES = [
    ("proposed", "To Review"),
    ("sent", "Sent"),
    ("skipped", "Skipped"),
]


class RentalDunningLine(models.Model):
    """What a dunning run proposes for one customer: a level of its policy and the overdue
    invoices behind it. Once sent, the line is the customer's dunning history: who sent which
    level when, by which channels. Its state changes only through its actions."""

    _name = "rental.dunning.line"
    _description = "Dunning Line"
    _inherit = ["rental.risk.protected.mixin"]
    _order = "run_id desc, days_overdue desc, id"
    _check_company_auto = True

    run_id = fields.Many2one(
        "rental.dunning.run", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, readonly=True
    )
    policy_id = fields.Many2one("rental.dunning.policy", readonly=True, ondelete="restrict")
    level_id = fields.Many2one(
        "rental.dunning.level", required=True, readonly=True, ondelete="restrict"
    )
    level_days = fields.Integer(
        related="level_id.days_overdue", string="Level Days", store=True, readonly=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount_overdue = fields.Monetary(string="Overdue Amount", readonly=True)
    days_overdue = fields.Integer(readonly=True, help="Age of the oldest unpaid invoice.")
    oldest_due_date = fields.Date(readonly=True)
    invoice_ids = fields.Many2many(
        "account.move",
        "rental_dunning_line_move_rel",
        "line_id",
        "move_id",
        string="Invoices Sent",
        readonly=True,
        help="The overdue invoices the customer was sent this level for.",
    )
    review_invoice_ids = fields.Many2many(
        "account.move",
        string="Overdue Invoices",
        compute="_compute_review_invoice_ids",
        help="The invoices sent, or, for a line to review, the invoices overdue now.",
    )
    state = fields.Selection(
        LINE_STATES, default="proposed", required=True, index=True, readonly=True
    )
    sent_date = fields.Datetime(readonly=True)
    sent_by_id = fields.Many2one("res.users", readonly=True)
    channels_done = fields.Char(string="Done", readonly=True, help="What the sending did.")
    mail_id = fields.Many2one("mail.mail", string="E-mail", readonly=True, ondelete="set null")
    sms_id = fields.Many2one(
        "sms.sms",
        string="Text Message",
        readonly=True,
        ondelete="set null",
        groups="base.group_system",
    )
    hold_orders = fields.Boolean(related="level_id.hold_orders")
    hold_pickups = fields.Boolean(related="level_id.hold_pickups")

    @api.depends("state", "invoice_ids")
    def _compute_review_invoice_ids(self):
        overdue = self._overdue_invoice_ids()
        for line in self:
            if line.state == "sent":
                line.review_invoice_ids = line.invoice_ids
            else:
                line.review_invoice_ids = self.env["account.move"].browse(overdue.get(line.id, []))

    def _rental_protected_fields(self):
        sentence = self.env._(
            "Dunning lines are proposed by a dunning run and change only through its Send and "
            "Skip buttons."
        )
        return dict.fromkeys(
            [
                "run_id",
                "company_id",
                "partner_id",
                "policy_id",
                "level_id",
                "level_days",
                "amount_overdue",
                "days_overdue",
                "oldest_due_date",
                "invoice_ids",
                "state",
                "sent_date",
                "sent_by_id",
                "channels_done",
                "mail_id",
                "sms_id",
            ],
            sentence,
        )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env["rental.risk.decision"]._guard_open():
            raise UserError(
                self.env._("Dunning lines are proposed by a dunning run: use Propose on a run.")
            )
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sent(self):
        if any(line.state == "sent" for line in self):
            raise UserError(
                self.env._("A sent dunning line is the customer's history and cannot be deleted.")
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_send(self):
        """Send the selected proposed lines (credit control's bulk action)."""
        self.env["rental.dunning.run"]._check_credit_control()
        return self._send()

    def action_skip(self):
        self.env["rental.dunning.run"]._check_credit_control()
        lines = self.filtered(lambda line: line.state == "proposed")
        with self.env["rental.risk.decision"]._open_guard():
            lines.sudo().write({"state": "skipped"})
        return True

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _overdue_invoice_ids(self):
        """{line id: ids of its customer's invoices overdue at the run's date}, one query."""
        lines = self.filtered("id")
        if not lines:
            return {}
        self.env["account.move"].flush_model()
        self.env.cr.execute(
            SQL(
                """
            SELECT l.id, ARRAY_AGG(am.id ORDER BY am.invoice_date_due, am.id)
              FROM rental_dunning_line l
              JOIN rental_dunning_run r ON r.id = l.run_id
              JOIN account_move am
                ON am.commercial_partner_id = l.partner_id
               AND am.company_id = l.company_id
               AND %(unpaid)s
               AND am.invoice_date_due < r.date
             WHERE l.id = ANY(%(ids)s)
             GROUP BY l.id
            """,
                unpaid=UNPAID_INVOICE,
                ids=lines.ids,
            )
        )
        return dict(self.env.cr.fetchall())

    def _still_overdue(self):
        """{line id: whether its customer still owes overdue money for the line's level}:
        a payment received after the proposal stops the ladder (nothing is sent)."""
        if not self:
            return {}
        self.env["account.move"].flush_model()
        self.env.cr.execute(
            SQL(
                """
            SELECT l.id
              FROM rental_dunning_line l
              JOIN rental_dunning_run r ON r.id = l.run_id
             WHERE l.id = ANY(%(ids)s)
               AND EXISTS (
                   SELECT 1 FROM account_move am
                    WHERE am.commercial_partner_id = l.partner_id
                      AND am.company_id = l.company_id
                      AND %(unpaid)s
                      AND am.invoice_date_due <= r.date - l.level_days)
            """,
                unpaid=UNPAID_INVOICE,
                ids=self.ids,
            )
        )
        still = {row[0] for row in self.env.cr.fetchall()}
        return {line.id: line.id in still for line in self}

    def _send(self):
        """Do each proposed line's channels, once: the line becomes "sent" in the same
        transaction as the mail queued, the task scheduled and the event logged. E-mails are
        queued (mail.mail), so a mail server that is down delays them but loses nothing."""
        lines = self.filtered(lambda line: line.state == "proposed")
        still = lines._still_overdue()
        paid = lines.filtered(lambda line: not still[line.id])
        to_send = lines - paid
        guard = self.env["rental.risk.decision"]._open_guard
        with guard():
            paid.sudo().write(
                {"state": "skipped", "channels_done": self.env._("Paid before sending")}
            )
        now = fields.Datetime.now()
        overdue = to_send._overdue_invoice_ids()
        with guard():
            for line in to_send.sudo():
                line.invoice_ids = [Command.set(overdue.get(line.id, []))]
        for line in to_send.sudo():
            done = []
            level = line.level_id
            partner = line.partner_id
            mail = self.env["mail.mail"]
            if level.channel_email and level.mail_template_id and partner.email:
                mail_id = level.mail_template_id.send_mail(
                    line.id, force_send=False, email_layout_xmlid="mail.mail_notification_light"
                )
                mail = self.env["mail.mail"].browse(mail_id)
                done.append(self.env._("e-mail queued"))
            elif level.channel_email:
                done.append(self.env._("no e-mail address"))
            sms = self.env["sms.sms"]
            if level.channel_sms and level.sms_template_id:
                sms = line._queue_sms(level.sms_template_id)
                done.append(self.env._("SMS queued") if sms else self.env._("no mobile number"))
            if level.channel_activity:
                collector = level.activity_user_id or partner.user_id or self.env.user
                partner.activity_schedule(
                    "mail.mail_activity_data_call",
                    summary=self.env._("Collect overdue rent: %(level)s", level=level.name),
                    note=line._summary(),
                    user_id=collector.id,
                )
                done.append(self.env._("call for %(user)s", user=collector.name))
            letter = self.env["ir.attachment"]
            if level.channel_letter:
                letter = line._rental_letter()
                done.append(self.env._("letter attached"))
            if level.legal:
                manager = line.company_id._rental_risk_group_users(
                    "rental_risk.rental_risk_group_manager"
                )[:1]
                activity = partner.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=self.env._("Hand the overdue debt to legal"),
                    note=line._summary(),
                    user_id=(manager or self.env.user).id,
                )
                activity.attachment_ids = [Command.set(line._rental_legal_pack().ids)]
                done.append(self.env._("handed to legal"))
            if level.hold_orders:
                done.append(self.env._("new orders held"))
            if level.hold_pickups:
                done.append(self.env._("pickups held"))
            with guard():
                line.write(
                    {
                        "state": "sent",
                        "sent_date": now,
                        "sent_by_id": self.env.user.id,
                        "mail_id": mail.id,
                        "sms_id": sms.id,
                        "channels_done": ", ".join(done),
                    }
                )
            # The note in the customer's chatter is the routed alert's: legal action is
            # critical, a hold a warning, a letter or a call information.
            line.company_id._rental_risk_alert(
                "dunning_sent",
                "critical"
                if level.legal
                else "warning"
                if level.hold_orders or level.hold_pickups
                else "info",
                line,
                partner,
                self.env._(
                    "Dunning level %(level)s sent: %(done)s.\n%(summary)s",
                    level=level.display_name,
                    done=", ".join(done) or self.env._("nothing to send"),
                    summary=line._summary(),
                ),
                thread=partner,
            )
            if letter:
                # The letter goes in the customer's chatter, to print and post.
                partner.message_post(
                    body=self.env._("Dunning letter of level %(level)s.", level=level.display_name),
                    subtype_xmlid="mail.mt_note",
                    attachment_ids=letter.ids,
                )
            self.env["rental.risk.event"]._log(
                "dunning",
                partner=partner,
                company=line.company_id,
                details=f"{level.display_name}: {', '.join(done)}",
            )
        return True

    @api.model
    def _current_levels(self, partner_ids, company):
        """{commercial partner id: (level id, hold orders, hold pickups)} for the customers
        still owing overdue money: the highest level sent since their oldest unpaid invoice
        fell due, and whether a level sent in that episode holds orders or pickups. A customer
        who paid its overdue invoices is in no episode: its holds end with the payment."""
        if not partner_ids:
            return {}
        self.env["account.move"].flush_model()
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
            WITH overdue AS (
                SELECT am.commercial_partner_id AS partner_id,
                       MIN(am.invoice_date_due) AS oldest_due
                  FROM account_move am
                 WHERE am.commercial_partner_id = ANY(%(partners)s)
                   AND am.company_id = %(company)s
                   AND %(unpaid)s
                   AND am.invoice_date_due < %(today)s
                 GROUP BY am.commercial_partner_id
            )
            SELECT o.partner_id,
                   (ARRAY_AGG(l.level_id ORDER BY l.level_days DESC, l.id DESC))[1],
                   BOOL_OR(lvl.hold_orders),
                   BOOL_OR(lvl.hold_pickups)
              FROM overdue o
              JOIN rental_dunning_line l
                ON l.partner_id = o.partner_id
               AND l.company_id = %(company)s
               AND l.state = 'sent'
               AND l.sent_date >= o.oldest_due
              JOIN rental_dunning_level lvl ON lvl.id = l.level_id
             GROUP BY o.partner_id
            """,
                unpaid=UNPAID_INVOICE,
                partners=list(partner_ids),
                company=company.id,
                today=fields.Date.context_today(self),
            )
        )
        return {row[0]: (row[1], bool(row[2]), bool(row[3])) for row in self.env.cr.fetchall()}

    def _queue_sms(self, template):
        """Queue the text message of ``template`` to the customer's mobile (else phone)
        number; the SMS queue sends it later, never this transaction. Returns the sms.sms,
        empty when the customer has no number."""
        self.ensure_one()
        partner = self.partner_id.sudo()
        number = partner.mobile or partner.phone
        if not number:
            return self.env["sms.sms"]
        body = template.sudo()._render_field("body", self.ids, compute_lang=True)[self.id]
        return (
            self.env["sms.sms"]
            .sudo()
            .create(
                {
                    "number": partner._phone_format(number=number) or number,
                    "partner_id": partner.id,
                    "body": body,
                    "state": "outgoing",
                }
            )
        )

    def _summary(self):
        self.ensure_one()
        amount = format_amount(self.env, self.amount_overdue, self.currency_id)
        return self.env._(
            "%(amount)s overdue, oldest invoice %(days)s days late (%(invoices)s).",
            amount=amount,
            days=self.days_overdue,
            invoices=", ".join(self.invoice_ids.mapped("name")),
        )
