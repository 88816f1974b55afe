import base64

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from ..engine.asset_labels import (
    code128_modules,
    decode_code128,
    qr_matrix,
    svg_modules,
    svg_qr_matrix,
)
from .common import RentalCommon
from .common_report import ReportHelpers

LABEL = "rental_risk.action_report_stock_lot_label"
SHEET = "rental_risk.action_report_stock_lot_label_sheet"
MM_TO_PT = 72 / 25.4


@tagged("post_install", "-at_install")
class TestReportLabel(ReportHelpers, RentalCommon, HttpCase):
    def test_label_code128_is_the_serial(self):
        """Each label's Code 128 draws python-barcode's own encoding of the asset's barcode,
        and decodes back to it."""
        self.lot_2.rental_barcode = "RB-000777"
        lots = self.lot_1 | self.lot_2
        tree = self._render_html(LABEL, lots)
        labels = tree.xpath("//div[hasclass('rental_label')]")
        self.assertEqual([label.get("data-serial") for label in labels], ["TCAM-01", "TCAM-02"])
        for label, code in zip(labels, ("TCAM-01", "RB-000777"), strict=True):
            (img,) = label.xpath(".//img[hasclass('rental_label_code128')]")
            prefix, payload = img.get("src").split(",", 1)
            self.assertEqual(prefix, "data:image/svg+xml;base64")
            modules = svg_modules(base64.b64decode(payload).decode())
            self.assertEqual(modules, code128_modules(code))
            self.assertEqual(decode_code128(modules), code)

    def test_label_qr_points_to_the_asset(self):
        """The QR code encodes the asset's public page (its unguessable token), drawn by
        Odoo's renderer, or as SVG where reportlab has no PNG backend."""
        url = self.lot_1._rental_label_url()
        token = self.lot_1.sudo().rental_fault_token
        self.assertGreaterEqual(len(token), 40)
        self.assertEqual(url, f"{self.lot_1.get_base_url()}/rental/asset/{token}")
        tree = self._render_html(LABEL, self.lot_1)
        (img,) = tree.xpath("//img[hasclass('rental_label_qr')]")
        prefix, payload = img.get("src").split(",", 1)
        if prefix == "data:image/svg+xml;base64":
            matrix = qr_matrix(url)
            svg = base64.b64decode(payload).decode()
            self.assertEqual(svg_qr_matrix(svg, len(matrix)), matrix)
        else:
            self.assertEqual(prefix, "data:image/png;base64")
            png = self.env["ir.actions.report"].barcode("QR", url, width=200, height=200)
            self.assertEqual(base64.b64decode(payload), png)

    def test_label_roll_pdf_one_62mm_label_a_page(self):
        """On the 62 mm roll each serial gets a 62 x 40 mm page with its serial as text."""
        pdf = self._render_pdf(LABEL, self.camera_lots.with_user(self.warehouse_user))
        info = self._pdf_info(pdf)
        self.assertEqual(int(info["Pages"]), 3)
        width, height = (float(v) for v in info["Page size"].split("pts")[0].split(" x "))
        self.assertAlmostEqual(width, 62 * MM_TO_PT, delta=2)
        self.assertAlmostEqual(height, 40 * MM_TO_PT, delta=2)
        text = self._pdf_text(pdf)
        for lot in self.camera_lots:
            self.assertIn(lot.name, text)

    def test_label_sheet_pdf_24_labels_an_a4_page(self):
        """The A4 sheet holds 24 labels: 25 serials take two pages."""
        lots = self._create_lots(
            self.lens, [f"TLS-{index:02d}" for index in range(25)], with_stock=False
        )
        tree = self._render_html(SHEET, lots)
        self.assertEqual(len(tree.xpath("//div[hasclass('rental_label_sheet')]")), 2)
        self.assertEqual(len(tree.xpath("//div[hasclass('rental_label')]")), 25)
        pdf = self._render_pdf(SHEET, lots)
        info = self._pdf_info(pdf)
        self.assertEqual(int(info["Pages"]), 2)
        self.assertIn("A4", info["Page size"])
        boxes = self._pdf_word_boxes(pdf)
        # Labels sit on the stock's grid in real millimetres: 70 mm apart across, 37 mm down.
        page, x0, y0 = boxes["TLS-00"]
        self.assertEqual(page, 1)
        self.assertAlmostEqual(boxes["TLS-01"][1] - x0, 70 * MM_TO_PT, delta=3)
        self.assertAlmostEqual(boxes["TLS-03"][2] - y0, 37 * MM_TO_PT, delta=3)
        self.assertEqual(boxes["TLS-24"][0], 2)

    def test_labels_need_a_rental_group(self):
        """Inventory users outside the rental groups do not print asset labels."""
        stock_user = new_test_user(self.env, login="rr_doc_stock", groups="stock.group_stock_user")
        with self.assertRaises(AccessError):
            self.env["ir.actions.report"].with_user(stock_user)._render_qweb_html(
                LABEL, self.lot_1.ids
            )
        self.env["ir.actions.report"].with_user(self.rental_user)._render_qweb_html(
            LABEL, self.lot_1.ids
        )
