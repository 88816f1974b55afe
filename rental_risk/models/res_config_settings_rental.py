from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    rental_default_start_hour = fields.Float(
        related="company_id.rental_default_start_hour", readonly=False
    )
    rental_default_days = fields.Integer(related="company_id.rental_default_days", readonly=False)
    rental_early_return_policy = fields.Selection(
        related="company_id.rental_early_return_policy", readonly=False
    )
