from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    rental_contract_terms = fields.Html(
        translate=True,
        sanitize=True,
        help="Terms and conditions printed on the rental contracts of the company, in the "
        "customer's language when translated.",
    )
