"""Benchmark of the reminder and escalation pass at scale (rental_risk).

Loads ``--bookings`` bookings in bulk (INSERT ... SELECT generate_series), each on a confirmed
rental line (two lines per order, a deposit line on one order in four), ``--lots`` serials
booked one after the other every 7 days for 5 days, from 600 days ago to 100 days ahead: the
past bookings returned (1 in 400 still out: late gear), the current ones out, the future ones
reserved, 1 in 20 cancelled. The company's default reminder steps apply (return due, lease
end, gear not back in four steps, deposit unpaid). Then, in one process:

* times the naive way over a sample of ``--sample`` rental lines: per line, its bookings
  read through the ORM, each step's day checked in Python, the deposit paid from the order's
  ledger, and a ``search_count`` of the reminders already done; extrapolated to every
  confirmed rental line;
* times the real thing: ``rental.reminder.run._record_due_steps`` over every line (one
  INSERT ... SELECT), the first pass (every step due is recorded) and the pass after it
  (nothing new, the hourly steady state), and one batch of the scheduled action's size;
* prints the figures, the ratio and whether the target holds (<= 10 s).

The bulk load is committed, the measures are rolled back: run it on a throw-away database
(``bench/run reminders`` creates one, installs the module, runs this, drops it).

Usage: python bench/bench_reminders.py -d DB --odoo-path /opt/odoo --addons-path PATHS
"""

import random
import sys
import time
from datetime import datetime, timedelta

from bench_common import bench_parser, open_registry, vacuum_analyze
from bench_scoring import drop_secondary_indexes, set_required_defaults, settle, step

MARK = "rr-bench-reminders"
TARGET_S = 10.0
PERIOD_DAYS = 7
LENGTH_DAYS = 5
PAST_DAYS = 600


def parse_args():
    parser = bench_parser(__doc__)
    parser.add_argument("--bookings", type=int, default=1_000_000)
    parser.add_argument("--lots", type=int, default=10_000)
    parser.add_argument("--partners", type=int, default=20_000)
    parser.add_argument("--sample", type=int, default=2_000, help="lines of the naive loop")
    return parser.parse_args()


