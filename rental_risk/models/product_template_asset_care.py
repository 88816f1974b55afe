from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ProductTemplate(models.Model):
    _inherit = "product.template"

    rental_counter_max_per_day = fields.Integer(
        string="Usage per Day at Most",
        help="Largest plausible rise of a serial's usage counter per day (shutter count, lamp "
        "hours, ...). A reading rising faster is listed by the anomaly report; 0 checks nothing.",
    )

    @api.constrains("rental_counter_max_per_day")
    def _check_rental_counter_max_per_day(self):
        for template in self:
            if template.rental_counter_max_per_day < 0:
                raise ValidationError(
                    self.env._(
                        "The usage per day at most of %(product)s cannot be negative; enter 0 "
                        "to check nothing.",
                        product=template.display_name,
                    )
                )
