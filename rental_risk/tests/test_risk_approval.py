from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common_risk import RiskCommon


@tagged("post_install", "-at_install")
class TestRiskApproval(RiskCommon):
    """The approval flow, run as the salesperson, the approvers and the warehouse."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._rule("asset_value", "approval", amount=1000.0, approval_group_id=cls.officer_group.id)

    def _held_order(self):
        order = self._order().with_user(self.rental_user)
        order.action_confirm()
        self.assertEqual(order.rental_risk_approval_state, "waiting")
        return order

    def _decide(self, order, user, approve=True, comment="Known customer, fine."):
        action = order.with_user(user).action_rental_risk_review()
        wizard = Form.from_action(self.env(user=user), action)
        wizard.comment = comment
        record = wizard.save()
        return record.action_approve() if approve else record.action_reject()

    def test_held_order_gives_approvers_an_activity(self):
        """Held order: stays a quotation, approvers (not the salesperson) get an activity."""
        order = self._held_order()
        self.assertEqual(order.state, "draft")
        activity_users = order.activity_ids.user_id
        self.assertIn(self.officer, activity_users)
        self.assertIn(self.manager, activity_users)
        self.assertNotIn(self.rental_user, activity_users)
        self.assertTrue(self._events("approval_request", order=order))

    def test_approver_approves_and_order_confirms(self):
        """A Risk Officer approves with a comment: the order is confirmed and the decision kept."""
        order = self._held_order()
        self._decide(order, self.officer)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.rental_risk_approval_state, "approved")
        self.assertEqual(order.rental_risk_approved_by_id, self.officer)
        self.assertFalse(order.activity_ids)
        self.assertTrue(self._events("approval", order=order))

    def test_salesperson_cannot_approve_own_order(self):
        """The salesperson cannot approve the order, even as a member of the approver group."""
        self.rental_user.groups_id |= self.officer_group
        order = self._held_order()
        with self.assertRaises(AccessError):
            order.with_user(self.rental_user)._rental_risk_decide(True, "Mine, trust me")
        self.assertEqual(order.state, "draft")

    def test_warehouse_user_cannot_approve(self):
        """A user outside the approver group cannot approve."""
        order = self._held_order()
        with self.assertRaises(AccessError):
            order.with_user(self.warehouse_user)._rental_risk_decide(True, "Looks fine")

    def test_rejection_keeps_the_order_a_quotation(self):
        """A rejection with a comment stays; confirming the unchanged order is refused."""
        order = self._held_order()
        self._decide(order, self.manager, approve=False, comment="Too risky for now.")
        self.assertEqual(order.rental_risk_approval_state, "rejected")
        self.assertTrue(self._events("rejection", order=order))
        with self.assertRaises(UserError) as error:
            order.action_confirm()
        self.assertIn("Too risky for now.", str(error.exception))

    def test_comment_required(self):
        """A decision without a comment is refused."""
        order = self._held_order()
        with self.assertRaises(UserError):
            order.with_user(self.officer)._rental_risk_decide(True, " ")

    def test_edit_voids_waiting_request(self):
        """Changing a held order's lines withdraws the request."""
        order = self._held_order()
        line = order.order_line.filtered("is_rental")
        order.write({"order_line": [(1, line.id, {"price_unit": 1.0})]})
        self.assertEqual(order.rental_risk_approval_state, "none")
        self.assertFalse(order.activity_ids)
        self.assertTrue(self._events("approval_void", order=order))

    def test_approval_covers_the_order_as_approved(self):
        """An approval given, then a line changed directly: confirming asks again."""
        order = self._held_order()
        # An approval recorded (as _rental_risk_decide does) without confirming the order.
        self.env["rental.risk.decision"].with_user(self.officer)._record(
            "approve",
            "Approved, to be confirmed later.",
            partner=order.partner_id,
            order=order,
            fingerprint=order._rental_risk_fingerprint(),
            amount=order.amount_total,
            currency_id=order.currency_id.id,
        )
        self.assertEqual(order.rental_risk_approval_state, "approved")
        # A direct line write: sale.order.write never sees it.
        order.order_line.filtered("is_rental").sudo().product_uom_qty = 2
        order.action_confirm()
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.rental_risk_approval_state, "waiting")

    def test_raising_confirmed_amount_voids_and_locks_pickup(self):
        """Raising a confirmed order's amount voids the approval and locks its pickup."""
        order = self._held_order()
        self._decide(order, self.officer)
        self.assertEqual(order.state, "sale")
        line = order.order_line.filtered("is_rental")
        order.write({"order_line": [(1, line.id, {"price_unit": 900.0})]})
        self.assertEqual(order.rental_risk_approval_state, "waiting")
        with self.assertRaises(UserError) as error:
            self._validate(self._pickup(order))
        self.assertIn("waits for a risk approval", str(error.exception))
        self.assertEqual(order.rental_risk_approval_state, "waiting")
        self._decide(order, self.officer, comment="Higher price agreed.")
        self._validate(self._pickup(order))
        self.assertEqual(set(order.order_line.rental_booking_ids.mapped("state")), {"out"})
