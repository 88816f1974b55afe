"""Tests of the backtest measures (rental_risk/engine/backtest.py)."""

import random

import pytest
from engine.backtest import (
    CappedLosses,
    auc,
    capped_loss,
    capped_losses,
    caught_share,
    gini,
    grade_table,
)


def test_perfect_ranking_is_one():
    """Every bad customer scored below every good one: AUC 1.0, Gini 1.0."""
    scores = [10, 20, 30, 70, 80, 90]
    bad = [True, True, True, False, False, False]
    assert auc(scores, bad) == 1.0
    assert gini(auc(scores, bad)) == 1.0


def test_reversed_ranking_is_zero():
    """Bad customers scored highest: AUC 0.0."""
    assert auc([90, 80, 10, 20], [True, True, False, False]) == 0.0


def test_ties_count_half():
    """A score that gives everyone the same value knows nothing: 0.5."""
    assert auc([55] * 6, [True, False, True, False, False, False]) == 0.5


def test_mixed_ranking_counts_pairs():
    """One of the four (good, bad) pairs is misordered: 0.75."""
    assert auc([10, 60, 50, 90], [True, True, False, False]) == 0.75


def test_shuffled_outcomes_give_about_half():
    """Outcomes unrelated to the scores give an AUC close to 0.5."""
    rng = random.Random(17)
    scores = [rng.uniform(0, 100) for _ in range(5000)]
    bad = [rng.random() < 0.2 for _ in scores]
    assert abs(auc(scores, bad) - 0.5) < 0.03


def test_no_bad_or_no_good_gives_none():
    """Nothing to compare: None, not a made-up figure."""
    assert auc([1, 2], [False, False]) is None
    assert auc([1, 2], [True, True]) is None
    assert gini(None) is None


def test_lengths_must_match():
    """Scores and outcomes come in pairs."""
    with pytest.raises(ValueError, match="same length"):
        auc([1, 2], [True])


def test_grade_table_and_caught_share():
    """Counts per grade, every grade listed, and the share of bad outcomes graded D or E."""
    observations = [("A", False), ("D", True), ("E", True), ("C", True), ("E", False)]
    assert grade_table(observations) == {
        "A": (1, 0),
        "B": (0, 0),
        "C": (1, 1),
        "D": (1, 1),
        "E": (2, 1),
    }
    assert caught_share(observations) == pytest.approx(2 / 3)
    assert caught_share([("A", False)]) is None


def test_capped_loss_is_the_part_above_the_limit():
    """A limit blocks what goes past it; below it, nothing; 0 gives no credit at all."""
    assert capped_loss(12000.0, 10000.0) == 2000.0
    assert capped_loss(800.0, 2000.0) == 0.0
    assert capped_loss(500.0, 0.0) == 500.0
    assert capped_loss(500.0, None) == 0.0
    assert capped_loss(-50.0, 0.0) == 0.0


def test_capped_losses_sum_and_share():
    """Exposures and capped parts add up; the share is capped over exposed."""
    result = capped_losses([(12000.0, 10000.0), (800.0, 2000.0), (1200.0, 0.0), (0.0, 0.0)])
    assert result.exposure == 14000.0
    assert result.capped == 3200.0
    assert result.share == pytest.approx(3200.0 / 14000.0)
    assert result.over_limit == 2


def test_capped_losses_without_exposure_has_no_share():
    """No bad outcome with money at stake: nothing capped and no made-up share."""
    assert capped_losses([]) == CappedLosses(0.0, 0.0, None, 0)
    assert capped_losses([(0.0, 100.0)]).share is None
