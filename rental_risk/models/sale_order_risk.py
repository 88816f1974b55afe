from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import float_compare, format_amount

from ..engine import risk_rules
from .rental_score_history import GRADE_SELECTION

USER_GROUP = "rental_risk.rental_risk_group_user"
#: Alert class of the risk panel per rule action.
PANEL_CLASSES = {
    "block": "alert-danger",
    "approval": "alert-warning",
    "deposit": "alert-info",
    "insurance": "alert-info",
    "prepayment": "alert-info",
    "warn": "alert-secondary",
}


class SaleOrder(models.Model):
    _inherit = "sale.order"

    rental_risk_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Risk Currency"
    )
    rental_risk_not_scored = fields.Boolean(
        string="Not Scored Yet",
        compute="_compute_rental_risk_grade",
        compute_sudo=True,
        groups=USER_GROUP,
        help="The customer has no score yet: the rules check it against the credit limit "
        "of a new customer (grade C).",
    )
    rental_risk_grade = fields.Selection(
        GRADE_SELECTION,
        string="Customer Risk Grade",
        compute="_compute_rental_risk_grade",
        compute_sudo=True,
        groups=USER_GROUP,
        help="The customer's grade in the company of the order.",
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
        help="A risk rule asks for insurance of the gear of this order: the pickup waits for "
        "a proof of insurance or an insurance product on the order.",
    )
    rental_risk_prepayment_required = fields.Boolean(
        string="Prepayment Required",
        readonly=True,
        copy=False,
        help="A risk rule asks the order to be paid in advance: the pickup waits for the "
        "payment.",
    )
    rental_insurance_proof_ids = fields.Many2many(
        "ir.attachment",
        "sale_order_rental_insurance_proof_rel",
        "order_id",
        "attachment_id",
        string="Proof of Insurance",
        copy=False,
        help="The customer's insurance certificate covering the rented gear.",
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("partner_id", "company_id")
    def _compute_rental_risk_grade(self):
        for order in self:
            customer = order.partner_id.commercial_partner_id
            company = order.company_id or self.env.company
            order.rental_risk_grade = customer.with_company(company).rental_grade
            order.rental_risk_not_scored = bool(customer) and not order.rental_risk_grade

    @api.depends("partner_id", "amount_total", "state", "currency_rate", "company_id")
    def _compute_rental_risk_exposure(self):
        # Each order is measured in its own company: that company's facts, limit and currency.
        exposures = {}
        for company in self.company_id or self.env.company:
            customers = self.filtered(
                lambda o, c=company: (o.company_id or self.env.company) == c
            ).partner_id.commercial_partner_id
            exposures[company] = self.env["rental.credit.facts"]._get_exposure(
                customers._origin.ids, company
            )
        for order in self:
            company = order.company_id or self.env.company
            customer = order.partner_id.commercial_partner_id.with_company(company)
            exposure = exposures[company].get(customer._origin.id, {}).get("total", 0.0)
            counted = order.state == "sale"
            amount = 0.0
            if not counted and order.state != "cancel":
                amount = order.company_id.currency_id.round(
                    order.amount_total / (order.currency_rate or 1.0)
                )
            # The limit the rules use: a customer not scored yet has the new customers' one.
            limit = customer._rental_risk_effective_limit() if customer else 0.0
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

    # ------------------------------------------------------------------
    # Onchanges
    # ------------------------------------------------------------------

    @api.onchange("partner_id")
    def _onchange_partner_id_rental_blacklist(self):
        """Warn the salesperson as soon as a blacklisted customer is chosen, before any work
        goes into a quotation that cannot be confirmed."""
        customer = self.partner_id.commercial_partner_id.sudo()
        if not customer or not customer.rental_blacklisted:
            return None
        category = dict(
            customer._fields["rental_blacklist_category"]._description_selection(self.env)
        ).get(customer.rental_blacklist_category, self.env._("no reason given"))
        return {
            "warning": {
                "title": self.env._("Blacklisted customer"),
                "message": self.env._(
                    "%(customer)s is blacklisted (%(reason)s): an order for this customer "
                    "cannot be confirmed and no rental gear is handed out. Only a Risk Manager "
                    "can lift the blacklist.",
                    customer=customer.display_name,
                    reason=category,
                ),
                "type": "dialog",
            }
        }

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_quotation_sent(self):
        self._rental_risk_record_outcome()
        return super().action_quotation_sent()

    def action_quotation_send(self):
        self._rental_risk_record_outcome()
        return super().action_quotation_send()

    def action_rental_risk_check(self):
        """Evaluate the risk rules now, record the deposit and insurance they ask, and say what
        was found (the panel reloads with it)."""
        self._rental_ensure_one()
        outcome = self._rental_risk_record_outcome().get(self.id)
        hits = outcome.hits if outcome else []
        if not hits:
            return self._rental_notification(
                self.env._("Risk checked"),
                self.env._("No risk rule applies to %(order)s.", order=self.name),
                "success",
            )
        actions = {hit.rule.action for hit in hits}
        kind = "danger" if "block" in actions else "warning"
        return self._rental_notification(
            self.env._("Risk checked"),
            self.env._(
                "%(count)s risk rule(s) apply to %(order)s: %(reasons)s",
                count=len(hits),
                order=self.name,
                reasons=" ".join(self._rental_risk_hit_message(hit) for hit in hits),
            ),
            kind,
        )

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
            company: self.env["rental.risk.rule"]._get_engine_rules(company)
            for company in orders.company_id
        }
        overdue_days = {
            rule.days
            for rules in rules_by_company.values()
            for rule, _applies_to in rules
            if rule.condition == "overdue"
        }
        customers = orders.partner_id.commercial_partner_id.sudo()
        for company in orders.company_id:
            # Only the figures the rules read: reading one field of a customer as another
            # company sees it would fetch all its company-dependent fields (its pricelist
            # and accounts included), the costliest query of the check.
            customers.with_company(company).fetch(["rental_grade", "rental_credit_limit"])
        facts = {
            company: self.env["rental.credit.facts"]._current_facts(
                orders.filtered(
                    lambda o, c=company: o.company_id == c
                ).partner_id.commercial_partner_id.ids,
                overdue_days,
                company,
            )
            for company in orders.company_id
        }
        # Only what an active rule reads is read: most confirmations never need the customer's
        # rental history nor the payments of the order.
        conditions = {rule.condition for rules in rules_by_company.values() for rule, _a in rules}
        returning = set()
        if "first_rental_value" in conditions:
            returning = orders._rental_risk_returning_customer_ids()
        warning_percents = {}
        if "warning_line" in conditions:
            warning_percents = self.env["rental.grade.limit"]._get_warning_percents(
                orders.company_id
            )
        dunning = {}
        if "dunning_hold" in conditions:
            for company in orders.company_id:
                dunning[company] = (
                    self.env["rental.dunning.line"].sudo()._current_levels(customers.ids, company)
                )
        added = {
            (company.id, customer.id): 0.0
            for company in orders.company_id
            for customer in customers
        }
        outcomes = {}
        for order in orders:
            # The customer as the order's company sees it: its grade and limit there.
            customer = order.partner_id.commercial_partner_id.sudo().with_company(order.company_id)
            if order.state in ("draft", "sent"):
                added[order.company_id.id, customer.id] += order.company_id.currency_id.round(
                    order.amount_total / (order.currency_rate or 1.0)
                )
            order_facts = order._rental_risk_order_facts(
                customer,
                facts[order.company_id].get(customer.id, {}),
                added[order.company_id.id, customer.id],
                customer.id not in returning,
            )
            level_id, hold_orders, _hold_pickups = dunning.get(order.company_id, {}).get(
                customer.id, (False, False, False)
            )
            if warning_percents:
                order_facts.warning_percent = warning_percents[order.company_id.id].get(
                    customer.rental_grade or risk_rules.NEUTRAL_GRADE, 0.0
                )
            if hold_orders:
                order_facts.dunning_hold = (
                    self.env["rental.dunning.level"].sudo().browse(level_id).display_name
                )
            engine_rules = [
                rule
                for rule, applies_to in rules_by_company[order.company_id]
                if applies_to == "all" or order.is_rental_order
            ]
            outcome = risk_rules.evaluate(engine_rules, order_facts)
            if any(hit.rule.condition in risk_rules.CURED_BY_PREPAYMENT for hit in outcome.hits):
                # A payment in advance cures these hits: look at the order's payments now.
                paid = order._rental_risk_prepaid_amounts().get(order.id, 0.0)
                order_facts.prepaid = (
                    order.amount_total > 0
                    and float_compare(
                        paid, order.amount_total, precision_rounding=order.currency_id.rounding
                    )
                    >= 0
                )
                outcome = risk_rules.evaluate(engine_rules, order_facts)
            outcomes[order.id] = outcome
        return outcomes

    def _rental_risk_order_facts(self, customer, customer_facts, added, first_rental):
        """What the rules look at for this order (``customer`` as its company sees it):
        ``customer_facts`` from the facts readers, ``added`` the amount of the orders checked
        with it, not counted in the exposure yet."""
        self.ensure_one()
        values = self._rental_risk_asset_values()
        match = customer.rental_blacklist_match_id
        currency = self.company_id.currency_id
        return risk_rules.OrderFacts(
            blacklisted=customer.rental_blacklisted,
            blacklist_match=match.display_name if match and match.rental_blacklisted else "",
            grade=customer.rental_grade or "",
            credit_limit=customer._rental_risk_effective_limit(),
            exposure_with_order=currency.round(
                customer_facts.get("exposure", {}).get("total", 0.0) + added
            ),
            overdue_by_days=customer_facts.get("overdue", {}),
            overdue_tolerance=self.company_id.rental_risk_overdue_min_amount,
            first_rental=first_rental,
            replacement_value=values["total"],
            max_asset_value=values["max"],
            kyc_verified=customer.rental_kyc_verified,
        )

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
        parts = [
            f"{rule.name}: {self._rental_risk_hit_reason(hit)}",
            self._rental_risk_hit_todo(hit, rule),
            rule.advice or "",
        ]
        return " ".join(part for part in parts if part)

    def _rental_risk_hit_reason(self, hit):
        """Why the rule of ``hit`` applies to this order, with its figures."""
        self.ensure_one()
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
        elif condition == "warning_line":
            reason = self.env._(
                "With this order the customer's exposure reaches %(exposure)s, above the "
                "warning line of %(percent)s %% of its credit limit of %(limit)s.",
                exposure=params["exposure"],
                limit=params["limit"],
                percent=hit.params["percent"],
            )
        elif condition == "dunning_hold":
            reason = self.env._(
                "Overdue invoices reached the dunning level %(level)s, which holds new orders "
                "until they are paid.",
                **params,
            )
        else:
            reason = self.env._(
                "An asset of this order is worth %(value)s (more than %(amount)s).", **params
            )
        return reason

    def _rental_risk_hit_todo(self, hit, rule):
        """What the rule of ``hit`` asks to do about it ("" for a mere warning)."""
        action = hit.rule.action
        if action == "block":
            todo = self.env._("The order cannot be confirmed until this is cured.")
            if hit.rule.condition in risk_rules.CURED_BY_PREPAYMENT:
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
        elif action == "prepayment":
            todo = self.env._(
                "The order must be paid in advance: its pickup waits until it is paid."
            )
        else:
            todo = ""
        return todo

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

    def _rental_risk_record_outcome(self):
        """Evaluate the rules and store what they ask (deposit percentage, insurance)."""
        outcomes = self.filtered(lambda o: o.state in ("draft", "sent"))._rental_risk_evaluate()
        for order in self:
            outcome = outcomes.get(order.id)
            if outcome is None:
                continue
            order._rental_risk_store_requirements(outcome)
        return outcomes

    def _rental_risk_store_requirements(self, outcome):
        """Store what the rules that hit ask of the order (deposit percentage, insurance): the
        rules alone write these fields."""
        self.ensure_one()
        vals = {
            "rental_risk_deposit_percent": outcome.deposit_percent,
            "rental_risk_insurance_required": outcome.insurance_required,
            "rental_risk_prepayment_required": outcome.prepayment_required,
        }
        if any(self[fname] != value for fname, value in vals.items()):
            with self.env["rental.risk.decision"]._open_guard():
                self.sudo().write(vals)
