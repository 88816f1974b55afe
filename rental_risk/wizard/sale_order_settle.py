from odoo import api, fields, models


class SaleOrderSettle(models.TransientModel):
    _name = "sale.order.settle"
    _description = "Settle a Rental Deposit"

    order_id = fields.Many2one("sale.order", required=True, readonly=True)
    company_id = fields.Many2one(related="order_id.company_id")
    currency_id = fields.Many2one(related="order_id.currency_id")
    held_amount = fields.Monetary(string="Deposit Held", compute="_compute_amounts")
    charges_amount = fields.Monetary(string="Open Claims and Late Fees", compute="_compute_amounts")
    retention_amount = fields.Monetary(
        string="Retain", help="Part of what is left after the claims and fees that is kept."
    )
    retention_reason = fields.Text(string="Reason")
    refund_journal_id = fields.Many2one(
        "account.journal",
        string="Refund Through",
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', '=', company_id)]",
        help="Pay the refund back at once through this journal; empty leaves the refund as a "
        "credit of the customer.",
    )

    @api.depends("order_id")
    def _compute_amounts(self):
        for wizard in self:
            order = wizard.order_id
            wizard.held_amount = order.rental_deposit_held
            wizard.charges_amount = (
                sum(amount for _line, amount in order._rental_get_settlement_charges())
                if order
                else 0.0
            )

    def action_settle(self):
        self._rental_ensure_one()
        self.order_id._rental_settle_deposit(
            retention=self.retention_amount,
            reason=self.retention_reason,
            refund_journal=self.refund_journal_id,
        )
        return {"type": "ir.actions.act_window_close"}
