"""Benchmark of the daily anomaly report at scale (rental_risk).

Loads ``--lots`` serials and ``--bookings`` bookings in bulk (the loader of bench_booking:
INSERT ... SELECT generate_series), puts one unit of each serial in stock (stock_quant rows),
one serial in ten out with a customer (in the Out on Rental location, its last booking out),
readings for one serial in five, and plants anomalies among them: serials out but on the shelf
or available but out, out without a booking out, bookings on retired serials, counters that
went down. Then, in one process:

* times the naive way over a sample of ``--sample`` serials: per serial, ORM searches of its
  quant in the Out on Rental location, its bookings out, its reservations when retired or
  lost and its readings in order, compared in Python, and the anomaly found or created
  through the ORM; extrapolated to every serial;
* times the real thing: ``rental.anomaly.run._run()`` (every check of the company in one
  INSERT ... SELECT ... ON CONFLICT and one UPDATE), twice: the first run inserts the
  anomalies, the second sees them again;
* prints both, the ratio and whether the targets hold (<= 10 s, >= 20x faster).

The bulk load is committed, the measures are rolled back: run it on a throw-away database
(``bench/run anomalies`` creates one, installs the module, runs this, drops it).

Usage: python bench/bench_anomalies.py -d DB --odoo-path /opt/odoo --addons-path PATHS
"""

import os
import sys
import time
from itertools import pairwise

import bench_booking
from bench_common import bench_parser, open_registry, vacuum_analyze
from bench_scoring import step

TARGET_S = 10.0
RATIO_TARGET = 20.0


def parse_args():
    parser = bench_parser(__doc__)
    parser.add_argument("--products", type=int, default=5)
    parser.add_argument("--lots", type=int, default=100_000)
    parser.add_argument("--bookings", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=1000, help="serials of the naive loop")
    return parser.parse_args()


def bulk_load(env, args):
    """Serials and bookings by bench_booking's loader, then stock, life cycle and readings."""
    bench_booking.bulk_load(env, args)
    cr = env.cr
    company = env.company
    stock = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
    params = {
        "company": company.id,
        "stock": stock.lot_stock_id.id,
        "rental": company.rental_location_id.id,
    }
    started = time.perf_counter()
    # One serial in ten is out (n = id mod 10 = 3), its last booking out; every 1,000th of
    # them is on the shelf all the same (status and location disagree) and every 2,003rd
    # has its booking returned (out without an open rental). Every 1,009th serial available
    # is in the Out on Rental location. Every 5,000th is retired with a booking reserved.
    cr.execute(
        """
        UPDATE stock_lot SET rental_state = 'out'
         WHERE name LIKE 'BENCH-%%' AND id %% 10 = 3;
        UPDATE stock_lot SET rental_state = 'retired'
         WHERE name LIKE 'BENCH-%%' AND id %% 5000 = 7;
        UPDATE rental_booking b SET state = 'out'
          FROM stock_lot lot
         WHERE lot.id = b.lot_id AND lot.rental_state = 'out' AND lot.id %% 2003 <> 0
           AND b.id = (SELECT max(id) FROM rental_booking x WHERE x.lot_id = lot.id);
        UPDATE rental_booking b SET state = 'reserved'
          FROM stock_lot lot
         WHERE lot.id = b.lot_id AND lot.rental_state = 'retired'
           AND b.id = (SELECT max(id) FROM rental_booking x WHERE x.lot_id = lot.id);
        INSERT INTO stock_quant (product_id, location_id, lot_id, company_id, quantity,
                                 reserved_quantity, in_date, create_uid, write_uid,
                                 create_date, write_date)
        SELECT lot.product_id,
               CASE WHEN (lot.rental_state = 'out' AND lot.id %% 1000 <> 3)
                         OR (lot.rental_state = 'available' AND lot.id %% 1009 = 0)
                    THEN %(rental)s ELSE %(stock)s END,
               lot.id, %(company)s, 1, 0, now(), 1, 1, now(), now()
          FROM stock_lot lot
         WHERE lot.name LIKE 'BENCH-%%';
        """,
        params,
    )
    started = step("life cycle and stock of the serials", started)
    # Three readings a week apart for one serial in five; every 997th goes down.
    cr.execute(
        """
        INSERT INTO rental_asset_reading (lot_id, company_id, user_id, date, value,
                                          create_uid, write_uid, create_date, write_date)
        SELECT lot.id, lot.company_id, 1, now() - (3 - k) * interval '7 days',
               CASE WHEN k = 2 AND mod(lot.id, 997) = 0 THEN 5 ELSE 100 * k END,
               1, 1, now(), now()
          FROM stock_lot lot, generate_series(0, 2) AS k
         WHERE lot.name LIKE 'BENCH-%' AND mod(lot.id, 5) = 0
        """
    )
    started = step("usage readings", started)
    cr.commit()
    vacuum_analyze(
        cr.dbname, ("stock_lot", "rental_booking", "stock_quant", "rental_asset_reading")
    )
    step("VACUUM ANALYZE", started)


