"""Deposit, claim and settlement money rules, in plain Python (no Odoo import).

The ORM code asks these functions for amounts and then writes the accounting documents; keeping
the arithmetic here lets pytest check every rounding and ordering rule without a database.
All amounts are rounded to ``digits`` decimals (the currency's) at the end of each rule.
"""

from dataclasses import dataclass, field
from datetime import date

#: Share of the replacement value held as deposit, per risk grade, in percent (company default).
DEFAULT_DEPOSIT_RATES = {"A": 0.0, "B": 10.0, "C": 30.0, "D": 60.0, "E": 100.0}
#: Grade assumed for a customer never scored yet: the neutral grade of the scoring.
NEUTRAL_GRADE = "C"


def _round(amount, digits):
    return round(amount + 0.0, digits)


def _check_not_negative(**amounts):
    for name, amount in amounts.items():
        if amount is not None and amount < 0:
            raise ValueError(f"{name} cannot be negative (got {amount}).")


def deposit_rate(grade_rate: float, rule_rate: float = 0.0) -> float:
    """Rate applied to an order: the grade's rate, raised (never lowered) by a risk rule's."""
    _check_not_negative(grade_rate=grade_rate, rule_rate=rule_rate)
    return min(100.0, max(grade_rate, rule_rate or 0.0))


def required_deposit(
    replacement_values,
    grade_rate: float,
    minimum: float = 0.0,
    rule_rate: float = 0.0,
    digits: int = 2,
) -> float:
    """Deposit an order must hold.

    ``replacement_values`` are the replacement values of the rented assets (one per unit). The
    deposit is their sum times the rate (grade rate raised by the rule's rate), and at least
    ``minimum``. The minimum applies only when a deposit is due at all: an order without rented
    assets, or a customer whose rate is 0 % (grade A with no rule), deposits nothing.
    """
    values = list(replacement_values)
    _check_not_negative(minimum=minimum, **{f"value {i}": v for i, v in enumerate(values)})
    rate = deposit_rate(grade_rate, rule_rate)
    if not values or rate <= 0:
        return 0.0
    base = sum(values) * rate / 100.0
    return _round(max(base, minimum or 0.0), digits)


def depreciated_value(
    replacement_value: float,
    acquired_on: date | None,
    on_date: date,
    years: float = 0.0,
    digits: int = 2,
) -> float:
    """Replacement value depreciated straight-line over ``years`` since ``acquired_on``.

    ``years`` 0 (or no acquisition date) means no depreciation. The value never goes below 0
    and an acquisition date in the future does not raise it.
    """
    _check_not_negative(replacement_value=replacement_value, years=years)
    if not years or not acquired_on:
        return _round(replacement_value, digits)
    age_years = max(0, (on_date - acquired_on).days) / 365.0
    remaining = max(0.0, 1.0 - age_years / years)
    return _round(replacement_value * remaining, digits)


def customer_charge(
    assessed: float, insurance_cover: float = 0.0, deductible: float = 0.0, digits: int = 2
) -> float:
    """What the customer pays for a claim of ``assessed``.

    Without insurance cover the customer pays the assessed amount. With cover, the insurer pays
    up to ``insurance_cover`` and the customer pays the rest, but at least the ``deductible``
    (the customer's own share of any covered loss), never more than the assessed amount:
    ``charge = min(assessed, max(assessed - cover, deductible))``.
    """
    _check_not_negative(assessed=assessed, insurance_cover=insurance_cover, deductible=deductible)
    if not insurance_cover:
        return _round(assessed, digits)
    return _round(min(assessed, max(assessed - insurance_cover, deductible)), digits)


@dataclass(frozen=True)
class Settlement:
    """Split of a held deposit: ``applied`` per charge key (in the given order), the retained
    part, and the refund."""

    held: float
    applied: dict = field(default_factory=dict)
    retained: float = 0.0
    refund: float = 0.0

    @property
    def applied_total(self):
        return round(sum(self.applied.values()), 6)


def settle_deposit(held: float, charges, retention: float = 0.0, digits: int = 2) -> Settlement:
    """Apply ``held`` to ``charges`` (``[(key, open amount), ...]``) in their order, keep
    ``retention`` of what is left, and refund the rest.

    A charge is covered in full before the next one gets anything. Retention may only come out
    of what is left after the charges: asking for more raises ``ValueError``, as does any
    negative amount. applied + retained + refund == held, to the cent.
    """
    charges = list(charges)
    _check_not_negative(
        held=held, retention=retention, **{f"charge {key}": amount for key, amount in charges}
    )
    left = _round(held, digits)
    applied = {}
    for key, amount in charges:
        part = _round(min(left, amount), digits)
        if part > 0:
            applied[key] = part
            left = _round(left - part, digits)
    retention = _round(retention or 0.0, digits)
    if retention > left:
        raise ValueError(
            f"Cannot retain {retention}: only {left} of the deposit is left after the charges."
        )
    return Settlement(
        held=_round(held, digits),
        applied=applied,
        retained=retention,
        refund=_round(left - retention, digits),
    )
