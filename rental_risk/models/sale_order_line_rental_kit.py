import math

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_datetime


class SaleOrderLine(models.Model):
    """Rental kits on orders.

    A kit line is priced and invoiced as one line. At confirmation it gets one component line
    per component of the kit (price 0, not invoiced): the components are ordinary rental lines,
    so they are booked (the exclusion constraint protects their serials), handed out, taken back,
    flagged late and inspected serial by serial like any other rental line.
    """

    _inherit = "sale.order.line"

    rental_is_kit = fields.Boolean(related="product_id.rental_is_kit", string="Is a Rental Kit")
    rental_kit_parent_id = fields.Many2one(
        "sale.order.line",
        string="Kit Line",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="cascade",
        help="The kit line this line is a component of; the kit line carries the price.",
    )
    rental_kit_component_ids = fields.One2many(
        "sale.order.line", "rental_kit_parent_id", string="Kit Component Lines", readonly=True
    )
    rental_kit_line_id = fields.Many2one(
        "rental.kit.line", string="Kit Component", readonly=True, copy=False, ondelete="set null"
    )
    rental_kit_qty = fields.Float(
        string="Units per Kit",
        readonly=True,
        copy=False,
        digits="Product Unit of Measure",
        help="Units of this component in one kit.",
    )
    # A kit line's figures follow those of its component lines (lines of the same model).
    rental_qty_picked_up = fields.Float(recursive=True)
    rental_qty_returned = fields.Float(recursive=True)
    invoice_status = fields.Selection(recursive=True)

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends(
        "rental_kit_component_ids.rental_qty_picked_up",
        "rental_kit_component_ids.rental_qty_returned",
    )
    def _compute_rental_qty_moved(self):
        kits = self.filtered("rental_kit_component_ids")
        res = super(SaleOrderLine, self - kits)._compute_rental_qty_moved()
        # A kit is picked up (and returned) once all of its components are.
        for kit in kits:
            components = kit.rental_kit_component_ids.filtered("rental_kit_qty")
            kit.rental_qty_picked_up = min(
                (math.floor(c.rental_qty_picked_up / c.rental_kit_qty) for c in components),
                default=0.0,
            )
            kit.rental_qty_returned = min(
                (math.floor(c.rental_qty_returned / c.rental_kit_qty) for c in components),
                default=0.0,
            )
        return res

    @api.depends("rental_kit_parent_id")
    def _compute_qty_to_invoice(self):
        res = super()._compute_qty_to_invoice()
        # Components are billed through their kit line.
        self.filtered("rental_kit_parent_id").qty_to_invoice = 0.0
        return res

    @api.depends("rental_kit_parent_id.invoice_status")
    def _compute_invoice_status(self):
        res = super()._compute_invoice_status()
        for line in self.filtered("rental_kit_parent_id"):
            line.invoice_status = line.rental_kit_parent_id.invoice_status
        return res

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    def _rental_protected_fields(self):
        # A line made a "component" is priced 0 and never invoiced: only the kit's own
        # confirmation makes component lines.
        kit = self.env._("Component lines are made by confirming the kit's order.")
        return {
            **super()._rental_protected_fields(),
            **dict.fromkeys(("rental_kit_parent_id", "rental_kit_line_id", "rental_kit_qty"), kit),
        }

    # ------------------------------------------------------------------
    # Business methods: pricing and availability
    # ------------------------------------------------------------------

    def _get_display_price(self):
        # The kit line carries the price of the whole kit.
        if self.rental_kit_parent_id:
            return 0.0
        return super()._get_display_price()

    def _rental_get_available_lots(self):
        # A kit has no serials of its own: its components have.
        if self.rental_is_kit:
            return self.env["stock.lot"]
        return super()._rental_get_available_lots()

    def _rental_get_shortage_message(self, available):
        if not self.rental_is_kit:
            return super()._rental_get_shortage_message(available)
        return self._rental_kit_get_shortage_message()

    def _rental_kit_get_shortage_message(self):
        """Why the kit of this line cannot be booked for its period, or False."""
        self.ensure_one()
        Booking = self.env["rental.booking"].sudo()
        company = self.order_id.company_id or self.env.company
        components = {line.rental_kit_line_id: line for line in self.rental_kit_component_ids}
        for kit_line in self.product_id.rental_kit_line_ids:
            needed = self._rental_get_qty() * kit_line.quantity
            free = Booking._get_available_lots(
                kit_line.product_id,
                self.rental_start,
                self.rental_end,
                company=company,
                exclude_line=components.get(kit_line._origin) or None,
            )
            if len(free) < needed:
                return self.env._(
                    "The kit %(kit)s needs %(qty)s × %(component)s but only %(free)s are free "
                    "from %(start)s to %(end)s.",
                    kit=self.product_id.display_name,
                    qty=needed,
                    component=kit_line.product_id.display_name,
                    free=len(free),
                    start=format_datetime(self.env, self.rental_start),
                    end=format_datetime(self.env, self.rental_end),
                )
        return False

    # ------------------------------------------------------------------
    # Business methods: confirmation
    # ------------------------------------------------------------------

    def _rental_book(self):
        # Component lines are booked by their kit, once they are all created.
        if self.env.context.get("rental_kit_defer"):
            return self.env["rental.booking"]
        kits = self.filtered(lambda line: line.is_rental and line.rental_is_kit)
        # Component lines are booked through their kit only (a component dropped from the kit
        # since the last confirmation is not booked any more).
        plain = self - kits - self.filtered("rental_kit_parent_id")
        if not kits:
            return super(SaleOrderLine, plain)._rental_book()
        kits._rental_check_period_set()
        for kit in kits:
            message = kit._rental_kit_get_shortage_message()
            if message:
                raise UserError(
                    self.env._(
                        "Cannot confirm %(order)s: %(reason)s Shorten or move the period, lower "
                        "the quantity or rent the components separately.",
                        order=kit.order_id.display_name,
                        reason=message,
                    )
                )
        components = kits._rental_kit_sync_components()
        return super(SaleOrderLine, plain | components)._rental_book()

    def _rental_create_pickups(self):
        if self.env.context.get("rental_kit_defer"):
            return self.env["stock.picking"]
        lines = self | self.rental_kit_component_ids
        return super(
            SaleOrderLine,
            lines.filtered(
                lambda line: not line.rental_kit_parent_id or line._rental_kit_current()
            ),
        )._rental_create_pickups()

    def _rental_kit_current(self):
        """Whether this component line is still a component of its kit line's product."""
        self.ensure_one()
        kit = self.rental_kit_parent_id
        return bool(
            kit.rental_is_kit and self.rental_kit_line_id in kit.product_id.rental_kit_line_ids
        )

    def _rental_kit_sync_components(self):
        """Create (or bring up to date) the component lines of these kit lines, without
        booking them; return them all."""
        with self.env["rental.risk.decision"]._open_guard():
            return self._rental_kit_write_components()

    def _rental_kit_write_components(self):
        Line = self.env["sale.order.line"].sudo().with_context(rental_kit_defer=True)
        components = Line
        for kit in self:
            existing = {line.rental_kit_line_id: line for line in kit.rental_kit_component_ids}
            kit_qty = kit._rental_get_qty()
            create_vals = []
            for kit_line in kit.product_id.rental_kit_line_ids:
                vals = {
                    "product_uom_qty": kit_qty * kit_line.quantity,
                    "rental_start": kit.rental_start,
                    "rental_end": kit.rental_end,
                    "rental_kit_qty": kit_line.quantity,
                }
                line = existing.get(kit_line)
                if line:
                    if any(line._rental_value_changed(f, v) for f, v in vals.items()):
                        line.with_context(rental_kit_defer=True).write(
                            dict(vals, rental_lot_ids=[Command.clear()])
                        )
                    components |= line
                    continue
                create_vals.append(
                    dict(
                        vals,
                        order_id=kit.order_id.id,
                        product_id=kit_line.product_id.id,
                        product_uom=kit_line.product_id.uom_id.id,
                        name=self.env._(
                            "%(component)s (kit %(kit)s)",
                            component=kit_line.product_id.display_name,
                            kit=kit.product_id.display_name,
                        ),
                        sequence=kit.sequence,
                        rental_kit_parent_id=kit.id,
                        rental_kit_line_id=kit_line.id,
                    )
                )
            if create_vals:
                components |= Line.create(create_vals)
        return components.with_env(self.env)

    # ------------------------------------------------------------------
    # Business methods: changes of a booked kit
    # ------------------------------------------------------------------

    def _rental_live_bookings(self):
        # A kit holds its serials through its component lines.
        if self.rental_kit_component_ids:
            return self.rental_kit_component_ids.sudo().rental_booking_ids.filtered(
                lambda b: b.state in ("reserved", "out")
            )
        return super()._rental_live_bookings()

    def _rental_extend(self, new_end):
        self._rental_kit_check_not_component()
        return super()._rental_extend(new_end)

    def _rental_end_early(self, new_end):
        self._rental_kit_check_not_component()
        return super()._rental_end_early(new_end)

    def _rental_change_period(self, new_end, reprice):
        res = super()._rental_change_period(new_end, reprice)
        components = self.rental_kit_component_ids
        if components:
            # The components follow the kit's period; their price stays on the kit line.
            with self.env["rental.risk.decision"]._open_guard():
                components.sudo().write({"rental_end": new_end})
            returns = components.move_ids.filtered(
                lambda m: m.rental_operation == "return" and m.state not in ("done", "cancel")
            )
            returns.sudo().write({"date": new_end, "date_deadline": new_end})
            for picking in returns.picking_id:
                picking.sudo().scheduled_date = max(picking.move_ids.mapped("date_deadline"))
            late = components.filtered("rental_is_late")
            if late and new_end > fields.Datetime.now():
                late._rental_clear_late()
        return res

    def _rental_kit_check_not_component(self):
        self.ensure_one()
        if self.rental_kit_parent_id:
            raise UserError(
                self.env._(
                    "%(product)s is part of the kit %(kit)s on %(order)s: extend or end the kit "
                    "line instead, its components follow.",
                    product=self.product_id.display_name,
                    kit=self.rental_kit_parent_id.product_id.display_name,
                    order=self.order_id.display_name,
                )
            )
