from odoo import fields, models


class SaleOrderRiskReview(models.TransientModel):
    _name = "sale.order.risk.review"
    _description = "Approve or Reject an Order Held by the Risk Rules"

    order_id = fields.Many2one("sale.order", required=True)
    reasons = fields.Text(related="order_id.rental_risk_approval_reasons", string="Held Because")
    comment = fields.Text(required=True)

    def action_approve(self):
        """Approve the order as it is, and confirm it."""
        self._rental_ensure_one()
        self.order_id._rental_risk_decide(True, self.comment)
        return {"type": "ir.actions.act_window_close"}

    def action_reject(self):
        """Reject the order; it stays a quotation."""
        self._rental_ensure_one()
        self.order_id._rental_risk_decide(False, self.comment)
        return {"type": "ir.actions.act_window_close"}
