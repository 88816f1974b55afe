from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..engine.bounds import MAX_AMOUNT, is_amount

#: Rental prices, values and durations: zero or more.
NON_NEGATIVE_FIELDS = (
    "rental_price_day",
    "rental_price_week",
    "rental_price_month",
    "rental_replacement_value",
    "rental_late_fee_day",
    "rental_grace_hours",
    "rental_padding_hours",
)


class ProductTemplate(models.Model):
    _inherit = "product.template"

    rental_ok = fields.Boolean(
        string="Can be Rented",
        help="Rent this product out by serial number: every unit is a rental asset that can be "
        "booked for a period. Requires a storable product tracked by serial number.",
    )
    rental_price_day = fields.Monetary(string="Price per Day", currency_field="currency_id")
    rental_price_week = fields.Monetary(
        string="Price per Week",
        currency_field="currency_id",
        help="Leave at 0 to charge seven daily prices.",
    )
    rental_price_month = fields.Monetary(
        string="Price per Month",
        currency_field="currency_id",
        help="Leave at 0 to price long rentals from the weekly or daily price.",
    )
    rental_replacement_value = fields.Monetary(
        string="Replacement Value",
        currency_field="currency_id",
        help="What it costs to replace one unit; default value of each new rental asset and "
        "the amount at stake while a unit is out with a customer.",
    )
    rental_late_fee_day = fields.Monetary(
        string="Late Fee per Day",
        currency_field="currency_id",
        help="Charged for each started day a unit comes back after the agreed return time "
        "and the grace period.",
    )
    rental_grace_hours = fields.Float(
        string="Grace Period (Hours)",
        help="Hours after the agreed return time before a return counts as late.",
    )
    rental_padding_hours = fields.Float(
        string="Turnaround Time (Hours)",
        help="Hours each unit stays unbookable after a booking ends, to check, clean and "
        "charge it before the next customer.",
    )

    @api.constrains("rental_ok", "is_storable", "tracking")
    def _check_rental_ok(self):
        for template in self.filtered("rental_ok"):
            if not template.is_storable or template.tracking != "serial":
                raise ValidationError(
                    self.env._(
                        "The product %(product)s cannot be rented: a rental product must be "
                        "tracked in inventory and by unique serial number. Enable 'Track "
                        "Inventory' with 'By Unique Serial Number', or untick 'Can be Rented'.",
                        product=template.display_name,
                    )
                )

    @api.constrains(*NON_NEGATIVE_FIELDS)
    def _check_rental_amounts(self):
        for template in self:
            if not all(is_amount(template[fname]) for fname in NON_NEGATIVE_FIELDS):
                raise ValidationError(
                    self.env._(
                        "Rental prices, values and durations of %(product)s must be between 0 "
                        "and %(max)s; enter 0 or a positive number.",
                        product=template.display_name,
                        max=f"{MAX_AMOUNT:,.0f}",
                    )
                )

    rental_accessory_ids = fields.One2many(
        "rental.product.accessory",
        "product_tmpl_id",
        string="Accessories",
        help="Checked at every return inspection; a missing one is claimed at its value.",
    )
