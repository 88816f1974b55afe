"""Benchmark of a dunning run at scale (rental_risk).

Loads ``--partners`` customers and ``--invoices`` posted customer invoices in bulk (INSERT ...
SELECT generate_series; 3 in 10 still open, due dates spread over a year, so that most
customers owe something overdue), then, in one process:

* times the naive way over a sample of ``--sample`` customers: per customer, ORM
  ``search_read`` of its overdue invoices, the oldest due date and the level in Python, a
  ``search_count`` for the levels already sent and for a running promise to pay, and the line
  created through the ORM; extrapolated to every customer;
* times the real thing: ``rental.dunning.run._propose()`` over every customer (one set-based
  INSERT ... SELECT and the invoices of each line);
* prints both, the ratio and whether the targets hold (<= 60 s, >= 50x faster).

The bulk load is committed, the measures are rolled back: run it on a throw-away database
(``bench/run dunning`` creates one, installs the module, runs this, drops it).

Usage: python bench/bench_dunning.py -d DB --odoo-path /opt/odoo --addons-path PATHS
"""

import sys
import time
from datetime import date

from bench_common import bench_parser, open_registry, vacuum_analyze
from bench_scoring import drop_secondary_indexes, set_required_defaults, settle, step

MARK = "rr-bench-dunning"
TARGET_S = 60.0
RATIO_TARGET = 50.0


def parse_args():
    parser = bench_parser(__doc__)
    parser.add_argument("--partners", type=int, default=100_000)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=300, help="customers of the naive loop")
    return parser.parse_args()


