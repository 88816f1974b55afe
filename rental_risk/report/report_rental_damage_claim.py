from odoo import models


class ReportRentalDamageClaim(models.AbstractModel):
    """Claim statements: whoever may read the claim prints it."""

    _name = "report.rental_risk.report_rental_damage_claim"
    _inherit = "rental.document.report"
    _description = "Rental Claim Statement Report"

    _rental_report_model = "rental.damage.claim"

    def _rental_report_extra_values(self, docs, data):
        return {"statements": {claim.id: claim._rental_statement_values() for claim in docs}}
