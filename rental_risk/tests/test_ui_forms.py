from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common_deposit import DepositCommon
from .common_risk import RiskCommon
from .common_ui import node_invisible

DEPOSIT_NODES = (
    "//page[@name='rental_deposit']",
    "//header/button[@name='action_rental_update_deposit']",
    "//header/button[@name='action_rental_invoice_deposit']",
    "//header/button[@name='action_rental_settle_deposit']",
)


@tagged("post_install", "-at_install")
class TestOrderFormDeposit(DepositCommon):
    """The deposit on the order form follows the company's Rental Deposits setting."""

    def test_deposit_tab_and_buttons_hidden_while_deposits_are_off(self):
        """Deposits off: no Deposit tab, no Update / Invoice / Settle Deposit; on: they show."""
        self.company.rental_deposit_enabled = False
        quotation = self._create_rental_order()
        confirmed = self._confirmed_order(lots=self.lot_2)
        self.assertFalse(confirmed.order_line.filtered("is_rental_deposit"))
        for order in (quotation, confirmed):
            for xpath in DEPOSIT_NODES:
                with self.subTest(order=order.state, node=xpath):
                    self.assertTrue(node_invisible(order, xpath))
        self.company.rental_deposit_enabled = True
        quotation.invalidate_recordset()
        self.assertFalse(node_invisible(quotation, DEPOSIT_NODES[0]))
        self.assertFalse(node_invisible(quotation, DEPOSIT_NODES[1]))

    def test_deposit_already_asked_stays_visible_after_switching_off(self):
        """An order that has a deposit line keeps its Deposit tab when deposits are turned off."""
        order = self._confirmed_order()
        self.assertTrue(order.order_line.filtered("is_rental_deposit"))
        self.company.rental_deposit_enabled = False
        order.invalidate_recordset()
        self.assertFalse(node_invisible(order, DEPOSIT_NODES[0]))
        self.assertFalse(node_invisible(order, DEPOSIT_NODES[2]))

    def test_salesperson_invoices_the_deposit(self):
        """A Rental User (a salesperson, no accounting rights) invoices the deposit of an order."""
        order = self._create_rental_order(user_id=self.rental_user.id)
        order.with_user(self.rental_user).action_confirm()
        self.assertFalse(
            node_invisible(order.with_user(self.rental_user), DEPOSIT_NODES[2]),
            "the Invoice Deposit button must show to the salesperson",
        )
        order.with_user(self.rental_user).action_rental_invoice_deposit()
        invoice = order.invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.state, "posted")
        self.assertTrue(invoice.invoice_line_ids.sale_line_ids.is_rental_deposit)

    def test_warehouse_user_cannot_invoice_the_deposit(self):
        """Someone who neither sells nor invoices cannot invoice a deposit, even over RPC."""
        order = self._confirmed_order()
        with self.assertRaises(AccessError):
            order.with_user(self.warehouse_user).action_rental_invoice_deposit()
        self.assertFalse(order.invoice_ids)


