"""Print the demo rental contract of a running Odoo as PDF (see scripts/contract_picture).

Logs in as admin over JSON-RPC (which also points web.base.url, where wkhtmltopdf fetches the
report's styles, at this server), finds the confirmed order of the demo customer Northlight
Films and downloads its contract from Odoo's report route.

Usage: python scripts/contract_picture.py URL DB OUTPUT_PDF
"""

import sys
from pathlib import Path

import requests


def rpc(session, url, route, params):
    reply = session.post(f"{url}{route}", json={"jsonrpc": "2.0", "params": params}, timeout=60)
    reply.raise_for_status()
    body = reply.json()
    if "error" in body:
        raise SystemExit(f"{route}: {body['error']['data']['message']}")
    return body["result"]


def call(session, url, model, method, *args, **kwargs):
    return rpc(
        session,
        url,
        "/web/dataset/call_kw",
        {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
    )


def main(url, db, output):
    session = requests.Session()
    rpc(
        session, url, "/web/session/authenticate", {"db": db, "login": "admin", "password": "admin"}
    )
    partner = call(
        session,
        url,
        "ir.model.data",
        "search_read",
        [("module", "=", "rental_risk"), ("name", "=", "partner_northlight_demo")],
        ["res_id"],
    )
    if not partner:
        raise SystemExit("the demo customer Northlight Films is missing: install with demo data")
    orders = call(
        session,
        url,
        "sale.order",
        "search",
        [("partner_id", "=", partner[0]["res_id"]), ("state", "=", "sale")],
        order="id desc",
        limit=1,
    )
    if not orders:
        raise SystemExit("no confirmed rental order of Northlight Films in the demo data")
    reply = session.get(
        f"{url}/report/pdf/rental_risk.report_rental_contract/{orders[0]}", timeout=300
    )
    reply.raise_for_status()
    if not reply.content.startswith(b"%PDF"):
        raise SystemExit("the server did not return a PDF (is wkhtmltopdf installed?)")
    Path(output).write_bytes(reply.content)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
