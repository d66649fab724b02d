"""Tests for contest.quiz.ranking."""

from datetime import datetime, timedelta

import pytest

from contest.quiz.ranking import (
    RANKING_KEYS,
    AttemptResult,
    EntrantResult,
    PrizeConflict,
    RankedEntrant,
    assign_prizes,
    best_attempt,
    best_attempts_by_entrant,
    better,
    live_order_key,
    perfect_count,
    rank_entrants,
)

T0 = datetime(2024, 3, 8, 9, 0, 0)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def attempt(attempt_id, score, time_ms, minute, entrant_id=1, max_score=10.0):
    return AttemptResult(attempt_id, entrant_id, score, max_score, time_ms, at(minute))


def entrant(entrant_id, score=8.0, prediction=5, time_ms=60_000, minute=0, excluded=False):
    return EntrantResult(
        entrant_id=entrant_id,
        attempt_id=entrant_id * 10,
        score=score,
        max_score=10.0,
        time_ms=time_ms,
        submitted_at=at(minute),
        prediction=prediction,
        excluded=excluded,
    )


def ids(ranked):
    return [entry.result.entrant_id for entry in ranked]


def ranks(ranked):
    return [entry.rank for entry in ranked]


# --- best attempt -----------------------------------------------------------


def test_best_attempt_prefers_higher_score():
    slow_high = attempt(1, 9.0, 300_000, 5)
    fast_low = attempt(2, 8.0, 10_000, 0)
    assert best_attempt([fast_low, slow_high]) == slow_high
    assert better(slow_high, fast_low)
    assert not better(fast_low, slow_high)


def test_best_attempt_equal_score_prefers_shorter_time():
    slow = attempt(1, 9.0, 90_000, 0)
    fast = attempt(2, 9.0, 80_000, 10)
    assert best_attempt([slow, fast]) == fast
    assert better(fast, slow)


def test_best_attempt_equal_score_and_time_prefers_earlier_submission():
    late = attempt(1, 9.0, 80_000, 10)
    early = attempt(2, 9.0, 80_000, 5)
    assert best_attempt([late, early]) == early
    assert better(early, late)


def test_best_attempt_full_tie_takes_lower_attempt_id():
    a = attempt(7, 9.0, 80_000, 5)
    b = attempt(3, 9.0, 80_000, 5)
    assert best_attempt([a, b]) == b
    assert not better(a, b) and not better(b, a)


def test_best_attempt_rejects_empty_and_mixed_entrants():
    with pytest.raises(ValueError):
        best_attempt([])
    with pytest.raises(ValueError, match="several entrants"):
        best_attempt([attempt(1, 9.0, 1, 0, entrant_id=1), attempt(2, 9.0, 1, 0, entrant_id=2)])


def test_best_attempts_by_entrant():
    attempts = [
        attempt(1, 5.0, 1000, 0, entrant_id=1),
        attempt(2, 7.0, 1000, 1, entrant_id=1),
        attempt(3, 6.0, 1000, 2, entrant_id=2),
    ]
    best = best_attempts_by_entrant(attempts)
    assert {entrant_id: a.attempt_id for entrant_id, a in best.items()} == {1: 2, 2: 3}


def test_entrant_result_from_attempt():
    source = attempt(4, 9.0, 1234, 3, entrant_id=8)
    result = EntrantResult.from_attempt(source, prediction=12, excluded=True)
    assert (result.entrant_id, result.attempt_id, result.score, result.time_ms) == (8, 4, 9.0, 1234)
    assert result.submitted_at == source.submitted_at
    assert result.prediction == 12 and result.excluded


# --- live leaderboard ------------------------------------------------------------


def test_live_order_ignores_prediction():
    a = entrant(1, score=9.0, prediction=None, time_ms=70_000)
    b = entrant(2, score=9.0, prediction=5, time_ms=60_000)
    c = entrant(3, score=10.0, prediction=None, time_ms=99_000)
    assert [r.entrant_id for r in sorted([a, b, c], key=live_order_key)] == [3, 2, 1]
    ranked = rank_entrants([a, b, c], None)
    assert ids(ranked) == [3, 2, 1]
    assert ranks(ranked) == [1, 2, 3]
    assert all(entry.distance is None for entry in ranked)


