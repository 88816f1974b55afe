"""End-to-end checks against a running Odoo server (started by scripts/test).

The server URL and database come from RR_ODOO_URL and RR_ODOO_DB; the database was installed
with demo data, so the demo admin (admin/admin) exists.
"""

import os
import xmlrpc.client

import pytest

URL = os.environ.get("RR_ODOO_URL")
DB = os.environ.get("RR_ODOO_DB")

pytestmark = pytest.mark.skipif(not (URL and DB), reason="needs a live server (scripts/test)")


@pytest.fixture(scope="module")
def rpc():
    common = xmlrpc.client.ServerProxy(f"{URL}/xmlrpc/2/common", allow_none=True)
    uid = common.authenticate(DB, "admin", "admin", {})
    assert uid, "the demo admin could not log in"
    models = xmlrpc.client.ServerProxy(f"{URL}/xmlrpc/2/object", allow_none=True)

    def call(model, method, *args, **kwargs):
        return models.execute_kw(DB, uid, "admin", model, method, list(args), kwargs)

    return call


def test_module_installed(rpc):
    """rental_risk is installed on the test database."""
    state = rpc("ir.module.module", "search_read", [("name", "=", "rental_risk")], fields=["state"])
    assert state == [{"id": state[0]["id"], "state": "installed"}]


def test_demo_serials_in_stock(rpc):
    """The demo rental house has serialized camera bodies in stock."""
    lots = rpc("stock.lot", "search_read", [("name", "like", "FX6-")], fields=["product_qty"])
    assert len(lots) == 3
    assert all(lot["product_qty"] == 1 for lot in lots)


def _demo_id(rpc, xmlid):
    module, name = xmlid.split(".")
    found = rpc(
        "ir.model.data",
        "search_read",
        [("module", "=", module), ("name", "=", name)],
        fields=["res_id"],
    )
    assert found, f"demo record {xmlid} is missing"
    return found[0]["res_id"]


def _rental_order(rpc, start, end, qty=1, product="rental_risk.product_sigma2470_demo"):
    product = _demo_id(rpc, product)
    partner = _demo_id(rpc, "rental_risk.partner_northlight_demo")
    line = {"product_id": product, "product_uom_qty": qty, "rental_start": start, "rental_end": end}
    return rpc("sale.order", "create", {"partner_id": partner, "order_line": [(0, 0, line)]})


def test_rental_order_confirmed_over_rpc_books_serials(rpc):
    """Confirming a rental order over RPC books free serials and prepares the pickup."""
    order_id = _rental_order(rpc, "2031-03-02 09:00:00", "2031-03-05 09:00:00", qty=2)
    rpc("sale.order", "action_confirm", [order_id])
    bookings = rpc(
        "rental.booking",
        "search_read",
        [("order_id", "=", order_id)],
        fields=["lot_id", "state", "date_start", "date_end"],
    )
    assert len(bookings) == 2
    assert {booking["state"] for booking in bookings} == {"reserved"}
    assert len({booking["lot_id"][0] for booking in bookings}) == 2
    order = rpc("sale.order", "read", [order_id], fields=["state", "rental_pickup_count"])[0]
    assert order["state"] == "sale"
    assert order["rental_pickup_count"] == 1


def test_overbooking_over_rpc_is_refused_and_nothing_written(rpc):
    """Asking over RPC for more serials than are free fails with a clear message."""
    order_id = _rental_order(rpc, "2031-04-06 09:00:00", "2031-04-08 09:00:00", qty=50)
    with pytest.raises(xmlrpc.client.Fault) as error:
        rpc("sale.order", "action_confirm", [order_id])
    assert "Sigma 24-70mm" in error.value.faultString
    assert rpc("rental.booking", "search_count", [("order_id", "=", order_id)]) == 0
    state = rpc("sale.order", "read", [order_id], fields=["state"])[0]["state"]
    assert state in ("draft", "sent")


def test_demo_clerk_scans_and_validates_over_xmlrpc(rpc):
    """The demo clerk logs in and works the scan desk over XML-RPC: every answer is a dict
    (XML-RPC cannot carry None), wrong scans included."""
    product = "rental_risk.product_skypanel_demo"
    order_id = _rental_order(rpc, "2031-06-01 09:00:00", "2031-06-03 09:00:00", product=product)
    rpc("sale.order", "action_confirm", [order_id])
    pickup = rpc(
        "stock.picking",
        "search_read",
        [("sale_id", "=", order_id), ("state", "not in", ("draft", "done", "cancel"))],
        fields=["name"],
    )[0]
    booking = rpc("rental.booking", "search_read", [("order_id", "=", order_id)], fields=["lot_id"])
    serial = rpc("stock.lot", "read", [booking[0]["lot_id"][0]], fields=["name"])[0]["name"]

    common = xmlrpc.client.ServerProxy(f"{URL}/xmlrpc/2/common")
    uid = common.authenticate(DB, "rental_clerk", "rental_clerk", {})
    assert uid, "the demo clerk could not log in"
    models = xmlrpc.client.ServerProxy(f"{URL}/xmlrpc/2/object")  # allow_none=False

    def desk(method, *args, **kwargs):
        result = models.execute_kw(
            DB, uid, "rental_clerk", "rental.scan.desk", method, list(args), kwargs
        )
        assert isinstance(result, dict)
        return result

    wrong = desk("scan_barcode", "NOPE-404")
    assert not wrong["ok"]
    assert "Unknown barcode NOPE-404" in wrong["error"]
    opened = desk("scan_barcode", pickup["name"])
    assert opened["ok"], opened["error"]
    assert opened["transfer"]["id"] == pickup["id"]
    scanned = desk("scan_barcode", serial, picking_id=pickup["id"])
    assert scanned["ok"], scanned["error"]
    assert [line["done"] for line in scanned["transfer"]["lines"]] == [True]
    validated = desk("validate_transfer", pickup["id"])
    assert validated["ok"], validated["error"]
    assert validated["summary"]["serials"] == [serial]
    state = rpc("stock.picking", "read", [pickup["id"]], fields=["state"])[0]["state"]
    assert state == "done"