@tagged("post_install", "-at_install")
class TestOrderFormRisk(RiskCommon):
    """The risk parts of the order form: panel, approval header, feedback of the buttons."""

    def test_waiting_order_header_belongs_to_the_approval(self):
        """A held order shows no Confirm and no Check Risk, its reasons once, a short ribbon."""
        self._rule(
            "asset_value", "approval", amount=1000.0, approval_group_id=self.officer_group.id
        )
        order = self._order().with_user(self.rental_user)
        order.action_confirm()
        self.assertEqual(order.rental_risk_approval_state, "waiting")
        for xpath in (
            "//header/button[@name='action_confirm'][@id='action_confirm']",
            "//header/button[@name='action_confirm'][not(@id)]",
            "//header/button[@name='action_rental_risk_check']",
            "//div[@name='rental_risk_panel']",
        ):
            with self.subTest(node=xpath):
                self.assertTrue(node_invisible(order, xpath))
        as_officer = order.with_user(self.officer)
        self.assertFalse(
            node_invisible(as_officer, "//header/button[@name='action_rental_risk_review']")
        )
        # The reasons are in the alert, once.
        arch = order.get_view(view_type="form")["arch"]
        self.assertEqual(arch.count('name="rental_risk_approval_reasons"'), 1)
        ribbon = '//widget[@name="web_ribbon"][contains(@invisible, "waiting")]'
        self.assertFalse(node_invisible(order, ribbon))
        title = etree.fromstring(arch).xpath(ribbon)[0].get("title")
        self.assertLessEqual(len(title), 12, "a longer ribbon title is cut off by the ribbon")
        # A draft order that waits for nothing keeps its Confirm button.
        self.assertFalse(
            node_invisible(self._order(), "//header/button[@name='action_confirm'][not(@id)]")
        )

    def test_approver_without_email_confirms(self):
        """An approver without an e-mail approves: the order is confirmed, not refused."""
        self._rule(
            "asset_value", "approval", amount=1000.0, approval_group_id=self.officer_group.id
        )
        self.officer.partner_id.email = False
        self.company.email = "rentals@example.com"
        order = self._order().with_user(self.rental_user)
        order.action_confirm()
        order.with_user(self.officer)._rental_risk_decide(True, "Known customer.")
        self.assertEqual(order.state, "sale")
        message = order.message_ids.filtered(lambda m: m.author_id == self.officer.partner_id)[:1]
        self.assertTrue(message)
        self.assertIn("rentals@example.com", message.email_from)

    def test_user_without_email_posts_on_rental_documents(self):
        """A user without an e-mail posts on orders and customers: the company's e-mail stands
        in (Odoo would refuse with "configure the sender's email address")."""
        self.officer.partner_id.email = False
        self.company.email = "rentals@example.com"
        order = self._create_rental_order(user_id=self.officer.id)
        for record in (order, self.customer):
            with self.subTest(model=record._name):
                message = record.with_user(self.officer).message_post(body="Checked by phone.")
                self.assertEqual(message.author_id, self.officer.partner_id)
                self.assertIn("rentals@example.com", message.email_from)

    def test_no_email_anywhere_still_posts(self):
        """Neither the approver nor the company has an e-mail: the decision still goes through."""
        self._rule(
            "asset_value", "approval", amount=1000.0, approval_group_id=self.officer_group.id
        )
        self.officer.partner_id.email = False
        self.company.email = False
        order = self._order().with_user(self.rental_user)
        order.action_confirm()
        order.with_user(self.officer)._rental_risk_decide(True, "Known customer.")
        self.assertEqual(order.state, "sale")

    def test_check_risk_says_what_it_found(self):
        """Check Risk answers with a notification (and reloads the form), with or without hits."""
        order = self._order().with_user(self.rental_user)
        action = order.action_rental_risk_check()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(action["params"]["next"]["tag"], "soft_reload")
        self._rule("asset_value", "warn", amount=1.0)
        action = order.action_rental_risk_check()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("asset_value warn", action["params"]["message"])

    def test_blacklisted_customer_warned_on_selection(self):
        """Choosing a blacklisted customer warns at once; the confirmation is still refused."""
        self._blacklist()
        order = (
            self.env["sale.order"].with_user(self.rental_user).new({"partner_id": self.customer.id})
        )
        warning = order._onchange_partner_id_rental_blacklist()["warning"]
        self.assertIn(self.customer.name, warning["message"])
        self.assertIn("blacklisted", warning["message"])
        clean = self.env["res.partner"].create({"name": "Clean Customer"})
        self.assertFalse(
            self.env["sale.order"]
            .new({"partner_id": clean.id})
            ._onchange_partner_id_rental_blacklist()
        )

    def test_deposit_rule_hint_absent_while_deposits_are_off(self):
        """Deposits off: the panel does not ask a deposit and no event mentions one."""
        self._rule("asset_value", "deposit", amount=1.0, deposit_percent=20.0)
        self.company.rental_deposit_enabled = False
        order = self._order().with_user(self.rental_user)
        self.assertNotIn("deposit", order.rental_risk_panel.lower())
        order.action_rental_risk_check()
        order.action_confirm()
        self.assertFalse(order.rental_risk_deposit_percent)
        events = self.Event.sudo().search([("order_id", "=", order.id)])
        self.assertFalse([e for e in events if "deposit" in (e.details or "").lower()])
        self.assertTrue(node_invisible(order, "//page[@name='rental_risk_approval']"))


@tagged("post_install", "-at_install")
class TestCustomerForms(RiskCommon):
    """Customers: who creates them, the feedback of Rescore Now, the figures reports sum."""

    def test_rental_user_creates_a_customer(self):
        """A Rental User creates a customer, as any salesperson can."""
        with Form(self.env["res.partner"].with_user(self.rental_user)) as form:
            form.name = "Walk-in Film Crew"
        self.assertTrue(form.record.id)

    def test_rental_user_cannot_blacklist_through_create(self):
        """Creating customers does not open the protected fields: a blacklisted one is refused."""
        with self.assertRaises(UserError):
            self.env["res.partner"].with_user(self.rental_user).create(
                {"name": "Sneaky", "rental_blacklisted": True}
            )

    def test_rescore_now_says_the_new_grade(self):
        """Rescore Now answers with the customer's new score and grade, and reloads."""
        action = self.customer.with_user(self.officer).action_rental_risk_rescore()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["next"]["tag"], "soft_reload")
        self.assertIn(self.customer.name, action["params"]["message"])
        self.assertIn(str(self.customer.rental_score), action["params"]["message"])

    def test_limits_are_not_summed(self):
        """Credit limits and available credit are caps per customer: reports never sum them;
        every measure of the addon's graphs and pivots has a meaningful aggregate."""
        fields = self.env["res.partner"].fields_get(
            [
                "rental_credit_limit",
                "rental_available_credit_at_scoring",
                "rental_exposure_at_scoring",
            ],
            ["aggregator"],
        )
        self.assertFalse(fields["rental_credit_limit"].get("aggregator"))
        self.assertFalse(fields["rental_available_credit_at_scoring"].get("aggregator"))
        self.assertEqual(fields["rental_exposure_at_scoring"].get("aggregator"), "sum")
        grade_fields = self.env["rental.grade.limit"].fields_get(
            ["credit_limit", "deposit_rate"], ["aggregator"]
        )
        self.assertFalse(grade_fields["credit_limit"].get("aggregator"))
        self.assertFalse(grade_fields["deposit_rate"].get("aggregator"))
        views = self.env["ir.ui.view"].search(
            [("type", "in", ("graph", "pivot")), ("model_data_id.module", "=", "rental_risk")]
        )
        self.assertTrue(views)
        for view in views:
            model = self.env[view.model]
            arch = etree.fromstring(model.get_view(view.id, view.type)["arch"])
            for node in arch.xpath("//field[@type='measure']"):
                with self.subTest(view=view.xml_id, field=node.get("name")):
                    aggregator = model.fields_get([node.get("name")], ["aggregator"])[
                        node.get("name")
                    ]
                    self.assertTrue(aggregator.get("aggregator"))
