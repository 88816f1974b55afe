from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    rental_insurance_ok = fields.Boolean(
        string="Rental Insurance",
        help="Selling this product insures the gear of the order: it meets a risk rule's "
        "insurance requirement.",
    )
