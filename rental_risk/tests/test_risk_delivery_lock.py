from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common_risk import RiskCommon


@tagged("post_install", "-at_install")
class TestRiskDeliveryLock(RiskCommon):
    """Pickups are refused when the customer is blacklisted (or has overdue invoices beyond the
    tolerance) at the moment of the pickup; a Risk Manager releases one pickup."""

    def _confirmed_order(self):
        order = self._order()
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        return order

    def _release(self, picking, user, reason="Customer paid cash at the counter."):
        action = picking.with_user(user).action_rental_risk_release()
        wizard = Form.from_action(self.env(user=user), action)
        wizard.reason = reason
        return wizard.save().action_release()

    def test_blacklisted_after_confirmation_locks_pickup(self):
        """Blacklisted after confirmation: validating the pickup is refused."""
        order = self._confirmed_order()
        self._blacklist()
        pickup = self._pickup(order)
        with self.assertRaises(UserError) as error:
            self._validate(pickup)
        self.assertIn("is blacklisted", str(error.exception))
        self.assertNotEqual(pickup.state, "done")

    def test_lock_holds_on_action_done_too(self):
        """The lock is server-side: _action_done refuses as well."""
        order = self._confirmed_order()
        self._blacklist()
        pickup = self._pickup(order)
        with self.assertRaises(UserError):
            pickup.with_user(self.warehouse_user)._action_done()

    def test_manager_releases_one_pickup(self):
        """A Risk Manager's release lets this pickup out, and is logged."""
        order = self._confirmed_order()
        self._blacklist()
        pickup = self._pickup(order)
        self._release(pickup, self.manager)
        self.assertEqual(pickup.rental_risk_released_by_id, self.manager)
        self._validate(pickup)
        self.assertEqual(pickup.state, "done")
        self.assertTrue(self._events("release", order=order))

    def test_warehouse_and_officer_cannot_release(self):
        """Only a Risk Manager releases."""
        order = self._confirmed_order()
        self._blacklist()
        pickup = self._pickup(order)
        for user in (self.warehouse_user, self.officer):
            with self.assertRaises(AccessError):
                pickup.with_user(user).action_rental_risk_release()
            wizard = self.env["stock.picking.risk.release"].create(
                {"picking_id": pickup.id, "reason": "Please"}
            )
            with self.assertRaises(AccessError):
                wizard.with_user(user).action_release()

    def test_overdue_beyond_tolerance_locks_pickup(self):
        """Overdue invoices beyond the tolerance at pickup time lock it (company setting)."""
        order = self._confirmed_order()
        self.company.rental_risk_overdue_min_amount = 10.0
        pickup = self._pickup(order)
        self._post_invoice(5.0, date.today() - timedelta(days=5))
        self.assertFalse(pickup._rental_risk_delivery_lock_reasons(), "within the tolerance")
        self._post_invoice(800.0, date.today() - timedelta(days=5))
        reasons = pickup._rental_risk_delivery_lock_reasons()
        self.assertEqual(len(reasons), 1)
        self.assertIn("overdue", reasons[0])
        with self.assertRaises(UserError):
            self._validate(pickup)
        self.company.rental_risk_lock_overdue_days = 10
        self.assertFalse(pickup._rental_risk_delivery_lock_reasons(), "younger than 10 days")
        self.company.rental_risk_lock_overdue_days = 0
        self.company.rental_risk_lock_overdue = False
        self.assertFalse(pickup._rental_risk_delivery_lock_reasons())

    def test_overdue_counts_days_where_the_user_is(self):
        """ "Overdue" is counted in days of the user's time zone (the context's, else the
        user's own), as everywhere in Odoo: at 20:00 UTC on 3 March an invoice due on 3 March
        is overdue in Kiribati (4 March already) and not yet in American Samoa."""
        order = self._confirmed_order()
        pickup = self._pickup(order)
        self.company.write(
            {"rental_risk_overdue_min_amount": 10.0, "rental_risk_lock_overdue_days": 0}
        )
        self._post_invoice(800.0, date(2031, 3, 3))
        with freeze_time("2031-03-03 20:00:00"):
            self.assertIn(
                pickup.id, pickup.with_context(tz="Pacific/Kiritimati")._rental_risk_lock_suspects()
            )
            self.assertNotIn(
                pickup.id, pickup.with_context(tz="Pacific/Pago_Pago")._rental_risk_lock_suspects()
            )
            clerk = pickup.with_user(self.warehouse_user).with_context(tz=False)
            self.warehouse_user.tz = "Pacific/Kiritimati"
            self.assertIn(pickup.id, clerk._rental_risk_lock_suspects())
            self.warehouse_user.tz = "Pacific/Pago_Pago"
            self.assertNotIn(pickup.id, clerk._rental_risk_lock_suspects())
