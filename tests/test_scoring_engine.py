"""Unit and property tests of the Odoo-free credit scoring engine (rental_risk/engine)."""

import dataclasses
import re

import pytest
from engine.scoring import (
    DEFAULT_CONFIG,
    FACTORS,
    CustomerFacts,
    GradeTable,
    ScoringConfig,
    explain,
    grade_drop,
    moving_reasons,
    score_and_grade,
    score_customer,
)
from hypothesis import given, settings
from hypothesis import strategies as st

PROPERTY = settings(max_examples=200, deadline=None, derandomize=True, database=None)

# A customer with solid history and nothing negative: the reference "good" customer.
GOOD_HISTORY = {
    "invoiced_amount": 40000.0,
    "tenure_days": 730,
    "completed_rentals": 10,
    "paid_volume": 25000.0,
}


def _points(result, code):
    return next(c.points for c in result.contributions if c.code == code)


def _contribution(result, code):
    return next(c for c in result.contributions if c.code == code)


# ---------------------------------------------------------------------------------------------
# Grades for typical customers
# ---------------------------------------------------------------------------------------------


def test_new_customer_gets_neutral_grade():
    """A customer with no invoice and no rental scores the base and gets the neutral grade C."""
    result = score_customer(CustomerFacts())
    assert result.new_customer
    assert result.score == DEFAULT_CONFIG.base_score == 55
    assert result.grade == "C"
    assert all(c.points == 0 for c in result.contributions)


def test_new_verified_customer_stays_neutral():
    """KYC alone does not lift a new customer out of the neutral grade."""
    result = score_customer(CustomerFacts(kyc_verified=True))
    assert result.score == 60
    assert result.grade == "C"


def test_new_customer_tenure_is_not_rewarded():
    """Tenure without any invoice or completed rental is not history and earns nothing."""
    result = score_customer(CustomerFacts(tenure_days=5000))
    assert _points(result, "tenure") == 0
    assert result.grade == "C"


def test_perfect_payer_gets_grade_a():
    """Paying on time with a solid history and verified identity earns an A."""
    facts = CustomerFacts(**GOOD_HISTORY, kyc_verified=True, open_balance=2000.0)
    result = score_customer(facts)
    assert not result.new_customer
    assert result.grade == "A"
    assert all(c.points >= 0 for c in result.contributions)


def test_long_standing_perfect_customer_reaches_100():
    """With every bonus at its full threshold the default weights add up to exactly 100."""
    facts = CustomerFacts(
        invoiced_amount=80000.0,
        paid_volume=80000.0,
        tenure_days=2000,
        completed_rentals=40,
        kyc_verified=True,
    )
    assert score_customer(facts).score == 100


def test_chronic_late_payer_gets_grade_d_or_e():
    """Paying two months late with old debt outstanding drags a decent history to D or E."""
    facts = CustomerFacts(
        **GOOD_HISTORY,
        weighted_days_late=60,
        open_balance=10000.0,
        overdue_balance=7000.0,
        overdue_30=5000.0,
        overdue_60=3000.0,
        overdue_90=2000.0,
        recent_days_late=70,
        older_days_late=40,
    )
    assert score_customer(facts).grade in ("D", "E")


def test_blacklist_caps_grade_at_e():
    """A blacklisted customer is graded E however good the rest of the record is."""
    facts = CustomerFacts(**GOOD_HISTORY, kyc_verified=True, blacklisted=True)
    result = score_customer(facts)
    assert result.grade == "E"
    assert result.capped_by_blacklist
    assert result.score == DEFAULT_CONFIG.grades.e_max_score == 34


def test_blacklist_cap_is_an_explicit_contribution():
    """The blacklist cap appears as its own negative contribution so the points still add up."""
    facts = CustomerFacts(**GOOD_HISTORY, blacklisted=True)
    result = score_customer(facts)
    uncapped = score_customer(dataclasses.replace(facts, blacklisted=False))
    assert _points(result, "blacklist") == result.score - uncapped.score < 0
    assert result.base + sum(c.points for c in result.contributions) == result.score


def test_blacklist_keeps_a_score_already_below_the_cap():
    """Blacklisting a customer already in E leaves the score alone but still forces E."""
    facts = CustomerFacts(weighted_days_late=90, lost_assets=3, damage_count=4, blacklisted=True)
    result = score_customer(facts)
    assert result.score < 34
    assert _points(result, "blacklist") == 0
    assert result.grade == "E"


def test_kyc_adds_points():
    """A verified identity adds the KYC weight to the score."""
    facts = CustomerFacts(**GOOD_HISTORY)
    verified = score_customer(dataclasses.replace(facts, kyc_verified=True))
    assert verified.score - score_customer(facts).score == DEFAULT_CONFIG.kyc_weight
    assert _points(verified, "kyc") == 5


