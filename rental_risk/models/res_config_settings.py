from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    rental_risk_alert_step = fields.Integer(
        related="company_id.rental_risk_alert_step", readonly=False
    )
    rental_risk_overdue_min_amount = fields.Monetary(
        related="company_id.rental_risk_overdue_min_amount",
        currency_field="currency_id",
        readonly=False,
    )
    rental_risk_paid_volume_full = fields.Monetary(
        related="company_id.rental_risk_paid_volume_full",
        currency_field="currency_id",
        readonly=False,
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
    rental_risk_lock_overdue = fields.Boolean(
        related="company_id.rental_risk_lock_overdue", readonly=False
    )
    rental_risk_match_address = fields.Boolean(
        related="company_id.rental_risk_match_address", readonly=False
    )

    def action_rental_risk_rules(self):
        """Open the company's risk rules."""
        return self.env["ir.actions.act_window"]._for_xml_id("rental_risk.rental_risk_rule_action")

    def action_rental_risk_grade_limits(self):
        """Open the company's credit limit per grade table."""
        return self.env["ir.actions.act_window"]._for_xml_id(
            "rental_risk.rental_grade_limit_action"
        )

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
