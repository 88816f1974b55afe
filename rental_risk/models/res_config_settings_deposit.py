from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    rental_deposit_enabled = fields.Boolean(
        related="company_id.rental_deposit_enabled", readonly=False
    )
    rental_deposit_min_amount = fields.Monetary(
        related="company_id.rental_deposit_min_amount",
        currency_field="currency_id",
        readonly=False,
    )
    rental_deposit_required_before_pickup = fields.Boolean(
        related="company_id.rental_deposit_required_before_pickup", readonly=False
    )
    rental_deposit_account_id = fields.Many2one(
        related="company_id.rental_deposit_account_id", readonly=False
    )
