from odoo import models


class RentalDamageClaim(models.Model):
    _inherit = "rental.damage.claim"

    def _rental_statement_values(self):
        """Figures of the printed claim statement: the loss's depreciation, what insurance and
        deductible leave to the customer, and how the charge was paid (by the deposit at
        settlement, otherwise) or is still due. Amounts in the claim's currency."""
        self.ensure_one()
        # Accounting is read as the system: the statement shows what the claim's readers may
        # already see on the claim (charge, payment state), broken down.
        claim = self.sudo()
        depreciation = 0.0
        if claim.claim_type == "loss" and claim.replacement_value > claim.assessed_amount:
            depreciation = claim.replacement_value - claim.assessed_amount
        invoice = claim.invoice_id.filtered(lambda m: m.state == "posted")
        settlement = claim.order_id.rental_deposit_settlement_ids[:1]
        deposit_move = settlement.applied_move_id
        receivable = invoice.line_ids.filtered(
            lambda aml: aml.account_id.account_type == "asset_receivable"
        )
        deposit_covered = sum(
            partial.amount
            for partial in receivable.matched_credit_ids
            if deposit_move and partial.credit_move_id.move_id == deposit_move
        )
        due = invoice.amount_residual if invoice else 0.0
        paid_otherwise = max(
            (invoice.amount_total if invoice else 0.0) - due - deposit_covered, 0.0
        )
        return {
            "depreciation": depreciation,
            "depreciation_years": claim.company_id.rental_loss_depreciation_years,
            "invoice": invoice,
            "settlement": settlement,
            "deposit_covered": deposit_covered,
            "paid_otherwise": paid_otherwise,
            "due": due,
        }
