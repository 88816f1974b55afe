# Shared by scripts/test and scripts/run: find Odoo 18, prepare the virtualenv, wake PostgreSQL.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

say() { printf '[rental_risk] %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 2; }

# Odoo source tree: $ODOO_PATH, else /opt/odoo. It must be an Odoo 18 tree (odoo-bin + release 18).
find_odoo() {
    ODOO_DIR="${ODOO_PATH:-/opt/odoo}"
    if [ ! -f "$ODOO_DIR/odoo-bin" ] || [ ! -f "$ODOO_DIR/odoo/release.py" ] \
        || ! grep -Eq '^version_info = \(18, 0' "$ODOO_DIR/odoo/release.py"; then
        die "no Odoo 18.0 source tree at '$ODOO_DIR'.
    Set ODOO_PATH to the folder that holds odoo-bin of an Odoo 18.0 Community checkout
    (or put one at /opt/odoo), or run the addon with Docker instead: 'docker compose up'."
    fi
    ADDONS_PATH="$ODOO_DIR/addons,$ODOO_DIR/odoo/addons,$ROOT"
}

# A virtualenv with Odoo's requirements and ours, rebuilt only when one of them changes.
ensure_venv() {
    local python="${PYTHON:-}"
    if [ -z "$python" ]; then
        for candidate in python3.11 python3; do
            if command -v "$candidate" >/dev/null 2>&1; then python="$candidate"; break; fi
        done
    fi
    [ -n "$python" ] || die "no python3 found; Odoo 18 needs Python 3.10-3.12 (3.11 recommended)."
    VENV="${RENTAL_RISK_VENV:-$HOME/.cache/rental_risk/venv}"
    local stamp
    stamp="$( { "$python" --version 2>&1; cat "$ODOO_DIR/requirements.txt" "$ROOT/requirements.txt" \
        "$ROOT/scripts/odoo_requirements.py"; } | sha256sum | cut -c1-16)"
    if [ -x "$VENV/bin/python" ] && [ "$(cat "$VENV/.rental_risk_stamp" 2>/dev/null)" = "$stamp" ]; then
        PY="$VENV/bin/python"
        return
    fi
    say "preparing the virtualenv $VENV (Odoo's requirements + requirements.txt)"
    rm -rf "$VENV"
    "$python" -m venv "$VENV" || die "could not create a virtualenv with $python"
    PY="$VENV/bin/python"
    "$PY" -m pip install -q --disable-pip-version-check --upgrade pip packaging \
        || die "pip could not install packaging"
    "$PY" "$ROOT/scripts/odoo_requirements.py" "$ODOO_DIR/requirements.txt" >"$VENV/odoo-requirements.txt" \
        || die "could not read $ODOO_DIR/requirements.txt"
    # Only pip's noise about the machine's missing local index is filtered out; grep exits 1
    # when it prints nothing (a quiet, successful install), which is not a failure.
    if ! (set -o pipefail; "$PY" -m pip install -q --disable-pip-version-check \
            -r "$VENV/odoo-requirements.txt" -r "$ROOT/requirements.txt" 2>&1 \
            | { grep -v "is ignored: it is neither a file nor a directory" || true; }); then
        die "pip could not install the requirements (see above)"
    fi
    echo "$stamp" >"$VENV/.rental_risk_stamp"
}

# PostgreSQL must answer on the local socket; start the local cluster if one is installed and down.
ensure_postgres() {
    if pg_isready -q 2>/dev/null; then return; fi
    if command -v pg_lsclusters >/dev/null 2>&1; then
        local version name
        read -r version name _ < <(pg_lsclusters --no-header | head -n 1)
        if [ -n "${version:-}" ]; then
            say "starting PostgreSQL cluster $version/$name"
            pg_ctlcluster --skip-systemctl-redirect "$version" "$name" start 2>/dev/null \
                || pg_ctlcluster "$version" "$name" start || true
        fi
    fi
    for _ in $(seq 1 30); do
        pg_isready -q 2>/dev/null && return
        sleep 1
    done
    die "PostgreSQL does not answer on the local socket. Start it, or set PGHOST/PGUSER for Odoo."
}

odoo_bin() {
    "$PY" "$ODOO_DIR/odoo-bin" --addons-path="$ADDONS_PATH" "$@"
}

# Odoo's browser tests (HttpCase.browser_js / start_tour) drive a headless Chromium through the
# websocket-client package; without either, Odoo skips every tour and the suite looks green.
# Finds Chromium or Chrome the way Odoo does; when none is there and this runs as root on a
# machine with apt-get (a CI runner), installs Debian's "chromium" package. Sets BROWSER_BIN
# (empty when there is none); under CI=true a missing browser or websocket-client stops the run.
ensure_browser() {
    BROWSER_BIN=""
    local candidate
    for candidate in google-chrome chromium chromium-browser google-chrome-stable; do
        if command -v "$candidate" >/dev/null 2>&1; then BROWSER_BIN="$(command -v "$candidate")"; break; fi
    done
    if [ -z "$BROWSER_BIN" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "no Chromium or Chrome found: installing Debian's 'chromium' package (apt-get install -y chromium)"
        if DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 \
            || { DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null 2>&1 \
                && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1; }; then
            BROWSER_BIN="$(command -v chromium || true)"
        fi
    fi
    if [ -n "$BROWSER_BIN" ]; then
        say "browser tours run with $BROWSER_BIN"
    elif [ "${CI:-}" = "true" ]; then
        die "no Chromium or Chrome on this machine and it could not be installed (apt-get as root).
    The browser tours cannot run: install the 'chromium' package (or Google Chrome) and retry."
    else
        say "WARNING: no Chromium or Chrome found: the browser tours will be skipped and counted as failures.
    Install the 'chromium' package (sudo apt-get install chromium) or Google Chrome."
    fi
    if ! "$PY" -c 'import websocket' 2>/dev/null; then
        [ "${CI:-}" = "true" ] && die "the virtualenv $VENV lacks websocket-client, which the browser tours need"
        say "WARNING: the virtualenv $VENV lacks websocket-client: the browser tours will be skipped"
    fi
}

# The PDF reports (contracts, receipts, statements, labels) are rendered by wkhtmltopdf and the
# module tests read them back with poppler's pdftotext/pdfinfo; Chinese contracts need a CJK
# font. Finds them; when one is missing and this runs as root on a machine with apt-get (a CI
# runner), installs Debian's "wkhtmltopdf", "poppler-utils" and "fonts-wqy-zenhei" packages.
# Under CI=true a missing tool stops the run; elsewhere the PDF tests fail saying what to install.
ensure_pdf() {
    local missing=() packages=()
    command -v wkhtmltopdf >/dev/null 2>&1 || { missing+=(wkhtmltopdf); packages+=(wkhtmltopdf); }
    if ! command -v pdftotext >/dev/null 2>&1 || ! command -v pdfinfo >/dev/null 2>&1; then
        missing+=(pdftotext); packages+=(poppler-utils)
    fi
    if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list :lang=zh 2>/dev/null | head -n 1)" ]; then
        missing+=("a CJK font"); packages+=(fonts-wqy-zenhei)
    fi
    if [ "${#packages[@]}" -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "missing ${missing[*]}: installing Debian's ${packages[*]} (apt-get install -y)"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${packages[@]}" >/dev/null 2>&1 \
            || { DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null 2>&1 \
                && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${packages[@]}" >/dev/null 2>&1; } \
            || say "apt-get could not install ${packages[*]}"
        missing=()
        command -v wkhtmltopdf >/dev/null 2>&1 || missing+=(wkhtmltopdf)
        command -v pdftotext >/dev/null 2>&1 || missing+=(pdftotext)
        [ -n "$(fc-list :lang=zh 2>/dev/null | head -n 1)" ] || missing+=("a CJK font")
    fi
    if [ "${#missing[@]}" = 0 ]; then
        say "PDF reports render with $(command -v wkhtmltopdf) ($(wkhtmltopdf --version 2>/dev/null | head -n 1))"
    elif [ "${CI:-}" = "true" ]; then
        die "missing ${missing[*]} and it could not be installed (apt-get as root).
    The PDF report tests cannot run: install wkhtmltopdf, poppler-utils and fonts-wqy-zenhei."
    else
        say "WARNING: missing ${missing[*]}: the PDF report tests will fail.
    Install them: sudo apt-get install wkhtmltopdf poppler-utils fonts-wqy-zenhei"
    fi
}
