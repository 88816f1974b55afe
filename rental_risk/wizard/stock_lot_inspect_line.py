from odoo import fields, models


class StockLotInspectLine(models.TransientModel):
    _name = "stock.lot.inspect.line"
    _description = "Accessory Check of a Return Inspection"

    wizard_id = fields.Many2one("stock.lot.inspect", required=True, ondelete="cascade")
    accessory_id = fields.Many2one(
        "rental.product.accessory", string="Product Accessory", readonly=True
    )
    name = fields.Char(string="Accessory", required=True)
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    value = fields.Monetary(currency_field="currency_id")
    present = fields.Boolean(string="Returned", default=True)