def test_live_ranking_ties_on_score_time_and_submission():
    a = entrant(1, prediction=1)
    b = entrant(2, prediction=50)
    ranked = rank_entrants([a, b], None)
    assert ranks(ranked) == [1, 1]
    assert all(entry.tied for entry in ranked)


# --- final ranking, one tie-break level at a time --------------------------------


def test_final_ranking_score_comes_first():
    # Better prediction, time and submission cannot beat a higher score.
    low = entrant(1, score=9.0, prediction=3, time_ms=1_000, minute=0)
    high = entrant(2, score=10.0, prediction=99, time_ms=900_000, minute=60)
    assert ids(rank_entrants([low, high], perfect_count=3)) == [2, 1]


def test_final_ranking_prediction_distance_breaks_equal_scores():
    # True count 10: distances 2, 1 and 3; 1 is over, 2 is under the count.
    a = entrant(1, prediction=12, time_ms=1_000)
    b = entrant(2, prediction=9, time_ms=50_000)
    c = entrant(3, prediction=7, time_ms=2_000)
    ranked = rank_entrants([a, b, c], perfect_count=10)
    assert ids(ranked) == [2, 1, 3]
    assert [entry.distance for entry in ranked] == [1, 2, 3]
    assert ranks(ranked) == [1, 2, 3]
    assert not any(entry.tied for entry in ranked)


def test_final_ranking_missing_prediction_comes_after_any_prediction():
    far = entrant(1, prediction=1000, time_ms=90_000, minute=30)
    none = entrant(2, prediction=None, time_ms=1_000, minute=0)
    ranked = rank_entrants([none, far], perfect_count=0)
    assert ids(ranked) == [1, 2]
    assert [entry.distance for entry in ranked] == [1000, None]


def test_final_ranking_equal_distance_either_side_is_a_tie_on_that_key():
    # |8 - 10| == |12 - 10|: the time taken decides.
    under = entrant(1, prediction=8, time_ms=70_000)
    over = entrant(2, prediction=12, time_ms=60_000)
    assert ids(rank_entrants([under, over], perfect_count=10)) == [2, 1]


def test_final_ranking_time_breaks_equal_score_and_distance():
    slow = entrant(1, time_ms=70_001, minute=0)
    fast = entrant(2, time_ms=70_000, minute=30)
    assert ids(rank_entrants([slow, fast], perfect_count=5)) == [2, 1]


def test_final_ranking_submission_breaks_remaining_tie():
    late = entrant(1, minute=31)
    early = entrant(2, minute=30)
    ranked = rank_entrants([late, early], perfect_count=5)
    assert ids(ranked) == [2, 1]
    assert ranks(ranked) == [1, 2]


def test_two_missing_predictions_fall_through_to_time():
    slow = entrant(1, prediction=None, time_ms=2_000)
    fast = entrant(2, prediction=None, time_ms=1_000)
    assert ids(rank_entrants([slow, fast], perfect_count=5)) == [2, 1]


def test_full_tie_shares_rank_and_next_rank_skips():
    leader = entrant(1, score=10.0)
    tied_a = entrant(3, score=9.0)
    tied_b = entrant(2, score=9.0)
    last = entrant(4, score=8.0)
    ranked = rank_entrants([tied_a, last, leader, tied_b], perfect_count=5)
    assert ids(ranked) == [1, 2, 3, 4]  # tied entrants listed by entrant id
    assert ranks(ranked) == [1, 2, 2, 4]
    assert [entry.tied for entry in ranked] == [False, True, True, False]


def test_score_float_noise_does_not_split_a_tie():
    a = entrant(1, score=0.1 + 0.2)
    b = entrant(2, score=0.3)
    assert ranks(rank_entrants([a, b], perfect_count=0)) == [1, 1]


def test_rank_entrants_rejects_bad_input():
    with pytest.raises(ValueError, match="more than once"):
        rank_entrants([entrant(1), entrant(1)], 0)
    with pytest.raises(ValueError, match="negative prediction"):
        rank_entrants([entrant(1, prediction=-1)], 0)
    with pytest.raises(ValueError, match="perfect count"):
        rank_entrants([entrant(1)], -1)


def test_perfect_count_counts_every_full_score_but_not_the_excluded():
    results = [
        entrant(1, score=10.0),
        entrant(2, score=10.0, excluded=True),
        entrant(3, score=9.5),
    ]
    assert perfect_count(results) == 1
    assert perfect_count([]) == 0


