from odoo import models
from odoo.exceptions import UserError
from odoo.tools import format_amount


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_confirm(self):
        """Confirm the orders the risk rules let through; put those needing an approval on
        hold ("waiting for risk approval"); refuse everything if a rule blocks one of them."""
        to_confirm = self._rental_risk_check_confirmation()
        if not to_confirm:
            return True
        return super(SaleOrder, to_confirm).action_confirm()

    # ------------------------------------------------------------------
    # Business methods: the gate at confirmation and after
    # ------------------------------------------------------------------

    def _rental_risk_checked_ids(self):
        """Orders of this transaction already checked by action_confirm (kept on the cursor,
        out of reach of RPC callers, unlike the context)."""
        return self.env.cr.cache.setdefault("rental_risk_checked_order_ids", set())

    def _rental_risk_check_confirmation(self):
        """The whole check run before confirming ``self``: lock the customers, re-match their
        identities against the blacklist, evaluate the rules; raise a UserError listing every
        blocking reason; put the orders needing an approval on hold. Returns the orders that
        may be confirmed."""
        orders = self.filtered(lambda o: o.state in ("draft", "sent"))
        if not orders:
            return self
        customers = orders.partner_id.commercial_partner_id
        customers.sudo()._rental_risk_lock_rows()
        (
            orders.partner_id | orders.partner_invoice_id | orders.partner_shipping_id
        )._rental_risk_match_blacklist()
        outcomes = orders._rental_risk_evaluate()
        blocked = [order for order in orders if outcomes[order.id].blocks]
        if blocked:
            lines = []
            for order in blocked:
                reasons = [order._rental_risk_hit_message(h) for h in outcomes[order.id].blocks]
                lines += [f"{order.name}:", *(f"- {reason}" for reason in reasons)]
                self.env["rental.risk.event"]._log_autonomous(
                    "block", partner=order.partner_id, order=order, details="\n".join(reasons)
                )
            raise UserError(
                self.env._(
                    "The risk rules block the confirmation:\n%(reasons)s",
                    reasons="\n".join(lines),
                )
            )
        to_confirm = self.env["sale.order"]
        for order in orders:
            outcome = outcomes[order.id]
            order._rental_risk_store_requirements(outcome)
            order._rental_risk_alert_hits(outcome.hits)
            if outcome.approvals and not order._rental_risk_approval_valid():
                order._rental_risk_hold(outcome)
                continue
            for hit in outcome.hits:
                if hit.rule.action != "approval":
                    self.env["rental.risk.event"]._log(
                        "rule_hit",
                        partner=order.partner_id,
                        order=order,
                        rule=self.env["rental.risk.rule"].browse(hit.rule.id),
                        details=order._rental_risk_hit_message(hit),
                    )
            to_confirm |= order
        self._rental_risk_checked_ids().update(to_confirm.ids)
        return to_confirm | (self - orders)

    def _rental_risk_alert_hits(self, hits):
        """Raise the routed alerts of the rule hits of this order that let it through or hold
        it: the warning line crossed (before the limit blocks), the credit limit exceeded.
        Once per order: confirming it again after a cancel does not alert twice."""
        self.ensure_one()
        for hit in hits:
            # The rule conditions and the alert kinds share these two names.
            if hit.rule.condition in ("warning_line", "over_limit"):
                self.company_id._rental_risk_alert(
                    hit.rule.condition,
                    None,
                    self,
                    self.partner_id,
                    self._rental_risk_hit_message(hit),
                )

    def _rental_risk_check_before_confirm(self):
        """Refuse, in ``_action_confirm``, orders that action_confirm did not check and that
        the rules block or hold."""
        checked = self._rental_risk_checked_ids()
        unchecked = self.filtered(lambda o: o.id not in checked)
        if not unchecked:
            return
        unchecked.partner_id.commercial_partner_id.sudo()._rental_risk_lock_rows()
        # The caller already set these orders to sale: the exposure query flushes that state,
        # so their amounts are counted in the customer's exposure, not added on top.
        outcomes = unchecked._rental_risk_evaluate()
        problems = []
        for order in unchecked:
            outcome = outcomes[order.id]
            reasons = [order._rental_risk_hit_message(h) for h in outcome.blocks]
            if outcome.approvals and not order._rental_risk_approval_valid():
                reasons += [order._rental_risk_hit_message(h) for h in outcome.approvals]
            if reasons:
                problems += [f"{order.name}:", *(f"- {reason}" for reason in reasons)]
        if problems:
            raise UserError(
                self.env._(
                    "The risk rules block the confirmation (confirm the order with its Confirm "
                    "button to ask for an approval):\n%(reasons)s",
                    reasons="\n".join(problems),
                )
            )
        checked.update(unchecked.ids)

    def _rental_risk_check_change(self):
        """Run the rules again on confirmed orders whose rental lines changed: a block refuses
        the change (nothing is written), an approval the change needs puts the order back to
        "waiting for risk approval", which locks its pickups until an approver decides."""
        orders = self.filtered(lambda o: o.state == "sale")
        if not orders:
            return
        orders.partner_id.commercial_partner_id.sudo()._rental_risk_lock_rows()
        outcomes = orders._rental_risk_evaluate()
        for order in orders:
            outcome = outcomes[order.id]
            if outcome.blocks:
                reasons = [order._rental_risk_hit_message(hit) for hit in outcome.blocks]
                self.env["rental.risk.event"]._log_autonomous(
                    "block", partner=order.partner_id, order=order, details="\n".join(reasons)
                )
                raise UserError(
                    self.env._(
                        "The risk rules refuse this change of the confirmed order %(order)s:\n"
                        "%(reasons)s",
                        order=order.name,
                        reasons="\n".join(f"- {reason}" for reason in reasons),
                    )
                )
            order._rental_risk_store_requirements(outcome)
            if not outcome.approvals or order.rental_risk_approval_state == "waiting":
                continue
            covered = order.rental_risk_approval_state == "approved" and (
                order.currency_id.compare_amounts(
                    order.amount_total, order.rental_risk_approved_amount
                )
                <= 0
            )
            if not covered:
                order._rental_risk_request_approval(
                    self.env["res.groups"].browse(outcome.approval_group_ids),
                    "\n".join(order._rental_risk_hit_message(hit) for hit in outcome.approvals),
                )

    # ------------------------------------------------------------------
    # Business methods: what the pickup waits for
    # ------------------------------------------------------------------

    def _rental_risk_pickup_requirements(self):
        """Plain-language reasons the gear of this confirmed order may not leave yet: a risk
        approval pending, insurance or a payment in advance the rules (or the customer's
        grade) asked and not met."""
        self.ensure_one()
        order = self.sudo()
        reasons = []
        if order.rental_risk_approval_state == "approved" and (
            order.currency_id.compare_amounts(order.amount_total, order.rental_risk_approved_amount)
            > 0
        ):
            order._rental_risk_void_confirmed()
        if order.rental_risk_approval_state == "waiting":
            reasons.append(
                self.env._(
                    "%(order)s waits for a risk approval: %(reasons)s",
                    order=order.name,
                    reasons=order.rental_risk_approval_reasons or "",
                )
            )
        insured = order.rental_insurance_proof_ids or any(
            order.order_line.product_id.mapped("rental_insurance_ok")
        )
        if order.rental_risk_insurance_required and not insured:
            reasons.append(
                self.env._(
                    "The risk rules require insurance for %(order)s: attach the customer's proof "
                    "of insurance to the order, or add an insurance product.",
                    order=order.name,
                )
            )
        if order.rental_risk_prepayment_required:
            paid = order._rental_risk_prepaid_amounts().get(order.id, 0.0)
            if order.currency_id.compare_amounts(paid, order.amount_total) < 0:
                reasons.append(
                    self.env._(
                        "The risk rules require %(order)s to be paid in advance: %(paid)s paid of "
                        "%(total)s, %(due)s still to pay. Invoice the order (or a down payment) "
                        "and register its payment, or send the customer a payment link.",
                        order=order.name,
                        paid=format_amount(self.env, paid, order.currency_id),
                        total=format_amount(self.env, order.amount_total, order.currency_id),
                        due=format_amount(self.env, order.amount_total - paid, order.currency_id),
                    )
                )
        return reasons
