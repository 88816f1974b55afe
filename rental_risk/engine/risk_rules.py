"""Evaluation of the risk rules of an order: facts in, hits out. Plain Python: no Odoo import.

The Odoo side gathers the facts of an order with a fixed number of queries (see
``sale.order._rental_risk_evaluate``) and turns the hits into translated messages; this
module only decides which rule hits and what the hits add up to.
"""

from dataclasses import dataclass, field

from .scoring import GRADES

CONDITIONS = (
    "blacklisted",
    "blacklist_match",
    "grade",
    "over_limit",
    "overdue",
    "first_rental_value",
    "kyc_value",
    "asset_value",
    "dunning_hold",
    "warning_line",
)
ACTIONS = ("block", "approval", "deposit", "insurance", "prepayment", "warn")
#: Conditions an order paid in advance cures (the money is already in, nothing is at risk).
CURED_BY_PREPAYMENT = frozenset({"over_limit", "overdue"})
#: Grade of a customer not scored yet: the neutral grade new customers start with.
NEUTRAL_GRADE = "C"


@dataclass(frozen=True)
class Rule:
    """One rule as configured (``rental.risk.rule``), with the parameters its condition uses."""

    id: int
    condition: str
    action: str
    sequence: int = 10
    grade: str = ""
    amount: float = 0.0
    days: int = 0
    deposit_percent: float = 0.0
    group_id: int = 0


@dataclass
class OrderFacts:
    """What the rules look at, for one order, amounts in company currency."""

    blacklisted: bool = False
    blacklist_match: str = ""
    grade: str = ""
    credit_limit: float = 0.0
    exposure_with_order: float = 0.0
    #: {days: overdue receivable older than ``days`` days}, one entry per "overdue" rule.
    overdue_by_days: dict = field(default_factory=dict)
    overdue_tolerance: float = 0.0
    first_rental: bool = False
    replacement_value: float = 0.0
    max_asset_value: float = 0.0
    kyc_verified: bool = False
    #: Name of the dunning level holding the customer's new orders ("" when none).
    dunning_hold: str = ""
    #: Warning line of the customer's grade, in percent of its credit limit (0: none).
    warning_percent: float = 0.0
    prepaid: bool = False
    #: The customer's grade asks its rental orders to be paid before the pickup.
    grade_prepayment: bool = False


@dataclass(frozen=True)
class Hit:
    rule: Rule
    #: Values for the message of the hit (limit, exposure, amount, days...).
    params: dict


@dataclass
class Outcome:
    """What the hits of an order add up to."""

    hits: list
    blocks: list = field(default_factory=list)
    approvals: list = field(default_factory=list)
    deposit_percent: float = 0.0
    insurance_required: bool = False
    prepayment_required: bool = False
    #: The prepayment is asked by the customer's grade (as well as, or instead of, a rule).
    grade_prepayment: bool = False

    @property
    def approval_group_ids(self):
        return sorted({hit.rule.group_id for hit in self.approvals if hit.rule.group_id})


def grade_at_or_below(grade, threshold):
    """True when ``grade`` is ``threshold`` or worse (A best, E worst)."""
    if threshold not in GRADES:
        return False
    return GRADES.index(grade or NEUTRAL_GRADE) >= GRADES.index(threshold)


def rule_hits(rule, facts):
    """The message parameters when ``rule`` hits the order described by ``facts``, else None."""
    condition = rule.condition
    if condition in CURED_BY_PREPAYMENT and facts.prepaid:
        return None
    if condition == "blacklisted":
        return {} if facts.blacklisted else None
    if condition == "blacklist_match":
        return {"match": facts.blacklist_match} if facts.blacklist_match else None
    if condition == "grade":
        grade = facts.grade or NEUTRAL_GRADE
        return (
            {"grade": grade, "threshold": rule.grade}
            if grade_at_or_below(grade, rule.grade)
            else None
        )
    if condition == "over_limit":
        over = round(facts.exposure_with_order - facts.credit_limit, 2)
        if over > 0:
            return {
                "exposure": facts.exposure_with_order,
                "limit": facts.credit_limit,
                "over": over,
            }
        return None
    if condition == "overdue":
        overdue = facts.overdue_by_days.get(rule.days, 0.0)
        if overdue > max(facts.overdue_tolerance, 0.0):
            return {"overdue": overdue, "days": rule.days}
        return None
    if condition == "first_rental_value":
        if facts.first_rental and facts.replacement_value > rule.amount:
            return {"value": facts.replacement_value, "amount": rule.amount}
        return None
    if condition == "kyc_value":
        if not facts.kyc_verified and facts.replacement_value > rule.amount:
            return {"value": facts.replacement_value, "amount": rule.amount}
        return None
    if condition == "asset_value":
        if facts.max_asset_value > rule.amount:
            return {"value": facts.max_asset_value, "amount": rule.amount}
        return None
    if condition == "warning_line":
        line = round(facts.credit_limit * facts.warning_percent / 100, 2)
        if facts.warning_percent > 0 and line < facts.exposure_with_order <= facts.credit_limit:
            return {
                "exposure": facts.exposure_with_order,
                "limit": facts.credit_limit,
                "line": line,
                "percent": facts.warning_percent,
            }
        return None
    if condition == "dunning_hold":
        return {"level": facts.dunning_hold} if facts.dunning_hold else None
    raise ValueError(f"unknown risk condition {condition!r}, expected one of {CONDITIONS}")


def evaluate(rules, facts):
    """Evaluate ``rules`` (any order) against ``facts``: an ``Outcome`` with the hits in rule
    sequence, the blocking and approval hits, the highest deposit percentage asked and whether
    insurance or a payment in advance is required (by a rule or by the customer's grade)."""
    hits = []
    for rule in sorted(rules, key=lambda r: (r.sequence, r.id)):
        params = rule_hits(rule, facts)
        if params is not None:
            hits.append(Hit(rule, params))
    outcome = Outcome(
        hits=hits,
        prepayment_required=facts.grade_prepayment,
        grade_prepayment=facts.grade_prepayment,
    )
    for hit in hits:
        action = hit.rule.action
        if action == "block":
            outcome.blocks.append(hit)
        elif action == "approval":
            outcome.approvals.append(hit)
        elif action == "deposit":
            outcome.deposit_percent = max(outcome.deposit_percent, hit.rule.deposit_percent)
        elif action == "insurance":
            outcome.insurance_required = True
        elif action == "prepayment":
            outcome.prepayment_required = True
        elif action != "warn":
            raise ValueError(f"unknown risk action {action!r}, expected one of {ACTIONS}")
    return outcome
