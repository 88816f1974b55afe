"""Benchmark of the scheduled customer rescoring at scale (rental_risk).

Loads ``--partners`` customers, ``--invoices`` posted customer invoices (with their receivable
lines, payments and reconciliations) and ``--rental-lines`` confirmed rental order lines in bulk
(INSERT ... SELECT generate_series) into a database where rental_risk is installed, VACUUM
ANALYZEs the loaded tables as one does after a bulk load, then, in one process:

* times the naive way over a sample of ``--sample`` customers: per customer, ORM reads of
  everything the facts readers read (its state and decisions, invoices, receivable lines,
  reconciliations and their journals, orders and lines, bookings, serials, claims, deposits,
  officer signals, related parties; the peer medians computed once, untimed), facts computed
  in Python, the engine with the company's settings, and the same outputs through the ORM
  (``write`` of the results, ``create`` of a history row); extrapolated to every customer. The
  bench checks that it finds the same score, grade and exposure as the rescoring for every
  customer of the sample: a baseline computing less would flatter the ratio, one computing
  more would inflate it;
* times the real thing: ``rental.credit.rescoring._cron_rescore_partners()`` over every
  customer (batches of set-based queries, history rows, alerts; without the per-batch COMMIT,
  which only happens under the scheduler);
* times the *floor*: the SQL aggregates the facts readers send, captured from one
  ``rental.credit.facts._collect_facts()`` call over every customer and replayed bare (execute
  and fetch, no Python around them, no engine, no write), the better of JIT on and off: what
  no rescoring can beat;
* times the rescoring of the first ``--flat-sample`` customers only (the others marked as
  scored today) in the same database, for the cost per customer against the full run;
* prints them, the ratios and whether the targets hold (full <= 60 s, >= 100x faster than
  the naive loop, <= 2.5x the floor, cost per customer flat: ratio <= 1.2).

Only the columns the aggregates read are realistic: an invoice has its receivable line but no
income or tax lines, payments are one entry per customer with one line per invoice paid.
The bulk load is committed, the measures are rolled back: run it on a throw-away database
(``bench/run scoring`` creates one, installs the module, runs this, drops it).

Usage: python bench/bench_scoring.py -d DB --odoo-path /opt/odoo --addons-path PATHS
"""

import sys
import time
from datetime import date, timedelta

from bench_common import bench_parser, open_registry, vacuum_analyze

MARK = "rr-bench"
FULL_TARGET_S = 60.0
RATIO_TARGET = 100.0
FLOOR_TARGET = 2.5
FLAT_TARGET = 1.2


def parse_args():
    parser = bench_parser(__doc__)
    parser.add_argument("--partners", type=int, default=100_000)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--rental-lines", type=int, default=300_000)
    parser.add_argument("--sample", type=int, default=200, help="customers of the naive loop")
    parser.add_argument(
        "--flat-sample", type=int, default=20_000, help="customers of the flatness run"
    )
    return parser.parse_args()


def capture_queries(cr, func):
    """The SELECT statements ``func`` sends, with their parameters."""
    queries = []
    execute = type(cr).execute

    def spy(self, query, params=None, log_exceptions=True):
        queries.append((query, params))
        return execute(self, query, params, log_exceptions)

    type(cr).execute = spy
    try:
        func()
    finally:
        type(cr).execute = execute
    selects = []
    for query, params in queries:
        text = query.code if hasattr(query, "code") else query
        args = query.params if hasattr(query, "code") else params
        if text.lstrip().upper().startswith(("SELECT", "WITH")) and " ir_" not in text:
            selects.append((text, args))
    return selects


def replay(cr, queries):
    """Seconds to run ``queries`` and fetch their rows."""
    started = time.perf_counter()
    for text, args in queries:
        cr.execute(text, args)
        if cr.description:
            cr.fetchall()
    return time.perf_counter() - started


def step(label, started):
    print(f"  {label}: {time.perf_counter() - started:.1f} s", flush=True)
    return time.perf_counter()


LOADED_TABLES = (
    "account_move",
    "account_move_line",
    "account_partial_reconcile",
    "sale_order",
    "sale_order_line",
)


def drop_secondary_indexes(cr):
    """Drop the indexes that back no constraint on the loaded tables; return their definitions.

    Loading a million rows through twenty indexes is several times slower than building the
    indexes once afterwards.
    """
    cr.execute(
        """
        SELECT i.indexname, i.indexdef
          FROM pg_indexes i
         WHERE i.tablename = ANY(%s)
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        """,
        [list(LOADED_TABLES)],
    )
    definitions = cr.fetchall()
    for name, _definition in definitions:
        cr.execute(f'DROP INDEX "{name}"')
    return definitions


