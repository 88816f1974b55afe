from odoo import api, fields, models


class RentalStockCountLine(models.Model):
    """One serial of a stock count: where the books put it, and whether it was found."""

    _name = "rental.stock.count.line"
    _description = "Rental Stock Count Line"
    _order = "result, lot_id"

    count_id = fields.Many2one("rental.stock.count", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="count_id.company_id", store=True)
    lot_id = fields.Many2one("stock.lot", string="Serial", required=True, readonly=True)
    product_id = fields.Many2one(related="lot_id.product_id", store=True)
    expected = fields.Boolean(
        readonly=True, help="The books put this serial in the counted location."
    )
    found = fields.Boolean(readonly=True, help="The serial was scanned in the counted location.")
    book_location_id = fields.Many2one(
        "stock.location", string="Location on the Books", readonly=True
    )
    book_state = fields.Selection(
        selection="_selection_book_state",
        string="Status on the Books",
        readonly=True,
        help="The serial's rental status when it was counted.",
    )
    result = fields.Selection(
        [
            ("missing", "Missing"),
            ("wrong_place", "In the Wrong Place"),
            ("unexpected", "Unexpected"),
            ("to_count", "To Count"),
            ("ok", "Found"),
        ],
        compute="_compute_result",
        store=True,
    )
    loss_candidate = fields.Boolean(
        readonly=True,
        help="Missing when the count was closed: a Risk Manager finds it or marks it lost.",
    )

    @api.model
    def _selection_book_state(self):
        return self.env["stock.lot"]._fields["rental_state"]._description_selection(self.env)

    @api.depends("expected", "found", "book_location_id", "count_id.state")
    def _compute_result(self):
        for line in self:
            if line.expected and line.found:
                line.result = "ok"
            elif line.expected:
                line.result = "missing" if line.count_id.state == "done" else "to_count"
            elif line.book_location_id.usage == "internal" and line.book_state not in (
                "out",
                "lost",
            ):
                # On a shelf of the company by the books, but another one.
                line.result = "wrong_place"
            else:
                line.result = "unexpected"

    def _flag_loss_candidates(self):
        """Missing serials: a loss candidate each, with an activity for a Risk Manager."""
        self.sudo().loss_candidate = True
        manager = self.env.ref("rental_risk.rental_risk_group_manager").users[:1]
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        for line in self:
            line.lot_id.sudo().activity_schedule(
                activity_type_id=activity_type.id,
                summary=self.env._("Missing at stock count %(count)s", count=line.count_id.name),
                note=self.env._(
                    "%(serial)s was not found in %(location)s. Find it, or mark it lost.",
                    serial=line.lot_id.name,
                    location=line.count_id.location_id.display_name,
                ),
                user_id=(manager or self.env.user).id,
            )
