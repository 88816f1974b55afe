from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL


class RentalStockCount(models.Model):
    """A count of the rental gear on a shelf: the serials the books put there, against those
    scanned there. Missing serials become loss candidates for a Risk Manager to decide."""

    _name = "rental.stock.count"
    _description = "Rental Stock Count"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "barcodes.barcode_events_mixin",
        "rental.risk.protected.mixin",
    ]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, default="/", copy=False)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, default=lambda self: self.env.company
    )
    location_id = fields.Many2one(
        "stock.location",
        string="Counted Location",
        required=True,
        check_company=True,
        domain="[('usage', '=', 'internal')]",
        default=lambda self: self._default_location(),
        tracking=True,
        help="The shelf, room or warehouse counted (its sub-locations included).",
    )
    product_ids = fields.Many2many(
        "product.product",
        string="Products",
        domain="[('rental_ok', '=', True), ('tracking', '=', 'serial')]",
        help="Count only these rental products; leave empty to count them all.",
    )
    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    user_id = fields.Many2one(
        "res.users", string="Counted By", default=lambda self: self.env.user, readonly=True
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("counting", "Counting"),
            ("done", "Done"),
            ("cancel", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        copy=False,
    )
    line_ids = fields.One2many("rental.stock.count.line", "count_id", string="Serials")
    last_scan_message = fields.Char(readonly=True, copy=False)
    expected_count = fields.Integer(compute="_compute_counts")
    found_count = fields.Integer(compute="_compute_counts")
    missing_count = fields.Integer(compute="_compute_counts")
    unexpected_count = fields.Integer(compute="_compute_counts")

    # ------------------------------------------------------------------
    # Defaults and computes
    # ------------------------------------------------------------------

    @api.model
    def _default_location(self):
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )
        return warehouse.lot_stock_id

    @api.depends("line_ids.expected", "line_ids.found", "line_ids.result")
    def _compute_counts(self):
        for count in self:
            lines = count.line_ids
            count.expected_count = len(lines.filtered("expected"))
            count.found_count = len(lines.filtered("found"))
            count.missing_count = len(lines.filtered(lambda line: line.result == "missing"))
            count.unexpected_count = len(
                lines.filtered(lambda line: line.result in ("unexpected", "wrong_place"))
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].sudo().next_by_code("rental.stock.count") or "/"
                )
        return super().create(vals_list)

    def write(self, vals):
        # What was counted, where, for which company and under which reference is the record
        # of the count: fixed once it starts (the result itself is a protected field).
        if {"location_id", "product_ids", "company_id", "name"} & vals.keys() and any(
            count.state != "draft" for count in self
        ):
            raise UserError(
                self.env._(
                    "The reference, company, location and products of a count are fixed once "
                    "it has started; cancel it and start a new count."
                )
            )
        return super().write(vals)

    def _rental_protected_fields(self):
        sentence = self.env._(
            "A count moves on with Start, the scanner and Close only; what was found is what "
            "was scanned."
        )
        return dict.fromkeys(
            ("state", "line_ids", "last_scan_message", "date", "user_id"), sentence
        )

    def _rental_write_count(self, vals):
        """Write what the count's own steps change (behind the protected-fields guard; the
        lines are the count's, not the user's to edit)."""
        with self.env["rental.risk.decision"]._open_guard():
            return self.sudo().write(vals)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_start(self):
        """List the serials the books put in the counted location, then scan the shelf."""
        self._rental_ensure_one()
        self._check_counting_rights()
        if self.state != "draft":
            raise UserError(self.env._("This count has already started."))
        lots = self._expected_lots()
        self._rental_write_count(
            {
                "state": "counting",
                "date": fields.Datetime.now(),
                "line_ids": [
                    Command.create(
                        {
                            "lot_id": lot_id,
                            "expected": True,
                            "book_location_id": location_id,
                            "book_state": state,
                        }
                    )
                    for lot_id, location_id, state in lots
                ],
            }
        )
        return True

    def action_scan(self, barcode):
        """Record one scanned serial (RPC and the form's scanner): a dict saying what it was,
        {"status": "found"|"unexpected"|"again"|"ignored"|"unknown", "message": ...}."""
        self._rental_ensure_one()
        self._check_counting_rights()
        if self.state != "counting":
            raise UserError(self.env._("Start the count before scanning serials."))
        code = (barcode or "").strip() if isinstance(barcode, str) else ""
        lot = (
            self.env["stock.lot"]._rental_find_by_code(code, self.company_id, limit=1)
            if code
            else None
        )
        if not lot:
            result = {
                "status": "unknown",
                "message": self.env._(
                    "%(code)s is no rental serial of %(company)s; check the label.",
                    code=code or "?",
                    company=self.company_id.name,
                ),
            }
        elif self.product_ids and lot.product_id not in self.product_ids:
            result = {
                "status": "ignored",
                "message": self.env._(
                    "%(serial)s (%(product)s) is not one of the products of this count.",
                    serial=lot.name,
                    product=lot.product_id.display_name,
                ),
            }
        else:
            result = self._record_found(lot)
        self._rental_write_count({"last_scan_message": result["message"]})
        return result

    def on_barcode_scanned(self, barcode):
        self.action_scan(barcode)

    def action_done(self):
        """Close the count: the results are final; each missing serial becomes a loss
        candidate with an activity for the Risk Managers (find it, or mark it lost)."""
        self._rental_ensure_one()
        self._check_counting_rights()
        if self.state != "counting":
            raise UserError(self.env._("Only a count in progress can be closed."))
        self._rental_write_count({"state": "done"})
        missing = self.line_ids.filtered(lambda line: line.result == "missing")
        missing._flag_loss_candidates()
        self.message_post(
            body=self.env._(
                "Count closed: %(expected)s serials expected, %(found)s found, %(missing)s "
                "missing, %(unexpected)s unexpected or in the wrong place.",
                expected=self.expected_count,
                found=self.found_count,
                missing=self.missing_count,
                unexpected=self.unexpected_count,
            )
        )
        return True

    def action_cancel(self):
        self._rental_ensure_one()
        self._check_counting_rights()
        if self.state == "done":
            raise UserError(self.env._("A closed count is kept as it is; start a new one."))
        self._rental_write_count({"state": "cancel"})
        return True

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _check_counting_rights(self):
        if not self.env.user.has_group("rental_risk.rental_risk_group_warehouse"):
            raise UserError(
                self.env._("Only members of the Rental Warehouse group count the rental stock.")
            )

    def _expected_lots(self):
        """(lot id, location id, rental state) of the rental serials on the books in the
        counted location and its sub-locations: one query on the quants."""
        self.ensure_one()
        self.env["stock.quant"].flush_model(["lot_id", "location_id", "quantity"])
        self.env["stock.lot"].flush_model(["rental_state", "product_id"])
        product_filter = (
            SQL("AND lot.product_id = ANY(%s)", self.product_ids.ids) if self.product_ids else SQL()
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT ON (lot.id) lot.id, q.location_id, lot.rental_state
                  FROM stock_quant q
                  JOIN stock_location loc ON loc.id = q.location_id
                  JOIN stock_lot lot ON lot.id = q.lot_id
                  JOIN product_product pp ON pp.id = lot.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                 WHERE loc.parent_path LIKE %(path)s
                   AND q.quantity > 0
                   AND pt.rental_ok
                   AND lot.company_id = %(company)s
                   %(product_filter)s
                 ORDER BY lot.id, q.quantity DESC
                """,
                path=f"{self.location_id.parent_path}%",
                company=self.company_id.id,
                product_filter=product_filter,
            )
        )
        return self.env.cr.fetchall()

    def _record_found(self, lot):
        line = self.line_ids.filtered(lambda count_line: count_line.lot_id == lot)
        if line.found:
            return {
                "status": "again",
                "message": self.env._("%(serial)s is already counted.", serial=lot.name),
            }
        if line:
            line.sudo().found = True
            return {
                "status": "found",
                "message": self.env._("%(serial)s found.", serial=lot.name),
            }
        quant = self.env["stock.quant"].search(
            [("lot_id", "=", lot.id), ("quantity", ">", 0)], order="quantity desc", limit=1
        )
        self._rental_write_count(
            {
                "line_ids": [
                    Command.create(
                        {
                            "lot_id": lot.id,
                            "expected": False,
                            "found": True,
                            "book_location_id": quant.location_id.id,
                            "book_state": lot.rental_state,
                        }
                    )
                ]
            }
        )
        return {
            "status": "unexpected",
            "message": self.env._(
                "%(serial)s is not on the books here (books: %(where)s, %(state)s).",
                serial=lot.name,
                where=quant.location_id.display_name or self.env._("no stock"),
                state=dict(lot._fields["rental_state"]._description_selection(self.env)).get(
                    lot.rental_state, ""
                ),
            ),
        }
