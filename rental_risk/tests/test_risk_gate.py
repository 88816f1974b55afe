from datetime import date, timedelta

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_risk import RiskCommon


@tagged("post_install", "-at_install")
class TestRiskGate(RiskCommon):
    """The risk check runs on every path by which gear leaves: confirmation, rental lines added
    or changed after it, duplicated orders, and every outgoing transfer of rental gear; what
    the rules require (insurance, deposit, prepayment) is required before the pickup."""

    def _confirmed(self, **vals):
        order = self._order(**vals)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        return order

    def _add_lens(self, order):
        """Add a rental line (a lens, same period) to ``order`` as a salesperson would."""
        return order.with_user(self.rental_user).write(
            {
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.lens.id,
                            "product_uom_qty": 1,
                            "rental_start": self.start,
                            "rental_end": self.end,
                        }
                    )
                ]
            }
        )

    # ------------------------------------------------------------------
    # The rental nature of an order
    # ------------------------------------------------------------------

    def test_rental_nature_follows_the_lines(self):
        """is_rental_order cannot be cleared by anyone: a blacklisted customer stays blocked."""
        self._rule("blacklisted", "block")
        self._blacklist()
        order = self._order()
        for env_user in (self.rental_user, self.manager):
            with self.assertRaises(UserError):
                order.with_user(env_user).write({"is_rental_order": False})
        with self.assertRaises(UserError):
            order.sudo().write({"is_rental_order": False})
        self.assertTrue(order.is_rental_order)
        with self.assertRaises(UserError):
            order.with_user(self.rental_user).action_confirm()
        self.assertEqual(order.state, "draft")
        self.assertFalse(order.order_line.rental_booking_ids)

    def test_duplicated_order_is_checked_again(self):
        """A copy of a blocked order is blocked the same way."""
        self._rule("blacklisted", "block")
        order = self._order()
        self._blacklist()
        copy = order.copy()
        with self.assertRaises(UserError):
            copy.action_confirm()
        self.assertEqual(copy.state, "draft")

    # ------------------------------------------------------------------
    # Changes after confirmation
    # ------------------------------------------------------------------

    def test_line_added_to_confirmed_order_is_blocked(self):
        """Blacklisted after confirmation: a rental line added later is refused, not booked."""
        self._rule("blacklisted", "block")
        order = self._confirmed()
        self._blacklist()
        with self.assertRaises(UserError) as error:
            self._add_lens(order)
        self.assertIn("refuse this change", str(error.exception))
        self.assertEqual(len(order.order_line), 1)
        self.assertFalse(self.lens_lots.rental_booking_ids)

    def test_line_added_over_the_limit_waits_for_approval(self):
        """Over the limit after a line is added: the order waits, its pickup is locked."""
        self._rule("over_limit", "approval", approval_group_id=self.officer_group.id)
        self._set_limit(self.customer, 600.0)
        order = self._confirmed()
        self.assertEqual(order.rental_risk_approval_state, "none")
        self._add_lens(order)
        self.assertEqual(order.rental_risk_approval_state, "waiting")
        self.assertIn("over the credit limit", order.rental_risk_approval_reasons)
        with self.assertRaises(UserError) as error:
            self._validate(self._pickup(order))
        self.assertIn("waits for a risk approval", str(error.exception))
        order.with_user(self.officer)._rental_risk_decide(True, "Customer is good for it.")
        self.assertEqual(order.rental_risk_approval_state, "approved")
        self._validate(self._pickup(order))
        self.assertEqual(self.lot_1.rental_state, "out")

    def test_price_raised_on_confirmed_line_is_checked(self):
        """Raising the price of a confirmed rental line runs the rules again."""
        self._rule("over_limit", "block")
        self._set_limit(self.customer, 600.0)
        order = self._confirmed()
        line = order.order_line.filtered("is_rental")
        with self.assertRaises(UserError):
            line.with_user(self.rental_user).price_unit = 5000.0
        self.assertLess(line.price_unit, 5000.0)

    # ------------------------------------------------------------------
    # Outgoing transfers
    # ------------------------------------------------------------------

    def _delivery(self, product, lot=None):
        """A plain outgoing delivery of ``product`` to the customer, reserved."""
        picking_type = self.warehouse.out_type_id
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "partner_id": self.customer.id,
                "location_id": self.stock_location.id,
                "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": 1,
                            "product_uom": product.uom_id.id,
                            "location_id": self.stock_location.id,
                            "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        if lot:
            picking.move_line_ids.lot_id = lot
        picking.move_ids.picked = True
        return picking

    def test_outgoing_delivery_of_rental_gear_is_locked(self):
        """Rental gear sent by an ordinary delivery meets the same lock as a pickup."""
        self._blacklist()
        delivery = self._delivery(self.camera, self.lot_3)
        self.assertEqual(delivery._rental_risk_lock_scope(), "rental")
        with self.assertRaises(UserError) as error:
            delivery.button_validate()
        self.assertIn("is blacklisted", str(error.exception))
        self.assertNotEqual(delivery.state, "done")

    def test_ordinary_delivery_locked_for_blacklisted_by_setting(self):
        """Ordinary deliveries to a blacklisted customer: locked by default, a setting frees."""
        self._blacklist()
        delivery = self._delivery(self.plain_product, self.plain_lot)
        self.assertEqual(delivery._rental_risk_lock_scope(), "delivery")
        self.assertTrue(delivery._rental_risk_delivery_lock_reasons())
        with self.assertRaises(UserError):
            delivery.button_validate()
        self.company.rental_risk_lock_all_deliveries = False
        self.assertFalse(delivery._rental_risk_delivery_lock_reasons())

    def test_ordinary_delivery_not_locked_by_overdue(self):
        """Overdue receivables lock rental gear only, never an ordinary delivery."""
        self._post_invoice(900.0, date.today() - timedelta(days=40))
        delivery = self._delivery(self.plain_product, self.plain_lot)
        self.assertFalse(delivery._rental_risk_delivery_lock_reasons())

    # ------------------------------------------------------------------
    # What the rules require
    # ------------------------------------------------------------------

    def test_insurance_required_before_pickup(self):
        """An insurance rule locks the pickup until a proof of insurance is attached."""
        self._rule("asset_value", "insurance", amount=1.0)
        order = self._confirmed()
        self.assertTrue(order.rental_risk_insurance_required)
        pickup = self._pickup(order)
        with self.assertRaises(UserError) as error:
            self._validate(pickup)
        self.assertIn("require insurance", str(error.exception))
        proof = self.env["ir.attachment"].create({"name": "insurance.pdf", "raw": b"%PDF"})
        order.with_user(self.rental_user).rental_insurance_proof_ids = proof
        self._validate(pickup)
        self.assertEqual(pickup.state, "done")

    def test_insurance_product_meets_the_requirement(self):
        """An insurance product on the order meets the insurance requirement."""
        self._rule("asset_value", "insurance", amount=1.0)
        insurance = self.env["product.product"].create(
            {"name": "Gear insurance", "type": "service", "rental_insurance_ok": True}
        )
        order = self._order()
        order.write({"order_line": [Command.create({"product_id": insurance.id})]})
        order.action_confirm()
        self.assertFalse(self._pickup(order)._rental_risk_delivery_lock_reasons())

    def test_prepayment_required_before_pickup(self):
        """A prepayment rule locks the pickup until the order is paid in advance."""
        self._rule("grade", "prepayment", grade="C")
        order = self._confirmed()
        self.assertTrue(order.rental_risk_prepayment_required)
        reasons = self._pickup(order)._rental_risk_delivery_lock_reasons()
        self.assertTrue(any("paid in advance" in reason for reason in reasons))
        provider = self.env["payment.provider"].create(
            {"name": "Card terminal", "code": "none", "state": "test"}
        )
        self.env["payment.transaction"].create(
            {
                "provider_id": provider.id,
                "payment_method_id": self.env.ref("payment.payment_method_unknown").id,
                "amount": order.amount_total,
                "currency_id": order.currency_id.id,
                "partner_id": self.customer.id,
                "reference": f"{order.name}-prepaid",
                "sale_order_ids": [Command.set(order.ids)],
                "state": "done",
            }
        )
        self.assertFalse(self._pickup(order)._rental_risk_delivery_lock_reasons())

    def test_deposit_rule_ignored_while_deposits_are_off(self):
        """With Rental Deposits off a deposit rule asks nothing; on, it asks its deposit."""
        self._rule("asset_value", "deposit", amount=1.0, deposit_percent=20.0)
        self.company.rental_deposit_enabled = False
        order = self._order()
        self.assertFalse(order._rental_risk_evaluate()[order.id].hits)
        self.company.rental_deposit_enabled = True
        self.assertEqual(order._rental_risk_evaluate()[order.id].deposit_percent, 20.0)

    def test_default_rules_over_limit_holds(self):
        """Shipped rules: over the limit holds for a Risk Officer; the deposit rule is off."""
        company = self.env["res.company"].create({"name": "Fresh Rentals"})
        rules = self.Rule.with_context(active_test=False).search([("company_id", "=", company.id)])
        over_limit = rules.filtered(lambda r: r.default_key == "over_limit")
        self.assertEqual(over_limit.action, "approval")
        self.assertEqual(over_limit.approval_group_id, self.officer_group)
        self.assertTrue(over_limit.active)
        first_rental = rules.filtered(lambda r: r.default_key == "first_rental")
        self.assertFalse(first_rental.active)
        self.assertIn("Rental Deposits", first_rental.name)
        ours = self.Rule.with_context(active_test=False).search(
            [("company_id", "=", self.company.id), ("default_key", "=", "over_limit")]
        )
        ours.active = True
        self._set_limit(self.customer, 10.0)
        order = self._order()
        order.with_user(self.rental_user).action_confirm()
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.rental_risk_approval_state, "waiting")
