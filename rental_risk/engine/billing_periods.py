"""Billing periods of a long rental, in plain Python (no Odoo import).

A lease billed "monthly in advance" is cut into periods that start on the same day of the
month as the lease (the 31st becomes the last day of a shorter month, computed from the start
each time so that a lease starting on January 31 bills on February 28/29, March 31, April 30),
at the same time of day. The last period ends with the lease and may be shorter.

How much each period bills (the rule, for customers and accountants alike):
- every full period weighs 1, whatever its number of days: a monthly rent is the same in
  February and in March, as customers expect;
- the last, partial period weighs its started days divided by the days of the full period it
  cuts short (10 days of a 30-day month weigh 1/3);
- the line's price of the whole lease is shared out in proportion to the weights, rounded to
  the currency with the rounding carried over, so that the periods add up to the lease's price
  to the cent.
"""

import calendar
import math
from datetime import datetime, timedelta

DAY = timedelta(days=1)

#: Length of each billing unit: ("months", n) or ("days", n).
UNITS = {
    "week": ("days", 7),
    "month": ("months", 1),
    "quarter": ("months", 3),
}


def add_months(start: datetime, months: int) -> datetime:
    """``start`` moved by ``months`` months, the day clamped to the end of a shorter month."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)


def period_start(start: datetime, unit: str, index: int) -> datetime:
    """Start of the period number ``index`` (0 for the first) of a lease starting at ``start``."""
    kind, length = UNITS[unit]
    if kind == "days":
        return start + timedelta(days=length * index)
    return add_months(start, length * index)


def started_days(start: datetime, end: datetime) -> int:
    """Started days from ``start`` to ``end`` (at least one)."""
    return max(1, math.ceil((end - start) / DAY))


def billing_periods(start: datetime, end: datetime, unit: str):
    """[(period start, period end, weight), ...] of a lease from ``start`` to ``end`` billed per
    ``unit`` ('week', 'month' or 'quarter'); see the module's docstring for the weights."""
    if end <= start:
        raise ValueError("The end of a rental period must be after its start.")
    periods = []
    index = 0
    while True:
        p_start = period_start(start, unit, index)
        if p_start >= end:
            break
        full_end = period_start(start, unit, index + 1)
        if full_end <= end:
            periods.append((p_start, full_end, 1.0))
        else:
            weight = started_days(p_start, end) / started_days(p_start, full_end)
            periods.append((p_start, end, min(weight, 1.0)))
        index += 1
    return periods


def allocate(total: float, weights, digits: int = 2):
    """``total`` shared out in proportion to ``weights``, each share rounded to ``digits``
    decimals with the rounding carried over: the shares add up to ``total`` rounded."""
    weights = list(weights)
    whole = sum(weights)
    if not weights or whole <= 0:
        return [0.0] * len(weights)
    shares, done, cumulated = [], 0.0, 0.0
    for weight in weights:
        cumulated += weight
        upto = round(total * min(cumulated / whole, 1.0), digits)
        shares.append(round(upto - done, digits))
        done = upto
    return shares
