"""The risk gate over XML-RPC, the path every integration, import and script takes: the write
bypasses of risk decisions and figures are refused with a sentence, whoever asks, and nothing
is changed. Runs against the server scripts/test starts (RR_ODOO_URL, RR_ODOO_DB)."""

import os
import xmlrpc.client

import pytest

URL = os.environ.get("RR_ODOO_URL")
DB = os.environ.get("RR_ODOO_DB")

pytestmark = pytest.mark.skipif(not (URL and DB), reason="needs a live server (scripts/test)")

REFUSAL = "cannot be set directly"


def _client(login, password):
    common = xmlrpc.client.ServerProxy(f"{URL}/xmlrpc/2/common", allow_none=True)
    uid = common.authenticate(DB, login, password, {})
    assert uid, f"{login} could not log in"
    models = xmlrpc.client.ServerProxy(f"{URL}/xmlrpc/2/object", allow_none=True)

    def call(model, method, *args, **kwargs):
        return models.execute_kw(DB, uid, password, model, method, list(args), kwargs)

    return call


@pytest.fixture(scope="module")
def admin():
    return _client("admin", "admin")


def _ref(admin, xmlid):
    module, name = xmlid.split(".")
    rows = admin(
        "ir.model.data",
        "search_read",
        [("module", "=", module), ("name", "=", name)],
        fields=["res_id"],
    )
    assert rows, f"{xmlid} is missing"
    return rows[0]["res_id"]


@pytest.fixture(scope="module")
def users(admin):
    """A salesperson (Rental User) and a warehouse user, with passwords, made over RPC."""
    made = {}
    for login, group in (
        ("rpc_sales", "rental_risk.rental_risk_group_user"),
        ("rpc_warehouse", "rental_risk.rental_risk_group_warehouse"),
    ):
        admin(
            "res.users",
            "create",
            {
                "name": login,
                "login": login,
                "password": f"{login}-pass",
                "groups_id": [(4, _ref(admin, group))],
            },
        )
        made[login] = _client(login, f"{login}-pass")
    return made


@pytest.fixture(scope="module")
def customer(admin):
    return admin("res.partner", "create", {"name": "RPC Gate Customer"})


def _refused(call, *args, **kwargs):
    with pytest.raises(xmlrpc.client.Fault) as fault:
        call(*args, **kwargs)
    return fault.value.faultString


def test_customer_risk_figures_refused_over_rpc(admin, users, customer):
    """Score, grade, override, limit, blacklist, KYC: refused for a salesperson and admin."""
    before = admin(
        "res.partner",
        "read",
        [customer],
        fields=["rental_grade", "rental_credit_limit", "rental_blacklisted", "rental_kyc_verified"],
    )[0]
    for call in (users["rpc_sales"], admin):
        for vals in (
            {"rental_score": 100},
            {"rental_grade": "A"},
            {"rental_grade_override": "A"},
            {"rental_credit_limit": 1e9, "rental_credit_limit_manual": True},
            {"rental_blacklisted": True},
            {"rental_kyc_verified": True},
            {"rental_exposure_at_scoring": 123.0},
        ):
            message = _refused(call, "res.partner", "write", [customer], vals)
            if call is admin or "rental_score" not in vals:
                assert REFUSAL in message or "not allowed" in message, message
    after = admin("res.partner", "read", [customer], fields=list(before)[1:])[0]
    assert after == before


def test_customer_created_with_a_limit_is_refused(admin, users):
    """A customer created with a hand-set limit of 1e9 is refused, and not created."""
    for call in (users["rpc_sales"], admin):
        message = _refused(
            call,
            "res.partner",
            "create",
            {"name": "RPC Forged", "rental_credit_limit": 1e9, "rental_credit_limit_manual": True},
        )
        assert REFUSAL in message or "not allowed" in message
    assert admin("res.partner", "search_count", [("name", "=", "RPC Forged")]) == 0


def test_order_approval_and_rental_nature_refused_over_rpc(admin, users, customer):
    """A salesperson cannot approve an order nor clear its rental nature by a write."""
    product = _ref(admin, "rental_risk.product_sigma2470_demo")
    sales = users["rpc_sales"]
    order = sales(
        "sale.order",
        "create",
        {
            "partner_id": customer,
            "order_line": [
                (
                    0,
                    0,
                    {
                        "product_id": product,
                        "product_uom_qty": 1,
                        "rental_start": "2032-05-03 09:00:00",
                        "rental_end": "2032-05-05 09:00:00",
                    },
                )
            ],
        },
    )
    for vals in (
        {"rental_risk_approval_state": "approved"},
        {"is_rental_order": False},
        {"rental_risk_deposit_percent": 0.0, "rental_risk_insurance_required": True},
    ):
        assert REFUSAL in _refused(sales, "sale.order", "write", [order], vals)
        assert REFUSAL in _refused(admin, "sale.order", "write", [order], vals)
    row = admin(
        "sale.order", "read", [order], fields=["rental_risk_approval_state", "is_rental_order"]
    )
    assert row[0]["rental_risk_approval_state"] == "none"
    assert row[0]["is_rental_order"] is True


def test_release_and_decisions_refused_over_rpc(admin, users):
    """Nobody writes a pickup release, a decision or the score history over RPC."""
    pickings = admin("stock.picking", "search", [("picking_type_code", "=", "outgoing")], limit=1)
    if pickings:
        for call in (users["rpc_warehouse"], admin):
            assert REFUSAL in _refused(
                call, "stock.picking", "write", pickings, {"rental_risk_released_by_id": 2}
            )
    for call in (users["rpc_sales"], admin):
        _refused(
            call,
            "rental.risk.decision",
            "create",
            {"kind": "approve", "reason": "forged", "user_id": 2, "company_id": 1},
        )
    history = admin("rental.score.history", "search", [], limit=1)
    if history:
        _refused(admin, "rental.score.history", "unlink", history)
        _refused(admin, "rental.score.history", "write", history, {"score": 100})


def test_wrong_types_answer_with_a_sentence(admin, customer):
    """A string where a date is expected, or several serials where one is: a sentence."""
    product = _ref(admin, "rental_risk.product_sigma2470_demo")
    message = _refused(
        admin,
        "sale.order",
        "create",
        {
            "partner_id": customer,
            "order_line": [(0, 0, {"product_id": product, "rental_start": "next tuesday"})],
        },
    )
    assert "must be a date and time" in message
    assert "stray" not in message
    lots = admin("stock.lot", "search", [("name", "like", "FX6-")])
    message = _refused(admin, "stock.lot", "action_rental_open_bookings", lots)
    assert "one" in message and "Expected singleton" not in message
