from odoo import api, fields, models

USER_GROUP = "rental_risk.rental_risk_group_user"


class SaleOrder(models.Model):
    # Credit exposure of the order's customer. Kept apart from sale_order.py (rental operations)
    # because it belongs to the credit scoring feature and is maintained with it.
    _inherit = "sale.order"

    rental_risk_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Risk Currency"
    )
    rental_risk_grade = fields.Selection(
        related="partner_id.commercial_partner_id.rental_grade",
        string="Customer Risk Grade",
        groups=USER_GROUP,
    )
    rental_risk_credit_limit = fields.Monetary(
        string="Customer Credit Limit",
        currency_field="rental_risk_currency_id",
        compute="_compute_rental_risk_exposure",
        compute_sudo=True,
        groups=USER_GROUP,
    )
    rental_risk_partner_exposure = fields.Monetary(
        string="Customer Exposure",
        currency_field="rental_risk_currency_id",
        compute="_compute_rental_risk_exposure",
        compute_sudo=True,
        groups=USER_GROUP,
        help="What the customer owes or holds now: open receivables, confirmed orders not yet "
        "invoiced and assets out, minus deposits.",
    )
    rental_risk_order_amount = fields.Monetary(
        string="This Order (Not Yet Counted)",
        currency_field="rental_risk_currency_id",
        compute="_compute_rental_risk_exposure",
        compute_sudo=True,
        groups=USER_GROUP,
        help="Total of this order in company currency while it is not confirmed; once confirmed "
        "its un-invoiced part is already in the customer's exposure.",
    )
    rental_risk_exposure_with_order = fields.Monetary(
        string="Exposure with This Order",
        currency_field="rental_risk_currency_id",
        compute="_compute_rental_risk_exposure",
        compute_sudo=True,
        groups=USER_GROUP,
    )
    rental_risk_available_credit = fields.Monetary(
        string="Available Credit after This Order",
        currency_field="rental_risk_currency_id",
        compute="_compute_rental_risk_exposure",
        compute_sudo=True,
        groups=USER_GROUP,
    )
    rental_risk_over_limit = fields.Boolean(
        string="Over Credit Limit",
        compute="_compute_rental_risk_exposure",
        compute_sudo=True,
        groups=USER_GROUP,
    )

    @api.depends("partner_id", "amount_total", "state", "currency_rate", "company_id")
    def _compute_rental_risk_exposure(self):
        customers = self.partner_id.commercial_partner_id
        exposures = self.env["res.partner"]._rental_risk_get_exposure(customers._origin.ids)
        for order in self:
            customer = order.partner_id.commercial_partner_id
            exposure = exposures.get(customer._origin.id, {}).get("total", 0.0)
            counted = order.state == "sale"
            amount = 0.0
            if not counted and order.state != "cancel":
                amount = order.company_id.currency_id.round(
                    order.amount_total / (order.currency_rate or 1.0)
                )
            limit = customer.rental_credit_limit
            currency = order.company_id.currency_id
            order.rental_risk_credit_limit = limit
            order.rental_risk_partner_exposure = exposure
            order.rental_risk_order_amount = amount
            order.rental_risk_exposure_with_order = currency.round(exposure + amount)
            available = currency.round(limit - exposure - amount)
            order.rental_risk_available_credit = available
            order.rental_risk_over_limit = bool(customer) and available < 0

    def _action_confirm(self):
        res = super()._action_confirm()
        # A confirmed order adds to the customer's exposure: refresh its snapshot at once.
        self.partner_id.commercial_partner_id.sudo()._rental_risk_rescore()
        return res