def bulk_load(env, args, now):
    cr = env.cr
    company = env.company
    set_required_defaults(env)
    product = env["product.product"].create(
        {
            "name": "Bench Reminder Camera",
            "type": "consu",
            "is_storable": True,
            "tracking": "serial",
            "rental_ok": True,
            "rental_price_day": 100.0,
        }
    )
    deposit = env.ref("rental_risk.product_rental_deposit")
    env.flush_all()
    per_lot = max(1, args.bookings // args.lots)
    bookings = per_lot * args.lots
    params = {
        "mark": MARK,
        "company": company.id,
        "currency": company.currency_id.id,
        "product": product.id,
        "uom": product.uom_id.id,
        "deposit": deposit.id,
        "deposit_uom": deposit.uom_id.id,
        "partners": args.partners,
        "lots": args.lots,
        "per_lot": per_lot,
        "bookings": bookings,
        "orders": (bookings + 1) // 2,
        "base": now - timedelta(days=PAST_DAYS),
        "period": timedelta(days=PERIOD_DAYS),
        "length": timedelta(days=LENGTH_DAYS),
        "now": now,
    }
    started = time.perf_counter()
    print("loading data", flush=True)
    cr.execute(
        """
        INSERT INTO res_partner (name, complete_name, ref, active, is_company, type,
                                 customer_rank, supplier_rank, autopost_bills, lang, email,
                                 create_uid, write_uid, create_date, write_date)
        SELECT 'Bench Renter ' || n, 'Bench Renter ' || n, %(mark)s, TRUE, TRUE, 'contact',
               1, 0, 'ask', 'en_US', 'renter' || n || '@example.com', 1, 1, now(), now()
          FROM generate_series(1, %(partners)s) AS n
        """,
        params,
    )
    cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE ref = %(mark)s", params)
    cr.execute("SELECT min(id) FROM res_partner WHERE ref = %(mark)s", params)
    params["p0"] = cr.fetchone()[0]
    cr.execute(
        """
        INSERT INTO stock_lot (name, rental_barcode, product_id, product_uom_id, company_id,
                               rental_ok, rental_state, rental_replacement_value,
                               rental_usage_counter, create_uid, write_uid, create_date,
                               write_date)
        SELECT 'RBENCH-' || lpad(n::text, 6, '0'), 'RBENCH-' || lpad(n::text, 6, '0'),
               %(product)s, %(uom)s, %(company)s, TRUE, 'available', 1000, 0,
               1, 1, now(), now()
          FROM generate_series(1, %(lots)s) AS n
        """,
        params,
    )
    cr.execute("SELECT min(id) FROM stock_lot WHERE name LIKE 'RBENCH-%%'")
    params["l0"] = cr.fetchone()[0]
    started = settle(
        cr, f"{args.partners} customers, {args.lots} serials", started, ["res_partner"]
    )
    indexes = drop_secondary_indexes(cr)
    cr.execute(
        "ALTER TABLE rental_booking DROP CONSTRAINT IF EXISTS rental_booking_lot_period_excl"
    )
    cr.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
         WHERE i.tablename = 'rental_booking'
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        """
    )
    booking_indexes = cr.fetchall()
    for name, _definition in booking_indexes:
        cr.execute(f'DROP INDEX "{name}"')
    cr.execute(
        """
        INSERT INTO sale_order (name, company_id, partner_id, partner_invoice_id,
                                partner_shipping_id, date_order, picking_policy, state,
                                currency_id, currency_rate, create_uid, write_uid, create_date,
                                write_date)
        SELECT 'RSO/' || n, %(company)s, %(p0)s + n %% %(partners)s,
               %(p0)s + n %% %(partners)s, %(p0)s + n %% %(partners)s,
               %(now)s, 'direct', 'sale', %(currency)s, 1.0, 1, 1, now(), now()
          FROM generate_series(0, %(orders)s - 1) AS n
        """,
        params,
    )
    cr.execute("SELECT min(id) FROM sale_order WHERE name LIKE 'RSO/%%'")
    params["o0"] = cr.fetchone()[0]
    started = step(f"{params['orders']} confirmed rental orders", started)
    # Booking n: serial n / per_lot, its (n mod per_lot)-th period; order n / 2.
    cr.execute(
        """
        INSERT INTO sale_order_line (order_id, name, product_id, product_uom, product_uom_qty,
                                     price_unit, price_subtotal, price_tax, price_total,
                                     untaxed_amount_invoiced, untaxed_amount_to_invoice,
                                     customer_lead, company_id, currency_id, state,
                                     is_rental, is_rental_deposit, rental_start, rental_end,
                                     rental_is_late, rental_late_hours, qty_invoiced,
                                     is_downpayment, create_uid, write_uid, create_date,
                                     write_date)
        SELECT %(o0)s + n / 2, 'RB/' || n, %(product)s, %(uom)s, 1, 500, 500, 0, 500,
               0, 500, 0, %(company)s, %(currency)s, 'sale', TRUE, FALSE,
               p.start, p.start + %(length)s, FALSE, 0, 0, FALSE, 1, 1, now(), now()
          FROM generate_series(0, %(bookings)s - 1) AS n,
               LATERAL (SELECT %(base)s + ((n / %(per_lot)s) * 37 %% 72) * interval '1 hour'
                               + (n %% %(per_lot)s) * %(period)s AS start) p
        """,
        params,
    )
    started = step(f"{cr.rowcount} rental lines", started)
    cr.execute(
        """
        INSERT INTO sale_order_line (order_id, name, product_id, product_uom, product_uom_qty,
                                     price_unit, price_subtotal, price_tax, price_total,
                                     untaxed_amount_invoiced, untaxed_amount_to_invoice,
                                     customer_lead, company_id, currency_id, state,
                                     is_rental, is_rental_deposit, rental_is_late,
                                     rental_late_hours, qty_invoiced, is_downpayment,
                                     create_uid, write_uid, create_date, write_date)
        SELECT so.id, 'Deposit', %(deposit)s, %(deposit_uom)s, 1, 300, 300, 0, 300, 0, 300,
               0, %(company)s, %(currency)s, 'sale', FALSE, TRUE, FALSE, 0, 0, FALSE,
               1, 1, now(), now()
          FROM sale_order so
         WHERE so.name LIKE 'RSO/%%' AND so.id %% 4 = 0
        """,
        params,
    )
    started = step(f"{cr.rowcount} deposit lines (unpaid)", started)
    cr.execute(
        """
        INSERT INTO rental_booking (name, lot_id, product_id, company_id, order_line_id,
                                    order_id, partner_id, date_start, date_end,
                                    date_block_end, state, create_uid, write_uid,
                                    create_date, write_date)
        SELECT b.n::text, %(l0)s + b.n / %(per_lot)s, %(product)s, %(company)s, sol.id,
               sol.order_id, %(p0)s + (b.n / 2) %% %(partners)s, sol.rental_start,
               sol.rental_end, sol.rental_end,
               CASE WHEN b.n %% 20 = 7 THEN 'cancelled'
                    WHEN sol.rental_end < %(now)s AND b.n %% 400 <> 3 THEN 'returned'
                    WHEN sol.rental_start <= %(now)s THEN 'out'
                    ELSE 'reserved' END,
               1, 1, now(), now()
          FROM sale_order_line sol,
               LATERAL (SELECT substr(sol.name, 4)::int AS n) b
         WHERE sol.name LIKE 'RB/%%'
        """,
        params,
    )
    started = step(f"{cr.rowcount} bookings", started)
    cr.execute(
        """
        ALTER TABLE rental_booking ADD CONSTRAINT rental_booking_lot_period_excl
        EXCLUDE USING GIST (
            int4range(lot_id, lot_id, '[]') WITH =,
            tsrange(date_start, date_block_end, '[)') WITH &&
        ) WHERE (state != 'cancelled')
        """
    )
    for _name, definition in indexes + booking_indexes:
        cr.execute(definition)
    started = settle(cr, f"{len(indexes) + len(booking_indexes) + 1} indexes rebuilt", started)
    cr.commit()
    vacuum_analyze(
        cr.dbname, ("res_partner", "stock_lot", "sale_order", "sale_order_line", "rental_booking")
    )
    step("VACUUM ANALYZE", started)
    return bookings


def naive_due(env, line, steps, now):
    """What a straightforward implementation does for one rental line: the steps due,
    found through the ORM (the reminders already done counted one query per step)."""
    states = set(line.rental_booking_ids.mapped("state"))
    order = line.order_id
    due = 0
    for st in steps:
        if line.rental_end - line.rental_start < timedelta(days=st.min_rental_days):
            continue
        days = timedelta(days=st.days)
        if st.kind == "deposit_unpaid":
            order_states = set(order.order_line.rental_booking_ids.mapped("state"))
            if not (
                line.rental_start - days <= now < line.rental_start
                and "reserved" in states
                and not order_states & {"out", "returned"}
            ):
                continue
            deposit = sum(order.order_line.filtered("is_rental_deposit").mapped("price_total"))
            if order.rental_deposit_paid >= deposit:
                continue
        elif "out" not in states:
            continue
        elif st.kind == "overdue_gear":
            if line.rental_end + days > now:
                continue
        elif not line.rental_end - days <= now < line.rental_end:
            continue
        if not env["rental.reminder.log"].search_count(
            [("step_id", "=", st.id), ("order_line_id", "=", line.id)]
        ):
            due += 1
    return due


def main():
    args = parse_args()
    registry = open_registry(args)
    from odoo import SUPERUSER_ID, api

    now = datetime.now().replace(microsecond=0)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        bookings = bulk_load(env, args, now)
        Run = env["rental.reminder.run"]
        steps = env["rental.reminder.step"].search([("company_id", "=", env.company.id)])
        cr.execute("SELECT count(*) FROM sale_order_line WHERE is_rental AND state = 'sale'")
        open_lines = cr.fetchone()[0]
        cr.execute("SELECT state, count(*) FROM rental_booking GROUP BY state ORDER BY state")
        states = ", ".join(f"{count} {state}" for state, count in cr.fetchall())

        # The naive loop over a sample spread over every line.
        cr.execute("SELECT id FROM sale_order_line WHERE is_rental AND state = 'sale' ORDER BY id")
        ids = [row[0] for row in cr.fetchall()]
        # At random: a regular stride would fall on the same period of every serial.
        sample = env["sale.order.line"].browse(
            sorted(random.Random(14).sample(ids, min(args.sample, len(ids))))
        )
        env.invalidate_all()
        started = time.perf_counter()
        naive_found = sum(naive_due(env, line, steps, now) for line in sample)
        naive_s = (time.perf_counter() - started) / len(sample) * open_lines
        env.invalidate_all()

        # One batch of the scheduled action, rolled back.
        savepoint = cr.savepoint(flush=False)
        started = time.perf_counter()
        batch = Run._record_due_steps(now, 500)
        batch_s = time.perf_counter() - started
        savepoint.close(rollback=True)
        env.invalidate_all()

        started = time.perf_counter()
        logs = Run._record_due_steps(now)
        real_s = time.perf_counter() - started
        started = time.perf_counter()
        again = Run._record_due_steps(now)
        again_s = time.perf_counter() - started
        cr.execute("SELECT kind, count(*) FROM rental_reminder_log GROUP BY kind ORDER BY kind")
        kinds = ", ".join(f"{count} {kind}" for kind, count in cr.fetchall())
        cr.rollback()

    print(f"\n{bookings} bookings ({states}) on {open_lines} confirmed rental lines")
    print(f"steps due: {len(logs)} ({kinds}); naive found {naive_found} in its sample")
    print(f"  set-based pass, first run:   {real_s:8.2f} s (target <= {TARGET_S:.0f})")
    print(f"  set-based pass, nothing new: {again_s:8.2f} s ({len(again)} steps)")
    print(f"  one cron batch of 500:       {batch_s:8.2f} s ({len(batch)} steps)")
    print(
        f"  naive per-line loop:         {naive_s:8.1f} s "
        f"(extrapolated from {len(sample)} lines)"
    )
    ratio = naive_s / real_s
    print(f"  ratio naive / set-based: {ratio:.1f}x")
    ok = real_s <= TARGET_S and again_s <= TARGET_S and not again
    print("RESULT:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