def test_ranking_keys_name_the_final_order():
    assert RANKING_KEYS == ("score", "prediction_distance", "time_ms", "submitted_at")


# --- prizes ----------------------------------------------------------------------


TIERS = [("first", 1), ("second", 2), ("third", 2)]


def ranked_by_score(*scores, excluded=()):
    """Rank entrants 1..n with the given scores; equal scores tie completely."""
    results = [entrant(i, score=s, excluded=i in excluded) for i, s in enumerate(scores, start=1)]
    return rank_entrants(results, perfect_count=0)


def winners(assignment):
    return {tier: ids(entries) for tier, entries in assignment.winners.items()}


def test_prizes_in_rank_order():
    assignment = assign_prizes(ranked_by_score(10, 9, 8, 7, 6, 5), TIERS)
    assert winners(assignment) == {"first": [1], "second": [2, 3], "third": [4, 5]}
    assert assignment.conflicts == []
    assert not assignment.needs_decision


def test_excluded_entrant_is_skipped_and_takes_no_place():
    assignment = assign_prizes(ranked_by_score(10, 9, 8, 7, 6, 5, excluded={1}), TIERS)
    assert winners(assignment) == {"first": [2], "second": [3, 4], "third": [5, 6]}


def test_tie_inside_a_tier_is_awarded():
    assignment = assign_prizes(ranked_by_score(10, 9, 9, 7), TIERS)
    assert winners(assignment) == {"first": [1], "second": [2, 3], "third": [4]}
    assert not assignment.needs_decision


def test_tie_straddling_a_boundary_needs_a_decision():
    # Entrants 2, 3 and 4 tie at rank 2 over places 2-4: two "second", one "third".
    assignment = assign_prizes(ranked_by_score(10, 9, 9, 9, 8, 7), TIERS)
    assert assignment.needs_decision
    (conflict,) = assignment.conflicts
    assert conflict.rank == 2
    assert ids(conflict.entrants) == [2, 3, 4]
    assert conflict.slots == (("second", 2), ("third", 1))
    # Nobody in the group gets a prize, and entrants below are not moved up:
    # entrant 5 takes place 5, the last "third".
    assert winners(assignment) == {"first": [1], "second": [], "third": [5]}


def test_tie_straddling_the_last_prize_place():
    # Places 5 and 6 are tied; only place 5 carries a prize.
    assignment = assign_prizes(ranked_by_score(10, 9, 8, 7, 6, 6, 1), TIERS)
    assert winners(assignment) == {"first": [1], "second": [2, 3], "third": [4]}
    (conflict,) = assignment.conflicts
    assert isinstance(conflict, PrizeConflict)
    assert (conflict.rank, ids(conflict.entrants), conflict.slots) == (5, [5, 6], (("third", 1),))


def test_excluded_entrant_inside_a_tie_does_not_count():
    # Entrants 2 and 3 tie, but 3 is excluded: 2 alone takes a "second" place.
    assignment = assign_prizes(ranked_by_score(10, 9, 9, 8, excluded={3}), TIERS)
    assert winners(assignment) == {"first": [1], "second": [2, 4], "third": []}
    assert not assignment.needs_decision


def test_fewer_entrants_than_places():
    assignment = assign_prizes(ranked_by_score(10, 9), TIERS)
    assert winners(assignment) == {"first": [1], "second": [2], "third": []}


def test_assign_prizes_with_final_ranking_entries():
    ranked = rank_entrants([entrant(1, prediction=4), entrant(2, prediction=6)], perfect_count=5)
    assert ranks(ranked) == [1, 1]
    assignment = assign_prizes(ranked, [("first", 1), ("second", 1)])
    assert assignment.conflicts[0].slots == (("first", 1), ("second", 1))
    assert isinstance(assignment.conflicts[0].entrants[0], RankedEntrant)


def test_assign_prizes_rejects_bad_tiers_and_order():
    ranked = ranked_by_score(10, 9)
    with pytest.raises(ValueError, match="unique"):
        assign_prizes(ranked, [("first", 1), ("first", 2)])
    with pytest.raises(ValueError, match="negative"):
        assign_prizes(ranked, [("first", -1)])
    with pytest.raises(ValueError, match="rank order"):
        assign_prizes(list(reversed(ranked)), TIERS)
