from odoo import fields, models
from odoo.exceptions import UserError

from ..engine.deposits import depreciated_value


class StockLot(models.Model):
    _inherit = "stock.lot"

    rental_claim_ids = fields.One2many(
        "rental.damage.claim",
        "lot_id",
        string="Claims",
        groups="rental_risk.rental_risk_group_user,rental_risk.rental_risk_group_warehouse",
    )
    rental_claim_count = fields.Integer(
        string="Claims Count", compute="_compute_rental_claim_count"
    )
    rental_inspection_ids = fields.One2many(
        "rental.inspection",
        "lot_id",
        string="Inspections",
        groups="rental_risk.rental_risk_group_user,rental_risk.rental_risk_group_warehouse",
    )
    rental_inspection_count = fields.Integer(
        string="Inspections Count", compute="_compute_rental_inspection_count"
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    def _compute_rental_claim_count(self):
        # Counted as superuser: inventory users without rental groups open serials too.
        counts = dict(
            self.env["rental.damage.claim"]
            .sudo()
            ._read_group([("lot_id", "in", self.ids)], ["lot_id"], ["__count"])
        )
        for lot in self:
            lot.rental_claim_count = counts.get(lot._origin, 0)

    def _compute_rental_inspection_count(self):
        counts = dict(
            self.env["rental.inspection"]
            .sudo()
            ._read_group([("lot_id", "in", self.ids)], ["lot_id"], ["__count"])
        )
        for lot in self:
            lot.rental_inspection_count = counts.get(lot._origin, 0)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_rental_inspect(self):
        """Open the return inspection of this serial."""
        self._rental_ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Inspect %(serial)s", serial=self.name),
            "res_model": "stock.lot.inspect",
            "view_mode": "form",
            "target": "new",
            "context": {"default_lot_id": self.id},
        }

    def action_rental_open_claims(self):
        self._rental_ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "rental_risk.rental_damage_claim_action"
        )
        action["domain"] = [("lot_id", "=", self.id)]
        action["context"] = {"default_lot_id": self.id}
        return action

    def action_rental_open_inspections(self):
        self._rental_ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "rental_risk.rental_inspection_action"
        )
        action["domain"] = [("lot_id", "=", self.id)]
        return action

    def action_rental_found(self):
        """A lost asset came back: credit its loss claim, put its stock back, and send it to
        inspection (through its open rental return when the customer brings it back)."""
        self._rental_check_group("rental_risk.rental_risk_group_warehouse")
        self._rental_check_transition(("lost",), self.env._("record it as found"))
        for lot in self:
            claims = lot.sudo().rental_claim_ids.filtered(
                lambda c: c.claim_type == "loss" and c.state not in ("waived", "cancelled")
            )
            claims._rental_cancel(
                self.env._("The asset %(serial)s came back: loss claim credited.", serial=lot.name)
            )
            loss_move = claims.loss_move_id[:1] or lot.sudo()._rental_last_loss_move()
            if loss_move:
                lot.sudo()._rental_move_stock_back(loss_move)
            booking_out = lot.sudo().rental_booking_ids.filtered(lambda b: b.state == "out")
            if booking_out:
                # The customer returns it through the order's rental return, which puts it in
                # inspection when validated.
                returns = booking_out.order_id.picking_ids.filtered(
                    lambda p: p.rental_operation == "return" and p.state not in ("done", "cancel")
                )
                returns.action_assign()
            else:
                lot.sudo()._rental_write_life_cycle({"rental_state": "inspection"})
        return True

    # ------------------------------------------------------------------
    # Business methods: loss
    # ------------------------------------------------------------------

    def _rental_loss_value(self, on_date=None):
        """Replacement value depreciated as the company says, at ``on_date`` (today)."""
        self.ensure_one()
        company = self.company_id or self.env.company
        return depreciated_value(
            self.rental_replacement_value or 0.0,
            self.rental_acquisition_date,
            on_date or fields.Date.context_today(self),
            years=company.rental_loss_depreciation_years or 0,
            digits=company.currency_id.decimal_places,
        )

    def _rental_create_loss_claim(self, partner, order, move):
        self.ensure_one()
        Claim = self.env["rental.damage.claim"].sudo()
        with self.env["rental.risk.decision"]._open_guard():
            return Claim.create(
                {
                    "claim_type": "loss",
                    "lot_id": self.id,
                    "partner_id": partner.id,
                    "order_id": order.id,
                    "company_id": (self.company_id or self.env.company).id,
                    "description": self.env._(
                        "%(serial)s declared lost by %(user)s.",
                        serial=self.display_name,
                        user=self.env.user.name,
                    ),
                    "assessed_amount": self._rental_loss_value(),
                    "state": "assessed",
                    "loss_move_id": move.id,
                }
            )

    def _rental_inventory_loss_location(self):
        self.ensure_one()
        company = self.company_id or self.env.company
        return self.product_id.with_company(company).property_stock_inventory

    def _rental_move_stock_to_loss(self):
        """Move the serial from wherever it is to the inventory loss location (out of stock and
        out of every reservation). Returns the done move, or an empty recordset."""
        self.ensure_one()
        quant = self.env["stock.quant"].search(
            [
                ("lot_id", "=", self.id),
                ("quantity", ">", 0),
                ("location_id.usage", "=", "internal"),
            ],
            limit=1,
        )
        if not quant:
            return self.env["stock.move"]
        # An open return reserves the serial in the rental location: release it first.
        self.env["stock.move.line"].search(
            [("lot_id", "=", self.id), ("state", "not in", ("done", "cancel"))]
        ).unlink()
        return self._rental_inventory_move(
            quant.location_id, self._rental_inventory_loss_location()
        )

    def _rental_move_stock_back(self, loss_move):
        self.ensure_one()
        return self._rental_inventory_move(loss_move.location_dest_id, loss_move.location_id)

    def _rental_last_loss_move(self):
        self.ensure_one()
        return self.env["stock.move"].search(
            [
                ("move_line_ids.lot_id", "=", self.id),
                ("state", "=", "done"),
                ("location_dest_id.usage", "=", "inventory"),
            ],
            order="id desc",
            limit=1,
        )

    def _rental_inventory_move(self, source, destination):
        self.ensure_one()
        if not destination:
            raise UserError(
                self.env._(
                    "The product %(product)s has no inventory loss location; set one on the "
                    "product before declaring the asset lost.",
                    product=self.product_id.display_name,
                )
            )
        company = self.company_id or self.env.company
        move = self.env["stock.move"].create(
            {
                "name": self.env._("Rental loss: %(serial)s", serial=self.name),
                "product_id": self.product_id.id,
                "product_uom": self.product_id.uom_id.id,
                "product_uom_qty": 1,
                "company_id": company.id,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "is_inventory": True,
                "picked": True,
                "move_line_ids": [
                    (
                        0,
                        0,
                        {
                            "product_id": self.product_id.id,
                            "product_uom_id": self.product_id.uom_id.id,
                            "quantity": 1,
                            "location_id": source.id,
                            "location_dest_id": destination.id,
                            "company_id": company.id,
                            "lot_id": self.id,
                        },
                    )
                ],
            }
        )
        move._action_done()
        return move
