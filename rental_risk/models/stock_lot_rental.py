from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_datetime

from ..engine.bounds import MAX_AMOUNT, is_amount

# States in which a serial is never offered for a new booking: it is not on the shelf in a
# rentable condition, or not in the fleet any more.
UNAVAILABLE_STATES = ("inspection", "repair", "lost", "retired")


class StockLot(models.Model):
    _name = "stock.lot"
    _inherit = ["stock.lot", "rental.risk.protected.mixin"]

    _sql_constraints = [
        (
            "rental_barcode_company_uniq",
            "unique (company_id, rental_barcode)",
            "This rental barcode is already used by another asset of the same company; "
            "scan or type a barcode that is unique within the company.",
        ),
    ]

    rental_ok = fields.Boolean(
        string="Rental Asset",
        related="product_id.product_tmpl_id.rental_ok",
        store=True,
        index=True,
    )
    rental_state = fields.Selection(
        [
            ("available", "Available"),
            ("reserved", "Reserved"),
            ("out", "Out"),
            ("inspection", "Returned, awaiting inspection"),
            ("repair", "In repair"),
            ("lost", "Lost"),
            ("retired", "Retired"),
        ],
        string="Rental Status",
        default="available",
        required=True,
        index=True,
        tracking=True,
        copy=False,
        group_expand=True,  # the kanban shows every state, empty ones included
    )
    rental_currency_id = fields.Many2one("res.currency", compute="_compute_rental_currency_id")
    rental_replacement_value = fields.Monetary(
        string="Replacement Value",
        currency_field="rental_currency_id",
        tracking=True,
        help="What it costs to replace this unit; defaults to the product's replacement value.",
    )
    rental_acquisition_date = fields.Date(string="Acquired On")
    rental_condition = fields.Selection(
        [("new", "New"), ("good", "Good"), ("fair", "Fair"), ("poor", "Poor")],
        string="Condition",
        tracking=True,
    )
    rental_reading_ids = fields.One2many(
        "rental.asset.reading",
        "lot_id",
        string="Usage Readings",
        groups="rental_risk.rental_risk_group_user,rental_risk.rental_risk_group_warehouse",
    )
    rental_reading_count = fields.Integer(
        string="Readings Count", compute="_compute_rental_reading_count"
    )
    rental_usage_counter = fields.Integer(
        string="Usage Counter",
        compute="_compute_rental_usage_counter",
        store=True,
        help="Last usage reading recorded (shutter count, lamp hours, ...).",
    )
    rental_partner_id = fields.Many2one(
        "res.partner", string="Current Customer", index="btree_not_null", readonly=True, copy=False
    )
    rental_order_id = fields.Many2one(
        "sale.order", string="Current Order", index="btree_not_null", readonly=True, copy=False
    )
    rental_handover_id = fields.Many2one(
        "rental.handover",
        string="Last Handover",
        readonly=True,
        copy=False,
        help="The last check-out or return of the asset: where it went, and to whom.",
    )
    rental_site_id = fields.Many2one(
        "res.partner",
        string="Site",
        compute="_compute_rental_custody",
        help="Where the asset is with the customer (the order's delivery address).",
    )
    rental_custodian = fields.Char(
        string="Custodian",
        compute="_compute_rental_custody",
        help="Who took the asset at its last check-out.",
    )
    rental_barcode = fields.Char(
        copy=False,
        help="Barcode on the asset's label; defaults to the serial number.",
    )
    rental_booking_ids = fields.One2many(
        "rental.booking",
        "lot_id",
        string="Bookings",
        groups="rental_risk.rental_risk_group_user,rental_risk.rental_risk_group_warehouse",
    )
    rental_booking_count = fields.Integer(
        string="Bookings Count", compute="_compute_rental_booking_count"
    )
    rental_move_line_count = fields.Integer(
        string="Pickups & Returns Count", compute="_compute_rental_move_line_count"
    )

    def init(self):
        res = super().init()
        # "Which serials of this product are free?" (every availability check) reads the
        # product's serials in serial-number order with their company and state: this index
        # gives them in that order without visiting the table (half the time of the check at
        # 2,000 serials per product).
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS stock_lot_rental_product_name_index
                ON stock_lot (product_id, name, id) INCLUDE (company_id, rental_state)
            """
        )
        return res

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("company_id")
    @api.depends_context("company")
    def _compute_rental_currency_id(self):
        for lot in self:
            lot.rental_currency_id = (lot.company_id or self.env.company).currency_id

    @api.depends("rental_reading_ids")
    def _compute_rental_reading_count(self):
        # Counted as superuser: inventory users without rental groups open serials too.
        counts = dict(
            self.env["rental.asset.reading"]
            .sudo()
            ._read_group([("lot_id", "in", self.ids)], ["lot_id"], ["__count"])
        )
        for lot in self:
            lot.rental_reading_count = counts.get(lot._origin, 0)

    @api.depends("rental_reading_ids.value", "rental_reading_ids.date")
    def _compute_rental_usage_counter(self):
        for lot in self:
            readings = lot.sudo().rental_reading_ids.sorted(lambda r: (r.date, r.id or 0))
            lot.rental_usage_counter = readings[-1:].value or 0

    @api.depends("rental_handover_id", "rental_state")
    def _compute_rental_custody(self):
        for lot in self:
            handover = lot.sudo().rental_handover_id
            out = lot.rental_state == "out" and handover.operation == "pickup"
            lot.rental_site_id = handover.site_id if out else False
            lot.rental_custodian = (
                (handover.received_by or handover.partner_id.name) if out else False
            )

    def _compute_rental_booking_count(self):
        counts = dict(
            self.env["rental.booking"]
            .sudo()
            ._read_group([("lot_id", "in", self.ids)], ["lot_id"], ["__count"])
        )
        for lot in self:
            lot.rental_booking_count = counts.get(lot._origin, 0)

    def _compute_rental_move_line_count(self):
        counts = dict(
            self.env["stock.move.line"]._read_group(
                self._get_rental_move_line_domain(), ["lot_id"], ["__count"]
            )
        )
        for lot in self:
            lot.rental_move_line_count = counts.get(lot._origin, 0)

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

    @api.constrains("rental_replacement_value")
    def _check_rental_replacement_value(self):
        for lot in self:
            if not is_amount(lot.rental_replacement_value):
                raise ValidationError(
                    self.env._(
                        "The replacement value of %(serial)s must be between 0 and %(max)s.",
                        serial=lot.display_name,
                        max=f"{MAX_AMOUNT:,.0f}",
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        self._rental_check_value_types(vals_list)
        products = self.env["product.product"].browse(
            {vals["product_id"] for vals in vals_list if vals.get("product_id")}
        )
        rental_products = {product.id: product for product in products if product.rental_ok}
        for vals in vals_list:
            product = rental_products.get(vals.get("product_id"))
            if not product:
                continue
            if "rental_replacement_value" not in vals:
                vals["rental_replacement_value"] = product.rental_replacement_value
            if not vals.get("rental_barcode") and vals.get("name"):
                vals["rental_barcode"] = vals["name"]
        self._rental_drop_taken_default_barcodes(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._rental_check_value_types([vals])
        return super().write(vals)

    def _rental_protected_fields(self):
        """{field: what to do instead} of the serial fields nobody writes directly."""
        life_cycle = self.env._(
            "An asset moves through its life cycle with pickups, returns, inspections and its "
            "buttons (Mark Available, Send to Repair, Mark Lost, Retire)."
        )
        return dict.fromkeys(
            ("rental_state", "rental_partner_id", "rental_order_id", "rental_handover_id"),
            life_cycle,
        )

    def _rental_drop_taken_default_barcodes(self, vals_list):
        """Forget a defaulted barcode already used in the company instead of failing the create.

        Serial numbers are unique per product, barcodes per company: two products may share a
        serial, and the second lot then gets no default barcode rather than an error.
        """
        defaulted = [
            v for v in vals_list if v.get("rental_barcode") and v["rental_barcode"] == v.get("name")
        ]
        if not defaulted:
            return
        taken = {
            (lot.company_id.id, lot.rental_barcode)
            for lot in self.sudo().search(
                [("rental_barcode", "in", [v["rental_barcode"] for v in defaulted])]
            )
        }
        seen = set()
        for vals in defaulted:
            company_id = vals.get("company_id") or self.env.company.id
            key = (company_id, vals["rental_barcode"])
            if key in taken or key in seen:
                vals.pop("rental_barcode")
            seen.add(key)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_rental_mark_available(self):
        """Put inspected, repaired or found assets back on the shelf (Rental Warehouse)."""
        self._rental_check_group("rental_risk.rental_risk_group_warehouse")
        self._rental_check_transition(
            ("inspection", "repair", "lost", "reserved"),
            self.env._("mark it available"),
        )
        self._rental_write_life_cycle({"rental_state": "available"})
        return True

    def action_rental_send_to_repair(self):
        """Take assets out of the rentable fleet until repaired (Rental Warehouse)."""
        self._rental_check_group("rental_risk.rental_risk_group_warehouse")
        self._rental_check_transition(("available", "inspection"), self.env._("send it to repair"))
        self._rental_write_life_cycle({"rental_state": "repair"})
        return True

    def action_rental_mark_lost(self):
        """Record assets as lost, e.g. not returned by the customer (Risk Manager): out of
        stock, and a loss claim on the customer who has them, at the (depreciated) replacement
        value."""
        self._rental_check_group("rental_risk.rental_risk_group_manager")
        self._rental_check_transition(
            ("available", "reserved", "out", "inspection", "repair"),
            self.env._("mark it lost"),
        )
        holders = {lot.id: (lot.rental_partner_id, lot.rental_order_id) for lot in self}
        self.sudo()._rental_write_life_cycle({"rental_state": "lost"})
        # A lost asset lowers the credit score of the customer who had it.
        customers = self.sudo().rental_partner_id
        if customers:
            customers._rental_risk_rescore()
        Claim = self.env["rental.damage.claim"]
        for lot in self:
            move = lot.sudo()._rental_move_stock_to_loss()
            partner, order = holders[lot.id]
            # Only a customer who picked the asset up can be charged for it.
            if partner and Claim._rental_customer_rented(lot, partner, order):
                lot._rental_create_loss_claim(partner, order, move)
        return True

    def action_rental_retire(self):
        """Remove assets from the fleet for good (Risk Manager)."""
        self._rental_check_group("rental_risk.rental_risk_group_manager")
        self._rental_check_transition(
            ("available", "inspection", "repair", "lost"), self.env._("retire it")
        )
        upcoming = (
            self.env["rental.booking"]
            .sudo()
            .search(
                [
                    ("lot_id", "in", self.ids),
                    ("state", "in", ("reserved", "out")),
                    ("date_end", ">", fields.Datetime.now()),
                ],
                limit=1,
            )
        )
        if upcoming:
            raise UserError(
                self.env._(
                    "The asset %(serial)s is still booked from %(start)s to %(end)s. Cancel the "
                    "booking or move it to another serial before retiring the asset.",
                    serial=upcoming.lot_id.display_name,
                    start=format_datetime(self.env, upcoming.date_start),
                    end=format_datetime(self.env, upcoming.date_end),
                )
            )
        self.sudo()._rental_write_life_cycle({"rental_state": "retired"})
        return True

    def action_rental_open_bookings(self):
        self._rental_ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("rental_risk.rental_booking_action")
        action["domain"] = [("lot_id", "=", self.id)]
        action["context"] = {"default_lot_id": self.id}
        action["view_mode"] = "list,calendar,form"
        action["views"] = [(False, "list"), (False, "calendar"), (False, "form")]
        return action

    def action_rental_open_move_lines(self):
        self._rental_ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Pickups & Returns of %(serial)s", serial=self.display_name),
            "res_model": "stock.move.line",
            "view_mode": "list,form",
            "views": [(self.env.ref("stock.view_move_line_tree").id, "list"), (False, "form")],
            "domain": self._get_rental_move_line_domain(),
            "context": {"create": False},
        }

    def action_rental_open_readings(self):
        self._rental_ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "rental_risk.rental_asset_reading_action"
        )
        action["domain"] = [("lot_id", "=", self.id)]
        action["context"] = {"default_lot_id": self.id}
        return action

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _get_rental_move_line_domain(self):
        """Done stock moves of these serials: the pickup and return history."""
        return [("lot_id", "in", self.ids), ("state", "=", "done")]

    @api.model
    def _rental_find_by_code(self, code, companies, limit=None):
        """The rental serials of ``companies`` (or of no company) whose rental barcode, else
        whose serial number, is ``code`` (serial numbers are unique per product only: several
        products may share one)."""
        domain = [("rental_ok", "=", True), ("company_id", "in", [*companies.ids, False])]
        return self.search([*domain, ("rental_barcode", "=", code)], limit=limit) or self.search(
            [*domain, ("name", "=", code)], limit=limit
        )

    def _rental_check_group(self, group_xmlid):
        if self.env.su or self.env.user.has_group(group_xmlid):
            return
        group = self.env.ref(group_xmlid)
        raise UserError(
            self.env._(
                "Only members of the group '%(group)s' can change the rental status of an asset; "
                "ask one of them to do it.",
                group=group.sudo().full_name,
            )
        )

    def _rental_check_transition(self, allowed_states, what):
        states = dict(self._fields["rental_state"]._description_selection(self.env))
        for lot in self:
            if not lot.rental_ok:
                raise UserError(
                    self.env._(
                        "The serial %(serial)s is not a rental asset: its product is not marked "
                        "'Can be Rented'.",
                        serial=lot.display_name,
                    )
                )
            if lot.rental_state not in allowed_states:
                raise UserError(
                    self.env._(
                        "You cannot %(what)s: the asset %(serial)s is %(state)s. "
                        "This is possible only for an asset that is %(allowed)s.",
                        what=what,
                        serial=lot.display_name,
                        state=states[lot.rental_state],
                        allowed=", ".join(states[s] for s in allowed_states),
                    )
                )

    def _rental_set_out(self, order):
        """Mark the serials as out with the customer of ``order`` (called on pickup)."""
        self._rental_check_transition(("available", "reserved"), self.env._("hand it out"))
        self._rental_write_life_cycle(
            {
                "rental_state": "out",
                "rental_partner_id": order.partner_id.id,
                "rental_order_id": order.id,
            }
        )

    def _rental_set_returned(self):
        """Mark the serials as back from the customer, to be inspected (called on return)."""
        self._rental_check_transition(("out", "lost"), self.env._("take it back"))
        self._rental_write_life_cycle(
            {"rental_state": "inspection", "rental_partner_id": False, "rental_order_id": False}
        )

    def _rental_write_life_cycle(self, vals):
        """Move the serials in their life cycle: their own actions, pickups, returns and
        inspections alone do (the exposure counts the gear out with each customer)."""
        with self.env["rental.risk.decision"]._open_guard():
            return self.write(vals)

    def _rental_record_reading(self, value, date=None, note=None):
        """Record a usage reading on each serial; readings may never decrease."""
        return self.env["rental.asset.reading"].create(
            [
                {
                    "lot_id": lot.id,
                    "value": value,
                    "date": date or fields.Datetime.now(),
                    "note": note,
                }
                for lot in self
            ]
        )
