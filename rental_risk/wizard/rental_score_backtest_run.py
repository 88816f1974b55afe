from odoo import api, fields, models
from odoo.exceptions import AccessError

OFFICER_GROUP = "rental_risk.rental_risk_group_officer"


class RentalScoreBacktestRun(models.TransientModel):
    _name = "rental.score.backtest.run"
    _description = "Run a Credit Scoring Backtest"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    months = fields.Integer(
        string="Month-Ends",
        required=True,
        default=12,
        help="How many past month-ends to score every customer at (the latest whose next 90 "
        "days have passed).",
    )

    @api.model
    def default_get(self, fields_list):
        # Refuse at once, before the user fills the form (checked again when running).
        if not self.env.user.has_group(OFFICER_GROUP):
            raise AccessError(self.env._("Only a Risk Officer can run a scoring backtest."))
        return super().default_get(fields_list)

    def action_run(self):
        """Score every customer as of each month-end, compare with what followed, show it."""
        self.ensure_one()
        backtest = self.env["rental.score.backtest"]._run(self.months, self.company_id)
        return {
            "type": "ir.actions.act_window",
            "res_model": "rental.score.backtest",
            "res_id": backtest.id,
            "view_mode": "form",
            "target": "current",
        }
