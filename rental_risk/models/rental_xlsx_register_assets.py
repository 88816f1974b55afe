from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..engine.xlsx_sheets import Column


class RentalXlsxRegister(models.AbstractModel):
    """The asset register: utilization, damage and idleness of the rental serials."""

    _inherit = "rental.xlsx.register"

    # ------------------------------------------------------------------
    # Registers
    # ------------------------------------------------------------------

    def _build_asset_register(
        self, workbook, company, date_from=None, date_to=None, lot_ids=None, categ_id=None
    ):
        """Rental serials of ``company`` (and their products) over the period: days owned,
        days out with customers, utilization, rentals, claims, damage rate, idle days since
        the last return and repair cost (assessed amount of the damage claims)."""
        date_to = date_to or fields.Date.context_today(self)
        date_from = date_from or date_to - timedelta(days=364)
        if date_from > date_to:
            raise UserError(self.env._("The period of the asset register ends before it starts."))
        start = datetime.combine(date_from, time.min)
        stop = min(datetime.combine(date_to + timedelta(days=1), time.min), fields.Datetime.now())
        serials = self._asset_serials_sql(company, start, stop, lot_ids, categ_id)
        serial_columns = [
            Column(self.env._("Serial"), "text", 18),
            Column(self.env._("Product"), "text", 28),
            Column(self.env._("Category"), "text", 22),
            Column(self.env._("Status"), "text", 12),
            Column(self.env._("Replacement Value"), "money", 14, True),
            Column(self.env._("Days Owned"), "float", 11, True),
            Column(self.env._("Days Out"), "float", 10, True),
            Column(self.env._("Utilization"), "percent", 11),
            Column(self.env._("Rentals"), "int", 9, True),
            Column(self.env._("Claims"), "int", 8, True),
            Column(self.env._("Damage Rate"), "percent", 11),
            Column(self.env._("Last Return"), "date", 12),
            Column(self.env._("Idle Days"), "int", 9),
            Column(self.env._("Repair Cost"), "money", 13, True),
        ]
        states = dict(
            self.env["stock.lot"]._fields["rental_state"]._description_selection(self.env)
        )
        title = self.env._(
            "%(register)s - %(company)s - %(date_from)s to %(date_to)s",
            register=self._get_register_names()["assets"],
            company=company.name,
            date_from=fields.Date.to_string(date_from),
            date_to=fields.Date.to_string(date_to),
        )
        self._write_sheet(
            workbook,
            self.env._("Serials"),
            title,
            serial_columns,
            SQL(
                """
                WITH serials AS (%(serials)s)
                SELECT s.name, s.product, s.category, s.state, s.replacement_value,
                       s.days_owned, s.days_out,
                       s.days_out / NULLIF(s.days_owned, 0),
                       s.rentals, s.claims, s.claims::float8 / NULLIF(s.rentals, 0),
                       s.last_return, s.idle_days, s.repair_cost
                  FROM serials s
                 ORDER BY s.product, s.name, s.id
                """,
                serials=serials,
            ),
            convert={3: lambda state: states.get(state, state)},
        )
        product_columns = [
            Column(self.env._("Product"), "text", 28),
            Column(self.env._("Category"), "text", 22),
            Column(self.env._("Serials"), "int", 9, True),
            Column(self.env._("Replacement Value"), "money", 14, True),
            Column(self.env._("Days Owned"), "float", 11, True),
            Column(self.env._("Days Out"), "float", 10, True),
            Column(self.env._("Utilization"), "percent", 11),
            Column(self.env._("Rentals"), "int", 9, True),
            Column(self.env._("Claims"), "int", 8, True),
            Column(self.env._("Damage Rate"), "percent", 11),
            Column(self.env._("Average Idle Days"), "float", 12),
            Column(self.env._("Repair Cost"), "money", 13, True),
        ]
        self._write_sheet(
            workbook,
            self.env._("Products"),
            title,
            product_columns,
            SQL(
                """
                WITH serials AS (%(serials)s)
                SELECT s.product, s.category, COUNT(*), SUM(s.replacement_value),
                       SUM(s.days_owned), SUM(s.days_out),
                       SUM(s.days_out) / NULLIF(SUM(s.days_owned), 0),
                       SUM(s.rentals), SUM(s.claims),
                       SUM(s.claims)::float8 / NULLIF(SUM(s.rentals), 0),
                       AVG(s.idle_days)::float8, SUM(s.repair_cost)
                  FROM serials s
                 GROUP BY s.product_id, s.product, s.category
                 ORDER BY s.product, s.product_id
                """,
                serials=serials,
            ),
        )

    # ------------------------------------------------------------------
    # SQL building blocks
    # ------------------------------------------------------------------

    @api.model
    def _asset_serials_sql(self, company, start, stop, lot_ids=None, categ_id=None):
        """Query of the rental serials of ``company`` over [``start``, ``stop``) (UTC): id,
        name, product_id, product, category, state, replacement_value, days_owned, days_out,
        rentals, claims, last_return, idle_days, repair_cost.

        A serial is owned from its acquisition date (its creation otherwise); it is out while
        a customer booking (one with an order) has it out or returned it since; maintenance
        blocks and cancelled bookings do not count. A rental is a customer booking over the
        period, a claim any claim dated in it but cancelled ones, the repair cost the assessed
        amount of its damage and missing-accessory claims.
        """
        where = [
            SQL("lot.rental_ok"),
            SQL("COALESCE(lot.company_id, %s) = %s", company.id, company.id),
        ]
        if lot_ids:
            where.append(SQL("lot.id = ANY(%s)", list(lot_ids)))
        if categ_id:
            where.append(
                SQL(
                    "categ.parent_path LIKE %s",
                    f"{self.env['product.category'].browse(categ_id).sudo().parent_path}%",
                )
            )
        return SQL(
            """
            WITH lots AS (
                SELECT lot.id, lot.name, lot.product_id, lot.rental_state AS state,
                       COALESCE(lot.rental_replacement_value, 0)::float8 AS replacement_value,
                       COALESCE(lot.rental_acquisition_date::timestamp, lot.create_date)
                           AS acquired,
                       TRIM(COALESCE(pt.name ->> %(lang)s, pt.name ->> 'en_US')
                            || COALESCE(' [' || pp.default_code || ']', '')) AS product,
                       categ.complete_name AS category
                  FROM stock_lot lot
                  JOIN product_product pp ON pp.id = lot.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                  LEFT JOIN product_category categ ON categ.id = pt.categ_id
                 WHERE %(where)s
            ), bookings AS (
                SELECT b.lot_id,
                       SUM(EXTRACT(EPOCH FROM
                               LEAST(b.date_end, %(stop)s) - GREATEST(b.date_start, %(start)s)))
                           FILTER (WHERE b.date_start < %(stop)s AND b.date_end > %(start)s)
                           AS seconds_out,
                       COUNT(*) FILTER (WHERE b.date_start < %(stop)s AND b.date_end > %(start)s)
                           AS rentals,
                       MAX(b.date_end) FILTER (WHERE b.state = 'returned'
                                                 AND b.date_end <= %(stop)s) AS last_return
                  FROM rental_booking b
                  JOIN lots ON lots.id = b.lot_id
                 WHERE b.order_line_id IS NOT NULL AND b.state IN ('out', 'returned')
                 GROUP BY b.lot_id
            ), claims AS (
                SELECT c.lot_id, COUNT(*) AS claims,
                       (SUM(c.assessed_amount) FILTER (WHERE c.claim_type != 'loss'))::float8
                           AS repair_cost
                  FROM rental_damage_claim c
                  JOIN lots ON lots.id = c.lot_id
                 WHERE c.state != 'cancelled'
                   AND c.date >= %(start)s::date AND c.date < %(stop)s::date + 1
                 GROUP BY c.lot_id
            )
            SELECT lots.id, lots.name, lots.product_id, lots.product, lots.category, lots.state,
                   lots.replacement_value,
                   ROUND((GREATEST(EXTRACT(EPOCH FROM
                              %(stop)s - GREATEST(lots.acquired, %(start)s)), 0) / 86400
                         )::numeric, 1)::float8 AS days_owned,
                   ROUND((COALESCE(b.seconds_out, 0) / 86400)::numeric, 1)::float8 AS days_out,
                   COALESCE(b.rentals, 0) AS rentals,
                   COALESCE(c.claims, 0) AS claims,
                   %(last_return)s AS last_return,
                   CASE WHEN lots.state = 'out' THEN 0
                        ELSE GREATEST(%(stop)s::date
                                      - COALESCE(b.last_return, lots.acquired)::date, 0)
                   END AS idle_days,
                   COALESCE(c.repair_cost, 0) AS repair_cost
              FROM lots
              LEFT JOIN bookings b ON b.lot_id = lots.id
              LEFT JOIN claims c ON c.lot_id = lots.id
            """,
            lang=self.env.lang or "en_US",
            where=SQL(" AND ").join(where),
            start=start,
            stop=stop,
            last_return=self._local_datetime_sql(SQL("b.last_return"), as_date=True),
        )
