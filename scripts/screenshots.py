"""README screenshots of a running Odoo with the rental_risk demo (see scripts/screenshots).

Logs in as admin over JSON-RPC, then drives headless Chromium through the DevTools protocol
(websocket-client, already needed by the browser tours): each page is opened with the session
cookie, waited for, and saved as a PNG.

Usage: python scripts/screenshots.py URL DB CHROMIUM OUTPUT_DIR
"""

import base64
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import requests
import websocket

WIDTH, HEIGHT = 1440, 900


def rpc(session, url, route, params):
    reply = session.post(f"{url}{route}", json={"jsonrpc": "2.0", "params": params}, timeout=60)
    reply.raise_for_status()
    body = reply.json()
    if "error" in body:
        raise SystemExit(f"{route}: {body['error']['data']['message']}")
    return body["result"]


def xmlid(session, url, name):
    """Database id of the record ``name`` (module.name)."""
    module, ref = name.split(".")
    rows = rpc(
        session,
        url,
        "/web/dataset/call_kw",
        {
            "model": "ir.model.data",
            "method": "search_read",
            "args": [[("module", "=", module), ("name", "=", ref)], ["res_id"]],
            "kwargs": {},
        },
    )
    if not rows:
        raise SystemExit(f"{name} is missing: was the database installed with demo data?")
    return rows[0]["res_id"]


class Browser:
    """Just enough of the DevTools protocol: navigate, evaluate, screenshot."""

    def __init__(self, chromium):
        self.profile = tempfile.TemporaryDirectory()
        self.process = subprocess.Popen(
            [
                chromium,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--window-size={WIDTH},{HEIGHT}",
                "--remote-debugging-port=0",
                f"--user-data-dir={self.profile.name}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self.profile.name) / "DevToolsActivePort"
        for _ in range(100):
            if port_file.exists() and port_file.read_text().strip():
                break
            time.sleep(0.2)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as answer:
            page = next(t for t in json.load(answer) if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        self.next_id = 0

    def send(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise SystemExit(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    def wait_for(self, selector, timeout=180):
        """Wait until ``selector`` is on the page and the web client is idle."""
        check = (
            f"!!document.querySelector({json.dumps(selector)}) && "
            "!document.querySelector('.o_loading_indicator, .o_blockUI')"
        )
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.evaluate(check):
                time.sleep(1.0)  # let animations and late RPCs settle
                return
            time.sleep(0.3)
        where = self.evaluate("location.href + ' ' + document.title")
        self.shot(Path(tempfile.gettempdir()) / "rental_risk_screenshot_timeout.png")
        raise SystemExit(f"timed out waiting for {selector} on {where}")

    def shot(self, path):
        data = self.send("Page.captureScreenshot", format="png")["data"]
        Path(path).write_bytes(base64.b64decode(data))
        print(f"saved {path}")

    def close(self):
        self.ws.close()
        self.process.terminate()
        self.process.wait(timeout=10)
        self.profile.cleanup()


def click_tab(name):
    """JavaScript clicking the notebook tab ``name`` of a form."""
    return (
        "[...document.querySelectorAll('.o_notebook .nav-link')]"
        f".find(a => a.textContent.trim() === {json.dumps(name)}).click()"
    )


def main(url, db, chromium, out_dir):
    session = requests.Session()
    rpc(
        session, url, "/web/session/authenticate", {"db": db, "login": "admin", "password": "admin"}
    )
    partner = xmlid(session, url, "rental_risk.partner_quickshot_demo")
    orders = rpc(
        session,
        url,
        "/web/dataset/call_kw",
        {
            "model": "sale.order",
            "method": "search",
            "args": [[("partner_id", "=", partner), ("state", "=", "draft")]],
            "kwargs": {"limit": 1},
        },
    )
    northlight = xmlid(session, url, "rental_risk.partner_northlight_demo")
    pickups = rpc(
        session,
        url,
        "/web/dataset/call_kw",
        {
            "model": "stock.picking",
            "method": "search_read",
            "args": [
                [
                    ("partner_id", "=", northlight),
                    ("rental_operation", "=", "pickup"),
                    ("state", "not in", ("draft", "done", "cancel")),
                ],
                ["name"],
            ],
            "kwargs": {"limit": 1},
        },
    )
    # The scan desk with today's pickup opened, as after scanning its name.
    open_pickup = (
        "const input = document.querySelector('.o_rental_scan_input');"
        f"input.value = {json.dumps(pickups[0]['name'])};"
        "input.dispatchEvent(new Event('input', {bubbles: true}));"
        "input.closest('form').requestSubmit();"
    )
    pages = [
        (
            f"/odoo/action-rental_risk.sale_order_action_rental/{orders[0]}",
            ".o_form_view .o_notebook",
            click_tab("Risk"),
            "screenshot_quotation.png",
        ),
        (
            f"/odoo/action-rental_risk.res_partner_action_risk/{partner}",
            ".o_form_view .o_notebook",
            click_tab("Risk"),
            "screenshot_partner_risk.png",
        ),
        (
            "/odoo/action-rental_risk.rental_scan_desk_action",
            ".o_rental_scan_input",
            open_pickup,
            "screenshot_scan_desk.png",
        ),
        (
            "/odoo/rental-risk-dashboard",
            ".o_rental_risk_dashboard .o_rrd_grid",
            None,
            "screenshot_risk_dashboard.png",
        ),
    ]
    browser = Browser(chromium)
    try:
        browser.send("Network.enable")
        browser.send(
            "Network.setCookie",
            name="session_id",
            value=session.cookies["session_id"],
            url=url,
        )
        browser.send(
            "Emulation.setDeviceMetricsOverride",
            width=WIDTH,
            height=HEIGHT,
            deviceScaleFactor=1,
            mobile=False,
        )
        browser.send("Page.enable")
        for path, selector, action, name in pages:
            browser.send("Page.navigate", url=f"{url}{path}")
            browser.wait_for(selector)
            if action:
                browser.evaluate(action)
                time.sleep(2.5)
            browser.shot(Path(out_dir) / name)
    finally:
        browser.close()


if __name__ == "__main__":
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
