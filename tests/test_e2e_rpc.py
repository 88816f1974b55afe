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
