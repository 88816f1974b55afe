from odoo import api, models


class AccountMoveLine(models.Model):
    # Claims follow the payment of their invoice (issue 6); kept apart from
    # account_move_line.py (scoring), merge later.
    _inherit = "account.move.line"

    @api.model
    def _reconcile_plan(self, reconciliation_plan):
        res = super()._reconcile_plan(reconciliation_plan)
        moves = self._rental_risk_plan_lines(reconciliation_plan).move_id.filtered(
            lambda move: move.move_type == "out_invoice"
        )
        if moves:
            self.env["rental.damage.claim"].sudo().search(
                [("invoice_id", "in", moves.ids)]
            )._rental_sync_payment_state()
        return res


class AccountPartialReconcile(models.Model):
    # An undone payment puts the claim back to invoiced (kept with the claim hook above).
    _inherit = "account.partial.reconcile"

    def unlink(self):
        moves = (self.debit_move_id | self.credit_move_id).move_id.filtered(
            lambda move: move.move_type == "out_invoice"
        )
        res = super().unlink()
        if moves:
            self.env["rental.damage.claim"].sudo().search(
                [("invoice_id", "in", moves.ids)]
            )._rental_sync_payment_state()
        return res
