"""Benchmark of the Risk dashboard's data at scale (rental_risk).

Loads the data set of ``bench_scoring`` (``--partners`` customers, ``--invoices`` posted
invoices with their receivable lines, payments and reconciliations, rental orders and serials
out or lost) with the same bulk loader, then in SQL what the rescoring and daily work would
have left: a grade, score and exposure per customer in the company, a score history (a first
grade seven months ago and one change in 3 customers since), one order in 100 waiting for a
risk approval with an open rental pickup, one customer in 200 blacklisted, claims over the
last months. Then it measures ``rental.risk.dashboard.get_dashboard_data()`` (every tile, one
call; median of ``--runs``) beside the naive way: per customer, ORM reads of its grade,
exposure, history, open receivables, serials out, claims and held orders, Python sums, timed on
``--sample`` customers and extrapolated to all of them.

The bulk load is committed, the measures are rolled back: run it on a throw-away database
(``bench/run dashboard`` creates one, installs the module, runs this, drops it).

Usage: python bench/bench_dashboard.py -d DB --odoo-path /opt/odoo --addons-path PATHS
"""

import sys
import time
from datetime import date, timedelta

from bench_common import bench_parser, open_registry, timed, vacuum_analyze
from bench_scoring import MARK, bulk_load, set_required_defaults, step

TARGET_MS = 300.0
GRADES = "ABCDE"


def parse_args():
    parser = bench_parser(__doc__)
    parser.add_argument("--partners", type=int, default=100_000)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--rental-lines", type=int, default=300_000)
    parser.add_argument("--sample", type=int, default=200, help="customers of the naive loop")
    parser.add_argument("--runs", type=int, default=10, help="samples of the dashboard call")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse the invoices of a database kept by KEEP_DB=1 (skip their bulk load)",
    )
    parser.add_argument(
        "--explain", action="store_true", help="print EXPLAIN ANALYZE of every tile's queries"
    )
    return parser.parse_args()


