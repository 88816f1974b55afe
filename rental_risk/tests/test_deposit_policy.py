from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_deposit import DepositCommon


@tagged("post_install", "-at_install")
class TestDepositPolicy(DepositCommon):
    def test_required_deposit_by_grade(self):
        """Each grade holds its rate of the replacement value (A 0 % ... E 100 %)."""
        order = self._create_rental_order(lots=self.lot_1)
        expected = {"A": 0.0, "B": 500.0, "C": 1500.0, "D": 3000.0, "E": 5000.0}
        for grade, amount in expected.items():
            self._set_grade(self.customer, grade)
            order.invalidate_recordset(["rental_deposit_required"])
            self.assertEqual(order.rental_deposit_required, amount, grade)

    def test_company_rate_and_minimum(self):
        """The company's grade table and minimum deposit apply."""
        self._set_grade(self.customer, "B")
        self.env["rental.grade.limit"].search(
            [("company_id", "=", self.company.id), ("grade", "=", "B")]
        ).deposit_rate = 2.0
        self.company.rental_deposit_min_amount = 250.0
        order = self._create_rental_order(product=self.lens, lots=self.lens_lots[:1])
        # 2 % of 1,200.00 is 24.00, raised to the 250.00 minimum.
        self.assertEqual(order.rental_deposit_required, 250.0)
        order.action_rental_update_deposit()
        self.assertEqual(order.order_line.filtered("is_rental_deposit").price_unit, 250.0)

    def test_rule_percent_raises_the_deposit(self):
        """A risk rule's "require deposit %" raises the grade's rate."""
        if "rental_risk_deposit_percent" not in self.env["sale.order"]._fields:
            self.skipTest("risk rules (rental_risk_deposit_percent) not installed")
        self._set_grade(self.customer, "B")
        order = self._create_rental_order(lots=self.lot_1)
        with self.assertRaises(UserError):
            order.rental_risk_deposit_percent = 50.0
        # As the rules store it when one asks a deposit of 50 %.
        with self.env["rental.risk.decision"]._open_guard():
            order.rental_risk_deposit_percent = 50.0
        self.assertEqual(order._rental_compute_required_deposit(), 2500.0)

    def test_deposit_line_is_untaxed_and_fixed_at_confirmation(self):
        """Confirmation adds the deposit line; invoiced, it is never changed again."""
        self._set_grade(self.customer, "C")
        order = self._confirmed_order(lots=self.lot_1)
        line = order.order_line.filtered("is_rental_deposit")
        self.assertEqual((line.product_id, line.price_unit), (self.deposit_product, 1500.0))
        self.assertFalse(line.tax_id)
        order.action_rental_invoice_deposit()
        self._set_grade(self.customer, "E")
        order._rental_sync_deposit_line()
        self.assertEqual(line.price_unit, 1500.0)

    def test_grade_a_without_deposit(self):
        """A customer at 0 % gets no deposit line."""
        self._set_grade(self.customer, "A")
        order = self._confirmed_order(lots=self.lot_1)
        self.assertFalse(order.order_line.filtered("is_rental_deposit"))

    def test_pickup_refused_while_deposit_unpaid(self):
        """With the setting on, the pickup waits for the deposit payment; nothing moves."""
        self.company.rental_deposit_required_before_pickup = True
        self._set_grade(self.customer, "C")
        order = self._confirmed_order(lots=self.lot_1)
        pickup = self._pickup(order)
        with self.assertRaises(UserError):
            self._validate(pickup)
        self.assertNotEqual(pickup.state, "done")
        self.assertNotEqual(self.lot_1.rental_state, "out")
        order.action_rental_invoice_deposit()
        with self.assertRaises(UserError):
            self._validate(pickup)
        self._pay(order.invoice_ids, amount=1000.0)
        with self.assertRaises(UserError):
            self._validate(pickup)
        self._pay(order.invoice_ids)
        self._validate(pickup)
        self.assertEqual(pickup.state, "done")
        self.assertEqual(self.lot_1.rental_state, "out")

    def test_pickup_allowed_without_the_setting(self):
        """Without the setting, an unpaid deposit does not block the pickup."""
        self._set_grade(self.customer, "C")
        order = self._confirmed_order(lots=self.lot_1)
        self._validate(self._pickup(order))
        self.assertEqual(self.lot_1.rental_state, "out")

    def test_deposit_held_lowers_exposure(self):
        """A paid deposit is held for the customer and feeds the exposure."""
        self._set_grade(self.customer, "C")
        order = self._confirmed_order(lots=self.lot_1)
        order.action_rental_invoice_deposit()
        self._pay(order.invoice_ids, amount=600.0)
        self.assertEqual(order.rental_deposit_paid, 600.0)
        self.assertEqual(order.rental_deposit_held, 600.0)
        exposure = self.env["rental.credit.facts"]._get_exposure(self.customer.ids)
        self.assertEqual(exposure[self.customer.id]["deposits"], 600.0)
