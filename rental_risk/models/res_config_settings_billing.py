from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    rental_billing_min_days = fields.Integer(
        related="company_id.rental_billing_min_days", readonly=False
    )
