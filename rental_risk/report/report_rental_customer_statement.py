from odoo import models

from ..models.rental_customer_statement import STATEMENT_SENDERS


class ReportRentalCustomerStatement(models.AbstractModel):
    """Customer statements: printed by the people who may send them."""

    _name = "report.rental_risk.report_rental_customer_statement"
    _inherit = "rental.document.report"
    _description = "Rental Customer Statement Report"

    _rental_report_model = "rental.customer.statement"

    def _rental_print_groups(self):
        return list(STATEMENT_SENDERS)

    def _rental_report_extra_values(self, docs, data):
        return {"statements": {doc.id: doc._get_statement_values() for doc in docs}}
