from odoo import api, fields, models
from odoo.exceptions import UserError

from ..engine.scoring import GRADES

GRADE_SELECTION = [(grade, grade) for grade in GRADES]


class RentalScoreHistory(models.Model):
    """One row per change of a customer's score or grade: the trend behind the current grade.

    Rows are written in bulk by the rescoring (plain SQL INSERT, see
    ``rental.credit.rescoring._store_batch``) and never edited afterwards: through the ORM
    nobody, administrator included, creates, changes or deletes one.
    """

    _name = "rental.score.history"
    _description = "Customer Score History"
    _order = "date desc, id desc"
    # Like mail.notification: rows are written in bulk by the scheduler and never edited, so
    # who wrote them says nothing and ``date`` is when. Without the four log columns (two of
    # them foreign keys checked on every row) the nightly INSERT of 100,000 rows is cheaper.
    _log_access = False
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", index=True)
    date = fields.Datetime(string="Scored On", required=True, default=fields.Datetime.now)
    score = fields.Integer(aggregator="avg")
    grade = fields.Selection(GRADE_SELECTION)
    previous_score = fields.Integer(aggregator=None)
    previous_grade = fields.Selection(GRADE_SELECTION)
    score_change = fields.Integer(string="Change", aggregator="sum")
    explanation = fields.Text()

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env["rental.risk.decision"]._guard_open():
            raise UserError(
                self.env._(
                    "The score history is written by the rescoring; use Rescore Now on the "
                    "customer to add to it."
                )
            )
        return super().create(vals_list)

    # The history is append-only: no super() on purpose.
    def write(self, vals):  # pylint: disable=method-required-super
        raise UserError(self.env._("The score history cannot be changed: it is what happened."))

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("The score history cannot be deleted: it is what happened."))