def test_early_payments_count_as_on_time():
    """Negative days late (paid early) are accepted and count as on time, without a bonus."""
    result = score_customer(CustomerFacts(**GOOD_HISTORY, weighted_days_late=-12))
    assert _points(result, "payment_delay") == 0
    assert _contribution(result, "payment_delay").detail == "pays on time on average"


def test_small_overdue_residual_is_tolerated():
    """An overdue residual below overdue_min_amount (bank fees, write-offs) costs nothing."""
    facts = CustomerFacts(
        **GOOD_HISTORY, open_balance=5.0, overdue_balance=5.0, overdue_30=5.0, overdue_90=0.0
    )
    result = score_customer(facts)
    assert _points(result, "overdue_share") == 0
    assert _points(result, "aged_overdue") == 0


def test_worsening_payment_trend_is_penalised():
    """Paying later recently than before costs points even at the same average delay."""
    steady = CustomerFacts(
        **GOOD_HISTORY, weighted_days_late=10, recent_days_late=10, older_days_late=10
    )
    worse = dataclasses.replace(steady, recent_days_late=30, older_days_late=2)
    assert _points(score_customer(steady), "payment_trend") == 0
    assert _points(score_customer(worse), "payment_trend") < 0


def test_late_returns_are_judged_as_a_share_of_rentals():
    """The same number of late returns costs less to a customer with many more rentals."""
    few = CustomerFacts(**{**GOOD_HISTORY, "completed_rentals": 6}, late_returns=3, avg_late_days=2)
    many = dataclasses.replace(few, completed_rentals=60)
    assert _points(score_customer(many), "late_returns") > _points(
        score_customer(few), "late_returns"
    )


def test_extreme_penalties_clamp_at_zero_and_still_add_up():
    """When penalties exceed the base the score stops at 0 and contributions are scaled to fit."""
    facts = CustomerFacts(
        invoiced_amount=1000.0,
        weighted_days_late=200,
        open_balance=1000.0,
        overdue_balance=1000.0,
        overdue_30=1000.0,
        overdue_60=1000.0,
        overdue_90=1000.0,
        recent_days_late=200,
        older_days_late=0,
        late_returns=10,
        avg_late_days=30,
        damage_count=10,
        damage_amount=5000.0,
        lost_assets=5,
    )
    result = score_customer(facts)
    assert result.raw_score < 0
    assert result.score == 0
    assert result.grade == "E"
    assert result.base + sum(c.points for c in result.contributions) == 0


# ---------------------------------------------------------------------------------------------
# Explanations
# ---------------------------------------------------------------------------------------------


def test_explain_payment_delay_line():
    """A late payer's reason reads "pays N days late on average: -P"."""
    result = score_customer(CustomerFacts(**GOOD_HISTORY, weighted_days_late=23))
    assert "pays 23 days late on average: -11" in explain(result)


def test_explain_shows_bonuses_with_a_plus_sign():
    """Bonuses are shown signed, e.g. "identity verified (KYC): +5"."""
    result = score_customer(CustomerFacts(**GOOD_HISTORY, kyc_verified=True))
    lines = explain(result)
    assert "identity verified (KYC): +5" in lines
    assert "customer for 24 months: +8" in lines
    assert "10 completed rentals: +7" in lines
    assert "25,000.00 paid in total: +7" in lines


@pytest.mark.parametrize(
    ("changes", "line"),
    [
        (
            {"open_balance": 10000.0, "overdue_balance": 2500.0},
            "25% of the open balance is overdue: -4",
        ),
        (
            {
                "open_balance": 10000.0,
                "overdue_balance": 2500.0,
                "overdue_30": 2500.0,
                "overdue_60": 2500.0,
                "overdue_90": 1000.0,
            },
            "1,000.00 overdue for more than 90 days: -4",
        ),
        (
            {"recent_days_late": 25, "older_days_late": 5},
            "pays 20 days later recently than before: -6",
        ),
        (
            {"late_returns": 3, "avg_late_days": 4},
            "returned 3 rentals late, by 4 days on average: -8",
        ),
        ({"damage_count": 1, "damage_amount": 1500.0}, "1 damage incident, 1,500.00 claimed: -4"),
        ({"lost_assets": 1}, "lost 1 rented asset: -7"),
        ({"blacklisted": True}, "customer is blacklisted: score capped at 34: -43"),
    ],
)
def test_explain_line_format(changes, line):
    """Each penalty reads as a plain-English reason followed by its points."""
    result = score_customer(CustomerFacts(**{**GOOD_HISTORY, **changes}))
    assert line in explain(result)


def test_explain_skips_zero_points_unless_asked():
    """Factors that did not move the score are hidden by default and listed on request."""
    result = score_customer(CustomerFacts())
    assert explain(result) == []
    lines = explain(result, include_zero=True)
    assert len(lines) == len(result.contributions)
    assert "new customer: no posted invoice or completed rental yet: 0" in lines


