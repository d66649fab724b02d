"""Tests for contest.quiz.draw."""

import random

import pytest

from contest.problems import Problem
from contest.quiz.draw import (
    DrawError,
    check_quotas,
    draw_fixed,
    draw_questions,
    shuffle_options,
)

POOL = {
    1: list(range(100, 110)),  # 10 questions
    2: list(range(200, 205)),  # 5 questions
    3: list(range(300, 303)),  # 3 questions
}
QUOTAS = {1: 4, 2: 3, 3: 1}


def test_quotas_respected_without_duplicates():
    for seed in range(50):
        drawn = draw_questions(POOL, QUOTAS, random.Random(seed))
        assert len(drawn) == 8
        assert len(set(drawn)) == 8
        for topic_id, quota in QUOTAS.items():
            assert sum(1 for q in drawn if q in POOL[topic_id]) == quota


def test_draw_is_deterministic_for_a_seed():
    first = draw_questions(POOL, QUOTAS, random.Random(42))
    second = draw_questions(POOL, QUOTAS, random.Random(42))
    assert first == second


def test_draw_ignores_input_order():
    reordered_pool = {topic: list(reversed(ids)) for topic, ids in reversed(POOL.items())}
    reordered_quotas = dict(reversed(QUOTAS.items()))
    assert draw_questions(reordered_pool, reordered_quotas, random.Random(7)) == draw_questions(
        POOL, QUOTAS, random.Random(7)
    )


def test_different_seeds_give_different_draws():
    draws = {tuple(draw_questions(POOL, QUOTAS, random.Random(seed))) for seed in range(20)}
    assert len(draws) > 1


def test_draw_mixes_topics_when_shuffled():
    # With 8 questions from 3 topics, some seed must break the topic grouping.
    def grouped(drawn):
        topics = [q // 100 for q in drawn]
        return topics == sorted(topics)

    assert not all(grouped(draw_questions(POOL, QUOTAS, random.Random(s))) for s in range(20))


def test_draw_without_shuffle_groups_by_topic():
    drawn = draw_questions(POOL, QUOTAS, random.Random(3), shuffle=False)
    assert [q // 100 for q in drawn] == [1, 1, 1, 1, 2, 2, 2, 3]
    assert drawn[:4] == sorted(drawn[:4])


def test_whole_pool_can_be_drawn():
    drawn = draw_questions(POOL, {3: 3}, random.Random(0))
    assert sorted(drawn) == POOL[3]


def test_topic_without_quota_contributes_nothing():
    drawn = draw_questions(POOL, {2: 2}, random.Random(0))
    assert len(drawn) == 2
    assert all(q in POOL[2] for q in drawn)


def test_quota_larger_than_pool_raises():
    with pytest.raises(DrawError) as caught:
        draw_questions(POOL, {3: 4}, random.Random(0))
    assert caught.value.problems == [
        Problem("draw_quota_short", None, {"topic": 3, "quota": 4, "available": 3})]


def test_quota_for_unknown_topic_raises():
    with pytest.raises(DrawError) as caught:
        draw_questions(POOL, {9: 1}, random.Random(0))
    assert caught.value.code == "draw_quota_short"
    assert caught.value.problems[0].params["topic"] == 9


def test_negative_quota_raises():
    with pytest.raises(DrawError) as caught:
        draw_questions(POOL, {1: -1}, random.Random(0))
    assert caught.value.code == "draw_quota_negative"


def test_question_in_two_topics_raises():
    with pytest.raises(DrawError) as caught:
        draw_questions({1: [100, 101], 2: [100]}, {1: 1, 2: 1}, random.Random(0))
    assert caught.value.problems == [
        Problem("draw_overlap", None, {"question": 100, "first": 1, "second": 2})]


def test_check_quotas_reports_problems():
    sizes = {1: 10, 2: 5}
    assert check_quotas(sizes, {1: 10, 2: 5}) == []
    problems = check_quotas(sizes, {1: 11, 2: -1, 3: 1})
    assert [(p.code, p.params["topic"]) for p in problems] == [
        ("draw_quota_short", 1), ("draw_quota_negative", 2), ("draw_quota_short", 3)]
    assert problems[0].params == {"topic": 1, "quota": 11, "available": 10}


def test_check_quotas_reports_empty_draw():
    assert check_quotas({1: 10}, {}) == [Problem("draw_no_quota")]
    assert check_quotas({1: 10}, {1: 0}) == [Problem("draw_nothing")]


def test_draw_fixed_keeps_order_without_shuffle():
    assert draw_fixed([5, 3, 9], False, random.Random(0)) == [5, 3, 9]


def test_draw_fixed_shuffles_deterministically():
    ids = list(range(1, 21))
    first = draw_fixed(ids, True, random.Random(11))
    assert first == draw_fixed(ids, True, random.Random(11))
    assert sorted(first) == ids
    assert first != ids
    assert ids == list(range(1, 21))  # the input is not modified


def test_draw_fixed_rejects_duplicates_and_empty():
    with pytest.raises(DrawError) as repeated:
        draw_fixed([1, 2, 1], False, random.Random(0))
    with pytest.raises(DrawError) as empty:
        draw_fixed([], True, random.Random(0))
    assert (repeated.value.code, empty.value.code) == ("draw_fixed_repeats", "draw_fixed_empty")


def test_shuffle_options_without_shuffle_keeps_author_order():
    options = {10: [4, 2, 3], 11: [7, 8]}
    assert shuffle_options(options, False, random.Random(0)) == {10: [4, 2, 3], 11: [7, 8]}


def test_shuffle_options_is_a_deterministic_permutation():
    options = {q: list(range(q * 10, q * 10 + 4)) for q in range(1, 11)}
    first = shuffle_options(options, True, random.Random(5))
    assert first == shuffle_options(options, True, random.Random(5))
    assert list(first) == list(options)
    for qid, order in first.items():
        assert sorted(order) == options[qid]
    assert any(first[q] != options[q] for q in options)


def test_shuffle_options_ignores_mapping_order():
    options = {1: [1, 2, 3, 4], 2: [5, 6, 7, 8]}
    reordered = {2: [5, 6, 7, 8], 1: [1, 2, 3, 4]}
    assert shuffle_options(options, True, random.Random(9)) == shuffle_options(
        reordered, True, random.Random(9)
    )


def test_shuffle_options_rejects_repeated_option():
    with pytest.raises(DrawError) as caught:
        shuffle_options({1: [1, 1, 2]}, True, random.Random(0))
    assert caught.value.problems == [Problem("draw_option_repeats", None, {"question": 1})]
