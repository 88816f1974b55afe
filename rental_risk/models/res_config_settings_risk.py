from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    rental_risk_lock_overdue = fields.Boolean(
        related="company_id.rental_risk_lock_overdue", readonly=False
    )
    rental_risk_lock_overdue_days = fields.Integer(
        related="company_id.rental_risk_lock_overdue_days", readonly=False
    )
    rental_risk_lock_all_deliveries = fields.Boolean(
        related="company_id.rental_risk_lock_all_deliveries", readonly=False
    )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_rental_risk_rules(self):
        """Open the company's risk rules."""
        return self.env["ir.actions.act_window"]._for_xml_id("rental_risk.rental_risk_rule_action")
