from odoo import api, fields, models


class StockPickingRiskRelease(models.TransientModel):
    _name = "stock.picking.risk.release"
    _description = "Release a Pickup Locked by the Risk Rules"

    picking_id = fields.Many2one("stock.picking", required=True)
    reasons = fields.Text(compute="_compute_reasons", string="Locked Because")
    reason = fields.Text(string="Why Release", required=True)

    @api.depends("picking_id")
    def _compute_reasons(self):
        for wizard in self:
            wizard.reasons = "\n".join(
                wizard.picking_id.sudo()._rental_risk_delivery_lock_reasons()
            )

    def action_release(self):
        """Release this one pickup: it can be validated whatever the lock says."""
        self._rental_ensure_one()
        self.picking_id._rental_risk_release(self.reason)
        return {"type": "ir.actions.act_window_close"}
