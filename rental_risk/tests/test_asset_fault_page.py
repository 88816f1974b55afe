import re
import secrets

from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import RentalCommon


@tagged("post_install", "-at_install")
class TestAssetFaultPage(RentalCommon, HttpCase):
    """The public page of an asset (QR code of its label): found by its token only, shows the
    product and serial and nothing else, takes fault reports (rate-limited) and the customer's
    confirmation of the fix."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls._create_sale_order()
        cls.order.partner_id.name = "Zebulon Secretcustomer"
        cls._as_life_cycle(
            cls.lot_1,
            rental_state="out",
            rental_partner_id=cls.customer.id,
            rental_order_id=cls.order.id,
        )
        cls.technician = new_test_user(cls.env, login="rr_technician", groups="base.group_user")
        cls.lot_1._rental_ensure_equipment()
        cls.lot_1.rental_equipment_id.technician_user_id = cls.technician
        cls.env["ir.config_parameter"].sudo().set_param(
            "rental_risk.fault_report_hourly_limit", "2"
        )
        cls.done_stage = cls.env["maintenance.stage"].search(
            [("done", "=", True)], order="sequence, id", limit=1
        )

    def _url(self, lot=None):
        return f"/rental/asset/{(lot or self.lot_1)._rental_fault_token_get()}"

    def _csrf(self, url):
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def _report(self, lot=None, description="The lens motor clicks and stops.", photos=None):
        url = self._url(lot)
        return self.url_open(
            f"{url}/report",
            data={"csrf_token": self._csrf(url), "description": description},
            files=photos or {},
        )

    def _requests(self, lot=None):
        return self.env["maintenance.request"].search(
            [("rental_lot_id", "=", (lot or self.lot_1).id), ("rental_via_qr", "=", True)]
        )

    def test_unknown_forged_and_replaced_tokens_are_404(self):
        for url in (
            "/rental/asset/abc",
            f"/rental/asset/{secrets.token_urlsafe(32)}",
            f"/rental/asset/{self.lot_1.id}",
            f"/rental/asset/{self.lot_1.name}",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.url_open(url).status_code, 404)
        old = self._url()
        self.lot_1.with_user(self.manager).action_rental_regenerate_fault_token()
        self.assertEqual(self.url_open(old).status_code, 404, "a replaced token is refused")
        event = self.env["rental.risk.event"].search([("event_type", "=", "qr_token")], limit=1)
        self.assertEqual(event.user_id, self.manager)
        self.assertIn("TCAM-01", event.details)
        self.assertEqual(self.url_open(self._url()).status_code, 200)

    def test_page_shows_asset_and_no_customer_data(self):
        page = self.url_open(self._url())
        self.assertEqual(page.status_code, 200)
        self.assertIn("Test Cinema Camera", page.text)
        self.assertIn("TCAM-01", page.text)
        for secret in ("Zebulon", "Secretcustomer", self.order.name, "TCAM-02", "customer@example"):
            self.assertNotIn(secret, page.text)

    def test_report_creates_dispatched_request_with_photos(self):
        png = (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00"
            b"\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05"
            b"\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
        )
        response = self._report(photos={"photos": ("motor.png", png, "image/png")})
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_rental_fault_reported", response.text)
        request = self._requests()
        self.assertEqual(len(request), 1)
        self.assertEqual(request.rental_order_id, self.order)
        self.assertEqual(request.equipment_id, self.lot_1.rental_equipment_id)
        self.assertEqual(request.user_id, self.technician)
        self.assertIn("lens motor clicks", request.description)
        self.assertTrue(
            request.activity_ids.filtered(lambda a: a.user_id == self.technician),
            "the technician got an activity",
        )
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", "maintenance.request"), ("res_id", "=", request.id)]
        )
        self.assertEqual(attachments.mapped("name"), ["motor.png"])

    def test_rate_limit_refuses_politely(self):
        self.assertIn("o_rental_fault_reported", self._report().text)
        self.assertIn("o_rental_fault_reported", self._report().text)
        refused = self._report()
        self.assertEqual(refused.status_code, 200)
        self.assertIn("o_rental_fault_error", refused.text)
        self.assertEqual(len(self._requests()), 2, "the third report in the hour is refused")
        # The same address is refused on another asset too (limit per IP).
        self.assertIn("o_rental_fault_error", self._report(self.lot_2).text)
        self.assertFalse(self._requests(self.lot_2))

    def test_rate_limit_per_token(self):
        self.lot_3._rental_report_fault("Broken", ip="10.0.0.1")
        self.lot_3._rental_report_fault("Broken", ip="10.0.0.2")
        with self.assertRaises(UserError):
            self.lot_3._rental_report_fault("Broken", ip="10.0.0.3")

    def test_customer_confirms_fix_once(self):
        self._report()
        request = self._requests()
        page = self.url_open(self._url())
        self.assertNotIn("o_rental_confirm_fixed", page.text, "not repaired yet")
        request.stage_id = self.done_stage
        url = self._url()
        page = self.url_open(url)
        self.assertIn("Confirm fixed", page.text)
        confirm = f"{url}/confirm/{request.id}"
        response = self.url_open(confirm, data={"csrf_token": self._csrf(url)})
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_rental_fix_confirmed", response.text)
        self.assertTrue(request.rental_fix_confirmed_on)
        again = self.url_open(confirm, data={"csrf_token": self._csrf(url)})
        self.assertEqual(again.status_code, 404, "confirmed once")
        # Another asset's page cannot confirm this request.
        other = self._url(self.lot_2)
        self.assertEqual(
            self.url_open(
                f"{other}/confirm/{request.id}", data={"csrf_token": self._csrf(other)}
            ).status_code,
            404,
        )

    def test_token_refused_on_raw_write(self):
        for user in (self.manager, self.env.ref("base.user_admin")):
            with self.subTest(user=user.login), self.assertRaises(UserError):
                self.lot_1.with_user(user).sudo().write({"rental_fault_token": "x" * 43})
        with self.assertRaises(UserError):
            self.lot_1.with_user(self.warehouse_user).action_rental_regenerate_fault_token()
