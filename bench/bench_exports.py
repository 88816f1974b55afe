"""Benchmark of the Excel risk register at scale (rental_risk).

Loads the customers, invoices, payments and rental orders of ``bench_scoring.py`` in bulk
(``--partners`` customers, ``--invoices`` posted invoices), gives every customer a score,
grade, credit limit, exposure and a score history row with one SQL statement each, then
measures, each in a fresh Python process (so that one peak of memory does not hide the
other):

* the risk register: ``rental.xlsx.register._export("risk", company)``, every customer with
  score, grade, limit, exposure, receivables by age (from the journal items), blacklist flag
  and last change, streamed to an .xlsx file;
* the standard list export of the same customers: what the web client's *Export* button does
  (``export_data`` of ``res.partner`` with the fields the register shows that are fields of
  the partner, then Odoo's own xlsx writer), the age buckets excepted, which are no fields;

and prints their seconds and peak memory (growth of the process's peak resident set over
what it held once Odoo was loaded: Linux's VmHWM, reset just before), the ratio, and whether
the targets hold (register <= 15 s, <= 300 MB). The bulk load is committed: run it on a
throw-away database (``bench/run exports`` creates one, installs the module, runs this, drops
it).

Usage: python bench/bench_exports.py -d DB --odoo-path /opt/odoo --addons-path PATHS
"""

import json
import resource
import subprocess
import sys
import time

from bench_common import bench_parser, open_registry
from bench_scoring import MARK, bulk_load, step

TIME_TARGET_S = 15.0
MEMORY_TARGET_MB = 300.0
#: The administrator: a Risk Manager and an accountant, as the people who export registers.
ADMIN_UID = 2
#: Fields of res.partner the standard export reads: those of the register that are fields.
STANDARD_FIELDS = [
    "complete_name",
    "ref",
    "vat",
    "rental_score",
    "rental_grade",
    "rental_credit_limit",
    "rental_exposure_at_scoring",
    "credit",
    "rental_blacklisted",
    "rental_scored_at",
]


def parse_args():
    parser = bench_parser(__doc__)
    parser.add_argument("--partners", type=int, default=100_000)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--rental-lines", type=int, default=300_000)
    parser.add_argument(
        "--measure",
        choices=("register", "standard"),
        help="internal: measure one export in this process and print its figures as JSON",
    )
    return parser.parse_args()


