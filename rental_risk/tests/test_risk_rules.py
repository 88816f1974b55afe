import contextlib
from datetime import date, timedelta

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common_risk import RiskCommon


@tagged("post_install", "-at_install")
class TestRiskRules(RiskCommon):
    """Each rule condition and each action, through the real confirmation."""

    def test_blacklisted_blocks_with_every_reason(self):
        """A block raises a UserError naming every blocking rule and confirms nothing."""
        self._rule("blacklisted", "block", advice="Do not rent to this customer.")
        self._rule("grade", "block", grade="E", sequence=20)
        self._blacklist()  # also caps the grade at E
        order = self._order()
        with self.assertRaises(UserError) as error:
            order.with_user(self.rental_user).action_confirm()
        message = str(error.exception)
        self.assertIn("is blacklisted (Fraud or false identity)", message)
        self.assertIn("Do not rent to this customer.", message)
        self.assertIn("risk grade is E", message)
        self.assertEqual(order.state, "draft")
        self.assertFalse(order.order_line.rental_booking_ids)

    def test_block_is_logged(self):
        """A blocked confirmation leaves a block event."""
        self._rule("blacklisted", "block")
        self._blacklist()
        order = self._order()
        # No assertRaises: its savepoint would roll the logged event back with the error.
        with contextlib.suppress(UserError):
            order.action_confirm()
        self.assertEqual(len(self._events("block", order=order)), 1)

    def test_duplicate_of_old_order_is_checked(self):
        """Duplicating an order confirmed before the blacklist does not bypass it (odoo#71187)."""
        self._rule("blacklisted", "block")
        old = self._order(start=self.start, end=self.end)
        old.action_confirm()
        self._blacklist()
        copy = old.copy()
        with self.assertRaises(UserError):
            copy.action_confirm()
        self.assertEqual(copy.state, "draft")

    def test_private_hook_is_checked(self):
        """A module calling _action_confirm directly meets the same block."""
        self._rule("blacklisted", "block")
        self._blacklist()
        order = self._order()
        order.write({"state": "sale"})
        with self.assertRaises(UserError):
            order._action_confirm()

    def test_possible_blacklist_match(self):
        """A customer sharing an identifier with a blacklisted one hits the match rule."""
        self._rule("blacklist_match", "block")
        fraudster = self.env["res.partner"].create(
            {"name": "Old Fraudster", "phone": "+86 138 0013 8000"}
        )
        self._blacklist(fraudster)
        self.customer.phone = "138-0013-8000"
        order = self._order()
        with self.assertRaises(UserError) as error:
            order.action_confirm()
        self.assertIn("looks like the blacklisted customer Old Fraudster", str(error.exception))

    def test_grade_at_or_below(self):
        """A grade D rule hits grade D and E customers, not C."""
        self._rule("grade", "block", grade="D")
        order = self._order()
        self._as_rescoring(self.customer, rental_grade_computed="C", rental_grade="C")
        self.assertFalse(order._rental_risk_evaluate()[order.id].hits)
        self._as_rescoring(self.customer, rental_grade_computed="D", rental_grade="D")
        self.assertTrue(order._rental_risk_evaluate()[order.id].blocks)
        self._as_rescoring(self.customer, rental_grade_computed="E", rental_grade="E")
        self.assertTrue(order._rental_risk_evaluate()[order.id].blocks)

    def test_warning_line_warns_and_notifies_officers(self):
        """Between the grade's warning line and the limit, the order is confirmed with a
        warning in its chatter sent to the Risk Officers; above the limit it is not a warning."""
        self._rule("warning_line", "warn")
        order = self._order()
        self._set_limit(self.customer, round(order.amount_total / 0.9, 2))
        grade = self.customer.with_company(self.company).sudo().rental_grade
        self.env["rental.grade.limit"].search(
            [("company_id", "=", self.company.id), ("grade", "=", grade)]
        ).warning_percent = 80.0
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertTrue(self._events("rule_hit", order=order))
        notice = order.message_ids.filtered(lambda m: "warning line" in (m.body or ""))
        self.assertIn(self.officer.partner_id, notice.partner_ids)
        # Under the warning line: no warning.
        quiet = self._order()
        self._set_limit(self.customer, round(quiet.amount_total * 10 + order.amount_total, 2))
        quiet.action_confirm()
        self.assertFalse(quiet.message_ids.filtered(lambda m: "warning line" in (m.body or "")))

    def test_warning_line_range_enforced(self):
        with self.assertRaises(ValidationError):
            self.env["rental.grade.limit"].search([], limit=1).warning_percent = 120.0

    def test_over_limit_blocks_and_prepayment_cures(self):
        """Exposure with the order above the limit blocks; paying in advance cures it."""
        self._rule("over_limit", "block")
        self._set_limit(self.customer, 100.0)
        order = self._order()
        with self.assertRaises(UserError) as error:
            order.action_confirm()
        self.assertIn("over the credit limit", str(error.exception))
        # The customer pays the whole order online: a confirmed payment transaction.
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
        self.assertEqual(order.amount_paid, order.amount_total)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_ordinary_sale_ignores_rental_only_rules(self):
        """A sale without rental lines is not checked by rules that apply to rental orders."""
        self._rule("over_limit", "block")
        self._set_limit(self.customer, 1.0)
        product = self.env["product.product"].create({"name": "Lens cloth", "list_price": 9.0})
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [Command.create({"product_id": product.id})],
            }
        )
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_rule_for_all_orders_checks_ordinary_sales(self):
        """A rule set to apply to all sales orders blocks an ordinary sale too."""
        self._rule("over_limit", "block", applies_to="all")
        self._set_limit(self.customer, 1.0)
        product = self.env["product.product"].create({"name": "Lens cloth", "list_price": 9.0})
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [Command.create({"product_id": product.id})],
            }
        )
        with self.assertRaises(UserError):
            order.action_confirm()
        self.assertEqual(order.state, "draft")

    def test_overdue_older_than_days(self):
        """Invoices overdue for more than N days block; younger ones do not."""
        self._rule("overdue", "block", days=30)
        order = self._order()
        self._post_invoice(500.0, date.today() - timedelta(days=10))
        self.assertFalse(order._rental_risk_evaluate()[order.id].hits)
        self._post_invoice(700.0, date.today() - timedelta(days=45))
        hit = order._rental_risk_evaluate()[order.id].blocks[0]
        self.assertEqual(hit.params["overdue"], 700.0)

    def test_first_rental_asks_a_deposit(self):
        """A first rental above the amount records the deposit percentage on the order."""
        self.company.rental_deposit_enabled = True
        self._rule("first_rental_value", "deposit", amount=4000.0, deposit_percent=30.0)
        self._rule("first_rental_value", "deposit", amount=1000.0, deposit_percent=20.0)
        first = self._order()
        first.action_confirm()
        self.assertEqual(first.state, "sale")
        self.assertEqual(first.rental_risk_deposit_percent, 30.0)
        self.assertTrue(self._events("rule_hit", order=first))
        second = self._order(
            start=self.start + timedelta(days=10), end=self.end + timedelta(days=10)
        )
        second.action_confirm()
        self.assertEqual(second.rental_risk_deposit_percent, 0.0)

    def test_kyc_not_verified_requires_approval(self):
        """Unverified identity and valuable gear: the order waits for approval."""
        self._rule("kyc_value", "approval", amount=4000.0, approval_group_id=self.officer_group.id)
        order = self._order()
        order.with_user(self.rental_user).action_confirm()
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.rental_risk_approval_state, "waiting")
        self._verify_identity(self.customer, officer=self.officer)
        other = self._order(
            start=self.start + timedelta(days=10), end=self.end + timedelta(days=10)
        )
        other.action_confirm()
        self.assertEqual(other.state, "sale")

    def test_single_asset_value_requires_insurance(self):
        """An asset above the value makes insurance required."""
        self._rule("asset_value", "insurance", amount=4999.0)
        order = self._order()
        order.action_confirm()
        self.assertTrue(order.rental_risk_insurance_required)
        cheap = self._create_rental_order(product=self.lens)
        cheap.action_confirm()
        self.assertFalse(cheap.rental_risk_insurance_required)

    def test_warn_only_confirms(self):
        """A warning rule shows in the panel and lets the order through."""
        self._rule("asset_value", "warn", amount=1.0, advice="Check the gear twice.")
        order = self._order()
        self.assertIn("Check the gear twice.", order.rental_risk_panel)
        self.assertIn("alert-secondary", order.rental_risk_panel)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_panel_lists_hits_in_sequence_and_ignores_inactive(self):
        """The panel shows each active hit in rule order, with its alert class."""
        self._rule("asset_value", "insurance", amount=1.0, sequence=20, name="Insure it")
        self._rule("blacklisted", "block", sequence=10, name="No blacklisted")
        self._rule("asset_value", "block", amount=1.0, active=False, name="Switched off")
        self._blacklist()
        panel = self._order().rental_risk_panel
        self.assertLess(panel.index("No blacklisted"), panel.index("Insure it"))
        self.assertIn("alert-danger", panel)
        self.assertNotIn("Switched off", panel)

    def test_sending_records_the_deposit(self):
        """Marking the quotation as sent records what the rules ask."""
        self.company.rental_deposit_enabled = True
        self._rule("asset_value", "deposit", amount=1.0, deposit_percent=15.0)
        order = self._order()
        order.action_quotation_sent()
        self.assertEqual(order.rental_risk_deposit_percent, 15.0)

    def test_default_rules_exist(self):
        """Every company starts with the default rules."""
        keys = set(
            self.Rule.with_context(active_test=False)
            .search([("company_id", "=", self.company.id)])
            .mapped("default_key")
        )
        self.assertTrue({"blacklisted", "over_limit", "overdue", "kyc"} <= keys)
