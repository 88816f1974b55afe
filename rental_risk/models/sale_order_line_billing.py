from odoo import api, fields, models
from odoo.tools import float_round

from ..engine.billing_periods import UNITS, allocate, billing_periods


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    rental_billing_period_ids = fields.One2many(
        "rental.billing.period", "order_line_id", string="Billing Periods", readonly=True
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends(
        "order_id.rental_billing_period",
        "rental_billing_period_ids.invoice_line_id.parent_state",
    )
    def _compute_qty_invoiced(self):
        # A line billed per period counts the part of its units whose periods are billed
        # (12 monthly periods of one unit: 1/12 each), so that it is "invoiced" only once
        # every period is, and its order does not bill it again meanwhile.
        res = super()._compute_qty_invoiced()
        for line in self.filtered(lambda sol: sol._rental_is_billed_by_period()):
            billed = sum(
                period.share for period in line.rental_billing_period_ids if period._is_billed()
            )
            line.qty_invoiced = float_round(
                line.product_uom_qty * billed,
                precision_rounding=line.product_uom.rounding or 0.01,
                rounding_method="HALF-UP",
            )
        return res

    @api.depends(
        "order_id.rental_billing_period",
        "rental_billing_period_ids.invoice_line_id.parent_state",
    )
    def _compute_qty_to_invoice(self):
        # What a line billed per period has to invoice is its recorded periods not billed yet
        # (the periodic billing records them when they are due): all its units, at the price
        # of those periods (see _prepare_invoice_line). Nothing else, so that the order's
        # "Create Invoice" never bills a period twice, nor one that is not due.
        res = super()._compute_qty_to_invoice()
        for line in self.filtered(lambda sol: sol._rental_is_billed_by_period()):
            due = line.state == "sale" and line._rental_billing_unbilled(scoped=False)
            line.qty_to_invoice = line.product_uom_qty if due else 0.0
        return res

    # ------------------------------------------------------------------
    # Business methods: periodic billing
    # ------------------------------------------------------------------

    def _rental_is_billed_by_period(self):
        self.ensure_one()
        return bool(
            self.is_rental
            and not self.display_type
            and self.order_id.rental_billing_period in UNITS
        )

    def _rental_billing_unbilled(self, scoped=True):
        """Recorded periods of the line not on a live invoice, restricted to the periods the
        periodic billing is invoicing when it says so in the context (``scoped``; never in a
        stored compute, whose value must not depend on who triggered it)."""
        self.ensure_one()
        scope = self.env.context.get("rental_billing_period_ids") if scoped else None
        return self.sudo().rental_billing_period_ids.filtered(
            lambda p: not p._is_billed() and (scope is None or p.id in scope)
        )

    def _rental_billing_schedule(self):
        """Every period of the line: [{sequence, date_start, date_end, share, price_unit}].

        Each period bills its share of the line's unit price (see engine.billing_periods for
        the rule), rounded to the currency with the rounding carried over: the unit prices of
        the periods add up to the line's unit price to the cent.

        Periods already recorded keep what they were recorded with; when the lease changed
        since (a renewal extends it and prices it again), the periods still to come share
        what remains of the new price and of the line's units, so that the line still adds
        up to its price and is "invoiced" exactly when its last period is."""
        self.ensure_one()
        periods = billing_periods(
            self.rental_start, self.rental_end, self.order_id.rental_billing_period
        )
        recorded = {p.date_start: p for p in self.sudo().rental_billing_period_ids}
        todo = [(start, end, w) for start, end, w in periods if start not in recorded]
        weights = [weight for _start, _end, weight in todo]
        total = sum(weights) or 1.0
        digits = self.currency_id.decimal_places if self.currency_id else 2
        done = recorded.values()
        prices = allocate(self.price_unit - sum(p.price_unit for p in done), weights, digits)
        share_left = max(1.0 - sum(p.share for p in done), 0.0)
        prices_by_start = {
            start: price for (start, _e, _w), price in zip(todo, prices, strict=True)
        }
        schedule = []
        for index, (start, end, weight) in enumerate(periods):
            if start in recorded:
                period = recorded[start]
                share, price = period.share, period.price_unit
            else:
                share, price = share_left * weight / total, prices_by_start[start]
            schedule.append(
                {
                    "sequence": index + 1,
                    "date_start": start,
                    "date_end": end,
                    "share": share,
                    "price_unit": price,
                }
            )
        return schedule

    def _prepare_invoice_line(self, **optional_values):
        res = super()._prepare_invoice_line(**optional_values)
        if self.display_type or not self._rental_is_billed_by_period():
            return res
        periods = self._rental_billing_unbilled()
        if periods:
            # The invoice line bills the units for the due periods: their prices, their dates.
            res["quantity"] = self.product_uom_qty
            res["price_unit"] = sum(periods.mapped("price_unit"))
            res["name"] = self.env._(
                "%(name)s\nRental period: %(periods)s", name=res["name"], periods=periods._label()
            )
        return res

    def _rental_billing_link(self, invoice_lines):
        """Link the unbilled periods in scope of these lines to their new ``invoice_lines``."""
        guard = self.env["rental.risk.decision"]._open_guard
        for line in self.filtered(lambda sol: sol._rental_is_billed_by_period()):
            inv_line = invoice_lines.filtered(lambda aml, line=line: line in aml.sale_line_ids)[:1]
            periods = line._rental_billing_unbilled()
            if inv_line and periods:
                with guard():
                    periods.write({"invoice_line_id": inv_line.id})
