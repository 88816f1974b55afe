from odoo import api, fields, models, tools
from odoo.tools import SQL

#: Months of history the report covers, the current one included.
REPORT_MONTHS = 24


class RentalAssetReport(models.Model):
    """Asset analytics: one row per rental serial and month (the last two years, from the
    month the serial joined the fleet): the days it could be rented and the days it was
    booked, its rentals and claims; the current month's row also says since how many days the
    serial has not been out and what a lost serial was worth.

    Ratios (utilization, damage rate) are computed from the sums of the group they are read
    for, never averaged across rows: see ``_read_group_select``.
    """

    _name = "rental.asset.report"
    _description = "Rental Asset Analytics"
    _auto = False
    _order = "month desc, product_id, lot_id"
    _rec_name = "lot_id"

    month = fields.Date(readonly=True)
    lot_id = fields.Many2one("stock.lot", string="Serial", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    categ_id = fields.Many2one("product.category", string="Product Category", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    rental_state = fields.Selection(
        related="lot_id.rental_state", string="Rental Status", readonly=True
    )
    available_days = fields.Float(
        readonly=True,
        digits=(16, 1),
        help="Days of the month the serial was in the fleet (from its acquisition date).",
    )
    booked_days = fields.Float(
        readonly=True,
        digits=(16, 1),
        help="Days of the month the serial was booked on a rental order.",
    )
    utilization = fields.Float(
        string="Utilization (%)",
        readonly=True,
        digits=(16, 1),
        aggregator="sum",
        help="Booked days / available serial-days of the rows grouped together.",
    )
    rental_count = fields.Integer(
        string="Rentals", readonly=True, help="Rentals starting in the month."
    )
    claim_count = fields.Integer(
        string="Claims", readonly=True, help="Claims dated in the month (cancelled ones left out)."
    )
    damage_rate = fields.Float(
        string="Damage Rate (%)",
        readonly=True,
        digits=(16, 1),
        aggregator="sum",
        help="Claims / rentals of the rows grouped together.",
    )
    idle_days = fields.Integer(
        readonly=True,
        aggregator="max",
        help="Current month only: days since the serial was last out with a customer (or since "
        "it joined the fleet), for serials on the shelf.",
    )
    loss_value = fields.Monetary(
        readonly=True,
        help="Current month only: replacement value of a lost serial.",
    )

    # ------------------------------------------------------------------
    # Ratios computed on the group, not summed over rows
    # ------------------------------------------------------------------

    def _read_group_select(self, aggregate_spec, query):
        fname = aggregate_spec.split(":")[0]
        ratios = {
            "utilization": ("booked_days", "available_days"),
            "damage_rate": ("claim_count", "rental_count"),
        }
        if fname in ratios and aggregate_spec != "__count":
            numerator, denominator = ratios[fname]
            return SQL(
                "ROUND((100.0 * SUM(%s) / NULLIF(SUM(%s), 0))::numeric, 1)::float8",
                self._field_to_sql(self._table, numerator, query),
                self._field_to_sql(self._table, denominator, query),
            )
        return super()._read_group_select(aggregate_spec, query)

    # ------------------------------------------------------------------
    # The view
    # ------------------------------------------------------------------

    @api.model
    def _query(self):
        """The report's SELECT; hook for sub-modules."""
        return SQL(
            """
            WITH lots AS (
                SELECT lot.id, lot.product_id, pt.categ_id, lot.company_id, co.currency_id,
                       lot.rental_state, COALESCE(lot.rental_replacement_value, 0) AS value,
                       COALESCE(lot.rental_acquisition_date, lot.create_date::date) AS since
                  FROM stock_lot lot
                  JOIN product_product pp ON pp.id = lot.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                  JOIN res_company co ON co.id = lot.company_id
                 WHERE lot.rental_ok
            ), months AS (
                SELECT lots.*, m.month::date AS month,
                       (m.month + interval '1 month')::date AS month_end,
                       m.month = date_trunc('month', CURRENT_DATE) AS current_month
                  FROM lots,
                       generate_series(
                           date_trunc('month', GREATEST(lots.since,
                               (CURRENT_DATE - make_interval(months => %(back)s))::date)),
                           date_trunc('month', CURRENT_DATE),
                           interval '1 month') AS m(month)
            )
            SELECT m.id * 1000 + mod((EXTRACT(YEAR FROM m.month) * 12
                                   + EXTRACT(MONTH FROM m.month))::int, 1000) AS id,
                   m.month, m.id AS lot_id, m.product_id, m.categ_id, m.company_id,
                   m.currency_id,
                   (m.month_end - GREATEST(m.month, m.since))::float8 AS available_days,
                   COALESCE(b.booked_days, 0)::float8 AS booked_days,
                   CASE WHEN m.month_end > GREATEST(m.month, m.since)
                        THEN ROUND((100.0 * COALESCE(b.booked_days, 0)
                                   / (m.month_end - GREATEST(m.month, m.since)))::numeric, 1)
                        ELSE 0 END::float8 AS utilization,
                   COALESCE(b.rental_count, 0) AS rental_count,
                   COALESCE(c.claim_count, 0) AS claim_count,
                   CASE WHEN COALESCE(b.rental_count, 0) > 0
                        THEN ROUND((100.0 * COALESCE(c.claim_count, 0) / b.rental_count)::numeric,
                                   1)
                        ELSE 0 END::float8 AS damage_rate,
                   CASE WHEN m.current_month AND m.rental_state IN ('available', 'reserved')
                        THEN CURRENT_DATE - GREATEST(m.since, COALESCE(o.last_out, m.since))
                        ELSE 0 END AS idle_days,
                   CASE WHEN m.current_month AND m.rental_state = 'lost' THEN m.value
                        ELSE 0 END AS loss_value
              FROM months m
              LEFT JOIN LATERAL (
                    SELECT SUM(EXTRACT(EPOCH FROM
                               LEAST(rb.date_end, m.month_end::timestamp)
                               - GREATEST(rb.date_start, m.month::timestamp)) / 86400.0)
                               AS booked_days,
                           COUNT(*) FILTER (WHERE rb.date_start >= m.month) AS rental_count
                      FROM rental_booking rb
                     WHERE rb.lot_id = m.id AND rb.state != 'cancelled'
                       AND rb.order_line_id IS NOT NULL
                       AND rb.date_start < m.month_end AND rb.date_end > m.month
              ) b ON TRUE
              LEFT JOIN LATERAL (
                    SELECT COUNT(*) AS claim_count
                      FROM rental_damage_claim cl
                     WHERE cl.lot_id = m.id AND cl.state != 'cancelled'
                       AND cl.date >= m.month AND cl.date < m.month_end
              ) c ON TRUE
              LEFT JOIN LATERAL (
                    SELECT MAX(LEAST(rb.date_end, now() AT TIME ZONE 'UTC'))::date AS last_out
                      FROM rental_booking rb
                     WHERE m.current_month AND rb.lot_id = m.id
                       AND rb.state IN ('out', 'returned')
              ) o ON TRUE
            """,
            back=REPORT_MONTHS - 1,
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query())
        )
