from odoo import fields, models
from odoo.exceptions import AccessError, UserError


class StockPickingRiskRelease(models.TransientModel):
    _name = "stock.picking.risk.release"
    _description = "Release a Pickup Locked by the Risk Rules"

    picking_id = fields.Many2one("stock.picking", required=True)
    reasons = fields.Text(compute="_compute_reasons", string="Locked Because")
    reason = fields.Text(string="Why Release", required=True)

    def _compute_reasons(self):
        for wizard in self:
            wizard.reasons = "\n".join(
                wizard.picking_id.sudo()._rental_risk_delivery_lock_reasons()
            )

    def action_release(self):
        """Release this one pickup: it can be validated whatever the lock says."""
        self.ensure_one()
        if not self.env.user.has_group("rental_risk.rental_risk_group_manager"):
            raise AccessError(
                self.env._("Only a Risk Manager can release a locked pickup; ask one to do it.")
            )
        if not (self.reason or "").strip():
            raise UserError(self.env._("Say why the pickup is released: it is kept in the audit."))
        picking = self.picking_id.sudo()
        if picking.rental_operation != "pickup" or picking.state in ("done", "cancel"):
            raise UserError(
                self.env._(
                    "Only an open rental pickup can be released; %(picking)s is not one.",
                    picking=picking.name,
                )
            )
        picking.write(
            {
                "rental_risk_released_by_id": self.env.user.id,
                "rental_risk_released_on": fields.Datetime.now(),
                "rental_risk_release_reason": self.reason,
            }
        )
        self.env["rental.risk.event"]._log(
            "release",
            partner=picking.partner_id,
            order=picking.sale_id,
            picking=picking,
            details=self.reason,
        )
        picking.message_post(
            body=self.env._(
                "Risk lock released by %(user)s: %(reason)s",
                user=self.env.user.name,
                reason=self.reason,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return {"type": "ir.actions.act_window_close"}
