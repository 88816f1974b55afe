import hashlib
import json
from collections import defaultdict

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare, format_amount

from ..engine import risk_rules
from ..engine.deposits import NEUTRAL_GRADE, required_deposit, settle_deposit

USER_GROUP = "rental_risk.rental_risk_group_user"
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
#: Alert class of the risk panel per rule action.
PANEL_CLASSES = {
    "block": "alert-danger",
    "approval": "alert-warning",
    "deposit": "alert-info",
    "insurance": "alert-info",
    "warn": "alert-secondary",
}


class SaleOrder(models.Model):
    _inherit = "sale.order"

    is_rental_order = fields.Boolean(
        string="Rental Order",
        compute="_compute_is_rental_order",
        store=True,
        readonly=False,
        index=True,
        help="The order rents serialized gear out for a period.",
    )
    rental_availability_warning = fields.Text(compute="_compute_rental_availability_warning")
    rental_pickup_count = fields.Integer(string="Pickups", compute="_compute_rental_picking_counts")
    rental_return_count = fields.Integer(string="Returns", compute="_compute_rental_picking_counts")
    rental_has_open_pickup = fields.Boolean(compute="_compute_rental_picking_counts")
    rental_has_open_return = fields.Boolean(compute="_compute_rental_picking_counts")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("order_line.is_rental")
    def _compute_is_rental_order(self):
        # Keep a flag set from the Rental menu (context default) on an order with no line yet.
        for order in self:
            order.is_rental_order = order.is_rental_order or any(
                order.order_line.mapped("is_rental")
            )

    @api.depends("order_line.rental_availability_warning")
    def _compute_rental_availability_warning(self):
        for order in self:
            warnings = order.order_line.filtered("rental_availability_warning").mapped(
                "rental_availability_warning"
            )
            order.rental_availability_warning = "\n".join(warnings) or False

    @api.depends("picking_ids.picking_type_id", "picking_ids.state")
    def _compute_rental_picking_counts(self):
        for order in self:
            pickups = order._rental_get_pickings("pickup")
            returns = order._rental_get_pickings("return")
            order.rental_pickup_count = len(pickups)
            order.rental_return_count = len(returns)
            open_states = ("done", "cancel")
            order.rental_has_open_pickup = any(p.state not in open_states for p in pickups)
            order.rental_has_open_return = any(p.state not in open_states for p in returns)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_rental_check_availability(self):
        """Tell whether enough serials are free for every rental line, without booking any."""
        self.ensure_one()
        lines = self.order_line.filtered("is_rental")
        lines._rental_check_period_set()
        problems = [
            message
            for line in lines
            if (message := line._rental_get_shortage_message(line._rental_get_available_lots()))
        ]
        if problems:
            params = {
                "title": self.env._("Not enough serials available"),
                "message": "\n".join(problems),
                "type": "warning",
                "sticky": True,
            }
        else:
            params = {
                "title": self.env._("Available"),
                "message": self.env._("All rental lines can be booked for their period."),
                "type": "success",
                "sticky": False,
            }
        return {"type": "ir.actions.client", "tag": "display_notification", "params": params}

    def action_rental_view_pickups(self):
        """Open the rental pickups of the order."""
        self.ensure_one()
        return self._get_action_view_picking(self._rental_get_pickings("pickup"))

    def action_rental_view_returns(self):
        """Open the rental returns of the order."""
        self.ensure_one()
        return self._get_action_view_picking(self._rental_get_pickings("return"))

    def action_rental_scan_checkout(self):
        """Open the scan screen to hand the gear of this order out."""
        return self._rental_open_scan("checkout")

    def action_rental_scan_checkin(self):
        """Open the scan screen to take the gear of this order back."""
        return self._rental_open_scan("checkin")

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _action_confirm(self):
        """Book the serials of rental lines, then create their rental pickups.

        Bookings are made before super() so that a shortage raises before any delivery or
        picking exists; the confirmation runs in one transaction, rolled back on error.
        """
        # Safety net of the risk check for callers that reach the private hook without going
        # through action_confirm (other modules do): they get the same blocks, and an order
        # that would need an approval cannot be confirmed this way.
        # The deposit line is fixed at confirmation, with the grade and rules of that moment,
        # before the risk check so that the checked order is the one confirmed.
        self.filtered("is_rental_order")._rental_sync_deposit_line()
        self._rental_risk_check_before_confirm()
        rental_lines = self.order_line.filtered("is_rental")
        rental_lines._rental_book()
        res = super()._action_confirm()
        rental_lines._rental_create_pickups()
        # A confirmed order adds to the customer's exposure: refresh its snapshot at once.
        self.partner_id.commercial_partner_id.sudo()._rental_risk_rescore()
        return res

    def _action_cancel(self):
        out = self.order_line.sudo().rental_booking_ids.filtered(lambda b: b.state == "out")
        if out:
            raise UserError(
                self.env._(
                    "The order %(order)s cannot be cancelled: %(serials)s are still out with the "
                    "customer. Process their return first.",
                    order=out[0].order_id.display_name,
                    serials=", ".join(out.lot_id.mapped("name")),
                )
            )
        res = super()._action_cancel()
        self.order_line.sudo().rental_booking_ids.filtered(
            lambda b: b.state == "reserved"
        ).action_cancel()
        return res

    def _rental_get_pickings(self, operation):
        """Rental pickups (``operation`` 'pickup') or returns ('return') of the order."""
        self.ensure_one()
        return self.picking_ids.filtered(lambda p: p.picking_type_id.rental_operation == operation)

    def _rental_open_scan(self, mode):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("rental_risk.rental_scan_action")
        action["context"] = {"default_mode": mode, "default_order_id": self.id}
        return action

    rental_risk_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Risk Currency"
    )
    rental_risk_grade = fields.Selection(
        related="partner_id.commercial_partner_id.rental_grade",
        string="Customer Risk Grade",
        groups=USER_GROUP,
    )
    rental_risk_credit_limit = fields.Monetary(
        string="Customer Credit Limit",
        currency_field="rental_risk_currency_id",
        compute="_compute_rental_risk_exposure",
        compute_sudo=True,
        groups=USER_GROUP,
    )
    rental_risk_partner_exposure = fields.Monetary(
        string="Customer Exposure",
        currency_field="rental_risk_currency_id",
        compute="_compute_rental_risk_exposure",
        compute_sudo=True,
        groups=USER_GROUP,
        help="What the customer owes or holds now: open receivables, confirmed orders not yet "
        "invoiced and assets out, minus deposits.",
    )
    rental_risk_order_amount = fields.Monetary(
        string="This Order (Not Yet Counted)",
        currency_field="rental_risk_currency_id",
        compute="_compute_rental_risk_exposure",
        compute_sudo=True,
        groups=USER_GROUP,
        help="Total of this order in company currency while it is not confirmed; once confirmed "
        "its un-invoiced part is already in the customer's exposure.",
    )
    rental_risk_exposure_with_order = fields.Monetary(
        string="Exposure with This Order",
        currency_field="rental_risk_currency_id",
        compute="_compute_rental_risk_exposure",
        compute_sudo=True,
        groups=USER_GROUP,
    )
    rental_risk_available_credit = fields.Monetary(
        string="Available Credit after This Order",
        currency_field="rental_risk_currency_id",
        compute="_compute_rental_risk_exposure",
        compute_sudo=True,
        groups=USER_GROUP,
    )
    rental_risk_over_limit = fields.Boolean(
        string="Over Credit Limit",
        compute="_compute_rental_risk_exposure",
        compute_sudo=True,
        groups=USER_GROUP,
    )

    # Risk rules and approvals (issue 5).
    rental_risk_panel = fields.Html(
        string="Risk Check",
        compute="_compute_rental_risk_panel",
        compute_sudo=True,
        sanitize=False,
        groups=USER_GROUP,
    )
    rental_risk_has_block = fields.Boolean(
        compute="_compute_rental_risk_panel", compute_sudo=True, groups=USER_GROUP
    )
    rental_risk_approval_state = fields.Selection(
        [
            ("none", "Not Needed"),
            ("waiting", "Waiting for Risk Approval"),
            ("approved", "Risk Approved"),
            ("rejected", "Risk Rejected"),
        ],
        string="Risk Approval",
        default="none",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    rental_risk_approval_fingerprint = fields.Char(readonly=True, copy=False)
    rental_risk_approval_group_ids = fields.Many2many(
        "res.groups",
        "sale_order_rental_risk_approval_group_rel",
        "order_id",
        "group_id",
        string="Approvers",
        readonly=True,
        copy=False,
    )
    rental_risk_approval_reasons = fields.Text(string="Held Because", readonly=True, copy=False)
    rental_risk_requested_by_id = fields.Many2one(
        "res.users", string="Approval Requested By", readonly=True, copy=False
    )
    rental_risk_approved_by_id = fields.Many2one(
        "res.users", string="Risk Decision By", readonly=True, copy=False
    )
    rental_risk_approved_on = fields.Datetime(string="Risk Decision On", readonly=True, copy=False)
    rental_risk_approval_comment = fields.Text(
        string="Risk Decision Comment", readonly=True, copy=False
    )
    rental_risk_approved_amount = fields.Monetary(
        string="Approved Amount", readonly=True, copy=False, currency_field="currency_id"
    )
    rental_risk_can_review = fields.Boolean(compute="_compute_rental_risk_can_review")
    rental_risk_deposit_percent = fields.Float(
        string="Risk Deposit %",
        readonly=True,
        copy=False,
        help="Highest deposit percentage asked by the risk rules that hit this order, recorded "
        "when the order is sent, checked or confirmed (0 when none).",
    )
    rental_risk_insurance_required = fields.Boolean(
        string="Insurance Required",
        readonly=True,
        copy=False,
        help="A risk rule asks for insurance of the gear of this order.",
    )

    @api.depends("partner_id", "amount_total", "state", "currency_rate", "company_id")
    def _compute_rental_risk_exposure(self):
        customers = self.partner_id.commercial_partner_id
        exposures = self.env["res.partner"]._rental_risk_get_exposure(customers._origin.ids)
        for order in self:
            customer = order.partner_id.commercial_partner_id
            exposure = exposures.get(customer._origin.id, {}).get("total", 0.0)
            counted = order.state == "sale"
            amount = 0.0
            if not counted and order.state != "cancel":
                amount = order.company_id.currency_id.round(
                    order.amount_total / (order.currency_rate or 1.0)
                )
            limit = customer.rental_credit_limit
            currency = order.company_id.currency_id
            order.rental_risk_credit_limit = limit
            order.rental_risk_partner_exposure = exposure
            order.rental_risk_order_amount = amount
            order.rental_risk_exposure_with_order = currency.round(exposure + amount)
            available = currency.round(limit - exposure - amount)
            order.rental_risk_available_credit = available
            order.rental_risk_over_limit = bool(customer) and available < 0

    @api.depends(
        "partner_id",
        "amount_total",
        "state",
        "order_line.product_uom_qty",
        "order_line.product_id",
        "rental_risk_approval_state",
    )
    def _compute_rental_risk_panel(self):
        drafts = self.filtered(lambda o: o.state in ("draft", "sent") and o.partner_id and o.id)
        outcomes = drafts._rental_risk_evaluate() if drafts else {}
        for order in self:
            outcome = outcomes.get(order.id)
            if outcome is None:
                order.rental_risk_panel = False
                order.rental_risk_has_block = False
                continue
            order.rental_risk_has_block = bool(outcome.blocks)
            order.rental_risk_panel = order._rental_risk_render_panel(outcome)

    @api.depends_context("uid")
    @api.depends("rental_risk_approval_state", "rental_risk_approval_group_ids", "user_id")
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
        if APPROVAL_FIELDS & set(vals) and not self.env.context.get("rental_risk_no_void"):
            self._rental_risk_void_changed_approvals()
        return res

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

    def action_quotation_sent(self):
        self._rental_risk_record_outcome()
        return super().action_quotation_sent()

    def action_quotation_send(self):
        self._rental_risk_record_outcome()
        return super().action_quotation_send()

    def action_rental_risk_check(self):
        """Evaluate the risk rules now and record the deposit and insurance they ask."""
        self._rental_risk_record_outcome()
        return True

    def action_rental_risk_review(self):
        """Open the approve/reject wizard (approvers only, checked again on decision)."""
        self.ensure_one()
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
    # Business methods: rule evaluation
    # ------------------------------------------------------------------

    def _rental_risk_evaluate(self):
        """Evaluate the active risk rules of each order's company: {order id: Outcome}.

        Set-based: one query for the rules per company, one for the customers' exposure and
        overdue receivables, one for their rental history, whatever the number of orders and
        of the customers' past invoices. Orders of one customer evaluated together count each
        other's amounts in the exposure.
        """
        orders = self.filtered("partner_id")
        if not orders:
            return {}
        rules_by_company = {
            company: self.env["rental.risk.rule"]._get_active_rules(company)
            for company in orders.company_id
        }
        overdue_days = {
            rule.days
            for rules in rules_by_company.values()
            for rule in rules
            if rule.condition == "overdue"
        }
        customers = orders.partner_id.commercial_partner_id.sudo()
        facts = self.env["res.partner"]._rental_risk_current_facts(customers.ids, overdue_days)
        returning = orders._rental_risk_returning_customer_ids()
        prepaid = orders._rental_risk_prepaid_amounts()
        added = dict.fromkeys(customers.ids, 0.0)
        outcomes = {}
        for order in orders:
            customer = order.partner_id.commercial_partner_id.sudo()
            company_currency = order.company_id.currency_id
            amount = 0.0
            if order.state in ("draft", "sent"):
                amount = company_currency.round(order.amount_total / (order.currency_rate or 1.0))
            added[customer.id] += amount
            values = order._rental_risk_asset_values()
            customer_facts = facts.get(customer.id, {})
            match = customer.rental_blacklist_match_id
            order_facts = risk_rules.OrderFacts(
                blacklisted=customer.rental_blacklisted,
                blacklist_match=match.display_name if match and match.rental_blacklisted else "",
                grade=customer.rental_grade or "",
                credit_limit=customer._rental_risk_effective_limit(),
                exposure_with_order=company_currency.round(
                    customer_facts.get("exposure", {}).get("total", 0.0) + added[customer.id]
                ),
                overdue_by_days=customer_facts.get("overdue", {}),
                overdue_tolerance=order.company_id.rental_risk_overdue_min_amount,
                first_rental=customer.id not in returning,
                replacement_value=values["total"],
                max_asset_value=values["max"],
                kyc_verified=customer.rental_kyc_verified,
                prepaid=float_compare(
                    prepaid.get(order.id, 0.0),
                    order.amount_total,
                    precision_rounding=order.currency_id.rounding,
                )
                >= 0
                and order.amount_total > 0,
            )
            engine_rules = [
                rule._get_engine_rule()
                for rule in rules_by_company[order.company_id]
                if rule.applies_to == "all" or order.is_rental_order
            ]
            outcomes[order.id] = risk_rules.evaluate(engine_rules, order_facts)
        return outcomes

    def _rental_risk_returning_customer_ids(self):
        """Commercial partners of ``self`` who already had a rental order confirmed (another
        order than these): a customer absent from the result is on a first rental."""
        customers = self.partner_id.commercial_partner_id
        self.env["sale.order"].flush_model(["state", "partner_id", "is_rental_order"])
        self.env.cr.execute(
            """
            SELECT DISTINCT p.commercial_partner_id
              FROM sale_order so
              JOIN res_partner p ON p.id = so.partner_id
             WHERE p.commercial_partner_id = ANY(%s)
               AND so.state = 'sale' AND so.is_rental_order AND so.id != ALL(%s)
            """,
            [customers.ids, self.ids],
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def _rental_risk_prepaid_amounts(self):
        """Hook: {order id: amount paid in advance, order currency}: online payments and paid
        down payments; the deposits feature adds the deposits held for the order."""
        result = {}
        for order in self.sudo():
            paid = order.amount_paid
            downpayments = order.order_line.filtered("is_downpayment")
            for line in downpayments:
                if any(
                    move.state == "posted" and move.payment_state in ("paid", "in_payment")
                    for move in line.invoice_lines.move_id
                ):
                    paid += line.price_unit
            result[order.id] = paid
        return result

    def _rental_risk_asset_values(self):
        """Replacement value of the gear of the order: {"total": sum, "max": highest single
        asset}, from the booked serials when known, else from the product."""
        self.ensure_one()
        total, highest = 0.0, 0.0
        for line in self.order_line.sudo().filtered("is_rental"):
            lots = line.rental_lot_ids
            if lots:
                values = lots.mapped("rental_replacement_value")
            else:
                unit = line.product_id.product_tmpl_id.rental_replacement_value
                values = [unit] * max(int(line.product_uom_qty), 1 if line.product_uom_qty else 0)
            total += sum(values)
            highest = max([highest, *values])
        return {"total": total, "max": highest}

    def _rental_risk_hit_message(self, hit):
        """The reason of ``hit`` and what to do about it, in plain words."""
        self.ensure_one()
        rule = self.env["rental.risk.rule"].sudo().browse(hit.rule.id)
        currency = self.company_id.currency_id
        params = {
            key: format_amount(self.env, value, currency) if isinstance(value, float) else value
            for key, value in hit.params.items()
            if key != "days"
        }
        customer = self.partner_id.commercial_partner_id.sudo()
        condition = hit.rule.condition
        if condition == "blacklisted":
            reason = self.env._(
                "%(customer)s is blacklisted (%(category)s).",
                customer=customer.display_name,
                category=dict(
                    customer._fields["rental_blacklist_category"]._description_selection(self.env)
                ).get(customer.rental_blacklist_category, self.env._("no reason given")),
            )
        elif condition == "blacklist_match":
            reason = self.env._(
                "%(customer)s looks like the blacklisted customer %(match)s (same %(on)s).",
                customer=customer.display_name,
                match=params["match"],
                on=customer.rental_blacklist_match_reason or "",
            )
        elif condition == "grade":
            reason = self.env._(
                "The customer's risk grade is %(grade)s (the rule applies from %(threshold)s).",
                **params,
            )
        elif condition == "over_limit":
            reason = self.env._(
                "With this order the customer's exposure would be %(exposure)s, %(over)s over "
                "the credit limit of %(limit)s.",
                **params,
            )
        elif condition == "overdue":
            reason = self.env._(
                "The customer has %(overdue)s of invoices overdue by more than %(days)s days.",
                overdue=params["overdue"],
                days=hit.params["days"],
            )
        elif condition == "first_rental_value":
            reason = self.env._(
                "First rental of this customer, with gear worth %(value)s (more than %(amount)s).",
                **params,
            )
        elif condition == "kyc_value":
            reason = self.env._(
                "The customer's identity is not verified and the gear is worth %(value)s (more "
                "than %(amount)s).",
                **params,
            )
        else:
            reason = self.env._(
                "An asset of this order is worth %(value)s (more than %(amount)s).", **params
            )
        action = hit.rule.action
        if action == "block":
            todo = self.env._("The order cannot be confirmed until this is cured.")
            if condition in risk_rules.CURED_BY_PREPAYMENT:
                todo = self.env._(
                    "The order cannot be confirmed until this is cured: collect a payment or "
                    "deposit covering the order, or have the customer pay the overdue invoices."
                )
        elif action == "approval":
            todo = self.env._(
                "Confirming sends the order to %(group)s for approval.",
                group=rule.approval_group_id.name,
            )
        elif action == "deposit":
            # Formatted outside the translated call: the .pot extractor evaluates f-strings in it.
            percent = f"{hit.rule.deposit_percent:g}"
            todo = self.env._("Ask a deposit of %(percent)s%% of the order.", percent=percent)
        elif action == "insurance":
            todo = self.env._("The gear of this order must be insured.")
        else:
            todo = ""
        parts = [f"{rule.name}: {reason}", todo, rule.advice or ""]
        return " ".join(part for part in parts if part)

    def _rental_risk_render_panel(self, outcome):
        """HTML of the risk panel: one alert per rule that hits."""
        self.ensure_one()
        if not outcome.hits:
            return Markup('<div class="alert alert-success mb-1" role="status">%s</div>') % (
                self.env._("No risk rule applies to this order.")
            )
        return Markup().join(
            Markup('<div class="alert %s mb-1" role="alert">%s</div>')
            % (PANEL_CLASSES[hit.rule.action], self._rental_risk_hit_message(hit))
            for hit in outcome.hits
        )

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

    def _rental_risk_record_outcome(self):
        """Evaluate the rules and store what they ask (deposit percentage, insurance)."""
        outcomes = self.filtered(lambda o: o.state in ("draft", "sent"))._rental_risk_evaluate()
        for order in self:
            outcome = outcomes.get(order.id)
            if outcome is None:
                continue
            vals = {
                "rental_risk_deposit_percent": outcome.deposit_percent,
                "rental_risk_insurance_required": outcome.insurance_required,
            }
            if any(order[fname] != value for fname, value in vals.items()):
                order.sudo().with_context(rental_risk_no_void=True).write(vals)
        return outcomes

    # ------------------------------------------------------------------
    # Business methods: confirmation check
    # ------------------------------------------------------------------

    def _rental_risk_skip_check(self):
        # Only the benchmark skips the check, and only as superuser: a context key sent over
        # RPC cannot switch the risk rules off.
        return self.env.su and self.env.context.get("rental_risk_skip_check")

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
        if not orders or self._rental_risk_skip_check():
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
            vals = {
                "rental_risk_deposit_percent": outcome.deposit_percent,
                "rental_risk_insurance_required": outcome.insurance_required,
            }
            order.sudo().with_context(rental_risk_no_void=True).write(vals)
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

    def _rental_risk_check_before_confirm(self):
        """Refuse, in ``_action_confirm``, orders that action_confirm did not check and that
        the rules block or hold."""
        if self._rental_risk_skip_check():
            return
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

    # ------------------------------------------------------------------
    # Business methods: approvals
    # ------------------------------------------------------------------

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
        self.sudo().with_context(rental_risk_no_void=True).write(
            {
                "rental_risk_approval_state": "waiting",
                "rental_risk_approval_fingerprint": self._rental_risk_fingerprint(),
                "rental_risk_approval_group_ids": [fields.Command.set(groups.ids)],
                "rental_risk_approval_reasons": reasons,
                "rental_risk_requested_by_id": self.env.user.id,
                "rental_risk_approved_by_id": False,
                "rental_risk_approved_on": False,
                "rental_risk_approval_comment": False,
            }
        )
        self._rental_risk_schedule_approvers(reasons)
        self.env["rental.risk.event"]._log(
            "approval_request", partner=self.partner_id, order=self, details=reasons
        )
        self.message_post(
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
        order = self.sudo().with_context(rental_risk_no_void=True)
        # The approval covers the order as it was held; one edited since then is re-checked.
        if order.rental_risk_approval_fingerprint != order._rental_risk_fingerprint():
            raise UserError(
                self.env._(
                    "%(order)s changed after it was sent for approval; confirm it again to ask "
                    "for a new approval.",
                    order=self.name,
                )
            )
        order.write(
            {
                "rental_risk_approval_state": "approved" if approve else "rejected",
                "rental_risk_approved_by_id": self.env.user.id,
                "rental_risk_approved_on": fields.Datetime.now(),
                "rental_risk_approval_comment": comment,
                "rental_risk_approved_amount": order.amount_total,
            }
        )
        order.activity_unlink(["rental_risk.mail_activity_type_risk_approval"])
        self.env["rental.risk.event"]._log(
            "approval" if approve else "rejection",
            partner=self.partner_id,
            order=self,
            details=comment,
        )
        if approve:
            body = self.env._(
                "Risk approved by %(user)s: %(comment)s", user=self.env.user.name, comment=comment
            )
        else:
            body = self.env._(
                "Risk rejected by %(user)s: %(comment)s", user=self.env.user.name, comment=comment
            )
        self.message_post(body=body, subtype_xmlid="mail.mt_note")
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
                previous = order.rental_risk_approval_state
                order.with_context(rental_risk_no_void=True).write(
                    {
                        "rental_risk_approval_state": "none",
                        "rental_risk_approval_fingerprint": False,
                    }
                )
                order.activity_unlink(["rental_risk.mail_activity_type_risk_approval"])
                self.env["rental.risk.event"]._log(
                    "approval_void",
                    partner=order.partner_id,
                    order=order,
                    details=self.env._(
                        "The order changed; its risk decision (%(state)s) no longer applies.",
                        state=previous,
                    ),
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
        order = self.sudo().with_context(rental_risk_no_void=True)
        reasons = self.env._(
            "The amount rose from %(old)s to %(new)s after the risk approval.",
            old=format_amount(self.env, order.rental_risk_approved_amount, order.currency_id),
            new=format_amount(self.env, order.amount_total, order.currency_id),
        )
        order.write(
            {
                "rental_risk_approval_state": "waiting",
                "rental_risk_approval_fingerprint": order._rental_risk_fingerprint(),
                "rental_risk_approval_reasons": reasons,
                "rental_risk_requested_by_id": self.env.user.id,
            }
        )
        order._rental_risk_schedule_approvers(reasons)
        self.env["rental.risk.event"]._log(
            "approval_void", partner=order.partner_id, order=order, details=reasons
        )
        order.message_post(body=reasons, subtype_xmlid="mail.mt_note")

    rental_deposit_required = fields.Monetary(
        string="Required Deposit",
        compute="_compute_rental_deposit_required",
        help="Replacement value of the rented assets x the customer's grade rate (raised by a "
        "risk rule), at least the company's minimum.",
    )
    rental_deposit_invoiced = fields.Monetary(
        string="Deposit Invoiced", compute="_compute_rental_deposit_ledger"
    )
    rental_deposit_paid = fields.Monetary(
        string="Deposit Paid", compute="_compute_rental_deposit_ledger"
    )
    rental_deposit_applied = fields.Monetary(
        string="Deposit Applied",
        compute="_compute_rental_deposit_ledger",
        help="Part of the deposit used to pay the order's claims, late fees and retention.",
    )
    rental_deposit_refunded = fields.Monetary(
        string="Deposit Refunded", compute="_compute_rental_deposit_ledger"
    )
    rental_deposit_held = fields.Monetary(
        string="Deposit Held",
        compute="_compute_rental_deposit_ledger",
        help="Deposit paid and not yet applied or refunded: the money held for the customer.",
    )
    rental_deposit_settlement_ids = fields.One2many(
        "rental.deposit.settlement", "order_id", string="Deposit Settlements"
    )
    rental_deposit_settled = fields.Boolean(
        string="Deposit Settled", compute="_compute_rental_deposit_settled", store=True
    )
    rental_claim_ids = fields.One2many("rental.damage.claim", "order_id", string="Claims")
    rental_claim_count = fields.Integer(
        string="Claims Count", compute="_compute_rental_claim_count"
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends(
        "order_line.is_rental",
        "order_line.product_uom_qty",
        "order_line.rental_lot_ids",
        "partner_id",
        "company_id.rental_deposit_enabled",
    )
    def _compute_rental_deposit_required(self):
        for order in self:
            order.rental_deposit_required = order._rental_compute_required_deposit()

    def _compute_rental_deposit_ledger(self):
        ledgers = self._rental_deposit_ledgers()
        for order in self:
            ledger = ledgers[order.id]
            order.rental_deposit_invoiced = ledger["invoiced"]
            order.rental_deposit_paid = ledger["paid"]
            order.rental_deposit_applied = ledger["applied"]
            order.rental_deposit_refunded = ledger["refunded"]
            order.rental_deposit_held = ledger["held"]

    @api.depends("rental_deposit_settlement_ids")
    def _compute_rental_deposit_settled(self):
        for order in self:
            order.rental_deposit_settled = bool(order.rental_deposit_settlement_ids)

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

    def action_rental_update_deposit(self):
        """Add or update the deposit line of quotations to the required deposit."""
        self.filtered(lambda o: o.state in ("draft", "sent"))._rental_sync_deposit_line()
        return True

    def action_rental_invoice_deposit(self):
        """Invoice the deposit line alone, so the customer can pay it before the pickup."""
        self.ensure_one()
        lines = self.order_line.filtered(
            lambda line: line.is_rental_deposit and line.qty_to_invoice
        )
        if not lines:
            raise UserError(
                self.env._("The order %(order)s has no deposit left to invoice.", order=self.name)
            )
        invoices = self._rental_invoice_lines(lines)
        return self.action_view_invoice(invoices)

    def action_rental_view_claims(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "rental_risk.rental_damage_claim_action"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"default_order_id": self.id, "default_partner_id": self.partner_id.id}
        return action

    def action_rental_settle_deposit(self):
        """Open the settlement wizard (retention and its reason)."""
        self.ensure_one()
        self._rental_check_settleable()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Settle Deposit"),
            "res_model": "sale.order.settle",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    # ------------------------------------------------------------------
    # Business methods: required deposit and deposit line
    # ------------------------------------------------------------------

    def _rental_get_deposit_rate(self):
        """(grade rate, rule rate) in percent for this order's customer."""
        self.ensure_one()
        company = self.company_id or self.env.company
        grade = self.partner_id.commercial_partner_id.sudo().rental_grade or NEUTRAL_GRADE
        rates = self.env["rental.grade.limit"]._get_deposit_rates(company)
        rule_rate = getattr(self, "rental_risk_deposit_percent", 0.0) or 0.0
        return rates[company.id].get(grade, 0.0), rule_rate

    def _rental_get_deposit_values(self):
        """Replacement values (order currency) of the units rented on the order: the booked
        serials' values, or the product's value for units not assigned a serial yet."""
        self.ensure_one()
        values = []
        for line in self.order_line.filtered(lambda sol: sol.is_rental and not sol.display_type):
            lots = line.rental_lot_ids
            qty = max(int(round(line.product_uom_qty)), len(lots))
            template = line.product_id.product_tmpl_id
            unit_values = lots.mapped("rental_replacement_value")
            unit_values += [template.rental_replacement_value] * (qty - len(lots))
            company = self.company_id or self.env.company
            values += [
                company.currency_id._convert(
                    value, self.currency_id or company.currency_id, company, fields.Date.today()
                )
                for value in unit_values
            ]
        return values

    def _rental_compute_required_deposit(self):
        self.ensure_one()
        if not (self.company_id or self.env.company).rental_deposit_enabled:
            return 0.0
        values = self._rental_get_deposit_values()
        if not values:
            return 0.0
        grade_rate, rule_rate = self._rental_get_deposit_rate()
        company = self.company_id or self.env.company
        minimum = company.currency_id._convert(
            company.rental_deposit_min_amount,
            self.currency_id or company.currency_id,
            company,
            fields.Date.today(),
        )
        return required_deposit(
            values,
            grade_rate,
            minimum=minimum,
            rule_rate=rule_rate,
            digits=(self.currency_id or company.currency_id).decimal_places,
        )

    def _rental_sync_deposit_line(self):
        """Create, update or remove the deposit line of the orders to match the required
        deposit; a deposit line already invoiced is left alone."""
        product = self.env.ref("rental_risk.product_rental_deposit")
        for order in self:
            line = order.order_line.filtered("is_rental_deposit")[:1]
            if line.invoice_lines:
                continue
            amount = order._rental_compute_required_deposit()
            if not amount:
                line.unlink()
                continue
            if line:
                line.write({"price_unit": amount, "product_uom_qty": 1})
                continue
            self.env["sale.order.line"].create(
                {
                    "order_id": order.id,
                    "product_id": product.id,
                    "product_uom_qty": 1,
                    "price_unit": amount,
                    "tax_id": [Command.clear()],
                    "is_rental_deposit": True,
                    "sequence": max(order.order_line.mapped("sequence") or [0]) + 1,
                }
            )

    def _get_invoiceable_lines(self, final=False):
        lines = super()._get_invoiceable_lines(final=final)
        only = self.env.context.get("rental_invoice_line_ids")
        if only is not None:
            lines = lines.filtered(lambda line: line.id in only)
        return lines

    def _rental_invoice_lines(self, lines):
        """Invoice and post only ``lines`` of the order (deposit alone, late fees alone)."""
        self.ensure_one()
        invoices = self.with_context(rental_invoice_line_ids=lines.ids)._create_invoices()
        invoices.action_post()
        return invoices

    # ------------------------------------------------------------------
    # Business methods: ledger (set-based)
    # ------------------------------------------------------------------

    def _rental_deposit_ledgers(self):
        """{order id: {invoiced, paid, applied, refunded, held}} in order currency.

        Invoiced and paid come from the posted invoice lines of the deposit lines (paid in
        proportion to what each invoice has been paid); applied and refunded from the
        settlement credit notes.
        """
        ledgers = defaultdict(
            lambda: {"invoiced": 0.0, "paid": 0.0, "applied": 0.0, "refunded": 0.0, "held": 0.0}
        )
        orders = self.filtered("id")
        if not orders:
            return ledgers
        inv_lines = (
            self.env["account.move.line"]
            .sudo()
            .search(
                [
                    ("sale_line_ids.order_id", "in", orders.ids),
                    ("sale_line_ids.is_rental_deposit", "=", True),
                    ("move_id.state", "=", "posted"),
                    ("move_id.move_type", "in", ("out_invoice", "out_refund")),
                ]
            )
        )
        for aml in inv_lines:
            move = aml.move_id
            order = aml.sale_line_ids.order_id[:1]
            amount = aml.price_total * (-1 if move.move_type == "out_refund" else 1)
            paid_ratio = 1 - move.amount_residual / move.amount_total if move.amount_total else 0.0
            ledgers[order.id]["invoiced"] += amount
            ledgers[order.id]["paid"] += amount * paid_ratio
        for settlement in orders.sudo().rental_deposit_settlement_ids:
            ledgers[settlement.order_id.id]["applied"] += settlement.applied_amount
            ledgers[settlement.order_id.id]["refunded"] += settlement.refund_amount
            # The deposit invoiced but never paid was cancelled by the refund credit note: that
            # reconciliation is not a payment.
            ledgers[settlement.order_id.id]["paid"] -= settlement.unpaid_cancelled_amount
        for order in orders:
            ledger = ledgers[order.id]
            currency = order.currency_id
            for key in ("invoiced", "paid", "applied", "refunded"):
                ledger[key] = currency.round(ledger[key])
            ledger["held"] = currency.round(ledger["paid"] - ledger["applied"] - ledger["refunded"])
        return ledgers

    # ------------------------------------------------------------------
    # Business methods: settlement
    # ------------------------------------------------------------------

    def _rental_check_settleable(self):
        """Refuse a settlement that cannot happen now, before anything is written."""
        self.ensure_one()
        if self.sudo().rental_deposit_settlement_ids:
            raise UserError(
                self.env._(
                    "The deposit of %(order)s is already settled; a deposit is settled once.",
                    order=self.name,
                )
            )
        if self.state != "sale":
            raise UserError(
                self.env._(
                    "Only a confirmed order's deposit can be settled (%(order)s).", order=self.name
                )
            )
        still_out = self.order_line.sudo().rental_booking_ids.filtered(
            lambda b: b.state in ("reserved", "out") and b.lot_id.rental_state != "lost"
        )
        if still_out:
            raise UserError(
                self.env._(
                    "%(serials)s of %(order)s are not returned yet: settle the deposit once all "
                    "the gear is back (or declared lost).",
                    serials=", ".join(still_out.lot_id.mapped("name")),
                    order=self.name,
                )
            )
        pending = self.sudo().rental_claim_ids.filtered(
            lambda c: c.state in ("draft", "assessed", "disputed")
        )
        if pending:
            raise UserError(
                self.env._(
                    "Claims %(claims)s of %(order)s are not decided yet: invoice or waive them "
                    "before settling the deposit.",
                    claims=", ".join(pending.mapped("name")),
                    order=self.name,
                )
            )

    def _rental_get_settlement_charges(self):
        """Open receivable lines the deposit pays, in order: claim invoices, then late fees.

        Returns [(receivable move line, open amount)], amounts in order currency.
        """
        self.ensure_one()
        claim_moves = self.sudo().rental_claim_ids.invoice_id
        late_fee = self.env.ref("rental_risk.product_late_fee")
        fee_moves = self.sudo().invoice_ids.filtered(
            lambda m: m.move_type == "out_invoice" and late_fee in m.invoice_line_ids.product_id
        )
        charges = []
        for move in (claim_moves | fee_moves).sorted(lambda m: (m not in claim_moves, m.id)):
            if move.state != "posted" or move.payment_state in ("paid", "in_payment", "reversed"):
                continue
            for line in move.line_ids.filtered(
                lambda aml: aml.account_id.account_type == "asset_receivable" and not aml.reconciled
            ):
                charges.append((line, line.amount_residual_currency))
        return charges

    def _rental_settle_deposit(self, retention=0.0, reason=None, refund_journal=None):
        """Settle the held deposit of the order, once: pay its claims and late fees with it,
        keep ``retention`` (with ``reason``), refund the rest with a credit note (and a refund
        payment through ``refund_journal`` when given). Returns the settlement record."""
        self.ensure_one()
        self._rental_check_settleable()
        if retention and retention < 0:
            raise UserError(self.env._("The retained amount cannot be negative."))
        if retention and not reason:
            raise UserError(self.env._("Give the reason why part of the deposit is retained."))
        # Late fees charged on return but not invoiced yet are invoiced now, so the deposit
        # can pay them.
        fee_lines = self.order_line.filtered(
            lambda line: line.product_id == self.env.ref("rental_risk.product_late_fee")
            and line.qty_to_invoice > 0
        )
        ledger = self._rental_deposit_ledgers()[self.id]
        held = ledger["held"]
        unpaid = self.currency_id.round(ledger["invoiced"] - ledger["paid"])
        if fee_lines:
            self.sudo()._rental_invoice_lines(fee_lines)
        charges = self._rental_get_settlement_charges()
        try:
            split = settle_deposit(
                held,
                [(index, amount) for index, (_line, amount) in enumerate(charges)],
                retention=retention or 0.0,
                digits=self.currency_id.decimal_places,
            )
        except ValueError as error:
            raise UserError(
                self.env._(
                    "Only %(left)s of the deposit is left after the claims and late fees: "
                    "retain less.",
                    left=self.currency_id.round(held - sum(min(a, held) for _l, a in charges)),
                )
            ) from error
        Move = self.env["account.move"].sudo()
        retention_move = Move
        to_pay = [(charges[index][0], amount) for index, amount in split.applied.items()]
        if split.retained:
            retention_move = Move.create(
                self._rental_prepare_retention_vals(split.retained, reason)
            )
            retention_move.action_post()
            to_pay.append(
                (
                    retention_move.line_ids.filtered(
                        lambda aml: aml.account_id.account_type == "asset_receivable"
                    ),
                    split.retained,
                )
            )
        applied_total = self.currency_id.round(split.applied_total + split.retained)
        applied_move = Move
        if applied_total:
            applied_move = Move.create(self._rental_prepare_deposit_application_vals(to_pay))
            applied_move.action_post()
            credit_lines = applied_move.line_ids.filtered(
                lambda aml: aml.account_id.account_type == "asset_receivable"
            ).sorted("sequence")
            # One pair at a time, in the engine's order: each charge gets exactly its part.
            for credit_line, (charge_line, _amount) in zip(credit_lines, to_pay, strict=True):
                (credit_line | charge_line).reconcile()
        refund_move = Move
        payment = self.env["account.payment"]
        if split.refund or unpaid > 0:
            refund_move = Move.create(
                self._rental_prepare_deposit_credit_vals(
                    split.refund + max(unpaid, 0.0), self.env._("Deposit refund")
                )
            )
            refund_move.action_post()
            if unpaid > 0:
                # The deposit invoiced but never paid is cancelled by the same credit note.
                self._rental_reconcile_unpaid_deposit(refund_move)
            if split.refund and refund_journal:
                payment = self._rental_register_refund_payment(refund_move, refund_journal)
        settlement = (
            self.env["rental.deposit.settlement"]
            .sudo()
            .create(
                {
                    "order_id": self.id,
                    "held_amount": held,
                    "applied_amount": applied_total,
                    "retained_amount": split.retained,
                    "retention_reason": reason or False,
                    "refund_amount": split.refund,
                    "unpaid_cancelled_amount": max(unpaid, 0.0),
                    "applied_move_id": applied_move.id,
                    "refund_move_id": refund_move.id,
                    "retention_move_id": retention_move.id,
                    "payment_id": payment.id,
                }
            )
        )
        # Risk Officers settle orders of any salesperson: the note is posted as them, by sudo.
        self.sudo().message_post(
            body=self.env._(
                "Deposit settled: %(held)s held, %(applied)s applied to claims and fees "
                "(%(retained)s retained), %(refund)s refunded.",
                held=held,
                applied=applied_total,
                retained=split.retained,
                refund=split.refund,
            )
        )
        if "rental.risk.event" in self.env:
            self.env["rental.risk.event"].sudo()._log(
                "deposit_settled",
                partner=self.partner_id,
                order=self,
                details=self.env._(
                    "Deposit settled: %(applied)s applied, %(refund)s refunded.",
                    applied=applied_total,
                    refund=split.refund,
                ),
            )
        self.partner_id.commercial_partner_id.sudo()._rental_risk_rescore()
        return settlement

    def _rental_prepare_deposit_application_vals(self, to_pay):
        """Journal entry paying charges with the held deposit: debit the deposit liability,
        credit the customer's receivable once per charge (``[(receivable line, amount)]``).

        A journal entry rather than a credit note: the claims and fees are paid with the
        customer's money, not cancelled, and Odoo shows an invoice settled by a credit note
        as "reversed" instead of "paid".
        """
        self.ensure_one()
        company = self.company_id
        date = fields.Date.context_today(self)
        journal = self.env["account.journal"].search(
            [*self.env["account.journal"]._check_company_domain(company), ("type", "=", "general")],
            limit=1,
        )
        label = self.env._("Deposit of %(order)s applied", order=self.name)
        partner = self.partner_invoice_id.commercial_partner_id
        line_vals = []
        for sequence, (charge_line, amount) in enumerate(to_pay, start=1):
            balance = self.currency_id._convert(amount, company.currency_id, company, date)
            line_vals.append(
                {
                    "sequence": sequence,
                    "name": self.env._(
                        "%(label)s to %(document)s", label=label, document=charge_line.move_id.name
                    ),
                    "account_id": charge_line.account_id.id,
                    "partner_id": partner.id,
                    "currency_id": self.currency_id.id,
                    "amount_currency": -amount,
                    "balance": -balance,
                }
            )
        line_vals.append(
            {
                "sequence": len(to_pay) + 1,
                "name": label,
                "account_id": company._rental_get_deposit_account().id,
                "partner_id": partner.id,
                "currency_id": self.currency_id.id,
                "amount_currency": sum(amount for _line, amount in to_pay),
                "balance": -sum(vals["balance"] for vals in line_vals),
            }
        )
        return {
            "move_type": "entry",
            "journal_id": journal.id,
            "company_id": company.id,
            "date": date,
            "ref": label,
            "line_ids": [Command.create(vals) for vals in line_vals],
        }

    def _rental_prepare_deposit_credit_vals(self, amount, label):
        """Credit note debiting the deposit liability: the deposit leaves the company's debt to
        the customer and becomes a credit on the customer's receivable."""
        self.ensure_one()
        product = self.env.ref("rental_risk.product_rental_deposit")
        return {
            "move_type": "out_refund",
            "partner_id": self.partner_invoice_id.id,
            "company_id": self.company_id.id,
            "currency_id": self.currency_id.id,
            "invoice_origin": self.name,
            "ref": self.env._("%(label)s - %(order)s", label=label, order=self.name),
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": product.id,
                        "name": self.env._("%(label)s (%(order)s)", label=label, order=self.name),
                        "quantity": 1,
                        "price_unit": amount,
                        "account_id": self.company_id._rental_get_deposit_account().id,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }

    def _rental_prepare_retention_vals(self, amount, reason):
        """Invoice of the retained part of the deposit (income), paid by the deposit."""
        self.ensure_one()
        product = self.env.ref("rental_risk.product_damage_charge")
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_invoice_id.id,
            "company_id": self.company_id.id,
            "currency_id": self.currency_id.id,
            "invoice_origin": self.name,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": product.id,
                        "name": self.env._(
                            "Deposit retained on %(order)s: %(reason)s",
                            order=self.name,
                            reason=reason,
                        ),
                        "quantity": 1,
                        "price_unit": amount,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }

    def _rental_reconcile_unpaid_deposit(self, credit_move):
        deposit_moves = (
            self.order_line.filtered("is_rental_deposit")
            .invoice_lines.move_id.filtered(
                lambda m: m.state == "posted" and m.move_type == "out_invoice"
            )
            .sudo()
        )
        credit_line = credit_move.line_ids.filtered(
            lambda aml: aml.account_id.account_type == "asset_receivable"
        )
        for line in deposit_moves.line_ids.filtered(
            lambda aml: aml.account_id.account_type == "asset_receivable" and not aml.reconciled
        ):
            (credit_line | line).reconcile()

    def _rental_register_refund_payment(self, refund_move, journal):
        """Pay the customer's remaining credit back (an outbound payment reconciled with the
        refund credit note)."""
        return (
            self.env["account.payment.register"]
            .sudo()
            .with_context(active_model="account.move", active_ids=refund_move.ids)
            .create({"journal_id": journal.id, "amount": refund_move.amount_residual})
            ._create_payments()
        )
