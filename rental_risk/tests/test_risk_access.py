from datetime import date, timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common_risk import RiskCommon

#: Refused by the access rights (AccessError) or by the addon with a sentence (UserError,
#: ValidationError): Odoo's AccessError and ValidationError are both UserErrors.
REFUSED = UserError


@tagged("post_install", "-at_install")
class TestRiskAccessMatrix(RiskCommon):
    """Every protected field and every decision, tried as every role: a raw ``write`` or
    ``create`` is refused and changes nothing, whoever tries (administrator and superuser
    included); each decision works for the right role only. Users without rental groups read
    every field they can see on the records they could read before the addon."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = [Command.set(cls.company.ids)]
        cls.contact_user = new_test_user(
            cls.env,
            login="rr_rental_contacts",
            groups="rental_risk.rental_risk_group_user,base.group_partner_manager",
            company_ids=company,
        )
        cls.inventory_user = new_test_user(
            cls.env, login="rr_inventory", groups="stock.group_stock_user", company_ids=company
        )
        cls.accountant = new_test_user(
            cls.env, login="rr_invoicing", groups="account.group_account_invoice"
        )
        cls.portal = new_test_user(cls.env, login="rr_portal", groups="base.group_portal")
        # Exporting is a right of its own in Odoo: the standard users below hold it.
        for user in (cls.salesman, cls.inventory_user, cls.accountant):
            user.groups_id |= cls.env.ref("base.group_allow_export")
        cls.admin = cls.env.ref("base.user_admin")
        cls.roles = {
            "salesman": cls.salesman,
            "rental user": cls.rental_user,
            "rental user with contacts": cls.contact_user,
            "warehouse": cls.warehouse_user,
            "inventory user": cls.inventory_user,
            "accountant": cls.accountant,
            "officer": cls.officer,
            "manager": cls.manager,
            "administrator": cls.admin,
            "portal": cls.portal,
        }
        cls._rule("over_limit", "approval", approval_group_id=cls.officer_group.id)
        cls._set_limit(cls.customer, 100.0)
        cls.held = cls._order()
        cls.held.with_user(cls.rental_user).action_confirm()
        cls._set_limit(cls.customer, None)
        cls.confirmed = cls._order(
            lots=cls.lot_2,
            start=cls.start + timedelta(days=20),
            end=cls.end + timedelta(days=20),
        )
        cls.confirmed.action_confirm()
        cls.pickup = cls.confirmed._rental_get_pickings("pickup")

    def _try_as_everyone(self, records, vals, check):
        """``records.write(vals)`` as every role and as superuser: refused, ``check`` holds."""
        for role, user in self.roles.items():
            with self.subTest(role=role, vals=vals), self.assertRaises(REFUSED):
                records.with_user(user).write(vals)
            check()
        with self.subTest(role="superuser", vals=vals), self.assertRaises(UserError):
            records.sudo().write(vals)
        check()

    # ------------------------------------------------------------------
    # Raw writes and creates of protected fields
    # ------------------------------------------------------------------

    def test_customer_risk_fields_refuse_every_role(self):
        """Grade, override, limit, blacklist, KYC and snapshots: no raw write by anyone."""
        customer = self.customer
        before = customer.read(
            [
                "rental_score",
                "rental_grade",
                "rental_grade_override",
                "rental_credit_limit",
                "rental_credit_limit_manual",
                "rental_blacklisted",
                "rental_kyc_verified",
                "rental_exposure_at_scoring",
            ]
        )[0]

        def unchanged():
            self.assertEqual(customer.read(list(before))[0], before)

        for vals in (
            {"rental_score": 100},
            {"rental_grade": "A"},
            {"rental_grade_computed": "A"},
            {"rental_grade_override": "A"},
            {"rental_grade_override_until": "2099-01-01"},
            {"rental_credit_limit": 1e9},
            {"rental_credit_limit_manual": True},
            {"rental_blacklisted": True},
            {"rental_blacklist_reason": "forged"},
            {"rental_kyc_verified": True},
            {"rental_exposure_at_scoring": 0.0},
            {"rental_available_credit_at_scoring": 1e9},
            {"rental_overdue_at_scoring": 1e9},
            {"rental_score_explanation": "forged"},
            {"rental_blacklist_match_id": self.manager.partner_id.id},
            {"rental_phone_norm": "x"},
            {"rental_score_history_ids": [Command.clear()]},
            {"rental_risk_decision_ids": [Command.clear()]},
        ):
            self._try_as_everyone(customer, vals, unchanged)

    def test_customer_created_with_risk_fields_is_refused(self):
        """Creating a customer with a limit, an override or a verified identity is refused."""
        for vals in (
            {"rental_credit_limit": 1e9},
            {"rental_credit_limit_manual": True},
            {"rental_grade_override": "A"},
            {"rental_kyc_verified": True},
            {"rental_blacklisted": False, "rental_score": 100},
        ):
            for role in ("rental user with contacts", "manager", "administrator"):
                with self.subTest(role=role, vals=vals), self.assertRaises(UserError):
                    self.env["res.partner"].with_user(self.roles[role]).create(
                        {"name": "Forged", **vals}
                    )
            with self.assertRaises(UserError):
                self.env["res.partner"].sudo().create({"name": "Forged", **vals})
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Forged")]))

    def test_order_decision_fields_refuse_every_role(self):
        """Approval state, rental nature and what the rules require: no raw write."""
        order = self.held

        def unchanged():
            self.assertEqual(order.rental_risk_approval_state, "waiting")
            self.assertTrue(order.is_rental_order)
            self.assertEqual(order.state, "draft")

        for vals in (
            {"rental_risk_approval_state": "approved"},
            {"rental_risk_approval_fingerprint": "forged"},
            {"rental_risk_approved_amount": 1e9},
            {"is_rental_order": False},
            {"rental_risk_deposit_percent": 0.0, "rental_risk_insurance_required": True},
            {"rental_risk_prepayment_required": True},
            {"rental_risk_decision_ids": [Command.clear()]},
        ):
            self._try_as_everyone(order, vals, unchanged)

    def test_pickup_release_refuses_every_role(self):
        """A pickup release is a decision: nobody writes it on the transfer."""
        self._blacklist()

        def still_locked():
            self.assertFalse(self.pickup.rental_risk_release_id)
            self.assertTrue(self.pickup._rental_risk_delivery_lock_reasons())

        for vals in (
            {"rental_risk_release_id": self.env["rental.risk.decision"].search([], limit=1).id},
            {"rental_risk_released_by_id": self.manager.id},
            {"rental_risk_release_reason": "forged"},
        ):
            self._try_as_everyone(self.pickup, vals, still_locked)
        with self.assertRaises(UserError):
            self._validate(self.pickup)

    def test_serial_life_cycle_refuses_every_role(self):
        """The state and holder of a serial move with the gear, not by a write."""
        lot = self.lot_3

        def unchanged():
            self.assertEqual(lot.rental_state, "available")
            self.assertFalse(lot.rental_partner_id)

        for vals in ({"rental_state": "out"}, {"rental_partner_id": self.customer.id}):
            self._try_as_everyone(lot, vals, unchanged)

    def test_decisions_and_history_refuse_every_role(self):
        """Decisions and score history: no create, write or unlink by anyone."""
        decision = self.held.rental_risk_request_id
        self.assertTrue(decision)
        for role, user in self.roles.items():
            with self.subTest(role=role):
                with self.assertRaises(REFUSED):
                    self.env["rental.risk.decision"].with_user(user).create(
                        {"kind": "approve", "reason": "forged", "order_id": self.held.id}
                    )
                with self.assertRaises(REFUSED):
                    decision.with_user(user).write({"reason": "forged"})
                with self.assertRaises(REFUSED):
                    decision.with_user(user).unlink()
                with self.assertRaises(REFUSED):
                    self.env["rental.score.history"].with_user(user).create(
                        {"partner_id": self.customer.id, "score": 100, "grade": "A"}
                    )
        for operation in (
            lambda: self.env["rental.risk.decision"]
            .sudo()
            .create({"kind": "approve", "reason": "forged", "user_id": 1, "company_id": 1}),
            lambda: decision.sudo().write({"reason": "forged"}),
            lambda: decision.sudo().unlink(),
            lambda: self.env["rental.score.history"].sudo().create({"partner_id": 1}),
        ):
            with self.assertRaises(UserError):
                operation()
        self.assertEqual(self.held.rental_risk_approval_state, "waiting")

    # ------------------------------------------------------------------
    # Decisions through their methods: the right role only
    # ------------------------------------------------------------------

    def test_approval_by_approvers_other_than_the_salesperson(self):
        """Officers approve; the salesperson, warehouse and portal cannot."""
        for role in ("salesman", "rental user", "warehouse", "inventory user", "portal"):
            with self.subTest(role=role), self.assertRaises(REFUSED):
                self.held.with_user(self.roles[role])._rental_risk_decide(True, "ok")
        self.held.user_id = self.officer
        with self.assertRaises(AccessError):
            self.held.with_user(self.officer)._rental_risk_decide(True, "My own order")
        self.held.with_user(self.manager)._rental_risk_decide(True, "Good customer")
        self.assertEqual(self.held.rental_risk_approval_state, "approved")
        self.assertEqual(self.held.rental_risk_approved_by_id, self.manager)
        self.assertEqual(self.held.state, "sale")

    def test_release_by_risk_managers_only(self):
        """Warehouse and officers cannot release; a manager does, not on their own order."""
        self._blacklist()
        for role in ("warehouse", "officer", "rental user", "inventory user"):
            with self.subTest(role=role), self.assertRaises(REFUSED):
                self.pickup.with_user(self.roles[role])._rental_risk_release("please")
        self.confirmed.user_id = self.manager
        with self.assertRaises(AccessError):
            self.pickup.with_user(self.manager)._rental_risk_release("my own order")
        self.pickup.with_user(self.admin)._rental_risk_release("Paid cash at the counter")
        self.assertEqual(self.pickup.rental_risk_released_by_id, self.admin)
        self._validate(self.pickup)
        self.assertEqual(self.pickup.state, "done")

    def test_override_and_limit_by_managers_only(self):
        """Overrides and hand-set limits: Risk Managers, not the customer's salesperson."""
        until = date.today() + timedelta(days=10)
        for role in ("rental user", "rental user with contacts", "officer", "warehouse"):
            user = self.roles[role]
            with self.subTest(role=role):
                with self.assertRaises(REFUSED):
                    self.customer.with_user(user)._rental_risk_set_override("A", "x", until)
                with self.assertRaises(REFUSED):
                    self.customer.with_user(user)._rental_risk_set_credit_limit(1e6, "x")
        self.customer.user_id = self.manager
        with self.assertRaises(AccessError):
            self.customer.with_user(self.manager)._rental_risk_set_override("A", "mine", until)
        self.customer.user_id = self.rental_user
        self.customer.with_user(self.manager)._rental_risk_set_override("A", "Guarantee", until)
        self.customer.with_user(self.manager)._rental_risk_set_credit_limit(20000.0, "Bank")
        self.assertEqual(self.customer.rental_grade, "A")
        self.assertEqual(self.customer.rental_credit_limit, 20000.0)
        kinds = self.customer.rental_risk_decision_ids.mapped("kind")
        self.assertIn("grade_override", kinds)
        self.assertIn("credit_limit", kinds)
        self.assertTrue(self._events("credit_limit", partner=self.customer))
        with self.assertRaises(UserError):
            self.customer.with_user(self.manager)._rental_risk_set_credit_limit(1e300, "x")

    def test_kyc_by_officers_only(self):
        """Identity verification: Risk Officers; the salesperson enters the document only."""
        self.customer.with_user(self.contact_user).write(
            {"rental_kyc_id_type": "passport", "rental_kyc_id_number": "P-1"}
        )
        for role in ("rental user with contacts", "warehouse", "salesman"):
            with self.subTest(role=role), self.assertRaises(REFUSED):
                self.customer.with_user(self.roles[role]).action_rental_kyc_verify()
        self.customer.with_user(self.officer).action_rental_kyc_verify()
        self.assertTrue(self.customer.rental_kyc_verified)
        self.assertTrue(self._events("kyc", partner=self.customer))

    # ------------------------------------------------------------------
    # Users without rental groups
    # ------------------------------------------------------------------

    def test_standard_users_read_every_field_they_see(self):
        """Sales, inventory, invoicing and portal users read (and export) every field they are
        allowed to see on the records they could read before the addon."""
        invoice = self._post_invoice(50.0, date.today())
        portal_order = self._order(
            start=self.start + timedelta(days=40), end=self.end + timedelta(days=40)
        )
        portal_order.partner_id = self.portal.partner_id
        self.salesman.groups_id |= self.env.ref("sales_team.group_sale_salesman_all_leads")
        records = [
            self.confirmed,
            self.held,
            portal_order,
            self.customer,
            self.pickup,
            self.lot_2,
            invoice,
        ]
        for role in ("salesman", "inventory user", "accountant", "portal"):
            user = self.roles[role]
            for record in records:
                record = record.with_user(user)
                try:
                    record.check_access("read")
                except AccessError:
                    continue  # not a record this user reads, with or without the addon
                # The addon's fields (all named rental_*) this user may see: fields_get leaves
                # out the others.
                fnames = [
                    fname
                    for fname in record.fields_get(attributes=["type"])
                    if fname.startswith(("rental_", "is_rental"))
                ]
                if not fnames:
                    continue  # read([]) would read every field, the addon's or not
                with self.subTest(role=role, model=record._name):
                    record.read(fnames)
                    if user.has_group("base.group_allow_export"):
                        record.export_data(fnames)
