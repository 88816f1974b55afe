"""Credit scoring for rental customers: facts in, a 0-100 score, a grade and its reasons out.

This module is plain Python on purpose: no Odoo import, no database. The ORM side gathers the
facts (one ``_read_group`` per bucket), builds a :class:`ScoringConfig` from the company settings
and calls :func:`score_customer`. Keeping the arithmetic here lets it be unit- and
property-tested in milliseconds and reused by reports, crons and wizards alike.

How a score is built
--------------------
Every customer starts from a neutral ``base_score`` (55, grade C). Each factor then adds or
removes a bounded number of points: a factor reaches its full weight at its "full" threshold and
gives nothing below its "grace" threshold, growing linearly in between. Because every factor is
a non-decreasing function of how bad (or good) the fact is, more overdue, later payments or more
damage can never raise the score.

The score is ``base_score + sum(contribution points)``, clamped to 0-100 and rounded half up to
an integer. When clamping bites, the side that overflowed (penalties below 0, bonuses above 100)
is scaled down proportionally, and the contributions are rounded with the largest-remainder
method, so the integer points shown to the user always add up exactly to the score.

A new customer (no posted invoice and no completed rental) has nothing to judge: the
relationship bonuses are not given and the score stays at the base (55, or 60 with KYC), grade
C. That is deliberately not the best grade: trust is earned by history.

A blacklisted customer is graded E whatever the other factors say, and the score is capped at
the top of the E band (``ceil(GradeTable.d) - 1``, 34 by default) through an explicit
``blacklist`` contribution, so score, grade and reasons never contradict each other.

Default weights and thresholds (:class:`ScoringConfig`)
-------------------------------------------------------
======================  ======  ==============================================================
Factor (code)           Points  Shape of the default curve
======================  ======  ==============================================================
(base)                  55      every customer starts here (grade C)
payment_delay           -25     amount-weighted days paid after due: 0 up to 5 days, full at 45
overdue_share           -15     overdue / open balance, linear up to 100%
aged_overdue            -20     5 x share > 30 days + 7 x share > 60 days + 8 x share > 90 days
                                (shares of the open balance); overdue share and aged overdue
                                are ignored while the overdue balance is below 10.00
payment_trend           -10     days late of the last 90 days' payments minus those of the 12
                                months before: 0 up to 5 days, full at 30
late_returns            -10     6 x late-return rate (full at 30% of rentals)
                                + 4 x average lateness (full at 7 days)
damage                  -15     8 x damage rate (full at 40% of rentals)
                                + 7 x claims / (claims + paid volume) (full at 25%)
lost_assets             -15     full at 2 lost assets
tenure                  +12     full at 1095 days (3 years)           } only for customers
completed_rentals       +14     full at 20 completed rentals          } with history
paid_volume             +14     full at 50,000.00 (company currency)  }
kyc                     +5      identity verified
overdue_trend           -10     share of invoices (half) and of amount (half) going late in the
                                last 90 days minus the same share over the 12 months before:
                                0 up to +10 points of percentage, full at +50
order_volume            -5      recent quarter's orders below a quarter of the 12 months
                                before: 0 up to a 25% drop, full at 75%
credit_notes            -8      credit notes / gross invoiced: 0 up to 10%, full at 40%
peer_comparison         -8      days late beyond the median of the customer's industry or
                                region (state, else country): 0 up to 5 days, full at 30;
                                only against a group of at least 5 paying customers
signals                 -20     active officer signals, severity low 1 / medium 2 / high 3,
                                full at 4
related_parties         pull    25% of the gap down to the lowest-scored related party
blacklist               cap     score capped at 34, grade forced to E
======================  ======  ==============================================================

Rates (late returns, damage) are taken over ``max(completed rentals, incidents, 5)`` so a big
regular customer is not punished for a handful of incidents and a single slip on a first rental
is not read as a 100% rate. Grades (:class:`GradeTable`): A >= 80, B >= 65, C >= 50, D >= 35,
E below. With the defaults a perfect long-standing customer reaches 100.

Amount thresholds (``overdue_min_amount``, ``paid_volume_full``) are in company currency; the
defaults suit EUR/USD-like currencies and should be set per company.

The peer comparison only compares: the medians of the customer's industry and region (over
the paying customers of the company, early payers counted as on time) are facts the ORM side
computes per company in one set-based query, like every other fact.

Translations
------------
Each :class:`Contribution` carries an English ``message`` template with ``%(name)s``
placeholders and its ``params``. Templates and labels are wrapped in :func:`_lt`, a no-op marker
that Odoo's ``.pot`` extractor recognises in every Python file of the addon, so the ORM side can
translate with ``self.env._(contribution.message, **contribution.params)``.
"""

import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any, NamedTuple

GRADES: tuple[str, ...] = ("A", "B", "C", "D", "E")
"""Grades from best to worst; the index is the grade's rank."""

#: Amounts and buckets may disagree by rounding noise from summing currency amounts.
_AMOUNT_TOLERANCE = 0.005


def _lt(message: str) -> str:
    """Mark ``message`` for translation and return it unchanged.

    Odoo's translation extractor collects ``_lt("...")`` calls from every Python file of the
    addon; the actual translation happens on the ORM side, which passes the template and its
    params to ``env._``. The engine itself stays English and Odoo-free.
    """
    return message


SIGNAL_KINDS: Mapping[str, str] = MappingProxyType(
    {
        "negative_news": _lt("negative news"),
        "legal_case": _lt("legal case"),
        "management_change": _lt("management change"),
    }
)
"""Kinds of officer signals and their English names (used in explanations)."""

SIGNAL_SEVERITY: Mapping[str, int] = MappingProxyType({"low": 1, "medium": 2, "high": 3})
"""Weight of each signal severity in ``CustomerFacts.signal_severity``."""


# ---------------------------------------------------------------------------------------------
# Small numeric helpers
# ---------------------------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _round_half_up(value: float) -> int:
    """Round to the nearest integer, halves away from zero (Python's round() is banker's)."""
    rounded = math.floor(abs(value) + 0.5)
    return rounded if value >= 0 else -rounded


def _ramp(value: float, grace: float, full: float) -> float:
    """0 up to ``grace``, 1 from ``full``, linear in between: a bounded, monotonic curve."""
    if value <= grace:
        return 0.0
    if value >= full:
        return 1.0
    return (value - grace) / (full - grace)


