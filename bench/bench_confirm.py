"""Benchmark of the risk check at order confirmation (rental_risk).

Two customers share the database: one with 10 posted invoices, one with 10,000 (bulk-inserted
with SQL). Most of each history is paid, three invoices are open, as for a customer with years
of business. For each customer the script measures, in the same run and interleaved:

* confirming a fresh quotation with the module's risk check (``action_confirm``),
* confirming it without the check: the benchmark swaps the check's two entry points
  (``_rental_risk_check_confirmation`` and ``_rental_risk_check_before_confirm``) for no-ops
  in its own process, so the shipped code carries no switch to turn the check off,
* the check alone (``_rental_risk_check_confirmation``: lock, identity re-match, facts, rules).

Each sample runs in a savepoint rolled back afterwards. Prints medians in milliseconds, the
cost the check adds per customer (median of the differences of back-to-back samples with and
without it) and the ratio of the two customers' check times.

Usage: python bench/bench_confirm.py -d DB --odoo-path /opt/odoo --addons-path PATHS
"""

import sys
import time
from contextlib import contextmanager
from datetime import date, timedelta
from unittest.mock import patch

from bench_common import bench_parser, median_ms, open_registry


def parse_args():
    parser = bench_parser(__doc__)
    parser.add_argument("--small", type=int, default=10, help="invoices of the small customer")
    parser.add_argument("--big", type=int, default=10_000, help="invoices of the big customer")
    parser.add_argument("--runs", type=int, default=40, help="samples per measure")
    return parser.parse_args()


def clone_invoices(env, template, partner, count, open_count=3):
    """``count`` posted invoices of ``partner`` copied from ``template`` with one INSERT:
    the last ``open_count`` are open and due in the future, the others paid."""
    cr = env.cr
    cr.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = 'account_move' AND column_name != 'id'"
    )
    columns = [row[0] for row in cr.fetchall()]
    paid = f"g <= {count - open_count}"
    overrides = {
        "name": f"'BENCH/{partner.id}/' || g",
        "partner_id": str(partner.id),
        "commercial_partner_id": str(partner.id),
        "invoice_date": "%(start)s::date + (g %% 3000)",
        "date": "%(start)s::date + (g %% 3000)",
        "invoice_date_due": f"CASE WHEN {paid} THEN %(start)s::date + (g %% 3000) + 30 "
        "ELSE %(future)s::date END",
        "amount_residual": f"CASE WHEN {paid} THEN 0 ELSE 100 END",
        "amount_residual_signed": f"CASE WHEN {paid} THEN 0 ELSE 100 END",
        "payment_state": f"CASE WHEN {paid} THEN 'paid' ELSE 'not_paid' END",
        "sequence_number": "g",
        "inalterable_hash": "NULL",
        "secure_sequence_number": "NULL",
    }
    select = ", ".join(overrides.get(column, f'"{column}"') for column in columns)
    names = ", ".join(f'"{column}"' for column in columns)
    cr.execute(
        f"INSERT INTO account_move ({names}) "
        f"SELECT {select} FROM account_move, generate_series(1, %(count)s) g "
        "WHERE account_move.id = %(template)s",
        {
            "count": count,
            "template": template.id,
            "start": date(2016, 1, 1),
            "future": date.today() + timedelta(days=20),
        },
    )
    cr.execute("ANALYZE account_move")


@contextmanager
def without_risk_check(order):
    """Confirm without the risk check: its entry points replaced by no-ops in this process."""
    model = type(order)
    with (
        patch.object(model, "_rental_risk_check_confirmation", lambda orders: orders),
        patch.object(model, "_rental_risk_check_before_confirm", lambda orders: None),
    ):
        yield


