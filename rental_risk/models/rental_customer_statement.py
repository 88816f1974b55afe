import logging
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

BATCH = 500

#: Who may send a customer their statement: the people who sell, and accountants.
STATEMENT_SENDERS = ("rental_risk.rental_risk_group_user", "account.group_account_invoice")


class RentalCustomerStatement(models.Model):
    """A customer's statement of account for a period: their invoices and payments, the
    balance, the gear they have out and the deposits held. One per customer, company and
    period, enforced by the database: the monthly run queues each statement once however
    often it runs. Its figures are read when it is printed (report)."""

    _name = "rental.customer.statement"
    _description = "Rental Customer Statement"
    _order = "date_to desc, id desc"
    _sql_constraints = [
        (
            "partner_period_uniq",
            "unique (partner_id, company_id, date_from, date_to)",
            "This customer already has a statement for this period.",
        ),
    ]

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, readonly=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_from = fields.Date(string="From", required=True, readonly=True)
    date_to = fields.Date(string="To", required=True, readonly=True)
    mail_id = fields.Many2one("mail.mail", string="Last E-mail", readonly=True, ondelete="set null")
    sent_date = fields.Datetime(string="Last Sent", readonly=True)

    @api.depends("partner_id", "date_from", "date_to")
    def _compute_display_name(self):
        for statement in self:
            statement.display_name = self.env._(
                "Statement %(customer)s %(start)s – %(end)s",
                customer=statement.partner_id.name or "",
                start=statement.date_from or "",
                end=statement.date_to or "",
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    # Rows are inserted by _create_statements only: no super() on purpose.
    @api.model_create_multi
    def create(self, vals_list):  # pylint: disable=method-required-super
        raise UserError(
            self.env._(
                "Statements are made by Send Statement on the customer, or by the monthly "
                "statements scheduled action."
            )
        )

    def write(self, vals):
        if self.env["rental.risk.decision"]._guard_open():
            return super().write(vals)
        raise UserError(self.env._("A statement is history; it cannot be changed."))

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sent(self):
        if any(self.mapped("sent_date")) and not self.env["rental.risk.decision"]._guard_open():
            raise UserError(
                self.env._("A statement sent to the customer is history; it cannot be deleted.")
            )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    @api.model
    def _create_statements(self, partner_ids, company, date_from, date_to):
        """The statements of ``partner_ids`` (commercial partners) for the period, inserted
        when missing (ON CONFLICT DO NOTHING); returns (all of them, those inserted now)."""
        if not partner_ids:
            empty = self.browse()
            return empty, empty
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO rental_customer_statement (partner_id, company_id, date_from,
                                                       date_to, create_uid, write_uid,
                                                       create_date, write_date)
                SELECT p, %(company)s, %(date_from)s, %(date_to)s, %(uid)s, %(uid)s,
                       %(now)s, %(now)s
                  FROM unnest(%(partners)s::int[]) AS p
                ON CONFLICT (partner_id, company_id, date_from, date_to) DO NOTHING
                RETURNING id
                """,
                company=company.id,
                date_from=date_from,
                date_to=date_to,
                uid=self.env.uid,
                now=now,
                partners=list(partner_ids),
            )
        )
        new = self.browse(row[0] for row in self.env.cr.fetchall())
        every = self.sudo().search(
            [
                ("partner_id", "in", list(partner_ids)),
                ("company_id", "=", company.id),
                ("date_from", "=", date_from),
                ("date_to", "=", date_to),
            ]
        )
        return every.sudo(False), new

    def _send(self):
        """Queue each statement's e-mail (the PDF attached) to its customer."""
        # Sent on the company's behalf: the run goes over every company, whoever runs it.
        template = self.env.ref("rental_risk.mail_template_rental_customer_statement").sudo()
        guard = self.env["rental.risk.decision"]._open_guard
        for statement in self.sudo():
            if not statement.partner_id.email:
                continue
            mail_id = template.with_company(statement.company_id).send_mail(
                statement.id, force_send=False, email_layout_xmlid="mail.mail_notification_light"
            )
            with guard():
                statement.write({"mail_id": mail_id, "sent_date": fields.Datetime.now()})
            statement.partner_id.message_post(
                body=self.env._(
                    "Statement %(from)s – %(to)s queued to %(email)s.",
                    **{
                        "from": statement.date_from,
                        "to": statement.date_to,
                        "email": statement.partner_id.email,
                    },
                ),
                subtype_xmlid="mail.mt_note",
            )

    @api.model
    def _get_period(self, today):
        """The period of the monthly statements sent on ``today``: the previous month."""
        first = fields.Date.to_date(today).replace(day=1)
        return first - relativedelta(months=1), first - timedelta(days=1)

    @api.model
    def _cron_send_statements(self, today=None, limit=BATCH):
        """Make and queue last month's statement of every customer with activity, company
        by company; run twice, nothing is sent twice (one statement per customer and period)."""
        today = today or fields.Date.context_today(self)
        date_from, date_to = self._get_period(today)
        done = 0
        companies = self.env["res.company"].sudo().search([], order="id")  # pylint: disable=no-search-all
        for company in companies:
            partner_ids = self._get_active_partner_ids(company, date_from, date_to, limit)
            _every, new = self._create_statements(partner_ids, company, date_from, date_to)
            new._send()
            done += len(new)
            if limit and done >= limit:
                break
        _logger.info("rental statements: %s queued", done)
        remaining = 1 if limit and done >= limit else 0
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done

    @api.model
    def _get_active_partner_ids(self, company, date_from, date_to, limit=None):
        """Customers (commercial partners) of ``company`` with activity in the period and no
        statement for it yet: receivable entries dated in the period, or gear out. One query."""
        for model in ("account.move.line", "rental.booking", "rental.customer.statement"):
            self.env[model].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id FROM (
                    SELECT DISTINCT COALESCE(rp.commercial_partner_id, rp.id) AS id
                      FROM account_move_line aml
                      JOIN account_account acc ON acc.id = aml.account_id
                      JOIN res_partner rp ON rp.id = aml.partner_id
                     WHERE aml.company_id = %(company)s
                       AND aml.parent_state = 'posted'
                       AND acc.account_type = 'asset_receivable'
                       AND aml.date BETWEEN %(date_from)s AND %(date_to)s
                    UNION
                    SELECT DISTINCT COALESCE(rp.commercial_partner_id, rp.id)
                      FROM rental_booking b
                      JOIN sale_order so ON so.id = b.order_id
                      JOIN res_partner rp ON rp.id = so.partner_id
                     WHERE b.state = 'out' AND so.company_id = %(company)s
                ) p
                 WHERE NOT EXISTS (SELECT 1 FROM rental_customer_statement s
                                    WHERE s.partner_id = p.id
                                      AND s.company_id = %(company)s
                                      AND s.date_from = %(date_from)s
                                      AND s.date_to = %(date_to)s)
                 ORDER BY p.id
                 %(limit)s
                """,
                company=company.id,
                date_from=date_from,
                date_to=date_to,
                limit=SQL("LIMIT %s", limit) if limit else SQL(""),
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _check_sender(self):
        if self.env.su or any(self.env.user.has_group(group) for group in STATEMENT_SENDERS):
            return
        raise AccessError(
            self.env._("Only salespeople and accountants can send customers their statement.")
        )

    def _get_statement_values(self):
        """What the printed statement shows, in company currency: invoices and payments of
        the period, opening and closing balances, gear out and deposits held."""
        self.ensure_one()
        statement = self.sudo()
        partner = statement.partner_id.commercial_partner_id
        company = statement.company_id
        receivable = [
            ("partner_id", "child_of", partner.id),
            ("company_id", "=", company.id),
            ("parent_state", "=", "posted"),
            ("account_id.account_type", "=", "asset_receivable"),
        ]
        AML = self.env["account.move.line"].sudo()

        def balance(domain):
            ((total,),) = AML._read_group(receivable + domain, aggregates=["balance:sum"])
            return total or 0.0

        invoices = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("commercial_partner_id", "=", partner.id),
                    ("company_id", "=", company.id),
                    ("state", "=", "posted"),
                    ("move_type", "in", ("out_invoice", "out_refund")),
                    ("invoice_date", ">=", statement.date_from),
                    ("invoice_date", "<=", statement.date_to),
                ],
                order="invoice_date, name",
            )
        )
        payments = AML.search(
            [
                *receivable,
                ("date", ">=", statement.date_from),
                ("date", "<=", statement.date_to),
                ("move_id.move_type", "=", "entry"),
                ("credit", ">", 0),
            ],
            order="date, id",
        )
        bookings = (
            self.env["rental.booking"]
            .sudo()
            .search(
                [
                    ("partner_id", "child_of", partner.id),
                    ("order_id.company_id", "=", company.id),
                    ("state", "=", "out"),
                ],
                order="date_end, id",
            )
        )
        orders = (
            self.env["sale.order"]
            .sudo()
            .search(
                [
                    ("partner_id", "child_of", partner.id),
                    ("company_id", "=", company.id),
                    ("is_rental_order", "=", True),
                    ("state", "=", "sale"),
                ]
            )
        )
        ledgers = orders._rental_deposit_ledgers()
        deposits = [
            (order, ledgers[order.id]["held"]) for order in orders if ledgers[order.id]["held"]
        ]
        return {
            "opening": balance([("date", "<", statement.date_from)]),
            "closing": balance([("date", "<=", statement.date_to)]),
            "invoices": invoices,
            "payments": payments,
            "bookings": bookings,
            "deposits": deposits,
            "deposit_total": sum(held for _order, held in deposits),
        }
