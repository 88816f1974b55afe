from odoo import fields, models


class RentalDepositSettlement(models.Model):
    _name = "rental.deposit.settlement"
    _description = "Rental Deposit Settlement"
    _order = "id desc"
    _check_company_auto = True
    _sql_constraints = [
        # The database refuses a second settlement even from two transactions at once; the
        # Python check before it only gives the friendlier message.
        (
            "order_uniq",
            "unique (order_id)",
            "The deposit of this order is already settled; a deposit is settled once.",
        ),
    ]

    order_id = fields.Many2one("sale.order", required=True, readonly=True, ondelete="restrict")
    partner_id = fields.Many2one(related="order_id.partner_id", store=True, index=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="order_id.currency_id")
    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    user_id = fields.Many2one(
        "res.users", string="Settled By", default=lambda self: self.env.user, readonly=True
    )
    held_amount = fields.Monetary(string="Held", readonly=True)
    applied_amount = fields.Monetary(
        string="Applied", readonly=True, help="Paid to claims, late fees and retention."
    )
    retained_amount = fields.Monetary(string="Retained", readonly=True)
    retention_reason = fields.Text(readonly=True)
    refund_amount = fields.Monetary(string="Refunded", readonly=True)
    unpaid_cancelled_amount = fields.Monetary(
        string="Unpaid Deposit Cancelled",
        readonly=True,
        help="Deposit invoiced but never paid, cancelled by the refund credit note.",
    )
    applied_move_id = fields.Many2one("account.move", string="Applied Credit Note", readonly=True)
    refund_move_id = fields.Many2one("account.move", string="Refund Credit Note", readonly=True)
    retention_move_id = fields.Many2one("account.move", string="Retention Invoice", readonly=True)
    payment_id = fields.Many2one("account.payment", string="Refund Payment", readonly=True)