def bulk_load(env, args):
    cr = env.cr
    company = env.company
    journal = env["account.journal"].search(
        [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
    )
    if not journal:
        sys.exit("the company has no chart of accounts: install rental_risk on a fresh database")
    set_required_defaults(env)
    params = {
        "mark": MARK,
        "company": company.id,
        "currency": company.currency_id.id,
        "journal": journal.id,
        "today": date.today(),
        "partners": args.partners,
        "invoices": args.invoices,
    }
    started = time.perf_counter()
    print("loading data", flush=True)
    cr.execute(
        """
        INSERT INTO res_partner (name, complete_name, ref, active, is_company, type,
                                 customer_rank, supplier_rank, autopost_bills, lang, email,
                                 create_uid, write_uid, create_date, write_date)
        SELECT 'Bench Customer ' || n, 'Bench Customer ' || n, %(mark)s, TRUE, TRUE,
               'contact', 1, 0, 'ask', 'en_US', 'bench' || n || '@example.com',
               1, 1, now(), now()
          FROM generate_series(1, %(partners)s) AS n
        """,
        params,
    )
    cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE ref = %(mark)s", params)
    cr.execute("SELECT min(id) FROM res_partner WHERE ref = %(mark)s", params)
    params["p0"] = cr.fetchone()[0]
    started = settle(cr, f"{args.partners} customers", started, ["res_partner"])
    indexes = drop_secondary_indexes(cr)
    # 7 in 10 invoices of each customer paid, 3 in 10 open; due dates over the last year (30
    # days after the invoice), so open invoices are from not yet due to 365 days overdue.
    cr.execute(
        """
        INSERT INTO account_move (name, ref, journal_id, company_id, currency_id, state,
                                  move_type, auto_post, date, invoice_date, invoice_date_due,
                                  partner_id, commercial_partner_id, amount_untaxed, amount_tax,
                                  amount_total, amount_residual, amount_untaxed_signed,
                                  amount_total_signed, amount_total_in_currency_signed,
                                  amount_residual_signed, payment_state,
                                  create_uid, write_uid, create_date, write_date)
        SELECT 'DINV/' || n, %(mark)s, %(journal)s, %(company)s, %(currency)s, 'posted',
               'out_invoice', 'no', v.invoice_date, v.invoice_date, v.invoice_date + 30,
               v.partner, v.partner, v.amount, 0, v.amount, v.residual, v.amount, v.amount,
               v.amount, v.residual, CASE WHEN v.residual = 0 THEN 'paid' ELSE 'not_paid' END,
               1, 1, now(), now()
          FROM generate_series(1::bigint, %(invoices)s) AS n,
               LATERAL (SELECT %(p0)s + (n - 1) %% %(partners)s AS partner,
                               %(today)s::date - ((n * 7919) %% 395)::int AS invoice_date,
                               (100 + (n * 37) %% 4900)::numeric AS amount) w,
               LATERAL (SELECT w.*,
                               CASE WHEN ((n - 1) / %(partners)s + n) %% 10 < 7 THEN 0
                                    ELSE w.amount END AS residual) v
        """,
        params,
    )
    started = settle(cr, f"{args.invoices} posted customer invoices", started, ["account_move"])
    for _name, definition in indexes:
        cr.execute(definition)
    started = settle(cr, f"{len(indexes)} indexes rebuilt", started)
    cr.commit()
    vacuum_analyze(cr.dbname, ("res_partner", "account_move"))
    step("VACUUM ANALYZE", started)
    return params["p0"]


def naive_propose(env, run, partner):
    """What a straightforward implementation does for one customer."""
    today = run.date
    invoices = env["account.move"].search_read(
        [
            ("commercial_partner_id", "=", partner.id),
            ("company_id", "=", run.company_id.id),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("amount_residual_signed", ">", 0),
            ("invoice_date_due", "<", today),
        ],
        ["invoice_date_due", "amount_residual_signed"],
    )
    if not invoices:
        return
    oldest = min(inv["invoice_date_due"] for inv in invoices)
    days = (today - oldest).days
    policy = partner.rental_dunning_policy_id or env["rental.dunning.policy"].search(
        [("company_id", "=", run.company_id.id), ("is_default", "=", True)], limit=1
    )
    levels = policy.level_ids.filtered(lambda lvl: lvl.days_overdue <= days)
    if not levels:
        return
    level = levels.sorted("days_overdue")[-1]
    lines = env["rental.dunning.line"]
    if lines.search_count(
        [
            ("partner_id", "=", partner.id),
            ("state", "=", "sent"),
            ("level_days", ">=", level.days_overdue),
            ("sent_date", ">=", oldest),
        ]
    ):
        return
    if env["rental.dunning.promise"].search_count(
        [("partner_id", "=", partner.id), ("date_promised", ">=", today)]
    ):
        return
    with env["rental.risk.decision"]._open_guard():
        lines.create(
            {
                "run_id": run.id,
                "company_id": run.company_id.id,
                "partner_id": partner.id,
                "policy_id": policy.id,
                "level_id": level.id,
                "amount_overdue": sum(inv["amount_residual_signed"] for inv in invoices),
                "days_overdue": days,
                "oldest_due_date": oldest,
            }
        )


def main():
    args = parse_args()
    registry = open_registry(args)
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        p0 = bulk_load(env, args)
        run = env["rental.dunning.run"].create({"company_id": env.company.id})
        env.flush_all()
        cr.commit()

        partners = env["res.partner"].browse(
            range(p0, p0 + args.partners, max(1, args.partners // args.sample))
        )
        savepoint = cr.savepoint(flush=False)
        started = time.perf_counter()
        for partner in partners:
            naive_propose(env, run, partner)
        env.flush_all()
        naive_s = (time.perf_counter() - started) / len(partners) * args.partners
        savepoint.close(rollback=True)
        env.invalidate_all()

        started = time.perf_counter()
        run._propose()
        real_s = time.perf_counter() - started
        lines = env["rental.dunning.line"].search_count([("run_id", "=", run.id)])
        cr.execute(
            "SELECT count(*), sum(amount_overdue) FROM rental_dunning_line WHERE run_id = %s",
            [run.id],
        )
        _count, overdue = cr.fetchone()
        cr.rollback()

    print(f"\n{args.partners} customers, {args.invoices} invoices")
    print(f"dunning run proposes {lines} lines, {overdue:,.0f} overdue")
    print(f"  set-based run:        {real_s:8.2f} s (target <= {TARGET_S:.0f})")
    print(f"  naive per-customer:   {naive_s:8.1f} s (extrapolated from {len(partners)} customers)")
    ratio = naive_s / real_s
    print(f"  ratio naive / set-based: {ratio:.1f}x (target >= {RATIO_TARGET:.0f}x)")
    ok = real_s <= TARGET_S and ratio >= RATIO_TARGET
    print("RESULT:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
