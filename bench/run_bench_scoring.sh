#!/usr/bin/env bash
# Customer rescoring benchmark on a throw-away database: create it, install rental_risk without
# demo data, bulk-load customers, invoices, payments and rental lines, time the full rescoring
# beside a naive per-customer loop (bench/bench_scoring.py), drop the database.
# Extra arguments go to bench_scoring.py, e.g. --partners 10000 --invoices 100000 --sample 100.
# KEEP_DB=1 keeps the database (its name is printed) to look at plans afterwards.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

find_odoo
ensure_venv
ensure_postgres

DB="rr_bench_scoring_$(date +%Y%m%d%H%M%S)_$$"
DATA="$(mktemp -d "${TMPDIR:-/tmp}/rental_risk_bench.XXXXXX")"
cleanup() {
    if [ "${KEEP_DB:-0}" = 1 ]; then say "kept database $DB"; else dropdb --if-exists "$DB" 2>/dev/null || true; fi
    rm -rf "$DATA"
}
trap cleanup EXIT

say "installing rental_risk on $DB"
odoo_bin -d "$DB" --data-dir="$DATA" -i rental_risk --without-demo=all --stop-after-init \
    --max-cron-threads=0 --log-level=warn >"$DATA/install.log" 2>&1 \
    || { tail -n 50 "$DATA/install.log"; die "install failed"; }
say "running the benchmark"
"$PY" "$ROOT/bench/bench_scoring.py" -d "$DB" --odoo-path "$ODOO_DIR" \
    --addons-path "$ADDONS_PATH" "$@"
