from odoo import models


class ReportRentalDunningLetter(models.AbstractModel):
    """Dunning letters: credit control and the accountants print them."""

    _name = "report.rental_risk.report_rental_dunning_letter"
    _inherit = "rental.document.report"
    _description = "Dunning Letter Report"

    _rental_report_model = "rental.dunning.line"

    def _rental_print_groups(self):
        return ["rental_risk.rental_risk_group_officer", "account.group_account_invoice"]

    def _rental_print_refusal(self):
        return self.env._(
            "Only credit control (Risk Officers) and accountants print dunning letters."
        )

    def _rental_report_extra_values(self, docs, data):
        return {"letters": {line.id: line._rental_letter_values() for line in docs}}