def load_risk_state(env, p0, args):
    """Grades, history, held orders with their pickups, blacklist and claims, in SQL."""
    cr = env.cr
    company = env.company
    started = time.perf_counter()
    params = {
        "company": str(company.id),
        "company_id": company.id,
        "mark": MARK,
        "p0": p0,
        "today": date.today(),
    }
    # Grade from a spread score; exposure from the open balance and the gear out.
    cr.execute(
        """
        UPDATE res_partner p
           SET rental_score = jsonb_build_object(%(company)s, s.score),
               rental_grade = jsonb_build_object(%(company)s, s.grade),
               rental_grade_computed = jsonb_build_object(%(company)s, s.grade),
               rental_exposure_at_scoring = jsonb_build_object(
                   %(company)s, ((p.id * 7919) %% 20000)::float8),
               rental_blacklisted = (p.id %% 200 = 0)
          FROM (SELECT id, (id * 37) %% 101 AS score,
                       CASE WHEN (id * 37) %% 101 >= 80 THEN 'A'
                            WHEN (id * 37) %% 101 >= 65 THEN 'B'
                            WHEN (id * 37) %% 101 >= 50 THEN 'C'
                            WHEN (id * 37) %% 101 >= 35 THEN 'D' ELSE 'E' END AS grade
                  FROM res_partner WHERE ref = %(mark)s) s
         WHERE p.id = s.id
        """,
        params,
    )
    started = step("grades, scores and exposure of every customer", started)
    # First grade seven months ago, then one change in three customers over the last months.
    cr.execute(
        """
        INSERT INTO rental_score_history (partner_id, company_id, date, score, grade,
                                          previous_score, previous_grade, score_change)
        SELECT p.id, %(company_id)s, %(today)s::date - 210, 60, 'C', NULL, NULL, 0
          FROM res_partner p WHERE p.ref = %(mark)s
        UNION ALL
        SELECT p.id, %(company_id)s, %(today)s::date - (p.id %% 180)::int,
               (p.rental_score ->> %(company)s)::int, p.rental_grade ->> %(company)s,
               60, 'C', (p.rental_score ->> %(company)s)::int - 60
          FROM res_partner p WHERE p.ref = %(mark)s AND p.id %% 3 = 0
        """,
        params,
    )
    started = step(f"{cr.rowcount} score history rows", started)
    # One order in 100 held for a risk approval, each with an open rental pickup.
    warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
    pickup_type = warehouse.rental_pickup_type_id
    set_required_defaults(env)
    cr.execute(
        """
        UPDATE sale_order SET rental_risk_approval_state = 'waiting'
         WHERE name LIKE 'BSO/%%' AND id %% 100 = 0
        """,
        params,
    )
    cr.execute(
        """
        INSERT INTO stock_picking (name, picking_type_id, location_id, location_dest_id,
                                   company_id, state, move_type, scheduled_date, sale_id,
                                   partner_id, create_uid, write_uid, create_date, write_date)
        SELECT 'BPK/' || so.id, %(type)s, %(src)s, %(dest)s, so.company_id, 'assigned',
               'direct', now(), so.id, so.partner_id, 1, 1, now(), now()
          FROM sale_order so
         WHERE so.name LIKE 'BSO/%%' AND so.id %% 20 = 0
        """,
        {
            "type": pickup_type.id,
            "src": pickup_type.default_location_src_id.id,
            "dest": company.rental_location_id.id,
        },
    )
    started = step(f"{cr.rowcount} open rental pickups (1 in 5 on a held order)", started)
    # Claims: one serial in 50 with a claim dated over the last 90 days.
    cr.execute(
        """
        INSERT INTO rental_damage_claim (name, company_id, date, claim_type, state, lot_id,
                                         partner_id, description, assessed_amount,
                                         charge_amount, create_uid, write_uid, create_date,
                                         write_date)
        SELECT 'BCLM/' || lot.id, lot.company_id, %(today)s::date - (lot.id %% 90)::int,
               'damage', 'assessed', lot.id, lot.rental_partner_id, 'Bench damage',
               150 + lot.id %% 500, 150 + lot.id %% 500, 1, 1, now(), now()
          FROM stock_lot lot
         WHERE lot.name LIKE 'BSN-%%' AND lot.id %% 50 = 0
        """,
        params,
    )
    started = step(f"{cr.rowcount} claims", started)
    cr.commit()
    vacuum_analyze(
        cr.dbname,
        (
            "res_partner",
            "rental_score_history",
            "sale_order",
            "stock_picking",
            "rental_damage_claim",
        ),
    )
    step("VACUUM ANALYZE", started)


def naive_dashboard(env, partner_ids, today):
    """What a straightforward implementation does, customer by customer: ORM reads and
    Python sums. Returns the partial figures (kept so that nothing is optimised away)."""
    company = env.company
    trend_start = today.replace(day=1) - timedelta(days=150)
    figures = {"grades": {}, "exposure": 0.0, "overdue": 0.0, "out": 0.0, "claims": 0, "held": 0}
    for partner in env["res.partner"].browse(partner_ids).with_company(company):
        grade = partner.rental_grade
        figures["grades"][grade] = figures["grades"].get(grade, 0) + 1
        figures["exposure"] += partner.rental_exposure_at_scoring
        env["rental.score.history"].search_read(
            [("partner_id", "=", partner.id), ("date", ">=", trend_start)],
            ["date", "grade", "previous_grade"],
        )
        lines = env["account.move.line"].search_read(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("parent_state", "=", "posted"),
                ("account_id.account_type", "=", "asset_receivable"),
                ("reconciled", "=", False),
                ("date_maturity", "<", today),
            ],
            ["date_maturity", "amount_residual"],
        )
        figures["overdue"] += sum(line["amount_residual"] for line in lines)
        lots = env["stock.lot"].search_read(
            [("rental_partner_id", "=", partner.id), ("rental_state", "=", "out")],
            ["rental_replacement_value"],
        )
        figures["out"] += sum(lot["rental_replacement_value"] for lot in lots)
        figures["claims"] += env["rental.damage.claim"].search_count(
            [("partner_id", "=", partner.id), ("date", ">=", today.replace(day=1))]
        )
        figures["held"] += env["sale.order"].search_count(
            [("partner_id", "=", partner.id), ("rental_risk_approval_state", "=", "waiting")]
        )
    return figures


