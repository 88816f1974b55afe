import base64
import io
from datetime import datetime, time, timedelta
from unittest.mock import patch

import openpyxl

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from ..models import rental_xlsx_register
from .common_deposit import DepositCommon

HEADER_ROW = 3


@tagged("post_install", "-at_install")
class TestXlsxRegisters(DepositCommon):
    """The Excel registers built from real records, read back with openpyxl."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.service = cls.env["rental.xlsx.register"]
        cls.today = cls._today(cls)
        cls.accountant = new_test_user(
            cls.env,
            login="rr_xlsx_accountant",
            groups="account.group_account_invoice",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        for user in (cls.salesman, cls.rental_user, cls.officer, cls.manager):
            user.write(
                {"company_ids": [Command.link(cls.company.id)], "company_id": cls.company.id}
            )
        # A customer who owes invoices of every age, one of them half paid.
        cls.payer = cls.env["res.partner"].create(
            {
                "name": "Aging Payer Ltd",
                "is_company": True,
                # Due on the invoice date: the invoices are aged from their own dates.
                "property_payment_term_id": cls.pay_terms_a.id,
            }
        )
        cls.payer_contact = cls.env["res.partner"].create(
            {"name": "Ann Payer", "parent_id": cls.payer.id}
        )
        cls.invoices = {}
        for days, amount in ((0, 100.0), (10, 200.0), (45, 300.0), (75, 400.0), (120, 500.0)):
            cls.invoices[days] = cls.init_invoice(
                "out_invoice",
                partner=cls.payer_contact if days == 45 else cls.payer,
                invoice_date=cls.today - timedelta(days=days),
                amounts=[amount],
                taxes=[],
                post=True,
            )
        cls._pay(cls, cls.invoices[120], amount=50.0)
        cls._as_rescoring(
            cls.payer,
            rental_score=64,
            rental_grade_computed="C",
            rental_grade="C",
            rental_credit_limit=2000.0,
            rental_exposure_at_scoring=1450.0,
        )
        cls.quiet = cls.env["res.partner"].create(
            {"name": "Quiet Customer", "is_company": True, "customer_rank": 1}
        )
        cls._as_rescoring(cls.quiet, rental_score=90, rental_grade_computed="A", rental_grade="A")

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _workbook(self, register, user=None, **options):
        service = self.service.with_user(user) if user else self.service
        name, content = service._export(register, self.company, **options)
        self.assertTrue(name.endswith(".xlsx"))
        return openpyxl.load_workbook(io.BytesIO(content))

    def _rows(self, sheet):
        """{first cell: row as a dict by header}, the totals row under "Total"."""
        header = [cell.value for cell in sheet[HEADER_ROW]]
        return {
            row[0]: dict(zip(header, row, strict=True))
            for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)
        }

    def _receivable(self, partner):
        lines = self.env["account.move.line"].search(
            [
                ("partner_id", "child_of", partner.id),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
            ]
        )
        return sum(lines.mapped("amount_residual"))

    def _assert_layout(self, sheet, columns):
        """Bold header on a fill, panes frozen under it, autofilter over it."""
        header = sheet.cell(HEADER_ROW, 1)
        self.assertTrue(header.font.b)
        self.assertEqual(header.fill.fgColor.rgb, "FFD9E1F2")
        self.assertEqual(sheet.freeze_panes, f"B{HEADER_ROW + 1}")
        self.assertTrue(sheet.auto_filter.ref.startswith(f"A{HEADER_ROW}:{columns}"))
        self.assertGreater(sheet.column_dimensions["A"].width, 10)

    # ------------------------------------------------------------------
    # Risk register and aging
    # ------------------------------------------------------------------

    def test_risk_register_rows_and_buckets(self):
        """Each customer's score, grade, limit and receivables by age; the buckets add up to
        the receivable, which is the partner's residual in the books."""
        sheet = self._workbook("risk", user=self.officer).active
        self._assert_layout(sheet, "O")
        rows = self._rows(sheet)
        row = rows["Aging Payer Ltd"]
        self.assertEqual((row["Score"], row["Grade"]), (64, "C"))
        self.assertEqual(row["Credit Limit"], 2000.0)
        self.assertEqual(row["Exposure (Last Scoring)"], 1450.0)
        buckets = ("Not Due", "1-30 Days", "31-60 Days", "61-90 Days", "Over 90 Days")
        self.assertEqual([row[b] for b in buckets], [100.0, 200.0, 300.0, 400.0, 450.0])
        self.assertAlmostEqual(row["Receivable"], self._receivable(self.payer), places=2)
        self.assertAlmostEqual(sum(row[b] for b in buckets), row["Receivable"], places=2)
        self.assertIs(row["Blacklisted"], False)
        self.assertNotIn("Ann Payer", rows, "contacts are counted with their company")
        self.assertEqual(rows["Quiet Customer"]["Grade"], "A")
        self.assertIsNone(rows["Quiet Customer"]["Receivable"])
        # The totals row sums the money columns but not the credit limits.
        data = [r for name, r in rows.items() if name != "Total"]
        self.assertAlmostEqual(
            rows["Total"]["Receivable"], sum(r["Receivable"] or 0 for r in data), places=2
        )
        self.assertIsNone(rows["Total"]["Credit Limit"])

    def test_risk_register_filters_and_selection(self):
        """The grade and blacklist filters, and a selection of records, limit the rows."""
        rows = self._rows(self._workbook("risk", grade="A").active)
        self.assertIn("Quiet Customer", rows)
        self.assertNotIn("Aging Payer Ltd", rows)
        rows = self._rows(self._workbook("risk", blacklisted_only=True).active)
        self.assertEqual(set(rows) - {"Total"}, set())
        rows = self._rows(self._workbook("risk", partner_ids=self.payer.ids).active)
        self.assertEqual(set(rows), {"Aging Payer Ltd", "Total"})

    def test_risk_register_blacklisted_customer(self):
        """A customer blacklisted by a Risk Manager is flagged, and alone with the filter."""
        self.payer.with_user(self.manager)._rental_risk_set_blacklist("fraud", "Stolen cards")
        rows = self._rows(self._workbook("risk", blacklisted_only=True).active)
        self.assertEqual(set(rows), {"Aging Payer Ltd", "Total"})
        self.assertIs(rows["Aging Payer Ltd"]["Blacklisted"], True)

    def test_rows_fetched_in_batches_all_written(self):
        """Rows read from the database a few at a time are all written, in order."""
        for n in range(5):
            self.env["res.partner"].create({"name": f"Batch Customer {n}", "customer_rank": 1})
        with patch.object(rental_xlsx_register, "FETCH_SIZE", 2):
            rows = self._rows(self._workbook("risk").active)
        names = [name for name in rows if name.startswith("Batch Customer")]
        self.assertEqual(names, [f"Batch Customer {n}" for n in range(5)])

    def test_risk_register_last_change(self):
        """The last change is the latest of the score history and the audit trail."""
        self.env["rental.risk.event"]._log("rescore", partner=self.payer, details="By hand")
        row = self._rows(self._workbook("risk", partner_ids=self.payer.ids).active)[
            "Aging Payer Ltd"
        ]
        self.assertIsInstance(row["Last Risk Change"], datetime)
        self.assertLessEqual(abs((row["Last Risk Change"].date() - self.today).days), 1)

    def test_aging_as_of_past_date(self):
        """As of 20 days ago: later invoices and the payment of today are left out, and the
        invoices are aged from that day."""
        sheet = self._workbook("aging", as_of=self.today - timedelta(days=20)).active
        self._assert_layout(sheet, "H")
        row = self._rows(sheet)["Aging Payer Ltd"]
        self.assertEqual(
            [row[k] for k in ("Not Due", "1-30 Days", "31-60 Days", "61-90 Days", "Over 90 Days")],
            [None, 300.0, 400.0, None, 500.0],
        )
        self.assertEqual(row["Receivable"], 1200.0)
        today_row = self._rows(self._workbook("aging").active)["Aging Payer Ltd"]
        self.assertAlmostEqual(today_row["Receivable"], self._receivable(self.payer), places=2)

    # ------------------------------------------------------------------
    # Asset register
    # ------------------------------------------------------------------

    def test_asset_register_utilization_damage_idle(self):
        """Days out come from customer bookings only; a claim per two rentals is a 50 %
        damage rate; idle days run from the last return; repair cost from the claims."""
        order = self._create_sale_order(product=self.camera, partner=self.customer)
        line = order.order_line
        noon = time(12, 0)

        def day(n):
            return datetime.combine(self.today - timedelta(days=n), noon)

        acquired = self.today - timedelta(days=100)
        (self.lot_1 | self.lot_2 | self.lot_3).write({"rental_acquisition_date": acquired})
        bookings = self.env["rental.booking"].sudo()
        bookings.create(
            [
                {
                    "lot_id": self.lot_1.id,
                    "order_line_id": line.id,
                    "date_start": day(30),
                    "date_end": day(20),
                    "state": "returned",
                },
                {
                    "lot_id": self.lot_1.id,
                    "order_line_id": line.id,
                    "date_start": day(10),
                    "date_end": day(6),
                    "state": "returned",
                },
                # A maintenance block is no rental.
                {"lot_id": self.lot_2.id, "date_start": day(5), "date_end": day(3)},
            ]
        )
        self.env["rental.damage.claim"].create(
            {
                "lot_id": self.lot_1.id,
                "partner_id": self.customer.id,
                "order_id": order.id,
                "date": self.today - timedelta(days=8),
                "description": "Cracked viewfinder",
                "assessed_amount": 300.0,
            }
        )
        workbook = self._workbook(
            "assets",
            user=self.rental_user,
            date_from=self.today - timedelta(days=60),
            date_to=self.today - timedelta(days=1),
        )
        serials = workbook["Serials"]
        self._assert_layout(serials, "N")
        rows = self._rows(serials)
        lot_1, lot_2 = rows["TCAM-01"], rows["TCAM-02"]
        self.assertEqual((lot_1["Days Owned"], lot_1["Days Out"]), (60.0, 14.0))
        self.assertAlmostEqual(lot_1["Utilization"], 14 / 60)
        self.assertEqual((lot_1["Rentals"], lot_1["Claims"], lot_1["Damage Rate"]), (2, 1, 0.5))
        self.assertEqual(lot_1["Last Return"].date(), self.today - timedelta(days=6))
        self.assertEqual(lot_1["Idle Days"], 6)
        self.assertEqual(lot_1["Repair Cost"], 300.0)
        self.assertEqual((lot_2["Days Out"], lot_2["Rentals"]), (0.0, 0))
        self.assertEqual(lot_2["Idle Days"], 100)
        self.assertNotIn("TRIPOD-01", rows, "serials of products not rented are left out")
        product = self._rows(workbook["Products"])["Test Cinema Camera [TCAM]"]
        self.assertEqual(product["Serials"], 3)
        self.assertEqual((product["Days Owned"], product["Days Out"]), (180.0, 14.0))
        self.assertEqual((product["Rentals"], product["Claims"]), (2, 1))
        self.assertEqual(product["Repair Cost"], 300.0)

    def test_asset_register_category_filter(self):
        """The product category filter keeps the serials of that category (and below)."""
        category = self.env["product.category"].create({"name": "Lenses"})
        self.lens.categ_id = category
        rows = self._rows(self._workbook("assets", categ_id=category.id)["Serials"])
        self.assertEqual(set(rows) - {"Total"}, {"TLENS-01", "TLENS-02"})

    # ------------------------------------------------------------------
    # Claims report
    # ------------------------------------------------------------------

    def test_claims_report_deposit_and_open_amount(self):
        """A claim larger than the deposit: invoiced in full, the deposit pays part of it,
        the rest is open; the summary by type adds up."""
        self._set_grade(self.customer, "B")  # deposit: 10 % of 5,000.00
        order = self._confirmed_order(lots=self.lot_1)
        order.action_rental_invoice_deposit()
        self._pay(order.invoice_ids)
        self._validate(self._pickup(order))
        self._validate(self._return(order))
        claim = self.env["rental.damage.claim"].create(
            {
                "lot_id": self.lot_1.id,
                "partner_id": self.customer.id,
                "order_id": order.id,
                "description": "Dent",
                "assessed_amount": 800.0,
                "insurance_cover": 0.0,
            }
        )
        claim.action_assess()
        claim.action_invoice()
        order._rental_settle_deposit()
        workbook = self._workbook("claims", user=self.accountant)
        sheet = workbook["Claims"]
        self._assert_layout(sheet, "V")
        row = self._rows(sheet)[claim.name]
        self.assertEqual((row["Type"], row["Status"]), ("Damage", "Invoiced"))
        self.assertEqual(row["Serial"], "TCAM-01")
        self.assertEqual((row["Assessed"], row["Customer Charge"]), (800.0, 800.0))
        self.assertEqual(row["Invoice"], claim.invoice_id.name)
        self.assertEqual((row["Invoiced"], row["Paid by Deposit"], row["Open"]), (800, 500, 300))
        self.assertEqual(row["Payment"], "Partially Paid")
        self.assertIs(row["Deposit Settled"], True)
        self.assertIsNone(row["Credited"])
        summary = self._rows(workbook["By Type"])["Damage"]
        self.assertEqual((summary["Claims"], summary["Paid by Deposit"]), (1, 500.0))

    # ------------------------------------------------------------------
    # Wizard, menus and rights
    # ------------------------------------------------------------------

    def test_wizard_from_list_selection_downloads_file(self):
        """From the customers' action menu, the wizard exports the selected customers (their
        companies) and hands the file to the browser."""
        action = self.env.ref("rental_risk.rental_xlsx_export_action_partner")
        self.assertEqual(action.binding_model_id.model, "res.partner")
        wizard = Form(
            self.env["rental.xlsx.export"]
            .with_user(self.officer)
            .with_context(active_model="res.partner", active_ids=self.payer_contact.ids)
        ).save()
        self.assertEqual((wizard.register, wizard.partner_ids), ("risk", self.payer))
        result = wizard.action_export()
        self.assertEqual(result["type"], "ir.actions.act_url")
        self.assertIn(f"/web/content/rental.xlsx.export/{wizard.id}/file_data/", result["url"])
        content = base64.b64decode(wizard.file_data)
        rows = self._rows(openpyxl.load_workbook(io.BytesIO(content)).active)
        self.assertEqual(set(rows), {"Aging Payer Ltd", "Total"})

    def test_menu_actions_open_their_register(self):
        """Each menu opens the wizard on its register, for the groups that may export it."""
        for register in ("risk", "aging", "assets", "claims"):
            action = self.env.ref(f"rental_risk.rental_xlsx_export_action_{register}")
            self.assertEqual(action.res_model, "rental.xlsx.export")
            self.assertIn(register, action.context)
        assets = self.env.ref("rental_risk.rental_xlsx_export_action_assets")
        self.assertIn(self.env.ref("rental_risk.rental_risk_group_user"), assets.groups_id)
        menus = self.env["ir.ui.menu"]
        finance = self.env.ref("rental_risk.rental_xlsx_export_menu_finance_risk")
        rental = self.env.ref("rental_risk.rental_xlsx_export_menu_risk")
        rental_assets = self.env.ref("rental_risk.rental_xlsx_export_menu_assets")
        visible = menus.with_user(self.accountant)._visible_menu_ids()
        self.assertIn(finance.id, visible, "accountants find the registers under Invoicing")
        visible = menus.with_user(self.rental_user)._visible_menu_ids()
        self.assertIn(rental_assets.id, visible)
        self.assertNotIn(rental.id, visible, "Rental Users do not see the risk register")

    def test_registers_refused_to_sales_user(self):
        """A plain salesperson may export none of the registers, nor open the wizard."""
        for register in ("risk", "aging", "assets", "claims"):
            with self.assertRaises(AccessError):
                self.service.with_user(self.salesman)._export(register, self.company)
        with self.assertRaises(AccessError):
            self.env["rental.xlsx.export"].with_user(self.salesman).create({"register": "risk"})

    def test_registers_by_role(self):
        """Rental Users export the asset register only; accountants the finance registers
        and not the asset register; another company's registers are refused."""
        for register in ("risk", "aging", "claims"):
            with self.assertRaises(AccessError):
                self.service.with_user(self.rental_user)._export(register, self.company)
            self.service.with_user(self.accountant)._export(register, self.company)
        with self.assertRaises(AccessError):
            self.service.with_user(self.accountant)._export("assets", self.company)
        wizard = (
            self.env["rental.xlsx.export"]
            .with_user(self.rental_user)
            .create({"register": "risk", "company_id": self.company.id})
        )
        with self.assertRaises(AccessError):
            wizard.action_export()
        other = self.env["res.company"].create({"name": "Other Rentals"})
        with self.assertRaises(AccessError):
            self.service.with_user(self.officer)._export("risk", other)

    def test_aging_from_the_customers_list(self):
        """The customers' list offers the receivables aging of the selected customers."""
        action = self.env.ref("rental_risk.rental_xlsx_export_action_partner_aging")
        self.assertIn("aging", action.context)
        wizard = (
            self.env["rental.xlsx.export"]
            .with_user(self.accountant)
            .with_context(
                rental_register="aging", active_model="res.partner", active_ids=self.payer.ids
            )
            .create({})
        )
        self.assertEqual(wizard.register, "aging")
        self.assertEqual(wizard.partner_ids, self.payer)
        self.assertIn("/web/content", wizard.action_export()["url"])
