from odoo.tests import HttpCase, new_test_user, tagged

from .common import RentalCommon


@tagged("post_install", "-at_install")
class TestAssetFaultTour(RentalCommon, HttpCase):
    """In the browser, without logging in: a customer reports a fault from the asset's QR page,
    the technician closes the request, the customer confirms the fix."""

    def test_customer_reports_technician_closes_customer_confirms(self):
        technician = new_test_user(self.env, login="rr_tour_technician", groups="base.group_user")
        self.lot_1._rental_ensure_equipment()
        self.lot_1.rental_equipment_id.technician_user_id = technician
        url = f"/rental/asset/{self.lot_1._rental_fault_token_get()}"
        self.start_tour(url, "rental_risk_asset_fault_report")
        request = self.env["maintenance.request"].search([("rental_lot_id", "=", self.lot_1.id)])
        self.assertEqual(len(request), 1)
        self.assertIn("zoom ring is stuck", request.description)
        self.assertEqual(request.user_id, technician)
        done = self.env["maintenance.stage"].search(
            [("done", "=", True)], order="sequence", limit=1
        )
        request.with_user(technician).write({"stage_id": done.id})
        self.start_tour(url, "rental_risk_asset_fault_confirm")
        self.assertTrue(request.rental_fix_confirmed_on)
