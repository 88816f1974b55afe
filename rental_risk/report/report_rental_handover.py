from odoo import models


class ReportRentalHandover(models.AbstractModel):
    _name = "report.rental_risk.report_rental_handover"
    _inherit = "rental.document.report"
    _description = "Rental Handover Receipt Report"

    _rental_report_model = "rental.handover"

    def _rental_print_groups(self):
        # The warehouse hands the gear and the receipt over; sales print it for the customer.
        return ["rental_risk.rental_risk_group_user", "rental_risk.rental_risk_group_warehouse"]

    def _rental_print_refusal(self):
        return self.env._("Only Rental Users and the Rental Warehouse print handover receipts.")
