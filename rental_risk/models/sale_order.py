import hashlib
import json

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare, format_amount

from ..engine import risk_rules

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
            engine_rules = [rule._get_engine_rule() for rule in rules_by_company[order.company_id]]
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
            todo = self.env._(
                "Ask a deposit of %(percent)s%% of the order.",
                percent=f"{hit.rule.deposit_percent:g}",
            )
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
