from odoo import models


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


class ReportStockLotLabelSheet(models.AbstractModel):
    """Asset labels, 24 to an A4 sheet (3 x 8)."""

    _name = "report.rental_risk.report_stock_lot_label_sheet"
    _inherit = "report.rental_risk.report_stock_lot_label"
    _description = "Rental Asset Label Sheet Report"