def set_required_defaults(env):
    """Give NOT NULL columns without a database default their ORM default, so the bulk INSERTs
    keep working when a module adds a required field (throw-away database: left in place)."""
    from odoo.tools import SQL

    cr = env.cr
    for model in (
        "res.partner",
        "account.move",
        "account.move.line",
        "account.partial.reconcile",
        "sale.order",
        "sale.order.line",
        "stock.lot",
    ):
        table = env[model]._table
        cr.execute(
            """
            SELECT column_name FROM information_schema.columns
             WHERE table_name = %s AND is_nullable = 'NO' AND column_default IS NULL
            """,
            [table],
        )
        columns = [name for (name,) in cr.fetchall() if name in env[model]._fields]
        for column, value in env[model].default_get(columns).items():
            if value is not False and not isinstance(value, list | dict):
                cr.execute(
                    SQL(
                        "ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s",
                        SQL.identifier(table),
                        SQL.identifier(column),
                        value,
                    )
                )


def settle(cr, label, started, tables=()):
    """Commit the step and refresh the planner statistics of ``tables``."""
    cr.commit()
    for table in tables:
        cr.execute(f"ANALYZE {table}")
    return step(label, started)


def bulk_load(env, args):
    """Customers, invoices, payments, reconciliations, rental orders and serials in bulk."""
    cr = env.cr
    company = env.company
    today = date.today()
    sale_journal = env["account.journal"].search(
        [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
    )
    bank_journal = env["account.journal"].search(
        [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
    )
    receivable = env["account.account"].search(
        [("account_type", "=", "asset_receivable"), ("company_ids", "in", company.id)], limit=1
    )
    if not (sale_journal and bank_journal and receivable):
        sys.exit("the company has no chart of accounts: install rental_risk on a fresh database")
    product = env["product.product"].create(
        {
            "name": "Bench rental camera",
            "is_storable": True,
            "tracking": "serial",
            "rental_ok": True,
            "rental_price_day": 80.0,
            "rental_replacement_value": 2500.0,
        }
    )
    env.flush_all()
    set_required_defaults(env)
    params = {
        "mark": MARK,
        "company": company.id,
        "currency": company.currency_id.id,
        "sale_journal": sale_journal.id,
        "bank_journal": bank_journal.id,
        "receivable": receivable.id,
        "product": product.id,
        "uom": product.uom_id.id,
        "today": today,
        "partners": args.partners,
        "invoices": args.invoices,
        "lines": args.rental_lines,
    }
    started = time.perf_counter()
    print("loading data", flush=True)
    cr.execute(
        """
        INSERT INTO res_partner (name, complete_name, ref, active, is_company, type,
                                 customer_rank, supplier_rank, autopost_bills, lang,
                                 create_uid, write_uid, create_date, write_date)
        SELECT 'Bench Customer ' || n, 'Bench Customer ' || n, %(mark)s, TRUE, TRUE,
               'contact', 1, 0, 'ask', 'en_US', 1, 1, now(), now()
          FROM generate_series(1, %(partners)s) AS n
        """,
        params,
    )
    cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE ref = %(mark)s", params)
    # The peer comparison's groups: an industry and one of six countries for every customer.
    cr.execute(
        """
        UPDATE res_partner p
           SET industry_id = i.ids[1 + p.id %% array_length(i.ids, 1)],
               country_id = c.ids[1 + (p.id / 7) %% array_length(c.ids, 1)]
          FROM (SELECT array_agg(id ORDER BY id) AS ids FROM res_partner_industry) i,
               (SELECT array_agg(id ORDER BY id) AS ids FROM res_country
                 WHERE code IN ('BE', 'FR', 'DE', 'NL', 'CN', 'US')) c
         WHERE p.ref = %(mark)s
        """,
        params,
    )
    cr.execute("SELECT min(id) FROM res_partner WHERE ref = %(mark)s", params)
    params["p0"] = cr.fetchone()[0]
    started = settle(cr, f"{args.partners} customers", started, ["res_partner"])
    indexes = drop_secondary_indexes(cr)
    cr.execute("SELECT COALESCE(max(id), 0) FROM account_move")
    params["m0"] = cr.fetchone()[0]

    # Invoices: 7 in 10 paid (up to 60 days late), 1 in 10 half paid, 2 in 10 open; every 25th
    # document is a credit note. Dates spread over three years, due 30 days after.
    cr.execute(
        """
        INSERT INTO account_move (name, ref, journal_id, company_id, currency_id, state,
                                  move_type, auto_post, date, invoice_date, invoice_date_due,
                                  partner_id, commercial_partner_id, amount_untaxed, amount_tax,
                                  amount_total, amount_residual, amount_untaxed_signed,
                                  amount_total_signed, amount_total_in_currency_signed,
                                  amount_residual_signed, payment_state,
                                  create_uid, write_uid, create_date, write_date)
        SELECT 'BINV/' || n, %(mark)s, %(sale_journal)s, %(company)s, %(currency)s, 'posted',
               v.move_type, 'no', v.invoice_date, v.invoice_date, v.invoice_date + 30,
               v.partner, v.partner, v.amount, 0, v.amount, v.residual, v.sign * v.amount,
               v.sign * v.amount, v.sign * v.amount, v.sign * v.residual,
               CASE WHEN v.residual = 0 THEN 'paid' WHEN v.residual < v.amount THEN 'partial'
                    ELSE 'not_paid' END,
               1, 1, now(), now()
          FROM generate_series(1::bigint, %(invoices)s) AS n,
               LATERAL (SELECT %(p0)s + (n - 1) %% %(partners)s AS partner,
                               %(today)s::date - ((n * 7919) %% 1095)::int AS invoice_date,
                               CASE WHEN n %% 25 = 0 THEN 'out_refund' ELSE 'out_invoice' END
                                   AS move_type,
                               CASE WHEN n %% 25 = 0 THEN -1 ELSE 1 END AS sign,
                               (100 + (n * 37) %% 4900)::numeric AS amount) w,
               LATERAL (SELECT w.*,
                               CASE WHEN w.move_type = 'out_refund' THEN w.amount
                                    WHEN n %% 10 < 7 THEN 0
                                    WHEN n %% 10 = 7 THEN round(w.amount / 2, 2)
                                    ELSE w.amount END AS residual) v
        """,
        params,
    )
    started = settle(
        cr, f"{args.invoices} posted customer invoices and credit notes", started, ["account_move"]
    )
    # The receivable line of each invoice (what payments are reconciled with).
    cr.execute(
        """
        INSERT INTO account_move_line (move_id, name, journal_id, company_id, company_currency_id,
                                       currency_id, account_id, partner_id, display_type,
                                       parent_state, date, date_maturity, balance, debit, credit,
                                       amount_currency, amount_residual,
                                       amount_residual_currency, reconciled,
                                       create_uid, write_uid, create_date, write_date)
        SELECT am.id, am.name, am.journal_id, am.company_id, am.currency_id, am.currency_id,
               %(receivable)s, am.partner_id, 'payment_term', 'posted', am.date,
               am.invoice_date_due, am.amount_total_signed,
               GREATEST(am.amount_total_signed, 0), GREATEST(-am.amount_total_signed, 0),
               am.amount_total_signed, am.amount_residual_signed, am.amount_residual_signed,
               am.amount_residual_signed = 0, 1, 1, now(), now()
          FROM account_move am
         WHERE am.id > %(m0)s
        """,
        params,
    )
    started = settle(cr, "receivable lines", started, ["account_move_line"])
    cr.execute("SELECT COALESCE(max(id), 0) FROM account_move")
    params["pm0"] = cr.fetchone()[0]
    # One payment entry per customer, one line per invoice paid, dated 5 days early to 60 late.
    cr.execute(
        """
        INSERT INTO account_move (name, ref, journal_id, company_id, currency_id, state,
                                  move_type, auto_post, date, partner_id, commercial_partner_id,
                                  create_uid, write_uid, create_date, write_date)
        SELECT 'BPAY/' || p.id, %(mark)s || '-pay', %(bank_journal)s, %(company)s,
               %(currency)s, 'posted', 'entry', 'no', %(today)s, p.id, p.id,
               1, 1, now(), now()
          FROM res_partner p
         WHERE p.ref = %(mark)s
         ORDER BY p.id
        """,
        params,
    )
    # Payment entries got consecutive ids in customer order: payment entry = pm0 + 1 + rank.
    cr.execute(
        "SELECT min(id), max(id), min(partner_id) FROM account_move WHERE id > %(pm0)s", params
    )
    assert cr.fetchone() == (params["pm0"] + 1, params["pm0"] + args.partners, params["p0"])
    cr.execute(
        """
        INSERT INTO account_move_line (move_id, name, journal_id, company_id, company_currency_id,
                                       currency_id, account_id, partner_id, display_type,
                                       parent_state, date, date_maturity, balance, debit, credit,
                                       amount_currency, amount_residual,
                                       amount_residual_currency, reconciled,
                                       create_uid, write_uid, create_date, write_date)
        SELECT %(pm0)s + 1 + am.partner_id - %(p0)s, 'B' || inv.id, %(bank_journal)s,
               am.company_id, am.currency_id, am.currency_id, %(receivable)s, am.partner_id,
               'product', 'posted', pay.date, pay.date, -pay.amount, 0, pay.amount, -pay.amount,
               0, 0, TRUE, 1, 1, now(), now()
          FROM account_move_line inv
          JOIN account_move am ON am.id = inv.move_id,
               LATERAL (SELECT inv.date_maturity + ((inv.id * 13) %% 66 - 5)::int AS date,
                               am.amount_total - am.amount_residual AS amount) pay
         WHERE am.id > %(m0)s
           AND am.id <= %(pm0)s
           AND am.move_type = 'out_invoice'
           AND am.amount_residual < am.amount_total
        """,
        params,
    )
    started = settle(cr, "payment lines", started, ["account_move", "account_move_line"])
    cr.execute(
        """
        INSERT INTO account_partial_reconcile (debit_move_id, credit_move_id, company_id,
                                               debit_currency_id, credit_currency_id, amount,
                                               debit_amount_currency, credit_amount_currency,
                                               max_date, create_uid, write_uid, create_date,
                                               write_date)
        SELECT inv.id, pay.id, pay.company_id, pay.currency_id, pay.currency_id, pay.credit,
               pay.credit, pay.credit, GREATEST(pay.date, inv.date), 1, 1, now(), now()
          FROM account_move_line pay
          JOIN account_move_line inv ON inv.id = substr(pay.name, 2)::int
         WHERE pay.move_id > %(pm0)s
        """,
        params,
    )
    started = settle(cr, f"{cr.rowcount} reconciliations", started)

    # One confirmed rental order per customer (while lines last), 3 rental lines each: two
    # invoiced, one not; 1 line in 20 was returned late.
    orders = max(1, args.rental_lines // 3)
    cr.execute(
        """
        INSERT INTO sale_order (name, company_id, partner_id, partner_invoice_id,
                                partner_shipping_id, date_order, picking_policy, state,
                                currency_id, currency_rate, create_uid, write_uid, create_date,
                                write_date)
        SELECT 'BSO/' || n, %(company)s, %(p0)s + (n - 1) %% %(partners)s,
               %(p0)s + (n - 1) %% %(partners)s, %(p0)s + (n - 1) %% %(partners)s,
               %(today)s::date - ((n * 31) %% 700)::int, 'direct', 'sale', %(currency)s, 1.0,
               1, 1, now(), now()
          FROM generate_series(1, %(orders)s) AS n
        """,
        dict(params, orders=orders),
    )
    cr.execute(
        """
        INSERT INTO sale_order_line (order_id, name, product_id, product_uom, product_uom_qty,
                                     price_unit, price_subtotal, price_tax, price_total,
                                     untaxed_amount_invoiced, untaxed_amount_to_invoice,
                                     customer_lead, company_id, currency_id, state,
                                     is_rental, rental_start, rental_end, rental_is_late,
                                     rental_late_hours, qty_invoiced, is_downpayment,
                                     create_uid, write_uid, create_date, write_date)
        SELECT so.id, 'Bench rental', %(product)s, %(uom)s, 1, 240, 240, 48, 288,
               CASE WHEN k < 2 THEN 240 ELSE 0 END, CASE WHEN k < 2 THEN 0 ELSE 240 END,
               0, %(company)s, %(currency)s, 'sale', TRUE, so.date_order,
               so.date_order + interval '3 days', FALSE,
               CASE WHEN (so.id + k) %% 20 = 0 THEN 30 ELSE 0 END,
               CASE WHEN k < 2 THEN 1 ELSE 0 END, FALSE, 1, 1, now(), now()
          FROM sale_order so, generate_series(0, 2) AS k
         WHERE so.name LIKE 'BSO/%%'
        """,
        params,
    )
    started = step(f"{orders} rental orders, {cr.rowcount} rental lines", started)
    # Serials: one in 5 customers has a camera out, one in 100 lost one.
    cr.execute(
        """
        INSERT INTO stock_lot (name, rental_barcode, product_id, product_uom_id, company_id,
                               rental_ok, rental_state, rental_replacement_value,
                               rental_partner_id, rental_usage_counter, create_uid, write_uid,
                               create_date, write_date)
        SELECT 'BSN-' || n, 'BSN-' || n, %(product)s, %(uom)s, %(company)s, TRUE,
               CASE WHEN n %% 20 = 0 THEN 'lost' ELSE 'out' END, 2500,
               %(p0)s + ((n - 1) * 5) %% %(partners)s, 0, 1, 1, now(), now()
          FROM generate_series(1, %(lots)s) AS n
        """,
        dict(params, lots=args.partners // 5),
    )
    started = step(f"{cr.rowcount} serials out or lost", started)
    for _name, definition in indexes:
        cr.execute(definition)
    started = settle(cr, f"{len(indexes)} indexes rebuilt", started)
    cr.commit()
    vacuum_analyze(cr.dbname, ("res_partner", "stock_lot", *LOADED_TABLES))
    step("VACUUM ANALYZE", started)
    return params["p0"]


def naive_rescore(env, partner_id, today, peers):
    """What a straightforward implementation does for one customer: the same facts as the
    rescoring (every reader of ``rental.credit.facts``), each read through the ORM for this
    customer alone and summed in Python, the same engine and settings, the same outputs.

    ``peers``: the industry and region medians, computed once before the loop and not timed
    (a naive loop computing each customer's medians from its peers' payments would be
    quadratic; counting that would only flatter the ratio).
    """
    from odoo import fields

    from odoo.addons.rental_risk.engine.scoring import (
        SIGNAL_SEVERITY,
        CustomerFacts,
        moving_reasons,
    )
    from odoo.addons.rental_risk.models.rental_credit_facts import (
        LATE_GRACE_DAYS,
        OLDER_DAYS,
        RECENT_DAYS,
    )

    partner = env["res.partner"].browse(partner_id)
    company = env.company
    cid = company.id
    # The customer's state: identity flags, scores in force, override and hand-set limit.
    state = partner.read(
        [
            "rental_kyc_verified",
            "rental_blacklisted",
            "rental_score",
            "rental_grade",
            "parent_id",
            "rental_vat_norm",
            "company_registry",
        ]
    )[0]
    decisions = env["rental.risk.decision"].search_read(
        [
            ("partner_id", "=", partner_id),
            ("company_id", "=", cid),
            (
                "kind",
                "in",
                ("grade_override", "grade_override_end", "credit_limit", "credit_limit_reset"),
            ),
        ],
        ["kind", "grade", "amount"],
        order="id desc",
    )
    override = next((d for d in decisions if d["kind"].startswith("grade_override")), None)
    manual = next((d for d in decisions if d["kind"].startswith("credit_limit")), None)
    # Invoices and credit notes, their receivable lines and what was reconciled with them.
    moves = env["account.move"].search_read(
        [
            ("commercial_partner_id", "=", partner_id),
            ("company_id", "=", cid),
            ("state", "=", "posted"),
            ("move_type", "in", ("out_invoice", "out_refund")),
        ],
        [
            "move_type",
            "amount_total_signed",
            "amount_residual_signed",
            "invoice_date",
            "invoice_date_due",
        ],
    )
    invoices = {m["id"]: m for m in moves if m["move_type"] == "out_invoice"}
    lines = env["account.move.line"].search_read(
        [("move_id", "in", list(invoices)), ("display_type", "=", "payment_term")],
        ["date_maturity", "move_id"],
    )
    line_by_id = {line["id"]: line for line in lines}
    partials = env["account.partial.reconcile"].search_read(
        [("debit_move_id", "in", list(line_by_id))],
        ["amount", "max_date", "debit_move_id", "credit_move_id"],
    )
    # A payment is a reconciliation with a line outside the sales journals.
    counterparts = env["account.move.line"].search_read(
        [("id", "in", [p["credit_move_id"][0] for p in partials])], ["journal_id"]
    )
    journal_of = {line["id"]: line["journal_id"][0] for line in counterparts}
    sale_journals = set(
        env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", cid)]).ids
    )
    payments = []
    paid_by = {}
    for p in partials:
        line = line_by_id[p["debit_move_id"][0]]
        invoice = invoices[line["move_id"][0]]
        if p["max_date"] <= invoice["invoice_date_due"] + timedelta(days=LATE_GRACE_DAYS):
            paid_by[invoice["id"]] = paid_by.get(invoice["id"], 0.0) + p["amount"]
        if journal_of[p["credit_move_id"][0]] not in sale_journals:
            payments.append(
                (p["amount"], p["max_date"], (p["max_date"] - line["date_maturity"]).days)
            )

    def days_late(items):
        total = sum(amount for amount, _date, _days in items)
        return sum(amount * days for amount, _date, days in items) / total if total else 0.0

    recent_from = today - timedelta(days=RECENT_DAYS)
    older_from = recent_from - timedelta(days=OLDER_DAYS)
    recent = [p for p in payments if p[1] >= recent_from]
    older = [p for p in payments if older_from <= p[1] < recent_from]
    paid = sum(amount for amount, _date, _days in payments)
    # Invoices that fell due in each window, and those still unpaid after the grace.
    trend = {"recent": [0, 0, 0.0, 0.0], "older": [0, 0, 0.0, 0.0]}
    for invoice in invoices.values():
        due = invoice["invoice_date_due"]
        if not older_from <= due < today - timedelta(days=LATE_GRACE_DAYS):
            continue
        window = trend["recent" if due >= recent_from else "older"]
        late = paid_by.get(invoice["id"], 0.0) < invoice["amount_total_signed"] - 0.005
        window[0] += 1
        window[1] += late
        window[2] += invoice["amount_total_signed"]
        window[3] += invoice["amount_total_signed"] if late else 0.0
    overdue = [
        (m["amount_residual_signed"], (today - m["invoice_date_due"]).days)
        for m in invoices.values()
        if m["invoice_date_due"] < today
    ]
    # Orders: to invoice, volume per window, late returns.
    order_lines = env["sale.order.line"].search_read(
        [
            ("order_id.partner_id.commercial_partner_id", "=", partner_id),
            ("company_id", "=", cid),
            "|",
            ("state", "=", "sale"),
            ("rental_late_hours", ">", 0),
        ],
        [
            "order_id",
            "state",
            "display_type",
            "is_downpayment",
            "is_rental_deposit",
            "untaxed_amount_invoiced",
            "price_total",
            "price_subtotal",
            "rental_late_hours",
        ],
    )
    orders = {
        o["id"]: o
        for o in env["sale.order"].search_read(
            [("id", "in", list({line["order_id"][0] for line in order_lines}))],
            ["date_order", "currency_rate"],
        )
    }
    to_invoice = recent_orders = older_orders = 0.0
    first_dates = [m["invoice_date"] for m in moves]
    for line in order_lines:
        order = orders[line["order_id"][0]]
        if line["state"] != "sale" or line["display_type"]:
            continue
        if line["is_downpayment"] or line["is_rental_deposit"]:
            continue
        rate = order["currency_rate"] or 1.0
        first_dates.append(order["date_order"].date())
        if line["price_subtotal"] > 0:
            remaining = max(line["price_subtotal"] - line["untaxed_amount_invoiced"], 0.0)
            to_invoice += remaining * line["price_total"] / line["price_subtotal"] / rate
        if order["date_order"].date() >= recent_from:
            recent_orders += line["price_total"] / rate
        elif order["date_order"].date() >= older_from:
            older_orders += line["price_total"] / rate
    late = [line["rental_late_hours"] for line in order_lines if line["rental_late_hours"] > 0]
    # Rentals, serials out or lost, claims, deposits held, officer signals.
    bookings = env["rental.booking"].search_read(
        [
            ("partner_id.commercial_partner_id", "=", partner_id),
            ("company_id", "=", cid),
            ("state", "!=", "cancelled"),
        ],
        ["state", "date_start"],
    )
    first_dates += [b["date_start"].date() for b in bookings]
    lots = env["stock.lot"].search_read(
        [
            ("rental_partner_id.commercial_partner_id", "=", partner_id),
            ("rental_state", "in", ("out", "lost")),
        ],
        ["rental_state", "rental_replacement_value"],
    )
    claims = env["rental.damage.claim"].search_read(
        [
            ("partner_id.commercial_partner_id", "=", partner_id),
            ("company_id", "=", cid),
            ("claim_type", "!=", "loss"),
            ("state", "not in", ("waived", "cancelled")),
        ],
        ["assessed_amount"],
    )
    deposit_lines = env["account.move.line"].search_read(
        [
            ("move_id", "in", [m["id"] for m in moves]),
            ("sale_line_ids.is_rental_deposit", "=", True),
        ],
        ["balance", "move_id", "sale_line_ids"],
    )
    held = 0.0
    if deposit_lines:
        deposit_orders = (
            env["sale.order.line"]
            .browse({i for line in deposit_lines for i in line["sale_line_ids"]})
            .order_id
        )
        settled = set(
            env["rental.deposit.settlement"]
            .search([("order_id", "in", deposit_orders.ids)])
            .order_id.ids
        )
        for line in deposit_lines:
            move = next(m for m in moves if m["id"] == line["move_id"][0])
            order_ids = env["sale.order.line"].browse(line["sale_line_ids"]).order_id.ids
            if move["amount_total_signed"] and not settled.intersection(order_ids):
                share = 1 - move["amount_residual_signed"] / move["amount_total_signed"]
                held += -line["balance"] * share
    signals = env["rental.risk.signal"].search_read(
        [
            ("partner_id", "=", partner_id),
            ("company_id", "=", cid),
            ("date", "<=", today),
            ("date_expiry", ">=", today),
        ],
        ["kind", "severity"],
    )
    # Related parties: same group, shared identifiers, declared both ways.
    Partner = env["res.partner"]
    parent = state["parent_id"] and state["parent_id"][0]
    related_ids = set(partner.rental_related_partner_ids.ids)
    related_ids.update(Partner.search([("rental_related_partner_ids", "in", [partner_id])]).ids)
    related_ids.update(Partner.search([("parent_id", "=", partner_id)]).ids)
    if parent:
        related_ids.update(Partner.search([("parent_id", "=", parent)]).ids, [parent])
    if state["rental_vat_norm"]:
        related_ids.update(Partner.search([("rental_vat_norm", "=", state["rental_vat_norm"])]).ids)
    if (state["company_registry"] or "").strip():
        related_ids.update(
            Partner.search([("company_registry", "=", state["company_registry"].strip())]).ids
        )
    related_ids.discard(partner_id)
    candidates = [
        q
        for q in Partner.browse(related_ids).read(["rental_score", "rental_grade", "name"])
        if q["rental_grade"]
    ]
    related = min(candidates, key=lambda q: q["rental_score"], default=None)
    config = env["rental.credit.rescoring"]._scoring_config(company)
    open_balance = max(0.0, sum(m["amount_residual_signed"] for m in moves))
    overdue_balance = max(0.0, sum(amount for amount, _days in overdue))
    peer = peers.get(partner_id, {})
    both = recent and older
    facts = CustomerFacts(
        invoiced_amount=max(0.0, sum(m["amount_total_signed"] for m in moves)),
        weighted_days_late=days_late(payments),
        open_balance=open_balance,
        overdue_balance=overdue_balance,
        overdue_30=min(overdue_balance, max(0.0, sum(a for a, d in overdue if d > 30))),
        overdue_60=min(overdue_balance, max(0.0, sum(a for a, d in overdue if d > 60))),
        overdue_90=min(overdue_balance, max(0.0, sum(a for a, d in overdue if d > 90))),
        recent_days_late=days_late(recent) if both else None,
        older_days_late=days_late(older) if both else None,
        recent_due_count=trend["recent"][0],
        recent_late_count=trend["recent"][1],
        recent_due_amount=max(0.0, trend["recent"][2]),
        recent_late_amount=max(0.0, min(trend["recent"][2], trend["recent"][3])),
        older_due_count=trend["older"][0],
        older_late_count=trend["older"][1],
        older_due_amount=max(0.0, trend["older"][2]),
        older_late_amount=max(0.0, min(trend["older"][2], trend["older"][3])),
        credit_note_amount=max(
            0.0, sum(-m["amount_total_signed"] for m in moves if m["move_type"] == "out_refund")
        ),
        industry_name=peer.get("industry_name"),
        industry_median_days_late=peer.get("industry_median"),
        industry_peer_count=int(peer.get("industry_count", 0)),
        region_name=peer.get("region_name"),
        region_median_days_late=peer.get("region_median"),
        region_peer_count=int(peer.get("region_count", 0)),
        recent_order_amount=recent_orders,
        older_order_amount=older_orders,
        late_returns=len(late),
        avg_late_days=sum(late) / len(late) / 24 if late else 0.0,
        damage_count=len(claims),
        damage_amount=sum(c["assessed_amount"] for c in claims),
        lost_assets=sum(1 for lot in lots if lot["rental_state"] == "lost"),
        tenure_days=float(max(0, (today - min(first_dates)).days)) if first_dates else 0.0,
        completed_rentals=sum(1 for b in bookings if b["state"] == "returned"),
        paid_volume=paid,
        kyc_verified=state["rental_kyc_verified"],
        blacklisted=state["rental_blacklisted"],
        related_score=float(related["rental_score"]) if related else None,
        related_grade=related["rental_grade"] or None if related else None,
        related_name=related["name"] if related else None,
        signal_severity=float(sum(SIGNAL_SEVERITY.get(s["severity"], 0) for s in signals)),
        signal_count=len(signals),
        signal_kind=max(signals, key=lambda s: SIGNAL_SEVERITY.get(s["severity"], 0))["kind"]
        if signals
        else None,
    )
    score, grade_computed, reasons = moving_reasons(facts, config)
    grade = (
        override["grade"] if override and override["kind"] == "grade_override" else grade_computed
    )
    if manual and manual["kind"] == "credit_limit":
        limit_amount = manual["amount"]
    else:
        limit_amount = company.rental_grade_limit_ids.filtered(
            lambda row: row.grade == grade
        ).credit_limit
    exposure = round(
        open_balance
        + to_invoice
        + sum(lot["rental_replacement_value"] for lot in lots if lot["rental_state"] == "out")
        - held,
        2,
    )
    # The same outputs as the real rescoring: stored results and a history row.
    previous_score, previous_grade = state["rental_score"], state["rental_grade"]
    explanation = env["rental.credit.rescoring"]._explanation(
        reasons, not facts.has_history, company.currency_id, {}
    )
    # The figures are the rescoring's own: written behind its guard, as the rescoring does.
    with env["rental.risk.decision"]._open_guard():
        partner.write(
            {
                "rental_score": score,
                "rental_grade_computed": grade_computed,
                "rental_grade": grade,
                "rental_score_explanation": explanation,
                "rental_scored_at": fields.Datetime.now(),
                "rental_credit_limit": limit_amount,
                "rental_exposure_at_scoring": exposure,
                "rental_available_credit_at_scoring": limit_amount - exposure,
                "rental_overdue_at_scoring": overdue_balance,
            }
        )
        env["rental.score.history"].create(
            {
                "partner_id": partner_id,
                "score": score,
                "grade": grade,
                "previous_score": previous_score,
                "previous_grade": previous_grade,
                "explanation": explanation,
            }
        )
        env.flush_all()
    return score, grade, exposure


def main():
    args = parse_args()
    registry = open_registry(args)
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        p0 = bulk_load(env, args)
        today = date.today()
        step_size = max(1, args.partners // args.sample)
        sample = [p0 + i * step_size for i in range(args.sample)]

        print(f"naive loop over {len(sample)} customers (per-customer ORM reads)", flush=True)
        peers = env["rental.credit.facts"]._peer_facts(sample)
        env.invalidate_all()
        started = time.perf_counter()
        naive_results = {}
        for partner_id in sample:
            naive_results[partner_id] = naive_rescore(env, partner_id, today, peers)
        naive_sample_s = time.perf_counter() - started
        cr.rollback()
        naive_full_s = naive_sample_s / len(sample) * args.partners

        print("full rescoring: rental.credit.rescoring._cron_rescore_partners()", flush=True)
        env.invalidate_all()
        started = time.perf_counter()
        done = env["rental.credit.rescoring"]._cron_rescore_partners()
        env.flush_all()
        full_s = time.perf_counter() - started
        cr.execute(
            "SELECT rental_grade -> %s ->> 0, count(*) FROM res_partner WHERE ref = %s "
            "GROUP BY 1 ORDER BY 1",
            [str(env.company.id), MARK],
        )
        grades = ", ".join(f"{grade}: {count}" for grade, count in cr.fetchall())
        cr.execute("SELECT count(*) FROM rental_score_history")
        history = cr.fetchone()[0]
        # The naive loop is a baseline only if it computes what the rescoring computes.
        cr.execute(
            "SELECT id, (rental_score -> %s ->> 0)::int, rental_grade -> %s ->> 0, "
            "(rental_exposure_at_scoring -> %s ->> 0)::float8 FROM res_partner "
            "WHERE id = ANY(%s)",
            [str(env.company.id)] * 3 + [sample],
        )
        agree = sum(
            1
            for partner_id, score, grade, exposure in cr.fetchall()
            if naive_results[partner_id][:2] == (score, grade)
            and abs(naive_results[partner_id][2] - exposure) < 0.01
        )
        cr.rollback()

        print(
            f"flatness: rescoring the first {args.flat_sample} customers only, the others "
            "marked as scored today",
            flush=True,
        )
        cr.execute(
            "UPDATE res_partner SET rental_scored_at = jsonb_build_object(%s, "
            "to_char(now() at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS')) "
            "WHERE ref = %s AND id >= %s",
            [str(env.company.id), MARK, p0 + args.flat_sample],
        )
        env.invalidate_all()
        started = time.perf_counter()
        flat_done = env["rental.credit.rescoring"]._cron_rescore_partners()
        env.flush_all()
        flat_s = time.perf_counter() - started
        cr.rollback()

        print("floor: the facts' SQL aggregates over every customer, replayed bare", flush=True)
        cr.execute("SELECT id FROM res_partner WHERE ref = %s ORDER BY id", [MARK])
        all_ids = [row[0] for row in cr.fetchall()]
        facts_model = env["rental.credit.facts"]
        queries = capture_queries(
            cr, lambda: facts_model._collect_facts(all_ids, company=env.company)
        )
        cr.rollback()
        # The rescoring runs its batches with JIT compilation off (_without_jit): the floor is
        # the better of the server's setting and that, each replayed twice.
        floor_jit = min(replay(cr, queries) for _run in range(2))
        cr.execute("SET LOCAL jit = off")
        floor_no_jit = min(replay(cr, queries) for _run in range(2))
        floor_s = min(floor_jit, floor_no_jit)
        cr.rollback()

    ratio = naive_full_s / full_s if full_s else float("inf")
    print()
    print(f"customers rescored         : {done} ({grades}); {history} history rows")
    print(f"full rescoring             : {full_s:8.1f} s  ({done / full_s:,.0f} customers/s)")
    print(
        f"naive loop                 : {naive_sample_s:8.2f} s for {len(sample)} customers "
        f"-> {naive_full_s:8.1f} s extrapolated to {args.partners}"
    )
    print(
        f"naive and full agree       : {agree} of {len(sample)} customers "
        "(score, grade and exposure)"
    )
    print(f"ratio naive / full         : {ratio:8.1f}x")
    floor_ratio = full_s / floor_s if floor_s else float("inf")
    print(
        f"floor (bare SQL aggregates): {floor_s:8.1f} s  ({len(queries)} queries over "
        f"{len(all_ids)} customers; {floor_jit:.1f} s with the server's JIT setting, "
        f"{floor_no_jit:.1f} s without JIT); full / floor: {floor_ratio:.2f}x"
    )
    per_full = full_s / done * 1e3 if done else 0.0
    per_flat = flat_s / flat_done * 1e3 if flat_done else 0.0
    flat_ratio = per_full / per_flat if per_flat else float("inf")
    print(
        f"cost per customer          : {per_flat:8.3f} ms at {flat_done} customers, "
        f"{per_full:.3f} ms at {done}; ratio {flat_ratio:.2f}"
    )
    checks = {
        f"full <= {FULL_TARGET_S:.0f} s": full_s <= FULL_TARGET_S,
        f">= {RATIO_TARGET:.0f}x the naive loop": ratio >= RATIO_TARGET,
        f"<= {FLOOR_TARGET}x the floor": floor_ratio <= FLOOR_TARGET,
        f"cost per customer ratio <= {FLAT_TARGET}": flat_ratio <= FLAT_TARGET,
        "naive loop computes the same results": agree == len(sample),
    }
    print(
        "targets                    : "
        + ", ".join(f"{name} {'OK' if ok else 'MISSED'}" for name, ok in checks.items())
    )
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
