import logging
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from .common_report import ReportHelpers, _HarmlessWkhtmltopdfFilter
from .common_risk import RiskCommon


@tagged("post_install", "-at_install")
class TestDunningLetter(ReportHelpers, RiskCommon, HttpCase):
    """The paper channels of dunning: the PDF letter of a level, and the document pack
    handed to legal. Rendered through wkhtmltopdf as outside tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env.user.with_user(cls.officer))
        cls.customer.email = "accounts@customer.example.com"
        cls.env.ref("rental_risk.rental_dunning_policy_default").company_id = cls.company
        cls.formal = cls.env.ref("rental_risk.rental_dunning_level_formal")
        cls.legal = cls.env.ref("rental_risk.rental_dunning_level_legal")

    def _line(self):
        run = (
            self.env["rental.dunning.run"]
            .with_user(self.officer)
            .create({"company_id": self.company.id, "date": self.today})
        )
        run.action_propose()
        return run.line_ids.filtered(lambda line: line.partner_id == self.customer)

    def _send(self, line):
        self._check_pdf_tools()
        # As _render_pdf does: Debian's wkhtmltopdf always warns about its unpatched Qt.
        logger = logging.getLogger("odoo.addons.base.models.ir_actions_report")
        log_filter = _HarmlessWkhtmltopdfFilter()
        logger.addFilter(log_filter)
        self.addCleanup(logger.removeFilter, log_filter)
        line.with_user(self.officer).with_context(force_report_rendering=True).action_send()

    def test_letter_attached_once_when_sent_twice(self):
        """The formal notice renders its letter (customer, invoices with due dates and
        amounts, total, level) once, attached to the line and posted to the customer; sending
        again adds nothing, and nobody replaces the letter by hand."""
        invoice = self._post_invoice(345.0, self.today - timedelta(days=25))
        line = self._line()
        self.assertEqual(line.level_id, self.formal)
        self._send(line)
        self._send(line)
        letters = self.env["ir.attachment"].search(
            [("res_model", "=", "rental.dunning.line"), ("res_id", "=", line.id)]
        )
        self.assertEqual(letters, line.letter_attachment_id)
        self.assertEqual(letters.mimetype, "application/pdf")
        text = self._pdf_text(letters.raw)
        for expected in (self.customer.name, invoice.name, "Formal notice", "345.00", "25"):
            self.assertIn(expected, text)
        posted = self.customer.message_ids.filtered(lambda m: letters in m.attachment_ids)
        self.assertEqual(len(posted), 1)
        self.assertIn("letter attached", line.channels_done)
        for user in (self.officer, self.manager, self.env.ref("base.user_admin")):
            with self.assertRaises(UserError):
                line.with_user(user).write({"letter_attachment_id": False})

    def test_legal_pack_holds_letter_invoices_and_contracts(self):
        """The legal level gives the Risk Manager a task with the pack attached: the letter,
        each overdue invoice and the contract of the order whose gear is still out."""
        order = self._order()
        order.action_confirm()
        self._validate(self._pickup(order))
        done = self._order(
            start=self.start - timedelta(days=30), end=self.start - timedelta(days=20)
        )
        done.action_confirm()
        first = self._post_invoice(300.0, self.today - timedelta(days=120))
        second = self._post_invoice(200.0, self.today - timedelta(days=95))
        line = self._line()
        self.assertEqual(line.level_id, self.legal)
        self._send(line)
        activity = self.customer.activity_ids.filtered(
            lambda a: a.summary == "Hand the overdue debt to legal"
        )
        self.assertTrue(activity.user_id.has_group("rental_risk.rental_risk_group_manager"))
        names = activity.attachment_ids.sorted("id").mapped("name")
        self.assertEqual(
            names,
            [
                f"Dunning Letter - {self.customer.name} - {self.legal.name}.pdf",
                f"{first.name}.pdf",
                f"{second.name}.pdf",
                f"Rental Contract - {order.name}.pdf",
            ],
        )
        self.assertEqual(activity.attachment_ids, line.legal_attachment_ids)
        self.assertEqual(set(activity.attachment_ids.mapped("mimetype")), {"application/pdf"})
        contract = activity.attachment_ids.filtered(lambda a: order.name in a.name)
        self.assertIn(order.name, self._pdf_text(contract.raw))
