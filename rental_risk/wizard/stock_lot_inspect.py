from odoo import Command, api, fields, models
from odoo.exceptions import UserError

WAREHOUSE_GROUP = "rental_risk.rental_risk_group_warehouse"


class StockLotInspect(models.TransientModel):
    _name = "stock.lot.inspect"
    _description = "Inspect a Returned Rental Asset"

    lot_id = fields.Many2one(
        "stock.lot",
        string="Asset",
        required=True,
        domain="[('rental_state', '=', 'inspection')]",
    )
    company_id = fields.Many2one(related="lot_id.company_id")
    currency_id = fields.Many2one(related="lot_id.rental_currency_id")
    condition = fields.Selection(
        [("new", "New"), ("good", "Good"), ("fair", "Fair"), ("poor", "Poor")],
        required=True,
        default="good",
    )
    damaged = fields.Boolean(help="The asset needs a repair: it goes to repair with a claim.")
    damage_description = fields.Text()
    repair_estimate = fields.Monetary(
        currency_field="currency_id",
        help="Amount claimed for the damage; empty claims the asset's replacement value.",
    )
    notes = fields.Text()
    counter_reading = fields.Integer(string="Usage Counter Reading")
    attachment_ids = fields.Many2many(
        "ir.attachment",
        "stock_lot_inspect_attachment_rel",
        "wizard_id",
        "attachment_id",
        string="Photos",
    )
    line_ids = fields.One2many(
        "stock.lot.inspect.line",
        "wizard_id",
        string="Accessories",
        compute="_compute_line_ids",
        store=True,
        readonly=False,
    )

    @api.depends("lot_id")
    def _compute_line_ids(self):
        for wizard in self:
            accessories = wizard.lot_id.product_id.product_tmpl_id.rental_accessory_ids
            wizard.line_ids = [Command.clear()] + [
                Command.create(
                    {
                        "accessory_id": accessory.id,
                        "name": accessory.name,
                        "value": accessory.value,
                        "present": True,
                    }
                )
                for accessory in accessories
            ]

    def action_confirm(self):
        """Record the inspection on the asset's history and act on its outcome; the claims it
        opens are shown at once."""
        self._rental_ensure_one()
        return self._rental_record_inspection()

    def _rental_record_inspection(self):
        self.ensure_one()
        lot = self.lot_id
        if not (self.env.su or self.env.user.has_group(WAREHOUSE_GROUP)):
            raise UserError(
                self.env._(
                    "Only members of the Rental Warehouse group inspect returned gear; ask the "
                    "warehouse team to inspect %(serial)s.",
                    serial=lot.display_name,
                )
            )
        lot._rental_check_transition(("inspection",), self.env._("inspect it"))
        if self.repair_estimate < 0:
            raise UserError(self.env._("The repair estimate cannot be negative."))
        missing = self.line_ids.filtered(lambda line: not line.present)
        if self.damaged and missing:
            outcome = "damaged_missing"
        elif self.damaged:
            outcome = "damaged"
        elif missing:
            outcome = "missing"
        else:
            outcome = "fine"
        inspection, booking = self._rental_create_inspection(outcome)
        if self.counter_reading and self.counter_reading != lot.rental_usage_counter:
            lot.sudo()._rental_record_reading(
                self.counter_reading, note=self.env._("Return inspection")
            )
        claims = (
            self._rental_create_claims(inspection, booking, missing)
            if booking
            else self.env["rental.damage.claim"]
        )
        lot.sudo()._rental_write_life_cycle(
            {
                "rental_condition": self.condition,
                "rental_state": "repair" if self.damaged else "available",
            }
        )
        if claims:
            return self._rental_action_open_claims(claims)
        return {"type": "ir.actions.act_window_close"}

    def _rental_action_open_claims(self, claims):
        """The claims the inspection opened: the form of the one claim, else their list."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "rental_risk.rental_damage_claim_action"
        )
        action["context"] = {}
        if len(claims) == 1:
            action.update(views=[(False, "form")], view_mode="form", res_id=claims.id)
        else:
            action["domain"] = [("id", "in", claims.ids)]
        return action

    def _rental_create_inspection(self, outcome):
        """The inspection record of the asset's last return, with its accessory lines and
        photos. Returns (inspection, the booking returned)."""
        lot = self.lot_id
        booking = (
            self.env["rental.booking"]
            .sudo()
            .search(
                [("lot_id", "=", lot.id), ("state", "=", "returned")],
                order="date_end desc, id desc",
                limit=1,
            )
        )
        Inspection = self.env["rental.inspection"].sudo()
        inspection = Inspection.create(
            {
                "lot_id": lot.id,
                "company_id": (lot.company_id or self.env.company).id,
                "order_id": booking.order_id.id,
                "partner_id": booking.partner_id.id,
                "condition": self.condition,
                "outcome": outcome,
                "notes": self.notes,
                "counter_reading": self.counter_reading,
                "attachment_ids": [Command.set(self.attachment_ids.ids)],
                "line_ids": [
                    Command.create(
                        {
                            "accessory_id": line.accessory_id.id,
                            "name": line.name,
                            "value": line.value,
                            "present": line.present,
                        }
                    )
                    for line in self.line_ids
                ],
            }
        )
        if self.attachment_ids:
            self.attachment_ids.sudo().write(
                {"res_model": "rental.inspection", "res_id": inspection.id}
            )
        return inspection, booking

    def _rental_create_claims(self, inspection, booking, missing):
        """Claims the inspection opens against the customer of ``booking``: one for damage,
        one for the ``missing`` accessories."""
        lot = self.lot_id
        claim_vals = []
        if self.damaged:
            claim_vals.append(
                {
                    "claim_type": "damage",
                    "description": self.damage_description
                    or self.notes
                    or self.env._("Damage found at the return inspection."),
                    "assessed_amount": self.repair_estimate or lot.rental_replacement_value,
                    "attachment_ids": [Command.set(self.attachment_ids.ids)],
                }
            )
        if missing:
            claim_vals.append(
                {
                    "claim_type": "accessories",
                    "description": self.env._(
                        "Accessories not returned: %(names)s",
                        names=", ".join(missing.mapped("name")),
                    ),
                    "assessed_amount": sum(missing.mapped("value")),
                }
            )
        # Claims are linked to their inspection by the inspection alone.
        with self.env["rental.risk.decision"]._open_guard():
            return (
                self.env["rental.damage.claim"]
                .sudo()
                .create(
                    [
                        dict(
                            vals,
                            lot_id=lot.id,
                            partner_id=booking.partner_id.id,
                            order_id=booking.order_id.id,
                            company_id=inspection.company_id.id,
                            inspection_id=inspection.id,
                        )
                        for vals in claim_vals
                    ]
                )
            )