def _status_mb(key):
    """A memory figure of this process from /proc/self/status (VmRSS, VmHWM), in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024.0
    raise KeyError(key)


def start_peak():
    """Reset the process's peak resident set (Linux: VmHWM, through /proc/self/clear_refs) and
    return the resident set now, in MB; where the peak cannot be reset, the peak so far (the
    growth measured is then a lower bound)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear_refs:
            clear_refs.write("5")
        return _status_mb("VmRSS")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def peak_mb():
    """The process's peak resident set since ``start_peak()``, in MB."""
    try:
        return _status_mb("VmHWM")
    except (OSError, KeyError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def score_customers(env):
    """Scores, grades, limits, exposures, a history row and a blacklist flag in 1 of 500, as
    a rescoring would leave them, one statement each."""
    cr = env.cr
    cid = str(env.company.id)
    params = {"mark": MARK, "cid": cid, "company": env.company.id}
    cr.execute(
        """
        UPDATE res_partner p
           SET rental_score = jsonb_build_object(%(cid)s, s.score),
               rental_grade_computed = jsonb_build_object(%(cid)s, s.grade),
               rental_grade = jsonb_build_object(%(cid)s, s.grade),
               rental_credit_limit = jsonb_build_object(%(cid)s, s.credit_limit),
               rental_exposure_at_scoring = jsonb_build_object(%(cid)s, (p.id %% 7919) * 3.5),
               rental_scored_at = jsonb_build_object(
                   %(cid)s, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')),
               rental_blacklisted = (p.id %% 500 = 0)
          FROM (SELECT id, (id * 37) %% 101 AS score,
                       (ARRAY['E', 'D', 'C', 'B', 'A'])[1 + ((id * 37) %% 101) / 21] AS grade,
                       (ARRAY[0, 1000, 5000, 20000, 50000])[1 + ((id * 37) %% 101) / 21]
                           AS credit_limit
                  FROM res_partner WHERE ref = %(mark)s) s
         WHERE p.id = s.id
        """,
        params,
    )
    cr.execute(
        """
        INSERT INTO rental_score_history (partner_id, company_id, date, score, grade,
                                          previous_score, score_change)
        SELECT p.id, %(company)s, now() AT TIME ZONE 'UTC' - interval '1 day' * (p.id %% 30),
               (p.rental_score ->> %(cid)s)::int, p.rental_grade ->> %(cid)s, 50,
               (p.rental_score ->> %(cid)s)::int - 50
          FROM res_partner p WHERE p.ref = %(mark)s
        """,
        params,
    )
    cr.execute("ANALYZE res_partner")
    cr.execute("ANALYZE rental_score_history")
    cr.commit()


def measure_register(env):
    name, content = env["rental.xlsx.register"]._export("risk", env.company)
    return {"bytes": len(content), "name": name}


def measure_standard(env):
    """The web client's Export button: export_data, then Odoo's xlsx writer (which reads the
    request's environment: given here, as no HTTP request runs)."""
    from types import SimpleNamespace

    from odoo.addons.web.controllers import export

    export.request = SimpleNamespace(env=env)
    partners = env["res.partner"].with_context(import_compat=False)
    records = partners.search([("customer_rank", ">", 0), ("is_company", "=", True)])
    rows = records.export_data(STANDARD_FIELDS).get("datas", [])
    fields = [
        {"name": name, "label": partners._fields[name].string, "type": partners._fields[name].type}
        for name in STANDARD_FIELDS
    ]
    content = export.ExcelExport().from_data(fields, [f["label"] for f in fields], rows)
    return {"bytes": len(content), "rows": len(rows)}


def run_measure(args):
    """In this process: load Odoo, measure one export, print its figures as JSON."""
    registry = open_registry(args)
    from odoo import api

    with registry.cursor() as cr:
        env = api.Environment(cr, ADMIN_UID, {})
        env = env(context=dict(env.context, allowed_company_ids=env.user.company_id.ids))
        # Odoo's fields and the first queries loaded before the baseline.
        env["res.partner"].search([], limit=1).read(["name"])
        baseline = start_peak()
        started = time.perf_counter()
        figures = (measure_register if args.measure == "register" else measure_standard)(env)
        figures["seconds"] = time.perf_counter() - started
        figures["peak_mb"] = peak_mb() - baseline
        figures["max_rss_mb"] = peak_mb()
        cr.rollback()
    print(json.dumps(figures))
    return 0


def measure_in_child(args, what):
    """Run ``what`` in a fresh interpreter (its own peak memory), return its figures."""
    command = [
        sys.executable,
        __file__,
        "-d",
        args.database,
        "--odoo-path",
        args.odoo_path,
        "--addons-path",
        args.addons_path,
        "--measure",
        what,
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main():
    args = parse_args()
    if args.measure:
        return run_measure(args)
    registry = open_registry(args)
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        bulk_load(env, args)
        started = time.perf_counter()
        score_customers(env)
        step("scores, grades, limits and history rows", started)
        cr.execute("SELECT count(*) FROM res_partner WHERE ref = %s", [MARK])
        customers = cr.fetchone()[0]

    print("risk register: rental.xlsx.register._export('risk') (own process)", flush=True)
    register = measure_in_child(args, "register")
    print("standard export: res.partner export_data + Odoo's xlsx writer (own process)", flush=True)
    standard = measure_in_child(args, "standard")

    ratio = standard["seconds"] / register["seconds"] if register["seconds"] else float("inf")
    memory_ratio = standard["peak_mb"] / register["peak_mb"] if register["peak_mb"] else 0.0
    print()
    print(f"customers                  : {customers:,} (+ receivables by age, history, blacklist)")
    print(
        f"risk register (.xlsx)      : {register['seconds']:8.1f} s, peak memory "
        f"+{register['peak_mb']:6.0f} MB, file {register['bytes'] / 1e6:.1f} MB"
    )
    print(
        f"standard list export       : {standard['seconds']:8.1f} s, peak memory "
        f"+{standard['peak_mb']:6.0f} MB, file {standard['bytes'] / 1e6:.1f} MB "
        f"({standard['rows']:,} rows, without the age buckets)"
    )
    print(f"ratio standard / register  : {ratio:8.1f}x time, {memory_ratio:.1f}x memory")
    print(
        f"peak resident set         : register {register['max_rss_mb']:.0f} MB, "
        f"standard {standard['max_rss_mb']:.0f} MB (Odoo loaded included)"
    )
    ok_time = register["seconds"] <= TIME_TARGET_S
    ok_memory = register["peak_mb"] <= MEMORY_TARGET_MB
    print(
        f"targets                    : register <= {TIME_TARGET_S:.0f} s "
        f"{'OK' if ok_time else 'MISSED'}, <= {MEMORY_TARGET_MB:.0f} MB "
        f"{'OK' if ok_memory else 'MISSED'}"
    )
    return 0 if ok_time and ok_memory else 1


if __name__ == "__main__":
    sys.exit(main())
