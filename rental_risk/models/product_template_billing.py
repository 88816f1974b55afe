from odoo import fields, models

from .sale_order_billing import BILLING_PERIODS


class ProductTemplate(models.Model):
    _inherit = "product.template"

    rental_billing_period = fields.Selection(
        BILLING_PERIODS,
        string="Rental Billing",
        help="How rentals of this product are invoiced. Empty: one invoice, or monthly in "
        "advance for rentals at least as long as the company's setting.",
    )
