from odoo import api, fields, models
from odoo.exceptions import ValidationError

#: Scoring weights of the company (field -> engine setting), each from 0 to 100 points.
WEIGHT_FIELDS = {
    "rental_risk_trend_weight": "trend_weight",
    "rental_risk_overdue_trend_weight": "overdue_trend_weight",
    "rental_risk_order_drop_weight": "order_drop_weight",
    "rental_risk_credit_note_weight": "credit_note_weight",
    "rental_risk_peer_weight": "peer_weight",
    "rental_risk_signal_weight": "signal_weight",
}


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
    # Weights of the trend, related party and signal factors (the engine's defaults).
    rental_risk_trend_weight = fields.Float(
        string="Payment Trend Weight",
        default=10.0,
        help="Points taken at most when the last 90 days' payments are later than those of "
        "the 12 months before (full at 30 more days late).",
    )
    rental_risk_overdue_trend_weight = fields.Float(
        string="Overdue Trend Weight",
        default=10.0,
        help="Points taken at most when more invoices, or more of the amount, went late in "
        "the last 90 days than in the 12 months before.",
    )
    rental_risk_order_drop_weight = fields.Float(
        string="Order Drop Weight",
        default=5.0,
        help="Points taken at most when the last 90 days' orders fall below the usual quarter "
        "of the 12 months before (from a 25% drop, full at 75%).",
    )
    rental_risk_credit_note_weight = fields.Float(
        string="Credit Note Weight",
        default=8.0,
        help="Points taken at most when credit notes (returns, disputes) are a large part of "
        "what was invoiced (from 10%, full at 40%).",
    )
    rental_risk_peer_weight = fields.Float(
        string="Peer Comparison Weight",
        default=8.0,
        help="Points taken at most when a customer pays later than the median of the paying "
        "customers of its industry, or of its region (state, else country): from 5 days "
        "beyond the median, full at 30.",
    )
    rental_risk_peer_min_count = fields.Integer(
        string="Minimum Peers",
        default=5,
        help="Paying customers an industry or region needs, the customer included, before its "
        "median is used to judge a customer; smaller groups are not compared.",
    )
    rental_risk_signal_weight = fields.Float(
        string="Officer Signal Weight",
        default=20.0,
        help="Points taken at most by the active signals a Risk Officer recorded (negative "
        "news, legal case, management change); one high-severity signal takes three quarters.",
    )
    rental_risk_related_share = fields.Float(
        string="Related Party Pull (%)",
        default=25.0,
        help="Share of the gap between a customer's score and the lowest score among its "
        "related parties (same group, shared VAT or registry number, declared related "
        "companies) that pulls the customer's score down. 0 turns it off.",
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
        self.env["res.partner"]._rental_risk_filter_indexes(companies)
        return companies

    @api.constrains(
        "rental_risk_overdue_min_amount", "rental_risk_paid_volume_full", "rental_risk_alert_step"
    )
    def _check_scoring_settings(self):
        self._rental_check_ranges(
            amounts=("rental_risk_overdue_min_amount", "rental_risk_paid_volume_full"),
            days=("rental_risk_alert_step",),
        )

    @api.constrains("rental_risk_peer_min_count")
    def _check_peer_min_count(self):
        for company in self:
            if 1 <= company.rental_risk_peer_min_count <= 1000:
                continue
            raise ValidationError(
                self.env._(
                    "The minimum number of peers of %(company)s must be between 1 and 1000.",
                    company=company.name,
                )
            )

    @api.constrains(*WEIGHT_FIELDS, "rental_risk_related_share")
    def _check_scoring_weights(self):
        for company in self:
            if all(
                0 <= company[fname] <= 100
                for fname in [*WEIGHT_FIELDS, "rental_risk_related_share"]
            ):
                continue
            raise ValidationError(
                self.env._(
                    "Scoring weights of %(company)s must be between 0 and 100.",
                    company=company.name,
                )
            )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _rental_scoring_settings(self):
        """The engine settings this company stores: {engine setting: value}."""
        self.ensure_one()
        settings = {engine: self[fname] for fname, engine in WEIGHT_FIELDS.items()}
        settings["related_share"] = self.rental_risk_related_share / 100
        settings["peer_min_count"] = self.rental_risk_peer_min_count
        return settings
