from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..engine.pg_arrays import array_literal


class RentalCreditFacts(models.AbstractModel):
    """The current exposure and overdue receivables of customers, for the order check, the
    delivery lock and the rescoring's snapshots (the facts of a past day are in
    ``rental_credit_facts``)."""

    _inherit = "rental.credit.facts"

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
                 WHERE am.commercial_partner_id = ANY(%(ids)s::int[])
                   AND am.company_id = %(company)s
                   AND am.state = 'posted'
                   AND am.move_type IN ('out_invoice', 'out_refund')
                   AND am.amount_residual_signed <> 0
                   AND am.move_type = 'out_invoice'
                   AND am.invoice_date_due < %(due)s
                 GROUP BY am.commercial_partner_id
                """,
                ids=array_literal(partner_ids),
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