def _share(part: float, whole: float) -> float:
    """``part / whole`` capped at 1; a positive part of nothing counts as all of it."""
    if part <= 0:
        return 0.0
    if whole <= 0:
        return 1.0
    return min(1.0, part / whole)


def _rate(incidents: int, rentals: int, min_rentals: float) -> float:
    """Incidents per rental, judged over at least ``min_rentals`` rentals.

    Incidents also count as rentals (an incident happened on a rental, even if the data has not
    closed it yet), which keeps the rate within 0-1 and non-decreasing in ``incidents``.
    """
    if incidents <= 0:
        return 0.0
    return incidents / max(float(rentals), float(incidents), min_rentals)


def format_points(points: int) -> str:
    """Show points signed for bonuses (``+5``), plain for penalties (``-18``) and zero."""
    return f"+{points}" if points > 0 else str(points)


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerFacts:
    """Everything the engine knows about one customer, already aggregated by the caller.

    Amounts are in company currency and must not be negative; counts are whole numbers.
    Days-late values are amount-weighted averages of (payment date - due date): they may be
    negative for early payers, which counts as on time (there is no bonus for prepaying).

    The overdue buckets are cumulative: ``overdue_90 <= overdue_60 <= overdue_30 <=
    overdue_balance`` (an amount 90 days overdue is also more than 60 days overdue); breaking
    this order is a caller bug and raises ``ValueError``. ``overdue_balance`` may exceed
    ``open_balance`` when unallocated credits reduce the open balance; shares are then capped
    at 100%.
    """

    # Payment behaviour, from posted customer invoices
    invoiced_amount: float = 0.0
    """Total of posted customer invoices; zero together with no rentals means a new customer."""
    weighted_days_late: float = 0.0
    """Amount-weighted average days between due date and payment, over paid invoices."""
    open_balance: float = 0.0
    """Unpaid residual of posted invoices, due or not."""
    overdue_balance: float = 0.0
    """Part of the residual past its due date."""
    overdue_30: float = 0.0
    """Part of the residual more than 30 days past due."""
    overdue_60: float = 0.0
    """Part of the residual more than 60 days past due."""
    overdue_90: float = 0.0
    """Part of the residual more than 90 days past due."""
    recent_days_late: float | None = None
    """Weighted days late of the payments of the recent window (the last 90 days); None
    unless both windows had payments."""
    older_days_late: float | None = None
    """Weighted days late of the payments of the 12 months before the recent window."""
    recent_due_count: int = 0
    """Invoices that fell due in the recent window (the last 90 days)."""
    recent_late_count: int = 0
    """Of those, the invoices paid late or still overdue (at most ``recent_due_count``)."""
    recent_due_amount: float = 0.0
    """Amount of the invoices that fell due in the recent window."""
    recent_late_amount: float = 0.0
    """Amount of those paid late or still overdue (at most ``recent_due_amount``)."""
    older_due_count: int = 0
    """Invoices that fell due in the 12 months before the recent window."""
    older_late_count: int = 0
    """Of those, the invoices paid late or left overdue (at most ``older_due_count``)."""
    older_due_amount: float = 0.0
    """Amount of the invoices that fell due in the 12 months before the recent window."""
    older_late_amount: float = 0.0
    """Amount of those paid late or left overdue (at most ``older_due_amount``)."""
    credit_note_amount: float = 0.0
    """Total of posted credit notes (returns, price corrections); ``invoiced_amount`` is net
    of them."""
    # Peers: the customers of the same industry, and of the same region (state, else country)
    industry_name: str | None = None
    """Name of the customer's industry; None when it has none."""
    industry_median_days_late: float | None = None
    """Median of the weighted days late (early payers counted as 0) of the paying customers
    of that industry, the customer included; None when nobody there has paid yet."""
    industry_peer_count: int = 0
    """Number of paying customers that median is taken over."""
    region_name: str | None = None
    """Name of the customer's region: its state, else its country; None when it has none."""
    region_median_days_late: float | None = None
    """Median of the weighted days late of the paying customers of that region."""
    region_peer_count: int = 0
    """Number of paying customers that median is taken over."""
    # Orders
    recent_order_amount: float = 0.0
    """Confirmed orders of the recent window (the last 90 days)."""
    older_order_amount: float = 0.0
    """Confirmed orders of the 12 months before the recent window."""
    # Rental behaviour ("zero where no data")
    late_returns: int = 0
    """Rentals returned after their planned return date."""
    avg_late_days: float = 0.0
    """Average lateness of those late returns, in days."""
    damage_count: int = 0
    """Damage incidents recorded on the customer's rentals."""
    damage_amount: float = 0.0
    """Total amount claimed for those damages."""
    lost_assets: int = 0
    """Rented assets never returned."""
    # Relationship
    tenure_days: float = 0.0
    """Days since the first posted invoice or rental."""
    completed_rentals: int = 0
    """Rentals returned and closed."""
    paid_volume: float = 0.0
    """Total paid by the customer over the relationship."""
    # Identity
    kyc_verified: bool = False
    """Identity documents checked (KYC)."""
    blacklisted: bool = False
    """Customer refused by policy: grade E whatever the rest says."""
    # Related parties and officer signals
    related_score: float | None = None
    """Lowest score among the customer's related parties (same group, shared identifiers,
    declared related companies); None when it has none."""
    related_grade: str | None = None
    """Grade of that related party, for the explanation."""
    related_name: str | None = None
    """Name of that related party, for the explanation."""
    signal_severity: float = 0.0
    """Sum of the severities of the active officer signals (see ``SIGNAL_SEVERITY``)."""
    signal_count: int = 0
    """Number of active officer signals."""
    signal_kind: str | None = None
    """Kind of the most severe active signal (a key of ``SIGNAL_KINDS``)."""

    def __post_init__(self) -> None:
        # The nightly rescoring builds one CustomerFacts per customer (100,000s of them): a
        # quick look over name lists prepared once comes first, and only facts failing it
        # walk the checks that name the culprit.
        values = self.__dict__
        if not _facts_look_valid(values):
            _check_fact_types(values)
        buckets = ("overdue_balance", "overdue_30", "overdue_60", "overdue_90")
        for wider, narrower in itertools.pairwise(buckets):
            if values[narrower] > values[wider] + _AMOUNT_TOLERANCE:
                raise ValueError(
                    f"{narrower} ({values[narrower]!r}) cannot exceed {wider} "
                    f"({values[wider]!r}): overdue buckets are cumulative"
                )
        for whole, part in _PART_FACTS:
            if values[part] > values[whole] + _AMOUNT_TOLERANCE:
                raise ValueError(
                    f"{part} ({values[part]!r}) cannot exceed {whole} ({values[whole]!r})"
                )
        related = values["related_score"]
        if related is not None and not 0 <= related <= 100:
            raise ValueError(f"related_score must be from 0 to 100, got {related!r}")
        kind = values["signal_kind"]
        if kind is not None and kind not in SIGNAL_KINDS:
            raise ValueError(f"unknown signal_kind {kind!r}")

    @property
    def has_history(self) -> bool:
        """False for a new customer: no posted invoice and no completed rental yet."""
        return self.invoiced_amount > 0 or self.completed_rentals > 0


