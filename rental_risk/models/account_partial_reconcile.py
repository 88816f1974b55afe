from odoo import models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    def unlink(self):
        # Unreconciling a payment makes the invoice open again: rescore its customer.
        # (New reconciliations are caught in account.move.line._reconcile_plan, once complete.)
        # An undone payment also puts a paid damage claim back to invoiced.
        lines = self.debit_move_id | self.credit_move_id
        res = super().unlink()
        lines = lines.exists()
        lines._rental_risk_rescore_customers()
        lines._rental_sync_claims()
        return res
