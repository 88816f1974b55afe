from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common_deposit import DepositCommon
from .common_report import ReportHelpers

HANDOVER = "rental_risk.action_report_rental_handover"
CLAIM = "rental_risk.action_report_rental_damage_claim"
SETTLEMENT = "rental_risk.action_report_rental_deposit_settlement"
# A 1x1 PNG, as the signature widget sends it (base64).
SIGNATURE = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


@tagged("post_install", "-at_install")
class TestReportStatements(ReportHelpers, DepositCommon, HttpCase):
    """Handover receipts, claim statements and deposit settlement statements."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_grade(cls.customer, "B")  # deposit: 10 % of 5,000.00 = 500.00
        cls.camera.product_tmpl_id.rental_accessory_ids = [
            (0, 0, {"name": "Battery V-Mount", "value": 150.0})
        ]
        cls.outsider = new_test_user(
            cls.env, login="rr_doc_outsider", groups="sales_team.group_sale_salesman_all_leads"
        )

    def _paid_order_out(self):
        order = self._confirmed_order(lots=self.lot_1)
        order.action_rental_invoice_deposit()
        self._pay(order.invoice_ids)
        self._validate(self._pickup(order))
        return order

    def _claim(self, order, amount, **vals):
        claim = self.env["rental.damage.claim"].create(
            {
                "lot_id": self.lot_1.id,
                "partner_id": self.customer.id,
                "order_id": order.id,
                "description": "Dented lens mount",
                "assessed_amount": amount,
                **vals,
            }
        )
        claim.action_assess()
        claim.action_invoice()
        return claim

    def _settled(self, claim_amount=800.0):
        """An order returned with a claim of ``claim_amount``, its deposit settled."""
        order = self._paid_order_out()
        self._validate(self._return(order))
        claim = self._claim(order, claim_amount)
        settlement = order._rental_settle_deposit()
        return order, claim, settlement

    # ------------------------------------------------------------------
    # Handover receipts
    # ------------------------------------------------------------------

    def test_checkout_receipt_pdf_lists_serials_and_signature(self):
        """The check-out receipt names the serial, its condition, counter and accessories,
        and shows the customer's drawn signature once signed."""
        self.lot_1.rental_condition = "good"
        order = self._paid_order_out()
        handover = self.env["rental.handover"].search([("order_id", "=", order.id)])
        handover.with_user(self.warehouse_user).action_sign(SIGNATURE, "Jane Signer")
        text = self._pdf_text(self._render_pdf(HANDOVER, handover.with_user(self.warehouse_user)))
        self.assertIn("Check-out Receipt", text)
        self.assertIn("TCAM-01", text)
        self.assertIn("Battery V-Mount", text)
        self.assertIn("Jane Signer", text)
        tree = self._render_html(HANDOVER, handover)
        (img,) = tree.xpath("//div[@id='handover_signatures']//img")
        self.assertTrue(img.get("src").startswith("data:image/png;base64,"))
        row = self._node_text(tree, "//table[@id='handover_lines']/tbody/tr")
        self.assertIn(dict(self.lot_1._fields["rental_condition"].selection)["good"], row)

    def test_return_receipt_title(self):
        """The return's receipt is titled as a return."""
        order = self._paid_order_out()
        self._validate(self._return(order))
        handover = self.env["rental.handover"].search(
            [("order_id", "=", order.id), ("operation", "=", "return")]
        )
        tree = self._render_html(HANDOVER, handover.with_user(self.rental_user))
        self.assertIn("Return Receipt", self._node_text(tree, "//h2"))

    # ------------------------------------------------------------------
    # Claim statements
    # ------------------------------------------------------------------

    def test_claim_statement_shows_what_the_deposit_covered(self):
        """A claim of 800.00 against a 500.00 deposit: 500.00 paid from the deposit, 300.00
        still due."""
        _order, claim, _settlement = self._settled(800.0)
        text = self._pdf_text(self._render_pdf(CLAIM, claim.with_user(self.rental_user)))
        self.assertIn(claim.name, text)
        self.assertIn("TCAM-01", text)
        self.assertIn("Dented lens mount", text)
        tree = self._render_html(CLAIM, claim)
        self.assertIn("500.00", self._node_text(tree, "//tr[@id='claim_deposit_covered']"))
        self.assertIn("300.00", self._node_text(tree, "//tr[@id='claim_due']"))

    def test_loss_statement_shows_depreciation_and_insurance(self):
        """A loss claim states the replacement value, the depreciation, the insurance cover
        and the deductible."""
        order = self._paid_order_out()
        claim = self._claim(
            order,
            3000.0,
            claim_type="loss",
            insurance_cover=2000.0,
            deductible=1200.0,
        )
        values = claim._rental_statement_values()
        self.assertEqual(values["depreciation"], 2000.0)  # 5,000.00 replacement, 3,000.00 now
        self.assertEqual(claim.charge_amount, 1200.0)  # the deductible, above 3,000 - 2,000
        tree = self._render_html(CLAIM, claim)
        figures = self._node_text(tree, "//table[@id='claim_figures']")
        for amount in ("5,000.00", "2,000.00", "3,000.00", "1,200.00"):
            self.assertIn(amount, figures)
        self.assertTrue(tree.xpath("//tr[@id='claim_depreciation']"))

    # ------------------------------------------------------------------
    # Deposit settlement statements
    # ------------------------------------------------------------------

    def test_settlement_statement_pdf(self):
        """The settlement statement states the deposit held, what paid the claim and what
        was refunded."""
        _order, claim, settlement = self._settled(200.0)
        self.assertEqual(settlement.refund_amount, 300.0)
        text = self._pdf_text(self._render_pdf(SETTLEMENT, settlement.with_user(self.rental_user)))
        self.assertIn(settlement.order_id.name, text)
        self.assertIn(claim.name, text)
        self.assertIn("500.00", text)
        tree = self._render_html(SETTLEMENT, settlement)
        self.assertIn("300.00", self._node_text(tree, "//tr[@id='settlement_refund']"))

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------

    def test_statements_follow_record_access(self):
        """Someone who cannot read handovers, claims or settlements cannot print them."""
        _order, claim, settlement = self._settled(200.0)
        handover = self.env["rental.handover"].search([("order_id", "=", settlement.order_id.id)])
        reports = self.env["ir.actions.report"].with_user(self.outsider)
        for report, records in ((HANDOVER, handover), (CLAIM, claim), (SETTLEMENT, settlement)):
            with self.subTest(report=report), self.assertRaises(AccessError):
                reports._render_qweb_html(report, records.ids)
        # The warehouse prints receipts and claims; settlements are not theirs to read.
        warehouse = self.env["ir.actions.report"].with_user(self.warehouse_user)
        warehouse._render_qweb_html(HANDOVER, handover[:1].ids)
        warehouse._render_qweb_html(CLAIM, claim.ids)
        with self.assertRaises(AccessError):
            warehouse._render_qweb_html(SETTLEMENT, settlement.ids)
