from odoo import api, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    @api.model
    def _reconcile_plan(self, reconciliation_plan):
        # Every reconciliation (payment register, outstanding credit widget, bank matching)
        # ends here; after it, the customer's payment history and balance have changed.
        res = super()._reconcile_plan(reconciliation_plan)
        lines = self._rental_risk_plan_lines(reconciliation_plan)
        lines._rental_risk_rescore_customers()
        # Damage claims follow the payment of their invoice.
        lines._rental_sync_claims()
        return res

    @api.model
    def _rental_risk_plan_lines(self, plan):
        """All lines of a reconciliation plan (a list of recordsets or of nested plans)."""
        lines = self.browse()
        for item in plan:
            lines |= (
                item if isinstance(item, models.BaseModel) else self._rental_risk_plan_lines(item)
            )
        return lines

    def _rental_risk_rescore_customers(self):
        """Rescore the customers of the customer invoices and credit notes among these lines."""
        moves = self.move_id.filtered(lambda move: move.is_sale_document(include_receipts=False))
        if moves:
            for company in moves.company_id:
                moves.filtered(
                    lambda m, c=company: m.company_id == c
                ).commercial_partner_id.sudo()._rental_risk_rescore(company=company)

    def _rental_sync_claims(self):
        """Move the damage claims invoiced by these lines' customer invoices to paid (or back
        to invoiced) with their invoice's payment state."""
        moves = self.move_id.filtered(lambda move: move.move_type == "out_invoice")
        if moves:
            self.env["rental.damage.claim"].sudo().search(
                [("invoice_id", "in", moves.ids)]
            )._rental_sync_payment_state()
