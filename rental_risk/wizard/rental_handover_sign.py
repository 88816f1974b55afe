from odoo import fields, models


class RentalHandoverSign(models.TransientModel):
    """The customer signs the handover on the screen (the web client's signature widget)."""

    _name = "rental.handover.sign"
    _description = "Sign a Rental Handover"

    handover_id = fields.Many2one("rental.handover", required=True, readonly=True)
    signed_by = fields.Char(string="Name of the Signer", required=True)
    signature = fields.Binary(required=True)

    def action_sign(self):
        self.ensure_one()
        self.handover_id.action_sign(
            self.signature.decode() if isinstance(self.signature, bytes) else self.signature,
            self.signed_by,
        )
        return {"type": "ir.actions.act_window_close"}