def test_contribution_exposes_template_and_params():
    """Each reason carries its English template and params, for translation on the ORM side."""
    result = score_customer(CustomerFacts(**GOOD_HISTORY, weighted_days_late=23))
    delay = _contribution(result, "payment_delay")
    assert delay.label == "Payment delay"
    assert delay.message == "pays %(days)s days late on average"
    assert dict(delay.params) == {"days": 23}
    assert delay.detail == "pays 23 days late on average"
    with pytest.raises(TypeError):
        delay.params["days"] = 1


# ---------------------------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------------------------


def test_config_weights_change_the_outcome():
    """A company weighting payment delay more heavily scores the same late payer lower."""
    facts = CustomerFacts(**GOOD_HISTORY, weighted_days_late=30)
    strict = ScoringConfig(payment_delay_weight=40.0)
    assert score_customer(facts, strict).score < score_customer(facts).score


def test_config_grade_table_changes_the_grade():
    """Raising the A threshold turns the same score into a B."""
    facts = CustomerFacts(**GOOD_HISTORY, kyc_verified=True)
    demanding = ScoringConfig(grades=GradeTable(a=95, b=65, c=50, d=35))
    assert score_customer(facts).grade == "A"
    assert score_customer(facts, demanding).grade == "B"


def test_config_from_dict_keeps_defaults_for_missing_keys():
    """from_dict takes only what is given, turns a grades mapping into a GradeTable."""
    config = ScoringConfig.from_dict(
        {"base_score": 60.0, "kyc_weight": 8, "tenure_weight": None, "grades": {"a": 85}}
    )
    assert config.base_score == 60
    assert config.kyc_weight == 8
    assert config.tenure_weight == DEFAULT_CONFIG.tenure_weight
    assert config.grades == GradeTable(a=85)


def test_config_from_dict_rejects_unknown_keys():
    """A misspelt setting name is an error, not a silently ignored value."""
    with pytest.raises(ValueError, match="unknown scoring settings: kyc_wieght"):
        ScoringConfig.from_dict({"kyc_wieght": 8})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kyc_weight": -1.0}, "kyc_weight must be a finite number, zero or more"),
        ({"base_score": 101}, "base_score must be a whole number from 0 to 100"),
        ({"base_score": 55.5}, "base_score must be a whole number from 0 to 100"),
        ({"payment_delay_full_days": 5.0}, "payment_delay_full_days must be greater than"),
        ({"tenure_full_days": 0.0}, "tenure_full_days must be greater than zero"),
        ({"min_rentals_for_rate": 0.0}, "min_rentals_for_rate must be at least 1"),
        ({"peer_full_days": 5.0}, "peer_full_days must be greater than peer_grace_days"),
        ({"peer_min_count": 0}, "peer_min_count must be at least 1"),
    ],
)
def test_invalid_config_raises(kwargs, message):
    """Settings that would break the curves are refused with the setting's name."""
    with pytest.raises(ValueError, match=message):
        ScoringConfig(**kwargs)


def test_grade_table_must_be_strictly_decreasing():
    """Grade thresholds out of order are refused."""
    with pytest.raises(ValueError, match="0 < d < c < b < a <= 100"):
        GradeTable(a=80, b=50, c=65, d=35)


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        (100, "A"),
        (80, "A"),
        (79, "B"),
        (65, "B"),
        (64, "C"),
        (50, "C"),
        (49, "D"),
        (35, "D"),
        (34, "E"),
        (0, "E"),
    ],
)
def test_grade_boundaries(score, grade):
    """Each default threshold is the lowest score of its grade."""
    assert DEFAULT_CONFIG.grades.grade_for(score) == grade


# ---------------------------------------------------------------------------------------------
# Invalid facts
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "invoiced_amount",
        "open_balance",
        "overdue_balance",
        "damage_amount",
        "paid_volume",
        "tenure_days",
        "avg_late_days",
    ],
)
def test_negative_amount_raises_value_error(name):
    """A negative amount or duration is refused with the field's name."""
    with pytest.raises(ValueError, match=re.escape(f"{name} must not be negative, got -1.0")):
        CustomerFacts(**{name: -1.0})


def test_negative_count_raises_value_error():
    """A negative count is refused with the field's name."""
    with pytest.raises(ValueError, match="damage_count must not be negative, got -1"):
        CustomerFacts(damage_count=-1)


def test_fractional_count_raises_value_error():
    """Counts must be whole numbers."""
    with pytest.raises(ValueError, match=re.escape("late_returns must be a whole number, got 1.5")):
        CustomerFacts(late_returns=1.5)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "12", None])
