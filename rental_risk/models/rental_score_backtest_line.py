from odoo import api, fields, models

from .rental_score_history import GRADE_SELECTION


class RentalScoreBacktestLine(models.Model):
    """Customers and bad outcomes of one grade at one month-end of a backtest (or over the
    whole backtest when the month-end is empty)."""

    _name = "rental.score.backtest.line"
    _inherit = ["rental.score.backtest.record"]
    _description = "Credit Scoring Backtest Grade"
    _order = "backtest_id desc, month_end, grade"

    backtest_id = fields.Many2one(
        "rental.score.backtest", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="backtest_id.company_id", store=True)
    month_end = fields.Date(
        string="Month-End", readonly=True, help="Empty on the lines of the whole backtest."
    )
    overall = fields.Boolean(compute="_compute_overall", store=True)
    grade = fields.Selection(GRADE_SELECTION, readonly=True)
    customers = fields.Integer(readonly=True)
    bad_count = fields.Integer(string="Bad Outcomes", readonly=True)
    default_rate = fields.Float(
        string="Bad Outcome Rate (%)", readonly=True, digits=(16, 2), aggregator="avg"
    )

    @api.depends("month_end")
    def _compute_overall(self):
        for line in self:
            line.overall = not line.month_end
