import logging

from odoo import api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

BATCH = 500


class RentalReminderRun(models.AbstractModel):
    """The reminder and escalation pass over every open rental line (scheduled action).

    One set-based INSERT ... SELECT finds the steps whose day has come (for lines with gear
    still out, or for orders about to start with their deposit unpaid) and records them
    (rental.reminder.log, unique per step and line: ON CONFLICT DO NOTHING makes running
    twice, or two runs at once, harmless); only the rows it inserted get
    their e-mail queued or their task scheduled, in the same transaction. Batches of BATCH:
    the scheduler commits after each and calls again while steps remain (Odoo's
    ``_notify_progress``), so a run killed midway resumes where it stopped."""

    _name = "rental.reminder.run"
    _description = "Rental Reminders"

    @api.model
    def _cron_send_reminders(self):
        logs = self._record_due_steps(fields.Datetime.now(), BATCH)
        logs._do_steps()
        _logger.info("rental reminders: %s steps done", len(logs))
        remaining = 1 if len(logs) == BATCH else 0
        self.env["ir.cron"]._notify_progress(done=len(logs), remaining=remaining)
        return logs

    @api.model
    def _record_due_steps(self, now, limit=None):
        """Record the steps due at ``now`` not recorded yet (at most ``limit``); returns the
        new rental.reminder.log rows.

        Two branches, each driven by what makes it rare: gear out (a partial index on the
        bookings out) for the reminders before and after the end, and the rentals starting
        within the step's days (a partial index on the start of confirmed rental lines) for
        the unpaid deposit, which is reminded once per order: the deposit is the order's."""
        for model in ("sale.order.line", "rental.booking", "rental.reminder.step"):
            self.env[model].flush_model()
        # The deposit ledger: the invoices of the deposit lines and what is left to pay.
        self.env["account.move"].flush_model(
            ["state", "move_type", "amount_residual", "amount_total"]
        )
        self.env["account.move.line"].flush_model(["move_id", "price_total", "sale_line_ids"])
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO rental_reminder_log (step_id, order_line_id, order_id, company_id,
                                                 kind, due_on, date, create_uid, write_uid,
                                                 create_date, write_date)
                SELECT due.step_id, due.line_id, due.order_id, due.company_id, due.kind,
                       due.due_on, %(now)s, %(uid)s, %(uid)s, %(now)s, %(now)s
                  FROM ((%(gear_out)s) UNION ALL (%(deposit)s)) due
                 ORDER BY due.due_on, due.line_id, due.days
                 %(limit)s
                ON CONFLICT (step_id, order_line_id, due_on) DO NOTHING
                RETURNING id
                """,
                gear_out=self._due_gear_out_query(now),
                deposit=self._due_deposit_query(now),
                now=now,
                uid=self.env.uid,
                limit=SQL("LIMIT %s", limit) if limit else SQL(""),
            )
        )
        return self.env["rental.reminder.log"].browse(row[0] for row in self.env.cr.fetchall())

    @api.model
    def _due_gear_out_query(self, now):
        """Steps due for lines with gear out: before the end of a rental or a lease, after
        the end when the gear is not back."""
        return SQL(
            """
            SELECT st.id AS step_id, sol.id AS line_id, sol.order_id, st.company_id, st.kind,
                   sol.rental_end AS due_on, st.days
              FROM rental_reminder_step st
              JOIN sale_order_line sol ON sol.company_id = st.company_id
             WHERE st.active
               AND st.kind IN ('return_due', 'lease_end', 'overdue_gear')
               AND sol.id IN (SELECT b.order_line_id FROM rental_booking b
                               WHERE b.state = 'out' AND b.order_line_id IS NOT NULL)
               AND sol.is_rental
               AND sol.state = 'sale'
               AND sol.rental_end - sol.rental_start
                   >= make_interval(days => st.min_rental_days)
               AND CASE st.kind
                   WHEN 'overdue_gear'
                       THEN sol.rental_end + make_interval(days => st.days) <= %(now)s
                   ELSE sol.rental_end - make_interval(days => st.days) <= %(now)s
                        AND sol.rental_end > %(now)s
                   END
               AND NOT EXISTS (SELECT 1 FROM rental_reminder_log done
                                WHERE done.step_id = st.id AND done.order_line_id = sol.id
                                  AND done.due_on = sol.rental_end)
            """,
            now=now,
        )

    @api.model
    def _due_deposit_query(self, now):
        """Steps due for orders starting within the step's days whose gear is booked, not
        picked up, and whose deposit is not paid (as the order's deposit ledger counts it:
        the posted deposit invoices, each in proportion to what was paid of it). One line per
        order: its first rental line."""
        return SQL(
            """
            SELECT DISTINCT ON (st.id, sol.order_id)
                   st.id AS step_id, sol.id AS line_id, sol.order_id, st.company_id, st.kind,
                   sol.rental_start AS due_on, st.days
              FROM rental_reminder_step st
              JOIN sale_order_line sol
                ON sol.company_id = st.company_id
               AND sol.is_rental
               AND sol.state = 'sale'
               AND sol.rental_start > %(now)s
               AND sol.rental_start <= %(now)s + make_interval(days => st.days)
              JOIN res_currency cur ON cur.id = sol.currency_id
             WHERE st.active
               AND st.kind = 'deposit_unpaid'
               AND sol.rental_end - sol.rental_start
                   >= make_interval(days => st.min_rental_days)
               AND EXISTS (SELECT 1 FROM rental_booking b
                            WHERE b.order_line_id = sol.id AND b.state = 'reserved')
               AND NOT EXISTS (SELECT 1 FROM rental_booking b
                                WHERE b.order_id = sol.order_id
                                  AND b.state IN ('out', 'returned'))
               AND NOT EXISTS (SELECT 1 FROM rental_reminder_log done
                                WHERE done.step_id = st.id AND done.order_id = sol.order_id)
               AND (SELECT COALESCE(SUM(dep.price_total), 0) FROM sale_order_line dep
                     WHERE dep.order_id = sol.order_id AND dep.is_rental_deposit)
                   - (SELECT COALESCE(SUM(
                                 aml.price_total
                                 * CASE am.move_type WHEN 'out_refund' THEN -1 ELSE 1 END
                                 * (1 - am.amount_residual / NULLIF(am.amount_total, 0))), 0)
                        FROM sale_order_line dep
                        JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = dep.id
                        JOIN account_move_line aml ON aml.id = rel.invoice_line_id
                        JOIN account_move am ON am.id = aml.move_id
                       WHERE dep.order_id = sol.order_id
                         AND dep.is_rental_deposit
                         AND am.state = 'posted'
                         AND am.move_type IN ('out_invoice', 'out_refund'))
                   >= cur.rounding / 2
             ORDER BY st.id, sol.order_id, sol.rental_start, sol.id
            """,
            now=now,
        )
