from odoo import models


class ReportRentalContract(models.AbstractModel):
    _name = "report.rental_risk.report_rental_contract"
    _inherit = "rental.document.report"
    _description = "Rental Contract Report"

    _rental_report_model = "sale.order"

    def _rental_print_groups(self):
        return ["rental_risk.rental_risk_group_user"]

    def _rental_print_refusal(self):
        return self.env._("Only Rental Users print or send rental contracts.")
