from odoo import fields, models


class RentalInspectionLine(models.Model):
    _name = "rental.inspection.line"
    _description = "Rental Inspection Accessory Check"
    _order = "inspection_id, id"

    inspection_id = fields.Many2one(
        "rental.inspection", required=True, index=True, ondelete="cascade"
    )
    accessory_id = fields.Many2one(
        "rental.product.accessory", string="Product Accessory", ondelete="set null"
    )
    name = fields.Char(string="Accessory", required=True)
    currency_id = fields.Many2one(related="inspection_id.currency_id")
    value = fields.Monetary()
    present = fields.Boolean(string="Returned")
