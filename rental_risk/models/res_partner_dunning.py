from odoo import api, fields, models

OFFICER_GROUP = "rental_risk.rental_risk_group_officer"
USER_GROUP = "rental_risk.rental_risk_group_user"


class ResPartner(models.Model):
    _inherit = "res.partner"

    rental_dunning_policy_id = fields.Many2one(
        "rental.dunning.policy",
        string="Dunning Policy",
        company_dependent=True,
        groups=OFFICER_GROUP,
        help="How overdue rent of this customer is chased; empty: the policy of its grade, "
        "else the company's default policy.",
    )
    rental_dunning_line_ids = fields.One2many(
        "rental.dunning.line",
        "partner_id",
        string="Dunning History",
        groups=USER_GROUP,
        domain=[("state", "=", "sent")],
    )
    rental_dunning_promise_ids = fields.One2many(
        "rental.dunning.promise", "partner_id", string="Promises to Pay", groups=USER_GROUP
    )
    rental_dunning_level_id = fields.Many2one(
        "rental.dunning.level",
        string="Dunning Level",
        compute="_compute_rental_dunning",
        groups=USER_GROUP,
        help="Highest level sent in the current episode of overdue debt.",
    )
    rental_dunning_hold_orders = fields.Boolean(
        string="Orders Held by Dunning", compute="_compute_rental_dunning", groups=USER_GROUP
    )
    rental_dunning_hold_pickups = fields.Boolean(
        string="Pickups Held by Dunning", compute="_compute_rental_dunning", groups=USER_GROUP
    )

    @api.depends_context("company")
    def _compute_rental_dunning(self):
        current = (
            self.env["rental.dunning.line"]
            .sudo()
            ._current_levels(self.commercial_partner_id.ids, self.env.company)
        )
        levels = self.env["rental.dunning.level"]
        for partner in self:
            level_id, hold_orders, hold_pickups = current.get(
                partner.commercial_partner_id.id, (False, False, False)
            )
            partner.rental_dunning_level_id = levels.browse(level_id)
            partner.rental_dunning_hold_orders = hold_orders
            partner.rental_dunning_hold_pickups = hold_pickups
