"""Plain tests of the risk rule evaluation (no Odoo)."""

import pytest
from engine.risk_rules import OrderFacts, Rule, evaluate, grade_at_or_below, rule_hits


def rule(condition, action="block", **kw):
    return Rule(id=kw.pop("id", 1), condition=condition, action=action, **kw)


def test_grade_at_or_below():
    assert grade_at_or_below("E", "D")
    assert grade_at_or_below("D", "D")
    assert not grade_at_or_below("C", "D")
    assert not grade_at_or_below("", "D")  # unscored customers count as neutral C
    assert not grade_at_or_below("A", "X")


@pytest.mark.parametrize(
    ("the_rule", "facts", "hits"),
    [
        (rule("blacklisted"), OrderFacts(blacklisted=True), True),
        (rule("blacklisted"), OrderFacts(), False),
        (rule("blacklist_match"), OrderFacts(blacklist_match="Fraudster"), True),
        (rule("grade", grade="D"), OrderFacts(grade="E"), True),
        (rule("over_limit"), OrderFacts(credit_limit=100, exposure_with_order=100.01), True),
        (rule("over_limit"), OrderFacts(credit_limit=100, exposure_with_order=100), False),
        (
            rule("over_limit"),
            OrderFacts(credit_limit=0, exposure_with_order=5, prepaid=True),
            False,
        ),
        (rule("overdue", days=30), OrderFacts(overdue_by_days={30: 50.0}), True),
        (
            rule("overdue", days=30),
            OrderFacts(overdue_by_days={30: 5.0}, overdue_tolerance=10.0),
            False,
        ),
        (
            rule("overdue", days=30),
            OrderFacts(overdue_by_days={30: 50.0}, prepaid=True),
            False,
        ),
        (
            rule("first_rental_value", amount=1000),
            OrderFacts(first_rental=True, replacement_value=1500),
            True,
        ),
        (
            rule("first_rental_value", amount=1000),
            OrderFacts(first_rental=False, replacement_value=1500),
            False,
        ),
        (rule("kyc_value", amount=1000), OrderFacts(replacement_value=1500), True),
        (
            rule("kyc_value", amount=1000),
            OrderFacts(replacement_value=1500, kyc_verified=True),
            False,
        ),
        (rule("asset_value", amount=1000), OrderFacts(max_asset_value=1000.5), True),
        (rule("asset_value", amount=1000), OrderFacts(max_asset_value=1000), False),
    ],
)
def test_conditions(the_rule, facts, hits):
    assert (rule_hits(the_rule, facts) is not None) == hits


def test_outcome_adds_up_actions_in_sequence():
    rules = [
        rule("asset_value", "deposit", id=1, sequence=30, amount=0, deposit_percent=20),
        rule("asset_value", "deposit", id=2, sequence=20, amount=0, deposit_percent=35),
        rule("asset_value", "insurance", id=3, sequence=10, amount=0),
        rule("asset_value", "approval", id=4, sequence=40, amount=0, group_id=7),
        rule("asset_value", "approval", id=5, sequence=50, amount=0, group_id=9),
        rule("asset_value", "warn", id=6, sequence=60, amount=0),
        rule("blacklisted", "block", id=7, sequence=5),
    ]
    outcome = evaluate(rules, OrderFacts(max_asset_value=10))
    assert [hit.rule.id for hit in outcome.hits] == [3, 2, 1, 4, 5, 6]
    assert outcome.deposit_percent == 35
    assert outcome.insurance_required
    assert outcome.approval_group_ids == [7, 9]
    assert not outcome.blocks


def test_unknown_condition_is_an_error():
    with pytest.raises(ValueError, match="unknown risk condition"):
        rule_hits(rule("moon_phase"), OrderFacts())


def test_warning_line_between_line_and_limit():
    warn = rule("warning_line", "warn")
    facts = OrderFacts(credit_limit=1000.0, warning_percent=80.0)
    for exposure, hits in (
        (700.0, False),
        (800.0, False),
        (800.01, True),
        (1000.0, True),
        (1000.01, False),
    ):
        facts.exposure_with_order = exposure
        assert (rule_hits(warn, facts) is not None) is hits, exposure
    facts.warning_percent = 0.0
    facts.exposure_with_order = 990.0
    assert rule_hits(warn, facts) is None


def test_grade_prepayment_without_any_rule():
    """The grade alone asks a payment in advance; a prepayment rule asks it too."""
    outcome = evaluate([], OrderFacts(grade="D", grade_prepayment=True))
    assert outcome.prepayment_required and outcome.grade_prepayment
    assert not outcome.hits
    outcome = evaluate([rule("grade", "prepayment", grade="D")], OrderFacts(grade="D"))
    assert outcome.prepayment_required and not outcome.grade_prepayment
    assert not evaluate([], OrderFacts(grade="D")).prepayment_required
