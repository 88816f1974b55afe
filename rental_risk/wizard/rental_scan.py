from odoo import Command, api, fields, models
from odoo.exceptions import UserError

MODE_OPERATION = {"checkout": "pickup", "checkin": "return"}


class RentalScan(models.TransientModel):
    """Check-out / check-in screen: each scanned serial is marked picked on the open transfer."""

    _name = "rental.scan"
    _inherit = ["barcodes.barcode_events_mixin"]
    _description = "Rental Check-out / Check-in Scan"

    mode = fields.Selection(
        [("checkout", "Check Out"), ("checkin", "Check In")],
        required=True,
        default="checkout",
    )
    order_id = fields.Many2one(
        "sale.order",
        string="Rental Order",
        domain="[('is_rental_order', '=', True), ('state', '=', 'sale')]",
    )
    picking_operation = fields.Char(compute="_compute_picking_operation")
    picking_id = fields.Many2one(
        "stock.picking",
        string="Transfer",
        compute="_compute_picking_id",
        store=True,
        readonly=False,
        domain="[('sale_id', '=', order_id), ('rental_operation', '=', picking_operation), "
        "('state', 'not in', ('draft', 'done', 'cancel'))]",
        help="The open rental pickup (check out) or return (check in) of the order.",
    )
    move_line_ids = fields.One2many(
        "stock.move.line", related="picking_id.move_line_ids", string="Serials to Scan"
    )
    barcode = fields.Char(
        string="Serial / Barcode",
        help="Type a serial number or barcode when no scanner is at hand.",
    )
    line_ids = fields.One2many("rental.scan.line", "scan_id", string="Scanned")
    scanned_count = fields.Integer(compute="_compute_scanned_count")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("mode")
    def _compute_picking_operation(self):
        for scan in self:
            scan.picking_operation = MODE_OPERATION[scan.mode or "checkout"]

    @api.depends("mode", "order_id")
    def _compute_picking_id(self):
        for scan in self:
            scan.picking_id = (
                scan.order_id
                and scan.order_id._rental_get_pickings(
                    MODE_OPERATION[scan.mode or "checkout"]
                ).filtered(lambda p: p.state not in ("draft", "done", "cancel"))[:1]
            )

    @api.depends("line_ids")
    def _compute_scanned_count(self):
        for scan in self:
            scan.scanned_count = len(scan.line_ids)

    # ------------------------------------------------------------------
    # Onchanges
    # ------------------------------------------------------------------

    @api.onchange("barcode")
    def _onchange_barcode(self):
        if self.barcode:
            barcode, self.barcode = self.barcode, False
            self.on_barcode_scanned(barcode)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_validate(self):
        """Validate the transfer with the scanned serials (standard backorder flow)."""
        self._rental_ensure_one()
        if not self.picking_id:
            raise UserError(self._no_picking_message())
        if not self.picking_id.move_line_ids.filtered("picked"):
            raise UserError(
                self.env._(
                    "No serial of %(picking)s has been scanned yet; scan the serials handed over "
                    "before validating.",
                    picking=self.picking_id.name,
                )
            )
        res = self.picking_id.button_validate()
        if isinstance(res, dict):
            return res
        return {"type": "ir.actions.act_window_close"}

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def on_barcode_scanned(self, barcode):
        """Mark the scanned serial picked on the transfer, or explain why it cannot be."""
        barcode = (barcode or "").strip()
        if not barcode:
            return
        move_line = self._rental_get_move_line(barcode)
        move_line.write({"picked": True, "quantity": 1.0})
        self.line_ids = [
            Command.create(
                {
                    "barcode": barcode,
                    "lot_id": move_line.lot_id.id,
                    "product_id": move_line.product_id.id,
                }
            )
        ]

    def _no_picking_message(self):
        if self.mode == "checkin":
            return self.env._(
                "There is no open rental return to check in; choose a rental order whose gear "
                "has been picked up."
            )
        return self.env._(
            "There is no open rental pickup to check out; choose a confirmed rental order "
            "with gear still to hand out."
        )

    def _rental_find_lot(self, barcode):
        company = self.picking_id.company_id or self.env.company
        Lot = self.env["stock.lot"]
        domain = [("rental_ok", "=", True), ("company_id", "in", [company.id, False])]
        return Lot.search([*domain, ("rental_barcode", "=", barcode)], limit=1) or Lot.search(
            [*domain, ("name", "=", barcode)], limit=1
        )

    def _rental_get_move_line(self, barcode):
        """The move line of the transfer for ``barcode``; UserError when it must not change."""
        self.ensure_one()
        if not self.picking_id:
            raise UserError(self._no_picking_message())
        lot = self._rental_find_lot(barcode)
        if not lot:
            raise UserError(
                self.env._(
                    "Unknown barcode %(barcode)s: no rental asset has this barcode or serial "
                    "number. Check the label, or type the serial number.",
                    barcode=barcode,
                )
            )
        order = self.picking_id.sale_id
        bookings = order.order_line.sudo().rental_booking_ids.filtered(
            lambda b: b.lot_id == lot and b.state != "cancelled"
        )
        if not bookings:
            raise UserError(
                self.env._(
                    "%(serial)s is not on the order %(order)s; set it aside and scan the gear "
                    "of this order.",
                    serial=lot.display_name,
                    order=order.name,
                )
            )
        pickup = self.picking_id.rental_operation == "pickup"
        wanted_state = "reserved" if pickup else "out"
        booking = bookings.filtered(lambda b: b.state == wanted_state)[:1]
        if not booking:
            if pickup:
                message = self.env._(
                    "%(serial)s has already been handed out on %(order)s; it cannot be checked "
                    "out again.",
                    serial=lot.display_name,
                    order=order.name,
                )
            elif any(b.state == "returned" for b in bookings):
                message = self.env._(
                    "%(serial)s has already been returned on %(order)s; nothing to check in.",
                    serial=lot.display_name,
                    order=order.name,
                )
            else:
                message = self.env._(
                    "%(serial)s has not been picked up on %(order)s yet, so it cannot be "
                    "checked in; check it out first.",
                    serial=lot.display_name,
                    order=order.name,
                )
            raise UserError(message)
        move_line = self.picking_id.move_line_ids.filtered(lambda ml: ml.lot_id == lot)[:1]
        if not move_line:
            move_line = self._rental_add_move_line(lot, booking.order_line_id)
        if move_line.picked:
            raise UserError(
                self.env._(
                    "%(serial)s has already been scanned on %(picking)s.",
                    serial=lot.display_name,
                    picking=self.picking_id.name,
                )
            )
        return move_line

    def _rental_add_move_line(self, lot, order_line):
        """Reserve ``lot`` on the transfer when its move did not reserve it (e.g. not on hand)."""
        move = self.picking_id.move_ids.filtered(
            lambda m: m.sale_line_id == order_line and m.state not in ("done", "cancel")
        )[:1]
        if not move:
            raise UserError(
                self.env._(
                    "%(serial)s is not expected on %(picking)s; scan it on its own transfer.",
                    serial=lot.display_name,
                    picking=self.picking_id.name,
                )
            )
        quant = self.env["stock.quant"].search(
            [
                ("lot_id", "=", lot.id),
                ("location_id", "child_of", move.location_id.id),
                ("quantity", ">", 0),
            ],
            limit=1,
        )
        if not quant or quant.quantity - quant.reserved_quantity < 1:
            raise UserError(
                self.env._(
                    "%(serial)s is not available in %(location)s, so it cannot be moved by "
                    "%(picking)s; find the unit or check its location.",
                    serial=lot.display_name,
                    location=move.location_id.display_name,
                    picking=self.picking_id.name,
                )
            )
        return self.env["stock.move.line"].create(
            move._prepare_move_line_vals(quantity=1, reserved_quant=quant)
        )