_BOOL_FACTS = frozenset({"kyc_verified", "blacklisted"})
_OPTIONAL_FACTS = frozenset(
    {
        "recent_days_late",
        "older_days_late",
        "related_score",
        "industry_median_days_late",
        "region_median_days_late",
    }
)
_TEXT_FACTS = frozenset(
    {"related_grade", "related_name", "signal_kind", "industry_name", "region_name"}
)
_COUNT_FACTS = frozenset(
    {
        "late_returns",
        "damage_count",
        "lost_assets",
        "completed_rentals",
        "recent_due_count",
        "recent_late_count",
        "older_due_count",
        "older_late_count",
        "signal_count",
        "industry_peer_count",
        "region_peer_count",
    }
)
#: (whole, part) facts where the part cannot exceed the whole.
_PART_FACTS = (
    ("recent_due_count", "recent_late_count"),
    ("recent_due_amount", "recent_late_amount"),
    ("older_due_count", "older_late_count"),
    ("older_due_amount", "older_late_amount"),
)
# Days late may be negative (paid early); everything else is an amount, count or duration.
_SIGNED_FACTS = frozenset({"weighted_days_late", "recent_days_late", "older_days_late"})
_FACT_CHECKS: tuple[tuple[str, bool, bool, bool, bool], ...] = tuple(
    (
        fact.name,
        fact.name in _BOOL_FACTS,
        fact.name in _OPTIONAL_FACTS,
        fact.name in _COUNT_FACTS,
        fact.name in _SIGNED_FACTS,
    )
    for fact in fields(CustomerFacts)
)
"""(name, flag, optional, count, signed) of every fact, in declaration order."""
_AMOUNT_FACTS: tuple[str, ...] = tuple(
    name
    for name, is_flag, optional, is_count, signed in _FACT_CHECKS
    if not (is_flag or optional or is_count or signed) and name not in _TEXT_FACTS
)
"""Facts that must be a finite, non-negative number."""
_OPTIONAL_AMOUNT_FACTS: tuple[str, ...] = tuple(
    name for name in sorted(_OPTIONAL_FACTS) if name not in _SIGNED_FACTS
)
"""Facts that may be unknown (None), else a finite, non-negative number."""


def _facts_look_valid(values: dict) -> bool:
    """True when every fact has the right kind and sign: the quick look the nightly rescoring
    pays for 100,000s of customers (a float or int is finite and, unless signed, not negative
    when ``0 <= value < inf``). False sends the facts to :func:`_check_fact_types`, which says
    what is wrong."""
    for name in _AMOUNT_FACTS:
        value = values[name]
        kind = type(value)
        if (kind is not float and kind is not int) or not 0 <= value < math.inf:
            return False
    for name in _SIGNED_FACTS:
        value = values[name]
        kind = type(value)
        if value is None and name in _OPTIONAL_FACTS:
            continue
        if (kind is not float and kind is not int) or not -math.inf < value < math.inf:
            return False
    for name in _OPTIONAL_AMOUNT_FACTS:
        value = values[name]
        kind = type(value)
        if value is not None and (
            (kind is not float and kind is not int) or not 0 <= value < math.inf
        ):
            return False
    for name in _COUNT_FACTS:
        value = values[name]
        if type(value) is not int or value < 0:
            return False
    for name in _BOOL_FACTS:
        value = values[name]
        if value is not True and value is not False:
            return False
    for name in _TEXT_FACTS:
        value = values[name]
        if value is not None and type(value) is not str:
            return False
    return True


def _check_fact_types(values: dict) -> None:
    """Raise ``ValueError`` naming the first fact of the wrong kind or sign."""
    for name, is_flag, optional, is_count, signed in _FACT_CHECKS:
        value = values[name]
        if is_flag:
            if value is not True and value is not False:
                raise ValueError(f"{name} must be True or False, got {value!r}")
            continue
        if name in _TEXT_FACTS:
            if value is not None and not isinstance(value, str):
                raise ValueError(f"{name} must be a text or None, got {value!r}")
            continue
        if value is None and optional:
            continue
        kind = type(value)
        if (kind is not float and kind is not int and not _is_number(value)) or (
            kind is not int and not math.isfinite(value)
        ):
            raise ValueError(f"{name} must be a finite number, got {value!r}")
        if is_count and not isinstance(value, int):
            raise ValueError(f"{name} must be a whole number, got {value!r}")
        if not signed and value < 0:
            raise ValueError(f"{name} must not be negative, got {value!r}")


# ---------------------------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GradeTable:
    """Lowest score of each grade; anything below ``d`` is E. Must be 0 < d < c < b < a <= 100."""

    a: float = 80
    b: float = 65
    c: float = 50
    d: float = 35

    def __post_init__(self) -> None:
        for name in ("a", "b", "c", "d"):
            value = getattr(self, name)
            if not _is_number(value) or not math.isfinite(value):
                raise ValueError(f"grade threshold {name} must be a finite number, got {value!r}")
        if not 0 < self.d < self.c < self.b < self.a <= 100:
            raise ValueError(
                "grade thresholds must satisfy 0 < d < c < b < a <= 100, got "
                f"a={self.a}, b={self.b}, c={self.c}, d={self.d}"
            )

    def grade_for(self, score: float) -> str:
        """Grade of ``score`` ('A' best to 'E' worst)."""
        for grade, minimum in zip(GRADES, (self.a, self.b, self.c, self.d), strict=False):
            if score >= minimum:
                return grade
        return GRADES[-1]

    @property
    def e_max_score(self) -> int:
        """Highest integer score still graded E: where a blacklisted customer's score is capped."""
        return max(0, math.ceil(self.d) - 1)