def test_non_finite_or_non_numeric_fact_raises_value_error(value):
    """NaN, infinity, text or None where a number is expected are refused."""
    with pytest.raises(ValueError, match="weighted_days_late must be a finite number"):
        CustomerFacts(weighted_days_late=value)


def test_non_boolean_flag_raises_value_error():
    """Identity flags must be real booleans, not truthy values."""
    with pytest.raises(ValueError, match="blacklisted must be True or False"):
        CustomerFacts(blacklisted=1)


_BAD_NUMBERS = (float("nan"), float("inf"), float("-inf"), "1", True, [1.0])
_SIGNED = {"weighted_days_late", "recent_days_late", "older_days_late"}


@pytest.mark.parametrize("fact", [fact.name for fact in dataclasses.fields(CustomerFacts)])
def test_every_fact_refuses_a_value_of_the_wrong_kind(fact):
    """Each fact refuses what its kind excludes, whether the quick look or the full check
    catches it: texts take no number, flags only True/False, counts only whole numbers, and
    numbers must be finite and (but for days late) not negative."""
    default = next(f.default for f in dataclasses.fields(CustomerFacts) if f.name == fact)
    if isinstance(default, bool):
        bad = (1, 0, None, "yes")
    elif fact in {"related_grade", "related_name", "signal_kind", "industry_name", "region_name"}:
        bad = (5, 1.5, True)
    elif isinstance(default, int):
        bad = (-1, 1.5, None, *_BAD_NUMBERS)
    else:
        bad = _BAD_NUMBERS if fact in _SIGNED else (-0.5, -1, *_BAD_NUMBERS)
    for value in bad:
        with pytest.raises(ValueError, match=fact):
            CustomerFacts(**{fact: value})


def test_overdue_buckets_out_of_order_raise_value_error():
    """More overdue past 90 days than past 60 days is a caller bug and is refused."""
    with pytest.raises(ValueError, match=r"overdue_90 \(500.0\) cannot exceed overdue_60"):
        CustomerFacts(overdue_balance=500.0, overdue_30=500.0, overdue_60=100.0, overdue_90=500.0)


def test_overdue_may_exceed_open_balance():
    """Unallocated credits can make the open balance smaller than the overdue part: accepted."""
    result = score_customer(CustomerFacts(**GOOD_HISTORY, open_balance=0.0, overdue_balance=800.0))
    assert _points(result, "overdue_share") == -15


# ---------------------------------------------------------------------------------------------
# grade_drop
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "drop"),
    [("A", "C", 2), ("B", "B", 0), ("A", "E", 4), ("D", "B", -2), (None, "E", 0), (False, "D", 0)],
)
def test_grade_drop_counts_steps(old, new, drop):
    """grade_drop counts how many grades were lost; improvements are negative, no old grade is 0."""
    assert grade_drop(old, new) == drop


def test_grade_drop_rejects_unknown_grade():
    """An unknown grade is an error, not a silent zero."""
    with pytest.raises(ValueError, match="unknown grade 'F'"):
        grade_drop("A", "F")


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------

_amounts = st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False)
_fractions = st.floats(min_value=0, max_value=1)
_days_late = st.floats(min_value=-60, max_value=3650, allow_nan=False, allow_infinity=False)
_counts = st.integers(min_value=0, max_value=10_000)


@st.composite
def customer_facts(draw):
    """Arbitrary but consistent facts: overdue buckets nested inside the overdue balance."""
    overdue_balance = draw(_amounts)
    overdue_30 = overdue_balance * draw(_fractions)
    overdue_60 = overdue_30 * draw(_fractions)
    overdue_90 = overdue_60 * draw(_fractions)
    return CustomerFacts(
        invoiced_amount=draw(_amounts),
        weighted_days_late=draw(_days_late),
        open_balance=draw(_amounts),
        overdue_balance=overdue_balance,
        overdue_30=overdue_30,
        overdue_60=overdue_60,
        overdue_90=overdue_90,
        recent_days_late=draw(st.none() | _days_late),
        older_days_late=draw(st.none() | _days_late),
        late_returns=draw(_counts),
        avg_late_days=draw(st.floats(min_value=0, max_value=365)),
        damage_count=draw(_counts),
        damage_amount=draw(_amounts),
        lost_assets=draw(st.integers(min_value=0, max_value=100)),
        tenure_days=draw(st.floats(min_value=0, max_value=36500)),
        completed_rentals=draw(_counts),
        paid_volume=draw(_amounts),
        kyc_verified=draw(st.booleans()),
        blacklisted=draw(st.booleans()),
        **draw(_trend_facts()),
    )


