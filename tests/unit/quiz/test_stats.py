"""Tests for contest.quiz.stats."""

import math

import pytest

from contest.quiz.stats import (
    ItemStat,
    discrimination_index,
    facility_index,
    item_statistics,
    option_frequencies,
    score_distribution,
)

# Four attempts on a three-question quiz, one point per question.
#
#   attempt   q1  q2  q3  total
#   A          1   1   1    3
#   B          1   0   1    2
#   C          0   1   0    1
#   D          0   0   0    0
ROWS = [
    {1: 1.0, 2: 1.0, 3: 1.0},
    {1: 1.0, 2: 0.0, 3: 1.0},
    {1: 0.0, 2: 1.0, 3: 0.0},
    {1: 0.0, 2: 0.0, 3: 0.0},
]
TOTALS = [3.0, 2.0, 1.0, 0.0]
Q1 = [1.0, 1.0, 0.0, 0.0]
Q2 = [1.0, 0.0, 1.0, 0.0]


def test_facility_index_hand_computed():
    # q1: (1 + 1 + 0 + 0) / 4 = 0.5 of the maximum -> 50 %.
    assert facility_index(Q1) == 50.0
    # Partial scores out of 2 points: (2 + 1 + 0.5) / 3 = 1.1667; / 2 -> 58.33 %.
    assert facility_index([2.0, 1.0, 0.5], max_score=2.0) == pytest.approx(58.3333, abs=1e-4)


def test_facility_index_undefined():
    assert facility_index([]) is None
    assert facility_index([0.0, 0.0], max_score=0.0) is None


def test_discrimination_index_hand_computed_q1():
    # q1 scores x = 1, 1, 0, 0; rest of test y = total - q1 = 2, 1, 1, 0.
    # mean x = 0.5, mean y = 1.
    # deviations x: .5, .5, -.5, -.5; y: 1, 0, 0, -1.
    # Sxy = .5 + 0 + 0 + .5 = 1; Sxx = 4 * .25 = 1; Syy = 1 + 0 + 0 + 1 = 2.
    # r = 1 / sqrt(1 * 2) = 0.70711 -> index 70.71.
    assert discrimination_index(Q1, TOTALS) == pytest.approx(100 / math.sqrt(2))


def test_discrimination_index_hand_computed_q2():
    # q2 scores x = 1, 0, 1, 0; rest y = 2, 2, 0, 0.
    # deviations x: .5, -.5, .5, -.5; y: 1, 1, -1, -1.
    # Sxy = .5 - .5 - .5 + .5 = 0 -> r = 0, index 0 (does not discriminate).
    assert discrimination_index(Q2, TOTALS) == pytest.approx(0.0)


def test_discrimination_index_negative():
    # Weak entrants get it right: x = 0, 1; rest y = 3, 1 -> r = -1, index -100.
    assert discrimination_index([0.0, 1.0], [3.0, 2.0]) == pytest.approx(-100.0)


def test_discrimination_index_undefined():
    assert discrimination_index([], []) is None
    assert discrimination_index([1.0], [3.0]) is None  # fewer than 2 attempts
    assert discrimination_index([1.0, 1.0, 1.0], [3.0, 2.0, 1.0]) is None  # question constant
    # The rest of the test is constant: totals 2, 3 minus scores 0, 1 -> 2, 2.
    assert discrimination_index([0.0, 1.0], [2.0, 3.0]) is None


def test_discrimination_index_constant_rest_despite_float_noise():
    # Rest = 0.3 for both attempts, although 0.6 - 0.3 != 0.4 - 0.1 in floats.
    assert discrimination_index([0.3, 0.1], [0.6, 0.4]) is None


def test_discrimination_index_length_mismatch():
    with pytest.raises(ValueError):
        discrimination_index([1.0, 0.0], [1.0])


def test_item_statistics_matches_the_hand_computed_values():
    stats = item_statistics(ROWS)
    assert [s.question_id for s in stats] == [1, 2, 3]
    q1, q2, q3 = stats
    assert q1.attempts == 4 and q1.mean_score == 0.5 and q1.max_score == 1.0
    assert q1.facility == 50.0
    assert q1.discrimination == pytest.approx(70.7107, abs=1e-4)
    assert q2.discrimination == pytest.approx(0.0)
    # q3 has the same scores as q1 and the same rest of test, 2, 1, 1, 0.
    assert q3.discrimination == pytest.approx(q1.discrimination)


def test_item_statistics_with_random_draws_and_unseen_questions():
    # Question 5 (2 points) is drawn in two attempts only; question 9 in none.
    rows = [{1: 1.0, 5: 2.0}, {1: 0.0, 5: 0.0}, {1: 1.0}]
    stats = {s.question_id: s for s in item_statistics(rows, {1: 1.0, 5: 2.0, 9: 1.0})}
    # q5 over attempts 1-2: x = 2, 0; totals 3, 0; rest = 1, 0 -> r = 1.
    # Facility: mean (2 + 0) / 2 = 1 of 2 points -> 50 %.
    assert stats[5].attempts == 2
    assert stats[5].facility == 50.0
    assert stats[5].discrimination == pytest.approx(100.0)
    # q1 over all three: x = 1, 0, 1; totals 3, 0, 1; rest = 2, 0, 0.
    # mean x = 2/3, mean y = 2/3; dx = 1/3, -2/3, 1/3; dy = 4/3, -2/3, -2/3.
    # Sxy = 4/9 + 4/9 - 2/9 = 2/3; Sxx = 6/9 = 2/3; Syy = 24/9 = 8/3.
    # r = (2/3) / sqrt(2/3 * 8/3) = (2/3) / (4/3) = 0.5 -> index 50.
    assert stats[1].attempts == 3
    assert stats[1].discrimination == pytest.approx(50.0)
    assert stats[9] == ItemStat(9, 0, None, 1.0, None, None)


def test_option_frequencies():
    choices = [{1}, {1, 3}, set(), {3}, [1]]
    assert option_frequencies(choices) == {1: 3, 3: 2}
    assert option_frequencies(choices, option_ids=[4, 3, 2, 1]) == {4: 0, 3: 2, 2: 0, 1: 3}
    with pytest.raises(ValueError):
        option_frequencies([{7}], option_ids=[1, 2])


def test_option_frequencies_counts_an_attempt_once_per_option():
    assert option_frequencies([[2, 2]]) == {2: 1}


def test_score_distribution():
    assert score_distribution([3, 2, 3, 0]) == {0: 1, 2: 1, 3: 2}
    assert score_distribution([3, 2, 3, 0], max_correct=3) == {0: 1, 1: 0, 2: 1, 3: 2}
    assert score_distribution([], max_correct=1) == {0: 0, 1: 0}
    with pytest.raises(ValueError):
        score_distribution([4], max_correct=3)
    with pytest.raises(ValueError):
        score_distribution([-1])
