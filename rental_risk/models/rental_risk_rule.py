from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError

from ..engine import risk_rules
from .rental_score_history import GRADE_SELECTION

CONDITION_SELECTION = [
    ("blacklisted", "Customer is blacklisted"),
    ("blacklist_match", "Possible blacklist match"),
    ("grade", "Grade at or below"),
    ("over_limit", "Exposure with this order above the credit limit"),
    ("overdue", "Overdue receivables older than N days"),
    ("first_rental_value", "First rental and replacement value above an amount"),
    ("kyc_value", "Identity not verified and replacement value above an amount"),
    ("asset_value", "A single asset above a value"),
    ("dunning_hold", "Customer held by a dunning level"),
    ("warning_line", "Exposure with this order above the grade's warning line"),
]
ACTION_SELECTION = [
    ("block", "Block"),
    ("approval", "Require approval"),
    ("deposit", "Require a deposit"),
    ("insurance", "Require insurance"),
    ("prepayment", "Require prepayment"),
    ("warn", "Warn only"),
]
#: Rules every company starts with (key, values); users edit or switch them off afterwards.
DEFAULT_RULES = [
    ("blacklisted", {"sequence": 10, "condition": "blacklisted", "action": "block"}),
    (
        "blacklist_match",
        {"sequence": 20, "condition": "blacklist_match", "action": "approval"},
    ),
    ("grade_e", {"sequence": 30, "condition": "grade", "grade": "E", "action": "block"}),
    (
        "grade_d",
        {
            "sequence": 40,
            "condition": "grade",
            "grade": "D",
            "action": "approval",
            "group_xmlid": "rental_risk.rental_risk_group_officer",
        },
    ),
    # Over the limit, an order waits "until the credit department approves" it.
    (
        "over_limit",
        {
            "sequence": 50,
            "condition": "over_limit",
            "action": "approval",
            "group_xmlid": "rental_risk.rental_risk_group_officer",
        },
    ),
    ("overdue", {"sequence": 60, "condition": "overdue", "days": 30, "action": "block"}),
    (
        "first_rental",
        {
            "sequence": 70,
            "condition": "first_rental_value",
            "amount": 10000.0,
            "action": "deposit",
            "deposit_percent": 30.0,
            # Deposits are off by default: shipped inactive, and named for what it needs.
            "active": False,
        },
    ),
    (
        "kyc",
        {
            "sequence": 80,
            "condition": "kyc_value",
            "amount": 20000.0,
            "action": "approval",
            "group_xmlid": "rental_risk.rental_risk_group_officer",
        },
    ),
    (
        "asset_value",
        {"sequence": 90, "condition": "asset_value", "amount": 50000.0, "action": "insurance"},
    ),
    # Before the limit holds an order, the warning line warns the salesperson and the officers.
    (
        "warning_line",
        {"sequence": 45, "condition": "warning_line", "action": "warn"},
    ),
    # A dunning level that holds new orders sends them to credit control.
    (
        "dunning_hold",
        {
            "sequence": 65,
            "condition": "dunning_hold",
            "action": "approval",
            "group_xmlid": "rental_risk.rental_risk_group_officer",
        },
    ),
]


