"""Benchmark of the customer filters and sorts of the Risk app at scale (rental_risk).

Loads ``--partners`` scored customers in bulk (grade, score, limit, exposure, available credit
and overdue amount in the company's slot of the company-dependent columns, as the nightly
rescoring leaves them; one customer in 200 blacklisted), VACUUM ANALYZEs, then, as a Risk
Officer, times what the Customers by Grade list asks the server for each filter and sort of the
addon (grade, over limit, exposure, available credit, blacklisted, overdue): the page of 80
ids in the list's order and the pager's count (``search_count`` up to 10,001, as the web
client does). Each query is timed twice:

* with the addon's indexes (the per-company expression indexes ``res.partner._rental_risk_
  filter_indexes`` keeps, the partial index of the blacklist);
* the baseline: the same queries with those indexes dropped (a sequential scan of every
  customer, what the filters cost before).

Prints a table, the ratio and whether each filter holds the target (<= 30 ms). The bulk load
is committed: run it on a throw-away database (``bench/run filters`` creates one and drops it).

Usage: python bench/bench_filters.py -d DB --odoo-path /opt/odoo --addons-path PATHS
"""

import sys
import time

from bench_common import bench_parser, open_registry, timed, vacuum_analyze

MARK = "rr-bench"
TARGET_MS = 30.0

#: (label, domain, order): every customer filter and sort of the Risk app's customer list.
CASES = [
    ("grade A", [("rental_grade", "=", "A")], None),
    ("grade E", [("rental_grade", "=", "E")], None),
    ("over limit", [("rental_available_credit_at_scoring", "<", 0)], None),
    ("blacklisted", [("rental_blacklisted", "=", True)], None),
    ("overdue", [("rental_overdue_at_scoring", ">", 0)], None),
    ("sort exposure", [("rental_grade", "!=", False)], "rental_exposure_at_scoring desc"),
    (
        "sort available credit",
        [("rental_grade", "!=", False)],
        "rental_available_credit_at_scoring asc",
    ),
    ("sort score", [("rental_grade", "!=", False)], "rental_score asc"),
    (
        "over limit by exposure",
        [("rental_available_credit_at_scoring", "<", 0)],
        "rental_exposure_at_scoring desc",
    ),
]


def parse_args():
    parser = bench_parser(__doc__)
    parser.add_argument("--partners", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15, help="timed runs per query")
    return parser.parse_args()


def bulk_load(env, args):
    """Scored customers, as the rescoring leaves them, in one INSERT."""
    cr = env.cr
    started = time.perf_counter()
    cr.execute(
        """
        INSERT INTO res_partner (name, complete_name, ref, active, is_company, type,
                                 customer_rank, supplier_rank, autopost_bills, lang,
                                 rental_score, rental_grade, rental_grade_computed,
                                 rental_credit_limit, rental_exposure_at_scoring,
                                 rental_available_credit_at_scoring, rental_overdue_at_scoring,
                                 rental_blacklisted,
                                 create_uid, write_uid, create_date, write_date)
        SELECT 'Bench Customer ' || n, 'Bench Customer ' || n, %(mark)s, TRUE, TRUE,
               'contact', 1, 0, 'ask', 'en_US',
               jsonb_build_object(%(company)s, s.score),
               jsonb_build_object(%(company)s, s.grade),
               jsonb_build_object(%(company)s, s.grade),
               jsonb_build_object(%(company)s, s.lim),
               jsonb_build_object(%(company)s, s.exposure),
               jsonb_build_object(%(company)s, s.lim - s.exposure),
               jsonb_build_object(%(company)s, s.overdue),
               n %% 200 = 0, 1, 1, now(), now()
          FROM generate_series(1, %(partners)s) AS n,
               LATERAL (SELECT (n * 37) %% 101 AS score) sc,
               LATERAL (
                   SELECT sc.score,
                          CASE WHEN sc.score >= 80 THEN 'A' WHEN sc.score >= 65 THEN 'B'
                               WHEN sc.score >= 50 THEN 'C' WHEN sc.score >= 35 THEN 'D'
                               ELSE 'E' END AS grade,
                          (CASE WHEN sc.score >= 35 THEN 20000 ELSE 5000 END)::float8 AS lim,
                          ((n * 7919) %% 21000)::float8 AS exposure,
                          (CASE WHEN n %% 9 = 0 THEN (n * 13) %% 4000 ELSE 0 END)::float8
                              AS overdue
               ) s
        """,
        {"mark": MARK, "company": str(env.company.id), "partners": args.partners},
    )
    cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE ref = %s", [MARK])
    cr.commit()
    vacuum_analyze(cr.dbname, ("res_partner",))
    print(f"  {args.partners} scored customers: {time.perf_counter() - started:.1f} s")


def measure(env, runs):
    """Median ms of the page of 80 ids and of the pager's count, per case."""
    partners = env["res.partner"]
    figures = {}
    for label, domain, order in CASES:
        env.invalidate_all()
        page = timed(lambda d=domain, o=order: partners.search(d, limit=80, order=o), runs)
        count = timed(lambda d=domain: partners.search_count(d, limit=10001), runs)
        figures[label] = (page, count, partners.search_count(domain))
    return figures


def main():
    args = parse_args()
    registry = open_registry(args)
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        bulk_load(env, args)
        officer = env.ref("rental_risk.rental_risk_group_officer")
        user = env["res.users"].create(
            {
                "name": "Bench Risk Officer",
                "login": "bench-risk-officer",
                "groups_id": [(6, 0, [officer.id, env.ref("base.group_user").id])],
            }
        )
        cr.commit()
        officer_env = env(user=user)
        print("with the addon's indexes", flush=True)
        indexed = measure(officer_env, args.runs)
        names = env["res.partner"]._rental_risk_filter_index_names()
        print(f"baseline: the same queries without {len(names)} indexes", flush=True)
        for name in names:
            cr.execute(f'DROP INDEX IF EXISTS "{name}"')
        cr.execute("ANALYZE res_partner")
        baseline = measure(officer_env, args.runs)
        cr.rollback()

    print()
    print(
        f"{'filter / sort':<26}{'rows':>8}{'page ms':>10}{'count ms':>10}"
        f"{'total ms':>10}{'baseline':>10}{'ratio':>8}  target"
    )
    ok = True
    for label, _domain, _order in CASES:
        page, count, rows = indexed[label]
        base_page, base_count, _rows = baseline[label]
        total, base_total = page + count, base_page + base_count
        holds = total <= TARGET_MS
        ok = ok and holds
        print(
            f"{label:<26}{rows:>8}{page:>10.1f}{count:>10.1f}{total:>10.1f}{base_total:>10.1f}"
            f"{base_total / total:>7.1f}x  {'OK' if holds else 'MISSED'}"
        )
    print(f"target: every filter and sort <= {TARGET_MS:.0f} ms: {'OK' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
