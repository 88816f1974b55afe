from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    rental_claim_ids = fields.One2many(
        "rental.damage.claim",
        "order_id",
        string="Claims",
        groups="rental_risk.rental_risk_group_user,rental_risk.rental_risk_group_warehouse",
    )
    rental_claim_count = fields.Integer(
        string="Claims Count", compute="_compute_rental_claim_count"
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    def _compute_rental_claim_count(self):
        # Counted as superuser: the order form is also opened by salespeople without the
        # rental groups, who may not read claims but must still open their orders.
        counts = dict(
            self.env["rental.damage.claim"]
            .sudo()
            ._read_group([("order_id", "in", self.ids)], ["order_id"], ["__count"])
        )
        for order in self:
            order.rental_claim_count = counts.get(order._origin, 0)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_rental_view_claims(self):
        self._rental_ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "rental_risk.rental_damage_claim_action"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"default_order_id": self.id, "default_partner_id": self.partner_id.id}
        return action