def main():
    args = parse_args()
    registry = open_registry(args)
    from odoo import SUPERUSER_ID, Command, api

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        product = env["product.product"].create(
            {"name": "Bench Service", "type": "service", "list_price": 50.0, "taxes_id": []}
        )
        customers, templates = {}, {}
        # Every template is posted before any clone exists: posting after the clones would
        # take their "BENCH/..." names as the journal's last sequence.
        for label in ("small", "big"):
            partner = env["res.partner"].create({"name": f"Bench customer {label}"})
            template = env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": date(2016, 1, 1),
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Rental", "quantity": 1, "price_unit": 100, "tax_ids": []}
                        )
                    ],
                }
            )
            template.action_post()
            customers[label], templates[label] = partner, template
        env.flush_all()
        for label, count in (("small", args.small), ("big", args.big)):
            clone_invoices(env, templates[label], customers[label], count - 1)
        env.invalidate_all()
        cr.execute(
            "SELECT p.name, COUNT(*) FROM account_move am JOIN res_partner p "
            "ON p.id = am.commercial_partner_id WHERE p.name LIKE 'Bench customer %%' "
            "AND am.state = 'posted' GROUP BY p.name ORDER BY p.name"
        )
        print("posted invoices:", dict(cr.fetchall()))
        rules = env["rental.risk.rule"].search([("company_id", "=", env.company.id)])
        # The orders hold a service line, which keeps serials and bookings (measured by
        # bench_booking) out of this measure: in this throw-away database the rules check
        # every sales order, not only rental ones.
        rules.applies_to = "all"
        print(f"active risk rules: {len(rules)} ({', '.join(rules.mapped('condition'))})")

        def quotation(partner):
            order = env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "order_line": [
                        Command.create(
                            {"product_id": product.id, "product_uom_qty": 1, "price_unit": 50}
                        )
                    ],
                }
            )
            env.flush_all()
            env.invalidate_all()
            return order

        # An outgoing transfer of rental gear per customer: the delivery lock checks it.
        gear = env["product.product"].create(
            {
                "name": "Bench Camera",
                "is_storable": True,
                "tracking": "serial",
                "rental_ok": True,
                "rental_price_day": 50.0,
            }
        )
        warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
        transfers = {
            label: env["stock.picking"].create(
                {
                    "picking_type_id": warehouse.out_type_id.id,
                    "partner_id": partner.id,
                    "move_ids": [
                        Command.create(
                            {
                                "name": gear.name,
                                "product_id": gear.id,
                                "product_uom_qty": 1,
                                "location_id": warehouse.lot_stock_id.id,
                                "location_dest_id": env.ref("stock.stock_location_customers").id,
                            }
                        )
                    ],
                }
            )
            for label, partner in customers.items()
        }
        env.flush_all()

        def sample(partner, kind):
            savepoint = cr.savepoint(flush=False)
            try:
                if kind == "lock":
                    label = next(lab for lab, p in customers.items() if p == partner)
                    transfer = transfers[label]
                    start = time.perf_counter()
                    transfer._rental_risk_check_delivery_lock()
                    return time.perf_counter() - start
                order = quotation(partner)
                start = time.perf_counter()
                if kind == "check":
                    order._rental_risk_check_confirmation()
                elif kind == "skip":
                    with without_risk_check(order):
                        order.action_confirm()
                else:
                    order.action_confirm()
                env.flush_all()
                return time.perf_counter() - start
            finally:
                savepoint.close(rollback=True)
                env.invalidate_all()

        kinds = ("with", "skip", "check", "lock")
        samples = {(label, kind): [] for label in customers for kind in kinds}
        for _warmup in range(3):
            for partner in customers.values():
                for kind in kinds:
                    sample(partner, kind)
        for _run in range(args.runs):
            for label, partner in customers.items():
                for kind in kinds:
                    samples[label, kind].append(sample(partner, kind))
        cr.rollback()

    medians = {key: median_ms(values) for key, values in samples.items()}
    print(f"\nmedian of {args.runs} runs, milliseconds")
    print(
        f"{'customer':<10}{'invoices':>10}{'confirm':>10}{'no check':>10}{'added':>10}"
        f"{'check':>10}{'lock':>10}"
    )
    # What the check adds: the median of the differences of samples taken back to back (with,
    # then without the check), which a drift of the machine's load between samples does not
    # move as much as it moves the difference of two medians.
    added_ms = {
        label: median_ms(
            [w - s for w, s in zip(samples[label, "with"], samples[label, "skip"], strict=True)]
        )
        for label in customers
    }
    for label, count in (("small", args.small), ("big", args.big)):
        added = added_ms[label]
        print(
            f"{label:<10}{count:>10}{medians[label, 'with']:>10.2f}{medians[label, 'skip']:>10.2f}"
            f"{added:>10.2f}{medians[label, 'check']:>10.2f}{medians[label, 'lock']:>10.2f}"
        )
    ratio = medians["big", "check"] / medians["small", "check"]
    worst_added = max(added_ms.values())
    worst_lock = max(medians[label, "lock"] for label in ("small", "big"))
    print(f"\ncheck added to a confirmation (worst customer): {worst_added:.2f} ms (target <= 5)")
    print(f"check time ratio big / small customer: {ratio:.2f} (target <= 1.2)")
    print(f"delivery lock check of a transfer (worst customer): {worst_lock:.2f} ms (target <= 5)")
    ok = worst_added <= 5 and ratio <= 1.2 and worst_lock <= 5
    print("RESULT:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