@st.composite
def _trend_facts(draw):
    """Windowed invoices, orders, credit notes, related party and signals, consistent."""
    recent_due = draw(_counts)
    older_due = draw(_counts)
    recent_amount = draw(_amounts)
    older_amount = draw(_amounts)
    related = draw(st.none() | st.floats(min_value=0, max_value=100))
    signals = draw(st.integers(min_value=0, max_value=5))
    industry = draw(st.none() | st.floats(min_value=0, max_value=365))
    region = draw(st.none() | st.floats(min_value=0, max_value=365))
    return {
        "industry_name": None if industry is None else "Construction",
        "industry_median_days_late": industry,
        "industry_peer_count": draw(st.integers(min_value=0, max_value=20)),
        "region_name": draw(st.none() | st.just("Bavaria")),
        "region_median_days_late": region,
        "region_peer_count": draw(st.integers(min_value=0, max_value=20)),
        "recent_due_count": recent_due,
        "recent_late_count": draw(st.integers(min_value=0, max_value=recent_due)),
        "recent_due_amount": recent_amount,
        "recent_late_amount": recent_amount * draw(_fractions),
        "older_due_count": older_due,
        "older_late_count": draw(st.integers(min_value=0, max_value=older_due)),
        "older_due_amount": older_amount,
        "older_late_amount": older_amount * draw(_fractions),
        "credit_note_amount": draw(_amounts),
        "recent_order_amount": draw(_amounts),
        "older_order_amount": draw(_amounts),
        "related_score": related,
        "related_grade": None if related is None else "D",
        "related_name": None if related is None else "Sister Co",
        "signal_count": signals,
        "signal_severity": float(signals * draw(st.integers(min_value=1, max_value=3))),
        "signal_kind": "legal_case" if signals else None,
    }


_configs = st.builds(
    ScoringConfig,
    base_score=st.integers(min_value=0, max_value=100),
    payment_delay_weight=st.floats(min_value=0, max_value=200),
    lost_asset_weight=st.floats(min_value=0, max_value=200),
    tenure_weight=st.floats(min_value=0, max_value=200),
    paid_volume_weight=st.floats(min_value=0, max_value=200),
    kyc_weight=st.floats(min_value=0, max_value=200),
)


@PROPERTY
@given(facts=customer_facts(), config=st.just(DEFAULT_CONFIG) | _configs)
def test_score_is_always_within_0_and_100(facts, config):
    """Whatever the facts and weights, the score is an integer from 0 to 100 with a valid grade."""
    result = score_customer(facts, config)
    assert isinstance(result.score, int)
    assert 0 <= result.score <= 100
    assert result.grade in ("A", "B", "C", "D", "E")


@PROPERTY
@given(facts=customer_facts(), config=st.just(DEFAULT_CONFIG) | _configs)
def test_moving_reasons_are_the_contributions_that_moved_the_score(facts, config):
    """What the rescoring stores is score_customer's result: same score and grade, and the
    contributions with points, in order, with their templates and params."""
    result = score_customer(facts, config)
    score, grade, reasons = moving_reasons(facts, config)
    assert (score, grade) == (result.score, result.grade)
    assert reasons == [
        (c.points, c.message, dict(c.params)) for c in result.contributions if c.points
    ]


@PROPERTY
@given(facts=customer_facts(), config=st.just(DEFAULT_CONFIG) | _configs)
def test_contributions_add_up_exactly_to_the_score(facts, config):
    """base + sum of the integer contribution points equals the score, even when clamped."""
    result = score_customer(facts, config)
    assert result.base + sum(c.points for c in result.contributions) == result.score


@PROPERTY
@given(facts=customer_facts())
def test_grade_matches_score_and_blacklist(facts):
    """The grade is the grade of the score, and always E for a blacklisted customer."""
    result = score_customer(facts)
    expected = "E" if facts.blacklisted else DEFAULT_CONFIG.grades.grade_for(result.score)
    assert result.grade == expected


def _worse(name):
    """Strategy-driven change making one fact worse while keeping the facts consistent."""

    def change(facts, data):
        value = getattr(facts, name)
        if name == "overdue_30":
            return {name: value + (facts.overdue_balance - value) * data.draw(_fractions)}
        if name == "overdue_60":
            return {name: value + (facts.overdue_30 - value) * data.draw(_fractions)}
        if name == "overdue_90":
            return {name: value + (facts.overdue_60 - value) * data.draw(_fractions)}
        if name in ("recent_days_late", "older_days_late") and value is None:
            return {name: data.draw(_days_late)} if name == "recent_days_late" else {}
        if name == "blacklisted":
            return {name: True}
        if name == "recent_late_count":
            return {name: data.draw(st.integers(min_value=value, max_value=facts.recent_due_count))}
        if name == "recent_late_amount":
            return {name: value + (facts.recent_due_amount - value) * data.draw(_fractions)}
        if name == "older_late_count":  # fewer late invoices before: the trend looks worse
            return {name: data.draw(st.integers(min_value=0, max_value=value))}
        if name == "older_late_amount":
            return {name: value * data.draw(_fractions)}
        if name == "recent_order_amount":  # fewer orders recently
            return {name: value * data.draw(_fractions)}
        if name == "related_score":
            if value is None:
                return {name: data.draw(st.floats(min_value=0, max_value=100))}
            return {name: value * data.draw(_fractions)}
        if name in ("industry_median_days_late", "region_median_days_late"):
            # peers paying earlier make the customer look worse against them
            if value is None:
                return {name: data.draw(st.floats(min_value=0, max_value=365))}
            return {name: value * data.draw(_fractions)}
        if name in ("industry_peer_count", "region_peer_count"):  # enough peers to compare
            return {name: value + data.draw(st.integers(min_value=0, max_value=20))}
        if name == "signal_severity":
            return {
                name: value + data.draw(st.floats(min_value=0, max_value=10)),
                "signal_count": facts.signal_count or 1,
            }
        if isinstance(value, int):
            return {name: value + data.draw(st.integers(min_value=0, max_value=1000))}
        return {name: value + data.draw(st.floats(min_value=0, max_value=1e6))}

    return change


