import contextlib

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common_risk import RiskCommon


@tagged("post_install", "-at_install")
class TestGradeTerms(RiskCommon):
    """What a customer's grade imposes on its rental orders: payment terms and pricelist,
    categories it may not rent, and a payment in advance before the pickup."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(
            cls.env, login="rr_grade_accountant", groups="account.group_account_invoice"
        )
        cls.term_d = cls.env["account.payment.term"].create(
            {
                "name": "Grade D: immediate",
                "line_ids": [Command.create({"value": "percent", "value_amount": 100.0})],
            }
        )
        cls.term_other = cls.env["account.payment.term"].create(
            {
                "name": "60 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 100.0, "nb_days": 60})
                ],
            }
        )
        currency = cls.company.currency_id
        cls.pricelist_d = cls.env["product.pricelist"].create(
            {"name": "Grade D prices", "currency_id": currency.id, "company_id": cls.company.id}
        )
        cls.pricelist_other = cls.env["product.pricelist"].create(
            {"name": "Friends prices", "currency_id": currency.id, "company_id": cls.company.id}
        )
        cls.cameras = cls.env["product.category"].create({"name": "Cameras"})
        cls.cinema = cls.env["product.category"].create(
            {"name": "Cinema cameras", "parent_id": cls.cameras.id}
        )
        cls.camera.categ_id = cls.cinema
        cls.grade_d = cls.env["rental.grade.limit"].search(
            [("company_id", "=", cls.company.id), ("grade", "=", "D")]
        )
        cls.grade_d.credit_limit = 1e9
        cls._override_grade(cls.customer, "D")

    def _set_grade_d(self, **vals):
        self.grade_d.with_user(self.manager).write(vals)

    # ------------------------------------------------------------------
    # Payment terms and pricelist
    # ------------------------------------------------------------------

    def test_grade_d_customer_gets_terms_and_pricelist(self):
        """Chosen on a quotation, a grade-D customer brings D's terms and pricelist; an order
        made before the grade had them gets them at confirmation."""
        before = self._order()
        self.assertNotEqual(before.payment_term_id, self.term_d)
        self._set_grade_d(payment_term_id=self.term_d.id, pricelist_id=self.pricelist_d.id)
        form = Form(self.env["sale.order"].with_user(self.rental_user))
        form.partner_id = self.customer
        self.assertEqual(form.payment_term_id, self.term_d)
        order = form.save()
        self.assertEqual(order.pricelist_id, self.pricelist_d)
        # A customer of another grade keeps its own terms.
        other = self.env["res.partner"].create({"name": "Grade B customer"})
        self._override_grade(other, "B")
        form.partner_id = other
        self.assertFalse(form.payment_term_id)

        before.with_user(self.rental_user).action_confirm()
        self.assertEqual(before.state, "sale")
        self.assertEqual(before.payment_term_id, self.term_d)
        self.assertEqual(before.pricelist_id, self.pricelist_d)
        self.assertTrue(any("Terms of grade D applied" in str(m.body) for m in before.message_ids))

    def test_only_risk_officer_departs_from_grade_terms(self):
        """On a rental order a salesperson cannot set other terms or pricelist (raw write and
        create); a Risk Officer can, in the audit trail, and confirmation keeps the choice."""
        self._set_grade_d(payment_term_id=self.term_d.id, pricelist_id=self.pricelist_d.id)
        order = self._order()
        self.assertEqual(order.payment_term_id, self.term_d)
        for user in (self.rental_user, self.salesman, self.accountant):
            for vals in (
                {"payment_term_id": self.term_other.id},
                {"pricelist_id": self.pricelist_other.id},
            ):
                with self.subTest(user=user.login, vals=vals), self.assertRaises(UserError):
                    order.with_user(user).write(vals)
        with self.assertRaises(UserError):
            self.env["sale.order"].with_user(self.rental_user).create(
                {
                    "partner_id": self.customer.id,
                    "payment_term_id": self.term_other.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.lens.id,
                                "rental_start": self.start,
                                "rental_end": self.end,
                            }
                        )
                    ],
                }
            )
        with self.assertRaises(UserError):  # AccessError is a UserError
            order.with_user(self.warehouse_user).write({"payment_term_id": self.term_other.id})
        self.assertEqual(order.payment_term_id, self.term_d)
        self.assertEqual(order.pricelist_id, self.pricelist_d)
        # An ordinary sale keeps Odoo's freedom: the grade's terms are only a default.
        sale = self._create_sale_order(product=self.plain_product)
        sale.with_user(self.rental_user).write({"payment_term_id": self.term_other.id})
        self.assertEqual(sale.payment_term_id, self.term_other)

        # A credit officer who edits every order (not only their own, as a salesperson does).
        officer = new_test_user(
            self.env,
            login="rr_grade_officer",
            groups="rental_risk.rental_risk_group_officer,"
            "sales_team.group_sale_salesman_all_leads",
        )
        order.with_user(officer).write({"payment_term_id": self.term_other.id})
        self.assertEqual(order.payment_term_id, self.term_other)
        self.assertEqual(len(self._events("grade_terms_override", order=order)), 1)
        order.with_user(self.rental_user).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.payment_term_id, self.term_other)
        # Back to the grade's own terms is always allowed.
        order.with_user(self.rental_user).write({"payment_term_id": self.term_d.id})
        self.assertEqual(order.payment_term_id, self.term_d)

    # ------------------------------------------------------------------
    # Categories a grade may not rent
    # ------------------------------------------------------------------

    def test_forbidden_category_refused_with_its_reason(self):
        """A camera (a subcategory of a category grade D may not rent) is refused at
        confirmation, named with its category and the grade; the panel says so first."""
        self._set_grade_d(forbidden_categ_ids=[Command.set(self.cameras.ids)])
        order = self._order()
        self.assertTrue(order.rental_risk_has_block)
        self.assertIn("may not rent Cameras", order.rental_risk_panel)
        with self.assertRaises(UserError) as error:
            order.with_user(self.rental_user).action_confirm()
        message = str(error.exception)
        self.assertIn("Test Cinema Camera", message)
        self.assertIn("Cameras / Cinema cameras", message)
        self.assertIn("grade D", message)
        self.assertEqual(order.state, "draft")
        # No assertRaises: its savepoint would roll the logged event back with the error.
        with contextlib.suppress(UserError):
            order.with_user(self.rental_user).action_confirm()
        self.assertEqual(len(self._events("block", order=order)), 1)
        # The lens is another category: it rents, and a camera added afterwards is refused.
        lens_order = self._order(product=self.lens)
        self.assertFalse(lens_order.rental_risk_has_block)
        lens_order.with_user(self.rental_user).action_confirm()
        self.assertEqual(lens_order.state, "sale")
        with self.assertRaises(UserError):
            lens_order.with_user(self.rental_user).write(
                {
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.camera.id,
                                "product_uom_qty": 1,
                                "rental_start": self.start,
                                "rental_end": self.end,
                            }
                        )
                    ]
                }
            )
        # Another grade rents cameras.
        self._override_grade(self.customer, "C")
        order.with_user(self.rental_user).action_confirm()
        self.assertEqual(order.state, "sale")

    # ------------------------------------------------------------------
    # Payment in advance
    # ------------------------------------------------------------------

    def _register_payment(self, invoice, amount=None):
        """Register the customer's payment of ``invoice`` as the accountant does."""
        wizard = Form(
            self.env["account.payment.register"]
            .with_user(self.accountant)
            .with_context(active_model="account.move", active_ids=invoice.ids)
        )
        if amount is not None:
            # A part payment leaves the rest open on the invoice (the wizard's default).
            wizard.amount = amount
        wizard.save().action_create_payments()

    def test_grade_prepayment_locks_pickup_until_invoice_paid(self):
        """Grade D pays in advance: the pickup is locked until the invoice is paid in full;
        a part payment leaves the rest to prepay shown on the order."""
        self._set_grade_d(prepayment_required=True)
        order = self._order()
        self.assertIn("pay in advance", order.rental_risk_panel)
        order.with_user(self.rental_user).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertTrue(order.rental_risk_prepayment_required)
        total = order.amount_total
        self.assertEqual(order.rental_risk_prepayment_due, total)
        pickup = self._pickup(order)
        with self.assertRaises(UserError) as error:
            self._validate(pickup)
        self.assertIn("paid in advance", str(error.exception))

        invoice = order._create_invoices()
        invoice.action_post()
        self._register_payment(invoice, amount=total / 2)
        order.invalidate_recordset()
        self.assertAlmostEqual(order.rental_risk_prepaid_amount, total / 2)
        self.assertAlmostEqual(order.rental_risk_prepayment_due, total - total / 2)
        with self.assertRaises(UserError):
            self._validate(pickup)

        self._register_payment(invoice)
        order.invalidate_recordset()
        self.assertEqual(order.rental_risk_prepayment_due, 0.0)
        self._validate(pickup)
        self.assertEqual(pickup.state, "done")

    def test_prepayment_rule_shown_and_released_by_manager(self):
        """A "require prepayment" rule is shown in the panel and locks the pickup; a Risk
        Manager's release lets it go unpaid, as for the other locks."""
        self._rule("grade", "prepayment", grade="D")
        order = self._order()
        self.assertIn("must be paid in advance", order.rental_risk_panel)
        order.with_user(self.rental_user).action_confirm()
        pickup = self._pickup(order)
        with self.assertRaises(UserError):
            self._validate(pickup)
        pickup.with_user(self.manager)._rental_risk_release("Customer known for years")
        self._validate(pickup)
        self.assertEqual(pickup.state, "done")

    def test_online_payment_not_counted_twice(self):
        """A done online payment counts once, also when set against the order's invoice."""
        self._set_grade_d(prepayment_required=True)
        order = self._order()
        order.action_confirm()
        provider = self.env["payment.provider"].create(
            {"name": "Card terminal", "code": "none", "state": "test"}
        )
        invoice = order._create_invoices()
        invoice.action_post()
        self.env["payment.transaction"].create(
            {
                "provider_id": provider.id,
                "payment_method_id": self.env.ref("payment.payment_method_unknown").id,
                "amount": order.amount_total / 2,
                "currency_id": order.currency_id.id,
                "partner_id": self.customer.id,
                "reference": f"{order.name}-half",
                "sale_order_ids": [Command.set(order.ids)],
                "invoice_ids": [Command.set(invoice.ids)],
                "state": "done",
            }
        )
        self._register_payment(invoice, amount=order.amount_total / 2)
        order.invalidate_recordset()
        self.assertAlmostEqual(order.rental_risk_prepaid_amount, order.amount_total / 2)
        self.assertTrue(self._pickup(order)._rental_risk_delivery_lock_reasons())

    # ------------------------------------------------------------------
    # Who sets a grade's terms
    # ------------------------------------------------------------------

    def test_grade_terms_written_by_risk_managers_only(self):
        """Raw writes of the grade's terms are refused to every role but Risk Manager."""
        for vals in (
            {"payment_term_id": self.term_d.id},
            {"pricelist_id": self.pricelist_d.id},
            {"prepayment_required": True},
            {"forbidden_categ_ids": [Command.set(self.cameras.ids)]},
        ):
            for user in (self.rental_user, self.warehouse_user, self.officer, self.accountant):
                with self.subTest(user=user.login, vals=vals), self.assertRaises(AccessError):
                    self.grade_d.with_user(user).write(vals)
        self.assertFalse(self.grade_d.payment_term_id or self.grade_d.prepayment_required)
        self.assertFalse(self.grade_d.forbidden_categ_ids)
        self._set_grade_d(prepayment_required=True, payment_term_id=self.term_d.id)
        self.assertTrue(self.grade_d.prepayment_required)
        changes = self.Event.sudo().search(
            [("event_type", "=", "grade_limit_change"), ("company_id", "=", self.company.id)]
        )
        self.assertTrue(any("Grade D: immediate" in (e.details or "") for e in changes))
