from odoo import models


class ReportRentalDepositSettlement(models.AbstractModel):
    """Deposit settlement statements: whoever may read the settlement prints it."""

    _name = "report.rental_risk.report_rental_deposit_settlement"
    _inherit = "rental.document.report"
    _description = "Rental Deposit Settlement Statement Report"

    _rental_report_model = "rental.deposit.settlement"
