"""Choosing each entrant's best attempt, ranking entrants and assigning prizes.

Orders used (``desc`` = higher is better, ``asc`` = lower is better):

* best attempt of an entrant (:data:`BEST_ATTEMPT_KEYS`): score desc, time
  taken asc, submission time asc;
* live leaderboard while the round is open (:data:`LIVE_RANKING_KEYS`): the
  same three keys;
* final ranking after close (:data:`RANKING_KEYS`): score desc, distance
  between the entrant's prediction and the true number of perfect entrants
  asc (a missing prediction comes after every given one), time taken asc,
  submission time asc.

Entrants equal on every key share a rank (competition ranking: 1, 2, 2, 4)
and are flagged as tied; ties are never broken silently. Within a tied group
the listing order is by entrant id, for stable display only.

Exclusion rule (the one published with the results): an entrant the
organizers exclude (several accounts, false details; always with a reason) is
out of the final ranking altogether: no rank, no prize, and not counted in C,
the number of perfect entrants that predictions are measured against, so that
extra accounts cannot move C. The database ranking
(:mod:`contest.quiz.finalise`) leaves excluded entrants out of the ranked set;
here :func:`perfect_count` skips anyone marked ``excluded`` and
:func:`assign_prizes` gives them no place, so a caller that passes them in
gets the same prizes and the same C.

Submission times are compared as given, so pass either all naive or all
timezone-aware datetimes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from typing import Any

from contest.quiz.scoring import SCORE_DECIMALS

__all__ = [
    "BEST_ATTEMPT_KEYS",
    "LIVE_RANKING_KEYS",
    "RANKING_KEYS",
    "AttemptResult",
    "EntrantResult",
    "PrizeAssignment",
    "PrizeConflict",
    "RankedEntrant",
    "assign_prizes",
    "best_attempt",
    "best_attempts_by_entrant",
    "better",
    "final_order_key",
    "live_order_key",
    "perfect_count",
    "prediction_distance",
    "rank_entrants",
]

BEST_ATTEMPT_KEYS = ("score", "time_ms", "submitted_at")
LIVE_RANKING_KEYS = ("score", "time_ms", "submitted_at")
RANKING_KEYS = ("score", "prediction_distance", "time_ms", "submitted_at")


@dataclass(frozen=True)
class AttemptResult:
    """One submitted attempt of an entrant."""

    attempt_id: int
    entrant_id: int
    score: float
    max_score: float
    time_ms: int
    submitted_at: datetime


@dataclass(frozen=True)
class EntrantResult:
    """An entrant's standing: their best attempt plus their tie-break prediction."""

    entrant_id: int
    attempt_id: int
    score: float
    max_score: float
    time_ms: int
    submitted_at: datetime
    prediction: int | None
    excluded: bool = False

    @classmethod
    def from_attempt(
        cls, attempt: AttemptResult, prediction: int | None, excluded: bool = False
    ) -> EntrantResult:
        """Build an entrant's result from their best attempt."""
        return cls(
            entrant_id=attempt.entrant_id,
            attempt_id=attempt.attempt_id,
            score=attempt.score,
            max_score=attempt.max_score,
            time_ms=attempt.time_ms,
            submitted_at=attempt.submitted_at,
            prediction=prediction,
            excluded=excluded,
        )


@dataclass(frozen=True)
class RankedEntrant:
    """An entrant's place in a ranking.

    ``rank`` is shared by entrants equal on every key, and ``tied`` is then
    true. ``distance`` is |prediction - perfect count|, or None in a live
    ranking or when the entrant gave no prediction.
    """

    rank: int
    tied: bool
    distance: int | None
    result: EntrantResult


@dataclass(frozen=True)
class PrizeConflict:
    """A group of tied entrants that a prize tier boundary cuts through.

    ``slots`` lists, in tier order, the tiers whose places the group covers
    and how many places of each; places beyond the last tier are not listed,
    so ``sum`` of the counts can be smaller than the group. None of these
    entrants is given a prize: the organizers decide.
    """

    rank: int
    entrants: tuple[RankedEntrant, ...]
    slots: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class PrizeAssignment:
    """The outcome of :func:`assign_prizes`.

    ``winners`` maps every tier name, in tier order, to the entrants that
    clearly earned it (possibly fewer than its places when there are not
    enough eligible entrants or a conflict took some places).
    """

    winners: dict[str, list[RankedEntrant]] = field(default_factory=dict)
    conflicts: list[PrizeConflict] = field(default_factory=list)

    @property
    def needs_decision(self) -> bool:
        """True when some tied group must be settled by the organizers."""
        return bool(self.conflicts)


def _score(value: float) -> float:
    """Round a score so that float noise cannot split a tie."""
    return round(value, SCORE_DECIMALS)


def _attempt_key(attempt: AttemptResult | EntrantResult) -> tuple[Any, ...]:
    return (-_score(attempt.score), attempt.time_ms, attempt.submitted_at)


def better(a: AttemptResult, b: AttemptResult) -> bool:
    """Return whether attempt ``a`` is strictly better than attempt ``b``.

    Higher score wins, then shorter time taken, then earlier submission.
    """
    return _attempt_key(a) < _attempt_key(b)


def best_attempt(attempts: Iterable[AttemptResult]) -> AttemptResult:
    """Return the attempt that counts for an entrant.

    All attempts must belong to one entrant. If two attempts are equal on
    every key, the one with the lower attempt id is returned; both carry the
    same ranking values, so the choice cannot change anyone's place.
    Raises :class:`ValueError` on no attempts or attempts of several entrants.
    """
    attempts = list(attempts)
    if not attempts:
        raise ValueError("no attempts to choose from")
    entrants = {attempt.entrant_id for attempt in attempts}
    if len(entrants) > 1:
        raise ValueError(f"attempts of several entrants: {sorted(entrants)}")
    return min(attempts, key=lambda attempt: (_attempt_key(attempt), attempt.attempt_id))


