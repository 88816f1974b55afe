from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    rental_reminder_propose_blacklist = fields.Boolean(
        related="company_id.rental_reminder_propose_blacklist", readonly=False
    )
    rental_risk_trigger_late_asset = fields.Boolean(
        related="company_id.rental_risk_trigger_late_asset", readonly=False
    )
    rental_risk_trigger_late_asset_days = fields.Integer(
        related="company_id.rental_risk_trigger_late_asset_days", readonly=False
    )
    rental_risk_trigger_late_asset_mode = fields.Selection(
        related="company_id.rental_risk_trigger_late_asset_mode", readonly=False
    )
    rental_risk_trigger_unpaid = fields.Boolean(
        related="company_id.rental_risk_trigger_unpaid", readonly=False
    )
    rental_risk_trigger_unpaid_days = fields.Integer(
        related="company_id.rental_risk_trigger_unpaid_days", readonly=False
    )
    rental_risk_trigger_unpaid_mode = fields.Selection(
        related="company_id.rental_risk_trigger_unpaid_mode", readonly=False
    )
    rental_risk_match_address = fields.Boolean(
        related="company_id.rental_risk_match_address", readonly=False
    )
