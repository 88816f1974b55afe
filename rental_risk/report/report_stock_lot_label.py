import functools
import subprocess

from odoo import models

from odoo.addons.base.models.ir_actions_report import _get_wkhtmltopdf_bin

#: wkhtmltopdf built on an unpatched Qt (Debian's package) ignores --disable-smart-shrinking
#: and prints 1 CSS millimetre as 0.768 mm whatever the paper and dpi (measured with 0.12.6):
#: labels are zoomed back by its inverse so that they fit the label stock.
UNPATCHED_QT_SCALE = 0.768


@functools.cache
def _wkhtmltopdf_has_patched_qt():
    try:
        out = subprocess.run(
            [_get_wkhtmltopdf_bin(), "--version"], capture_output=True, text=True, check=False
        ).stdout
    except OSError:
        return True  # no wkhtmltopdf: Odoo prints HTML, nothing to correct
    return "patched qt" in out


class ReportStockLotLabel(models.AbstractModel):
    """Asset labels, on a 62 mm label printer."""

    _name = "report.rental_risk.report_stock_lot_label"
    _inherit = "rental.document.report"
    _description = "Rental Asset Label Report"

    _rental_report_model = "stock.lot"

    def _rental_print_groups(self):
        return ["rental_risk.rental_risk_group_user", "rental_risk.rental_risk_group_warehouse"]

    def _rental_print_refusal(self):
        return self.env._("Only Rental Users and the Rental Warehouse print asset labels.")

    def _rental_report_extra_values(self, docs, data):
        return {"label_zoom": self._rental_label_zoom(data.get("report_type"))}

    def _rental_label_zoom(self, report_type):
        """CSS zoom that makes the labels' millimetres real millimetres in the PDF."""
        if report_type != "pdf" or _wkhtmltopdf_has_patched_qt():
            return 1.0
        return round(1 / UNPATCHED_QT_SCALE, 6)


class ReportStockLotLabelSheet(models.AbstractModel):
    """Asset labels, 24 to an A4 sheet (3 x 8)."""

    _name = "report.rental_risk.report_stock_lot_label_sheet"
    _inherit = "report.rental_risk.report_stock_lot_label"
    _description = "Rental Asset Label Sheet Report"
