from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..engine.pg_arrays import array_literal
from ..engine.scoring import SIGNAL_SEVERITY, CustomerFacts

#: The trend factors compare the last this many days ("recent") ...
RECENT_DAYS = 90
#: ... with this many days before them ("older": the 12 months before the recent window).
OLDER_DAYS = 365
#: An invoice counts as "gone late" for the overdue trend once unpaid this many days past due.
LATE_GRACE_DAYS = 5


class RentalCreditFacts(models.AbstractModel):
    """Set-based SQL readers of what the scoring and the risk checks know of customers:
    invoices, payments, orders, rentals, deposits, claims and the exposure they add up to.
    Each reader covers a whole list of commercial partners in one aggregate query."""

    _name = "rental.credit.facts"
    _description = "Customer Credit Facts"

    # ------------------------------------------------------------------
    # Scoring facts
    # ------------------------------------------------------------------

    @api.model
    @contextmanager
    def _without_jit(self):
        """Run the block with PostgreSQL's JIT compilation off, then put the setting back.

        The facts of a batch come from index-driven aggregates whose cost the planner
        overestimates (a few candidates of related parties, the months of the backtest):
        above ``jit_above_cost`` each query is compiled anew, which took longer than running
        it (92 ms of the related parties' 100 ms a batch; 6 s of a rescoring of 100,000
        customers, bench/run scoring). The setting is local to the transaction, and a
        failed block leaves it to the rollback.
        """
        cr = self.env.cr
        cr.execute("SELECT current_setting('jit'), set_config('jit', 'off', true)")
        previous = cr.fetchone()[0]
        yield
        cr.execute("SELECT set_config('jit', %s, true)", [previous])

    @api.model
    def _read_states(self, partner_ids, company=None):
        """Current risk figures of ``partner_ids`` in ``company`` (the current one by default),
        in one query, keyed by id: the scoring columns (one value per company), the override
        and hand-set limit in force there (from the decisions), and the identity flags."""
        company = company or self.env.company
        cid = str(company.id)
        self.env["res.partner"].flush_model()
        self.env["rental.risk.decision"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id, %(company)s,
                       (p.rental_score -> %(cid)s ->> 0)::int,
                       p.rental_grade_computed -> %(cid)s ->> 0,
                       p.rental_grade -> %(cid)s ->> 0,
                       CASE WHEN ov.kind = 'grade_override' THEN ov.grade END,
                       (p.rental_credit_limit -> %(cid)s ->> 0)::float8,
                       lim.kind = 'credit_limit',
                       lim.amount::float8,
                       p.rental_kyc_verified, p.rental_blacklisted, p.user_id
                  FROM res_partner p
                  LEFT JOIN LATERAL (
                        SELECT d.kind, d.grade
                          FROM rental_risk_decision d
                         WHERE d.partner_id = p.id AND d.company_id = %(company)s
                           AND d.kind IN ('grade_override', 'grade_override_end')
                         ORDER BY d.id DESC LIMIT 1) ov ON TRUE
                  LEFT JOIN LATERAL (
                        SELECT d.kind, d.amount
                          FROM rental_risk_decision d
                         WHERE d.partner_id = p.id AND d.company_id = %(company)s
                           AND d.kind IN ('credit_limit', 'credit_limit_reset')
                         ORDER BY d.id DESC LIMIT 1) lim ON TRUE
                 WHERE p.id = ANY(%(ids)s::int[])
                """,
                company=company.id,
                cid=cid,
                ids=array_literal(partner_ids),
            )
        )
        keys = (
            "company_id",
            "score",
            "grade_computed",
            "grade",
            "override",
            "credit_limit",
            "credit_limit_manual",
            "manual_limit",
            "kyc_verified",
            "blacklisted",
            "user_id",
        )
        return {row[0]: dict(zip(keys, row[1:], strict=True)) for row in self.env.cr.fetchall()}

    @api.model
    def _collect_facts(self, partner_ids, states=None, company=None, as_of=None):
        """Facts of every partner of ``partner_ids`` (commercial partners) in ``company`` (the
        current one by default) for the engine: that company's invoices, payments, orders,
        rentals, claims and officer signals, in its currency (signed amounts, converted at the
        document's date), the medians of its industry and region (``_peer_facts``) and the
        lowest-scored related party.

        ``as_of`` (a past date) reads the facts as they were known at the end of that day:
        invoices dated by then, payments reconciled by then (an invoice paid later is open
        again), orders, rentals, claims and signals dated by then, blacklist and identity
        decisions taken by then, peers' payments reconciled by then; related parties are left
        out (their past scores are not kept). The queries are the same, with the date as a
        parameter.

        Returns ``({id: CustomerFacts}, {id: exposure dict})``; no exposure ``as_of`` a date.
        A fixed number of aggregate queries covers the whole list, whatever its length: never
        a query per partner.
        """
        ((_as_of, facts, exposures),) = self._iter_facts(
            partner_ids, [as_of], states=states, company=company
        )
        return facts, exposures

    @api.model
    def _collect_facts_over(self, partner_ids, dates, company=None):
        """``_collect_facts`` of ``partner_ids`` as of each past date of ``dates``: yields
        ``(date, {id: CustomerFacts})`` date after date. The invoice, payment, overdue trend
        and peer readers cover every date in one query each (the same queries as tonight's,
        grouped by date as well), so the backtest's many month-ends read the documents once
        instead of once per date."""
        if not dates or None in dates:
            raise ValueError("_collect_facts_over() reads past dates only")
        for as_of, facts, _exposures in self._iter_facts(partner_ids, dates, company=company):
            yield as_of, facts

    @api.model
    def _iter_facts(self, partner_ids, as_ofs, states=None, company=None):
        """Yield ``(as_of, {id: CustomerFacts}, {id: exposure})`` for each of ``as_ofs``
        (``[None]``: today's facts, with the exposure; else past dates). The readers that
        take most of the time read every date at once; the others date by date."""
        company = company or self.env.company
        today = fields.Date.context_today(self)
        points = [(as_of or today, as_of) for as_of in as_ofs]
        invoices_at = self._invoice_facts_at(partner_ids, points, company)
        run = self.env.context.get("rental_risk_peer_run")
        if run and as_ofs == [None] and self.env.context.get("rental_risk_run_payments"):
            # A run over many batches reads every customer's payments once (the peer
            # medians need them all anyway) and each batch takes its own.
            every = self._run_payment_facts(company, run)
            payments_at = {None: {i: every[i] for i in partner_ids if i in every}}
        else:
            payments_at = self._payment_facts_at(partner_ids, points, company)
        trends_at = self._overdue_trend_facts_at(partner_ids, points, company)
        peers_at = self._peer_facts_at(partner_ids, company, as_ofs)
        for day, as_of in points:
            if as_of is not None:
                day_states = self._states_as_of(partner_ids, as_of)
            elif states is None:
                day_states = self._read_states(partner_ids, company)
            else:
                day_states = states
            invoices = invoices_at.get(as_of, {})
            orders = self._order_facts(partner_ids, company, as_of=as_of)
            rentals = self._rental_facts(partner_ids, company, as_of=as_of)
            exposures = {}
            if as_of is None:
                exposures = self._get_exposure(
                    partner_ids, company, invoices=invoices, orders=orders, rentals=rentals
                )
            facts = self._build_facts(
                partner_ids,
                day,
                states=day_states,
                invoices=invoices,
                payments=payments_at.get(as_of, {}),
                trends=trends_at.get(as_of, {}),
                orders=orders,
                rentals=rentals,
                damages=self._damage_facts(partner_ids, company, as_of=as_of),
                signals=self._signal_facts(partner_ids, day, company),
                peers=peers_at.get(as_of, {}),
                related={} if as_of is not None else self._related_facts(partner_ids, company),
            )
            yield as_of, facts, exposures

    @api.model
    def _build_facts(self, partner_ids, today, **readers):
        """{id: CustomerFacts} of ``partner_ids`` on ``today`` from the readers' rows
        (``readers``: name -> {id: row dict}; a partner a reader has no row for has none of
        what it reads)."""
        invoices, payments, orders = readers["invoices"], readers["payments"], readers["orders"]
        rentals, damages, states = readers["rentals"], readers["damages"], readers["states"]
        trends, signals, related = readers["trends"], readers["signals"], readers["related"]
        peers = readers["peers"]
        facts = {}
        empty = {}
        for partner_id in partner_ids:
            inv = invoices.get(partner_id, empty)
            pay = payments.get(partner_id, empty)
            order = orders.get(partner_id, empty)
            rent = rentals.get(partner_id, empty)
            dmg = damages.get(partner_id, empty)
            state = states.get(partner_id, empty)
            trend = trends.get(partner_id, empty)
            signal = signals.get(partner_id, empty)
            rel = related.get(partner_id, empty)
            peer = peers.get(partner_id, empty)
            first_dates = [
                d
                for d in (inv.get("first_date"), order.get("first_date"), rent.get("first_date"))
                if d
            ]
            overdue = max(0.0, inv.get("overdue", 0.0))
            overdue_30 = min(overdue, max(0.0, inv.get("overdue_30", 0.0)))
            overdue_60 = min(overdue_30, max(0.0, inv.get("overdue_60", 0.0)))
            overdue_90 = min(overdue_60, max(0.0, inv.get("overdue_90", 0.0)))
            recent_due = max(0.0, trend.get("recent_due_amount", 0.0))
            older_due = max(0.0, trend.get("older_due_amount", 0.0))
            facts[partner_id] = CustomerFacts(
                invoiced_amount=max(0.0, inv.get("invoiced", 0.0)),
                weighted_days_late=pay.get("days_late", 0.0),
                open_balance=max(0.0, inv.get("open_balance", 0.0)),
                overdue_balance=overdue,
                overdue_30=overdue_30,
                overdue_60=overdue_60,
                overdue_90=overdue_90,
                recent_days_late=pay.get("recent_days_late"),
                older_days_late=pay.get("older_days_late"),
                recent_due_count=int(trend.get("recent_due_count", 0)),
                recent_late_count=int(trend.get("recent_late_count", 0)),
                recent_due_amount=recent_due,
                recent_late_amount=min(recent_due, max(0.0, trend.get("recent_late_amount", 0.0))),
                older_due_count=int(trend.get("older_due_count", 0)),
                older_late_count=int(trend.get("older_late_count", 0)),
                older_due_amount=older_due,
                older_late_amount=min(older_due, max(0.0, trend.get("older_late_amount", 0.0))),
                credit_note_amount=max(0.0, inv.get("credit_notes", 0.0)),
                industry_name=peer.get("industry_name"),
                industry_median_days_late=peer.get("industry_median"),
                industry_peer_count=int(peer.get("industry_count", 0)),
                region_name=peer.get("region_name"),
                region_median_days_late=peer.get("region_median"),
                region_peer_count=int(peer.get("region_count", 0)),
                recent_order_amount=max(0.0, order.get("recent_amount", 0.0)),
                older_order_amount=max(0.0, order.get("older_amount", 0.0)),
                late_returns=int(order.get("late_returns", 0)),
                avg_late_days=order.get("avg_late_days", 0.0),
                damage_count=int(dmg.get("damage_count", 0)),
                damage_amount=dmg.get("damage_amount", 0.0),
                lost_assets=int(rent.get("lost_assets", 0)),
                tenure_days=float(max(0, (today - min(first_dates)).days)) if first_dates else 0.0,
                completed_rentals=int(rent.get("completed_rentals", 0)),
                paid_volume=max(0.0, pay.get("paid", 0.0)),
                kyc_verified=bool(state.get("kyc_verified")),
                blacklisted=bool(state.get("blacklisted")),
                related_score=rel.get("score"),
                related_grade=rel.get("grade"),
                related_name=rel.get("name"),
                signal_severity=float(signal.get("severity", 0.0)),
                signal_count=int(signal.get("count", 0)),
                signal_kind=signal.get("kind"),
            )
        return facts

    @api.model
    def _states_as_of(self, partner_ids, as_of):
        """Blacklist and identity flags of ``partner_ids`` as decided by the end of ``as_of``,
        from the decisions (one query): {id: {blacklisted, kyc_verified}}."""
        self.env["rental.risk.decision"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT d.partner_id,
                       (ARRAY_AGG(d.kind ORDER BY d.id DESC) FILTER (
                           WHERE d.kind IN ('blacklist', 'blacklist_lift')))[1] = 'blacklist',
                       BOOL_OR(d.kind = 'kyc_verify')
                  FROM rental_risk_decision d
                 WHERE d.partner_id = ANY(%(ids)s::int[])
                   AND d.kind IN ('blacklist', 'blacklist_lift', 'kyc_verify')
                   AND d.date < %(end)s
                 GROUP BY d.partner_id
                """,
                ids=array_literal(partner_ids),
                end=as_of + timedelta(days=1),
            )
        )
        return {
            partner_id: {"blacklisted": bool(blacklisted), "kyc_verified": bool(kyc)}
            for partner_id, blacklisted, kyc in self.env.cr.fetchall()
        }

    @api.model
    def _invoice_facts(self, partner_ids, today, company=None, as_of=None):
        """Posted customer invoices and credit notes per commercial partner on ``today`` (as
        known then for a past ``as_of``): ``_invoice_facts_at`` of one date."""
        return self._invoice_facts_at(partner_ids, [(today, as_of)], company).get(as_of, {})

    @api.model
    def _invoice_facts_at(self, partner_ids, points, company=None):
        """Posted customer invoices and credit notes per commercial partner, company currency,
        at each of ``points`` (``(today, as_of)`` pairs: as_of ``None`` for today's facts, else
        a past date equal to its today; all of one kind): ``{as_of: {partner id: row}}``.

        Overdue buckets use the invoice due date and the invoice's residual (credit notes
        reduce the open balance, not the overdue buckets). ``as_of``: only the documents
        dated by then, each open by what was reconciled with it after that day. One query
        whatever the number of dates: the documents are read once and grouped per date.
        """
        self.env["account.move"].flush_model()
        self.env["account.move.line"].flush_model(["move_id"])
        self.env["account.partial.reconcile"].flush_model()
        as_ofs = [as_of for _today, as_of in points if as_of is not None]
        # The residual of that day is today's plus what was reconciled after it: summed per
        # invoice and date in one pass over the batch's reconciliations (``later``), not in
        # correlated subqueries, which PostgreSQL runs again for each of the five sums that
        # read it (bench/run backtest: 6 s per month-end for 5,000 customers with them).
        # Today's facts (no past date) fold ``later`` away: ``%(past)s`` is a constant.
        residual = SQL("m.amount_residual_signed + COALESCE(later.amount, 0)")
        self.env.cr.execute(
            SQL(
                """
                WITH points AS (
                    SELECT * FROM unnest(%(todays)s::date[], %(as_ofs)s::date[]) AS pt(today, as_of)
                ), moves AS (
                    SELECT am.id, am.commercial_partner_id, am.move_type, am.invoice_date,
                           am.invoice_date_due, am.amount_total_signed,
                           am.amount_residual_signed
                      FROM account_move am
                     WHERE am.commercial_partner_id = ANY(%(ids)s::int[])
                       AND am.company_id = %(company)s
                       AND am.state = 'posted'
                       AND am.move_type IN ('out_invoice', 'out_refund')
                       AND (%(last)s::date IS NULL OR am.invoice_date <= %(last)s::date)
                ), matched AS (
                    -- through each invoice's own lines (index), not a scan of every
                    -- reconciliation after the first date
                    SELECT m.id AS move_id, r.max_date, r.amount
                      FROM moves m
                     CROSS JOIN LATERAL (
                            SELECT apr.max_date, apr.amount
                              FROM account_move_line l
                              JOIN account_partial_reconcile apr ON apr.debit_move_id = l.id
                             WHERE l.move_id = m.id AND apr.max_date > %(first)s::date
                            UNION ALL
                            SELECT apr.max_date, -apr.amount
                              FROM account_move_line l
                              JOIN account_partial_reconcile apr ON apr.credit_move_id = l.id
                             WHERE l.move_id = m.id AND apr.max_date > %(first)s::date
                     ) r
                     WHERE %(past)s
                ), later AS (
                    SELECT pt.as_of, r.move_id, SUM(r.amount) AS amount
                      FROM matched r
                      JOIN points pt ON r.max_date > pt.as_of
                     GROUP BY pt.as_of, r.move_id
                )
                SELECT pt.as_of, m.commercial_partner_id,
                       SUM(m.amount_total_signed)::float8,
                       SUM(%(residual)s)::float8,
                       (SUM(%(residual)s) FILTER (
                           WHERE m.move_type = 'out_invoice' AND m.invoice_date_due < pt.today)
                       )::float8,
                       (SUM(%(residual)s) FILTER (
                           WHERE m.move_type = 'out_invoice'
                             AND m.invoice_date_due < pt.today - 30)
                       )::float8,
                       (SUM(%(residual)s) FILTER (
                           WHERE m.move_type = 'out_invoice'
                             AND m.invoice_date_due < pt.today - 60)
                       )::float8,
                       (SUM(%(residual)s) FILTER (
                           WHERE m.move_type = 'out_invoice'
                             AND m.invoice_date_due < pt.today - 90)
                       )::float8,
                       MIN(m.invoice_date),
                       (SUM(-m.amount_total_signed) FILTER (WHERE m.move_type = 'out_refund')
                       )::float8
                  FROM points pt
                  JOIN moves m ON pt.as_of IS NULL OR m.invoice_date <= pt.as_of
                  LEFT JOIN later ON later.as_of = pt.as_of AND later.move_id = m.id
                 GROUP BY pt.as_of, m.commercial_partner_id
                """,
                residual=residual,
                ids=array_literal(partner_ids),
                company=(company or self.env.company).id,
                todays=[today for today, _as_of in points],
                as_ofs=[as_of for _today, as_of in points],
                past=bool(as_ofs),
                first=min(as_ofs, default=None),
                last=max(as_ofs, default=None),
            )
        )
        result = defaultdict(dict)
        for (
            as_of,
            partner_id,
            invoiced,
            open_balance,
            overdue,
            overdue_30,
            overdue_60,
            overdue_90,
            first_date,
            credit_notes,
        ) in self.env.cr.fetchall():
            result[as_of][partner_id] = {
                "invoiced": invoiced or 0.0,
                "open_balance": open_balance or 0.0,
                "overdue": overdue or 0.0,
                "overdue_30": overdue_30 or 0.0,
                "overdue_60": overdue_60 or 0.0,
                "overdue_90": overdue_90 or 0.0,
                "first_date": first_date,
                "credit_notes": credit_notes or 0.0,
            }
        return result

    @api.model
    def _signal_facts(self, partner_ids, today, company=None):
        """Officer signals of ``company`` known and not expired on ``today`` (withdrawn ones
        never count), per commercial partner: {count, severity (sum of the engine's
        severity weights), kind (of the most severe, the latest first)}."""
        self.env["rental.risk.signal"].flush_model()
        severity = SQL(
            "CASE s.severity %s ELSE 0 END",
            SQL(" ").join(
                SQL("WHEN %s THEN %s", key, value) for key, value in SIGNAL_SEVERITY.items()
            ),
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT s.partner_id, COUNT(*), SUM(%(severity)s),
                       (ARRAY_AGG(s.kind ORDER BY %(severity)s DESC, s.date DESC, s.id DESC))[1]
                  FROM rental_risk_signal s
                 WHERE s.partner_id = ANY(%(ids)s::int[])
                   AND s.company_id = %(company)s
                   AND s.active
                   AND s.date <= %(today)s
                   AND s.date_expiry >= %(today)s
                 GROUP BY s.partner_id
                """,
                severity=severity,
                ids=array_literal(partner_ids),
                company=(company or self.env.company).id,
                today=today,
            )
        )
        return {
            partner_id: {"count": count, "severity": float(total or 0), "kind": kind}
            for partner_id, count, total, kind in self.env.cr.fetchall()
        }

    @api.model
    def _related_facts(self, partner_ids, company=None):
        """Lowest-scored related party of each partner in ``company``: {id: {score, grade,
        name}}. Related: the parent company and the companies under the same parent or
        under the partner, companies sharing its VAT or company registry number, and the
        companies declared related in either direction. One query; each candidate set comes
        from an index (parent, normalised VAT, company registry, relation table)."""
        company = company or self.env.company
        self.env["res.partner"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                WITH me AS (
                    SELECT id, parent_id, rental_vat_norm AS vat,
                           NULLIF(TRIM(company_registry), '') AS registry
                      FROM res_partner
                     WHERE id = ANY(%(ids)s::int[])
                ), candidate AS (
                    SELECT me.id, me.parent_id AS related_id FROM me WHERE me.parent_id IS NOT NULL
                    UNION
                    SELECT me.id, q.id FROM me JOIN res_partner q ON q.parent_id = me.parent_id
                    UNION
                    SELECT me.id, q.id FROM me JOIN res_partner q ON q.parent_id = me.id
                    UNION
                    SELECT me.id, q.id FROM me JOIN res_partner q ON q.rental_vat_norm = me.vat
                    UNION
                    SELECT me.id, q.id
                      FROM me JOIN res_partner q ON q.company_registry = me.registry
                     WHERE me.registry IS NOT NULL
                    UNION
                    SELECT me.id, r.related_id
                      FROM me JOIN rental_risk_related_partner_rel r ON r.partner_id = me.id
                    UNION
                    SELECT me.id, r.partner_id
                      FROM me JOIN rental_risk_related_partner_rel r ON r.related_id = me.id
                )
                SELECT DISTINCT ON (c.id) c.id, q.score, q.grade, q.name
                  FROM candidate c
                 CROSS JOIN LATERAL (
                        -- a look-up by id per candidate (a batch has few), not a scan of
                        -- every partner for each batch: LIMIT keeps PostgreSQL from turning
                        -- it back into a join (the id is unique anyway)
                        SELECT q.id, (q.rental_score -> %(cid)s ->> 0)::int AS score,
                               q.rental_grade -> %(cid)s ->> 0 AS grade, q.name
                          FROM res_partner q
                         WHERE q.id = c.related_id
                           AND q.id != c.id
                           AND q.id = q.commercial_partner_id
                           AND q.active
                           AND q.rental_score -> %(cid)s ->> 0 IS NOT NULL
                         LIMIT 1) q
                 ORDER BY c.id, q.score, q.id
                """,
                ids=array_literal(partner_ids),
                cid=str(company.id),
            )
        )
        return {
            partner_id: {"score": float(score), "grade": grade or None, "name": name}
            for partner_id, score, grade, name in self.env.cr.fetchall()
        }
