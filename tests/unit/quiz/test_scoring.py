"""Tests for contest.quiz.scoring."""

import pytest

from contest.quiz.scoring import (
    AttemptScore,
    ItemKey,
    check_weights,
    is_fully_correct,
    score_attempt,
    score_question,
)

SINGLE = {1: 1.0, 2: 0.0, 3: 0.0, 4: 0.0}
TRUEFALSE = {10: 1.0, 11: 0.0}
# Two right options at 50 % each, two wrong ones penalised.
MULTI = {21: 0.5, 22: 0.5, 23: -0.5, 24: -1.0}
THIRDS = {31: 0.3333333, 32: 0.3333333, 33: 0.3333333, 34: -1.0}


@pytest.mark.parametrize("chosen, expected", [({1}, 1.0), ({2}, 0.0), (set(), 0.0)])
def test_single(chosen, expected):
    assert score_question("single", SINGLE, chosen) == expected


def test_single_with_partial_credit_option_and_points():
    weights = {1: 1.0, 2: 0.5, 3: -0.5}
    assert score_question("single", weights, [2], points=2) == 1.0
    # A negative option never takes the question below zero.
    assert score_question("single", weights, [3], points=2) == 0.0


@pytest.mark.parametrize("chosen, expected", [([10], 1.0), ([11], 0.0), ([], 0.0)])
def test_truefalse(chosen, expected):
    assert score_question("truefalse", TRUEFALSE, chosen) == expected
    assert is_fully_correct("truefalse", TRUEFALSE, chosen) is (expected == 1.0)


@pytest.mark.parametrize(
    "chosen, expected",
    [
        ({21, 22}, 1.0),
        ({21}, 0.0),
        ({21, 22, 23}, 0.0),
        (set(), 0.0),
    ],
)
def test_multiple_all_or_nothing(chosen, expected):
    assert score_question("multiple", MULTI, chosen, "all_or_nothing") == expected
    assert score_question("multiple", MULTI, chosen) == expected  # the default method


@pytest.mark.parametrize(
    "chosen, expected",
    [
        ({21, 22}, 1.0),  # 0.5 + 0.5
        ({21}, 0.5),  # 0.5
        ({21, 22, 23}, 0.5),  # 0.5 + 0.5 - 0.5
        ({21, 23}, 0.0),  # 0.5 - 0.5
        ({21, 24}, 0.0),  # 0.5 - 1.0 = -0.5, clamped to 0
        ({21, 22, 23, 24}, 0.0),  # 1.0 - 1.5 = -0.5, clamped to 0
        (set(), 0.0),
    ],
)
def test_multiple_partial(chosen, expected):
    assert score_question("multiple", MULTI, chosen, "partial") == expected


def test_partial_scales_with_points():
    assert score_question("multiple", MULTI, {21}, "partial", points=3) == 1.5


def test_gift_thirds_give_the_full_mark():
    # 3 * 0.3333333 = 0.9999999, which must count as exactly the full mark.
    assert score_question("multiple", THIRDS, {31, 32, 33}, "partial") == 1.0
    assert is_fully_correct("multiple", THIRDS, {31, 32, 33}, "partial")
    assert score_question("multiple", THIRDS, {31, 32}, "partial") == 0.666667


def test_is_fully_correct_follows_the_method():
    assert is_fully_correct("multiple", MULTI, {21, 22})
    assert not is_fully_correct("multiple", MULTI, {21})
    assert not is_fully_correct("multiple", MULTI, {21}, "partial")
    assert not is_fully_correct("single", SINGLE, [])


@pytest.mark.parametrize(
    "kind, weights, chosen",
    [
        ("single", SINGLE, [99]),  # option of another question
        ("multiple", MULTI, [21, 21]),  # repeated option
        ("single", SINGLE, [1, 2]),  # two options on a radio question
        ("truefalse", TRUEFALSE, [10, 11]),
    ],
)
def test_tampered_answers_raise(kind, weights, chosen):
    with pytest.raises(ValueError):
        score_question(kind, weights, chosen)


def test_invalid_arguments_raise():
    with pytest.raises(ValueError, match="kind"):
        score_question("essay", SINGLE, [])
    with pytest.raises(ValueError, match="method"):
        score_question("multiple", MULTI, [], "generous")
    with pytest.raises(ValueError, match="outside"):
        score_question("multiple", {1: 1.5}, [])
    with pytest.raises(ValueError, match="points"):
        score_question("single", SINGLE, [1], points=-1)
    with pytest.raises(ValueError, match="no options"):
        score_question("single", {}, [])


def test_check_weights():
    assert check_weights("single", SINGLE) == []
    assert check_weights("truefalse", TRUEFALSE) == []
    assert check_weights("multiple", MULTI) == []
    assert check_weights("multiple", THIRDS) == []
    assert check_weights("single", {1: 0.5, 2: 0.0}) == ["no option is worth 100 %"]
    assert len(check_weights("truefalse", {1: 1.0, 2: 1.0})) == 1
    assert "sum to 0.8" in check_weights("multiple", {1: 0.5, 2: 0.3, 3: -1})[0]
    assert check_weights("multiple", {1: 0.0, 2: -1.0}) == ["no option has a positive weight"]
    assert check_weights("multiple", {1: 2.0})[0].startswith("option 1")


ITEMS = [
    ItemKey(1, "single", SINGLE),
    ItemKey(2, "truefalse", TRUEFALSE),
    ItemKey(3, "multiple", MULTI, points=2.0),
]


def test_score_attempt_all_or_nothing():
    result = score_attempt(ITEMS, {1: [1], 2: [11], 3: [21, 22]})
    assert result == AttemptScore(
        score=3.0, max_score=4.0, correct_count=2, per_question={1: 1.0, 2: 0.0, 3: 2.0}
    )


def test_score_attempt_partial_and_unanswered():
    # Question 2 is unanswered; question 3 earns 2 * 0.5 = 1.
    result = score_attempt(ITEMS, {1: [1], 3: [21]}, "partial")
    assert result.score == 2.0
    assert result.max_score == 4.0
    assert result.correct_count == 1
    assert result.per_question == {1: 1.0, 2: 0.0, 3: 1.0}


def test_score_attempt_empty_answers():
    result = score_attempt(ITEMS, {})
    assert (result.score, result.max_score, result.correct_count) == (0.0, 4.0, 0)


def test_score_attempt_perfect():
    result = score_attempt(ITEMS, {1: [1], 2: [10], 3: [22, 21]})
    assert result.score == result.max_score == 4.0
    assert result.correct_count == 3


def test_score_attempt_thirds_sum_exactly():
    items = [ItemKey(q, "multiple", THIRDS) for q in (1, 2, 3)]
    answers = {1: [31], 2: [31, 32], 3: [31, 32, 33]}
    result = score_attempt(items, answers, "partial")
    # 0.333333 + 0.666667 + 1 rounded to 6 places.
    assert result.score == 2.0
    assert result.correct_count == 1


def test_score_attempt_rejects_stray_answer_and_duplicate_items():
    with pytest.raises(ValueError, match="outside the attempt"):
        score_attempt(ITEMS, {1: [1], 7: [1]})
    with pytest.raises(ValueError, match="more than once"):
        score_attempt([ITEMS[0], ITEMS[0]], {})
    with pytest.raises(ValueError, match="do not belong"):
        score_attempt(ITEMS, {1: [10]})
