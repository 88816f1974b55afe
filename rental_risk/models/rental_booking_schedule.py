from datetime import datetime, time, timedelta

import pytz

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date

from .stock_lot_rental import UNAVAILABLE_STATES

# Serial states drawn as blocked from today on the schedule: the serial is not on the shelf and
# nobody knows when it will be (an inspection is short and ends in "available" or "repair").
SCHEDULE_BLOCKED_STATES = ("repair", "lost", "retired")
SCHEDULE_MAX_DAYS = 62
SCHEDULE_MAX_ROWS = 1000


class RentalBooking(models.Model):
    _inherit = "rental.booking"

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    @api.model
    def get_schedule_data(self, date_from=None, days=30, filters=None, limit=80, offset=0):
        """Entry point of the Schedule screen (RPC); see :meth:`_get_schedule_data`."""
        return self._get_schedule_data(date_from, days, filters, limit, offset)

    @api.model
    def action_schedule_new_quotation(self, lot_id, day):
        """A new rental quotation for serial ``lot_id`` starting on ``day`` (ISO date).

        :return: an ``ir.actions.act_window`` opening the quotation form, its rental line
            prefilled with the product, the serial and a one-day period from that day
        :raise UserError: when the serial cannot be rented from that day
        """
        self.env["sale.order"].check_access("create")
        lot = self.env["stock.lot"].browse(int(lot_id)).exists()
        if not lot or not lot.rental_ok:
            raise UserError(
                self.env._(
                    "This serial is not a rental asset any more; reload the schedule and pick "
                    "another one."
                )
            )
        lot.check_access("read")
        day = fields.Date.to_date(day)
        start, end = self._get_schedule_quotation_period(day)
        if day < fields.Date.context_today(self):
            raise UserError(
                self.env._(
                    "A rental cannot start in the past (%(day)s); click today or a later day.",
                    day=format_date(self.env, day),
                )
            )
        if lot.rental_state in UNAVAILABLE_STATES:
            states = dict(lot._fields["rental_state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "The serial %(serial)s cannot be rented: it is %(state)s. Choose another "
                    "serial, or make this one available first.",
                    serial=lot.display_name,
                    state=states[lot.rental_state].lower(),
                )
            )
        if not self._is_lot_available(lot, start, end):
            raise UserError(
                self.env._(
                    "The serial %(serial)s is not free on %(day)s (a booking or its turnaround "
                    "time covers that day). Click a free day or another serial.",
                    serial=lot.display_name,
                    day=format_date(self.env, day),
                )
            )
        line_vals = {
            "product_id": lot.product_id.id,
            "product_uom_qty": 1.0,
            "rental_start": fields.Datetime.to_string(start),
            "rental_end": fields.Datetime.to_string(end),
            "rental_lot_ids": [Command.set(lot.ids)],
        }
        context = {"default_order_line": [Command.create(line_vals)]}
        if lot.company_id:
            context["default_company_id"] = lot.company_id.id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New Rental"),
            "res_model": "sale.order",
            "views": [[False, "form"]],
            "target": "current",
            "context": context,
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    @api.model
    def _get_schedule_quotation_period(self, day):
        """Period (UTC, naive) of a quotation started from a free cell: ``day`` from 9:00 to
        9:00 the next day, in the user's time zone."""
        tz = self._get_schedule_tz()
        start = tz.localize(datetime.combine(day, time(9, 0)))
        end = tz.localize(datetime.combine(day + timedelta(days=1), time(9, 0)))
        return (
            start.astimezone(pytz.utc).replace(tzinfo=None),
            end.astimezone(pytz.utc).replace(tzinfo=None),
        )

    @api.model
    def _get_schedule_tz(self):
        return pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")

    @api.model
    def _get_schedule_lot_domain(self, filters):
        """Domain of the serials shown on the schedule for ``filters`` (a hook)."""
        domain = [("rental_ok", "=", True)]
        if filters.get("product_id"):
            domain.append(("product_id", "=", int(filters["product_id"])))
        if filters.get("categ_id"):
            domain.append(("product_id.categ_id", "child_of", int(filters["categ_id"])))
        if filters.get("company_id"):
            domain.append(("company_id", "in", [int(filters["company_id"]), False]))
        if filters.get("search"):
            search = str(filters["search"]).strip()
            domain += ["|", ("name", "ilike", search), ("product_id", "ilike", search)]
        return domain

    @api.model
    def _get_schedule_data(self, date_from=None, days=30, filters=None, limit=80, offset=0):
        """Serials x days of the Schedule screen, as plain JSON (no ``None`` anywhere).

        Two queries: one page of serials (the ORM's search query, so record rules apply, with
        the total count), then the live bookings of those serials overlapping the window, found
        through the period of the exclusion constraint's GiST index and returned as JSON.

        :param date_from: first day (ISO date, default today in the user's time zone)
        :param days: number of days shown (1-62)
        :param filters: dict with optional ``product_id``, ``categ_id``, ``company_id``,
            ``search``
        :return: dict with ``date_from``, ``date_to``, ``today``, ``days`` (ISO dates),
            ``rows`` (one per serial, each with its ``items`` placed in day units from the
            window start, clipped to the window), ``total``, ``limit``, ``offset``,
            ``can_quote``
        :raise AccessError: for users who may not read bookings and serials
        """
        self.check_access("read")
        self.env["stock.lot"].check_access("read")
        filters = filters or {}
        today = fields.Date.context_today(self)
        date_from = fields.Date.to_date(date_from) if date_from else today
        days = max(1, min(int(days or 30), SCHEDULE_MAX_DAYS))
        limit = max(1, min(int(limit or 80), SCHEDULE_MAX_ROWS))
        offset = max(0, int(offset or 0))
        date_to = date_from + timedelta(days=days - 1)
        tz = self._get_schedule_tz()
        window_start = tz.localize(datetime.combine(date_from, time.min))
        window_end = tz.localize(datetime.combine(date_to + timedelta(days=1), time.min))
        utc_start = window_start.astimezone(pytz.utc).replace(tzinfo=None)
        utc_end = window_end.astimezone(pytz.utc).replace(tzinfo=None)

        self.flush_model()
        self.env["stock.lot"].flush_model(["name", "product_id", "company_id", "rental_state"])
        lots = self._schedule_fetch_lots(filters, limit, offset)
        items_by_lot = self._schedule_fetch_bookings(
            [lot["id"] for lot in lots], utc_start, utc_end, tz, date_from, days
        )

        def place(value):
            """Position of a UTC datetime in days from the window start, clipped."""
            local = pytz.utc.localize(value).astimezone(tz).replace(tzinfo=None)
            offset_days = (local - window_start.replace(tzinfo=None)).total_seconds() / 86400
            return round(min(max(offset_days, 0.0), float(days)), 4)

        states = dict(
            self.env["stock.lot"]._fields["rental_state"]._description_selection(self.env)
        )
        blocked_from = place(utc_start if today <= date_from else self._schedule_today_utc(tz))
        rows = []
        for lot in lots:
            items = items_by_lot.get(lot["id"], [])
            if lot["rental_state"] in SCHEDULE_BLOCKED_STATES and today <= date_to:
                items.append(
                    {
                        "id": 0,
                        "kind": lot["rental_state"],
                        "state": lot["rental_state"],
                        "start": blocked_from,
                        "end": float(days),
                        "block_end": float(days),
                        "date_start": "",
                        "date_end": "",
                        "date_block_end": "",
                        "order_id": 0,
                        "order_name": "",
                        "partner_name": "",
                        "label": states[lot["rental_state"]],
                    }
                )
            rows.append({**lot, "rental_state_label": states[lot["rental_state"]], "items": items})
        return {
            "date_from": fields.Date.to_string(date_from),
            "date_to": fields.Date.to_string(date_to),
            "today": fields.Date.to_string(today),
            "days": [fields.Date.to_string(date_from + timedelta(days=n)) for n in range(days)],
            "rows": rows,
            "total": lots[0]["total"] if lots else 0,
            "limit": limit,
            "offset": offset,
            "can_quote": self.env["sale.order"].has_access("create"),
        }

    @api.model
    def _schedule_today_utc(self, tz):
        today = fields.Date.context_today(self)
        local = tz.localize(datetime.combine(today, time.min))
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _schedule_fetch_lots(self, filters, limit, offset):
        """One page of the schedule's serials, ordered by product and serial, with the total."""
        lot_query = self.env["stock.lot"]._search(self._get_schedule_lot_domain(filters))
        lang = self.env.lang or "en_US"
        return self.env.execute_query_dict(
            SQL(
                """
                SELECT lot.id, lot.name, lot.rental_state, lot.product_id,
                       CASE WHEN pp.default_code IS NULL THEN ''
                            ELSE '[' || pp.default_code || '] ' END
                       || COALESCE(pt.name->>%(lang)s, pt.name->>'en_US', '') AS product_name,
                       COALESCE(lot.company_id, 0) AS company_id,
                       COUNT(*) OVER () AS total
                  FROM stock_lot lot
                  JOIN product_product pp ON pp.id = lot.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                 WHERE lot.id IN %(lots)s
              ORDER BY COALESCE(pt.name->>%(lang)s, pt.name->>'en_US', ''), lot.name, lot.id
                 LIMIT %(limit)s OFFSET %(offset)s
                """,
                lang=lang,
                lots=lot_query.subselect(),
                limit=limit,
                offset=offset,
            )
        )

    @api.model
    def _schedule_fetch_bookings(self, lot_ids, utc_start, utc_end, tz, date_from, days):
        """Live bookings of ``lot_ids`` whose blocked period overlaps [utc_start, utc_end), as
        the schedule's items grouped by serial: ``{lot_id: [item, ...]}``.

        The window is matched with the expression of the period GiST index: one scan of the
        bookings of the window, whatever the number of serials. The company condition repeats
        the bookings' multi-company record rule. PostgreSQL places each booking in days from
        the window start (in the user's time zone, clipped to the window) and returns plain
        rows (datetimes as text in the ISO format the driver itself reads); orders and
        customers are read once per order, not once per booking. Building the items from rows
        costs a fraction of having PostgreSQL build JSON that Python then parses.
        """
        if not lot_ids:
            return {}
        local_start = datetime.combine(date_from, time.min)
        local_end = local_start + timedelta(days=days)
        if tz.utcoffset(local_start) == tz.utcoffset(local_end):
            # No clock change in the window: a constant shift, no time zone lookup per row.
            def local(column):
                return SQL("%s + %s", column, tz.utcoffset(local_start))
        else:

            def local(column):
                return SQL("timezone(%s, timezone('UTC', %s))", tz.zone, column)

        def place(column):
            # float8 all along (date_part, not EXTRACT, which computes in numeric): 4 decimals
            # of a day place a booking to the 9 seconds.
            return SQL(
                """round(LEAST(GREATEST(date_part('epoch', %(local)s - %(start)s) / 86400, 0),
                               %(days)s) * 10000) / 10000""",
                local=local(column),
                start=local_start,
                days=float(days),
            )

        rows = self.env.execute_query(
            SQL(
                """
                SELECT b.lot_id, b.id, COALESCE(b.order_id, 0), b.state,
                       %(start)s, %(end)s, %(block_end)s,
                       b.date_start::text, b.date_end::text, b.date_block_end::text,
                       COALESCE(b.note, '')
                  FROM rental_booking b
                 WHERE tsrange(b.date_start, b.date_block_end, '[)')
                       && tsrange(%(window_start)s, %(window_end)s, '[)')
                   AND b.state != 'cancelled'
                   AND b.lot_id = ANY(%(lots)s)
                   AND b.company_id IN %(companies)s
              ORDER BY b.lot_id, b.date_start, b.id
                """,
                start=place(SQL("b.date_start")),
                end=place(SQL("b.date_end")),
                block_end=place(SQL("b.date_block_end")),
                lots=list(lot_ids),
                window_start=utc_start,
                window_end=utc_end,
                companies=tuple(self.env.companies.ids),
            )
        )
        order_ids = list({row[2] for row in rows if row[2]})
        orders = {}
        if order_ids:
            orders = {
                order_id: (name, partner_name)
                for order_id, name, partner_name in self.env.execute_query(
                    SQL(
                        """
                        SELECT so.id, so.name,
                               COALESCE(partner.complete_name, partner.name, '')
                          FROM sale_order so
                          JOIN res_partner partner ON partner.id = so.partner_id
                         WHERE so.id = ANY(%s)
                        """,
                        order_ids,
                    )
                )
            }
        no_order = ("", "")
        items_by_lot = {}
        for (
            lot_id,
            booking_id,
            order_id,
            state,
            start,
            end,
            block_end,
            date_start,
            date_end,
            date_block_end,
            note,
        ) in rows:
            order_name, partner_name = orders.get(order_id, no_order)
            items_by_lot.setdefault(lot_id, []).append(
                {
                    "id": booking_id,
                    "kind": "booking" if order_id else "maintenance",
                    "state": state,
                    "start": start,
                    "end": end,
                    "block_end": block_end,
                    "date_start": date_start,
                    "date_end": date_end,
                    "date_block_end": date_block_end,
                    "order_id": order_id,
                    "order_name": order_name,
                    "partner_name": partner_name,
                    "label": note,
                }
            )
        return items_by_lot
