from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ProductTemplate(models.Model):
    _inherit = "product.template"

    rental_kit_line_ids = fields.One2many(
        "rental.kit.line",
        "kit_tmpl_id",
        string="Kit Components",
        copy=True,
        help="Rent this product as a kit: its components are booked, handed out, taken back and "
        "inspected serial by serial, while the order bills the kit as one line.",
    )
    rental_is_kit = fields.Boolean(
        string="Is a Rental Kit", compute="_compute_rental_is_kit", store=True, index=True
    )

    @api.depends("rental_kit_line_ids")
    def _compute_rental_is_kit(self):
        for template in self:
            template.rental_is_kit = bool(template.rental_kit_line_ids)

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

    @api.constrains("rental_ok", "is_storable", "tracking", "rental_kit_line_ids")
    def _check_rental_ok(self):
        # A kit is not stocked itself: its components are.
        kits = self.filtered("rental_kit_line_ids")
        for kit in kits:
            if not kit.rental_ok or kit.is_storable:
                raise ValidationError(
                    self.env._(
                        "The product %(product)s has kit components: it must be a rental "
                        "product that is not tracked in inventory itself (its components are). "
                        "Tick 'Can be Rented', untick 'Track Inventory', or remove the "
                        "components.",
                        product=kit.display_name,
                    )
                )
        return super(ProductTemplate, self - kits)._check_rental_ok()

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _rental_kit_available_qty(self, date_start, date_end, company=None):
        """How many kits can be rented from ``date_start`` to ``date_end``: the lowest number
        of kits the free serials of each component make up."""
        self.ensure_one()
        Booking = self.env["rental.booking"].sudo()
        counts = [
            len(Booking._get_available_lots(line.product_id, date_start, date_end, company=company))
            // line.quantity
            for line in self.rental_kit_line_ids
        ]
        return min(counts) if counts else 0
