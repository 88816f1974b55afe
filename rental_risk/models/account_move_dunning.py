from odoo import fields, models
from odoo.exceptions import UserError

HISTORY_GROUPS = "rental_risk.rental_risk_group_user,account.group_account_invoice"


class AccountMove(models.Model):
    _inherit = "account.move"

    rental_dunning_line_ids = fields.Many2many(
        "rental.dunning.line",
        "rental_dunning_line_move_rel",
        "move_id",
        "line_id",
        string="Dunning History",
        groups=HISTORY_GROUPS,
        readonly=True,
        copy=False,
    )

    def write(self, vals):
        if "rental_dunning_line_ids" in vals and not self.env["rental.risk.decision"]._guard_open():
            raise UserError(
                self.env._(
                    "The dunning history of an invoice is written by the dunning runs; it "
                    "cannot be changed by hand."
                )
            )
        return super().write(vals)
