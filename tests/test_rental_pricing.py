"""Unit tests of the rental period pricing and late-fee arithmetic (no database)."""

from datetime import datetime, timedelta

import pytest
from engine.rental_pricing import (
    late_fee,
    late_fee_days,
    late_hours,
    period_breakdown,
    period_price,
    rental_days,
    rental_price,
)

START = datetime(2025, 3, 3, 9, 0)


def test_rental_days_counts_started_days():
    """A period of 1 day and 1 hour is charged 2 days."""
    assert rental_days(START, START + timedelta(days=1, hours=1)) == 2


def test_rental_days_minimum_one():
    """A two-hour rental is charged one day."""
    assert rental_days(START, START + timedelta(hours=2)) == 1


def test_rental_days_exact_days():
    """Exactly three days are three days, not four."""
    assert rental_days(START, START + timedelta(days=3)) == 3


def test_rental_days_rejects_reversed_period():
    """An end before the start is refused."""
    with pytest.raises(ValueError):
        rental_days(START, START - timedelta(hours=1))


def test_period_price_daily_only():
    """Without weekly or monthly rate the price is days times the daily price."""
    assert period_price(10, 50.0) == 500.0


def test_period_price_uses_cheaper_week():
    """Ten days with a 200 weekly rate cost one week plus three days."""
    assert period_price(10, 50.0, week_price=200.0) == 350.0


def test_period_price_week_covers_short_rental_when_cheaper():
    """Six days cost one week when a week is cheaper than six days."""
    assert period_price(6, 50.0, week_price=200.0) == 200.0


def test_period_price_ignores_expensive_week():
    """A weekly rate dearer than seven days is not used."""
    assert period_price(7, 10.0, week_price=100.0) == 70.0


def test_period_price_uses_month():
    """Forty days with a monthly rate cost a month plus the cheapest cover of ten days."""
    assert period_price(40, 50.0, week_price=200.0, month_price=600.0) == 950.0


def test_period_price_rejects_zero_days():
    """Zero days is not a rental."""
    with pytest.raises(ValueError):
        period_price(0, 50.0)


def test_rental_price_from_dates():
    """The price of a dated period follows its started days and the weekly rate."""
    assert rental_price(START, START + timedelta(days=8), 50.0, week_price=200.0) == 250.0


def test_late_hours():
    """Lateness is counted in hours after the end, never negative."""
    assert late_hours(START, START + timedelta(hours=30)) == 30.0
    assert late_hours(START, START - timedelta(hours=3)) == 0.0


def test_late_fee_days_within_grace_is_free():
    """A return inside the grace period costs no late day."""
    assert late_fee_days(START, START + timedelta(hours=3), grace_hours=4) == 0


def test_late_fee_days_after_grace_counts_started_days():
    """After the grace period, every started day late counts."""
    assert late_fee_days(START, START + timedelta(hours=26), grace_hours=2) == 1
    assert late_fee_days(START, START + timedelta(hours=27), grace_hours=2) == 2


def test_late_fee_amount():
    """The fee is the daily late fee times the started days late."""
    assert late_fee(START, START + timedelta(days=2, hours=5), 4.0, 30.0) == 90.0
    assert late_fee(START, START + timedelta(hours=1), 0.0, 30.0) == 30.0


def test_period_breakdown_names_the_cheapest_mix():
    # 9 days with a week cheaper than 7 days: one week and two days.
    assert period_breakdown(9, 50.0, week_price=200.0) == ((7, 1, 200.0), (1, 2, 50.0))
    assert period_breakdown(4, 100.0) == ((1, 4, 100.0),)
    # 6 days cost one week when the week is cheaper than six days.
    assert period_breakdown(6, 50.0, week_price=200.0) == ((7, 1, 200.0),)
    assert period_breakdown(65, 10.0, 60.0, 200.0) == ((30, 2, 200.0), (1, 5, 10.0))
    assert period_breakdown(67, 10.0, 60.0, 200.0) == ((30, 2, 200.0), (7, 1, 60.0))
    with pytest.raises(ValueError):
        period_breakdown(0, 10.0)
