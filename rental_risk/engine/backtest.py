"""Measures of how well credit scores ranked the customers who later ran into trouble.

Plain Python, no ORM: the backtest scores every customer as of past month-ends, watches what
happened next (a bad outcome or not) and hands the pairs to these functions.
"""

from collections import namedtuple
from collections.abc import Iterable, Sequence

from .scoring import GRADES

#: What the credit limits would have capped of the losses: the exposure of the bad outcomes,
#: the part of it above the limits, that part's share of the exposure (None without any
#: exposure) and how many exposures went over their limit.
CappedLosses = namedtuple("CappedLosses", "exposure capped share over_limit")


def auc(scores: Sequence[float], bad: Sequence[bool]) -> float | None:
    """Area under the ROC curve of ``scores`` as a predictor of ``bad`` outcomes.

    A credit score is high for good customers, so the AUC is the probability that a customer
    picked at random among those who turned bad scored lower than one picked among those who
    did not (ties count half): 1.0 when every bad customer scored below every good one, 0.0
    when the ranking is reversed, about 0.5 for a score that knows nothing. None when there is
    no bad or no good outcome to compare. Computed from ranks (Mann-Whitney U) in
    O(n log n), so a backtest over 100,000s of scorings stays fast.
    """
    if len(scores) != len(bad):
        raise ValueError("scores and outcomes must have the same length")
    bad_count = sum(1 for flag in bad if flag)
    good_count = len(bad) - bad_count
    if not bad_count or not good_count:
        return None
    # Average rank of each score (1-based), ties sharing the mean of their ranks.
    order = sorted(range(len(scores)), key=scores.__getitem__)
    ranks = [0.0] * len(scores)
    position = 0
    while position < len(order):
        end = position
        while end + 1 < len(order) and scores[order[end + 1]] == scores[order[position]]:
            end += 1
        mean_rank = (position + end) / 2 + 1
        for index in order[position : end + 1]:
            ranks[index] = mean_rank
        position = end + 1
    good_rank_sum = sum(rank for rank, flag in zip(ranks, bad, strict=True) if not flag)
    # U counts the (good, bad) pairs where the good customer scored higher.
    u_good = good_rank_sum - good_count * (good_count + 1) / 2
    return u_good / (good_count * bad_count)


def gini(area: float | None) -> float | None:
    """Gini coefficient (accuracy ratio) of an AUC: 2 x AUC - 1, from -1 to 1."""
    return None if area is None else 2 * area - 1


def grade_table(observations: Iterable[tuple[str, bool]]) -> dict[str, tuple[int, int]]:
    """{grade: (customers, bad outcomes)} of (grade, bad) observations, every grade listed."""
    table = {grade: [0, 0] for grade in GRADES}
    for grade, is_bad in observations:
        row = table[grade]
        row[0] += 1
        row[1] += bool(is_bad)
    return {grade: (count, bads) for grade, (count, bads) in table.items()}


def caught_share(observations: Iterable[tuple[str, bool]], grades: Iterable[str] = ("D", "E")):
    """Share of the bad outcomes that had one of ``grades`` beforehand; None without any."""
    watched = set(grades)
    bads = caught = 0
    for grade, is_bad in observations:
        if is_bad:
            bads += 1
            caught += grade in watched
    return caught / bads if bads else None


def capped_loss(exposure: float, limit: float | None) -> float:
    """Part of ``exposure`` above ``limit``: what that credit limit would have blocked, the
    orders past it being held. A limit of 0 gives no credit, so all of it; no limit (None),
    nothing; never negative."""
    if limit is None or exposure <= 0:
        return 0.0
    return max(0.0, exposure - max(0.0, limit))


def capped_losses(rows: Iterable[tuple[float, float | None]]) -> CappedLosses:
    """Sum the (exposure, limit in force) pairs of the bad outcomes: how much was exposed,
    how much of it the limits would have capped and which share that is."""
    exposure = capped = 0.0
    over_limit = 0
    for amount, limit in rows:
        if amount <= 0:
            continue
        part = capped_loss(amount, limit)
        exposure += amount
        capped += part
        over_limit += part > 0
    return CappedLosses(exposure, capped, capped / exposure if exposure else None, over_limit)
