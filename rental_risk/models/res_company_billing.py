from odoo import api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    rental_billing_min_days = fields.Integer(
        string="Bill Monthly From (Days)",
        default=60,
        help="Rentals lasting at least this many days are billed monthly in advance unless "
        "their products say otherwise; 0: only when the product or the order asks it.",
    )

    @api.constrains("rental_billing_min_days")
    def _check_rental_billing_min_days(self):
        self._rental_check_ranges(days=("rental_billing_min_days",))