def best_attempts_by_entrant(attempts: Iterable[AttemptResult]) -> dict[int, AttemptResult]:
    """Group attempts by entrant and return each entrant's best attempt."""
    grouped: dict[int, list[AttemptResult]] = {}
    for attempt in attempts:
        grouped.setdefault(attempt.entrant_id, []).append(attempt)
    return {entrant_id: best_attempt(group) for entrant_id, group in grouped.items()}


def live_order_key(result: AttemptResult | EntrantResult) -> tuple[Any, ...]:
    """Sort key for the live leaderboard: score desc, time asc, submission asc."""
    return _attempt_key(result)


def prediction_distance(prediction: int | None, perfect: int) -> int | None:
    """Return |prediction - perfect|, or None when no prediction was given."""
    if prediction is None:
        return None
    return abs(prediction - perfect)


def final_order_key(result: EntrantResult, perfect: int) -> tuple[Any, ...]:
    """Sort key for the final ranking, given the true perfect count."""
    distance = prediction_distance(result.prediction, perfect)
    # (0, d) sorts before (1, 0): any given prediction beats a missing one.
    distance_key = (1, 0) if distance is None else (0, distance)
    return (-_score(result.score), distance_key, result.time_ms, result.submitted_at)


def perfect_count(results: Iterable[EntrantResult]) -> int:
    """Count C, the entrants whose best attempt got every question right.

    Excluded entrants are not counted (see the exclusion rule above).
    """
    return sum(1 for result in results
               if not result.excluded and _score(result.score) == _score(result.max_score))


def rank_entrants(
    results: Iterable[EntrantResult], perfect_count: int | None
) -> list[RankedEntrant]:
    """Rank entrants, best first, with shared ranks for full ties.

    With ``perfect_count`` None the live order is used (score, time,
    submission). With the true perfect count the final order is used, which
    puts the prediction distance right after the score. Raises
    :class:`ValueError` on a repeated entrant, a negative prediction or a
    negative perfect count.
    """
    results = list(results)
    seen: set[int] = set()
    for result in results:
        if result.entrant_id in seen:
            raise ValueError(f"entrant {result.entrant_id} appears more than once")
        seen.add(result.entrant_id)
        if result.prediction is not None and result.prediction < 0:
            raise ValueError(f"entrant {result.entrant_id} has a negative prediction")
    if perfect_count is not None and perfect_count < 0:
        raise ValueError("the perfect count cannot be negative")

    def key(result: EntrantResult) -> tuple[Any, ...]:
        if perfect_count is None:
            return live_order_key(result)
        return final_order_key(result, perfect_count)

    ordered = sorted(results, key=lambda result: (key(result), result.entrant_id))
    ranked: list[RankedEntrant] = []
    start = 0
    while start < len(ordered):
        end = start + 1
        group_key = key(ordered[start])
        while end < len(ordered) and key(ordered[end]) == group_key:
            end += 1
        tied = end - start > 1
        for result in ordered[start:end]:
            distance = (
                None
                if perfect_count is None
                else prediction_distance(result.prediction, perfect_count)
            )
            # Competition ranking: the rank is 1 + the number of entrants ahead.
            ranked.append(RankedEntrant(start + 1, tied, distance, result))
        start = end
    return ranked


def assign_prizes(
    ranked: Sequence[RankedEntrant], tiers: Sequence[tuple[str, int]]
) -> PrizeAssignment:
    """Assign prize tiers in rank order to the entrants who are not excluded.

    ``tiers`` lists ``(name, number of places)`` from the highest prize down,
    e.g. ``[("first", 1), ("second", 2), ("third", 5), ("consolation", 8)]``.
    Excluded entrants are skipped and take no place.

    Tie policy: a tied group that fits inside one tier gets that tier. A tied
    group that a tier boundary cuts through (including the boundary after the
    last tier) is reported as a :class:`PrizeConflict` and none of its members
    is given a prize; the group still uses up the places it covers, so the
    entrants below it are not moved up. The organizers settle each conflict
    before publishing.

    Raises :class:`ValueError` when ``ranked`` is not in rank order, or when
    the tiers repeat a name or have a negative number of places.
    """
    names = [name for name, _ in tiers]
    if len(set(names)) != len(names):
        raise ValueError("prize tier names must be unique")
    if any(places < 0 for _, places in tiers):
        raise ValueError("a prize tier cannot have a negative number of places")
    if any(b.rank < a.rank for a, b in pairwise(ranked)):
        raise ValueError("the entrants are not in rank order")

    # Place p (0-based) among eligible entrants belongs to tier tier_of[p].
    tier_of = [name for name, places in tiers for _ in range(places)]
    winners: dict[str, list[RankedEntrant]] = {name: [] for name in names}
    conflicts: list[PrizeConflict] = []

    eligible = [entry for entry in ranked if not entry.result.excluded]
    start = 0
    while start < len(eligible) and start < len(tier_of):
        end = start + 1
        while end < len(eligible) and eligible[end].rank == eligible[start].rank:
            end += 1
        group = eligible[start:end]
        covered = tier_of[start:end]
        if len(covered) == len(group) and len(set(covered)) == 1:
            winners[covered[0]].extend(group)
        else:
            slots: list[tuple[str, int]] = []
            for name in covered:
                if slots and slots[-1][0] == name:
                    slots[-1] = (name, slots[-1][1] + 1)
                else:
                    slots.append((name, 1))
            conflicts.append(PrizeConflict(group[0].rank, tuple(group), tuple(slots)))
        start = end
    return PrizeAssignment(winners=winners, conflicts=conflicts)
