from odoo import fields, models


class RentalScoreBacktestMonth(models.Model):
    """One month-end of a backtest: how the scores of that day ranked what followed."""

    _name = "rental.score.backtest.month"
    _inherit = ["rental.score.backtest.record"]
    _description = "Credit Scoring Backtest Month"
    _order = "backtest_id desc, month_end"

    backtest_id = fields.Many2one(
        "rental.score.backtest", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="backtest_id.company_id", store=True)
    currency_id = fields.Many2one(related="backtest_id.company_id.currency_id", string="Currency")
    month_end = fields.Date(string="Month-End", readonly=True)
    customers = fields.Integer(readonly=True)
    bad_count = fields.Integer(string="Bad Outcomes", readonly=True)
    # Rates and measures of several months average in charts and groups; they never add up.
    default_rate = fields.Float(
        string="Bad Outcome Rate (%)", readonly=True, digits=(16, 2), aggregator="avg"
    )
    auc = fields.Float(string="AUC", readonly=True, digits=(16, 3), aggregator="avg")
    gini = fields.Float(readonly=True, digits=(16, 3), aggregator="avg")
    caught_share = fields.Float(
        string="Caught by D-E (%)", readonly=True, digits=(16, 1), aggregator="avg"
    )
    bad_exposure = fields.Monetary(
        string="Bad Outcome Exposure",
        readonly=True,
        help="Still owed on the invoices of the customers with a bad outcome that went overdue "
        "past the bad-outcome line in the days observed after this month-end.",
    )
    capped_amount = fields.Monetary(
        string="Capped by Limits",
        readonly=True,
        help="Part of that exposure above the credit limit each customer's grade gave at this "
        "month-end: what the limits would have blocked.",
    )
    capped_share = fields.Float(
        string="Capped by Limits (%)", readonly=True, digits=(16, 1), aggregator="avg"
    )
    capped_count = fields.Integer(string="Customers over Limit", readonly=True)
