from odoo import api, fields, models
from odoo.exceptions import ValidationError


class RentalDunningPolicy(models.Model):
    """How a company chases overdue rent: a ladder of levels by days overdue.

    A customer follows the policy set on it, else the policy of its risk grade, else the
    company's default policy."""

    _name = "rental.dunning.policy"
    _description = "Dunning Policy"
    _inherit = ["mail.thread"]
    _order = "company_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    is_default = fields.Boolean(
        string="Default Policy",
        tracking=True,
        help="Followed by customers that have no policy of their own and whose grade has none.",
    )
    grade_limit_ids = fields.Many2many(
        "rental.grade.limit",
        string="Grades",
        check_company=True,
        help="Customers of these grades follow this policy unless they have one of their own.",
    )
    level_ids = fields.One2many("rental.dunning.level", "policy_id", string="Levels", copy=True)
    note = fields.Html(translate=True)

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

    @api.constrains("is_default", "active", "company_id")
    def _check_one_default(self):
        for company in self.filtered(lambda p: p.is_default and p.active).company_id:
            defaults = self.search([("company_id", "=", company.id), ("is_default", "=", True)])
            if len(defaults) > 1:
                raise ValidationError(
                    self.env._(
                        "%(company)s already has a default dunning policy (%(policy)s); untick "
                        "Default Policy on one of them.",
                        company=company.name,
                        policy=", ".join(defaults.mapped("name")),
                    )
                )

    @api.constrains("grade_limit_ids", "active")
    def _check_grade_once(self):
        for policy in self.filtered("active"):
            others = self.search(
                [
                    ("id", "!=", policy.id),
                    ("company_id", "=", policy.company_id.id),
                    ("grade_limit_ids", "in", policy.grade_limit_ids.ids),
                ]
            )
            if others:
                shared = policy.grade_limit_ids & others.grade_limit_ids
                raise ValidationError(
                    self.env._(
                        "Grade %(grades)s already follows the dunning policy %(policy)s; a grade "
                        "follows one policy. Remove it from one of them.",
                        grades=", ".join(shared.mapped("grade")),
                        policy=others[0].name,
                    )
                )