def naive_check_lot(env, lot, rental_location, run):
    """What a straightforward implementation does for one serial."""
    found = []
    in_rental = env["stock.quant"].search_count(
        [("lot_id", "=", lot.id), ("location_id", "=", rental_location.id), ("quantity", ">", 0)]
    )
    if (lot.rental_state == "out") != bool(in_rental):
        found.append(("state_location", "stock.lot", lot.id))
    elif lot.rental_state == "out" and not env["rental.booking"].search_count(
        [("lot_id", "=", lot.id), ("state", "=", "out")]
    ):
        found.append(("out_no_rental", "stock.lot", lot.id))
    if lot.rental_state in ("retired", "lost"):
        for booking in env["rental.booking"].search(
            [("lot_id", "=", lot.id), ("state", "=", "reserved")]
        ):
            found.append(("booking_retired", "rental.booking", booking.id))
    readings = env["rental.asset.reading"].search_read(
        [("lot_id", "=", lot.id)], ["value", "date"], order="date, id"
    )
    max_per_day = lot.product_id.rental_counter_max_per_day
    for previous, reading in pairwise(readings):
        days = max((reading["date"] - previous["date"]).total_seconds() / 86400.0, 1.0)
        if reading["value"] < previous["value"]:
            found.append(("counter_decrease", "rental.asset.reading", reading["id"]))
        elif max_per_day and reading["value"] - previous["value"] > max_per_day * days:
            found.append(("counter_jump", "rental.asset.reading", reading["id"]))
    Anomaly = env["rental.anomaly"]
    for kind, model, res_id in found:
        existing = Anomaly.search(
            [
                ("kind", "=", kind),
                ("res_model", "=", model),
                ("res_id", "=", res_id),
                ("fixed_since", "=", False),
            ],
            limit=1,
        )
        with env["rental.risk.decision"]._open_guard():
            if existing:
                existing.write({"last_seen": run.date, "run_id": run.id})
            else:
                Anomaly.create(
                    {
                        "kind": kind,
                        "res_model": model,
                        "res_id": res_id,
                        "company_id": lot.company_id.id,
                        "first_seen": run.date,
                        "last_seen": run.date,
                        "run_id": run.id,
                    }
                )
    return found


def main():
    args = parse_args()
    registry = open_registry(args)
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        bulk_load(env, args)
        company = env.company
        Run = env["rental.anomaly.run"]
        cr.execute("SELECT count(*) FROM rental_booking")
        bookings = cr.fetchone()[0]
        lots = env["stock.lot"].search([("name", "=like", "BENCH-%")], order="id")
        sample = lots[:: max(1, len(lots) // args.sample)]
        env.invalidate_all()

        savepoint = cr.savepoint(flush=False)
        with env["rental.risk.decision"]._open_guard():
            naive_run = Run.create({"company_id": company.id})
        started = time.perf_counter()
        naive_found = 0
        for lot in sample:
            naive_found += len(naive_check_lot(env, lot, company.rental_location_id, naive_run))
        env.flush_all()
        naive_s = (time.perf_counter() - started) / len(sample) * len(lots)
        savepoint.close(rollback=True)
        env.invalidate_all()

        started = time.perf_counter()
        first = Run._run(company)
        real_s = time.perf_counter() - started
        started = time.perf_counter()
        second = Run._run(company)
        again_s = time.perf_counter() - started
        from odoo.fields import Datetime
        from odoo.tools import SQL

        now = Datetime.now()
        per_check = {}
        for kind, check in env["rental.anomaly.check"]._get_checks().items():
            started = time.perf_counter()
            cr.execute(SQL("SELECT count(*) FROM (%s) c", check(company, now)))
            per_check[kind] = (time.perf_counter() - started, cr.fetchone()[0])

        cr.execute(
            "SELECT kind, count(*) FROM rental_anomaly WHERE fixed_since IS NULL "
            "GROUP BY kind ORDER BY kind"
        )
        kinds = cr.fetchall()
        found, new = first.found_count, first.new_count
        seen, seen_new = second.found_count, second.new_count
        cr.rollback()

    print(f"\n{len(lots)} serials, {bookings} bookings (load average {os.getloadavg()[0]:.1f})")
    for kind, (seconds, count) in per_check.items():
        print(f"  check {kind:<18} {seconds * 1000:8.0f} ms, {count} found")
    print(f"anomalies found: {found} ({', '.join(f'{k} {n}' for k, n in kinds)})")
    print(f"  set-based run:        {real_s:8.2f} s, {new} new (target <= {TARGET_S:.0f})")
    print(f"  set-based run again:  {again_s:8.2f} s, {seen} seen again, {seen_new} new")
    print(
        f"  naive per-serial:     {naive_s:8.1f} s (extrapolated from {len(sample)} serials, "
        f"{naive_found} anomalies among them)"
    )
    ratio = naive_s / real_s
    print(f"  ratio naive / set-based: {ratio:.1f}x (target >= {RATIO_TARGET:.0f}x)")
    ok = max(real_s, again_s) <= TARGET_S and ratio >= RATIO_TARGET and not seen_new
    print("RESULT:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
