from odoo import fields, models


class ProductTemplate(models.Model):
    # Accessory checklist of rental products (issue 6); kept apart from product_template.py.
    _inherit = "product.template"

    rental_accessory_ids = fields.One2many(
        "rental.product.accessory",
        "product_tmpl_id",
        string="Accessories",
        help="Checked at every return inspection; a missing one is claimed at its value.",
    )
