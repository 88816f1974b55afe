import hashlib
import json

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_amount

USER_GROUP = "rental_risk.rental_risk_group_user"
#: Decisions that make the approval state of an order, and the state each one leads to.
APPROVAL_KINDS = ("approval_request", "approve", "reject", "approval_void")
APPROVAL_STATE_OF_KIND = {
    "approval_request": "waiting",
    "approve": "approved",
    "reject": "rejected",
    "approval_void": "none",
}
#: Order fields whose change voids a risk approval (lines are covered by the fingerprint).
APPROVAL_FIELDS = {
    "order_line",
    "partner_id",
    "partner_invoice_id",
    "partner_shipping_id",
    "pricelist_id",
    "currency_id",
    "company_id",
}


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "rental.risk.protected.mixin"]

    # The approval state and its details are computed from the decisions on the order
    # (rental.risk.decision): the request of the risk rules, then the approver's decision.
    rental_risk_decision_ids = fields.One2many(
        "rental.risk.decision", "order_id", string="Risk Decisions", groups=USER_GROUP
    )
    rental_risk_approval_state = fields.Selection(
        [
            ("none", "Not Needed"),
            ("waiting", "Waiting for Risk Approval"),
            ("approved", "Risk Approved"),
            ("rejected", "Risk Rejected"),
        ],
        string="Risk Approval",
        compute="_compute_rental_risk_approval",
        store=True,
        copy=False,
        tracking=True,
        index=True,
    )
    rental_risk_approval_fingerprint = fields.Char(
        compute="_compute_rental_risk_approval", store=True, copy=False
    )
    rental_risk_approved_amount = fields.Monetary(
        string="Approved Amount",
        compute="_compute_rental_risk_approval",
        store=True,
        copy=False,
        currency_field="currency_id",
    )
    rental_risk_request_id = fields.Many2one(
        "rental.risk.decision",
        string="Approval Request",
        compute="_compute_rental_risk_approval",
        store=True,
        copy=False,
        groups="rental_risk.rental_risk_group_user,rental_risk.rental_risk_group_warehouse",
    )
    rental_risk_review_id = fields.Many2one(
        "rental.risk.decision",
        string="Risk Decision",
        compute="_compute_rental_risk_approval",
        store=True,
        copy=False,
        groups="rental_risk.rental_risk_group_user,rental_risk.rental_risk_group_warehouse",
    )
    rental_risk_approval_group_ids = fields.Many2many(
        "res.groups", string="Approvers", related="rental_risk_request_id.group_ids"
    )
    rental_risk_approval_reasons = fields.Text(
        string="Held Because", related="rental_risk_request_id.reason"
    )
    rental_risk_requested_by_id = fields.Many2one(
        "res.users", string="Approval Requested By", related="rental_risk_request_id.user_id"
    )
    rental_risk_approved_by_id = fields.Many2one(
        "res.users", string="Risk Decision By", related="rental_risk_review_id.user_id"
    )
    rental_risk_approved_on = fields.Datetime(
        string="Risk Decision On", related="rental_risk_review_id.date"
    )
    rental_risk_approval_comment = fields.Text(
        string="Risk Decision Comment", related="rental_risk_review_id.reason"
    )
    rental_risk_can_review = fields.Boolean(compute="_compute_rental_risk_can_review")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("rental_risk_decision_ids")
    def _compute_rental_risk_approval(self):
        Decision = self.env["rental.risk.decision"]
        latest = Decision._latest(self._origin, "order_id", APPROVAL_KINDS)
        last_requests = Decision._latest(self._origin, "order_id", ("approval_request",))
        for order in self:
            decision = latest.get(order._origin.id, Decision)
            request = last_requests.get(order._origin.id, Decision)
            review = decision if decision.kind in ("approve", "reject") else Decision
            order.rental_risk_approval_state = APPROVAL_STATE_OF_KIND.get(decision.kind, "none")
            order.rental_risk_approval_fingerprint = (
                decision.fingerprint if decision.kind != "approval_void" else False
            )
            order.rental_risk_approved_amount = review.amount if review.kind == "approve" else 0.0
            order.rental_risk_request_id = request if decision else Decision
            order.rental_risk_review_id = review

    @api.depends_context("uid")
    @api.depends("rental_risk_approval_state", "rental_risk_request_id", "user_id")
    def _compute_rental_risk_can_review(self):
        for order in self:
            order.rental_risk_can_review = (
                order.rental_risk_approval_state == "waiting"
                and not order._rental_risk_review_refusal()
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    def write(self, vals):
        res = super().write(vals)
        if APPROVAL_FIELDS & set(vals) and not self.env["rental.risk.decision"]._guard_open():
            self._rental_risk_void_changed_approvals()
        return res

    def _rental_protected_fields(self):
        """{field: what to do instead} of the order fields nobody writes directly."""
        approval = self.env._(
            "Confirm the order to have the risk rules ask for an approval; approvers decide "
            "with Approve or Reject."
        )
        rules = self.env._(
            "The risk rules set them when the order is checked (Check Risk, Send, Confirm)."
        )
        rental = self.env._("It follows the order lines: an order renting gear is a rental order.")
        return {
            "rental_risk_decision_ids": approval,
            "rental_risk_approval_state": approval,
            "rental_risk_approval_fingerprint": approval,
            "rental_risk_approved_amount": approval,
            "rental_risk_request_id": approval,
            "rental_risk_review_id": approval,
            "rental_risk_approval_group_ids": approval,
            "rental_risk_approval_reasons": approval,
            "rental_risk_requested_by_id": approval,
            "rental_risk_approved_by_id": approval,
            "rental_risk_approved_on": approval,
            "rental_risk_approval_comment": approval,
            "rental_risk_deposit_percent": rules,
            "rental_risk_insurance_required": rules,
            "rental_risk_prepayment_required": rules,
            "is_rental_order": rental,
        }

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_rental_risk_review(self):
        """Open the approve/reject wizard (approvers only, checked again on decision)."""
        self._rental_ensure_one()
        refusal = self._rental_risk_review_refusal()
        if refusal:
            raise AccessError(refusal)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Risk Approval"),
            "res_model": "sale.order.risk.review",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    # ------------------------------------------------------------------
    # Mail
    # ------------------------------------------------------------------

    def _message_compute_author(self, author_id=None, email_from=None, raise_on_email=True):
        # A sender without an e-mail never blocks the action that posts (see base.py).
        author_id, email_from = super()._message_compute_author(
            author_id=author_id, email_from=email_from, raise_on_email=False
        )
        return self._rental_message_author(author_id, email_from)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _rental_risk_fingerprint(self):
        """Hash of what an approval covers: customer, addresses, currency and every line
        (product, quantity, price, discount, taxes, period, serials), and the total."""
        self.ensure_one()
        order = self.sudo()
        lines = [
            [
                line.product_id.id,
                line.product_uom_qty,
                line.price_unit,
                line.discount,
                sorted(line.tax_id.ids),
                str(line.rental_start or ""),
                str(line.rental_end or ""),
                sorted(line.rental_lot_ids.ids),
                line.display_type or "",
            ]
            for line in order.order_line.sorted("id")
        ]
        payload = [
            order.partner_id.id,
            order.partner_invoice_id.id,
            order.partner_shipping_id.id,
            order.currency_id.id,
            order.company_id.id,
            order.currency_id.round(order.amount_total),
            lines,
        ]
        return hashlib.sha256(json.dumps(payload, default=str).encode()).hexdigest()

    def _rental_risk_approval_valid(self):
        """True when a risk approval covers the order exactly as it is now."""
        self.ensure_one()
        if self.rental_risk_approval_state == "rejected" and (
            self.rental_risk_approval_fingerprint == self._rental_risk_fingerprint()
        ):
            raise UserError(
                self.env._(
                    "%(order)s was rejected by %(user)s: %(comment)s Change the order before "
                    "asking again.",
                    order=self.name,
                    user=self.rental_risk_approved_by_id.name or "",
                    comment=self.rental_risk_approval_comment or "",
                )
            )
        return (
            self.rental_risk_approval_state == "approved"
            and self.rental_risk_approval_fingerprint == self._rental_risk_fingerprint()
        )

    def _rental_risk_hold(self, outcome):
        """Put the order on hold for the approvers of the rules that ask an approval."""
        self.ensure_one()
        # Holding an order that could not be booked anyway would only waste the approver's
        # time: refuse it now, as its confirmation would.
        lines = self.order_line.filtered("is_rental")
        lines._rental_check_period_set()
        shortages = [
            message
            for line in lines
            if (message := line._rental_get_shortage_message(line._rental_get_available_lots()))
        ]
        if shortages:
            raise UserError("\n".join(shortages))
        groups = self.env["res.groups"].browse(outcome.approval_group_ids)
        reasons = "\n".join(self._rental_risk_hit_message(hit) for hit in outcome.approvals)
        self._rental_risk_request_approval(groups, reasons)

    def _rental_risk_request_approval(self, groups, reasons):
        """Record the request of the risk rules: the order waits for ``groups`` to decide on it
        as it is now (its fingerprint), and they get an activity."""
        self.ensure_one()
        self.env["rental.risk.decision"]._record(
            "approval_request",
            reasons,
            partner=self.partner_id,
            order=self,
            groups=groups,
            fingerprint=self._rental_risk_fingerprint(),
            amount=self.amount_total,
            currency_id=self.currency_id.id,
        )
        self._rental_risk_schedule_approvers(reasons)
        self.sudo().message_post(
            body=self.env._("Waiting for risk approval:\n%(reasons)s", reasons=reasons),
            subtype_xmlid="mail.mt_note",
        )

    def _rental_risk_approvers(self):
        """Users who may decide on the held order: members of every approver group, with access
        to its company, other than its salesperson."""
        self.ensure_one()
        groups = self.sudo().rental_risk_approval_group_ids
        users = groups[:1].users
        for group in groups[1:]:
            users &= group.users
        return users.filtered(
            lambda u: u.active
            and not u.share
            and self.company_id in u.company_ids
            and u != self.user_id
        )

    def _rental_risk_schedule_approvers(self, reasons):
        for user in self._rental_risk_approvers():
            self.sudo().activity_schedule(
                act_type_xmlid="rental_risk.mail_activity_type_risk_approval",
                summary=self.env._("Risk approval needed"),
                note=reasons,
                user_id=user.id,
            )

    def _rental_risk_review_refusal(self):
        """Why the current user may not approve or reject the order (False if they may)."""
        self.ensure_one()
        user = self.env.user
        if self.rental_risk_approval_state != "waiting":
            return self.env._("%(order)s is not waiting for a risk approval.", order=self.name)
        if self.user_id == user or self.rental_risk_requested_by_id == user:
            return self.env._(
                "You cannot approve or reject %(order)s: it is your own order; another approver "
                "must decide.",
                order=self.name,
            )
        missing = self.sudo().rental_risk_approval_group_ids - user.groups_id
        if missing:
            return self.env._(
                "Only members of %(groups)s can approve or reject %(order)s.",
                groups=", ".join(missing.mapped("full_name")),
                order=self.name,
            )
        return False

    def _rental_risk_decide(self, approve, comment):
        """Approve (then confirm) or reject the held order, with a comment."""
        self.ensure_one()
        refusal = self._rental_risk_review_refusal()
        if refusal:
            raise AccessError(refusal)
        if not (comment or "").strip():
            raise UserError(self.env._("Write a comment: the decision must say why."))
        order = self.sudo()
        # The approval covers the order as it was held; one edited since then is re-checked.
        fingerprint = order._rental_risk_fingerprint()
        if order.rental_risk_approval_fingerprint != fingerprint:
            raise UserError(
                self.env._(
                    "%(order)s changed after it was sent for approval; confirm it again to ask "
                    "for a new approval.",
                    order=self.name,
                )
            )
        self.env["rental.risk.decision"]._record(
            "approve" if approve else "reject",
            comment,
            partner=order.partner_id,
            order=order,
            fingerprint=fingerprint,
            amount=order.amount_total,
            currency_id=order.currency_id.id,
        )
        order.activity_unlink(["rental_risk.mail_activity_type_risk_approval"])
        if approve:
            body = self.env._(
                "Risk approved by %(user)s: %(comment)s", user=self.env.user.name, comment=comment
            )
        else:
            body = self.env._(
                "Risk rejected by %(user)s: %(comment)s", user=self.env.user.name, comment=comment
            )
        order.message_post(body=body, subtype_xmlid="mail.mt_note")
        if approve and self.state in ("draft", "sent"):
            # Approvers may not see every order under the sales record rules: confirm as the
            # system, the rules are checked again all the same.
            self.sudo().action_confirm()
        return True

    def _rental_risk_void_changed_approvals(self):
        """An approval covers the order as approved: void it when the order changed.

        A quotation goes back to "not needed" (confirming it re-runs the rules); a confirmed
        order whose amount rose goes back to "waiting for risk approval" and its pickups are
        locked until an approver approves the new amount.
        """
        for order in self.sudo().filtered(
            lambda o: o.rental_risk_approval_state in ("waiting", "approved", "rejected")
        ):
            if order.state in ("draft", "sent"):
                if order.rental_risk_approval_fingerprint == order._rental_risk_fingerprint():
                    continue
                previous = dict(
                    order._fields["rental_risk_approval_state"]._description_selection(self.env)
                )[order.rental_risk_approval_state]
                order.activity_unlink(["rental_risk.mail_activity_type_risk_approval"])
                self.env["rental.risk.decision"]._record(
                    "approval_void",
                    self.env._(
                        "The order changed; its risk decision (%(state)s) no longer applies.",
                        state=previous,
                    ),
                    partner=order.partner_id,
                    order=order,
                )
            elif (
                order.state == "sale"
                and order.rental_risk_approval_state == "approved"
                and order.currency_id.compare_amounts(
                    order.amount_total, order.rental_risk_approved_amount
                )
                > 0
            ):
                order._rental_risk_void_confirmed()

    def _rental_risk_void_confirmed(self):
        """The confirmed order's amount rose above the approved one: ask again, lock pickups."""
        self.ensure_one()
        order = self.sudo()
        reasons = self.env._(
            "The amount rose from %(old)s to %(new)s after the risk approval.",
            old=format_amount(self.env, order.rental_risk_approved_amount, order.currency_id),
            new=format_amount(self.env, order.amount_total, order.currency_id),
        )
        order._rental_risk_request_approval(order.rental_risk_approval_group_ids, reasons)
