from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    rental_loss_depreciation_years = fields.Integer(
        related="company_id.rental_loss_depreciation_years", readonly=False
    )
    rental_claim_invoice_post = fields.Boolean(
        related="company_id.rental_claim_invoice_post", readonly=False
    )
    rental_loss_proposal_days = fields.Integer(
        related="company_id.rental_loss_proposal_days", readonly=False
    )
