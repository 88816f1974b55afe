from odoo import api, fields, models


class ResPartnerCreditLimit(models.TransientModel):
    _name = "res.partner.credit.limit"
    _description = "Set a Customer's Credit Limit by Hand"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, ondelete="cascade"
    )
    currency_id = fields.Many2one("res.currency", compute="_compute_current")
    current_limit = fields.Monetary(compute="_compute_current")
    current_manual = fields.Boolean(compute="_compute_current", string="Set by Hand Now")
    mode = fields.Selection(
        [("manual", "Set this limit by hand"), ("grade", "Follow the grade table again")],
        required=True,
        default="manual",
    )
    amount = fields.Monetary(string="New Limit")
    reason = fields.Text(required=True)

    @api.depends("partner_id")
    def _compute_current(self):
        for wizard in self:
            partner = wizard.partner_id.sudo()
            wizard.currency_id = partner._rental_risk_company().currency_id
            wizard.current_limit = partner.rental_credit_limit
            wizard.current_manual = partner.rental_credit_limit_manual

    @api.model
    def default_get(self, fields_list):
        # Refuse at once, before the user fills the form (checked again when applying).
        self.env["res.partner"]._rental_risk_check_manager()
        return super().default_get(fields_list)

    def action_apply(self):
        self._rental_ensure_one()
        amount = self.amount if self.mode == "manual" else None
        self.partner_id._rental_risk_set_credit_limit(amount, self.reason)
        return {"type": "ir.actions.act_window_close"}
