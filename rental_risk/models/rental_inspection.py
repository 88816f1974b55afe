from odoo import api, fields, models


class RentalInspection(models.Model):
    _name = "rental.inspection"
    _inherit = ["mail.thread"]
    _description = "Rental Return Inspection"
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    lot_id = fields.Many2one(
        "stock.lot", string="Asset", required=True, index=True, readonly=True, check_company=True
    )
    product_id = fields.Many2one(related="lot_id.product_id", store=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    order_id = fields.Many2one("sale.order", readonly=True, index="btree_not_null")
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True, index=True)
    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    user_id = fields.Many2one(
        "res.users", string="Inspected By", default=lambda self: self.env.user, readonly=True
    )
    condition = fields.Selection(
        [("new", "New"), ("good", "Good"), ("fair", "Fair"), ("poor", "Poor")],
        required=True,
        readonly=True,
    )
    outcome = fields.Selection(
        [
            ("fine", "Fine"),
            ("damaged", "Damaged"),
            ("missing", "Missing Accessories"),
            ("damaged_missing", "Damaged, Missing Accessories"),
        ],
        required=True,
        readonly=True,
    )
    notes = fields.Text(readonly=True)
    counter_reading = fields.Integer(string="Usage Counter", readonly=True)
    attachment_ids = fields.Many2many(
        "ir.attachment",
        "rental_inspection_attachment_rel",
        "inspection_id",
        "attachment_id",
        string="Photos",
        readonly=True,
    )
    line_ids = fields.One2many(
        "rental.inspection.line", "inspection_id", string="Accessories", readonly=True
    )
    claim_ids = fields.One2many("rental.damage.claim", "inspection_id", string="Claims")

    @api.depends("lot_id", "date")
    def _compute_name(self):
        for inspection in self:
            inspection.name = self.env._(
                "Inspection of %(serial)s", serial=inspection.lot_id.name or ""
            )
