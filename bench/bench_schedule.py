"""Benchmark of the Schedule screen's data at scale (rental_risk).

Loads ``--lots`` serials and ``--bookings`` bookings in bulk (most of them booked by sale
orders, one serial in 50 in repair) into a database where rental_risk is installed, then
measures, as a Rental User, the server time of ``rental.booking._get_schedule_data`` for a
``--days`` window starting today:

* one page of the screen (80 serials),
* all ``--lots`` serials in one call,
* the naive way beside them: ORM ``search_read`` of the serials and of their bookings
  overlapping the window, grouped and placed in Python.

Everything the measures write is rolled back; the bulk load is committed (run it on a throw-away
database: ``bench/run schedule`` creates one, installs the module, runs this, drops it).

Usage: python bench/bench_schedule.py -d DB --odoo-path /opt/odoo --addons-path PATHS
"""

import time
from datetime import datetime, timedelta

from bench_common import bench_parser, open_registry, timed, vacuum_analyze

BASE = datetime(2024, 1, 1, 9, 0)
PERIOD = timedelta(days=3)  # one booking every 3 days per serial ...
LENGTH = timedelta(days=2)  # ... lasting 2 days, then 4 hours of turnaround
PADDING_HOURS = 4.0
ORDERS = 500


def parse_args():
    parser = bench_parser(__doc__)
    parser.add_argument("--products", type=int, default=10)
    parser.add_argument("--lots", type=int, default=1_000)
    parser.add_argument("--bookings", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--runs", type=int, default=30, help="samples per measure")
    return parser.parse_args()


def bulk_load(env, args):
    """Products, customers and draft orders via the ORM; serials and bookings in SQL."""
    from odoo import Command

    cr = env.cr
    products = env["product.product"].create(
        [
            {
                "name": f"Bench Camera {index}",
                "default_code": f"BENCH{index}",
                "type": "consu",
                "is_storable": True,
                "tracking": "serial",
                "rental_ok": True,
                "rental_price_day": 100.0,
                "rental_padding_hours": PADDING_HOURS,
            }
            for index in range(args.products)
        ]
    )
    partners = env["res.partner"].create(
        [{"name": f"Bench Customer {index}"} for index in range(ORDERS)]
    )
    orders = env["sale.order"].create(
        [
            {
                "partner_id": partner.id,
                "order_line": [Command.create({"product_id": products[0].id})],
            }
            for partner in partners
        ]
    )
    env.flush_all()
    started = time.perf_counter()
    cr.execute(
        """
        INSERT INTO stock_lot (name, rental_barcode, product_id, product_uom_id, company_id,
                               rental_ok, rental_state, rental_replacement_value,
                               rental_usage_counter, create_uid, write_uid, create_date,
                               write_date)
        SELECT 'BENCH-' || lpad(n::text, 6, '0'), 'BENCH-' || lpad(n::text, 6, '0'),
               (%(products)s)[1 + n %% %(nproducts)s], %(uom)s, %(company)s, TRUE,
               CASE WHEN n %% 50 = 0 THEN 'repair' ELSE 'available' END, 1000, 0,
               1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          FROM generate_series(1, %(nlots)s) AS n
        """,
        {
            "products": products.ids,
            "nproducts": len(products),
            "uom": products[0].uom_id.id,
            "company": env.company.id,
            "nlots": args.lots,
        },
    )
    per_lot = max(1, args.bookings // args.lots)
    # The exclusion constraint is dropped during the load and added back afterwards: PostgreSQL
    # then builds its GiST index in one pass (and still checks every row).
    cr.execute(
        "ALTER TABLE rental_booking DROP CONSTRAINT IF EXISTS rental_booking_lot_period_excl"
    )
    cr.execute("DROP INDEX IF EXISTS rental_booking_product_busy_index")
    cr.execute("DROP INDEX IF EXISTS rental_booking_period_index")
    # Nine bookings in ten come from an order (one of ORDERS orders); the tenth is a
    # maintenance block with a note.
    cr.execute(
        """
        INSERT INTO rental_booking (name, lot_id, product_id, company_id, date_start, date_end,
                                    date_block_end, state, order_line_id, order_id, partner_id,
                                    note, create_uid, write_uid, create_date, write_date)
        SELECT lot.name, lot.id, lot.product_id, lot.company_id,
               lot.base + k * %(period)s,
               lot.base + k * %(period)s + %(length)s,
               lot.base + k * %(period)s + %(length)s + %(padding)s,
               CASE WHEN k %% 20 = 7 THEN 'cancelled'
                    WHEN lot.base + k * %(period)s < now() AT TIME ZONE 'UTC' THEN 'returned'
                    ELSE 'reserved' END,
               CASE WHEN k %% 10 = 3 THEN NULL
                    ELSE (%(lines)s)[1 + (lot.id + k) %% %(norders)s] END,
               CASE WHEN k %% 10 = 3 THEN NULL
                    ELSE (%(orders)s)[1 + (lot.id + k) %% %(norders)s] END,
               CASE WHEN k %% 10 = 3 THEN NULL
                    ELSE (%(partners)s)[1 + (lot.id + k) %% %(norders)s] END,
               CASE WHEN k %% 10 = 3 THEN 'Maintenance' END,
               1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          FROM (SELECT id, name, product_id, company_id,
                       %(base)s + (id * 37 %% 72) * interval '1 hour' AS base
                  FROM stock_lot WHERE name LIKE 'BENCH-%%') lot,
               generate_series(0, %(per_lot)s - 1) AS k
        """,
        {
            "base": BASE,
            "period": PERIOD,
            "length": LENGTH,
            "padding": timedelta(hours=PADDING_HOURS),
            "per_lot": per_lot,
            "lines": orders.order_line.ids,
            "orders": [line.order_id.id for line in orders.order_line],
            "partners": [line.order_id.partner_id.id for line in orders.order_line],
            "norders": len(orders),
        },
    )
    loaded = cr.rowcount
    cr.execute(
        """
        ALTER TABLE rental_booking ADD CONSTRAINT rental_booking_lot_period_excl
        EXCLUDE USING GIST (
            int4range(lot_id, lot_id, '[]') WITH =,
            tsrange(date_start, date_block_end, '[)') WITH &&
        ) WHERE (state != 'cancelled')
        """
    )
    env["rental.booking"].init()  # the product/period and period GiST indexes
    cr.commit()
    vacuum_analyze(cr.dbname, ("stock_lot", "rental_booking"))
    print(
        f"loaded {args.lots} serials of {len(products)} products and {loaded} bookings "
        f"({len(orders)} orders) in {time.perf_counter() - started:.1f} s"
    )


def naive_schedule(env, date_from, days, limit):
    """The way without the method: ORM reads, then grouping and placement in Python."""
    window_start = datetime.combine(date_from, datetime.min.time())
    window_end = window_start + timedelta(days=days)
    lots = env["stock.lot"].search_read(
        [("rental_ok", "=", True)],
        ["name", "product_id", "rental_state"],
        order="product_id, name, id",
        limit=limit,
    )
    bookings = env["rental.booking"].search_read(
        [
            ("lot_id", "in", [lot["id"] for lot in lots]),
            ("state", "!=", "cancelled"),
            ("date_start", "<", window_end),
            ("date_block_end", ">", window_start),
        ],
        ["lot_id", "date_start", "date_end", "date_block_end", "state", "order_id", "partner_id"],
    )

    def place(value):
        offset = (value - window_start).total_seconds() / 86400
        return min(max(offset, 0.0), float(days))

    items = {lot["id"]: [] for lot in lots}
    for booking in bookings:
        items[booking["lot_id"][0]].append(
            {
                "start": place(booking["date_start"]),
                "end": place(booking["date_end"]),
                "block_end": place(booking["date_block_end"]),
                "state": booking["state"],
                "order_name": booking["order_id"] and booking["order_id"][1],
                "partner_name": booking["partner_id"] and booking["partner_id"][1],
            }
        )
    return [{**lot, "items": items[lot["id"]]} for lot in lots]


def main():
    args = parse_args()
    registry = open_registry(args)
    from odoo import SUPERUSER_ID, api, fields

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        bulk_load(env, args)
        user = env["res.users"].create(
            {
                "name": "Bench Rental User",
                "login": "bench_schedule_user",
                "tz": "UTC",
                "groups_id": [(6, 0, [env.ref("rental_risk.rental_risk_group_user").id])],
            }
        )
        cr.commit()
        user_env = api.Environment(cr, user.id, {"tz": "UTC", "lang": "en_US"})
        bookings = user_env["rental.booking"]
        date_from = fields.Date.context_today(bookings)
        date_iso = fields.Date.to_string(date_from)
        runs = args.runs

        def page():
            user_env.invalidate_all()
            bookings._get_schedule_data(date_iso, args.days, {}, limit=80)

        def everything():
            user_env.invalidate_all()
            return bookings._get_schedule_data(date_iso, args.days, {}, limit=args.lots)

        def naive():
            user_env.invalidate_all()
            return naive_schedule(user_env, date_from, args.days, args.lots)

        for func in (page, everything, naive):  # warm-up (plans, caches)
            func()
        page_ms = timed(page, runs)
        all_ms = timed(everything, runs)
        naive_ms = timed(naive, max(3, runs // 3))

        fast = everything()
        slow = naive()
        fast_items = sum(
            1
            for row in fast["rows"]
            for item in row["items"]
            if item["kind"] in ("booking", "maintenance")
        )
        slow_items = sum(len(row["items"]) for row in slow)
        assert len(fast["rows"]) == len(slow) == args.lots, "not every serial was read"
        assert fast_items == slow_items, f"{fast_items} bookings vs {slow_items} naive"

        window = (
            datetime.combine(date_from, datetime.min.time()),
            datetime.combine(date_from, datetime.min.time()) + timedelta(days=args.days),
        )
        for count in (80, args.lots):
            cr.execute(
                "EXPLAIN (ANALYZE, COSTS OFF) SELECT b.id FROM rental_booking b "
                "WHERE tsrange(b.date_start, b.date_block_end, '[)') && tsrange(%s, %s, '[)') "
                "AND b.state != 'cancelled' AND b.lot_id = ANY(%s)",
                [*window, [row["id"] for row in fast["rows"][:count]]],
            )
            plan = "\n    ".join(row[0] for row in cr.fetchall())
            print(f"plan of the bookings query ({count} serials):\n    {plan}")
        cr.execute("SELECT count(*) FROM rental_booking")
        total_bookings = cr.fetchone()[0]
        cr.rollback()

        print(
            f"\n{args.lots} serials x {args.days} days from {date_iso}, {total_bookings} bookings, "
            f"{fast_items} bookings in the window, {runs} runs each"
        )
        print(f"{'measure':<62}{'median ms':>10}")
        rows = [
            ("_get_schedule_data, one page (80 serials)", page_ms),
            (f"_get_schedule_data, all {args.lots} serials in one call", all_ms),
            (f"naive: search_read serials + bookings, Python grouping ({args.lots})", naive_ms),
        ]
        for label, value in rows:
            print(f"{label:<62}{value:>10.3f}")
        print(f"\nratio naive / method (all serials): {naive_ms / all_ms:.1f}x")
        target = 150.0
        verdict = "OK" if all_ms <= target else "OVER TARGET"
        print(
            f"RESULT schedule {args.lots} serials x {args.days} days at {total_bookings} bookings: "
            f"{all_ms:.1f} ms (page of 80: {page_ms:.1f} ms), naive {naive_ms:.1f} ms, "
            f"{naive_ms / all_ms:.1f}x; target <= {target:.0f} ms -> {verdict}"
        )


if __name__ == "__main__":
    main()
