from odoo import fields, models


class RentalProductAccessory(models.Model):
    _name = "rental.product.accessory"
    _description = "Rental Product Accessory"
    _order = "product_tmpl_id, sequence, id"
    _sql_constraints = [
        (
            "value_positive",
            "CHECK (value >= 0)",
            "An accessory's value cannot be negative; use 0 for an accessory of no value.",
        ),
    ]

    product_tmpl_id = fields.Many2one(
        "product.template", string="Product", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Accessory", required=True, translate=True)
    currency_id = fields.Many2one(related="product_tmpl_id.currency_id")
    value = fields.Monetary(help="Charged to the customer when the accessory is not returned.")
