from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..engine.scoring import CustomerFacts

#: Payments made within this many days count as "recent" for the payment trend factor.
RECENT_PAYMENT_DAYS = 180


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
                 WHERE p.id = ANY(%(ids)s)
                """,
                company=company.id,
                cid=cid,
                ids=list(partner_ids),
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
    def _collect_facts(self, partner_ids, states=None, company=None):
        """Facts of every partner of ``partner_ids`` (commercial partners) in ``company`` (the
        current one by default) for the engine: that company's invoices, payments, orders,
        rentals and claims, in its currency (signed amounts, converted at the document's date).

        Returns ``({id: CustomerFacts}, {id: exposure dict})``. A fixed number of aggregate
        queries covers the whole list, whatever its length: never a query per partner.
        """
        company = company or self.env.company
        today = fields.Date.context_today(self)
        if states is None:
            states = self._read_states(partner_ids, company)
        invoices = self._invoice_facts(partner_ids, today, company)
        payments = self._payment_facts(partner_ids, today, company)
        orders = self._order_facts(partner_ids, company)
        rentals = self._rental_facts(partner_ids, company)
        damages = self._damage_facts(partner_ids, company)
        exposures = self._get_exposure(
            partner_ids, company, invoices=invoices, orders=orders, rentals=rentals
        )
        facts = {}
        empty = {}
        for partner_id in partner_ids:
            inv = invoices.get(partner_id, empty)
            pay = payments.get(partner_id, empty)
            order = orders.get(partner_id, empty)
            rent = rentals.get(partner_id, empty)
            dmg = damages.get(partner_id, empty)
            state = states.get(partner_id, empty)
            first_dates = [
                d
                for d in (inv.get("first_date"), order.get("first_date"), rent.get("first_date"))
                if d
            ]
            overdue = max(0.0, inv.get("overdue", 0.0))
            overdue_30 = min(overdue, max(0.0, inv.get("overdue_30", 0.0)))
            overdue_60 = min(overdue_30, max(0.0, inv.get("overdue_60", 0.0)))
            overdue_90 = min(overdue_60, max(0.0, inv.get("overdue_90", 0.0)))
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
            )
        return facts, exposures

    @api.model
    def _invoice_facts(self, partner_ids, today, company=None):
        """Posted customer invoices and credit notes per commercial partner, company currency.

        Overdue buckets use the invoice due date and the invoice's residual (credit notes
        reduce the open balance, not the overdue buckets).
        """
        self.env["account.move"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT am.commercial_partner_id,
                       SUM(am.amount_total_signed)::float8,
                       SUM(am.amount_residual_signed)::float8,
                       (SUM(am.amount_residual_signed) FILTER (
                           WHERE am.move_type = 'out_invoice' AND am.invoice_date_due < %(d0)s)
                       )::float8,
                       (SUM(am.amount_residual_signed) FILTER (
                           WHERE am.move_type = 'out_invoice' AND am.invoice_date_due < %(d30)s)
                       )::float8,
                       (SUM(am.amount_residual_signed) FILTER (
                           WHERE am.move_type = 'out_invoice' AND am.invoice_date_due < %(d60)s)
                       )::float8,
                       (SUM(am.amount_residual_signed) FILTER (
                           WHERE am.move_type = 'out_invoice' AND am.invoice_date_due < %(d90)s)
                       )::float8,
                       MIN(am.invoice_date)
                  FROM account_move am
                 WHERE am.commercial_partner_id = ANY(%(ids)s)
                   AND am.company_id = %(company)s
                   AND am.state = 'posted'
                   AND am.move_type IN ('out_invoice', 'out_refund')
                 GROUP BY am.commercial_partner_id
                """,
                ids=list(partner_ids),
                company=(company or self.env.company).id,
                d0=today,
                d30=today - timedelta(days=30),
                d60=today - timedelta(days=60),
                d90=today - timedelta(days=90),
            )
        )
        return {
            partner_id: {
                "invoiced": invoiced or 0.0,
                "open_balance": open_balance or 0.0,
                "overdue": overdue or 0.0,
                "overdue_30": overdue_30 or 0.0,
                "overdue_60": overdue_60 or 0.0,
                "overdue_90": overdue_90 or 0.0,
                "first_date": first_date,
            }
            for (
                partner_id,
                invoiced,
                open_balance,
                overdue,
                overdue_30,
                overdue_60,
                overdue_90,
                first_date,
            ) in self.env.cr.fetchall()
        }

    @api.model
    def _payment_facts(self, partner_ids, today, company=None):
        """Amount-weighted days between due date and payment, from the reconciliations.

        A payment is a partial reconciliation of a customer invoice's receivable line with a
        line outside the sales journals: credit notes (sales journals) cancel the debt, they do
        not pay it. Its date is the later of the two lines (``max_date``), its weight the
        amount matched.
        """
        self.env["account.partial.reconcile"].flush_model()
        recent_from = today - timedelta(days=RECENT_PAYMENT_DAYS)
        self.env.cr.execute(
            SQL(
                """
                SELECT am.commercial_partner_id,
                       SUM(apr.amount)::float8,
                       SUM(apr.amount * (apr.max_date - inv_line.date_maturity))::float8,
                       (SUM(apr.amount) FILTER (WHERE apr.max_date >= %(recent)s))::float8,
                       (SUM(apr.amount * (apr.max_date - inv_line.date_maturity))
                           FILTER (WHERE apr.max_date >= %(recent)s))::float8
                  FROM account_partial_reconcile apr
                  JOIN account_move_line inv_line ON inv_line.id = apr.debit_move_id
                  JOIN account_move am ON am.id = inv_line.move_id
                  JOIN account_move_line pay_line ON pay_line.id = apr.credit_move_id
                  JOIN account_journal pay_journal ON pay_journal.id = pay_line.journal_id
                 WHERE am.commercial_partner_id = ANY(%(ids)s)
                   AND am.company_id = %(company)s
                   AND am.state = 'posted'
                   AND am.move_type = 'out_invoice'
                   AND pay_journal.type != 'sale'
                 GROUP BY am.commercial_partner_id
                """,
                ids=list(partner_ids),
                company=(company or self.env.company).id,
                recent=recent_from,
            )
        )
        result = {}
        for partner_id, paid, weighted, recent_paid, recent_weighted in self.env.cr.fetchall():
            paid, weighted = float(paid or 0.0), float(weighted or 0.0)
            recent_paid, recent_weighted = float(recent_paid or 0.0), float(recent_weighted or 0.0)
            older_paid, older_weighted = paid - recent_paid, weighted - recent_weighted
            both = recent_paid > 0 and older_paid > 0
            result[partner_id] = {
                "paid": paid,
                "days_late": weighted / paid if paid else 0.0,
                "recent_days_late": recent_weighted / recent_paid if both else None,
                "older_days_late": older_weighted / older_paid if both else None,
            }
        return result

    @api.model
    def _order_facts(self, partner_ids, company=None):
        """Order lines per commercial partner, in one pass: the first confirmed order date, the
        amount ordered but not invoiced yet (confirmed orders, taxes included, company
        currency) and the late returns (lines flagged late at least once, whatever the order's
        state now: ``rental_late_hours`` stays on the line after the return, it is the lateness
        history).

        Returns {partner_id: {first_date, to_invoice, late_returns, avg_late_days}}.
        """
        self.env["sale.order"].flush_model()
        self.env["sale.order.line"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT p.commercial_partner_id,
                       (MIN(so.date_order) FILTER (WHERE so.state = 'sale'))::date,
                       (SUM(%(to_invoice)s) FILTER (WHERE so.state = 'sale'))::float8,
                       COUNT(*) FILTER (WHERE sol.rental_late_hours > 0),
                       (AVG(sol.rental_late_hours) FILTER (WHERE sol.rental_late_hours > 0)
                       )::float8 / 24
                  FROM sale_order so
                  JOIN res_partner p ON p.id = so.partner_id
                  JOIN sale_order_line sol ON sol.order_id = so.id
                 WHERE p.commercial_partner_id = ANY(%(ids)s)
                   AND so.company_id = %(company)s
                   AND (so.state = 'sale' OR sol.rental_late_hours > 0)
                 GROUP BY p.commercial_partner_id
                """,
                ids=list(partner_ids),
                company=(company or self.env.company).id,
                to_invoice=self._line_to_invoice_sql(),
            )
        )
        return {
            row[0]: {
                "first_date": row[1],
                "to_invoice": float(row[2] or 0.0),
                "late_returns": row[3],
                "avg_late_days": float(row[4] or 0.0),
            }
            for row in self.env.cr.fetchall()
        }

    @api.model
    def _line_to_invoice_sql(self, line="sol", order="so"):
        """SQL expression: what an order line still has to invoice, taxes included, in company
        currency. Stored columns only (the ORM's amount_to_invoice is not stored): the untaxed
        part not yet invoiced by posted invoices, scaled by the line's tax ratio and converted
        at the order's rate; over-invoiced lines count as nothing, and so do deposit lines (a
        deposit lowers the risk; it is not credit given to the customer)."""
        return SQL(
            """
            CASE WHEN %(line)s.display_type IS NULL
                      AND NOT COALESCE(%(line)s.is_downpayment, FALSE)
                      AND NOT COALESCE(%(line)s.is_rental_deposit, FALSE)
                      AND %(line)s.price_subtotal > 0
                 THEN GREATEST(%(line)s.price_subtotal
                               - COALESCE(%(line)s.untaxed_amount_invoiced, 0), 0)
                      * %(line)s.price_total / %(line)s.price_subtotal
                      / COALESCE(NULLIF(%(order)s.currency_rate, 0), 1)
                 ELSE 0 END
            """,
            line=SQL.identifier(line),
            order=SQL.identifier(order),
        )

    @api.model
    def _rental_facts(self, partner_ids, company=None):
        """Rental behaviour per commercial partner: completed rentals (returned bookings), lost
        assets, value of the assets out and the first rental (late returns come with the order
        facts, read in the same pass over the order lines).

        Hook: returns {partner_id: {completed_rentals, lost_assets, first_date, assets_out}}; a
        key a sub-module cannot provide is simply left out.
        """
        result = defaultdict(dict)
        ids = list(partner_ids)
        env = self.env
        company_id = (company or env.company).id
        if "rental.booking" in env:
            env["rental.booking"].flush_model()
            env.cr.execute(
                SQL(
                    """
                    SELECT p.commercial_partner_id,
                           COUNT(*) FILTER (WHERE rb.state = 'returned'),
                           MIN(rb.date_start)::date
                      FROM rental_booking rb
                      JOIN res_partner p ON p.id = rb.partner_id
                     WHERE p.commercial_partner_id = ANY(%(ids)s) AND rb.state != 'cancelled'
                       AND rb.company_id = %(company)s
                     GROUP BY p.commercial_partner_id
                    """,
                    ids=ids,
                    company=company_id,
                )
            )
            for partner_id, completed, first_date in env.cr.fetchall():
                result[partner_id].update(completed_rentals=completed, first_date=first_date)
        if "rental_state" in env["stock.lot"]._fields:
            env["stock.lot"].flush_model()
            env.cr.execute(
                SQL(
                    """
                    SELECT p.commercial_partner_id,
                           COUNT(*) FILTER (WHERE lot.rental_state = 'lost'),
                           (SUM(COALESCE(lot.rental_replacement_value, 0))
                               FILTER (WHERE lot.rental_state = 'out'))::float8
                      FROM stock_lot lot
                      JOIN res_partner p ON p.id = lot.rental_partner_id
                     WHERE p.commercial_partner_id = ANY(%(ids)s)
                       AND lot.rental_state IN ('lost', 'out')
                       AND COALESCE(lot.company_id, %(company)s) = %(company)s
                     GROUP BY p.commercial_partner_id
                    """,
                    ids=ids,
                    company=company_id,
                )
            )
            for partner_id, lost, out_value in env.cr.fetchall():
                result[partner_id].update(lost_assets=lost, assets_out=float(out_value or 0.0))
        return result

    @api.model
    def _deposits_held(self, partner_ids, company=None):
        """Deposits paid and not settled yet, per commercial partner, in company currency
        ({partner_id: amount}); the exposure subtracts them.

        Paid = each posted deposit invoice line in proportion to what its invoice has been
        paid; a settled order holds nothing any more (the settlement applies or refunds it all).
        """
        res = {}
        if not partner_ids:
            return res
        self.env.flush_all()
        self.env.cr.execute(
            self._deposits_held_sql(
                SQL("%s", list(partner_ids)), SQL("%s", (company or self.env.company).id)
            )
        )
        for partner_id, held in self.env.cr.fetchall():
            res[partner_id] = res.get(partner_id, 0.0) + round(float(held or 0.0), 2)
        return res

    @api.model
    def _deposits_held_sql(self, ids, company):
        """Query of the deposits held: (commercial partner, amount) for the partners ``ids``
        in ``company`` (SQL fragments: parameters, or the arguments of the SQL function)."""
        return SQL(
            """
            SELECT am.commercial_partner_id,
                   SUM(-aml.balance * CASE WHEN am.amount_total_signed = 0 THEN 0
                           ELSE 1 - am.amount_residual_signed / am.amount_total_signed END
                   )::float8
              FROM account_move_line aml
              JOIN account_move am ON am.id = aml.move_id
              JOIN sale_order_line_invoice_rel rel ON rel.invoice_line_id = aml.id
              JOIN sale_order_line sol ON sol.id = rel.order_line_id
             WHERE am.commercial_partner_id = ANY(%(ids)s)
               AND am.company_id = %(company)s
               AND am.state = 'posted'
               AND am.move_type IN ('out_invoice', 'out_refund')
               AND sol.is_rental_deposit
               AND NOT EXISTS (
                    SELECT 1 FROM rental_deposit_settlement s WHERE s.order_id = sol.order_id)
             GROUP BY am.commercial_partner_id
            """,
            ids=ids,
            company=company,
        )

    @api.model
    def _damage_facts(self, partner_ids, company=None):
        """Hook: damage and missing-accessory claims not waived nor withdrawn, per commercial
        partner: {damage_count, damage_amount (assessed, company currency)}. Loss claims are
        left out: lost assets are scored on their own."""
        res = {}
        if not partner_ids:
            return res
        self.env["rental.damage.claim"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT p.commercial_partner_id, COUNT(*), SUM(c.assessed_amount)
                  FROM rental_damage_claim c
                  JOIN res_partner p ON p.id = c.partner_id
                 WHERE p.commercial_partner_id = ANY(%(ids)s)
                   AND c.company_id = %(company)s
                   AND c.state NOT IN ('waived', 'cancelled')
                   AND c.claim_type != 'loss'
                 GROUP BY p.commercial_partner_id
                """,
                ids=list(partner_ids),
                company=(company or self.env.company).id,
            )
        )
        for partner_id, count, amount in self.env.cr.fetchall():
            facts = dict(res.get(partner_id, {}))
            facts["damage_count"] = facts.get("damage_count", 0) + count
            facts["damage_amount"] = facts.get("damage_amount", 0.0) + float(amount or 0.0)
            res[partner_id] = facts
        return res

    # ------------------------------------------------------------------
    # Exposure
    # ------------------------------------------------------------------

    @api.model
    def _get_exposure(self, partner_ids, company=None, invoices=None, orders=None, rentals=None):
        """Exposure of commercial partners in ``company`` (the current one by default),
        set-based: {id: {receivable, to_invoice, assets_out, deposits, total}} in that
        company's currency. Aggregates already computed by the rescoring may be passed in to
        avoid running them twice."""
        if not partner_ids:
            return {}
        company = company or self.env.company
        today = fields.Date.context_today(self)
        if invoices is None:
            invoices = self._invoice_facts(partner_ids, today, company)
        if orders is None:
            orders = self._order_facts(partner_ids, company)
        if rentals is None:
            rentals = self._rental_facts(partner_ids, company)
        deposits = self._deposits_held(partner_ids, company)
        exposures = {}
        empty = {}
        for partner_id in partner_ids:
            receivable = invoices.get(partner_id, empty).get("open_balance", 0.0)
            to_invoice = orders.get(partner_id, empty).get("to_invoice", 0.0)
            assets_out = rentals.get(partner_id, empty).get("assets_out", 0.0)
            held = deposits.get(partner_id, 0.0)
            exposures[partner_id] = {
                "receivable": receivable,
                "to_invoice": to_invoice,
                "assets_out": assets_out,
                "deposits": held,
                "total": round(receivable + to_invoice + assets_out - held, 2),
            }
        return exposures

    @api.model
    def _overdue_amounts(self, partner_ids, days, company=None):
        """{partner id: receivables of ``company`` overdue by more than ``days`` days}, for the
        delivery lock: one query on the open invoices (a partial index covers them)."""
        if not partner_ids:
            return {}
        self.env["account.move"].flush_model(
            [
                "commercial_partner_id",
                "company_id",
                "state",
                "move_type",
                "invoice_date_due",
                "amount_residual_signed",
            ]
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT am.commercial_partner_id, SUM(am.amount_residual_signed)::float8
                  FROM account_move am
                 WHERE am.commercial_partner_id = ANY(%(ids)s)
                   AND am.company_id = %(company)s
                   AND am.state = 'posted'
                   AND am.move_type IN ('out_invoice', 'out_refund')
                   AND am.amount_residual_signed <> 0
                   AND am.move_type = 'out_invoice'
                   AND am.invoice_date_due < %(due)s
                 GROUP BY am.commercial_partner_id
                """,
                ids=list(partner_ids),
                company=(company or self.env.company).id,
                due=fields.Date.context_today(self) - timedelta(days=days),
            )
        )
        return dict(self.env.cr.fetchall())

    @api.model
    def _current_facts(self, partner_ids, overdue_days=(), company=None):
        """Exposure and overdue receivables of ``partner_ids`` in ``company`` (the current one
        by default) now, for the order check and the delivery lock:
        {id: {"exposure": {...}, "overdue": {days: amount}}}.

        Unlike the scoring facts, which aggregate the whole history, this reads open invoices
        only (a partial index covers them), the orders not invoiced yet, the assets out and the
        deposits held, so its cost does not grow with the number of invoices a customer has
        paid over the years. One call of the SQL function made by ``init``.
        """
        ids = list(partner_ids)
        if not ids:
            return {}
        company = company or self.env.company
        today = fields.Date.context_today(self)
        days = sorted({int(d) for d in overdue_days})
        # Everything pending, in one pass: cheaper than flushing the six models read one by one.
        self.env.flush_all()
        self.env.cr.execute(SQL("SELECT * FROM rental_risk_current_facts(%s, %s)", ids, company.id))
        exposures = {
            pid: dict.fromkeys(("receivable", "to_invoice", "assets_out", "deposits"), 0.0)
            for pid in ids
        }
        overdue = {pid: dict.fromkeys(days, 0.0) for pid in ids}
        for partner_id, kind, due, amount in self.env.cr.fetchall():
            exposure = exposures[partner_id]
            if kind == "deposits":
                exposure[kind] += round(amount or 0.0, 2)
                continue
            exposure[kind] += amount or 0.0
            if kind == "receivable" and due:
                for d in days:
                    if due < today - timedelta(days=d):
                        overdue[partner_id][d] += amount or 0.0
        for exposure in exposures.values():
            exposure["total"] = round(
                exposure["receivable"]
                + exposure["to_invoice"]
                + exposure["assets_out"]
                - exposure["deposits"],
                2,
            )
        return {pid: {"exposure": exposures[pid], "overdue": overdue[pid]} for pid in ids}

    def init(self):
        res = super().init()
        # The order check and the delivery lock read the current facts of one customer at a
        # time, thousands of times a day: PostgreSQL spends longer planning these four
        # aggregates than running them on the open invoices. In a PL/pgSQL function their
        # plans are made once per database connection. Rows: (commercial partner, kind, due
        # date of an open customer invoice, amount), kind in receivable (one row per due
        # date; refunds without it), to_invoice, assets_out, deposits.
        args = {"ids": SQL("partner_ids"), "company": SQL("company")}
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE FUNCTION rental_risk_current_facts(
                    partner_ids integer[], company integer)
                RETURNS TABLE (partner_id integer, kind text, due date, amount float8)
                LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
                BEGIN
                RETURN QUERY
                    SELECT am.commercial_partner_id, 'receivable',
                           CASE WHEN am.move_type = 'out_invoice' THEN am.invoice_date_due END,
                           SUM(am.amount_residual_signed)::float8
                      FROM account_move am
                     WHERE am.commercial_partner_id = ANY(partner_ids)
                       AND am.company_id = company
                       AND am.state = 'posted'
                       AND am.move_type IN ('out_invoice', 'out_refund')
                       AND am.amount_residual_signed <> 0
                     GROUP BY 1, 3;
                RETURN QUERY
                    SELECT p.commercial_partner_id, 'to_invoice', NULL::date,
                           SUM(%(to_invoice)s)::float8
                      FROM sale_order so
                      JOIN res_partner p ON p.id = so.partner_id
                      JOIN sale_order_line sol ON sol.order_id = so.id
                     WHERE p.commercial_partner_id = ANY(partner_ids)
                       AND so.company_id = company
                       AND so.state = 'sale'
                     GROUP BY 1;
                RETURN QUERY
                    SELECT p.commercial_partner_id, 'assets_out', NULL::date,
                           SUM(COALESCE(lot.rental_replacement_value, 0))::float8
                      FROM stock_lot lot
                      JOIN res_partner p ON p.id = lot.rental_partner_id
                     WHERE p.commercial_partner_id = ANY(partner_ids)
                       AND lot.rental_state = 'out'
                       AND COALESCE(lot.company_id, company) = company
                     GROUP BY 1;
                RETURN QUERY
                    SELECT d.partner_id, 'deposits', NULL::date, d.amount
                      FROM (%(deposits)s) AS d(partner_id, amount);
                END
                $$
                """,
                to_invoice=self._line_to_invoice_sql(),
                deposits=self._deposits_held_sql(**args),
            )
        )
        return res