@pytest.mark.parametrize(
    "name",
    [
        "weighted_days_late",
        "overdue_balance",
        "overdue_30",
        "overdue_60",
        "overdue_90",
        "recent_days_late",
        "late_returns",
        "avg_late_days",
        "damage_count",
        "damage_amount",
        "lost_assets",
        "blacklisted",
        "recent_late_count",
        "recent_late_amount",
        "older_late_count",
        "older_late_amount",
        "recent_order_amount",
        "credit_note_amount",
        "related_score",
        "signal_severity",
        "industry_median_days_late",
        "region_median_days_late",
    ],
)
@PROPERTY
@given(facts=customer_facts(), data=st.data())
def test_worse_facts_never_raise_the_score(name, facts, data):
    """More lateness, overdue, late returns, damage or lost assets never raise the score."""
    worse = dataclasses.replace(facts, **_worse(name)(facts, data))
    assert score_customer(worse).score <= score_customer(facts).score


@PROPERTY
@given(
    facts=customer_facts(),
    open_balance=_amounts,
    shares=st.tuples(_fractions, _fractions),
)
def test_larger_overdue_share_never_raises_the_score(facts, open_balance, shares):
    """For a given open balance, a larger overdue part of it never raises the score."""
    low, high = sorted(shares)
    base = dataclasses.replace(
        facts, open_balance=open_balance, overdue_30=0.0, overdue_60=0.0, overdue_90=0.0
    )
    less = dataclasses.replace(base, overdue_balance=open_balance * low)
    more = dataclasses.replace(base, overdue_balance=open_balance * high)
    assert score_customer(more).score <= score_customer(less).score


@PROPERTY
@given(facts=customer_facts())
def test_kyc_never_lowers_the_score(facts):
    """Verifying a customer's identity never lowers the score."""
    verified = dataclasses.replace(facts, kyc_verified=True)
    unverified = dataclasses.replace(facts, kyc_verified=False)
    assert score_customer(verified).score >= score_customer(unverified).score


# ---------------------------------------------------------------------------------------------
# Trend factors, related parties and officer signals
# ---------------------------------------------------------------------------------------------

_NEW_FACTORS = {
    "overdue_trend": {
        "recent_due_count": 4,
        "recent_late_count": 4,
        "recent_due_amount": 4000.0,
        "recent_late_amount": 4000.0,
        "older_due_count": 12,
        "older_late_count": 0,
        "older_due_amount": 12000.0,
    },
    "order_volume": {"recent_order_amount": 0.0, "older_order_amount": 40000.0},
    "credit_notes": {"credit_note_amount": 40000.0},
    "peer_comparison": {
        "weighted_days_late": 30.0,
        "industry_name": "Construction",
        "industry_median_days_late": 6.0,
        "industry_peer_count": 8,
    },
    "signals": {"signal_count": 1, "signal_severity": 3.0, "signal_kind": "legal_case"},
    "related_parties": {"related_score": 20.0, "related_grade": "E", "related_name": "Sister Co"},
}
_FACTOR_WORDS = {
    "overdue_trend": "overdue trend up: 4 of 4 invoices due in the last 90 days went late",
    "order_volume": "orders down 100% in the last 90 days",
    "credit_notes": "credit notes are 50% of the amount invoiced",
    "peer_comparison": "pays 24 days later than the median of Construction (6 days)",
    "signals": "officer signal: legal case",
    "related_parties": "related party Sister Co is graded E (score 20)",
}


