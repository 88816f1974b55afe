"""Sane ranges of the amounts, rates and durations people type in. Plain Python: no Odoo import.

A price of 1e300 or NaN typed in by mistake (or sent over RPC on purpose) would poison every
sum it enters: exposure, scores, deposits. The models check their inputs against these bounds
in their constraints, so the refusal is the same on every path (form, import, RPC).
"""

import math

#: Largest amount (price, value, limit, deposit) the addon accepts, in any currency.
MAX_AMOUNT = 1_000_000_000_000.0
#: Largest quantity of one line.
MAX_QUANTITY = 1_000_000.0
#: Largest number of days (grace, proposal delays, triggers) or hours the settings accept.
MAX_DAYS = 3650


def is_number(value):
    """True for an int or float that is finite (bool is not a number here)."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def in_range(value, low, high):
    """True when ``value`` is a finite number between ``low`` and ``high`` (inclusive)."""
    return is_number(value) and low <= value <= high


def is_amount(value, allow_negative=False):
    """True for an amount within the sane bound (negative ones only if ``allow_negative``)."""
    low = -MAX_AMOUNT if allow_negative else 0.0
    return in_range(value, low, MAX_AMOUNT)


def is_rate(value):
    """True for a percentage from 0 to 100."""
    return in_range(value, 0.0, 100.0)
