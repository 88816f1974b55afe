from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common_order import RentalOrderCommon

#: Risk fields of a customer (res.partner) and of an order that no customer may read.
PARTNER_RISK_FIELDS = (
    "rental_score",
    "rental_grade",
    "rental_grade_computed",
    "rental_credit_limit",
    "rental_exposure",
    "rental_available_credit",
    "rental_commercial_grade",
    "rental_commercial_score",
)
ORDER_RISK_FIELDS = (
    "rental_risk_grade",
    "rental_risk_credit_limit",
    "rental_risk_partner_exposure",
    "rental_risk_available_credit",
    "rental_risk_panel",
    "rental_claim_ids",
)


@tagged("post_install", "-at_install")
class TestRentalPortal(RentalOrderCommon, HttpCase):
    """A customer's portal: their rental orders with the serials out and due dates, deposit
    and claims; an extension request; and nothing of scores, grades, limits or other
    customers, on the pages nor over RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls._create_rental_order(lots=cls.lot_1)
        cls.order.action_confirm()
        cls.portal_user = new_test_user(
            cls.env,
            login="rr_portal",
            groups="base.group_portal",
            partner_id=cls.customer.id,
            name=cls.customer.name,
            email=cls.customer.email,
        )
        cls.other_customer = cls.env["res.partner"].create({"name": "Other Rental Customer"})
        cls.other_order = cls._create_rental_order(lots=cls.lot_2, partner_id=cls.other_customer.id)
        cls.other_order.action_confirm()

    def test_portal_order_page_shows_serials_and_extension(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        page = self.url_open(f"/my/orders/{self.order.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("o_rental_portal_serials", page.text)
        self.assertIn("TCAM-01", page.text)
        self.assertNotIn("TCAM-02", page.text)
        for word in ("Risk Grade", "Credit Limit", "rental_score", "Exposure"):
            self.assertNotIn(word, page.text)
        # Another customer's order: back to the portal home, nothing shown.
        other = self.url_open(f"/my/orders/{self.other_order.id}")
        self.assertNotIn(self.other_order.name, other.text)
        self.assertNotIn("TCAM-02", other.text)

    def test_extension_request_creates_activity_for_salesperson(self):
        self.order.user_id = self.rental_user
        self.authenticate(self.portal_user.login, self.portal_user.login)
        page = self.url_open(f"/my/orders/{self.order.id}")
        csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        # Before the current return date: refused, no activity.
        refused = self.url_open(
            f"/my/orders/{self.order.id}/rental/extend",
            data={"csrf_token": csrf, "end": "2031-03-05T17:00"},
        )
        self.assertNotIn("o_rental_extension_sent", refused.text)
        self.assertFalse(self._extension_activities(self.order))
        response = self.url_open(
            f"/my/orders/{self.order.id}/rental/extend",
            data={"csrf_token": csrf, "end": "2031-03-10T17:00", "note": "One more week"},
        )
        self.assertIn("o_rental_extension_sent", response.text)
        activity = self._extension_activities(self.order)
        self.assertEqual(activity.user_id, self.rental_user)
        self.assertIn("One more week", str(activity.note))
        # Another customer's order cannot be extended.
        self.url_open(
            f"/my/orders/{self.other_order.id}/rental/extend",
            data={"csrf_token": csrf, "end": "2031-03-10T17:00"},
        )
        self.assertFalse(self._extension_activities(self.other_order))
        # Asking again while one waits adds nothing.
        self.url_open(
            f"/my/orders/{self.order.id}/rental/extend",
            data={"csrf_token": csrf, "end": "2031-03-12T17:00"},
        )
        self.assertEqual(len(self._extension_activities(self.order)), 1)

    def _extension_activities(self, order):
        return order.activity_ids.filtered(lambda a: a.summary == "Rental extension requested")

    def test_portal_reads_own_rental_and_not_others(self):
        order = self.order.with_user(self.portal_user)
        self.assertEqual(order.read(["name"])[0]["name"], self.order.name)
        self.assertEqual(order.order_line.read(["rental_start"])[0]["rental_start"], self.start)
        with self.assertRaises(AccessError):
            self.other_order.with_user(self.portal_user).read(["name"])
        with self.assertRaises(AccessError):
            self.other_customer.with_user(self.portal_user).read(["name"])

    def test_portal_refused_on_risk_fields_and_risk_models(self):
        partner = self.customer.with_user(self.portal_user)
        for field in PARTNER_RISK_FIELDS:
            with self.subTest(field=field), self.assertRaises(AccessError):
                partner.read([field])
        for field in ORDER_RISK_FIELDS:
            with self.subTest(field=field), self.assertRaises(AccessError):
                self.order.with_user(self.portal_user).read([field])
        for model in (
            "rental.score.history",
            "rental.damage.claim",
            "rental.booking",
            "stock.lot",
            "maintenance.request",
            "rental.risk.event",
        ):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(self.portal_user).search_read([], ["id"], limit=1)

    def test_portal_rpc_read_of_score_fails(self):
        """The same refusal over the JSON-RPC the web client uses; the name is readable."""
        self.authenticate(self.portal_user.login, self.portal_user.login)

        def call(fields):
            return self.make_jsonrpc_request(
                "/web/dataset/call_kw/res.partner/read",
                {
                    "model": "res.partner",
                    "method": "read",
                    "args": [[self.customer.id], fields],
                    "kwargs": {},
                },
            )

        self.assertEqual(call(["name"])[0]["name"], self.customer.name)
        for field in ("rental_score", "rental_grade", "rental_credit_limit"):
            with (
                self.subTest(field=field),
                mute_logger("odoo.http"),
                self.assertRaises(JsonRpcException),
            ):
                call([field])
