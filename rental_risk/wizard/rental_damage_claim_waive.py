from odoo import fields, models


class RentalDamageClaimWaive(models.TransientModel):
    _name = "rental.damage.claim.waive"
    _description = "Waive Rental Damage Claims"

    claim_ids = fields.Many2many("rental.damage.claim", string="Claims", required=True)
    reason = fields.Text(required=True)

    def action_waive(self):
        self._rental_ensure_one()
        self.claim_ids.action_waive(reason=self.reason)
        return {"type": "ir.actions.act_window_close"}
