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
    rental_risk_trend_weight = fields.Float(
        related="company_id.rental_risk_trend_weight", readonly=False
    )
    rental_risk_overdue_trend_weight = fields.Float(
        related="company_id.rental_risk_overdue_trend_weight", readonly=False
    )
    rental_risk_order_drop_weight = fields.Float(
        related="company_id.rental_risk_order_drop_weight", readonly=False
    )
    rental_risk_credit_note_weight = fields.Float(
        related="company_id.rental_risk_credit_note_weight", readonly=False
    )
    rental_risk_peer_weight = fields.Float(
        related="company_id.rental_risk_peer_weight", readonly=False
    )
    rental_risk_peer_min_count = fields.Integer(
        related="company_id.rental_risk_peer_min_count", readonly=False
    )
    rental_risk_signal_weight = fields.Float(
        related="company_id.rental_risk_signal_weight", readonly=False
    )
    rental_risk_related_share = fields.Float(
        related="company_id.rental_risk_related_share", readonly=False
    )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_rental_risk_grade_limits(self):
        """Open the company's credit limit per grade table."""
        return self.env["ir.actions.act_window"]._for_xml_id(
            "rental_risk.rental_grade_limit_action"
        )
