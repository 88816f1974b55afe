import base64
import logging

from reportlab.graphics.utils import RenderPMError

from odoo import models

from ..engine.asset_labels import code128_data_uri, fit_options, qr_svg_data_uri

_logger = logging.getLogger(__name__)

#: Pixel size Odoo's barcode renderer draws the label QR code at (printed at 18-20 mm).
QR_SIZE = 200


class StockLot(models.Model):
    _inherit = "stock.lot"

    def _rental_label_code(self):
        """What the label's Code 128 encodes: the asset's rental barcode, else its serial."""
        self.ensure_one()
        return self.rental_barcode or self.name

    def _rental_label_url(self):
        """The page the label's QR code opens: the asset's public page, where whoever holds it
        reports a fault (see stock_lot_fault.py); the backend form for a non-rental serial."""
        self.ensure_one()
        if self.rental_ok:
            return self._rental_fault_url()
        return f"{self.get_base_url()}/odoo/action-stock.action_production_lot_form/{self.id}"

    def _rental_label_code128_src(self, width_mm=57.0, height_mm=11.0):
        """The label's Code 128 as an SVG data URI (python-barcode), drawn to fill
        ``width_mm`` x ``height_mm``."""
        self.ensure_one()
        code = self._rental_label_code()
        return code128_data_uri(code, **fit_options(code, width_mm, height_mm))

    def _rental_label_qr_src(self):
        """The label's QR code as a data URI, drawn by Odoo's own barcode renderer (the one
        behind /report/barcode/QR), embedded so the PDF needs no request back to the server.

        reportlab 4 draws PNGs only with a renderPM backend (rl-renderPM or rlPyCairo), which
        Odoo's requirements install on Windows alone; without one the QR is drawn as SVG with
        the qrcode package (also an Odoo requirement) rather than leaving the label blank.
        """
        self.ensure_one()
        url = self._rental_label_url()
        try:
            png = self.env["ir.actions.report"].barcode("QR", url, width=QR_SIZE, height=QR_SIZE)
        except (RenderPMError, ImportError):
            _logger.debug("No reportlab renderPM backend: label QR code drawn as SVG")
            return qr_svg_data_uri(url)
        return f"data:image/png;base64,{base64.b64encode(png).decode()}"
