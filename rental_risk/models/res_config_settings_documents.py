from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    rental_contract_terms = fields.Html(related="company_id.rental_contract_terms", readonly=False)
