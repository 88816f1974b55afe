"""Benchmark of serial availability and booking at scale (rental_risk).

Loads rental products, ``--lots`` serials and ``--bookings`` bookings in bulk into a database
where rental_risk is installed, then measures with the ORM, in one process:

* ``_get_available_lots`` for one product and a period (one SQL query on the GiST index of the
  exclusion constraint),
* ``_is_lot_available`` for one serial,
* creating one booking and flushing it (pre-check + INSERT checked by the constraint), rolled
  back each time through a savepoint,
* the naive way beside them: ``search_read`` the bookings and compare periods in Python.

Everything the measures write is rolled back; the bulk load is committed (run it on a throw-away
database: ``bench/run booking`` creates one, installs the module, runs this, drops it).

Usage: python bench/bench_booking.py -d DB --odoo-path /opt/odoo --addons-path PATHS
"""

import random
import time
from datetime import datetime, timedelta

from bench_common import bench_parser, median_ms, open_registry, timed, vacuum_analyze

BASE = datetime(2024, 1, 1, 9, 0)
PERIOD = timedelta(days=3)  # one booking every 3 days per serial ...
LENGTH = timedelta(days=2)  # ... lasting 2 days, so 20 hours free after the 4 hours padding
PADDING_HOURS = 4.0


def lot_offset_hours(lot_id):
    """Serials' schedules are shifted from one another, as in real life."""
    return (lot_id * 37) % 72


def parse_args():
    parser = bench_parser(__doc__)
    parser.add_argument("--products", type=int, default=5)
    parser.add_argument("--lots", type=int, default=10_000)
    parser.add_argument("--bookings", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=200, help="samples per measure")
    return parser.parse_args()