@pytest.mark.parametrize("code", sorted(_NEW_FACTORS))
def test_new_factor_lowers_the_score_and_names_itself(code):
    """Each new factor takes points from a good customer and says why in words."""
    good = CustomerFacts(**GOOD_HISTORY)
    bad = dataclasses.replace(good, **_NEW_FACTORS[code])
    result = score_customer(bad)
    assert _points(result, code) < 0
    assert result.score < score_customer(good).score
    assert _FACTOR_WORDS[code] in _contribution(result, code).detail
    assert any(line.startswith(_FACTOR_WORDS[code]) for line in explain(result))


@pytest.mark.parametrize("code", sorted(_NEW_FACTORS))
def test_new_factor_is_silent_without_its_facts(code):
    """Without the facts a new factor needs, it gives no points: old scores are unchanged."""
    assert _points(score_customer(CustomerFacts(**GOOD_HISTORY)), code) == 0


@pytest.mark.parametrize(
    ("code", "setting"),
    [
        ("overdue_trend", "overdue_trend_weight"),
        ("order_volume", "order_drop_weight"),
        ("credit_notes", "credit_note_weight"),
        ("peer_comparison", "peer_weight"),
        ("signals", "signal_weight"),
        ("related_parties", "related_share"),
    ],
)
def test_new_factor_weight_zero_switches_it_off(code, setting):
    """A zero weight (or share) in the company settings turns the factor off."""
    facts = dataclasses.replace(CustomerFacts(**GOOD_HISTORY), **_NEW_FACTORS[code])
    assert _points(score_customer(facts, ScoringConfig(**{setting: 0.0})), code) == 0


def test_related_party_pulls_by_its_share_of_the_gap():
    """A related party scored 20 pulls a customer down by 25% of the gap between them."""
    facts = CustomerFacts(**GOOD_HISTORY)
    raw = score_customer(facts).raw_score
    alone = score_customer(facts).score
    pulled = score_customer(dataclasses.replace(facts, **_NEW_FACTORS["related_parties"]))
    assert pulled.score == int(raw - 0.25 * (raw - 20) + 0.5)
    assert pulled.score < alone - 10
    assert pulled.score == pulled.base + sum(c.points for c in pulled.contributions)
    better = dataclasses.replace(facts, related_score=95.0, related_name="Big Parent")
    assert score_customer(better).score == alone, "a better related party does not lift"


def test_same_invoices_late_at_the_same_rate_is_no_trend():
    """Late as often as before (rates, not counts) is no trend."""
    facts = CustomerFacts(
        **GOOD_HISTORY,
        recent_due_count=3,
        recent_late_count=1,
        recent_due_amount=3000.0,
        recent_late_amount=1000.0,
        older_due_count=12,
        older_late_count=4,
        older_due_amount=12000.0,
        older_late_amount=4000.0,
    )
    contribution = _contribution(score_customer(facts), "overdue_trend")
    assert contribution.points == 0
    assert contribution.detail.startswith("overdue trend stable")


def test_small_order_dip_is_tolerated():
    """A quarter 20% below the usual one is within the 25% grace."""
    facts = CustomerFacts(**GOOD_HISTORY, recent_order_amount=8000.0, older_order_amount=40000.0)
    assert _points(score_customer(facts), "order_volume") == 0


def test_signal_severity_caps_at_full_weight():
    """However many signals, they take at most the signal weight."""
    facts = CustomerFacts(
        **GOOD_HISTORY, signal_count=9, signal_severity=27.0, signal_kind="negative_news"
    )
    result = score_customer(facts)
    assert _points(result, "signals") == -20
    assert "9 officer signals, the most serious: negative news" in explain(result)[-1] or any(
        "9 officer signals" in line for line in explain(result)
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"recent_due_count": 1, "recent_late_count": 2}, "recent_late_count"),
        ({"older_due_amount": 1.0, "older_late_amount": 5.0}, "older_late_amount"),
        ({"related_score": 120.0}, "related_score must be from 0 to 100"),
        ({"signal_kind": "gossip"}, "unknown signal_kind"),
        ({"related_name": 5}, "related_name must be a text"),
    ],
)
def test_inconsistent_new_facts_raise(kwargs, message):
    """Late parts above their whole, scores out of range or unknown kinds are caller bugs."""
    with pytest.raises(ValueError, match=message):
        CustomerFacts(**kwargs)


@PROPERTY
@given(facts=customer_facts())
def test_contributions_name_every_factor_once(facts):
    """Every factor, new ones included, reports exactly one contribution."""
    codes = [c.code for c in score_customer(facts).contributions]
    assert len(codes) == len(set(codes))
    assert set(_NEW_FACTORS) <= set(codes)


@PROPERTY
@given(facts=customer_facts(), config=st.just(DEFAULT_CONFIG) | _configs)
def test_score_and_grade_is_the_score_and_grade_of_score_customer(facts, config):
    """The backtest's fast path gives exactly the score and grade of the full scoring."""
    result = score_customer(facts, config)
    assert score_and_grade(facts, config) == (result.score, result.grade)


