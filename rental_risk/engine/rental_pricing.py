"""Rental period pricing and late-return arithmetic, in plain Python (no Odoo import).

Kept free of the ORM so the money rules can be unit-tested with pytest alone and reused by
reports or integrations without a database.
"""

import math
from datetime import datetime, timedelta

DAY = timedelta(days=1)
WEEK_DAYS = 7
MONTH_DAYS = 30


def rental_days(start: datetime, end: datetime) -> int:
    """Number of chargeable days of a period: every started day counts, at least one."""
    if end <= start:
        raise ValueError("The end of a rental period must be after its start.")
    return max(1, math.ceil((end - start) / DAY))


def period_price(days: int, day_price: float, week_price: float = 0.0, month_price: float = 0.0):
    """Cheapest price of ``days`` rental days per unit.

    A weekly (7 days) or monthly (30 days) rate is used only when it is set (> 0) and makes the
    period cheaper: the result is the lowest cost of any mix of months, weeks and single days
    covering at least ``days`` days (a 6-day rental costs one week when a week is cheaper than
    six days).
    """
    mix = period_breakdown(days, day_price, week_price, month_price)
    return sum(count * price for _length, count, price in mix)


def period_breakdown(
    days: int, day_price: float, week_price: float = 0.0, month_price: float = 0.0
):
    """The cheapest mix of ``period_price``: ((length in days, count, unit price), ...) from
    the longest unit to the shortest, leaving out the units not used."""
    if days < 1:
        raise ValueError("A rental lasts at least one day.")
    units = [(1, day_price)]
    if week_price > 0:
        units.append((WEEK_DAYS, week_price))
    if month_price > 0:
        units.append((MONTH_DAYS, month_price))
    longest = max(length for length, _price in units)
    horizon = days + longest
    best = [(0.0, ())] + [(math.inf, ())] * horizon
    for n in range(1, horizon + 1):
        best[n] = min(
            (
                (best[max(0, n - length)][0] + price, (*best[max(0, n - length)][1], length))
                for length, price in units
            ),
            key=lambda item: item[0],
        )
    _cost, mix = min(best[days:], key=lambda item: item[0])
    prices = dict(units)
    return tuple(
        (length, mix.count(length), prices[length]) for length in sorted(set(mix), reverse=True)
    )


def rental_price(start: datetime, end: datetime, day_price, week_price=0.0, month_price=0.0):
    """Price per unit of the rental period from ``start`` to ``end``."""
    return period_price(rental_days(start, end), day_price, week_price, month_price)


def late_hours(end: datetime, at: datetime) -> float:
    """Hours elapsed since the agreed return time ``end`` (0 when not yet due)."""
    return max(0.0, (at - end).total_seconds() / 3600.0)


def late_fee_days(end: datetime, returned_at: datetime, grace_hours: float = 0.0) -> int:
    """Started days of lateness charged for a unit returned at ``returned_at``.

    The grace period is deducted first: a return within it costs nothing.
    """
    overdue = returned_at - end - timedelta(hours=grace_hours or 0.0)
    if overdue <= timedelta(0):
        return 0
    return math.ceil(overdue / DAY)


def late_fee(end: datetime, returned_at: datetime, grace_hours: float, fee_per_day: float):
    """Late fee of one unit: the daily late fee times the started days late after grace."""
    return late_fee_days(end, returned_at, grace_hours) * (fee_per_day or 0.0)