@dataclass(frozen=True)
class ScoringConfig:
    """Weights (maximum points of a factor) and thresholds; see the module docstring table.

    ``*_weight`` fields are the points a factor gives or takes at most; ``*_grace_*`` is where a
    penalty starts and ``*_full*`` where it reaches its weight. Amounts are in company currency.
    """

    base_score: int = 55
    # Payment behaviour
    payment_delay_weight: float = 25.0
    payment_delay_grace_days: float = 5.0
    payment_delay_full_days: float = 45.0
    overdue_share_weight: float = 15.0
    overdue_min_amount: float = 10.0
    aged_30_weight: float = 5.0
    aged_60_weight: float = 7.0
    aged_90_weight: float = 8.0
    trend_weight: float = 10.0
    trend_grace_days: float = 5.0
    trend_full_days: float = 30.0
    # Rental behaviour
    min_rentals_for_rate: float = 5.0
    late_return_rate_weight: float = 6.0
    late_return_full_rate: float = 0.3
    late_return_days_weight: float = 4.0
    late_return_full_days: float = 7.0
    damage_rate_weight: float = 8.0
    damage_full_rate: float = 0.4
    damage_amount_weight: float = 7.0
    damage_full_ratio: float = 0.25
    lost_asset_weight: float = 15.0
    lost_asset_full_count: float = 2.0
    # Relationship
    tenure_weight: float = 12.0
    tenure_full_days: float = 1095.0
    completed_rentals_weight: float = 14.0
    completed_rentals_full: float = 20.0
    paid_volume_weight: float = 14.0
    paid_volume_full: float = 50000.0
    # Identity
    kyc_weight: float = 5.0
    # Trends (recent window against the 12 months before it)
    overdue_trend_weight: float = 10.0
    overdue_trend_grace: float = 0.1
    overdue_trend_full: float = 0.5
    order_drop_weight: float = 5.0
    order_drop_grace: float = 0.25
    order_drop_full: float = 0.75
    credit_note_weight: float = 8.0
    credit_note_grace_rate: float = 0.1
    credit_note_full_rate: float = 0.4
    # Peers (median of the customer's industry and of its region)
    peer_weight: float = 8.0
    peer_grace_days: float = 5.0
    peer_full_days: float = 30.0
    peer_min_count: float = 5.0
    # Related parties and officer signals
    related_share: float = 0.25
    signal_weight: float = 20.0
    signal_full_severity: float = 4.0
    grades: GradeTable = field(default_factory=GradeTable)

    def __post_init__(self) -> None:
        if (
            not isinstance(self.base_score, int)
            or isinstance(self.base_score, bool)
            or not 0 <= self.base_score <= 100
        ):
            raise ValueError(
                f"base_score must be a whole number from 0 to 100, got {self.base_score!r}"
            )
        if not isinstance(self.grades, GradeTable):
            raise ValueError(f"grades must be a GradeTable, got {self.grades!r}")
        for setting in fields(self):
            if setting.name in ("base_score", "grades"):
                continue
            value = getattr(self, setting.name)
            if not _is_number(value) or not math.isfinite(value) or value < 0:
                raise ValueError(
                    f"{setting.name} must be a finite number, zero or more, got {value!r}"
                )
        for grace, full in (
            ("payment_delay_grace_days", "payment_delay_full_days"),
            ("trend_grace_days", "trend_full_days"),
            ("overdue_trend_grace", "overdue_trend_full"),
            ("order_drop_grace", "order_drop_full"),
            ("credit_note_grace_rate", "credit_note_full_rate"),
            ("peer_grace_days", "peer_full_days"),
        ):
            if getattr(self, full) <= getattr(self, grace):
                raise ValueError(f"{full} must be greater than {grace}")
        for full in (
            "late_return_full_rate",
            "late_return_full_days",
            "damage_full_rate",
            "damage_full_ratio",
            "lost_asset_full_count",
            "tenure_full_days",
            "completed_rentals_full",
            "paid_volume_full",
            "signal_full_severity",
        ):
            if getattr(self, full) <= 0:
                raise ValueError(f"{full} must be greater than zero")
        if self.min_rentals_for_rate < 1:
            raise ValueError("min_rentals_for_rate must be at least 1")
        if self.peer_min_count < 1:
            raise ValueError("peer_min_count must be at least 1")
        if self.related_share > 1:
            raise ValueError("related_share must be from 0 to 1")

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> "ScoringConfig":
        """Build a config from settings, e.g. the company's stored values.

        Keys are field names; missing keys and ``None`` values keep their default, so the ORM
        side may pass only what the company changed. ``grades`` may be a mapping of ``a``-``d``.
        An integral float for ``base_score`` (as a Float setting would give) is accepted.
        Unknown keys raise ``ValueError`` so a typo in a setting name cannot pass unnoticed.
        """
        known = {setting.name for setting in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown scoring settings: {', '.join(unknown)}")
        kwargs = {key: value for key, value in values.items() if value is not None}
        grades = kwargs.get("grades")
        if isinstance(grades, Mapping):
            kwargs["grades"] = GradeTable(**{k: v for k, v in grades.items() if v is not None})
        base = kwargs.get("base_score")
        if isinstance(base, float) and base.is_integer():
            kwargs["base_score"] = int(base)
        return cls(**kwargs)


DEFAULT_CONFIG = ScoringConfig()


# ---------------------------------------------------------------------------------------------
# Outputs
# ---------------------------------------------------------------------------------------------


_NO_PARAMS: Mapping[str, Any] = MappingProxyType({})


class Contribution(NamedTuple):
    """How one factor moved the score, with its reason as a translatable template.

    ``message`` is an English template with ``%(name)s`` placeholders and ``params`` its values
    (ints for counts, days and percentages, floats rounded to 2 decimals for amounts), so the
    ORM side can translate the template and format amounts in the company currency; ``detail``
    is the English sentence. Immutable, ``params`` included (a read-only mapping). A named
    tuple rather than a frozen dataclass: the rescoring creates a dozen per customer, and a
    named tuple costs a third of the time to build.
    """

    code: str
    """Stable identifier of the factor, e.g. ``payment_delay``."""
    label: str
    """Short English name of the factor, e.g. "Payment delay"."""
    points: int
    """Points added (positive) or removed (negative) from the base score."""
    message: str
    """English template of the reason, e.g. "pays %(days)s days late on average"."""
    params: Mapping[str, Any] = _NO_PARAMS
    """Values for the template's placeholders."""

    @property
    def detail(self) -> str:
        """The reason in plain English, e.g. "pays 23 days late on average".

        Amounts (the float params) are shown as ``25,000.00``; the ORM side formats them with
        the company currency instead.
        """
        shown = {
            key: f"{value:,.2f}" if isinstance(value, float) else value
            for key, value in self.params.items()
        }
        return self.message % shown


@dataclass(frozen=True)
class ScoreResult:
    """A customer's score, grade and the reasons for them.

    ``score == base + sum(c.points for c in contributions)`` always holds exactly.
    """

    score: int
    """Final score, 0-100."""
    grade: str
    """'A' (best) to 'E' (worst)."""
    base: int
    """Neutral starting score the contributions are counted from."""
    contributions: tuple[Contribution, ...]
    """One entry per factor, in a fixed order (zero-point factors included)."""
    new_customer: bool
    """No posted invoice and no completed rental: the neutral grade applies."""
    capped_by_blacklist: bool
    """The customer is blacklisted: grade forced to E and score capped at the top of E."""
    raw_score: float
    """Base plus unrounded factor points, before clamping and blacklist cap (diagnostics)."""


# ---------------------------------------------------------------------------------------------
# Factors
# ---------------------------------------------------------------------------------------------


# (points, message template, params) of one factor: a plain tuple, built 17 times per customer.
_Reason = tuple[float, str, dict[str, Any]]


def _days(value: float) -> int:
    return _round_half_up(max(0.0, value))


def _amount(value: float) -> float:
    return round(value, 2)


def _payment_delay(facts: CustomerFacts, config: ScoringConfig) -> _Reason:
    """Late payers cost money to chase and are the first to default."""
    late = max(0.0, facts.weighted_days_late)
    points = -config.payment_delay_weight * _ramp(
        late, config.payment_delay_grace_days, config.payment_delay_full_days
    )
    days = _days(late)
    if days == 0:
        return (points, _lt("pays on time on average"), {})
    if days == 1:
        return (points, _lt("pays %(days)s day late on average"), {"days": days})
    return (points, _lt("pays %(days)s days late on average"), {"days": days})


def _is_material(facts: CustomerFacts, config: ScoringConfig) -> bool:
    # Write-off leftovers and bank fees leave tiny overdue residuals that say nothing about risk.
    return facts.overdue_balance > 0 and facts.overdue_balance >= config.overdue_min_amount


def _overdue_share(facts: CustomerFacts, config: ScoringConfig) -> _Reason:
    """What is owed now and already late matters more than past habits."""
    if facts.overdue_balance <= 0:
        return (0.0, _lt("nothing overdue"), {})
    params = {
        "amount": _amount(facts.overdue_balance),
        "minimum": _amount(config.overdue_min_amount),
    }
    if not _is_material(facts, config):
        return (0.0, _lt("%(amount)s overdue, below the %(minimum)s tolerance"), params)
    share = _share(facts.overdue_balance, facts.open_balance)
    points = -config.overdue_share_weight * share
    return (
        points,
        _lt("%(percent)s%% of the open balance is overdue"),
        {"percent": _round_half_up(share * 100)},
    )


def _aged_overdue(facts: CustomerFacts, config: ScoringConfig) -> _Reason:
    """Debt gets harder to collect with age: older buckets add up (they are cumulative)."""
    if facts.overdue_90 > 0:
        days, amount = 90, facts.overdue_90
    elif facts.overdue_60 > 0:
        days, amount = 60, facts.overdue_60
    elif facts.overdue_30 > 0:
        days, amount = 30, facts.overdue_30
    else:
        return (0.0, _lt("nothing overdue for more than 30 days"), {})
    params = {
        "amount": _amount(amount),
        "days": days,
        "minimum": _amount(config.overdue_min_amount),
    }
    if not _is_material(facts, config):
        return (
            0.0,
            _lt("%(amount)s overdue for more than %(days)s days, below the %(minimum)s tolerance"),
            params,
        )
    points = -(
        config.aged_30_weight * _share(facts.overdue_30, facts.open_balance)
        + config.aged_60_weight * _share(facts.overdue_60, facts.open_balance)
        + config.aged_90_weight * _share(facts.overdue_90, facts.open_balance)
    )
    return (points, _lt("%(amount)s overdue for more than %(days)s days"), params)


def _payment_trend(facts: CustomerFacts, config: ScoringConfig) -> _Reason:
    """A customer sliding into later payments is a warning before the averages show it."""
    if facts.recent_days_late is None or facts.older_days_late is None:
        return (0.0, _lt("not enough payments to see a trend"), {})
    worsening = max(0.0, facts.recent_days_late) - max(0.0, facts.older_days_late)
    points = -config.trend_weight * _ramp(
        worsening, config.trend_grace_days, config.trend_full_days
    )
    days = _days(worsening)
    if days == 0:
        return (points, _lt("payment delays stable or improving"), {})
    return (points, _lt("pays %(days)s days later recently than before"), {"days": days})


def _late_returns(facts: CustomerFacts, config: ScoringConfig) -> _Reason:
    """Late returns block the fleet for the next booking; judged as a share of rentals."""
    if facts.late_returns == 0:
        return (0.0, _lt("no late returns"), {})
    rate = _rate(facts.late_returns, facts.completed_rentals, config.min_rentals_for_rate)
    points = -(
        config.late_return_rate_weight * min(1.0, rate / config.late_return_full_rate)
        + config.late_return_days_weight
        * min(1.0, facts.avg_late_days / config.late_return_full_days)
    )
    params = {"count": facts.late_returns, "days": _days(facts.avg_late_days)}
    if facts.late_returns == 1:
        return (points, _lt("returned 1 rental late, by %(days)s days"), params)
    return (points, _lt("returned %(count)s rentals late, by %(days)s days on average"), params)


def _damage(facts: CustomerFacts, config: ScoringConfig) -> _Reason:
    """Damage costs repairs and downtime: how often, and how much against what they pay."""
    if facts.damage_count == 0 and facts.damage_amount <= 0:
        return (0.0, _lt("no damage incidents"), {})
    rate = _rate(facts.damage_count, facts.completed_rentals, config.min_rentals_for_rate)
    # claims / (claims + paid), written so it stays non-decreasing in claims even for huge floats
    ratio = 0.0
    if facts.damage_amount > 0:
        ratio = 1.0 / (1.0 + facts.paid_volume / facts.damage_amount)
    points = -(
        config.damage_rate_weight * min(1.0, rate / config.damage_full_rate)
        + config.damage_amount_weight * min(1.0, ratio / config.damage_full_ratio)
    )
    params = {"count": facts.damage_count, "amount": _amount(facts.damage_amount)}
    if facts.damage_count == 1:
        return (points, _lt("1 damage incident, %(amount)s claimed"), params)
    return (points, _lt("%(count)s damage incidents, %(amount)s claimed"), params)


def _lost_assets(facts: CustomerFacts, config: ScoringConfig) -> _Reason:
    """A lost asset is the costliest incident a rental company has."""
    if facts.lost_assets == 0:
        return (0.0, _lt("no lost assets"), {})
    points = -config.lost_asset_weight * min(1.0, facts.lost_assets / config.lost_asset_full_count)
    params = {"count": facts.lost_assets}
    if facts.lost_assets == 1:
        return (points, _lt("lost 1 rented asset"), params)
    return (points, _lt("lost %(count)s rented assets"), params)


def _tenure(facts: CustomerFacts, config: ScoringConfig) -> _Reason:
    """Long relationships have proven themselves; counted only once there is history."""
    if not facts.has_history:
        return (0.0, _lt("new customer: no posted invoice or completed rental yet"), {})
    points = config.tenure_weight * min(1.0, facts.tenure_days / config.tenure_full_days)
    months = int(facts.tenure_days // 30)
    if months == 0:
        return (points, _lt("customer for less than a month"), {})
    if months == 1:
        return (points, _lt("customer for 1 month"), {"months": months})
    return (points, _lt("customer for %(months)s months"), {"months": months})


def _completed_rentals(facts: CustomerFacts, config: ScoringConfig) -> _Reason:
    """Every rental brought back and closed is evidence the customer can be trusted."""
    if not facts.has_history or facts.completed_rentals == 0:
        return (0.0, _lt("no completed rentals yet"), {})
    points = config.completed_rentals_weight * min(
        1.0, facts.completed_rentals / config.completed_rentals_full
    )
    params = {"count": facts.completed_rentals}
    if facts.completed_rentals == 1:
        return (points, _lt("1 completed rental"), params)
    return (points, _lt("%(count)s completed rentals"), params)


def _paid_volume(facts: CustomerFacts, config: ScoringConfig) -> _Reason:
    """Money actually paid is the strongest proof of solvency."""
    if not facts.has_history or facts.paid_volume <= 0:
        return (0.0, _lt("nothing paid yet"), {})
    points = config.paid_volume_weight * min(1.0, facts.paid_volume / config.paid_volume_full)
    return (points, _lt("%(amount)s paid in total"), {"amount": _amount(facts.paid_volume)})


def _kyc(facts: CustomerFacts, config: ScoringConfig) -> _Reason:
    """A verified identity makes recovery possible if things go wrong."""
    if facts.kyc_verified:
        return (config.kyc_weight, _lt("identity verified (KYC)"), {})
    return (0.0, _lt("identity not verified (KYC)"), {})


def _late_rate(late: float, due: float) -> float:
    return late / due if due > 0 else 0.0


def _overdue_trend(facts: CustomerFacts, config: ScoringConfig) -> _Reason:
    """More invoices, or more of the money, going late than usual: trouble before it shows in
    the averages. Rates compare the last 90 days with the 12 months before."""
    if not facts.recent_due_count or not facts.older_due_count:
        return (0.0, _lt("not enough invoices due to see an overdue trend"), {})
    recent = _late_rate(facts.recent_late_count, facts.recent_due_count)
    older = _late_rate(facts.older_late_count, facts.older_due_count)
    recent_amount = _late_rate(facts.recent_late_amount, facts.recent_due_amount)
    older_amount = _late_rate(facts.older_late_amount, facts.older_due_amount)
    grace, full = config.overdue_trend_grace, config.overdue_trend_full
    # Half the weight on how often, half on how much.
    points = -config.overdue_trend_weight * (
        0.5 * _ramp(recent - older, grace, full)
        + 0.5 * _ramp(recent_amount - older_amount, grace, full)
    )
    params = {
        "late": facts.recent_late_count,
        "due": facts.recent_due_count,
        "percent": _round_half_up(recent_amount * 100),
        "before": _round_half_up(older_amount * 100),
    }
    if not points:
        return (
            points,
            _lt(
                "overdue trend stable: %(late)s of %(due)s invoices due in the last 90 days "
                "went late"
            ),
            params,
        )
    return (
        points,
        _lt(
            "overdue trend up: %(late)s of %(due)s invoices due in the last 90 days went late, "
            "%(percent)s%% of the amount against %(before)s%% in the year before"
        ),
        params,
    )


def _order_volume(facts: CustomerFacts, config: ScoringConfig) -> _Reason:
    """A customer ordering much less than its usual quarter may be losing business."""
    if facts.older_order_amount <= 0:
        return (0.0, _lt("not enough order history to see a volume change"), {})
    # The usual quarter is a quarter of the 12 months before (multiplied, not divided, so a
    # tiny amount cannot underflow to zero).
    drop = max(0.0, 1.0 - 4 * facts.recent_order_amount / facts.older_order_amount)
    points = -config.order_drop_weight * _ramp(
        drop, config.order_drop_grace, config.order_drop_full
    )
    percent = _round_half_up(drop * 100)
    if not points:
        return (0.0, _lt("orders in line with the usual quarter"), {"percent": percent})
    return (
        points,
        _lt("orders down %(percent)s%% in the last 90 days against the usual quarter"),
        {"percent": percent},
    )


def _credit_notes(facts: CustomerFacts, config: ScoringConfig) -> _Reason:
    """Many credit notes (returns, disputes, price corrections) make revenue less certain."""
    if facts.credit_note_amount <= 0:
        return (0.0, _lt("no credit notes"), {})
    rate = _share(facts.credit_note_amount, facts.invoiced_amount + facts.credit_note_amount)
    points = -config.credit_note_weight * _ramp(
        rate, config.credit_note_grace_rate, config.credit_note_full_rate
    )
    return (
        points,
        _lt("credit notes are %(percent)s%% of the amount invoiced"),
        {"percent": _round_half_up(rate * 100)},
    )


def _peer_gap(
    own: float, median: float | None, count: int, config: ScoringConfig
) -> tuple[float, float] | None:
    """(ramp, days later than the median) against one peer group, None when the group is too
    small to say what is usual (fewer than ``peer_min_count`` paying customers)."""
    if median is None or count < config.peer_min_count:
        return None
    gap = own - max(0.0, median)
    return (_ramp(gap, config.peer_grace_days, config.peer_full_days), gap)


def _peer_comparison(facts: CustomerFacts, config: ScoringConfig) -> _Reason:
    """Paying later than what is usual in the customer's trade or area: 20 days late is normal
    in some industries and a warning in others. Judged against the median of the paying
    customers of its industry and of its region (state, else country), whichever is harsher;
    never a bonus, the payment delay factor already rewards paying on time."""
    if facts.paid_volume <= 0:
        return (0.0, _lt("no payments to compare with peers"), {})
    own = max(0.0, facts.weighted_days_late)
    groups = []
    for name, median, count in (
        (facts.industry_name, facts.industry_median_days_late, facts.industry_peer_count),
        (facts.region_name, facts.region_median_days_late, facts.region_peer_count),
    ):
        compared = _peer_gap(own, median, count, config) if name else None
        if compared is not None:
            groups.append((compared[0], compared[1], name, median))
    if not groups:
        return (0.0, _lt("not enough peers to compare"), {})
    points = -config.peer_weight * max(ramp for ramp, _gap, _name, _median in groups)
    late = [
        {"group": name, "days": _days(gap), "median": _days(median)}
        for ramp, gap, name, median in groups
        if ramp > 0
    ]
    if not late:
        _ramp_value, _gap, name, median = groups[0]
        return (
            0.0,
            _lt("pays in line with the median of %(group)s (%(median)s days late)"),
            {"group": name, "median": _days(median)},
        )
    if len(late) == 1:
        return (
            points,
            _lt("pays %(days)s days later than the median of %(group)s (%(median)s days)"),
            late[0],
        )
    industry, region = late
    return (
        points,
        _lt(
            "pays %(days)s days later than the median of %(group)s (%(median)s days) and "
            "%(region_days)s days later than that of %(region)s (%(region_median)s days)"
        ),
        {
            **industry,
            "region": region["group"],
            "region_days": region["days"],
            "region_median": region["median"],
        },
    )


def _signals(facts: CustomerFacts, config: ScoringConfig) -> _Reason:
    """What a Risk Officer learnt outside the books (news, lawsuits, new management) counts
    until the signal expires."""
    if facts.signal_count <= 0 or facts.signal_severity <= 0:
        return (0.0, _lt("no active officer signal"), {})
    points = -config.signal_weight * min(1.0, facts.signal_severity / config.signal_full_severity)
    kind = SIGNAL_KINDS.get(facts.signal_kind or "", SIGNAL_KINDS["negative_news"])
    params = {"count": facts.signal_count, "kind": kind}
    if facts.signal_count == 1:
        return (points, _lt("officer signal: %(kind)s"), params)
    return (points, _lt("%(count)s officer signals, the most serious: %(kind)s"), params)


RELATED_CODE = "related_parties"
RELATED_LABEL = _lt("Related parties")


def _related_parties(facts: CustomerFacts, config: ScoringConfig, score: float) -> _Reason:
    """A weaker related party (same group, shared identifiers, declared related company) pulls
    the score towards its own by ``related_share`` of the gap: money moves inside a group."""
    if facts.related_score is None:
        return (0.0, _lt("no related party"), {})
    params = {
        "name": facts.related_name or "?",
        "grade": facts.related_grade or "?",
        "score": _round_half_up(facts.related_score),
    }
    gap = score - facts.related_score
    if gap <= 0:
        return (0.0, _lt("no related party scored lower"), params)
    return (
        -config.related_share * gap,
        _lt("related party %(name)s is graded %(grade)s (score %(score)s)"),
        params,
    )


FactorFunction = Callable[[CustomerFacts, ScoringConfig], _Reason]

FACTORS: tuple[tuple[str, str, FactorFunction], ...] = (
    ("payment_delay", _lt("Payment delay"), _payment_delay),
    ("overdue_share", _lt("Overdue balance"), _overdue_share),
    ("aged_overdue", _lt("Aged overdue"), _aged_overdue),
    ("payment_trend", _lt("Payment trend"), _payment_trend),
    ("late_returns", _lt("Late returns"), _late_returns),
    ("damage", _lt("Damage"), _damage),
    ("lost_assets", _lt("Lost assets"), _lost_assets),
    ("tenure", _lt("Tenure"), _tenure),
    ("completed_rentals", _lt("Completed rentals"), _completed_rentals),
    ("paid_volume", _lt("Paid volume"), _paid_volume),
    ("kyc", _lt("Identity"), _kyc),
    ("overdue_trend", _lt("Overdue trend"), _overdue_trend),
    ("order_volume", _lt("Order volume"), _order_volume),
    ("credit_notes", _lt("Credit notes"), _credit_notes),
    ("peer_comparison", _lt("Peer comparison"), _peer_comparison),
    ("signals", _lt("Officer signals"), _signals),
)
"""(code, label, function) of each factor, in the order contributions are reported."""

BLACKLIST_CODE = "blacklist"
BLACKLIST_LABEL = _lt("Blacklist")


# ---------------------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------------------


def _fit_to_bounds(points: list[float], base: int) -> list[float]:
    """Scale down the side that pushed the total out of 0-100 so base + sum lands on the bound.

    Proportional scaling keeps each factor's share of the blame (or credit) intact.
    """
    total = base + math.fsum(points)
    if 0 <= total <= 100:
        return points
    negative = math.fsum(p for p in points if p < 0)
    positive = math.fsum(p for p in points if p > 0)
    if total < 0:
        factor = -(base + positive) / negative
        return [p * factor if p < 0 else p for p in points]
    factor = (100 - base - negative) / positive  # total > 100
    return [p * factor if p > 0 else p for p in points]


def _apportion(values: list[float], target: int) -> list[int]:
    """Round ``values`` to integers summing exactly to ``target`` (largest remainder method).

    Each value is rounded, then the difference is settled one point at a time on the values
    whose rounding erred most in the needed direction. Zero values are left alone so a factor
    that did not apply never shows a stray point.
    """
    # Most factors give nothing to most customers: their zeros need no rounding.
    rounded = [_round_half_up(value) if value else 0 for value in values]
    diff = target - sum(rounded)
    if not diff:
        return rounded
    candidates = [i for i, value in enumerate(values) if value != 0] or list(range(len(values)))
    step = 1 if diff > 0 else -1
    # Largest error in the needed direction first; index breaks ties so results are stable.
    candidates.sort(key=lambda i: (-step * (values[i] - rounded[i]), i))
    position = 0
    while diff and candidates:
        rounded[candidates[position % len(candidates)]] += step
        diff -= step
        position += 1
    return rounded


def _clamped_score(raw_points: list[float], facts: CustomerFacts, config: ScoringConfig):
    """(raw score, related parties' reason, score before the blacklist cap): the arithmetic
    :func:`score_customer` and :func:`score_and_grade` share."""
    raw_score = config.base_score + math.fsum(raw_points)
    clamped = min(100.0, max(0.0, raw_score))
    # Related parties pull the score the other factors give towards their own: a share of
    # the gap, so the result stays within 0-100 and never rises when any fact worsens.
    related = _related_parties(facts, config, clamped)
    return raw_score, related, _round_half_up(clamped + related[0])


def score_and_grade(facts: CustomerFacts, config: ScoringConfig = DEFAULT_CONFIG) -> tuple:
    """``(score, grade)`` of :func:`score_customer`, without building the explanation.

    The backtest scores every customer at every month-end (1,200,000 scorings for 12 months
    at 100,000 customers) and keeps only these two values: apportioning the points and
    wrapping the contributions was half of its time.
    """
    raw_points = [function(facts, config)[0] for _code, _label, function in FACTORS]
    _raw, _related, score = _clamped_score(raw_points, facts, config)
    if facts.blacklisted:
        return min(score, config.grades.e_max_score), GRADES[-1]
    return score, config.grades.grade_for(score)


def _scored(facts: CustomerFacts, config: ScoringConfig) -> tuple:
    """``(score, grade, raw score, points, reasons)``: the arithmetic :func:`score_customer` and
    :func:`moving_reasons` share. ``points`` (integers) and ``reasons`` (``(raw points,
    message, params)``) run in the order of the contributions: the factors, the related
    parties, the blacklist."""
    reasons = [function(facts, config) for _code, _label, function in FACTORS]
    raw_points = [reason[0] for reason in reasons]
    raw_score, related, score = _clamped_score(raw_points, facts, config)

    fitted = [*_fit_to_bounds(raw_points, config.base_score), related[0]]
    points = _apportion(fitted, score - config.base_score)
    reasons.append(related)

    if facts.blacklisted:
        cap = config.grades.e_max_score
        blacklist_points = min(0, cap - score)
        reasons.append(
            (
                blacklist_points,
                _lt("customer is blacklisted: score capped at %(cap)s"),
                {"cap": cap},
            )
        )
        points.append(blacklist_points)
        score += blacklist_points
        grade = GRADES[-1]
    else:
        reasons.append((0, _lt("not blacklisted"), {}))
        points.append(0)
        grade = config.grades.grade_for(score)
    return score, grade, raw_score + related[0], points, reasons


_CODES_AND_LABELS: tuple[tuple[str, str], ...] = (
    *((code, label) for code, label, _function in FACTORS),
    (RELATED_CODE, RELATED_LABEL),
    (BLACKLIST_CODE, BLACKLIST_LABEL),
)


def score_customer(facts: CustomerFacts, config: ScoringConfig = DEFAULT_CONFIG) -> ScoreResult:
    """Score one customer: 0-100, a grade A-E and the contribution of every factor.

    Pure function: same facts and config, same result. See the module docstring for how the
    score is built and why contributions always add up to it.
    """
    score, grade, raw_score, points, reasons = _scored(facts, config)
    # The factors built their params dicts for this call only: wrapping them read-only is
    # enough, no copy needed.
    contributions = tuple(
        Contribution(
            code, label, value, message, MappingProxyType(params) if params else _NO_PARAMS
        )
        for (code, label), (_raw, message, params), value in zip(
            _CODES_AND_LABELS, reasons, points, strict=True
        )
    )
    return ScoreResult(
        score=score,
        grade=grade,
        base=config.base_score,
        contributions=contributions,
        new_customer=not facts.has_history,
        capped_by_blacklist=facts.blacklisted,
        raw_score=raw_score,
    )


def moving_reasons(facts: CustomerFacts, config: ScoringConfig = DEFAULT_CONFIG) -> tuple:
    """``(score, grade, reasons)`` of :func:`score_customer`, ``reasons`` holding only the
    contributions that moved the score, as ``(points, message, params)`` in their order.

    What the nightly rescoring stores (the explanation lists only these): building the
    read-only :class:`Contribution` of all eighteen factors for every customer, zeros
    included, was a third of its scoring time at 100,000 customers. ``params`` are the
    factors' own dicts: read them, do not change them.
    """
    score, grade, _raw_score, points, reasons = _scored(facts, config)
    return (
        score,
        grade,
        [
            (value, message, params)
            for value, (_raw, message, params) in zip(points, reasons, strict=True)
            if value
        ],
    )


def explain(result: ScoreResult, include_zero: bool = False) -> list[str]:
    """Reasons as plain English lines, e.g. "pays 23 days late on average: -11".

    Zero-point factors are left out unless ``include_zero`` is set: the user wants to know what
    moved the score, not the list of everything that did not.
    """
    return [
        f"{contribution.detail}: {format_points(contribution.points)}"
        for contribution in result.contributions
        if include_zero or contribution.points
    ]


def grade_drop(old: str | None, new: str) -> int:
    """How many steps the grade fell from ``old`` to ``new`` (A -> C is 2).

    Negative when the grade improved; 0 when there was no previous grade (``None``, or
    ``False``/``""`` as an empty Odoo field gives), so a first scoring never raises an alert.
    """
    if new not in GRADES:
        raise ValueError(f"unknown grade {new!r}, expected one of {', '.join(GRADES)}")
    if not old:
        return 0
    if old not in GRADES:
        raise ValueError(f"unknown grade {old!r}, expected one of {', '.join(GRADES)}")
    return GRADES.index(new) - GRADES.index(old)
