from odoo import fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_amount


class StockPicking(models.Model):
    _inherit = "stock.picking"

    # Release of the risk delivery lock for this pickup only.
    rental_risk_released_by_id = fields.Many2one(
        "res.users", string="Risk Lock Released By", readonly=True, copy=False
    )
    rental_risk_released_on = fields.Datetime(
        string="Risk Lock Released On", readonly=True, copy=False
    )
    rental_risk_release_reason = fields.Text(string="Release Reason", readonly=True, copy=False)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_rental_risk_release(self):
        """Open the release wizard (Risk Managers only, checked again by the wizard)."""
        self.ensure_one()
        if not self.env.user.has_group("rental_risk.rental_risk_group_manager"):
            raise AccessError(
                self.env._("Only a Risk Manager can release a locked pickup; ask one to do it.")
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Release Pickup"),
            "res_model": "stock.picking.risk.release",
            "view_mode": "form",
            "target": "new",
            "context": {"default_picking_id": self.id},
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _rental_risk_check_delivery_lock(self):
        """Refuse to hand gear out when the risk delivery lock holds at this moment, whenever
        the order was confirmed; a Risk Manager's release of the pickup lifts it."""
        for picking in self.filtered(
            lambda p: p.rental_operation == "pickup"
            and p.state not in ("done", "cancel")
            and not p.rental_risk_released_by_id
        ):
            reasons = picking._rental_risk_delivery_lock_reasons()
            if not reasons:
                continue
            details = "\n".join(f"- {reason}" for reason in reasons)
            self.env["rental.risk.event"]._log_autonomous(
                "delivery_lock",
                partner=picking.partner_id,
                order=picking.sale_id,
                picking=picking,
                details=details,
            )
            raise UserError(
                self.env._(
                    "%(picking)s cannot be handed out:\n%(reasons)s\nCure the problem, or ask a "
                    "Risk Manager to release this pickup.",
                    picking=picking.name,
                    reasons=details,
                )
            )

    def _rental_risk_delivery_lock_reasons(self):
        """Plain-language reasons why this rental pickup may not be validated now (empty list:
        not locked). Hook: sub-modules add their reasons (e.g. deposit not paid) with super()."""
        self.ensure_one()
        reasons = []
        order = self.sale_id.sudo()
        customer = (order.partner_id or self.partner_id).commercial_partner_id.sudo()
        if not customer:
            return reasons
        if customer.rental_blacklisted:
            reasons.append(
                self.env._("%(customer)s is blacklisted.", customer=customer.display_name)
            )
        company = self.company_id
        if company.rental_risk_lock_overdue:
            facts = self.env["rental.credit.facts"]._current_facts(customer.ids, [0])
            exposure = facts[customer.id]["exposure"]["total"]
            overdue = facts[customer.id]["overdue"][0]
            limit = customer._rental_risk_effective_limit()
            if exposure > limit and overdue > company.rental_risk_overdue_min_amount:
                reasons.append(
                    self.env._(
                        "%(customer)s is over the credit limit (exposure %(exposure)s, limit "
                        "%(limit)s) with %(overdue)s of overdue invoices.",
                        customer=customer.display_name,
                        exposure=format_amount(self.env, exposure, company.currency_id),
                        limit=format_amount(self.env, limit, company.currency_id),
                        overdue=format_amount(self.env, overdue, company.currency_id),
                    )
                )
        if order and order.state == "sale":
            if order.rental_risk_approval_state == "approved" and (
                order.currency_id.compare_amounts(
                    order.amount_total, order.rental_risk_approved_amount
                )
                > 0
            ):
                order._rental_risk_void_confirmed()
            if order.rental_risk_approval_state == "waiting":
                reasons.append(
                    self.env._(
                        "%(order)s changed after its risk approval and waits for a new one.",
                        order=order.name,
                    )
                )
        # The deposit room's own reasons (deposit not paid before pickup) join the same lock.
        return reasons + self._rental_deposit_lock_reasons()
