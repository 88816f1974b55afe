from odoo import api, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, format_datetime

#: Transfers the desk works on: open, not drafts.
CLOSED_STATES = ("draft", "done", "cancel")


class RentalScanDesk(models.AbstractModel):
    """Server side of the scan desk (check-out / check-in by scanning serials).

    Every public method is called over RPC by the ``rental_risk.scan_desk`` client action and
    answers with a plain dict: ``ok``, ``message`` or ``error`` (a sentence to show inline),
    and ``transfer``, the state of the open transfer (empty when none is open). Scans mark the
    move lines of the transfer picked; validation goes through ``stock.picking.button_validate``,
    so the rental checks and the risk delivery lock hold exactly as on the transfer form.
    """

    _name = "rental.scan.desk"
    _description = "Rental Scan Desk"

    # ------------------------------------------------------------------
    # Public methods (RPC)
    # ------------------------------------------------------------------

    @api.model
    def read_transfer(self, picking_id):
        """The state of the open rental transfer ``picking_id``."""
        self._check_desk_access()
        picking = self._get_transfer(picking_id)
        if not picking:
            return self._reply(error=self._transfer_gone_message())
        return self._reply(picking)

    @api.model
    def scan_barcode(self, barcode, picking_id=False):
        """Mark the serial ``barcode`` picked, or open the transfer named ``barcode``.

        Without ``picking_id`` the serial (or transfer name) finds its order and operation by
        itself: a serial booked for a pickup opens that pickup, a serial out with a customer
        opens its return.
        """
        self._check_desk_access()
        picking = self._get_transfer(picking_id) if picking_id else self.env["stock.picking"]
        barcode = barcode.strip() if isinstance(barcode, str) else ""
        if not barcode:
            return self._reply(picking, error=self.env._("Nothing was scanned; scan again."))
        transfer = self._find_transfer(barcode)
        if transfer:
            if transfer.state in CLOSED_STATES:
                return self._reply(
                    picking,
                    error=self.env._(
                        "%(picking)s is not open any more (%(state)s); scan a serial of the "
                        "gear to hand out or take back.",
                        picking=transfer.name,
                        state=dict(transfer._fields["state"]._description_selection(self.env))[
                            transfer.state
                        ],
                    ),
                )
            return self._reply(
                transfer,
                message=self.env._("%(picking)s opened; scan its serials.", picking=transfer.name),
            )
        lot = self._find_lot(barcode, picking)
        if not lot:
            return self._reply(
                picking,
                error=self.env._(
                    "Unknown barcode %(barcode)s: no rental asset has this barcode or serial "
                    "number, and no rental transfer this name. Check the label, or type the "
                    "serial number.",
                    barcode=barcode,
                ),
            )
        if not picking:
            picking = self._find_lot_transfer(lot)
            if not picking:
                return self._reply(
                    error=self.env._(
                        "%(serial)s is not expected on any open rental pickup or return; set it "
                        "aside and check its order.",
                        serial=lot.display_name,
                    )
                )
        try:
            move_line = self._get_move_line(picking, lot)
        except UserError as error:
            # A serial expected here keeps its own reason (e.g. not available in stock);
            # one expected elsewhere points at its transfer.
            other = (
                self._find_lot_transfer(lot)
                if lot not in self._transfer_lots(picking)
                else self.env["stock.picking"]
            )
            if other and other != picking:
                return self._reply(
                    picking,
                    error=self.env._(
                        "%(serial)s belongs to %(other)s (%(operation)s of %(order)s), not to "
                        "%(picking)s. Validate or leave this transfer, then scan it again.",
                        serial=lot.display_name,
                        other=other.name,
                        operation=self._operation_label(other),
                        order=other.sale_id.name or other.origin or "",
                        picking=picking.name,
                    ),
                    switch_picking_id=other.id,
                )
            return self._reply(picking, error=error.args[0])
        move_line.write({"picked": True, "quantity": 1.0})
        return self._reply(
            picking,
            message=self.env._("%(serial)s scanned.", serial=lot.display_name),
            scanned_lot_id=lot.id,
        )

    @api.model
    def validate_transfer(self, picking_id):
        """Validate the transfer with the serials scanned; the rest stays on a backorder.

        A refusal (risk delivery lock, rights, serial checks) comes back as ``error`` with the
        transfer unchanged; a success carries a ``summary`` of what moved.
        """
        self._check_desk_access()
        picking = self._get_transfer(picking_id)
        if not picking:
            return self._reply(error=self._transfer_gone_message())
        moved = picking.move_line_ids.filtered(lambda ml: ml.picked and ml.quantity)
        if not moved:
            return self._reply(
                picking,
                error=self.env._(
                    "No serial of %(picking)s has been scanned yet; scan the serials handed "
                    "over before validating.",
                    picking=picking.name,
                ),
            )
        lots = moved.lot_id
        try:
            with self.env.cr.savepoint():
                res = picking.with_context(skip_backorder=True).button_validate()
                if res is not True and picking.state != "done":
                    # Another module asked for a wizard: that flow belongs to the form.
                    raise UserError(
                        self.env._(
                            "%(picking)s needs more information before it can be validated; "
                            "open it from the order and validate it there.",
                            picking=picking.name,
                        )
                    )
        except UserError as error:
            self.env.invalidate_all()
            return self._reply(picking, error=error.args[0])
        backorder = self.env["stock.picking"].search(
            [("backorder_id", "=", picking.id), ("state", "not in", CLOSED_STATES)], limit=1
        )
        summary = {
            "picking": picking.name,
            "operation": picking.rental_operation,
            "operation_label": self._operation_label(picking),
            "order": picking.sale_id.name or picking.origin or "",
            "partner": picking.partner_id.display_name or "",
            "serials": sorted(lots.mapped("name")),
            "count": len(lots),
            "backorder": backorder.name or "",
            "backorder_id": backorder.id,
            "left": sorted(self._transfer_lots(backorder).mapped("name")),
        }
        if picking.rental_operation == "pickup":
            message = self.env._(
                "%(count)s serial(s) handed out to %(partner)s on %(order)s.",
                count=summary["count"],
                partner=summary["partner"],
                order=summary["order"],
            )
        else:
            message = self.env._(
                "%(count)s serial(s) taken back from %(partner)s on %(order)s; they wait for "
                "inspection.",
                count=summary["count"],
                partner=summary["partner"],
                order=summary["order"],
            )
        return self._reply(message=message, summary=summary)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    @api.model
    def _check_desk_access(self):
        """The desk is the warehouse's: only Rental Warehouse hands gear out and takes it back."""
        if self.env.su or self.env.user.has_group("rental_risk.rental_risk_group_warehouse"):
            return
        raise AccessError(
            self.env._(
                "Only members of the Rental Warehouse group can scan rental gear out and in; "
                "ask the warehouse team."
            )
        )

    @api.model
    def _reply(self, picking=None, message="", error="", **extra):
        """The answer of every public method: JSON- and XML-RPC-safe values only."""
        return {
            "ok": not error,
            "message": message or "",
            "error": error or "",
            "transfer": self._transfer_state(picking) if picking else {},
            "switch_picking_id": False,
            "scanned_lot_id": False,
            "summary": {},
            **extra,
        }

    @api.model
    def _transfer_state(self, picking):
        """What the desk shows of ``picking``: its order, customer and the serials to scan."""
        picked = picking.move_line_ids.filtered("picked").lot_id
        lines = [
            {
                "lot_id": lot.id,
                "serial": lot.name,
                "product": lot.product_id.display_name,
                "done": lot in picked,
            }
            for lot in self._transfer_lots(picking)
        ]
        return {
            "id": picking.id,
            "name": picking.name,
            "operation": picking.rental_operation,
            "operation_label": self._operation_label(picking),
            "order_id": picking.sale_id.id,
            "order": picking.sale_id.name or picking.origin or "",
            "partner": picking.partner_id.display_name or "",
            "scheduled_date": format_datetime(self.env, picking.scheduled_date)
            if picking.scheduled_date
            else "",
            "lines": lines,
            "done_count": sum(line["done"] for line in lines),
            "total_count": len(lines),
        }

    @api.model
    def _transfer_lots(self, picking):
        """Serials expected on ``picking``: booked for its pickup, or out for its return."""
        wanted = "reserved" if picking.rental_operation == "pickup" else "out"
        moves = picking.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
        bookings = moves.sale_line_id.sudo().rental_booking_ids.filtered(
            lambda b: b.state == wanted
        )
        lots = self.env["stock.lot"].browse(bookings.lot_id.ids) | picking.move_line_ids.lot_id
        return lots.sorted(lambda lot: (lot.product_id.display_name, lot.name))

    @api.model
    def _operation_label(self, picking):
        if picking.rental_operation == "pickup":
            return self.env._("Check Out")
        return self.env._("Check In")

    @api.model
    def _transfer_gone_message(self):
        return self.env._(
            "This transfer is not open any more (validated or cancelled elsewhere); scan a "
            "serial to start again."
        )

    @api.model
    def _get_transfer(self, picking_id):
        """The open rental transfer ``picking_id`` as the user may see it, else empty."""
        if not isinstance(picking_id, int) or isinstance(picking_id, bool):
            return self.env["stock.picking"]
        return self.env["stock.picking"].search(
            [
                ("id", "=", picking_id),
                ("picking_type_id.rental_operation", "!=", False),
                ("state", "not in", CLOSED_STATES),
            ]
        )

    @api.model
    def _find_transfer(self, name):
        """The rental transfer named ``name`` (a transfer's barcode is its name)."""
        return self.env["stock.picking"].search(
            [("name", "=", name), ("picking_type_id.rental_operation", "!=", False)], limit=1
        )

    @api.model
    def _find_lot(self, barcode, picking):
        """The rental serial with label ``barcode`` (rental barcode, else serial number).

        When several serials of different products carry the same number, the one expected
        on ``picking`` wins, then one with an open pickup or return.
        """
        lots = self.env["stock.lot"]._rental_find_by_code(barcode, self.env.companies)
        if len(lots) > 1 and picking:
            lots = (lots & self._transfer_lots(picking)) or lots
        if len(lots) > 1:
            lots = lots.filtered(self._find_lot_transfer) or lots
        return lots[:1]

    @api.model
    def _find_lot_transfer(self, lot):
        """The open rental transfer that moves ``lot`` next: the return of the order it is out
        on, else the pickup of its earliest booking.

        One query from the serial's live bookings to the open transfers of their order lines
        (bookings are read whatever the user's rights, as the desk resolves any serial); the
        transfer found is then searched as the user, so record rules still apply.
        """
        self.env["rental.booking"].flush_model(["lot_id", "state", "order_line_id", "date_start"])
        self.env["stock.move"].flush_model(["sale_line_id", "picking_id"])
        self.env["stock.picking"].flush_model(["state", "picking_type_id"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT picking.id
                  FROM rental_booking booking
                  JOIN stock_move move ON move.sale_line_id = booking.order_line_id
                  JOIN stock_picking picking ON picking.id = move.picking_id
                  JOIN stock_picking_type ptype ON ptype.id = picking.picking_type_id
                 WHERE booking.lot_id = %(lot)s
                   AND booking.state IN ('reserved', 'out')
                   AND booking.order_line_id IS NOT NULL
                   AND picking.state NOT IN %(closed)s
                   AND ptype.rental_operation = CASE WHEN booking.state = 'out' THEN 'return'
                                                     ELSE 'pickup' END
              ORDER BY booking.state != 'out', booking.date_start, booking.id, picking.id
                 LIMIT 1
                """,
                lot=lot.id,
                closed=CLOSED_STATES,
            )
        )
        if not rows:
            return self.env["stock.picking"]
        return self.env["stock.picking"].search([("id", "=", rows[0][0])], limit=1)

    @api.model
    def _get_move_line(self, picking, lot):
        """The move line of ``picking`` for ``lot``; UserError when it must not change."""
        order = picking.sale_id
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
        pickup = picking.rental_operation == "pickup"
        booking = bookings.filtered(lambda b: b.state == ("reserved" if pickup else "out"))[:1]
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
        move_line = picking.move_line_ids.filtered(lambda ml: ml.lot_id == lot)[:1]
        if not move_line:
            move_line = self._add_move_line(picking, lot, booking.order_line_id)
        if move_line.picked:
            raise UserError(
                self.env._(
                    "%(serial)s has already been scanned on %(picking)s.",
                    serial=lot.display_name,
                    picking=picking.name,
                )
            )
        return move_line

    @api.model
    def _add_move_line(self, picking, lot, order_line):
        """Reserve ``lot`` on ``picking`` when its move did not reserve it (e.g. not on hand)."""
        move = picking.move_ids.filtered(
            lambda m: m.sale_line_id == order_line and m.state not in ("done", "cancel")
        )[:1]
        if not move:
            raise UserError(
                self.env._(
                    "%(serial)s is not expected on %(picking)s; scan it on its own transfer.",
                    serial=lot.display_name,
                    picking=picking.name,
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
                    picking=picking.name,
                )
            )
        return self.env["stock.move.line"].create(
            move._prepare_move_line_vals(quantity=1, reserved_quant=quant)
        )
