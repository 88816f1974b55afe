from odoo import api, fields, models
from odoo.exceptions import ValidationError


class RentalKitLine(models.Model):
    _name = "rental.kit.line"
    _description = "Rental Kit Component"
    _order = "kit_tmpl_id, sequence, id"
    _sql_constraints = [
        (
            "quantity_positive",
            "CHECK (quantity >= 1)",
            "A kit holds at least one unit of each of its components.",
        ),
        (
            "component_unique",
            "UNIQUE (kit_tmpl_id, product_id)",
            "A component appears once per kit; raise its quantity instead.",
        ),
    ]

    kit_tmpl_id = fields.Many2one(
        "product.template", string="Kit", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=10)
    product_id = fields.Many2one(
        "product.product",
        string="Component",
        required=True,
        index=True,
        ondelete="restrict",
        domain="[('rental_ok', '=', True), ('tracking', '=', 'serial')]",
        help="A rental product tracked by serial number: each unit of the kit books, hands out "
        "and takes back one of its serials.",
    )
    quantity = fields.Integer(default=1, required=True, help="Units of the component per kit.")
    currency_id = fields.Many2one(related="product_id.currency_id")
    replacement_value = fields.Monetary(
        related="product_id.rental_replacement_value", string="Replacement Value"
    )

    @api.constrains("product_id", "kit_tmpl_id")
    def _check_component(self):
        for line in self:
            product = line.product_id
            if product.product_tmpl_id == line.kit_tmpl_id or product.rental_kit_line_ids:
                raise ValidationError(
                    self.env._(
                        "The kit %(kit)s cannot hold %(product)s: a kit is made of rental "
                        "products, not of kits.",
                        kit=line.kit_tmpl_id.display_name,
                        product=product.display_name,
                    )
                )
            if not product.rental_ok or product.tracking != "serial":
                raise ValidationError(
                    self.env._(
                        "The kit %(kit)s cannot hold %(product)s: a kit component must be a "
                        "rental product tracked by serial number.",
                        kit=line.kit_tmpl_id.display_name,
                        product=product.display_name,
                    )
                )
