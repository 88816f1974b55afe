from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

#: How far back a pickup released by override is reported (the report is daily).
RELEASE_WINDOW = timedelta(days=1)


class RentalAnomalyCheck(models.AbstractModel):
    """The checks of the daily anomaly report, each one set-based SQL over a company's assets,
    bookings and orders: a SELECT of (kind, res_model, res_id, lot_id, order_id, user_id) rows,
    one per problem found. ``_get_checks`` lists them; a module adds its own by extending it.

    The checks are disjoint on purpose, so that one problem makes one line: a serial whose
    status says "out" while it is not in the Out on Rental location is a status/location
    disagreement; a serial that is out and in that location without an open rental is the
    other check.
    """

    _name = "rental.anomaly.check"
    _description = "Rental Anomaly Checks"

    @api.model
    def _get_checks(self):
        """{kind: method(company, now) returning the check's SELECT}; hook for sub-modules."""
        return {
            "state_location": self._check_state_location,
            "out_no_rental": self._check_out_no_rental,
            "booking_retired": self._check_booking_retired,
            "deposit_unsettled": self._check_deposit_unsettled,
            "late_no_action": self._check_late_no_action,
            "release_override": self._check_release_override,
            "counter": self._check_counters,
        }

    @api.model
    def _query(self, company, now=None):
        """The UNION ALL of every check for ``company`` at ``now`` (naive UTC)."""
        now = now or fields.Datetime.now()
        return SQL(" UNION ALL ").join(
            SQL("(%s)", check(company, now)) for check in self._get_checks().values()
        )

    # ------------------------------------------------------------------
    # The checks
    # ------------------------------------------------------------------

    @staticmethod
    def _located(company):
        """SQL: the serials with stock in the company's Out on Rental location, read once (one
        scan of that location's quants, not one probe per serial)."""
        return SQL(
            """SELECT DISTINCT q.lot_id FROM stock_quant q
                WHERE q.location_id = %s AND q.quantity > 0 AND q.lot_id IS NOT NULL""",
            company.rental_location_id.id or 0,
        )

    @api.model
    def _check_state_location(self, company, now):
        """Serials whose rental status is "out" but that are not in the Out on Rental location,
        or that are in it with another status (e.g. available)."""
        return SQL(
            """
            SELECT 'state_location' AS kind, 'stock.lot' AS res_model, lot.id AS res_id,
                   lot.id AS lot_id, lot.rental_order_id AS order_id, so.user_id
              FROM stock_lot lot
              LEFT JOIN (%(located)s) loc ON loc.lot_id = lot.id
              LEFT JOIN sale_order so ON so.id = lot.rental_order_id
             WHERE lot.rental_ok AND lot.company_id = %(company)s
               AND (lot.rental_state = 'out') <> (loc.lot_id IS NOT NULL)
            """,
            company=company.id,
            located=self._located(company),
        )

    @api.model
    def _check_out_no_rental(self, company, now):
        """Serials out and in the Out on Rental location, with no booking out."""
        return SQL(
            """
            SELECT 'out_no_rental', 'stock.lot', lot.id, lot.id, lot.rental_order_id, so.user_id
              FROM stock_lot lot
              JOIN (%(located)s) loc ON loc.lot_id = lot.id
              LEFT JOIN (SELECT DISTINCT b.lot_id FROM rental_booking b
                          WHERE b.state = 'out' AND b.company_id = %(company)s) bo
                     ON bo.lot_id = lot.id
              LEFT JOIN sale_order so ON so.id = lot.rental_order_id
             WHERE lot.rental_ok AND lot.company_id = %(company)s AND lot.rental_state = 'out'
               AND bo.lot_id IS NULL
            """,
            company=company.id,
            located=self._located(company),
        )

    @api.model
    def _check_booking_retired(self, company, now):
        """Reservations still waiting on a serial that was retired or lost (from the few such
        serials to their bookings)."""
        return SQL(
            """
            SELECT 'booking_retired', 'rental.booking', b.id, b.lot_id, b.order_id, so.user_id
              FROM stock_lot lot
              JOIN rental_booking b ON b.lot_id = lot.id AND b.state = 'reserved'
              LEFT JOIN sale_order so ON so.id = b.order_id
             WHERE lot.company_id = %(company)s AND lot.rental_ok
               AND lot.rental_state IN ('retired', 'lost')
            """,
            company=company.id,
        )

    @api.model
    def _check_deposit_unsettled(self, company, now):
        """Confirmed orders whose deposit was invoiced, all of whose gear is back (at least one
        return) for more than the company's delay, and which have no deposit settlement. The
        rental closed at its last return (its return handover, else the booked end)."""
        return SQL(
            """
            SELECT 'deposit_unsettled', 'sale.order', so.id, NULL::int, so.id, so.user_id
              FROM sale_order so
              JOIN LATERAL (
                    SELECT bool_or(b.state IN ('reserved', 'out')) AS open,
                           MAX(b.date_end) FILTER (WHERE b.state = 'returned') AS booked_end
                      FROM rental_booking b
                     WHERE b.order_id = so.id AND b.state != 'cancelled'
                   ) bk ON bk.booked_end IS NOT NULL AND NOT bk.open
             WHERE so.company_id = %(company)s AND so.state = 'sale'
               AND EXISTS (SELECT 1 FROM sale_order_line l
                            WHERE l.order_id = so.id AND l.is_rental_deposit
                              AND l.qty_invoiced > 0)
               AND NOT EXISTS (SELECT 1 FROM rental_deposit_settlement s
                                WHERE s.order_id = so.id)
               AND COALESCE((SELECT MAX(h.date) FROM rental_handover h
                              WHERE h.order_id = so.id AND h.operation = 'return'),
                            bk.booked_end) < %(limit)s
            """,
            company=company.id,
            limit=now - timedelta(days=company.rental_anomaly_deposit_days),
        )

    @api.model
    def _check_late_no_action(self, company, now):
        """Rental lines late for more than the company's delay on which nobody did anything in
        that delay: no reminder sent, no message or e-mail on the order, no activity done, no
        activity planned besides the one the late returns scheduled action keeps up to date."""
        since = now - timedelta(days=company.rental_anomaly_late_days)
        return SQL(
            """
            SELECT 'late_no_action', 'sale.order.line', l.id, NULL::int, l.order_id, so.user_id
              FROM sale_order_line l
              JOIN sale_order so ON so.id = l.order_id
             WHERE l.rental_is_late AND so.company_id = %(company)s
               AND l.rental_end < %(since)s
               AND NOT EXISTS (SELECT 1 FROM rental_reminder_log r
                                WHERE r.order_line_id = l.id AND r.date >= %(since)s)
               AND NOT EXISTS (SELECT 1 FROM mail_message m
                                WHERE m.model = 'sale.order' AND m.res_id = so.id
                                  AND m.date >= %(since)s
                                  AND (m.message_type IN ('comment', 'email')
                                       OR m.mail_activity_type_id IS NOT NULL))
               AND NOT EXISTS (SELECT 1 FROM mail_activity a
                                WHERE a.res_model = 'sale.order' AND a.res_id = so.id
                                  AND a.create_date >= %(since)s
                                  AND a.id IS DISTINCT FROM l.rental_late_activity_id)
            """,
            company=company.id,
            since=since,
        )

    @api.model
    def _check_release_override(self, company, now):
        """Pickups released by override in the last day (the transfer, else the order)."""
        return SQL(
            """
            SELECT 'release_override',
                   CASE WHEN d.picking_id IS NOT NULL THEN 'stock.picking'
                        WHEN d.order_id IS NOT NULL THEN 'sale.order'
                        ELSE 'rental.risk.decision' END,
                   COALESCE(d.picking_id, d.order_id, d.id), NULL::int, d.order_id, d.user_id
              FROM rental_risk_decision d
             WHERE d.company_id = %(company)s AND d.kind = 'release' AND d.date >= %(since)s
            """,
            company=company.id,
            since=now - RELEASE_WINDOW,
        )

    @api.model
    def _check_counters(self, company, now):
        """Usage readings lower than the serial's previous one (the form refuses them, an
        import or a correction of the dates does not), or above the previous one by more than
        the product's usage per day at most (a day at least between the two readings)."""
        return SQL(
            """
            SELECT CASE WHEN r.value < r.previous THEN 'counter_decrease' ELSE 'counter_jump' END,
                   'rental.asset.reading', r.id, r.lot_id, NULL::int, r.user_id
              FROM (SELECT r.id, r.lot_id, r.user_id, r.value, r.date,
                           lag(r.value) OVER w AS previous, lag(r.date) OVER w AS previous_date
                      FROM rental_asset_reading r
                     WHERE r.company_id = %(company)s
                    WINDOW w AS (PARTITION BY r.lot_id ORDER BY r.date, r.id)) r
              JOIN stock_lot lot ON lot.id = r.lot_id
              JOIN product_product pp ON pp.id = lot.product_id
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
             WHERE r.previous IS NOT NULL
               AND (r.value < r.previous
                    OR (COALESCE(pt.rental_counter_max_per_day, 0) > 0
                        AND r.value - r.previous > pt.rental_counter_max_per_day
                            * GREATEST(EXTRACT(EPOCH FROM r.date - r.previous_date) / 86400.0,
                                       1.0)))
            """,
            company=company.id,
        )
