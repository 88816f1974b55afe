from collections import defaultdict
from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..engine.pg_arrays import array_literal
from .rental_credit_facts import OLDER_DAYS, RECENT_DAYS


class RentalCreditFacts(models.AbstractModel):
    """The order, rental, deposit and damage facts of customers (invoices and payments are in
    ``rental_credit_facts``)."""

    _inherit = "rental.credit.facts"

    @api.model
    def _order_facts(self, partner_ids, company=None, as_of=None):
        """Order lines per commercial partner, in one pass: the first confirmed order date, the
        amount ordered but not invoiced yet (confirmed orders, taxes included, company
        currency), the confirmed orders of the recent window (the last 90 days) and of the 12
        months before, and the late returns (lines flagged late at least once, whatever the
        order's state now: ``rental_late_hours`` stays on the line after the return, it is the
        lateness history).

        ``as_of``: orders dated by then, late returns planned back by then (the amount to
        invoice is today's: it is not kept day by day).

        Returns {partner_id: {first_date, to_invoice, recent_amount, older_amount,
        late_returns, avg_late_days}}.
        """
        self.env["sale.order"].flush_model()
        self.env["sale.order.line"].flush_model()
        today = as_of or fields.Date.context_today(self)
        end = datetime.combine(today + timedelta(days=1), time.min)
        recent_from = end - timedelta(days=RECENT_DAYS)
        older_from = recent_from - timedelta(days=OLDER_DAYS)
        known = SQL("(%(as_of)s::date IS NULL OR so.date_order < %(end)s)", as_of=as_of, end=end)
        late = SQL(
            "sol.rental_late_hours > 0"
            " AND (%(as_of)s::date IS NULL OR sol.rental_end < %(end)s)",
            as_of=as_of,
            end=end,
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT p.commercial_partner_id,
                       (MIN(so.date_order) FILTER (WHERE so.state = 'sale'))::date,
                       (SUM(%(to_invoice)s) FILTER (WHERE so.state = 'sale'))::float8,
                       COUNT(*) FILTER (WHERE %(late)s),
                       (AVG(sol.rental_late_hours) FILTER (WHERE %(late)s))::float8 / 24,
                       (SUM(%(ordered)s) FILTER (
                           WHERE so.state = 'sale' AND so.date_order >= %(recent)s)
                       )::float8,
                       (SUM(%(ordered)s) FILTER (
                           WHERE so.state = 'sale' AND so.date_order >= %(older)s
                             AND so.date_order < %(recent)s)
                       )::float8
                  FROM sale_order so
                  JOIN res_partner p ON p.id = so.partner_id
                  JOIN sale_order_line sol ON sol.order_id = so.id
                 WHERE p.commercial_partner_id = ANY(%(ids)s::int[])
                   AND so.company_id = %(company)s
                   AND (so.state = 'sale' OR sol.rental_late_hours > 0)
                   AND %(known)s
                 GROUP BY p.commercial_partner_id
                """,
                ids=array_literal(partner_ids),
                company=(company or self.env.company).id,
                to_invoice=self._line_to_invoice_sql(),
                ordered=self._line_ordered_sql(),
                late=late,
                known=known,
                recent=recent_from,
                older=older_from,
            )
        )
        return {
            row[0]: {
                "first_date": row[1],
                "to_invoice": float(row[2] or 0.0),
                "late_returns": row[3],
                "avg_late_days": float(row[4] or 0.0),
                "recent_amount": float(row[5] or 0.0),
                "older_amount": float(row[6] or 0.0),
            }
            for row in self.env.cr.fetchall()
        }

    @api.model
    def _line_ordered_sql(self, line="sol", order="so"):
        """SQL expression: what an order line sells, taxes included, in company currency
        (deposits and down payments are not sales)."""
        return SQL(
            """
            CASE WHEN %(line)s.display_type IS NULL
                      AND NOT COALESCE(%(line)s.is_downpayment, FALSE)
                      AND NOT COALESCE(%(line)s.is_rental_deposit, FALSE)
                 THEN %(line)s.price_total / COALESCE(NULLIF(%(order)s.currency_rate, 0), 1)
                 ELSE 0 END
            """,
            line=SQL.identifier(line),
            order=SQL.identifier(order),
        )

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
    def _rental_facts(self, partner_ids, company=None, as_of=None):
        """Rental behaviour per commercial partner: completed rentals (returned bookings), lost
        assets, value of the assets out and the first rental (late returns come with the order
        facts, read in the same pass over the order lines).

        ``as_of``: bookings started, and returned ones ended, by then; lost assets are the
        loss claims dated by then (a serial's state is not kept day by day); no assets out.

        Hook: returns {partner_id: {completed_rentals, lost_assets, first_date, assets_out}}; a
        key a sub-module cannot provide is simply left out.
        """
        result = defaultdict(dict)
        ids = list(partner_ids)
        env = self.env
        company_id = (company or env.company).id
        end = as_of and datetime.combine(as_of + timedelta(days=1), time.min)
        if "rental.booking" in env:
            env["rental.booking"].flush_model()
            env.cr.execute(
                SQL(
                    """
                    SELECT p.commercial_partner_id,
                           COUNT(*) FILTER (WHERE rb.state = 'returned'
                               AND (%(end)s::timestamp IS NULL OR rb.date_end < %(end)s)),
                           MIN(rb.date_start)::date
                      FROM rental_booking rb
                      JOIN res_partner p ON p.id = rb.partner_id
                     WHERE p.commercial_partner_id = ANY(%(ids)s::int[]) AND rb.state != 'cancelled'
                       AND rb.company_id = %(company)s
                       AND (%(end)s::timestamp IS NULL OR rb.date_start < %(end)s)
                     GROUP BY p.commercial_partner_id
                    """,
                    ids=array_literal(ids),
                    company=company_id,
                    end=end,
                )
            )
            for partner_id, completed, first_date in env.cr.fetchall():
                result[partner_id].update(completed_rentals=completed, first_date=first_date)
        if as_of is not None:
            for partner_id, lost in self._loss_claims(ids, company_id, as_of).items():
                result[partner_id]["lost_assets"] = lost
        elif "rental_state" in env["stock.lot"]._fields:
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
                     WHERE p.commercial_partner_id = ANY(%(ids)s::int[])
                       AND lot.rental_state IN ('lost', 'out')
                       -- not COALESCE(company_id, x) = x: PostgreSQL has no statistics on
                       -- it, guesses 1 serial in 200 and probes the partners serial by serial
                       -- (bench/run scoring: 21 ms a batch instead of 8)
                       AND (lot.company_id = %(company)s OR lot.company_id IS NULL)
                     GROUP BY p.commercial_partner_id
                    """,
                    ids=array_literal(ids),
                    company=company_id,
                )
            )
            for partner_id, lost, out_value in env.cr.fetchall():
                result[partner_id].update(lost_assets=lost, assets_out=float(out_value or 0.0))
        return result

    @api.model
    def _loss_claims(self, partner_ids, company_id, until, since=None):
        """{commercial partner id: loss claims dated in (``since``, ``until``]}: an asset
        declared lost with the customer (claims not cancelled; a waived claim is still a
        loss)."""
        self.env["rental.damage.claim"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT p.commercial_partner_id, COUNT(*)
                  FROM rental_damage_claim c
                  JOIN res_partner p ON p.id = c.partner_id
                 WHERE p.commercial_partner_id = ANY(%(ids)s::int[])
                   AND c.company_id = %(company)s
                   AND c.claim_type = 'loss'
                   AND c.state != 'cancelled'
                   AND c.date <= %(until)s
                   AND (%(since)s::date IS NULL OR c.date > %(since)s::date)
                 GROUP BY p.commercial_partner_id
                """,
                ids=array_literal(partner_ids),
                company=company_id,
                until=until,
                since=since,
            )
        )
        return dict(self.env.cr.fetchall())

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
                SQL("%s::int[]", array_literal(partner_ids)),
                SQL("%s", (company or self.env.company).id),
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
    def _damage_facts(self, partner_ids, company=None, as_of=None):
        """Hook: damage and missing-accessory claims not waived nor withdrawn, per commercial
        partner: {damage_count, damage_amount (assessed, company currency)}. Loss claims are
        left out: lost assets are scored on their own. ``as_of``: claims dated by then."""
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
                 WHERE p.commercial_partner_id = ANY(%(ids)s::int[])
                   AND c.company_id = %(company)s
                   AND c.state NOT IN ('waived', 'cancelled')
                   AND c.claim_type != 'loss'
                   AND (%(as_of)s::date IS NULL OR c.date <= %(as_of)s::date)
                 GROUP BY p.commercial_partner_id
                """,
                ids=array_literal(partner_ids),
                company=(company or self.env.company).id,
                as_of=as_of,
            )
        )
        for partner_id, count, amount in self.env.cr.fetchall():
            facts = dict(res.get(partner_id, {}))
            facts["damage_count"] = facts.get("damage_count", 0) + count
            facts["damage_amount"] = facts.get("damage_amount", 0.0) + float(amount or 0.0)
            res[partner_id] = facts
        return res