def explain(env):
    """EXPLAIN ANALYZE of every query the dashboard sends."""
    cr = env.cr
    queries = []
    execute = type(cr).execute

    def spy(self, query, params=None, log_exceptions=True):
        queries.append((query, params))
        return execute(self, query, params, log_exceptions)

    type(cr).execute = spy
    try:
        env["rental.risk.dashboard"].get_dashboard_data(env.company.id)
    finally:
        type(cr).execute = execute
    for query, params in queries:
        text = query.code if hasattr(query, "code") else query
        if "SELECT" not in text.upper() or "ir_" in text:
            continue
        args = query.params if hasattr(query, "code") else params
        cr.execute(f"EXPLAIN (ANALYZE, BUFFERS) {text}", args)
        print("\n".join(row[0] for row in cr.fetchall()), end="\n\n")


def main():
    args = parse_args()
    registry = open_registry(args)
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if args.reuse:
            cr.execute("SELECT min(id) FROM res_partner WHERE ref = %s", [MARK])
            p0 = cr.fetchone()[0]
            cr.execute("SELECT count(*) FROM rental_score_history")
            if not cr.fetchone()[0]:
                load_risk_state(env, p0, args)
        else:
            p0 = bulk_load(env, args)
            load_risk_state(env, p0, args)
        today = date.today()
        Dashboard = env["rental.risk.dashboard"]

        if args.explain:
            explain(env)

        data = Dashboard.get_dashboard_data(env.company.id)  # warm the caches once
        runs = []
        for _ in range(args.runs):
            env.invalidate_all()
            runs.append(timed(lambda: Dashboard.get_dashboard_data(env.company.id), 1))
        dashboard_ms = sorted(runs)[len(runs) // 2]

        step_size = max(1, args.partners // args.sample)
        sample = [p0 + i * step_size for i in range(args.sample)]
        env.invalidate_all()
        started = time.perf_counter()
        naive_dashboard(env, sample, today)
        naive_sample_s = time.perf_counter() - started
        naive_full_ms = naive_sample_s / len(sample) * args.partners * 1000.0
        cr.rollback()

    grades = ", ".join(f"{row['grade']}: {row['count']}" for row in data["grades"])
    overdue = sum(row["amount"] for row in data["overdue"])
    ratio = naive_full_ms / dashboard_ms if dashboard_ms else float("inf")
    print()
    print(f"customers by grade         : {grades}")
    print(
        f"overdue receivables        : {overdue:,.0f} in "
        f"{sum(row['count'] for row in data['overdue'])} lines; gear out "
        f"{data['gear_out']['count']} serials ({data['gear_out']['value']:,.0f}); held orders "
        f"{data['approvals']['count']}; locked pickups {data['locks']['count']}; claims this "
        f"month {data['claims']['count']}; history changes (6 months) {data['trend']['changes']}"
    )
    print(f"dashboard, every tile      : {dashboard_ms:8.1f} ms (median of {args.runs})")
    print(
        f"naive per-customer loop    : {naive_sample_s * 1000.0:8.1f} ms for {len(sample)} "
        f"customers -> {naive_full_ms / 1000.0:8.1f} s extrapolated to {args.partners}"
    )
    print(f"ratio naive / dashboard    : {ratio:8.0f}x")
    ok = dashboard_ms <= TARGET_MS
    print(f"target                     : <= {TARGET_MS:.0f} ms {'OK' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