class RentalRiskRule(models.Model):
    _name = "rental.risk.rule"
    _description = "Rental Risk Rule"
    _order = "company_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    condition = fields.Selection(CONDITION_SELECTION, required=True)
    # Rental orders only by default: a company that also sells through Odoo keeps its ordinary
    # quotations and deliveries exactly as standard Odoo handles them.
    applies_to = fields.Selection(
        [("rental", "Rental orders"), ("all", "All sales orders")],
        required=True,
        default="rental",
        help="Rental orders: only orders with rental lines are checked. All sales orders: "
        "ordinary sales are checked too.",
    )
    grade = fields.Selection(
        GRADE_SELECTION, help="The rule hits customers graded this or worse (A best, E worst)."
    )
    amount = fields.Monetary(
        currency_field="currency_id",
        help="Replacement value (first rental, identity) or single asset value above which the "
        "rule hits, in company currency.",
    )
    days = fields.Integer(help="Receivables overdue for more than this many days make it hit.")
    action = fields.Selection(ACTION_SELECTION, required=True, default="warn")
    approval_group_id = fields.Many2one(
        "res.groups",
        string="Approvers",
        default=lambda self: self.env.ref(
            "rental_risk.rental_risk_group_manager", raise_if_not_found=False
        ),
        help="Members of this group may approve an order this rule holds (not its salesperson).",
    )
    deposit_percent = fields.Float(
        string="Deposit %", help="Deposit asked, in percent of the order's total."
    )
    advice = fields.Text(
        string="What to Do",
        translate=True,
        help="Shown to the salesperson under the reason: how to cure the problem.",
    )
    default_key = fields.Char(
        readonly=True, copy=False, help="Marks a rule shipped by default for the company."
    )

    _sql_constraints = [
        (
            "default_key_company_uniq",
            "unique(company_id, default_key)",
            "A company has each default rule once.",
        )
    ]

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

    @api.constrains("condition", "grade", "amount", "days", "action", "deposit_percent")
    def _check_parameters(self):
        for rule in self:
            if rule.condition == "grade" and not rule.grade:
                raise ValidationError(
                    self.env._(
                        "Choose the grade from which the rule %(rule)s hits.", rule=rule.name
                    )
                )
            if rule.amount < 0 or rule.days < 0:
                raise ValidationError(
                    self.env._(
                        "The amount and the days of the rule %(rule)s cannot be negative.",
                        rule=rule.name,
                    )
                )
            if rule.action == "approval" and not rule.approval_group_id:
                raise ValidationError(
                    self.env._(
                        "Choose who approves the orders the rule %(rule)s holds.", rule=rule.name
                    )
                )
            if rule.action == "deposit" and not 0 < rule.deposit_percent <= 100:
                raise ValidationError(
                    self.env._(
                        "The deposit of the rule %(rule)s must be between 0 and 100 percent.",
                        rule=rule.name,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD: every change of a rule is in the audit trail
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        rules = super().create(vals_list)
        for rule in rules:
            rule._rental_log_change(self.env._("Rule %(rule)s created.", rule=rule.name))
        return rules

    def write(self, vals):
        self.env.registry.clear_cache()
        before = {rule.id: rule._rental_audit_values(vals) for rule in self}
        res = super().write(vals)
        for rule in self:
            changes = [
                f"{label}: {old} -> {new}"
                for (label, old), (_label, new) in zip(
                    before[rule.id], rule._rental_audit_values(vals), strict=True
                )
                if old != new
            ]
            if changes:
                rule._rental_log_change(
                    self.env._(
                        "Rule %(rule)s changed: %(changes)s",
                        rule=rule.name,
                        changes="; ".join(changes),
                    )
                )
        return res

    @api.ondelete(at_uninstall=False)
    def _log_unlink(self):
        self.env.registry.clear_cache()
        for rule in self:
            rule._rental_log_change(self.env._("Rule %(rule)s deleted.", rule=rule.name))

    def _rental_audit_values(self, vals):
        """[(label, value as text)] of the fields ``vals`` writes, for the audit trail."""
        self.ensure_one()
        described = self.fields_get(sorted(vals), ["string"])
        return [
            (
                described[fname]["string"],
                str(self[fname].display_name)
                if isinstance(self[fname], models.BaseModel)
                else str(self[fname]),
            )
            for fname in sorted(vals)
            if fname in described
        ]

    def _rental_log_change(self, details):
        self.ensure_one()
        self.env["rental.risk.event"]._log(
            "rule_change", company=self.company_id, rule=self, details=details
        )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _get_engine_rule(self):
        """The rule as the engine sees it."""
        self.ensure_one()
        return risk_rules.Rule(
            id=self.id,
            condition=self.condition,
            action=self.action,
            sequence=self.sequence,
            grade=self.grade or "",
            amount=self.amount,
            days=self.days,
            deposit_percent=self.deposit_percent,
            group_id=self.approval_group_id.id,
        )

    @api.model
    def _get_active_rules(self, company):
        """Active rules of ``company``. Deposit rules count only where the company asks
        deposits: with Rental Deposits off they would promise a deposit nothing collects."""
        domain = [("company_id", "=", company.id)]
        if not company.rental_deposit_enabled:
            domain.append(("action", "!=", "deposit"))
        return self.sudo().search(domain)

    @api.model
    def _get_engine_rules(self, company):
        """((engine rule, applies to), ...) of the active rules of ``company``, cached: every
        confirmation reads them, and they change seldom (any change clears the cache)."""
        return self._engine_rules_cached(company.id, bool(company.rental_deposit_enabled))

    @api.model
    @tools.ormcache("company_id", "deposits")
    def _engine_rules_cached(self, company_id, deposits):
        company = self.env["res.company"].browse(company_id)
        return tuple(
            (rule._get_engine_rule(), rule.applies_to) for rule in self._get_active_rules(company)
        )

    @api.model
    def _default_rule_names(self):
        return {
            "blacklisted": self.env._("Blacklisted customer"),
            "blacklist_match": self.env._("Looks like a blacklisted customer"),
            "grade_e": self.env._("Grade E"),
            "grade_d": self.env._("Grade D"),
            "over_limit": self.env._("Over the credit limit"),
            "overdue": self.env._("Invoices overdue by more than 30 days"),
            "first_rental": self.env._("First rental of valuable gear (needs Rental Deposits)"),
            "kyc": self.env._("Identity not verified for valuable gear"),
            "asset_value": self.env._("Very valuable asset"),
            "dunning_hold": self.env._("Orders held by dunning"),
            "warning_line": self.env._("Warning line of the credit limit"),
        }

    @api.model
    def _create_default_rules(self, companies=None):
        """Give ``companies`` (all by default) the default rules they do not have yet. Rules
        already there are left as the users set them (and deleted ones are not recreated as
        long as an archived copy remains)."""
        # A handful of companies at most: all of them get their default rules.
        companies = companies or self.env["res.company"].search([])  # pylint: disable=no-search-all
        existing = {
            (rule.company_id.id, rule.default_key)
            for rule in self.sudo()
            .with_context(active_test=False)
            .search([("company_id", "in", companies.ids), ("default_key", "!=", False)])
        }
        names = self._default_rule_names()
        vals_list = []
        for company in companies:
            for key, values in DEFAULT_RULES:
                if (company.id, key) in existing:
                    continue
                vals = dict(values, name=names[key], company_id=company.id, default_key=key)
                group_xmlid = vals.pop("group_xmlid", "rental_risk.rental_risk_group_manager")
                vals["approval_group_id"] = self.env.ref(group_xmlid).id
                vals_list.append(vals)
        return self.sudo().create(vals_list)
