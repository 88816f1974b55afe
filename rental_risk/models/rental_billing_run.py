import logging
from collections import defaultdict
from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..engine.billing_periods import UNITS

_logger = logging.getLogger(__name__)

BATCH = 200


class RentalBillingRun(models.AbstractModel):
    """The periodic billing of long rentals (scheduled action, and at pickup).

    A rental line billed per period is due for billing once its gear is picked up (its first
    period, whatever the date) and then on the first day of each next period, until its end.
    One query selects the lines with a period due and not recorded; their due periods are
    recorded with one INSERT ... ON CONFLICT DO NOTHING on the unique (line, period start), so
    running twice, or two runs at once, records and bills each period once; only the periods
    this run inserted are invoiced, one invoice per order and period, in the same transaction.
    Batches of BATCH lines: the scheduler commits after each and calls again while lines remain
    (``_notify_progress``), so a run killed midway resumes where it stopped."""

    _name = "rental.billing.run"
    _description = "Rental Periodic Billing"

    @api.model
    def _cron_bill_periods(self, today=None, limit=BATCH):
        """Bill the periods due on ``today`` (the date; today by default)."""
        today = today or fields.Date.context_today(self)
        lines = self._get_due_lines(today, limit=limit)
        invoices = self._bill_lines(lines, today)
        _logger.info("rental billing: %s lines, %s invoices", len(lines), len(invoices))
        remaining = 1 if limit and len(lines) == limit else 0
        self.env["ir.cron"]._notify_progress(done=len(lines), remaining=remaining)
        return invoices

    @api.model
    def _get_horizon(self, today):
        """Periods starting before this moment (UTC) are due on ``today``: the next midnight."""
        return datetime.combine(fields.Date.to_date(today) + timedelta(days=1), time.min)

    @api.model
    def _get_due_lines(self, today, lines=None, limit=None):
        """Rental lines billed per period with a period due on ``today`` not recorded yet: the
        first once the gear is picked up, the next ones from their first day. One query."""
        for model in ("sale.order", "sale.order.line", "rental.billing.period"):
            self.env[model].flush_model()
        only = SQL("AND sol.id IN %s", tuple(lines.ids)) if lines else SQL("")
        self.env.cr.execute(
            SQL(
                """
                SELECT sol.id
                  FROM sale_order_line sol
                  JOIN sale_order so ON so.id = sol.order_id
                  LEFT JOIN LATERAL (SELECT MAX(p.date_end) AS last_end
                                       FROM rental_billing_period p
                                      WHERE p.order_line_id = sol.id) billed ON TRUE
                 WHERE sol.is_rental
                   AND sol.state = 'sale'
                   AND so.rental_billing_period IN %(units)s
                   AND sol.rental_qty_picked_up > 0
                   AND sol.rental_end > sol.rental_start
                   AND (billed.last_end IS NULL
                        OR (billed.last_end < sol.rental_end
                            AND billed.last_end < %(horizon)s))
                   %(only)s
                 ORDER BY sol.id
                 %(limit)s
                """,
                units=tuple(UNITS),
                horizon=self._get_horizon(today),
                only=only,
                limit=SQL("LIMIT %s", limit) if limit else SQL(""),
            )
        )
        return self.env["sale.order.line"].browse(row[0] for row in self.env.cr.fetchall())

    @api.model
    def _bill_lines(self, lines, today):
        """Record and invoice the periods of ``lines`` due on ``today``; returns the invoices."""
        periods = self._record_due_periods(lines, today)
        return self._invoice_periods(periods, today)

    @api.model
    def _record_due_periods(self, lines, today):
        """Insert the periods of ``lines`` due on ``today``; returns those inserted now."""
        horizon = self._get_horizon(today)
        rows = []
        for line in lines.sudo():
            recorded = set(line.rental_billing_period_ids.mapped("date_start"))
            qty, discount = line.product_uom_qty, (line.discount or 0.0) / 100.0
            for period in line._rental_billing_schedule():
                if period["date_start"] in recorded:
                    continue
                # The first period is due at pickup, the next ones on their first day.
                if period["sequence"] > 1 and period["date_start"] >= horizon:
                    break
                amount = line.currency_id.round(period["price_unit"] * qty * (1 - discount))
                rows.append(
                    SQL(
                        "(%s, %s, %s, %s, %s, %s, %s)",
                        line.id,
                        period["sequence"],
                        period["date_start"],
                        period["date_end"],
                        period["share"],
                        period["price_unit"],
                        amount,
                    )
                )
        if not rows:
            return self.env["rental.billing.period"]
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO rental_billing_period (order_line_id, order_id, partner_id,
                                                   company_id, sequence, date_start, date_end,
                                                   share, price_unit, amount, create_uid,
                                                   write_uid, create_date, write_date)
                SELECT sol.id, so.id, so.partner_id, sol.company_id, v.seq, v.date_start,
                       v.date_end, v.share, v.price_unit, v.amount, %(uid)s, %(uid)s,
                       %(now)s, %(now)s
                  FROM (VALUES %(rows)s)
                       AS v(line_id, seq, date_start, date_end, share, price_unit, amount)
                  JOIN sale_order_line sol ON sol.id = v.line_id
                  JOIN sale_order so ON so.id = sol.order_id
                ON CONFLICT (order_line_id, date_start) DO NOTHING
                RETURNING id
                """,
                rows=SQL(", ").join(rows),
                uid=self.env.uid,
                now=now,
            )
        )
        periods = self.env["rental.billing.period"].browse(r[0] for r in self.env.cr.fetchall())
        # Rows inserted in SQL: tell the ORM, as its create would (the lines' quantities to
        # invoice depend on them).
        periods.modified(["order_line_id", "order_id"], create=True)
        lines.invalidate_recordset(["rental_billing_period_ids"])
        lines.order_id.invalidate_recordset(["rental_billing_period_ids"])
        return periods

    @api.model
    def _invoice_periods(self, periods, today):
        """One posted invoice per order and period start for ``periods``, dated ``today``."""
        groups = defaultdict(lambda: self.env["rental.billing.period"])
        # Invoicing is the company's, not the user's: the pickup is validated by warehouse
        # staff who may not invoice.
        for period in periods.sudo():
            groups[period.order_id, period.date_start] |= period
        invoices = self.env["account.move"]
        for (order, _start), group in sorted(groups.items(), key=lambda i: (i[0][0].id, i[0][1])):
            order = order.with_company(order.company_id)
            try:
                # One order that cannot be invoiced (an account missing...) must not stop the
                # others: its period stays recorded, "to invoice" on the order, for a person
                # to bill with Create Invoice once the cause is fixed.
                with self.env.cr.savepoint():
                    moves = order.with_context(
                        rental_billing_period_ids=group.ids
                    )._create_invoices()
                    moves.write({"invoice_date": today})
                    moves.action_post()
            except (UserError, ValidationError) as error:
                _logger.warning("rental billing: %s not invoiced: %s", order.name, error)
                order.message_post(
                    body=self.env._(
                        "Rental period %(periods)s could not be invoiced: %(error)s Fix the "
                        "cause, then use Create Invoice.",
                        periods=group[:1]._label(),
                        error=str(error),
                    ),
                    subtype_xmlid="mail.mt_note",
                )
                continue
            order.message_post(
                body=self.env._(
                    "Rental period %(periods)s billed: %(invoices)s.",
                    periods=group[:1]._label(),
                    invoices=", ".join(moves.mapped("name")),
                ),
                subtype_xmlid="mail.mt_note",
            )
            invoices |= moves
        return invoices
