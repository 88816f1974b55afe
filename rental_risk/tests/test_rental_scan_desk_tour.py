from odoo import fields
from odoo.tests import HttpCase, tagged

from .common_risk import RiskCommon


@tagged("post_install", "-at_install")
class TestRentalScanDeskTour(RiskCommon, HttpCase):
    """The scan desk in a browser, as the Rental Warehouse clerk uses it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Serials of their own: nothing else in the database is named like them.
        cls.desk_lots = cls._create_lots(cls.camera, ["TDESK-01", "TDESK-02"])
        cls.order = cls._order(lots=cls.desk_lots, qty=2)
        cls.order.action_confirm()
        cls.pickup = cls.order._rental_get_pickings("pickup")

    def test_clerk_scans_and_validates_from_the_menu(self):
        """Rentals > Scan: a scanned and a typed serial, validated with a success message."""
        self.start_tour("/odoo", "rental_risk_scan_desk_checkout", login=self.warehouse_user.login)
        self.assertEqual(self.pickup.state, "done")
        self.assertEqual(self.desk_lots.mapped("rental_state"), ["out", "out"])

    def test_wrong_scan_and_lock_shown_inline(self):
        """From the order's Check Out: a wrong scan and the risk lock are shown inline."""
        self._blacklist()
        states_before = self.desk_lots.mapped("rental_state")
        self.start_tour("/odoo", "rental_risk_scan_desk_errors", login=self.warehouse_user.login)
        self.assertNotEqual(self.pickup.state, "done")
        self.assertEqual(self.desk_lots.mapped("rental_state"), states_before)

    def test_today_board_opens_the_desk(self):
        """Rentals > Today: the pickup planned today is to pick up; its card opens the desk."""
        self.pickup.scheduled_date = fields.Datetime.now()
        self.start_tour("/odoo", "rental_risk_today_board", login=self.warehouse_user.login)
        move_line = self.pickup.move_line_ids.filtered(lambda ml: ml.lot_id.name == "TDESK-02")
        self.assertTrue(move_line.picked)
