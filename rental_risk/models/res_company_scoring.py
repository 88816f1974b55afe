from odoo import api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    # Customer credit scoring settings; the grade table is rental.grade.limit.
    rental_risk_alert_step = fields.Integer(
        string="Grade Drop Alert Step",
        default=1,
        help="Alert the salesperson and the Risk Officers when a customer's grade falls by at "
        "least this many steps (1: any drop, e.g. B to C).",
    )
    rental_risk_overdue_min_amount = fields.Monetary(
        string="Overdue Tolerance",
        currency_field="currency_id",
        default=10.0,
        help="Overdue balances below this amount (bank fees, rounding) do not lower the score.",
    )
    rental_risk_paid_volume_full = fields.Monetary(
        string="Paid Volume for Full Bonus",
        currency_field="currency_id",
        default=50000.0,
        help="Total paid by a customer that earns the full paid-volume bonus.",
    )
    rental_grade_limit_ids = fields.One2many(
        "rental.grade.limit", "company_id", string="Credit Limits per Grade"
    )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        self.env["rental.grade.limit"]._create_missing_rows(companies)
        return companies

    @api.constrains(
        "rental_risk_overdue_min_amount", "rental_risk_paid_volume_full", "rental_risk_alert_step"
    )
    def _check_scoring_settings(self):
        self._rental_check_ranges(
            amounts=("rental_risk_overdue_min_amount", "rental_risk_paid_volume_full"),
            days=("rental_risk_alert_step",),
        )
