from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    rental_anomaly_deposit_days = fields.Integer(
        related="company_id.rental_anomaly_deposit_days", readonly=False
    )
    rental_anomaly_late_days = fields.Integer(
        related="company_id.rental_anomaly_late_days", readonly=False
    )
    rental_retire_repair_count = fields.Integer(
        related="company_id.rental_retire_repair_count", readonly=False
    )
    rental_retire_repair_days = fields.Integer(
        related="company_id.rental_retire_repair_days", readonly=False
    )
    rental_retire_age_years = fields.Integer(
        related="company_id.rental_retire_age_years", readonly=False
    )
    rental_buy_utilization = fields.Float(
        related="company_id.rental_buy_utilization", readonly=False
    )
    rental_buy_days = fields.Integer(related="company_id.rental_buy_days", readonly=False)
