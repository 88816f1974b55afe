from odoo import api, fields, models

from ..models.rental_score_history import GRADE_SELECTION


class ResPartnerRiskOverride(models.TransientModel):
    _name = "res.partner.risk.override"
    _description = "Override a Customer's Risk Grade"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, ondelete="cascade"
    )
    current_grade = fields.Selection(GRADE_SELECTION, compute="_compute_current_grade")
    grade = fields.Selection(GRADE_SELECTION, string="New Grade", required=True)
    reason = fields.Char(required=True)
    date_until = fields.Date(
        string="Until",
        required=True,
        default=lambda self: fields.Date.add(fields.Date.context_today(self), days=30),
        help="Last day of the override; the computed grade applies again the day after.",
    )

    @api.depends("partner_id")
    def _compute_current_grade(self):
        for wizard in self:
            wizard.current_grade = wizard.partner_id.sudo().rental_grade

    @api.model
    def default_get(self, fields_list):
        # Refuse at once, before the user fills the form (checked again when applying).
        self.env["res.partner"]._rental_risk_check_manager()
        return super().default_get(fields_list)

    def action_apply(self):
        self._rental_ensure_one()
        self.partner_id._rental_risk_set_override(self.grade, self.reason, self.date_until)
        return {"type": "ir.actions.act_window_close"}
