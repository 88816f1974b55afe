from datetime import date

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common_risk import RiskCommon


@tagged("post_install", "-at_install")
class TestUiTours(RiskCommon, HttpCase):
    """The main flows, clicked through in Chromium by the people who do them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for user in (cls.rental_user, cls.officer, cls.manager):
            user.tour_enabled = False
        # Only the rules the flows need: a blacklisted customer is blocked, an order over the
        # credit limit waits for a Risk Officer (Risk Managers are officers too).
        cls._rule("blacklisted", "block")
        cls._rule("over_limit", "approval", approval_group_id=cls.officer_group.id)
        cls.film_crew = cls.env["res.partner"].create(
            {"name": "Tour Film Crew", "user_id": cls.rental_user.id}
        )

    def _orders_of(self, partner):
        return self.env["sale.order"].search([("partner_id", "=", partner.id)])

    def test_salesperson_quotes_and_confirms_a_rental(self):
        """A Rental User quotes a camera for a period with serial TCAM-02 and confirms it."""
        self.start_tour(
            "/odoo/action-rental_risk.sale_order_action_rental",
            "rental_risk_quote_and_confirm",
            login=self.rental_user.login,
        )
        order = self._orders_of(self.film_crew)
        self.assertEqual(len(order), 1)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.user_id, self.rental_user)
        line = order.order_line.filtered("is_rental")
        self.assertEqual(line.rental_lot_ids, self.lot_2)
        self.assertEqual(line.rental_start.date(), date(2031, 3, 3))
        self.assertEqual(line.rental_end.date(), date(2031, 3, 7))
        self.assertTrue(line.rental_booking_ids, "the serial is booked for the period")

    def test_blacklisted_customer_warned_and_blocked(self):
        """Choosing a blacklisted customer warns before saving; the confirmation is refused."""
        blacklisted = self.env["res.partner"].create(
            {"name": "Tour Blacklisted Customer", "user_id": self.rental_user.id}
        )
        self._blacklist(blacklisted)
        # The refusal is a UserError, which the server logs as a warning: it is expected here.
        with mute_logger("odoo.http"):
            self.start_tour(
                "/odoo/action-rental_risk.sale_order_action_rental",
                "rental_risk_blacklisted_customer",
                login=self.rental_user.login,
            )
        order = self._orders_of(blacklisted)
        self.assertEqual(len(order), 1)
        self.assertEqual(order.state, "draft")
        self.assertFalse(order.order_line.rental_booking_ids)

    def test_risk_manager_approves_a_held_order(self):
        """An order over the credit limit waits; a Risk Manager approves it in the browser."""
        held = self.env["res.partner"].create(
            {"name": "Tour Held Customer", "user_id": self.rental_user.id}
        )
        self._set_limit(held, 10.0)
        order = self._order(partner_id=held.id).with_user(self.rental_user)
        order.action_confirm()
        self.assertEqual(order.rental_risk_approval_state, "waiting")
        self.start_tour(
            "/odoo/action-rental_risk.sale_order_action_risk_waiting",
            "rental_risk_approve_held_order",
            login=self.manager.login,
        )
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.rental_risk_approval_state, "approved")
        self.assertEqual(order.rental_risk_approved_by_id, self.manager)
