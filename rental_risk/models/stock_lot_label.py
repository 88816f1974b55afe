import base64

from odoo import models

from ..engine.asset_labels import code128_data_uri

#: Pixel size Odoo's barcode renderer draws the label QR code at (printed at 18-20 mm).
QR_SIZE = 200


class StockLot(models.Model):
    _inherit = "stock.lot"

    def _rental_label_code(self):
        """What the label's Code 128 encodes: the asset's rental barcode, else its serial."""
        self.ensure_one()
        return self.rental_barcode or self.name

    def _rental_label_url(self):
        """The page the label's QR code opens: for now the serial's form in the backend.

        One overridable method: a public page of the asset can replace it without touching the
        label templates.
        """
        self.ensure_one()
        return f"{self.get_base_url()}/odoo/action-stock.action_production_lot_form/{self.id}"

    def _rental_label_code128_src(self):
        """The label's Code 128 as an SVG data URI (python-barcode)."""
        self.ensure_one()
        return code128_data_uri(self._rental_label_code())

    def _rental_label_qr_src(self):
        """The label's QR code as a PNG data URI, drawn by Odoo's own barcode renderer (the one
        behind /report/barcode/QR): embedded, so the PDF needs no request back to the server."""
        self.ensure_one()
        png = self.env["ir.actions.report"].barcode(
            "QR", self._rental_label_url(), width=QR_SIZE, height=QR_SIZE
        )
        return f"data:image/png;base64,{base64.b64encode(png).decode()}"
