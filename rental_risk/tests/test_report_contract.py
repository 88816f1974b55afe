from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from ..engine.amount_words import amount_in_words, rmb_uppercase
from .common_deposit import DepositCommon
from .common_report import ReportHelpers

CONTRACT = "rental_risk.action_report_rental_contract"
# A 1x1 PNG, as the signature widget sends it (base64).
SIGNATURE = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


@tagged("post_install", "-at_install")
class TestReportContract(ReportHelpers, DepositCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_grade(cls.customer, "B")  # deposit 10 % of the replacement values
        cls.customer.write(
            {"street": "12 Harbour Road", "city": "Portsmouth", "lang": "en_US", "vat": False}
        )
        cls.customer.sudo().write(
            {"rental_kyc_id_type": "passport", "rental_kyc_id_number": "P7654321"}
        )
        cls.camera.product_tmpl_id.rental_accessory_ids = [
            Command.create({"name": "Battery V-Mount", "value": 150.0}),
            Command.create({"name": "Lens cap", "value": 10.0}),
        ]
        cls.company.rental_contract_terms = "<p>The equipment comes back clean.</p>"
        cls.order = cls._create_rental_order(lots=cls.lot_1, user_id=cls.rental_user.id)
        cls.order.action_confirm()

    def test_contract_pdf_states_serials_amount_in_words_and_deposit(self):
        """The PDF names the serial with its replacement value, the deposit, the total in
        English words, the accessories and the company's terms."""
        order = self.order.with_user(self.rental_user)
        text = self._pdf_text(self._render_pdf(CONTRACT, order))
        self.assertIn("TCAM-01", text)
        self.assertIn("5,000.00", text)  # replacement value of the serial
        self.assertIn("Battery V-Mount", text)
        self.assertIn("P7654321", text)
        self.assertIn("The equipment comes back clean.", text)
        words = amount_in_words(order.amount_total, "en_US", order.currency_id.name)
        self.assertIn(words, text)
        self.assertTrue(order.order_line.filtered("is_rental_deposit"))
        self.assertIn(f"Deposit: $ {order._rental_contract_deposit():,.2f}", text)

    def test_contract_chinese_customer_gets_uppercase_rmb(self):
        """A zh_CN customer's contract writes the total in Chinese financial uppercase, and
        the PDF carries the Chinese glyphs (a CJK font is installed)."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.customer.lang = "zh_CN"
        self.company.with_context(lang="zh_CN").rental_contract_terms = "<p>设备须清洁归还。</p>"
        words = rmb_uppercase(self.order.amount_total)
        self.assertTrue(words.endswith(("分", "角", "整")))
        text = self._pdf_text(self._render_pdf(CONTRACT, self.order))
        self.assertIn(words, text)
        self.assertIn("TCAM-01", text)
        # The company's terms in the customer's language.
        self.assertIn("设备须清洁归还。", text)
        self.assertNotIn("The equipment comes back clean.", text)

    def test_contract_html_lines_period_and_words(self):
        """The HTML lists the rental line with its period, serial and accessories, and the
        deposit and total in words in their places."""
        tree = self._render_html(CONTRACT, self.order)
        lines = self._node_text(tree, "//table[@id='rental_lines']/tbody")
        self.assertIn(self.camera.display_name, lines)
        self.assertIn("TCAM-01", lines)
        self.assertIn("Battery V-Mount, Lens cap", lines)
        self.assertIn("2031", lines)
        self.assertIn("500.00", self._node_text(tree, "//p[@id='rental_deposit']"))
        self.assertIn(
            amount_in_words(self.order.amount_total, "en_US", self.order.currency_id.name),
            self._node_text(tree, "//p[@id='rental_amount_words']"),
        )
        self.assertFalse(tree.xpath("//div[@id='rental_signatures']//img"))

    def test_contract_prints_pickup_signature(self):
        """Once the customer signed the pickup handover, the contract shows that signature."""
        self._validate(self._pickup(self.order))
        handover = self.env["rental.handover"].search([("order_id", "=", self.order.id)])
        handover.with_user(self.warehouse_user).action_sign(SIGNATURE, "Jane Signer")
        tree = self._render_html(CONTRACT, self.order)
        (img,) = tree.xpath("//div[@id='rental_signatures']//img")
        self.assertTrue(img.get("src").startswith("data:image/png;base64,"))
        self.assertIn("Jane Signer", self._node_text(tree, "//div[@id='rental_signatures']"))

    def test_only_rental_users_print_contracts(self):
        """A salesperson outside the rental groups cannot print a contract, even of an order
        they sell; the button says so too."""
        salesman = new_test_user(
            self.env, login="rr_doc_salesman", groups="sales_team.group_sale_salesman_all_leads"
        )
        with self.assertRaises(AccessError):
            self.env["ir.actions.report"].with_user(salesman)._render_qweb_html(
                CONTRACT, self.order.ids
            )
        with self.assertRaises(AccessError):
            self.order.with_user(salesman).action_rental_print_contract()
        action = self.order.with_user(self.rental_user).action_rental_print_contract()
        self.assertEqual(action["report_name"], "rental_risk.report_rental_contract")

    def test_send_contract_attaches_the_pdf(self):
        """Send Contract e-mails the customer with the contract attached."""
        action = self.order.with_user(self.rental_user).action_rental_send_contract()
        composer = Form.from_action(self.env(user=self.rental_user), action).save()
        composer._action_send_mail()
        message = self.order.message_ids[0]
        self.assertEqual(message.partner_ids, self.customer)
        self.assertEqual(
            [name.rsplit(".", 1)[0] for name in message.attachment_ids.mapped("name")],
            [f"Rental Contract - {self.order.name}"],
        )

    def test_contract_folds_kit_components_into_the_kit_line(self):
        """A kit prints as one line: its contents, and the serials of its components with
        their replacement values."""
        kit = self.env["product.product"].create(
            {
                "name": "Test Camera Kit",
                "type": "consu",
                "rental_ok": True,
                "list_price": 110.0,
                "rental_price_day": 110.0,
                "rental_kit_line_ids": [
                    Command.create({"product_id": self.camera.id, "quantity": 1}),
                    Command.create({"product_id": self.lens.id, "quantity": 1}),
                ],
            }
        )
        order = self._create_rental_order(product=kit)
        order.action_confirm()
        (entry,) = order._rental_contract_lines()
        self.assertEqual(entry["line"].product_id, kit)
        self.assertEqual(entry["lots"].product_id, self.camera | self.lens)
        self.assertEqual(entry["replacement_total"], 5000.0 + 1200.0)
        tree = self._render_html(CONTRACT, order)
        rows = tree.xpath("//table[@id='rental_lines']/tbody/tr")
        self.assertEqual(len(rows), 1)
        self.assertIn(self.lens.display_name, self._node_text(rows[0], ".//div[@name='kit']"))
        lots = self._node_text(rows[0], "./td[3]")
        for lot in entry["lots"]:
            self.assertIn(lot.name, lots)