def bulk_load(env, args):
    """Rental products via the ORM; serials and bookings with INSERT ... SELECT."""
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
    env.flush_all()
    company = env.company
    started = time.perf_counter()
    # Serials round-robin over the products.
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
            "company": company.id,
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
    cr.execute(
        """
        INSERT INTO rental_booking (name, lot_id, product_id, company_id, date_start, date_end,
                                    date_block_end, state, create_uid, write_uid, create_date,
                                    write_date)
        SELECT lot.name, lot.id, lot.product_id, lot.company_id,
               lot.base + k * %(period)s,
               lot.base + k * %(period)s + %(length)s,
               lot.base + k * %(period)s + %(length)s + %(padding)s,
               CASE WHEN k %% 20 = 7 THEN 'cancelled'
                    WHEN lot.base + k * %(period)s < now() AT TIME ZONE 'UTC' THEN 'returned'
                    ELSE 'reserved' END,
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
        f"in {time.perf_counter() - started:.1f} s"
    )
    return products


def naive_lot_available(env, lot, date_start, date_end):
    """The way without the index: read the serial's bookings, compare in Python."""
    block_end = date_end + timedelta(hours=lot.product_id.rental_padding_hours)
    bookings = env["rental.booking"].search_read(
        [("lot_id", "=", lot.id), ("state", "!=", "cancelled")], ["date_start", "date_block_end"]
    )
    return not any(
        b["date_start"] < block_end and date_start < b["date_block_end"] for b in bookings
    )


def naive_available_lots(env, product, date_start, date_end):
    block_end = date_end + timedelta(hours=product.rental_padding_hours)
    lots = env["stock.lot"].search(
        [
            ("product_id", "=", product.id),
            ("rental_state", "not in", ("inspection", "repair", "lost", "retired")),
        ]
    )
    busy = {
        b["lot_id"][0]
        for b in env["rental.booking"].search_read(
            [("product_id", "=", product.id), ("state", "!=", "cancelled")],
            ["lot_id", "date_start", "date_block_end"],
        )
        if b["date_start"] < block_end and date_start < b["date_block_end"]
    }
    return lots.filtered(lambda lot: lot.id not in busy)


def main():
    args = parse_args()
    registry = open_registry(args)
    from odoo import SUPERUSER_ID, api

    rng = random.Random(18)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        products = bulk_load(env, args)
        bookings = env["rental.booking"]
        lots = env["stock.lot"].search([("name", "=like", "BENCH-%")])
        rentable = lots.filtered(lambda lot: lot.rental_state == "available")
        per_lot = max(1, args.bookings // args.lots)
        env.invalidate_all()

        def random_period():
            # Anywhere in the loaded history: every serial has bookings around it.
            start = BASE + timedelta(hours=rng.randrange(0, per_lot * 72 - 48))
            return start, start + timedelta(hours=rng.randrange(4, 96))

        def free_slot(lot):
            # Right after a booking's padding, inside the 20 free hours before the next one.
            k = rng.randrange(0, per_lot - 1)
            start = (
                BASE
                + timedelta(hours=lot_offset_hours(lot.id))
                + k * PERIOD
                + LENGTH
                + timedelta(hours=PADDING_HOURS)
            )
            return start, start + timedelta(hours=12)

        cr.execute(
            "EXPLAIN (ANALYZE, COSTS OFF) SELECT 1 FROM rental_booking b "
            "WHERE int4range(b.lot_id, b.lot_id, '[]') = int4range(%s, %s, '[]') "
            "AND tsrange(b.date_start, b.date_block_end, '[)') && tsrange(%s, %s, '[)') "
            "AND b.state != 'cancelled'",
            [rentable[0].id, rentable[0].id, *random_period()],
        )
        plan = "\n    ".join(row[0] for row in cr.fetchall())
        print(f"plan of the overlap test of one serial:\n    {plan}")

        product = products[0]
        product.rental_padding_hours  # noqa: B018 - warm the cache, measure queries only
        runs = args.runs

        def check_product():
            bookings._get_available_lots(product, *random_period())

        def check_lot():
            bookings._is_lot_available(rng.choice(rentable), *random_period())

        def naive_lot():
            naive_lot_available(env, rng.choice(rentable), *random_period())

        def naive_product():
            naive_available_lots(env, product, *random_period())

        def book():
            lot = rng.choice(rentable)
            date_start, date_end = free_slot(lot)
            savepoint = cr.savepoint()
            try:
                start = time.perf_counter()
                bookings.create({"lot_id": lot.id, "date_start": date_start, "date_end": date_end})
                env.flush_all()
                elapsed = time.perf_counter() - start
            finally:
                savepoint.close(rollback=True)
            return elapsed

        # Warm-up (plans, caches), then the measures.
        for func in (check_product, check_lot, naive_lot, book):
            func()
        available_ms = timed(check_product, runs)
        lot_ms = timed(check_lot, runs)
        naive_lot_ms = timed(naive_lot, runs)
        naive_product_ms = timed(naive_product, max(3, runs // 40))
        book_ms = median_ms([book() for _ in range(runs)])

        sample_start, sample_end = random_period()
        fast = bookings._get_available_lots(product, sample_start, sample_end)
        slow = naive_available_lots(env, product, sample_start, sample_end)
        assert fast == slow, "the indexed and the naive availability disagree"

        cr.rollback()
        print(f"\n{len(lots)} serials, {bookings.search_count([])} bookings, {runs} runs each")
        print(f"{'measure':<58}{'median ms':>10}")
        rows = [
            ("_get_available_lots (one product, ~2000 serials)", available_ms),
            ("naive: search_read the product's bookings + Python", naive_product_ms),
            ("_is_lot_available (one serial)", lot_ms),
            ("naive: search_read the serial's bookings + Python", naive_lot_ms),
            ("create one booking + flush (savepoint rolled back)", book_ms),
        ]
        for label, value in rows:
            print(f"{label:<58}{value:>10.3f}")
        print(
            f"\nratio naive / indexed: product {naive_product_ms / available_ms:.1f}x, "
            f"serial {naive_lot_ms / lot_ms:.1f}x"
        )
        verdict = "OK" if available_ms <= 2.0 and lot_ms <= 5.0 else "OVER TARGET"
        print(
            f"RESULT availability at {bookings.search_count([])} bookings: a product's free "
            f"serials {available_ms:.2f} ms (target <= 2), one serial {lot_ms:.2f} ms "
            f"(target <= 5), naive {naive_product_ms:.1f} / {naive_lot_ms:.2f} ms -> {verdict}"
        )


if __name__ == "__main__":
    main()
