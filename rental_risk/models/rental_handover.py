from odoo import api, fields, models
from odoo.exceptions import UserError


class RentalHandover(models.Model):
    """What was handed to the customer, or taken back, at a validated rental pickup or return:
    kept for good (the scanning screen's own data is transient), signed by the customer on
    the screen, and printed as the receipt."""

    _name = "rental.handover"
    _description = "Rental Handover"
    _inherit = ["mail.thread", "rental.risk.protected.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True)
    picking_id = fields.Many2one(
        "stock.picking", string="Transfer", required=True, readonly=True, ondelete="restrict"
    )
    operation = fields.Selection(
        [("pickup", "Check-out"), ("return", "Return")], required=True, readonly=True
    )
    order_id = fields.Many2one("sale.order", string="Rental Order", readonly=True, index=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True, index=True)
    site_id = fields.Many2one("res.partner", readonly=True, help="Where the gear goes (pickup).")
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    date = fields.Datetime(required=True, readonly=True)
    user_id = fields.Many2one("res.users", string="Handled By", required=True, readonly=True)
    line_ids = fields.One2many("rental.handover.line", "handover_id", string="Serials")
    received_by = fields.Char(
        string="Handed To / Returned By",
        tracking=True,
        help="The person who took the gear (pickup) or brought it back (return).",
    )
    note = fields.Text(help="Accessories, remarks on the condition, anything agreed.")
    photo_ids = fields.Many2many("ir.attachment", string="Photos")
    signature = fields.Image(
        string="Customer Signature", max_width=1024, max_height=1024, copy=False
    )
    signed_on = fields.Datetime(readonly=True, copy=False)
    signed_by = fields.Char(readonly=True, copy=False)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    def _rental_protected_fields(self):
        made = self.env._(
            "A handover is written when its transfer is validated; only the person, notes, "
            "photos and the customer's signature are added to it."
        )
        signed = self.env._("The customer signs with Sign, once.")
        return {
            **dict.fromkeys(
                (
                    "name",
                    "picking_id",
                    "operation",
                    "order_id",
                    "partner_id",
                    "site_id",
                    "company_id",
                    "date",
                    "user_id",
                    "line_ids",
                ),
                made,
            ),
            **dict.fromkeys(("signed_on", "signed_by"), signed),
        }

    def write(self, vals):
        if not self.env["rental.risk.decision"]._guard_open():
            # The chatter may still attach files to a signed handover; nothing else changes.
            signed = self.filtered("signed_on")
            if signed and vals.keys() - {"message_main_attachment_id"}:
                raise UserError(
                    self.env._(
                        "%(handover)s is signed: it stays as the customer signed it.",
                        handover=signed[0].name,
                    )
                )
            if "signature" in vals:
                raise UserError(self.env._("The customer signs with Sign, once."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Handovers are kept: they are the record of what was handed."))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_sign(self, signature, signed_by=None):
        """Record the customer's signature (a base64 image from the signature widget)."""
        self._rental_ensure_one()
        if not self.env.user.has_group("rental_risk.rental_risk_group_warehouse"):
            raise UserError(self.env._("The Rental Warehouse collects the customer's signature."))
        if self.signed_on:
            raise UserError(self.env._("%(handover)s is already signed.", handover=self.name))
        if not signature or not isinstance(signature, str):
            raise UserError(self.env._("Have the customer sign in the box first."))
        name = (signed_by or self.received_by or self.partner_id.name or "").strip()
        with self.env["rental.risk.decision"]._open_guard():
            self.sudo().write(
                {
                    "signature": signature,
                    "signed_by": name,
                    "signed_on": fields.Datetime.now(),
                    "received_by": self.received_by or name,
                }
            )
        self.message_post(
            body=self.env._("Signed by %(name)s.", name=name), subtype_xmlid="mail.mt_note"
        )
        return True

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    @api.model
    def _create_from_pickings(self, pickings):
        """One handover per validated rental pickup or return, with its serials as they left
        or came back (condition and counter of each)."""
        vals_list = []
        for picking in pickings:
            lots = picking.move_line_ids.filtered(
                lambda ml: ml.state == "done" and ml.lot_id
            ).lot_id
            order = picking.sale_id
            vals_list.append(
                {
                    "name": picking.name,
                    "picking_id": picking.id,
                    "operation": picking.rental_operation,
                    "order_id": order.id,
                    "partner_id": (order.partner_id or picking.partner_id).commercial_partner_id.id,
                    "site_id": (order.partner_shipping_id or picking.partner_id).id,
                    "company_id": picking.company_id.id,
                    "date": picking.date_done or fields.Datetime.now(),
                    "user_id": self.env.user.id,
                    "line_ids": [
                        fields.Command.create(
                            {
                                "lot_id": lot.id,
                                "condition": lot.rental_condition,
                                "counter_reading": lot.rental_usage_counter,
                            }
                        )
                        for lot in lots
                    ],
                }
            )
        with self.env["rental.risk.decision"]._open_guard():
            return self.sudo().create(vals_list)
