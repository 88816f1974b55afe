from odoo import api, fields, models
from odoo.exceptions import UserError


class SaleOrder(models.Model):
    _inherit = "sale.order"

    is_rental_order = fields.Boolean(
        string="Rental Order",
        compute="_compute_is_rental_order",
        store=True,
        index=True,
        help="The order rents serialized gear out for a period (it has a rental line).",
    )
    rental_availability_warning = fields.Text(compute="_compute_rental_availability_warning")
    rental_pickup_count = fields.Integer(string="Pickups", compute="_compute_rental_picking_counts")
    rental_return_count = fields.Integer(string="Returns", compute="_compute_rental_picking_counts")
    rental_has_open_pickup = fields.Boolean(compute="_compute_rental_picking_counts")
    rental_has_open_return = fields.Boolean(compute="_compute_rental_picking_counts")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("order_line.is_rental")
    def _compute_is_rental_order(self):
        # Derived from the lines alone: nobody can clear it to take an order out of the risk
        # rules that check rental orders.
        for order in self:
            order.is_rental_order = any(order.order_line.mapped("is_rental"))

    @api.depends("order_line.rental_availability_warning")
    def _compute_rental_availability_warning(self):
        for order in self:
            warnings = order.order_line.filtered("rental_availability_warning").mapped(
                "rental_availability_warning"
            )
            order.rental_availability_warning = "\n".join(warnings) or False

    @api.depends("picking_ids.picking_type_id", "picking_ids.state")
    def _compute_rental_picking_counts(self):
        for order in self:
            pickups = order._rental_get_pickings("pickup")
            returns = order._rental_get_pickings("return")
            order.rental_pickup_count = len(pickups)
            order.rental_return_count = len(returns)
            open_states = ("done", "cancel")
            order.rental_has_open_pickup = any(p.state not in open_states for p in pickups)
            order.rental_has_open_return = any(p.state not in open_states for p in returns)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        self._rental_check_line_commands(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._rental_check_line_commands([vals])
        return super().write(vals)

    @api.model
    def _rental_check_line_commands(self, vals_list):
        """Check the value types of the lines given with the order: the order computes its
        totals from them before the lines themselves are created."""
        lines_vals = [
            command[2]
            for vals in vals_list
            for command in vals.get("order_line") or ()
            if isinstance(command, list | tuple)
            and len(command) > 2
            and command[0] in (0, 1)
            and isinstance(command[2], dict)
        ]
        if lines_vals:
            self.env["sale.order.line"]._rental_check_value_types(lines_vals)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_rental_check_availability(self):
        """Tell whether enough serials are free for every rental line, without booking any."""
        self._rental_ensure_one()
        lines = self.order_line.filtered("is_rental")
        lines._rental_check_period_set()
        problems = [
            message
            for line in lines
            if (message := line._rental_get_shortage_message(line._rental_get_available_lots()))
        ]
        if problems:
            params = {
                "title": self.env._("Not enough serials available"),
                "message": "\n".join(problems),
                "type": "warning",
                "sticky": True,
            }
        else:
            params = {
                "title": self.env._("Available"),
                "message": self.env._("All rental lines can be booked for their period."),
                "type": "success",
                "sticky": False,
            }
        return {"type": "ir.actions.client", "tag": "display_notification", "params": params}

    def action_rental_view_pickups(self):
        """Open the rental pickups of the order."""
        self._rental_ensure_one()
        return self._get_action_view_picking(self._rental_get_pickings("pickup"))

    def action_rental_view_returns(self):
        """Open the rental returns of the order."""
        self._rental_ensure_one()
        return self._get_action_view_picking(self._rental_get_pickings("return"))

    def action_rental_scan_checkout(self):
        """Open the scan screen to hand the gear of this order out."""
        return self._rental_open_scan("pickup")

    def action_rental_scan_checkin(self):
        """Open the scan screen to take the gear of this order back."""
        return self._rental_open_scan("return")

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _action_confirm(self):
        """Book the serials of rental lines, then create their rental pickups.

        Bookings are made before super() so that a shortage raises before any delivery or
        picking exists; the confirmation runs in one transaction, rolled back on error.
        """
        # Safety net of the risk check for callers that reach the private hook without going
        # through action_confirm (other modules do): they get the same blocks, and an order
        # that would need an approval cannot be confirmed this way.
        # The deposit line is fixed at confirmation, with the grade and rules of that moment,
        # before the risk check so that the checked order is the one confirmed.
        self.filtered("is_rental_order")._rental_sync_deposit_line()
        self._rental_risk_check_before_confirm()
        rental_lines = self.order_line.filtered("is_rental")
        rental_lines._rental_book()
        res = super()._action_confirm()
        rental_lines._rental_create_pickups()
        # A confirmed order adds to the customer's exposure: refresh its snapshot at once.
        for company in self.company_id:
            orders = self.filtered(lambda o, c=company: o.company_id == c)
            orders.partner_id.commercial_partner_id.sudo()._rental_risk_rescore(company=company)
        return res

    def _action_cancel(self):
        out = self.order_line.sudo().rental_booking_ids.filtered(lambda b: b.state == "out")
        if out:
            raise UserError(
                self.env._(
                    "The order %(order)s cannot be cancelled: %(serials)s are still out with the "
                    "customer. Process their return first.",
                    order=out[0].order_id.display_name,
                    serials=", ".join(out.lot_id.mapped("name")),
                )
            )
        res = super()._action_cancel()
        self.order_line.sudo().rental_booking_ids.filtered(
            lambda b: b.state == "reserved"
        ).action_cancel()
        return res

    def _rental_get_pickings(self, operation):
        """Rental pickups (``operation`` 'pickup') or returns ('return') of the order."""
        self.ensure_one()
        return self.picking_ids.filtered(lambda p: p.picking_type_id.rental_operation == operation)

    def _rental_open_scan(self, operation):
        """The scan desk, opened on the order's open pickup or return (``operation``)."""
        self._rental_ensure_one()
        picking = self._rental_get_pickings(operation).filtered(
            lambda p: p.state not in ("draft", "done", "cancel")
        )[:1]
        action = self.env["ir.actions.actions"]._for_xml_id("rental_risk.rental_scan_desk_action")
        action["params"] = {"picking_id": picking.id}
        return action
