from odoo import api, fields, models


class MaintenanceRequest(models.Model):
    """A maintenance request of a rental serial: preventive (opened by a plan, with the booking
    that blocks the serial for the work) or a repair (a fault reported by a customer from the
    serial's QR code, or entered by the staff)."""

    _name = "maintenance.request"
    _inherit = ["maintenance.request", "rental.risk.protected.mixin"]

    rental_lot_id = fields.Many2one(
        "stock.lot",
        string="Rental Serial",
        index="btree_not_null",
        check_company=True,
        domain="[('rental_ok', '=', True)]",
        tracking=True,
    )
    rental_order_id = fields.Many2one(
        "sale.order",
        index="btree_not_null",
        readonly=True,
        copy=False,
        help="The rental the serial was out on when the fault was reported.",
    )
    rental_plan_id = fields.Many2one(
        "rental.maintenance.plan",
        string="Maintenance Plan",
        index="btree_not_null",
        readonly=True,
        copy=False,
        ondelete="set null",
    )
    rental_counter_at = fields.Integer(
        string="Counter at Request",
        readonly=True,
        copy=False,
        help="The serial's usage counter when the plan opened the request: the next "
        "usage interval counts from it.",
    )
    rental_booking_id = fields.Many2one(
        "rental.booking",
        string="Maintenance Window",
        readonly=True,
        copy=False,
        help="The booking that keeps the serial from being rented during the work.",
    )
    rental_took_out = fields.Boolean(
        string="Took the Serial Out",
        readonly=True,
        copy=False,
        help="The maintenance window put the serial in repair: finishing the request puts it "
        "back on the shelf.",
    )
    rental_currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    rental_cost = fields.Monetary(
        string="Cost",
        currency_field="rental_currency_id",
        tracking=True,
        help="Parts and labour of this maintenance or repair.",
    )
    rental_via_qr = fields.Boolean(
        string="Reported by QR Code", readonly=True, copy=False, index=True
    )
    rental_reporter_ip = fields.Char(
        string="Reporter IP Address",
        readonly=True,
        copy=False,
        groups="rental_risk.rental_risk_group_manager",
        help="Kept to limit how many reports one address can make.",
    )
    rental_fix_confirmed_on = fields.Datetime(
        string="Fix Confirmed On",
        readonly=True,
        copy=False,
        tracking=True,
        help="When the customer confirmed, from the asset's page, that the fault is fixed.",
    )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    def write(self, vals):
        # Finished, or cancelled (archived): either way the serial is not worked on any more.
        finishing = self.browse()
        if "stage_id" in vals and self.env["maintenance.stage"].browse(vals["stage_id"]).done:
            finishing = self.filtered(lambda r: not r.stage_id.done)
        if vals.get("archive"):
            finishing |= self.filtered(lambda r: not r.archive)
        res = super().write(vals)
        if finishing:
            finishing._rental_release()
        return res

    def _rental_protected_fields(self):
        set_by_flow = self.env._(
            "Preventive plans, maintenance windows and the asset's public page set this; "
            "change the stage of the request instead."
        )
        return {
            **super()._rental_protected_fields(),
            **dict.fromkeys(
                (
                    "rental_order_id",
                    "rental_plan_id",
                    "rental_counter_at",
                    "rental_booking_id",
                    "rental_took_out",
                    "rental_via_qr",
                    "rental_reporter_ip",
                    "rental_fix_confirmed_on",
                ),
                set_by_flow,
            ),
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    @api.model
    def _rental_open_domain(self):
        return [("stage_id.done", "=", False), ("archive", "=", False)]

    @api.model
    def _rental_start_due_windows(self):
        """Put in repair the available serials whose maintenance window has started."""
        now = fields.Datetime.now()
        requests = self.sudo().search(
            [
                *self._rental_open_domain(),
                ("rental_took_out", "=", False),
                ("rental_booking_id.state", "!=", "cancelled"),
                ("rental_booking_id.date_start", "<=", now),
                ("rental_booking_id.date_end", ">", now),
                ("rental_lot_id.rental_state", "=", "available"),
            ]
        )
        if not requests:
            return requests
        with self.env["rental.risk.decision"]._open_guard():
            requests.rental_lot_id._rental_write_life_cycle({"rental_state": "repair"})
            requests.write({"rental_took_out": True})
        return requests

    def _rental_let_technician_see_equipment(self):
        """Make the technician of each request a follower of its equipment: the Maintenance
        app shows an employee only the equipment they follow, and the request cannot be
        handled without reading it."""
        for request in self.sudo().filtered(lambda r: r.user_id and r.equipment_id):
            request.equipment_id.message_subscribe(partner_ids=request.user_id.partner_id.ids)

    def _rental_release(self):
        """A finished request frees its serial: its maintenance window is cancelled and a
        serial it put in repair goes back on the shelf, unless another open request keeps it
        there."""
        requests = self.sudo()
        windows = requests.rental_booking_id.filtered(lambda b: b.state == "reserved")
        windows.action_cancel()
        taken = requests.filtered("rental_took_out").rental_lot_id.filtered(
            lambda lot: lot.rental_state == "repair"
        )
        if not taken:
            return
        still = self.sudo().search(
            [
                *self._rental_open_domain(),
                ("rental_took_out", "=", True),
                ("rental_lot_id", "in", taken.ids),
                ("id", "not in", requests.ids),
            ]
        )
        (taken - still.rental_lot_id)._rental_write_life_cycle({"rental_state": "available"})
