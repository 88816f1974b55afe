from odoo import api, models
from odoo.exceptions import UserError


class RentalScoreBacktestRecord(models.AbstractModel):
    """What a backtest, its months and its grade lines share: they record a measurement, made
    only by running a backtest (behind the decisions' guard) and never edited afterwards."""

    _name = "rental.score.backtest.record"
    _description = "Scoring Backtest Record"

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env["rental.risk.decision"]._guard_open():
            raise UserError(
                self.env._("A backtest is made by running it: use Run Scoring Backtest.")
            )
        return super().create(vals_list)

    def write(self, vals):
        if vals:
            raise UserError(
                self.env._("A backtest records a measurement: run a new one instead of editing it.")
            )
        return super().write(vals)
