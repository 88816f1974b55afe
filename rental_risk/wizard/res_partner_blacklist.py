from odoo import fields, models

from ..models.rental_risk_decision import BLACKLIST_CATEGORIES


class ResPartnerBlacklist(models.TransientModel):
    _name = "res.partner.blacklist"
    _description = "Blacklist a Customer or Lift a Blacklist"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    decision = fields.Selection(
        [("set", "Blacklist"), ("lift", "Lift the blacklist")], required=True, default="set"
    )
    category = fields.Selection(BLACKLIST_CATEGORIES, string="Reason Category")
    reason = fields.Text(required=True)
    attachment_ids = fields.Many2many("ir.attachment", string="Evidence")

    def action_apply(self):
        """Apply the decision; the partner methods check again that the user is a Risk Manager."""
        self._rental_ensure_one()
        if self.decision == "set":
            self.partner_id._rental_risk_set_blacklist(
                self.category, self.reason, attachments=self.attachment_ids
            )
        else:
            self.partner_id._rental_risk_lift_blacklist(self.reason)
        return {"type": "ir.actions.act_window_close"}
