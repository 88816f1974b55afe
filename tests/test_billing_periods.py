"""Unit tests of the billing periods of long leases (no database)."""

from datetime import datetime

import pytest
from engine.billing_periods import add_months, allocate, billing_periods


def test_month_end_start_clamps_each_month_from_the_start():
    starts = [
        p[0] for p in billing_periods(datetime(2027, 1, 31, 9), datetime(2028, 1, 31, 9), "month")
    ]
    assert len(starts) == 12
    assert starts[1] == datetime(2027, 2, 28, 9)
    assert starts[2] == datetime(2027, 3, 31, 9)
    assert starts[3] == datetime(2027, 4, 30, 9)


def test_leap_day_start():
    periods = billing_periods(datetime(2028, 2, 29, 9), datetime(2029, 2, 28, 9), "month")
    assert len(periods) == 12
    assert periods[-1][0] == datetime(2029, 1, 29, 9)
    assert all(weight == 1.0 for _s, _e, weight in periods)
    assert add_months(datetime(2028, 2, 29), 12) == datetime(2029, 2, 28)


def test_partial_last_period_weighs_its_days():
    periods = billing_periods(datetime(2028, 1, 1), datetime(2028, 2, 11), "month")
    assert [w for _s, _e, w in periods] == [1.0, pytest.approx(10 / 29)]
    assert periods[-1][1] == datetime(2028, 2, 11)


def test_allocate_adds_up_to_the_total():
    shares = allocate(1000.0, [1.0] * 12)
    assert sum(shares) == pytest.approx(1000.0)
    assert shares[0] == 83.33
    assert round(sum(shares), 2) == 1000.0
    assert allocate(100.0, []) == []


def test_end_before_start_is_refused():
    with pytest.raises(ValueError):
        billing_periods(datetime(2028, 1, 2), datetime(2028, 1, 1), "week")
