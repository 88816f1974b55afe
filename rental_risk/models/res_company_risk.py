from odoo import api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    rental_risk_lock_overdue = fields.Boolean(
        string="Lock Pickups Over Limit with Overdue",
        default=True,
        help="Refuse to hand gear out to a customer who is over the credit limit and has "
        "overdue receivables at the moment of the pickup.",
    )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        self.env["rental.risk.rule"]._create_default_rules(companies)
        return companies
