from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..engine.pg_arrays import array_literal
from .rental_credit_facts import LATE_GRACE_DAYS, OLDER_DAYS, RECENT_DAYS

#: Key of today's payment facts of every customer, kept on the cursor during a run (see
#: ``_run_payment_facts``).
RUN_PAYMENTS = "rental_risk_run_payments"


class RentalCreditFacts(models.AbstractModel):
    """Payment behaviour: delays between due date and payment, and the overdue trend."""

    _inherit = "rental.credit.facts"

    @api.model
    def _payment_facts(self, partner_ids, today, company=None, as_of=None):
        """Payment delays per commercial partner on ``today`` (as known then for a past
        ``as_of``): ``_payment_facts_at`` of one date."""
        return self._payment_facts_at(partner_ids, [(today, as_of)], company).get(as_of, {})

    @api.model
    def _payment_facts_at(self, partner_ids, points, company=None):
        """Amount-weighted days between due date and payment, from the reconciliations: over
        the whole relationship, over the payments of the recent window (the last 90 days) and
        over those of the 12 months before it (both only when both windows have payments), at
        each of ``points`` (see ``_invoice_facts_at``): ``{as_of: {partner id: row}}``.

        A payment is a partial reconciliation of a customer invoice's receivable line with a
        line outside the sales journals: credit notes (sales journals) cancel the debt, they do
        not pay it. Its date is the later of the two lines (``max_date``), its weight the
        amount matched. ``as_of``: only the reconciliations dated by then. One query whatever
        the number of dates. ``partner_ids`` None: every customer of the company (a run's
        payments, see ``_run_payment_facts``).
        """
        self.env["account.partial.reconcile"].flush_model()
        as_ofs = [as_of for _today, as_of in points if as_of is not None]
        self.env.cr.execute(
            SQL(
                """
                WITH points AS (
                    SELECT * FROM unnest(%(todays)s::date[], %(as_ofs)s::date[]) AS pt(today, as_of)
                ), paid AS (
                    SELECT am.commercial_partner_id AS partner_id, apr.max_date, apr.amount,
                           apr.amount * (apr.max_date - inv_line.date_maturity) AS weighted
                      FROM account_partial_reconcile apr
                      JOIN account_move_line inv_line ON inv_line.id = apr.debit_move_id
                      JOIN account_move am ON am.id = inv_line.move_id
                      JOIN account_move_line pay_line ON pay_line.id = apr.credit_move_id
                      JOIN account_journal pay_journal ON pay_journal.id = pay_line.journal_id
                     WHERE (%(every)s OR am.commercial_partner_id = ANY(%(ids)s::int[]))
                       AND am.company_id = %(company)s
                       AND am.state = 'posted'
                       AND am.move_type = 'out_invoice'
                       AND pay_journal.type != 'sale'
                       AND (%(last)s::date IS NULL OR apr.max_date <= %(last)s::date)
                )
                SELECT pt.as_of, p.partner_id,
                       SUM(p.amount)::float8,
                       SUM(p.weighted)::float8,
                       (SUM(p.amount) FILTER (WHERE p.max_date >= pt.today - %(recent)s))::float8,
                       (SUM(p.weighted) FILTER (WHERE p.max_date >= pt.today - %(recent)s)
                       )::float8,
                       (SUM(p.amount) FILTER (
                           WHERE p.max_date >= pt.today - %(older)s
                             AND p.max_date < pt.today - %(recent)s))::float8,
                       (SUM(p.weighted) FILTER (
                           WHERE p.max_date >= pt.today - %(older)s
                             AND p.max_date < pt.today - %(recent)s))::float8
                  FROM points pt
                  JOIN paid p ON pt.as_of IS NULL OR p.max_date <= pt.as_of
                 GROUP BY pt.as_of, p.partner_id
                """,
                every=partner_ids is None,
                ids=array_literal(partner_ids or ()),
                company=(company or self.env.company).id,
                todays=[today for today, _as_of in points],
                as_ofs=[as_of for _today, as_of in points],
                recent=RECENT_DAYS,
                older=RECENT_DAYS + OLDER_DAYS,
                last=max(as_ofs, default=None),
            )
        )
        result = defaultdict(dict)
        for row in self.env.cr.fetchall():
            as_of, partner_id = row[:2]
            paid, weighted, recent_paid, recent_weighted, older_paid, older_weighted = (
                float(value or 0.0) for value in row[2:]
            )
            both = recent_paid > 0 and older_paid > 0
            result[as_of][partner_id] = {
                "paid": paid,
                "days_late": weighted / paid if paid else 0.0,
                "recent_days_late": recent_weighted / recent_paid if both else None,
                "older_days_late": older_weighted / older_paid if both else None,
            }
        return result

    @api.model
    def _overdue_trend_facts(self, partner_ids, today, company=None, as_of=None):
        """Overdue trend counts and amounts per commercial partner on ``today`` (as known then
        for a past ``as_of``): ``_overdue_trend_facts_at`` of one date."""
        return self._overdue_trend_facts_at(partner_ids, [(today, as_of)], company).get(as_of, {})

    @api.model
    def _overdue_trend_facts_at(self, partner_ids, points, company=None):
        """Customer invoices that fell due in the recent window (the last 90 days, up to the
        grace) and in the 12 months before, and those of them that went late: still unpaid
        ``LATE_GRACE_DAYS`` after their due date. Counts and amounts (company currency) per
        commercial partner at each of ``points`` (see ``_invoice_facts_at``): ``{as_of:
        {partner id: row}}``, one query whatever the number of dates.

        Whether an invoice went late does not depend on the date it is judged at: every
        invoice counted fell due more than the grace before that date, so what was
        reconciled by due date + grace was known by then. It is read once per invoice.
        """
        self.env["account.move"].flush_model()
        self.env["account.partial.reconcile"].flush_model()
        as_ofs = [as_of for _today, as_of in points if as_of is not None]
        todays = [today for today, _as_of in points]
        self.env.cr.execute(
            SQL(
                """
                WITH points AS (
                    SELECT * FROM unnest(%(todays)s::date[], %(as_ofs)s::date[]) AS pt(today, as_of)
                ), due AS MATERIALIZED (
                    -- once per invoice, not once per invoice and date
                    SELECT am.commercial_partner_id AS partner_id,
                           am.amount_total_signed AS amount,
                           am.invoice_date, am.invoice_date_due,
                           -- unpaid after the grace: nothing reconciled settles it by then
                           COALESCE(paid.amount, 0) < am.amount_total_signed - 0.005 AS late
                      FROM account_move am
                      LEFT JOIN LATERAL (
                            SELECT SUM(apr.amount) AS amount
                              FROM account_move_line l
                              JOIN account_partial_reconcile apr ON apr.debit_move_id = l.id
                             WHERE l.move_id = am.id
                               AND apr.max_date <= am.invoice_date_due + %(grace)s
                      ) paid ON TRUE
                     WHERE am.commercial_partner_id = ANY(%(ids)s::int[])
                       AND am.company_id = %(company)s
                       AND am.state = 'posted'
                       AND am.move_type = 'out_invoice'
                       AND am.invoice_date_due >= %(older_from)s
                       AND am.invoice_date_due < %(until)s
                       AND (%(last)s::date IS NULL OR am.invoice_date <= %(last)s::date)
                )
                SELECT pt.as_of, d.partner_id,
                       COUNT(*) FILTER (WHERE d.invoice_date_due >= pt.today - %(recent)s),
                       COUNT(*) FILTER (
                           WHERE d.invoice_date_due >= pt.today - %(recent)s AND d.late),
                       (SUM(d.amount) FILTER (WHERE d.invoice_date_due >= pt.today - %(recent)s)
                       )::float8,
                       (SUM(d.amount) FILTER (
                           WHERE d.invoice_date_due >= pt.today - %(recent)s AND d.late)
                       )::float8,
                       COUNT(*) FILTER (WHERE d.invoice_date_due < pt.today - %(recent)s),
                       COUNT(*) FILTER (
                           WHERE d.invoice_date_due < pt.today - %(recent)s AND d.late),
                       (SUM(d.amount) FILTER (WHERE d.invoice_date_due < pt.today - %(recent)s)
                       )::float8,
                       (SUM(d.amount) FILTER (
                           WHERE d.invoice_date_due < pt.today - %(recent)s AND d.late)
                       )::float8
                  FROM points pt
                  JOIN due d ON d.invoice_date_due >= pt.today - %(older)s
                            AND d.invoice_date_due < pt.today - %(grace)s
                            AND (pt.as_of IS NULL OR d.invoice_date <= pt.as_of)
                 GROUP BY pt.as_of, d.partner_id
                """,
                ids=array_literal(partner_ids),
                company=(company or self.env.company).id,
                todays=todays,
                as_ofs=[as_of for _today, as_of in points],
                recent=RECENT_DAYS,
                older=RECENT_DAYS + OLDER_DAYS,
                older_from=min(todays) - timedelta(days=RECENT_DAYS + OLDER_DAYS),
                until=max(todays) - timedelta(days=LATE_GRACE_DAYS),
                grace=LATE_GRACE_DAYS,
                last=max(as_ofs, default=None),
            )
        )
        keys = (
            "recent_due_count",
            "recent_late_count",
            "recent_due_amount",
            "recent_late_amount",
            "older_due_count",
            "older_late_count",
            "older_due_amount",
            "older_late_amount",
        )
        result = defaultdict(dict)
        for row in self.env.cr.fetchall():
            result[row[0]][row[1]] = {
                key: value or 0 for key, value in zip(keys, row[2:], strict=True)
            }
        return result

    @api.model
    def _run_payment_facts(self, company, run):
        """Today's payment facts (``_payment_facts_at``) of every customer of ``company``,
        read in one query the first time a run asks and kept on the cursor for the run's
        other batches: {partner id: row}. Like the medians, a payment reconciled while the run
        goes counts from the next run (a lone rescoring, on a payment, reads it at once)."""
        today = fields.Date.context_today(self)
        key = (run, company.id, today)
        stored = self.env.cr.cache.get(RUN_PAYMENTS)
        if not stored or stored[0] != key:
            rows = self._payment_facts_at(None, [(today, None)], company).get(None, {})
            stored = self.env.cr.cache[RUN_PAYMENTS] = (key, rows)
        return stored[1]
