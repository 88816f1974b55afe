#!/usr/bin/env bash
# Confirmation risk-check benchmark on a throw-away database: create it, install rental_risk
# without demo data, bulk-load invoices, measure (bench/bench_confirm.py), drop the database.
# Extra arguments go to bench_confirm.py, e.g. --big 20000 --runs 60.
# KEEP_DB=1 keeps the database (its name is printed) to look at plans afterwards.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

find_odoo
ensure_venv
ensure_postgres

DB="rr_bench_$(date +%Y%m%d%H%M%S)_$$"
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
"$PY" "$ROOT/bench/bench_confirm.py" -d "$DB" --odoo-path "$ODOO_DIR" \
    --addons-path "$ADDONS_PATH" "$@"
