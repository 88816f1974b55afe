from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    rental_early_return_policy = fields.Selection(
        related="company_id.rental_early_return_policy", readonly=False
    )
