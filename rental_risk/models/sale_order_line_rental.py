from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare, float_round, format_amount, format_datetime

from ..engine.bounds import MAX_AMOUNT, MAX_QUANTITY, in_range, is_amount
from ..engine.rental_pricing import (
    MONTH_DAYS,
    WEEK_DAYS,
    period_breakdown,
    rental_days,
    rental_price,
)

# Line fields that define what is booked: they cannot change while bookings are active.
RENTAL_BOOKED_FIELDS = ("product_id", "product_uom_qty", "rental_start", "rental_end")


class SaleOrderLine(models.Model):
    _name = "sale.order.line"
    _inherit = ["sale.order.line", "rental.risk.protected.mixin"]

    is_rental = fields.Boolean(
        string="Is a Rental",
        related="product_id.rental_ok",
        store=True,
        index=True,
    )
    rental_start = fields.Datetime(
        compute="_compute_rental_period",
        store=True,
        readonly=False,
        precompute=True,
        copy=True,
        help="When the customer picks the gear up.",
    )
    rental_end = fields.Datetime(
        compute="_compute_rental_period",
        store=True,
        readonly=False,
        precompute=True,
        copy=True,
        index="btree_not_null",
        help="When the gear is due back.",
    )
    rental_days = fields.Integer(compute="_compute_rental_days")
    rental_period_label = fields.Char(
        string="Period Pricing",
        compute="_compute_rental_period_label",
        help="How the unit price of the period is made: days, weeks and months at their rates.",
    )
    rental_lot_ids = fields.Many2many(
        "stock.lot",
        "sale_order_line_rental_lot_rel",
        "line_id",
        "lot_id",
        string="Serial Numbers",
        copy=False,
        help="Serials to rent out. Leave empty to have free serials assigned on confirmation.",
    )
    rental_available_lot_ids = fields.Many2many(
        "stock.lot",
        string="Available Serials",
        compute="_compute_rental_availability",
        help="Serials of the product free for the whole period of this line.",
    )
    rental_availability_warning = fields.Char(
        string="Availability Warning", compute="_compute_rental_availability"
    )
    rental_booking_ids = fields.One2many(
        "rental.booking",
        "order_line_id",
        string="Bookings",
        groups="rental_risk.rental_risk_group_user,rental_risk.rental_risk_group_warehouse",
    )
    rental_qty_picked_up = fields.Float(
        string="Picked Up",
        compute="_compute_rental_qty_moved",
        store=True,
        digits="Product Unit of Measure",
    )
    rental_qty_returned = fields.Float(
        string="Returned",
        compute="_compute_rental_qty_moved",
        store=True,
        digits="Product Unit of Measure",
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    # Depends on the product rather than is_rental: the period must be precomputed (the price
    # depends on it) and a stored related field is not.
    @api.depends("product_id")
    def _compute_rental_period(self):
        """Default a new rental line to the period of the other rental lines of its order."""
        for line in self:
            sibling = self.env["sale.order.line"]
            if line.product_id.rental_ok and not (line.rental_start and line.rental_end):
                sibling = line.order_id.order_line.filtered(
                    lambda sol, line=line: sol != line
                    and sol.product_id.rental_ok
                    and sol.rental_start
                    and sol.rental_end
                )[:1]
            if (
                line.product_id.rental_ok
                and not sibling
                and not (line.rental_start or line.rental_end)
            ):
                # A new rental quotation starts on the company's default period.
                start, end = (line.order_id.company_id or self.env.company)._rental_default_period()
                line.rental_start, line.rental_end = start, end
                continue
            line.rental_start = line.rental_start or sibling.rental_start
            line.rental_end = line.rental_end or sibling.rental_end

    @api.depends("rental_start", "rental_end")
    def _compute_rental_days(self):
        for line in self:
            if line.rental_start and line.rental_end and line.rental_end > line.rental_start:
                line.rental_days = rental_days(line.rental_start, line.rental_end)
            else:
                line.rental_days = 0

    @api.depends("rental_start", "rental_end", "product_id", "order_id.currency_id")
    def _compute_rental_period_label(self):
        for line in self:
            line.rental_period_label = False
            if not line._rental_has_period():
                continue
            template = line.product_id.product_tmpl_id
            mix = period_breakdown(
                line.rental_days,
                template.rental_price_day,
                template.rental_price_week,
                template.rental_price_month,
            )
            units = {
                1: (self.env._("day"), self.env._("days")),
                WEEK_DAYS: (self.env._("week"), self.env._("weeks")),
                MONTH_DAYS: (self.env._("month"), self.env._("months")),
            }
            currency = template.currency_id
            parts = [
                f"{count} {units[length][count > 1]} × {format_amount(self.env, price, currency)}"
                for length, count, price in mix
            ]
            line.rental_period_label = self.env._(
                "%(days)s days: %(mix)s", days=line.rental_days, mix=" + ".join(parts)
            )

    @api.depends(
        "is_rental",
        "product_id",
        "product_uom_qty",
        "rental_start",
        "rental_end",
        "rental_lot_ids",
        "state",
        "order_id.company_id",
    )
    def _compute_rental_availability(self):
        for line in self:
            line.rental_available_lot_ids = False
            line.rental_availability_warning = False
            if not line._rental_has_period():
                continue
            available = line._rental_get_available_lots()
            line.rental_available_lot_ids = available
            if line.state not in ("draft", "sent"):
                continue
            line.rental_availability_warning = line._rental_get_shortage_message(available)

    @api.depends(
        "move_ids.state",
        "move_ids.quantity",
        "move_ids.product_uom",
        "move_ids.picking_type_id.rental_operation",
    )
    def _compute_rental_qty_moved(self):
        for line in self:
            picked_up = returned = 0.0
            for move in line.move_ids.filtered(lambda m: m.state == "done"):
                qty = move.product_uom._compute_quantity(
                    move.quantity, line.product_uom, rounding_method="HALF-UP"
                )
                operation = move.picking_type_id.rental_operation
                if operation == "pickup":
                    picked_up += qty
                elif operation == "return":
                    returned += qty
            line.rental_qty_picked_up = picked_up
            line.rental_qty_returned = returned

    @api.depends(
        "move_ids.state",
        "move_ids.scrapped",
        "move_ids.quantity",
        "move_ids.product_uom",
        "rental_qty_picked_up",
    )
    def _compute_qty_delivered(self):
        # Rental gear goes to an internal rental location, not to the customer, so sale_stock
        # would count nothing delivered; what is delivered (and invoiced) is what was picked up.
        res = super()._compute_qty_delivered()
        for line in self.filtered("is_rental"):
            line.qty_delivered = line.rental_qty_picked_up
        return res

    def _compute_qty_to_deliver(self):
        # Stock's forecast (a red icon when the product is short) means nothing for rental
        # lines: what counts is whether their serials are free for the period.
        res = super()._compute_qty_to_deliver()
        self.filtered("is_rental").display_qty_widget = False
        return res

    @api.depends("rental_start", "rental_end")
    def _compute_price_unit(self):
        return super()._compute_price_unit()

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

    @api.constrains("rental_start", "rental_end")
    def _check_rental_period(self):
        # A missing period is refused at confirmation (see _rental_check_period_set): a quotation
        # may be saved while the customer still decides on dates.
        for line in self.filtered(lambda sol: sol.rental_start and sol.rental_end):
            if line.rental_end <= line.rental_start:
                raise ValidationError(
                    self.env._(
                        "The rental of %(product)s on %(order)s ends (%(end)s) before it starts "
                        "(%(start)s); set an end after the start.",
                        product=line.product_id.display_name,
                        order=line.order_id.display_name,
                        start=format_datetime(self.env, line.rental_start),
                        end=format_datetime(self.env, line.rental_end),
                    )
                )

    @api.constrains("rental_lot_ids", "product_id", "product_uom_qty")
    def _check_rental_lots(self):
        for line in self.filtered("rental_lot_ids"):
            wrong = line.rental_lot_ids.filtered(
                lambda lot, line=line: lot.product_id != line.product_id
            )
            if not line.is_rental or wrong:
                raise ValidationError(
                    self.env._(
                        "The serials %(serials)s are not serials of %(product)s; choose serials "
                        "of the rented product.",
                        serials=", ".join((wrong or line.rental_lot_ids).mapped("name")),
                        product=line.product_id.display_name,
                    )
                )
            qty = line.product_uom._compute_quantity(line.product_uom_qty, line.product_id.uom_id)
            if float_compare(qty, len(line.rental_lot_ids), precision_digits=2):
                raise ValidationError(
                    self.env._(
                        "The line %(product)s rents %(qty)s units but %(count)s serials are "
                        "chosen; choose as many serials as units, or none to have them assigned "
                        "on confirmation.",
                        product=line.product_id.display_name,
                        qty=float_round(qty, precision_digits=2),
                        count=len(line.rental_lot_ids),
                    )
                )

    @api.constrains("product_uom_qty", "price_unit", "discount", "is_rental")
    def _check_rental_amounts(self):
        """Rental lines rent a positive quantity at a sane, non-negative price: a negative or
        absurd figure would poison the customer's exposure and the deposit."""
        for line in self.filtered("is_rental"):
            if not in_range(line.product_uom_qty, 0.0, MAX_QUANTITY):
                raise ValidationError(
                    self.env._(
                        "The quantity of the rental line %(product)s must be between 0 and "
                        "%(max)s.",
                        product=line.product_id.display_name,
                        max=f"{MAX_QUANTITY:,.0f}",
                    )
                )
            if not is_amount(line.price_unit) or not in_range(line.discount, 0.0, 100.0):
                raise ValidationError(
                    self.env._(
                        "The price of the rental line %(product)s must be between 0 and %(max)s "
                        "and its discount between 0 and 100 %%.",
                        product=line.product_id.display_name,
                        max=f"{MAX_AMOUNT:,.0f}",
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        self._rental_check_value_types(vals_list)
        lines = super().create(vals_list)
        # A rental line added to a confirmed order is booked and picked up like the others.
        added = lines.filtered(lambda line: line.is_rental and line.state == "sale")
        if added:
            added._rental_book()
            added._rental_create_pickups()
        return lines

    def write(self, vals):
        self._rental_check_value_types([vals])
        if not self.env["rental.risk.decision"]._guard_open() and any(
            fname in vals for fname in (*RENTAL_BOOKED_FIELDS, "rental_lot_ids")
        ):
            # _rental_live_bookings: a line's own bookings, a kit's those of its components.
            booked = self.filtered(lambda sol: sol.is_rental and sol._rental_live_bookings())
            for line in booked:
                changed = [
                    fname
                    for fname in RENTAL_BOOKED_FIELDS
                    if fname in vals and line._rental_value_changed(fname, vals[fname])
                ]
                if changed or "rental_lot_ids" in vals:
                    raise UserError(
                        self.env._(
                            "The rental of %(product)s on %(order)s is already booked; its "
                            "product, quantity, period and serials cannot change. Cancel the "
                            "order and quote the new period instead.",
                            product=line.product_id.display_name,
                            order=line.order_id.display_name,
                        )
                    )
        return super().write(vals)

    def _rental_protected_fields(self):
        """{field: what to do instead} of the line fields nobody writes directly."""
        deposit = self.env._("Deposit lines are added by Update Deposit and by the confirmation.")
        late = self.env._("Late returns are flagged by the late returns scheduled action.")
        moved = self.env._("Picked up and returned quantities follow the validated transfers.")
        return {
            "is_rental_deposit": deposit,
            "rental_is_late": late,
            "rental_late_hours": late,
            "rental_late_activity_id": late,
            "rental_loss_activity_id": late,
            "rental_qty_picked_up": moved,
            "rental_qty_returned": moved,
        }

    def _rental_value_changed(self, fname, value):
        field = self._fields[fname]
        current = field.convert_to_write(self[fname], self)
        new = field.convert_to_write(field.convert_to_cache(value, self), self)
        return current != new

    # ------------------------------------------------------------------
    # Business methods: pricing and availability
    # ------------------------------------------------------------------

    def _get_display_price(self):
        self.ensure_one()
        if not self._rental_has_period():
            return super()._get_display_price()
        return self._rental_get_period_price()

    def _rental_get_period_price(self):
        """Price per unit of the rental period, in the currency of the order."""
        self.ensure_one()
        template = self.product_id.product_tmpl_id
        price = rental_price(
            self.rental_start,
            self.rental_end,
            template.rental_price_day,
            template.rental_price_week,
            template.rental_price_month,
        )
        order = self.order_id
        return template.currency_id._convert(
            price,
            order.currency_id or self.env.company.currency_id,
            order.company_id or self.env.company,
            order.date_order or fields.Date.today(),
        )

    def _rental_has_period(self):
        self.ensure_one()
        return bool(
            self.is_rental
            and self.product_id
            and self.rental_start
            and self.rental_end
            and self.rental_end > self.rental_start
        )

    def _rental_get_available_lots(self):
        """Serials of the product free for the period of this line (its own bookings aside)."""
        self.ensure_one()
        return self.env["rental.booking"]._get_available_lots(
            self.product_id,
            self.rental_start,
            self.rental_end,
            company=self.order_id.company_id or self.env.company,
            exclude_line=self._origin or None,
        )

    def _rental_get_shortage_message(self, available):
        """Why this line cannot be booked with the ``available`` serials, or False."""
        self.ensure_one()
        if self.rental_lot_ids:
            taken = self.rental_lot_ids - available
            if taken:
                return self.env._(
                    "%(serials)s of %(product)s not available from %(start)s to %(end)s.",
                    serials=", ".join(taken.mapped("name")),
                    product=self.product_id.display_name,
                    start=format_datetime(self.env, self.rental_start),
                    end=format_datetime(self.env, self.rental_end),
                )
            return False
        qty = self._rental_get_qty()
        if len(available) < qty:
            return self.env._(
                "Only %(free)s of %(qty)s %(product)s available from %(start)s to %(end)s.",
                free=len(available),
                qty=qty,
                product=self.product_id.display_name,
                start=format_datetime(self.env, self.rental_start),
                end=format_datetime(self.env, self.rental_end),
            )
        return False

    def _rental_get_qty(self):
        """Number of serials the line rents (its quantity in the product unit)."""
        self.ensure_one()
        qty = self.product_uom._compute_quantity(self.product_uom_qty, self.product_id.uom_id)
        return int(float_round(qty, precision_digits=0, rounding_method="UP"))

    # ------------------------------------------------------------------
    # Business methods: confirmation
    # ------------------------------------------------------------------

    def _rental_book(self):
        """Book the serials of these rental lines, assigning free ones where none are chosen.

        Raises a UserError naming the product and the period when not enough serials are free;
        the caller's transaction then rolls the whole confirmation back.
        """
        Booking = self.env["rental.booking"].sudo()
        bookings = Booking
        self._rental_check_period_set()
        for line in self:
            available = line._rental_get_available_lots()
            message = line._rental_get_shortage_message(available)
            if message:
                raise UserError(
                    self.env._(
                        "Cannot confirm %(order)s: %(reason)s Shorten or move the period, lower "
                        "the quantity or choose other serials.",
                        order=line.order_id.display_name,
                        reason=message,
                    )
                )
            lots = line.rental_lot_ids or available[: line._rental_get_qty()]
            if not line.rental_lot_ids:
                # The booking itself writes the serials it assigned on the booked line.
                with self.env["rental.risk.decision"]._open_guard():
                    line.rental_lot_ids = [Command.set(lots.ids)]
            bookings |= Booking._create_bookings(line, lots)
        return bookings

    def _rental_check_period_set(self):
        """Refuse rental lines without a complete period (they cannot be booked)."""
        for line in self.filtered("is_rental"):
            if not line.rental_start or not line.rental_end:
                raise ValidationError(
                    self.env._(
                        "Set the rental period (start and end) of the line %(product)s on "
                        "%(order)s before confirming it.",
                        product=line.product_id.display_name,
                        order=line.order_id.display_name,
                    )
                )

    def _action_launch_stock_rule(self, previous_product_uom_qty=False):
        # Rental lines never go to the customer location: they get a rental pickup instead.
        return super(
            SaleOrderLine, self.filtered(lambda line: not line.is_rental)
        )._action_launch_stock_rule(previous_product_uom_qty=previous_product_uom_qty)

    def _rental_create_pickups(self):
        """Create one rental pickup per order and warehouse, reserving the booked serials."""
        Picking = self.env["stock.picking"].sudo()
        pickings = Picking
        grouped = defaultdict(lambda: self.env["sale.order.line"])
        for line in self.filtered(lambda sol: sol.is_rental and sol.rental_booking_ids):
            grouped[line.order_id, line.order_id.warehouse_id] |= line
        for (order, warehouse), lines in grouped.items():
            picking_type = warehouse._rental_get_picking_type("pickup")
            group = order.procurement_group_id
            if not group:
                group = (
                    self.env["procurement.group"]
                    .sudo()
                    .create(lines[0]._prepare_procurement_group_vals())
                )
                order.procurement_group_id = group
            pickings |= Picking.with_company(order.company_id).create(
                {
                    "picking_type_id": picking_type.id,
                    "partner_id": order.partner_shipping_id.id,
                    "origin": order.name,
                    "group_id": group.id,
                    "location_id": picking_type.default_location_src_id.id,
                    "location_dest_id": picking_type.default_location_dest_id.id,
                    "scheduled_date": min(lines.mapped("rental_start")),
                    "company_id": order.company_id.id,
                    "move_ids": [
                        Command.create(line._rental_prepare_move_vals(picking_type, group))
                        for line in lines
                    ],
                }
            )
        # The rental picking types reserve at confirmation, restricted to the booked serials
        # (see stock.move._update_reserved_quantity).
        pickings.action_confirm()
        return pickings

    def _rental_prepare_move_vals(self, picking_type, group, quantity=None):
        """Values of the pickup or return move of this line for ``picking_type``."""
        self.ensure_one()
        is_pickup = picking_type.rental_operation == "pickup"
        return {
            "name": self.name or self.product_id.display_name,
            "product_id": self.product_id.id,
            "product_uom_qty": self.product_uom_qty if quantity is None else quantity,
            "product_uom": self.product_uom.id,
            "location_id": picking_type.default_location_src_id.id,
            "location_dest_id": picking_type.default_location_dest_id.id,
            "picking_type_id": picking_type.id,
            "sale_line_id": self.id,
            "group_id": group.id,
            "partner_id": self.order_id.partner_shipping_id.id,
            "date": self.rental_start if is_pickup else self.rental_end,
            "date_deadline": self.rental_start if is_pickup else self.rental_end,
            "origin": self.order_id.name,
            "company_id": self.order_id.company_id.id,
            "warehouse_id": picking_type.warehouse_id.id,
        }
