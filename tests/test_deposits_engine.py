"""Unit tests of the deposit, claim and settlement money rules (no database)."""

from datetime import date

import pytest
from engine.deposits import (
    DEFAULT_DEPOSIT_RATES,
    customer_charge,
    deposit_rate,
    depreciated_value,
    required_deposit,
    settle_deposit,
)


@pytest.mark.parametrize(
    ("grade", "expected"),
    [("A", 0.0), ("B", 620.0), ("C", 1860.0), ("D", 3720.0), ("E", 6200.0)],
)
def test_required_deposit_follows_grade_rate(grade, expected):
    """Replacement values times the default rate of each grade."""
    rate = DEFAULT_DEPOSIT_RATES[grade]
    assert required_deposit([5000.0, 1200.0], rate) == expected


def test_minimum_applies_when_a_deposit_is_due():
    """A small deposit is raised to the minimum."""
    assert required_deposit([100.0], 10.0, minimum=50.0) == 50.0


def test_minimum_ignored_at_zero_rate_or_without_assets():
    """Grade A (0 %) and orders without rented assets deposit nothing, whatever the minimum."""
    assert required_deposit([5000.0], 0.0, minimum=50.0) == 0.0
    assert required_deposit([], 30.0, minimum=50.0) == 0.0


def test_rule_rate_raises_never_lowers():
    """A rule's rate raises the grade's rate; a lower rule rate changes nothing."""
    assert required_deposit([1000.0], 10.0, rule_rate=50.0) == 500.0
    assert required_deposit([1000.0], 30.0, rule_rate=10.0) == 300.0
    assert required_deposit([1000.0], 0.0, rule_rate=25.0) == 250.0
    assert deposit_rate(60.0, 150.0) == 100.0


def test_required_deposit_rounds_to_the_cent():
    """Rounded to the currency's digits."""
    assert required_deposit([333.33], 10.0) == 33.33


def test_negative_inputs_refused():
    """Negative values, rates or minimums are refused."""
    with pytest.raises(ValueError):
        required_deposit([-1.0], 10.0)
    with pytest.raises(ValueError):
        required_deposit([1.0], -10.0)
    with pytest.raises(ValueError):
        customer_charge(-5.0)
    with pytest.raises(ValueError):
        settle_deposit(100.0, [("c", -1.0)])


def test_depreciation_straight_line():
    """Half the life gone, half the value left; fully depreciated is 0, no years is no change."""
    acquired = date(2020, 1, 1)
    assert depreciated_value(1000.0, acquired, date(2021, 1, 1), years=2) == pytest.approx(
        1000.0 * (1 - 366 / 365 / 2), abs=0.01
    )
    assert depreciated_value(1000.0, acquired, date(2030, 1, 1), years=2) == 0.0
    assert depreciated_value(1000.0, acquired, date(2030, 1, 1), years=0) == 1000.0
    assert depreciated_value(1000.0, None, date(2030, 1, 1), years=5) == 1000.0
    assert depreciated_value(1000.0, date(2031, 1, 1), date(2030, 1, 1), years=5) == 1000.0


def test_customer_charge_with_insurance():
    """Cover reduces the charge, but the deductible stays with the customer."""
    assert customer_charge(800.0) == 800.0
    assert customer_charge(800.0, insurance_cover=500.0, deductible=100.0) == 300.0
    assert customer_charge(800.0, insurance_cover=1000.0, deductible=100.0) == 100.0
    assert customer_charge(50.0, insurance_cover=1000.0, deductible=100.0) == 50.0


def test_settlement_applies_in_order_then_refunds():
    """Charges are covered in order; the rest is refunded."""
    result = settle_deposit(1500.0, [("claim", 400.0), ("late", 200.0)])
    assert result.applied == {"claim": 400.0, "late": 200.0}
    assert result.refund == 900.0
    assert result.applied_total + result.retained + result.refund == 1500.0


def test_settlement_short_deposit_covers_first_charges():
    """A deposit smaller than the charges covers the first in full, the next partly."""
    result = settle_deposit(500.0, [("claim", 400.0), ("late", 200.0), ("other", 10.0)])
    assert result.applied == {"claim": 400.0, "late": 100.0}
    assert result.refund == 0.0


def test_settlement_retention():
    """Retention comes out of what is left after charges, never more."""
    result = settle_deposit(1000.0, [("claim", 300.0)], retention=200.0)
    assert (result.retained, result.refund) == (200.0, 500.0)
    with pytest.raises(ValueError):
        settle_deposit(1000.0, [("claim", 900.0)], retention=200.0)


def test_settlement_cents_add_up():
    """applied + retained + refund equals the held deposit to the cent."""
    result = settle_deposit(100.01, [("a", 33.333), ("b", 33.333)], retention=0.01)
    assert round(result.applied_total + result.retained + result.refund, 2) == 100.01
