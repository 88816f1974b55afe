import re
from datetime import timedelta

from psycopg2 import errors

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, create_index, format_datetime

from .stock_lot_rental import UNAVAILABLE_STATES

# Bookings blocking a serial this long at most are found through a b-tree on their start
# (see init); the threshold is part of two index predicates and of the query that uses them.
SHORT_BOOKING = "7 days"

# Detail of PostgreSQL's exclusion violation: "... conflicts with existing key (...)=([12,13),
# ["2025-03-01 09:00:00","2025-03-03 09:00:00"))." We read the other booking's lot and period
# from it because, under REPEATABLE READ, the row committed by the concurrent transaction is
# invisible to ours and cannot be queried.
_EXISTING_KEY_RE = re.compile(
    r'existing key \(.*\)=\(\[(\d+),\d+\), \["([^"]+)","([^"]+)"\)\)', re.DOTALL
)


class RentalBooking(models.Model):
    _name = "rental.booking"
    _description = "Rental Booking"
    _order = "date_start desc, id desc"
    _check_company_auto = True
    # The Python pre-check in create()/write() gives a clear message, but it cannot see bookings
    # made by concurrent transactions that have not committed yet (transaction isolation): two
    # salespeople confirming the same serial for the same week at the same moment would both
    # pass it. Only a database constraint can refuse that, as hr_work_entry does for validated
    # work entries: an EXCLUSION constraint, backed by a GiST index, refuses two live bookings
    # of the same serial whose blocked periods [date_start, date_block_end) overlap. The second
    # transaction waits for the first one and fails when it commits. The same index serves the
    # availability queries below (_get_available_lots, _is_lot_available).
    _sql_constraints = [
        (
            "date_check",
            "CHECK (date_end > date_start)",
            "A booking must end after it starts; fix the return date.",
        ),
        (
            "lot_period_excl",
            """
                EXCLUDE USING GIST (
                    int4range(lot_id, lot_id, '[]') WITH =,
                    tsrange(date_start, date_block_end, '[)') WITH &&
                )
                WHERE (state != 'cancelled')
            """,
            "This serial is already booked for an overlapping period; choose another serial or "
            "another period.",
        ),
    ]

    name = fields.Char(string="Booking", compute="_compute_name", store=True, index="trigram")
    lot_id = fields.Many2one(
        "stock.lot",
        string="Serial",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        domain=f"[('rental_ok', '=', True), ('rental_state', 'not in', {UNAVAILABLE_STATES})]",
    )
    product_id = fields.Many2one(
        "product.product", string="Product", related="lot_id.product_id", store=True, index=True
    )
    order_line_id = fields.Many2one(
        "sale.order.line",
        ondelete="cascade",
        index="btree_not_null",
        check_company=True,
    )
    order_id = fields.Many2one(
        "sale.order", string="Order", related="order_line_id.order_id", store=True, index=True
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", related="order_id.partner_id", store=True, index=True
    )
    company_id = fields.Many2one(
        "res.company",
        compute="_compute_company_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        index=True,
    )
    date_start = fields.Datetime(string="Start", required=True)
    date_end = fields.Datetime(string="End", required=True)
    date_block_end = fields.Datetime(
        string="Blocked Until",
        compute="_compute_date_block_end",
        store=True,
        precompute=True,
        help="End of the booking plus the product's turnaround time, during which the serial "
        "cannot be booked again. The turnaround time is taken when the booking is made or "
        "its period changes.",
    )
    state = fields.Selection(
        [
            ("reserved", "Reserved"),
            ("out", "Out"),
            ("returned", "Returned"),
            ("cancelled", "Cancelled"),
        ],
        string="Status",
        default="reserved",
        required=True,
        index=True,
        copy=False,
    )
    note = fields.Char(help="Why the serial is blocked, e.g. a maintenance slot.")

    def init(self):
        # The exclusion constraint's index answers "is this serial free?". "Which serials of
        # this product are free?" would probe it once per serial (60 ms for 2,000 serials at
        # 1M bookings); two indexes find the product's busy serials in one scan each instead,
        # carrying every column that question reads, so that the table is not visited at all.
        # Most bookings last days: a b-tree on (product, start) finds those overlapping a
        # period by reading the starts of the SHORT_BOOKING span before it, about twice as fast
        # as a GiST on ranges. Longer leases, few, are found by a GiST on the range.
        # SHORT_BOOKING is a module constant, not input: the f-string is safe.
        self.env.cr.execute(  # pylint: disable=sql-injection
            f"""
            DROP INDEX IF EXISTS rental_booking_product_period_index;
            DROP INDEX IF EXISTS rental_booking_product_busy_index;
            CREATE INDEX IF NOT EXISTS rental_booking_product_short_index
                ON rental_booking (product_id, date_start)
                INCLUDE (date_block_end, lot_id, order_line_id)
                WHERE state != 'cancelled'
                  AND date_block_end <= date_start + interval '{SHORT_BOOKING}';
            CREATE INDEX IF NOT EXISTS rental_booking_product_long_index
                ON rental_booking USING gist (
                    int4range(product_id, product_id, '[]'),
                    tsrange(date_start, date_block_end, '[)'))
                INCLUDE (lot_id, order_line_id)
                WHERE state != 'cancelled'
                  AND date_block_end > date_start + interval '{SHORT_BOOKING}';
            """
        )
        # "What is booked over these days?" (the Schedule screen) leads with the period: both
        # indexes above lead with a serial or a product and make that scan ten times slower.
        create_index(
            self.env.cr,
            "rental_booking_period_index",
            self._table,
            ["tsrange(date_start, date_block_end, '[)')"],
            method="gist",
            where="state != 'cancelled'",
        )
        # The reminder pass (rental.reminder.run) starts from the bookings with gear out, a
        # few thousand out of a million.
        create_index(
            self.env.cr,
            "rental_booking_out_line_index",
            self._table,
            ["order_line_id"],
            where="state = 'out'",
        )
        # Every quotation line asks which serials of its product are free, and PostgreSQL
        # takes about a tenth of that query to plan it: kept in a PL/pgSQL function, its plan is
        # made once per connection. The same expressions as _overlap_query and the indexes.
        # SHORT_BOOKING is a module constant, not input: the f-string is safe.
        self.env.cr.execute(  # pylint: disable=sql-injection
            f"""
            CREATE OR REPLACE FUNCTION rental_risk_available_lots(
                p_product integer, p_company integer, p_start timestamp,
                p_block_end timestamp, p_exclude_line integer, p_unavailable text[])
            RETURNS SETOF integer LANGUAGE plpgsql STABLE
            SET plan_cache_mode = force_generic_plan AS $$
            BEGIN
            RETURN QUERY
                SELECT lot.id
                  FROM stock_lot lot
                 WHERE lot.product_id = p_product
                   AND (lot.company_id = p_company OR lot.company_id IS NULL)
                   AND lot.rental_state <> ALL(p_unavailable)
                   AND lot.id NOT IN (
                        SELECT b.lot_id
                          FROM rental_booking b
                         WHERE b.product_id = p_product
                           AND b.date_start >= p_start - interval '{SHORT_BOOKING}'
                           AND b.date_start < p_block_end
                           AND b.date_block_end > p_start
                           AND b.state != 'cancelled'
                           AND b.date_block_end <= b.date_start + interval '{SHORT_BOOKING}'
                           AND (p_exclude_line IS NULL
                                OR b.order_line_id IS DISTINCT FROM p_exclude_line)
                        UNION ALL
                        SELECT b.lot_id
                          FROM rental_booking b
                         WHERE int4range(b.product_id, b.product_id, '[]')
                               = int4range(p_product, p_product, '[]')
                           AND tsrange(b.date_start, b.date_block_end, '[)')
                               && tsrange(p_start, p_block_end, '[)')
                           AND b.state != 'cancelled'
                           AND b.date_block_end > b.date_start + interval '{SHORT_BOOKING}'
                           AND (p_exclude_line IS NULL
                                OR b.order_line_id IS DISTINCT FROM p_exclude_line))
              ORDER BY lot.name, lot.id;
            END
            $$
            """
        )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("lot_id.name", "order_id.name")
    def _compute_name(self):
        for booking in self:
            parts = [booking.lot_id.name or "", booking.order_id.name]
            booking.name = " / ".join(part for part in parts if part)

    @api.depends("lot_id", "order_line_id")
    def _compute_company_id(self):
        for booking in self:
            booking.company_id = (
                booking.order_line_id.company_id
                or booking.lot_id.company_id
                or booking.company_id
                or self.env.company
            )

    # The turnaround time is read when the period is set and deliberately not a dependency:
    # changing it on the product must not rewrite (and possibly make overlap) past bookings.
    @api.depends("date_end", "lot_id")
    def _compute_date_block_end(self):
        for booking in self:
            booking.date_block_end = booking.date_end and booking.date_end + timedelta(
                hours=booking.lot_id.product_id.rental_padding_hours
            )

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for booking in self:
            self._check_period(booking.lot_id, booking.date_start, booking.date_end)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        self._rental_check_value_types(vals_list)
        items = []
        for vals in vals_list:
            lot = self.env["stock.lot"].browse(vals.get("lot_id") or [])
            start = fields.Datetime.to_datetime(vals.get("date_start"))
            end = fields.Datetime.to_datetime(vals.get("date_end"))
            if not self._rental_is_maintenance_vals(vals):
                self._check_lot_bookable(lot)
            self._check_period(lot, start, end)
            if vals.get("state", "reserved") != "cancelled":
                items.append((lot, start, end))
        self._check_no_conflict(items)
        try:
            with self.env.cr.savepoint():
                bookings = super().create(vals_list)
                self.flush_model()
        except errors.ExclusionViolation as error:
            raise self._exclusion_violation_error(error) from None
        return bookings

    def write(self, vals):
        self._rental_check_value_types([vals])
        revived = vals.get("state", "cancelled") != "cancelled" and any(
            booking.state == "cancelled" for booking in self
        )
        if not ({"lot_id", "date_start", "date_end"} & vals.keys() or revived):
            return super().write(vals)
        if "lot_id" in vals:
            self._check_lot_bookable(self.env["stock.lot"].browse(vals["lot_id"]))
        items = []
        for booking in self:
            lot = (
                self.env["stock.lot"].browse(vals["lot_id"]) if "lot_id" in vals else booking.lot_id
            )
            start = (
                fields.Datetime.to_datetime(vals["date_start"])
                if "date_start" in vals
                else booking.date_start
            )
            end = (
                fields.Datetime.to_datetime(vals["date_end"])
                if "date_end" in vals
                else booking.date_end
            )
            self._check_period(lot, start, end)
            if vals.get("state", booking.state) != "cancelled":
                items.append((lot, start, end))
        self._check_no_conflict(items, exclude=self)
        try:
            with self.env.cr.savepoint():
                res = super().write(vals)
                self.flush_model()
        except errors.ExclusionViolation as error:
            raise self._exclusion_violation_error(error) from None
        return res

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_cancel(self):
        """Cancel reserved bookings: their serials become free for the period again."""
        not_reserved = self.filtered(lambda b: b.state not in ("reserved", "cancelled"))
        if not_reserved:
            raise UserError(
                self.env._(
                    "The booking %(booking)s cannot be cancelled: its serial has already been "
                    "handed out. Process the return instead.",
                    booking=not_reserved[0].display_name,
                )
            )
        self.filtered(lambda b: b.state == "reserved").write({"state": "cancelled"})
        return True

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    @api.model
    def _get_available_lots(self, product, date_start, date_end, company=None, exclude_line=None):
        """Serials of ``product`` free from ``date_start`` to ``date_end``, in one query
        (the function rental_risk_available_lots, see init).

        The busy serials come from one scan of the GiST index on (product, blocked period),
        the product's serials in order from stock_lot_rental_product_name_index.

        A serial is free when it belongs to ``company`` (or to no company), is not in one of
        the UNAVAILABLE_STATES and has no live booking whose blocked period overlaps
        [date_start, date_end + turnaround time of the product). Bookings of ``exclude_line``
        (a sale.order.line) are ignored, to re-plan the serials of that line.

        :return: stock.lot recordset, ordered by serial number
        """
        product.ensure_one()
        if not product.rental_ok:
            return self.env["stock.lot"]
        company = company or self.env.company
        block_end = date_end + timedelta(hours=product.rental_padding_hours)
        self.flush_model(["lot_id", "date_start", "date_block_end", "state", "order_line_id"])
        self.env["stock.lot"].flush_model(["product_id", "company_id", "rental_state", "name"])
        self.env.cr.execute(
            SQL(
                "SELECT rental_risk_available_lots(%s, %s, %s, %s, %s, %s)",
                product.id,
                company.id,
                date_start,
                block_end,
                exclude_line.id if exclude_line else None,
                list(UNAVAILABLE_STATES),
            )
        )
        return self.env["stock.lot"].browse(row[0] for row in self.env.cr.fetchall())

    @api.model
    def _is_lot_available(self, lot, date_start, date_end, exclude=None):
        """Whether ``lot`` can be booked from ``date_start`` to ``date_end`` (one indexed query).

        :param exclude: rental.booking records to ignore (the bookings being re-planned)
        """
        lot.ensure_one()
        if not lot.rental_ok or lot.rental_state in UNAVAILABLE_STATES:
            return False
        block_end = date_end + timedelta(hours=lot.product_id.rental_padding_hours)
        self.flush_model(["lot_id", "date_start", "date_block_end", "state"])
        self.env.cr.execute(
            SQL(
                "SELECT EXISTS (%s)",
                self._overlap_query(date_start, block_end, lot_id=lot.id, exclude=exclude),
            )
        )
        return not self.env.cr.fetchone()[0]

    @api.model
    def _overlap_query(self, date_start, block_end, lot_id, exclude=None):
        """SELECT of the live bookings of serial ``lot_id`` overlapping [date_start, block_end),
        but ``exclude`` (rental.booking records being re-planned).

        Written with the very expressions of the exclusion constraint's GiST index so that
        PostgreSQL answers from it (a product's busy serials: rental_risk_available_lots).
        """
        conditions = [
            SQL("int4range(b.lot_id, b.lot_id, '[]') = int4range(%s, %s, '[]')", lot_id, lot_id),
            SQL(
                "tsrange(b.date_start, b.date_block_end, '[)') && tsrange(%s, %s, '[)')",
                date_start,
                block_end,
            ),
            SQL("b.state != 'cancelled'"),
        ]
        if exclude:
            conditions.append(SQL("b.id NOT IN %s", tuple(exclude.ids)))
        return SQL(
            "SELECT b.id, b.lot_id, b.date_start, b.date_block_end FROM rental_booking b WHERE %s",
            SQL(" AND ").join(conditions),
        )

    @api.model
    def _create_bookings(self, order_line, lots):
        """Book each serial of ``lots`` for the rental period of ``order_line``.

        :return: the new rental.booking records, one per serial
        :raise ValidationError: when a serial is not free, naming the serial and the period
        """
        return self.create([self._prepare_booking_vals(order_line, lot) for lot in lots])

    @api.model
    def _prepare_booking_vals(self, order_line, lot):
        return {
            "lot_id": lot.id,
            "order_line_id": order_line.id,
            "company_id": order_line.company_id.id,
            "date_start": order_line.rental_start,
            "date_end": order_line.rental_end,
        }

    def _rental_is_maintenance_vals(self, vals):
        """Hook: whether ``vals`` create a maintenance window, which may block a serial that
        cannot be rented at the moment (in repair, awaiting inspection)."""
        return False

    @api.model
    def _check_lot_bookable(self, lot):
        if not lot:
            return
        if not lot.product_id.rental_ok:
            raise ValidationError(
                self.env._(
                    "The serial %(serial)s cannot be booked: it is a serial of a non-rental "
                    "product (%(product)s). Tick 'Can be Rented' on the product or choose a "
                    "rental serial.",
                    serial=lot.display_name,
                    product=lot.product_id.display_name,
                )
            )
        if lot.rental_state in UNAVAILABLE_STATES:
            states = dict(lot._fields["rental_state"]._description_selection(self.env))
            raise ValidationError(
                self.env._(
                    "The serial %(serial)s cannot be booked: it is %(state)s. Choose another "
                    "serial, or make this one available first.",
                    serial=lot.display_name,
                    state=states[lot.rental_state].lower(),
                )
            )

    @api.model
    def _check_period(self, lot, date_start, date_end):
        if not date_start or not date_end:
            raise ValidationError(
                self.env._("A booking needs a start and an end; fill in both dates.")
            )
        if date_end <= date_start:
            raise ValidationError(
                self.env._(
                    "The booking of %(serial)s ends on %(end)s, which is not after its start on "
                    "%(start)s; set a return date after the pickup date.",
                    serial=lot.display_name,
                    start=format_datetime(self.env, date_start),
                    end=format_datetime(self.env, date_end),
                )
            )

    @api.model
    def _check_no_conflict(self, items, exclude=None):
        """Refuse overlapping periods among ``items`` and against the stored bookings.

        :param items: list of (stock.lot, date_start, date_end)
        :param exclude: bookings being rewritten, ignored in the stored ones
        """
        blocked = []
        for lot, start, end in items:
            block_end = end + timedelta(hours=lot.product_id.rental_padding_hours)
            for other_lot, other_start, other_block_end in blocked:
                if other_lot == lot and start < other_block_end and other_start < block_end:
                    raise ValidationError(
                        self._build_conflict_message(lot, other_start, other_block_end)
                    )
            blocked.append((lot, start, block_end))
        if not blocked:
            return
        self.flush_model(["lot_id", "date_start", "date_block_end", "state"])
        queries = [
            self._overlap_query(start, block_end, lot_id=lot.id, exclude=exclude)
            for lot, start, block_end in blocked
        ]
        self.env.cr.execute(SQL("%s LIMIT 1", SQL(" UNION ALL ").join(queries)))
        row = self.env.cr.fetchone()
        if row:
            booking = self.browse(row[0])
            raise ValidationError(
                self._build_conflict_message(
                    self.env["stock.lot"].browse(row[1]), row[2], row[3], booking=booking
                )
            )

    @api.model
    def _build_conflict_message(self, lot, date_start, block_end, booking=None):
        """The one message every refused double booking shows."""
        reference = booking and booking.sudo().name
        # Built outside the translated call: the .pot extractor evaluates f-strings found in it.
        reference = f" ({reference})" if reference else ""
        return self.env._(
            "The serial %(serial)s is already booked from %(start)s until %(end)s "
            "(turnaround time included)%(reference)s. Choose another serial or another period.",
            serial=lot.display_name,
            start=format_datetime(self.env, date_start),
            end=format_datetime(self.env, block_end),
            reference=reference,
        )

    @api.model
    def _exclusion_violation_error(self, error):
        """Turn PostgreSQL's exclusion violation into a ValidationError in plain words."""
        match = _EXISTING_KEY_RE.search(error.diag.message_detail or "")
        if not match:
            return ValidationError(
                self.env._(
                    "This serial has just been booked for an overlapping period by another user. "
                    "Reload the availability and choose another serial or another period."
                )
            )
        lot = self.env["stock.lot"].browse(int(match.group(1)))
        return ValidationError(
            self._build_conflict_message(
                lot,
                fields.Datetime.to_datetime(match.group(2)),
                fields.Datetime.to_datetime(match.group(3)),
            )
        )
