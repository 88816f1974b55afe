from collections import defaultdict

from odoo import Command, fields, models
from odoo.exceptions import UserError

from ..engine.rental_pricing import late_fee_days


class StockPicking(models.Model):
    _inherit = "stock.picking"

    rental_operation = fields.Selection(related="picking_type_id.rental_operation")
    rental_handover_ids = fields.One2many(
        "rental.handover",
        "picking_id",
        string="Handovers",
        groups="rental_risk.rental_risk_group_user,rental_risk.rental_risk_group_warehouse",
    )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def button_validate(self):
        self._rental_check_validate_rights()
        self._rental_risk_check_delivery_lock()
        return super().button_validate()

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _action_done(self):
        rental = self.filtered("rental_operation")
        rental._rental_check_validate_rights()
        rental._rental_check_move_lines()
        # Every outgoing transfer passes the risk gate here too: other modules validate
        # transfers without button_validate.
        self._rental_risk_check_delivery_lock()
        res = super()._action_done()
        rental.filtered(lambda p: p.state == "done")._rental_process_done()
        return res

    def _rental_check_validate_rights(self):
        """Only the Rental Warehouse group hands rental gear out and takes it back."""
        if self.env.su or not any(self.mapped("rental_operation")):
            return
        if not self.env.user.has_group("rental_risk.rental_risk_group_warehouse"):
            raise UserError(
                self.env._(
                    "Only members of the Rental Warehouse group can validate rental pickups and "
                    "returns; ask the warehouse team to validate %(pickings)s.",
                    pickings=", ".join(self.filtered("rental_operation").mapped("name")),
                )
            )

    def _rental_get_move_lines_to_process(self):
        """Move lines the current validation will mark done."""
        return self.move_line_ids.filtered(
            lambda ml: ml.picked
            and ml.quantity
            and ml.move_id.picked
            and ml.move_id.state not in ("done", "cancel")
        )

    def _rental_check_move_lines(self):
        """Refuse serials a rental pickup or return may not move, before anything is written.

        A pickup hands out only serials booked on the order line; a return takes back only
        serials picked up on the order and not returned yet, each once.
        """
        for picking in self:
            pickup = picking.rental_operation == "pickup"
            wanted_state = "reserved" if pickup else "out"
            seen = self.env["stock.lot"]
            for ml in picking._rental_get_move_lines_to_process():
                line = ml.move_id.sale_line_id
                bookings = line.sudo().rental_booking_ids.filtered(
                    lambda b, ml=ml, state=wanted_state: b.lot_id == ml.lot_id and b.state == state
                )
                if ml.lot_id and bookings and ml.lot_id not in seen and ml.quantity == 1:
                    seen |= ml.lot_id
                    continue
                serial = ml.lot_id.name or ml.lot_name or self.env._("(no serial)")
                order = line.order_id.name or picking.origin or ""
                if pickup:
                    message = self.env._(
                        "The serial %(serial)s of %(product)s is not booked on %(order)s for "
                        "pickup; %(picking)s can only hand out the booked serials, one unit each. "
                        "Scan or choose a booked serial.",
                        serial=serial,
                        product=ml.product_id.display_name,
                        order=order,
                        picking=picking.name,
                    )
                else:
                    message = self.env._(
                        "The serial %(serial)s of %(product)s was not picked up on %(order)s, or "
                        "is already returned; %(picking)s cannot return more than was picked up. "
                        "Remove it from the return.",
                        serial=serial,
                        product=ml.product_id.display_name,
                        order=order,
                        picking=picking.name,
                    )
                raise UserError(message)

    def _rental_process_done(self):
        """Update serials, bookings and the order after a rental pickup or return is done."""
        for picking in self:
            lines_lots = defaultdict(lambda: self.env["stock.lot"])
            for ml in picking.move_line_ids.filtered(lambda ml: ml.state == "done" and ml.lot_id):
                lines_lots[ml.move_id.sale_line_id] |= ml.lot_id
            for line, lots in lines_lots.items():
                bookings = line.sudo().rental_booking_ids.filtered(
                    lambda b, lots=lots: b.lot_id in lots and b.state in ("reserved", "out")
                )
                if picking.rental_operation == "pickup":
                    lots._rental_set_out(line.order_id)
                    bookings.write({"state": "out"})
                else:
                    lots._rental_set_returned()
                    bookings.write({"state": "returned"})
            if picking.rental_operation == "return":
                picking._rental_add_late_fees(lines_lots)
                picking._rental_reassign_pickups(self.env["stock.lot"].union(*lines_lots.values()))
                returned_lines = self.env["sale.order.line"].union(*lines_lots)
                returned_lines.sudo().filtered(
                    lambda sol: sol.rental_is_late
                    and not any(b.state == "out" for b in sol.rental_booking_ids)
                )._rental_clear_late()
                returned_lines._rental_clear_suspected_loss_if_back()
        handovers = self.env["rental.handover"]._create_from_pickings(self)
        for handover in handovers:
            handover.line_ids.lot_id.sudo()._rental_write_life_cycle(
                {"rental_handover_id": handover.id}
            )
        pickups = self.filtered(lambda p: p.rental_operation == "pickup")
        pickups._rental_release_unpicked_bookings()
        pickups._rental_create_returns()

    def _rental_release_unpicked_bookings(self):
        """Cancel the bookings of serials that will not be picked up any more.

        When a partial pickup is validated without backorder, the serials left behind must not
        stay blocked for the period.
        """
        lines = self.move_ids.sale_line_id.filtered("is_rental")
        for line in lines:
            if any(
                m.state not in ("done", "cancel") and m.rental_operation == "pickup"
                for m in line.move_ids
            ):
                continue
            line.sudo().rental_booking_ids.filtered(lambda b: b.state == "reserved").action_cancel()

    def _rental_reassign_pickups(self, lots):
        """Let the waiting pickups of the next periods reserve the serials just returned."""
        moves = (
            self.env["stock.move"]
            .sudo()
            .search(
                [
                    ("rental_operation", "=", "pickup"),
                    ("state", "in", ("confirmed", "partially_available")),
                    ("sale_line_id.rental_booking_ids.lot_id", "in", lots.ids),
                    ("sale_line_id.rental_booking_ids.state", "=", "reserved"),
                ]
            )
        )
        moves._action_assign()
        return moves

    def _rental_add_late_fees(self, lines_lots):
        """Charge the late days of each returned serial on its order (nothing when on time)."""
        self.ensure_one()
        returned_at = self.date_done or fields.Datetime.now()
        vals_list = []
        for line, lots in lines_lots.items():
            template = line.product_id.product_tmpl_id
            days = late_fee_days(line.rental_end, returned_at, template.rental_grace_hours)
            if not days or not template.rental_late_fee_day:
                continue
            vals_list += [
                line._rental_prepare_late_fee_vals(lot, days, template.rental_late_fee_day)
                for lot in lots
            ]
        return self.env["sale.order.line"].sudo().create(vals_list)

    def _rental_create_returns(self):
        """Prepare the return of the serials just picked up, in the order's open rental return.

        An open return of the order in the same warehouse gets the new moves; otherwise a new
        return is created. Its move lines reserve exactly the picked-up serials.
        """
        Move = self.env["stock.move"].sudo()
        returns = self.env["stock.picking"]
        for picking in self:
            moves = picking.move_ids.filtered(
                lambda m: m.state == "done" and m.sale_line_id.is_rental
            )
            if not moves:
                continue
            order = picking.sale_id
            return_type = picking.picking_type_id.warehouse_id._rental_get_picking_type("return")
            move_vals = []
            for move in moves:
                vals = move.sale_line_id._rental_prepare_move_vals(
                    return_type, picking.group_id, quantity=move.quantity
                )
                vals.update(
                    product_uom=move.product_uom.id, location_id=picking.location_dest_id.id
                )
                move_vals.append(vals)
            open_return = order.picking_ids.filtered(
                lambda p, rtype=return_type: p.picking_type_id == rtype
                and p.state not in ("done", "cancel")
            )[:1]
            if open_return:
                new_moves = Move.create(
                    [dict(vals, picking_id=open_return.id) for vals in move_vals]
                )
                new_moves._action_confirm()
                new_moves._action_assign()
                returns |= open_return
                continue
            new_return = (
                self.env["stock.picking"]
                .sudo()
                .with_company(picking.company_id)
                .create(
                    {
                        "picking_type_id": return_type.id,
                        "partner_id": picking.partner_id.id,
                        "origin": order.name or picking.name,
                        "group_id": picking.group_id.id,
                        "location_id": picking.location_dest_id.id,
                        "location_dest_id": return_type.default_location_dest_id.id,
                        "scheduled_date": max(moves.sale_line_id.mapped("rental_end")),
                        "company_id": picking.company_id.id,
                        "move_ids": [Command.create(vals) for vals in move_vals],
                    }
                )
            )
            new_return.action_confirm()
            returns |= new_return
        return returns