# ---------------------------------------------------------------------------------------------
# Peer comparison
# ---------------------------------------------------------------------------------------------

_LATE_IN_CONSTRUCTION = {
    **GOOD_HISTORY,
    "weighted_days_late": 30.0,
    "industry_name": "Construction",
    "industry_median_days_late": 6.0,
    "industry_peer_count": 8,
}


def test_peer_comparison_needs_enough_peers():
    """Against fewer paying customers than the minimum there is no usual to compare with."""
    facts = CustomerFacts(**{**_LATE_IN_CONSTRUCTION, "industry_peer_count": 4})
    contribution = _contribution(score_customer(facts), "peer_comparison")
    assert contribution.points == 0
    assert contribution.detail == "not enough peers to compare"
    assert _points(score_customer(facts, ScoringConfig(peer_min_count=4)), "peer_comparison") < 0


def test_peer_comparison_within_the_grace_is_no_penalty():
    """Five days later than the industry's median is within the grace."""
    facts = CustomerFacts(**{**_LATE_IN_CONSTRUCTION, "weighted_days_late": 11.0})
    contribution = _contribution(score_customer(facts), "peer_comparison")
    assert contribution.points == 0
    assert contribution.detail == "pays in line with the median of Construction (6 days late)"


def test_peer_comparison_reaches_its_weight_and_never_gives_a_bonus():
    """Full weight 30 days beyond the median; paying earlier than the peers earns nothing."""
    far = CustomerFacts(**{**_LATE_IN_CONSTRUCTION, "weighted_days_late": 90.0})
    assert _points(score_customer(far), "peer_comparison") == -8
    early = CustomerFacts(
        **{**_LATE_IN_CONSTRUCTION, "weighted_days_late": -3.0, "industry_median_days_late": 20.0}
    )
    assert _points(score_customer(early), "peer_comparison") == 0


def test_peer_comparison_without_payments_says_so():
    """A customer that never paid has no delay to compare."""
    facts = CustomerFacts(**{**_LATE_IN_CONSTRUCTION, "paid_volume": 0.0})
    assert _contribution(score_customer(facts), "peer_comparison").detail == (
        "no payments to compare with peers"
    )


def test_peer_comparison_uses_the_region_when_the_industry_is_too_small():
    """No industry peers, enough in the region: the region's median is the yardstick."""
    facts = CustomerFacts(
        **{
            **_LATE_IN_CONSTRUCTION,
            "industry_peer_count": 1,
            "region_name": "Bavaria",
            "region_median_days_late": 2.0,
            "region_peer_count": 12,
        }
    )
    contribution = _contribution(score_customer(facts), "peer_comparison")
    assert contribution.detail == "pays 28 days later than the median of Bavaria (2 days)"
    assert contribution.points < 0


def test_peer_comparison_names_both_groups_and_takes_the_harsher():
    """Later than both medians beyond the grace: both are named, the larger gap sets the points."""
    both = CustomerFacts(
        **{
            **_LATE_IN_CONSTRUCTION,
            "region_name": "Bavaria",
            "region_median_days_late": 25.0,
            "region_peer_count": 12,
        }
    )
    industry_only = CustomerFacts(**_LATE_IN_CONSTRUCTION)
    contribution = _contribution(score_customer(both), "peer_comparison")
    # 5 days beyond Bavaria's median is within the grace: only the industry is named
    assert contribution.detail == "pays 24 days later than the median of Construction (6 days)"
    assert contribution.points == _points(score_customer(industry_only), "peer_comparison")
    worse_region = dataclasses.replace(both, region_median_days_late=0.0)
    contribution = _contribution(score_customer(worse_region), "peer_comparison")
    assert contribution.detail == (
        "pays 24 days later than the median of Construction (6 days) and 30 days later than "
        "that of Bavaria (0 days)"
    )
    assert contribution.points < _points(score_customer(industry_only), "peer_comparison")


@PROPERTY
@given(facts=customer_facts(), config=st.just(DEFAULT_CONFIG) | _configs)
def test_peer_comparison_is_a_bounded_penalty(facts, config):
    """The peer factor takes at most its weight and never adds points."""
    raw, _message, _params = _peer_reason(facts, config)
    assert -config.peer_weight <= raw <= 0


@PROPERTY
@given(facts=customer_facts(), extra=st.floats(min_value=0, max_value=1e4))
def test_paying_later_never_lowers_the_peer_penalty(facts, extra):
    """More days late against the same peers never softens the peer comparison."""
    later = dataclasses.replace(facts, weighted_days_late=facts.weighted_days_late + extra)
    assert _peer_reason(later, DEFAULT_CONFIG)[0] <= _peer_reason(facts, DEFAULT_CONFIG)[0]


def _peer_reason(facts, config):
    return next(f for code, _label, f in FACTORS if code == "peer_comparison")(facts, config)
