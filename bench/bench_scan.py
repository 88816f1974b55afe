"""Benchmark of one scan at the rental desk at scale (rental_risk).

Loads ``--lots`` serials and ``--bookings`` past bookings in bulk (the loader of
``bench_booking.py``), then books ``--orders`` serials on real confirmed rental orders (their
pickups open) and hands half of them out (their returns open). Measured as a warehouse user,
in one process:

* resolving a scan: the label finds its serial, the serial its open transfer and operation
  (``rental.scan.desk._find_lot`` + ``_find_lot_transfer``), for serials to hand out and
  serials to take back,
* the whole desk call ``scan_barcode`` without a transfer chosen (resolution, the move line
  marked picked, the reply the screen draws), rolled back through a savepoint each time,
* the naive way beside them: ``search_read`` every booking of the serial and walk them in
  Python, reading each order line's transfers.

Everything the measures write is rolled back; the bulk load and the orders are committed (run
it on a throw-away database: ``bench/run scan`` creates one, installs the module, runs this,
drops it).

Usage: python bench/bench_scan.py -d DB --odoo-path /opt/odoo --addons-path PATHS
"""

import random
import time
from datetime import datetime, timedelta
from datetime import time as dtime

from bench_booking import bulk_load
from bench_common import bench_parser, median_ms, open_registry, timed

CLOSED_STATES = ("done", "cancel")


def parse_args():
    parser = bench_parser(__doc__)
    parser.add_argument("--products", type=int, default=5)
    parser.add_argument("--lots", type=int, default=10_000)
    parser.add_argument("--bookings", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=40, help="confirmed rental orders")
    parser.add_argument("--runs", type=int, default=200, help="samples per measure")
    return parser.parse_args()


