import logging

from odoo import api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

BATCH = 500


class RentalReminderRun(models.AbstractModel):
    """The reminder and escalation pass over every open rental line (scheduled action).

    One set-based INSERT ... SELECT finds the steps whose day has come for lines with gear
    still out and records them (rental.reminder.log, unique per step and line: ON CONFLICT DO
    NOTHING makes running twice, or two runs at once, harmless); only the rows it inserted get
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
        new rental.reminder.log rows."""
        for model in ("sale.order.line", "rental.booking", "rental.reminder.step"):
            self.env[model].flush_model()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO rental_reminder_log (step_id, order_line_id, order_id, company_id,
                                                 kind, date, create_uid, write_uid,
                                                 create_date, write_date)
                SELECT st.id, sol.id, sol.order_id, st.company_id, st.kind, %(now)s,
                       %(uid)s, %(uid)s, %(now)s, %(now)s
                  FROM sale_order_line sol
                  JOIN rental_reminder_step st
                    ON st.company_id = sol.company_id AND st.active
                 WHERE sol.is_rental
                   AND sol.state = 'sale'
                   AND sol.rental_end - sol.rental_start
                       >= make_interval(days => st.min_rental_days)
                   AND CASE st.kind
                       WHEN 'overdue_gear'
                           THEN sol.rental_end + make_interval(days => st.days) <= %(now)s
                       ELSE sol.rental_end - make_interval(days => st.days) <= %(now)s
                            AND sol.rental_end > %(now)s
                       END
                   AND EXISTS (SELECT 1 FROM rental_booking b
                                WHERE b.order_line_id = sol.id AND b.state = 'out')
                   AND NOT EXISTS (SELECT 1 FROM rental_reminder_log done
                                    WHERE done.step_id = st.id AND done.order_line_id = sol.id)
                 ORDER BY sol.rental_end, sol.id, st.days
                 %(limit)s
                ON CONFLICT (step_id, order_line_id) DO NOTHING
                RETURNING id
                """,
                now=now,
                uid=self.env.uid,
                limit=SQL("LIMIT %s", limit) if limit else SQL(""),
            )
        )
        return self.env["rental.reminder.log"].browse(row[0] for row in self.env.cr.fetchall())
