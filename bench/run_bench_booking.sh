#!/usr/bin/env bash
# Booking benchmark on a throw-away database: create it, install rental_risk without demo data,
# bulk-load serials and bookings, measure (bench/bench_booking.py), drop the database.
# Extra arguments go to bench_booking.py, e.g. --lots 1000 --bookings 100000 --runs 50.
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
"$PY" "$ROOT/bench/bench_booking.py" -d "$DB" --odoo-path "$ODOO_DIR" \
    --addons-path "$ADDONS_PATH" "$@"
