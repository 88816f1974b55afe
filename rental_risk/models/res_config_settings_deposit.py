from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    # Deposit settings (issue 6); kept apart from res_config_settings.py, merge later.
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
    rental_loss_depreciation_years = fields.Integer(
        related="company_id.rental_loss_depreciation_years", readonly=False
    )
    rental_loss_proposal_days = fields.Integer(
        related="company_id.rental_loss_proposal_days", readonly=False
    )