def open_orders(env, products, count):
    """``count`` confirmed one-serial rental orders from tomorrow; half of them picked up."""
    from odoo import Command

    warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
    lots = env["stock.lot"].search(
        [("product_id", "=", products[0].id), ("rental_state", "=", "available")],
        order="id",
        limit=count,
    )
    for lot in lots:
        env["stock.quant"]._update_available_quantity(
            lot.product_id, warehouse.lot_stock_id, 1, lot_id=lot
        )
    customer = env["res.partner"].create({"name": "Bench Desk Customer"})
    tomorrow = datetime.combine(datetime.now().date() + timedelta(days=1), dtime(9, 0))
    orders = env["sale.order"].create(
        [
            {
                "partner_id": customer.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": lot.product_id.id,
                            "product_uom_qty": 1.0,
                            "rental_start": tomorrow,
                            "rental_end": tomorrow + timedelta(days=2),
                            "rental_lot_ids": [Command.set(lot.ids)],
                        }
                    )
                ],
            }
            for lot in lots
        ]
    )
    for order in orders:
        order.action_confirm()
    assert all(order.state == "sale" for order in orders), "an order was not confirmed"
    handed_out = orders[: count // 2]
    for order in handed_out:
        pickup = order._rental_get_pickings("pickup")
        pickup.move_line_ids.picked = True
        pickup.button_validate()
        assert pickup.state == "done", f"{pickup.name} was not validated"
    return lots[: count // 2], lots[count // 2 :]


def naive_resolve(env, barcode):
    """Serial by name, then every booking of it read and walked in Python."""
    lot = env["stock.lot"].search([("rental_ok", "=", True), ("name", "=", barcode)], limit=1)
    bookings = env["rental.booking"].search_read(
        [("lot_id", "=", lot.id)], ["state", "date_start", "order_line_id"]
    )
    live = sorted(
        (b for b in bookings if b["state"] in ("reserved", "out") and b["order_line_id"]),
        key=lambda b: (b["state"] != "out", b["date_start"]),
    )
    for booking in live:
        operation = "pickup" if booking["state"] == "reserved" else "return"
        line = env["sale.order.line"].browse(booking["order_line_id"][0])
        for picking in line.move_ids.picking_id:
            if picking.rental_operation == operation and picking.state not in CLOSED_STATES:
                return picking
    return env["stock.picking"]


def main():
    args = parse_args()
    registry = open_registry(args)
    from odoo import SUPERUSER_ID, api

    rng = random.Random(18)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        products = bulk_load(env, args)
        out_lots, reserved_lots = open_orders(env, products, args.orders)
        user = env["res.users"].create(
            {
                "name": "Bench Clerk",
                "login": "bench_scan_clerk",
                "tz": "UTC",
                "groups_id": [(6, 0, [env.ref("rental_risk.rental_risk_group_warehouse").id])],
            }
        )
        cr.commit()
        print(f"{len(reserved_lots)} serials to hand out, {len(out_lots)} to take back")

        clerk_env = api.Environment(cr, user.id, {"tz": "UTC", "lang": "en_US"})
        desk = clerk_env["rental.scan.desk"]
        names_out = out_lots.mapped("name")
        names_reserved = reserved_lots.mapped("name")
        for name in names_out:
            assert naive_resolve(clerk_env, name).rental_operation == "return", name
        for name in names_reserved:
            assert naive_resolve(clerk_env, name).rental_operation == "pickup", name

        def resolve(names):
            def run():
                clerk_env.invalidate_all()
                barcode = rng.choice(names)
                lot = desk._find_lot(barcode, clerk_env["stock.picking"])
                return desk._find_lot_transfer(lot)

            return run

        def naive(names):
            def run():
                clerk_env.invalidate_all()
                return naive_resolve(clerk_env, rng.choice(names))

            return run

        def scan(names):
            def run():
                clerk_env.invalidate_all()
                barcode = rng.choice(names)
                savepoint = cr.savepoint()
                try:
                    start = time.perf_counter()
                    reply = desk.scan_barcode(barcode)
                    clerk_env.flush_all()
                    elapsed = time.perf_counter() - start
                finally:
                    savepoint.close(rollback=True)
                assert not reply.get("error"), reply.get("error")
                return elapsed

            return run

        for names in (names_reserved, names_out):  # warm-up (plans, caches)
            resolve(names)()
            naive(names)()
            scan(names)()
        # Every serial resolves to the transfer of its order, with the right operation.
        for names, operation in ((names_reserved, "pickup"), (names_out, "return")):
            for name in names:
                lot = desk._find_lot(name, clerk_env["stock.picking"])
                assert desk._find_lot_transfer(lot).rental_operation == operation, name

        runs = args.runs
        rows = [
            ("resolve a serial to hand out (pickup)", timed(resolve(names_reserved), runs)),
            ("resolve a serial to take back (return)", timed(resolve(names_out), runs)),
            ("naive: all its bookings + Python (pickup)", timed(naive(names_reserved), runs)),
            ("naive: all its bookings + Python (return)", timed(naive(names_out), runs)),
            (
                "scan_barcode, nothing chosen (pickup, rolled back)",
                median_ms([scan(names_reserved)() for _ in range(runs)]),
            ),
            (
                "scan_barcode, nothing chosen (return, rolled back)",
                median_ms([scan(names_out)() for _ in range(runs)]),
            ),
        ]
        cr.execute("SELECT count(*) FROM rental_booking")
        total = cr.fetchone()[0]
        cr.rollback()
        print(f"\n{args.lots} serials, {total} bookings, {runs} runs each")
        print(f"{'measure':<58}{'median ms':>10}")
        for label, value in rows:
            print(f"{label:<58}{value:>10.3f}")
        resolve_ms = max(rows[0][1], rows[1][1])
        naive_ms = max(rows[2][1], rows[3][1])
        print(f"\nratio naive / method (resolution, slower case): {naive_ms / resolve_ms:.1f}x")
        target = 10.0
        verdict = "OK" if resolve_ms <= target else "OVER TARGET"
        print(
            f"RESULT scan resolution at {total} bookings: {resolve_ms:.2f} ms (whole scan "
            f"{max(rows[4][1], rows[5][1]):.2f} ms), naive {naive_ms:.2f} ms, "
            f"{naive_ms / resolve_ms:.1f}x; target <= {target:.0f} ms -> {verdict}"
        )


if __name__ == "__main__":
    main()
