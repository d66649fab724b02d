"""Ranks while a round runs: an entrant's own rank from periodic snapshots, and their standing.

Own rank while a round runs: ``1 + (entrants strictly ahead)``. Counting everybody ahead is
linear in the rank, so a large round keeps a small, periodically refreshed list of *fences*: the
key of every ``FENCE_EVERY``-th entrant and the exact number ahead of it. A rank is then the number
ahead of the nearest fence (from the snapshot) plus a fresh indexed count of the few entrants
between that fence and the entrant. Near the top (the first ``EXACT_TOP`` places) and in small
rounds the count is made from the top and is exact; elsewhere it may miss the submissions of the
last ``FENCE_TTL`` seconds above the fence. Final ranks are always exact.
"""

from __future__ import annotations

import time
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, tuple_

from contest.extensions import db
from contest.quiz.board import (
    PRIZE_UNDECIDED,
    LiveKey,
    cache_lock,
    entrant_count,
    key_of,
    process_cache,
    ranked_count,
)
from contest.quiz.models import Result, Round
from contest.quiz.rounds import Phase, phase

FENCE_EVERY = 500
EXACT_TOP = 1000
FENCE_TTL = 30.0  # seconds


# --------------------------------------------------------------------------- rank snapshots


@dataclass
class _Fences:
    built: float
    total: int
    orders: list[tuple[float, int, datetime]]  # ascending live order
    keys: list[LiveKey]
    ahead: list[int]  # entrants strictly ahead of each fence when built


def _build_fences(round_id: int, every: int) -> _Fences:
    total = entrant_count(round_id)
    orders: list[tuple[float, int, datetime]] = []
    keys: list[LiveKey] = []
    ahead: list[int] = []
    if total > 2 * every:
        order = (Result.score.desc(), Result.time_ms, Result.submitted_at)
        inner = (
            select(
                Result.score,
                Result.time_ms,
                Result.submitted_at,
                func.row_number().over(order_by=order).label("rn"),
                func.rank().over(order_by=order).label("rk"),
            )
            .where(Result.round_id == round_id)
            .subquery()
        )
        rows = db.session.execute(
            select(inner.c.score, inner.c.time_ms, inner.c.submitted_at, inner.c.rk)
            .where((inner.c.rn - 1) % every == 0)
            .order_by(inner.c.rn)
        ).all()
        for row in rows:
            key = LiveKey(row.score, row.time_ms, row.submitted_at)
            keys.append(key)
            orders.append(key.order)
            ahead.append(row.rk - 1)
    return _Fences(time.monotonic(), total, orders, keys, ahead)


def fences(round_id: int, every: int, ttl: float) -> _Fences:
    cache = process_cache("fences")
    cache_key = (round_id, every)
    now = time.monotonic()
    snapshot = cache.get(cache_key)
    if snapshot is not None and now - snapshot.built < ttl:
        return snapshot
    with cache_lock:
        snapshot = cache.get(cache_key)
        if snapshot is None or now - snapshot.built >= ttl:
            snapshot = _build_fences(round_id, every)
            cache[cache_key] = snapshot
    return snapshot


def live_total(round_id: int, **options: Any) -> int:
    """Entrants with a result, as of the rank snapshot (at most ``FENCE_TTL`` seconds old)."""
    return fences(round_id, options.get("every", FENCE_EVERY),
                   options.get("ttl", FENCE_TTL)).total


def _count_better_in_group(round_id: int, score: float, t: int, sub: datetime):  # noqa: ANN202
    """Entrants with this score but better time (or earlier submission)."""
    return (
        select(func.count())
        .select_from(Result)
        .where(
            Result.round_id == round_id,
            Result.score == score,
            tuple_(Result.time_ms, Result.submitted_at) < tuple_(t, sub),
        )
        .scalar_subquery()
    )


def _count_from_top(round_id: int, key: LiveKey) -> int:
    higher = (
        select(func.count())
        .select_from(Result)
        .where(Result.round_id == round_id, Result.score > key.score)
        .scalar_subquery()
    )
    same = _count_better_in_group(round_id, key.score, key.time_ms, key.submitted_at)
    return db.session.execute(select(higher + same)).scalar_one()


def _count_between(round_id: int, lo: LiveKey, hi: LiveKey) -> int:
    """Entrants with ``lo <= key < hi`` in the live order (``lo`` not after ``hi``).

    Split by score so that every part is one range of ``ix_quiz_results_live``.
    """
    lo_pair, hi_pair = tuple_(lo.time_ms, lo.submitted_at), tuple_(hi.time_ms, hi.submitted_at)
    base = select(func.count()).select_from(Result).where(Result.round_id == round_id)
    if lo.score == hi.score:
        stmt = base.where(
            Result.score == lo.score,
            tuple_(Result.time_ms, Result.submitted_at) >= lo_pair,
            tuple_(Result.time_ms, Result.submitted_at) < hi_pair,
        )
        return db.session.execute(stmt).scalar_one()
    first = base.where(
        Result.score == lo.score, tuple_(Result.time_ms, Result.submitted_at) >= lo_pair
    ).scalar_subquery()
    middle = base.where(Result.score < lo.score, Result.score > hi.score).scalar_subquery()
    last = base.where(
        Result.score == hi.score, tuple_(Result.time_ms, Result.submitted_at) < hi_pair
    ).scalar_subquery()
    return db.session.execute(select(first + middle + last)).scalar_one()


def count_ahead(
    round_id: int,
    key: LiveKey,
    *,
    every: int = FENCE_EVERY,
    exact_top: int = EXACT_TOP,
    ttl: float = FENCE_TTL,
) -> int:
    """Number of entrants strictly ahead of ``key`` in the live order (see the module notes)."""
    snapshot = fences(round_id, every, ttl)
    i = bisect_right(snapshot.orders, key.order) - 1
    if i < 0 or snapshot.ahead[i] < exact_top:
        return _count_from_top(round_id, key)
    return snapshot.ahead[i] + _count_between(round_id, snapshot.keys[i], key)


def live_rank(round_id: int, user_id: int, **options: Any) -> int | None:
    """The entrant's rank in the live order, or None without a result."""
    mine = db.session.execute(
        select(Result.user_id, Result.score, Result.time_ms, Result.submitted_at)
        .where(Result.round_id == round_id, Result.user_id == user_id)
    ).one_or_none()
    if mine is None:
        return None
    return 1 + count_ahead(round_id, key_of(mine), **options)


# --------------------------------------------------------------------------- an entrant's standing


@dataclass(frozen=True)
class Standing:
    """What an entrant may know about their own result in a round.

    ``rank`` is the live rank while the round runs and the final rank once finalised
    (``final`` true; ``published`` says whether it is official yet). An excluded entrant has no
    rank; ``exclusion_reason`` tells them why.
    """

    round_id: int
    phase: Phase
    score: float
    max_score: float
    time_ms: int
    submitted_at: datetime
    attempts_count: int
    prediction: int | None
    rank: int | None
    tied: bool
    final: bool
    published: bool
    prize: str | None
    excluded: bool
    exclusion_reason: str
    entrants: int
    perfect_count: int | None


def standing(rnd: Round, user_id: int, now: datetime, **options: Any) -> Standing | None:
    """The entrant's own standing in ``rnd``, or None when they have no submitted attempt.

    Reads only; call :func:`ensure_finalised` first on a page shown after the close.
    """
    mine = db.session.execute(
        select(Result.user_id, Result.score, Result.max_score, Result.time_ms,
               Result.submitted_at, Result.attempts_count, Result.prediction, Result.final_rank,
               Result.tied, Result.prize, Result.excluded, Result.exclusion_reason)
        .where(Result.round_id == rnd.id, Result.user_id == user_id)
    ).one_or_none()
    if mine is None:
        return None
    current = phase(rnd, now)
    final = rnd.finalized_at is not None and current in (Phase.CLOSED, Phase.PUBLISHED)
    published = current == Phase.PUBLISHED
    if final:
        rank = mine.final_rank
        tied = mine.tied
        entrants = ranked_count(rnd)
    else:
        # Between the close and the finalisation the live rank is no longer meaningful.
        counted = current == Phase.RUNNING and not mine.excluded
        rank = 1 + count_ahead(rnd.id, key_of(mine), **options) if counted else None
        tied = False
        entrants = live_total(rnd.id, **options)
    prize = mine.prize if published else None
    return Standing(
        round_id=rnd.id,
        phase=current,
        score=mine.score,
        max_score=mine.max_score,
        time_ms=mine.time_ms,
        submitted_at=mine.submitted_at,
        attempts_count=mine.attempts_count,
        prediction=mine.prediction,
        rank=None if mine.excluded else rank,
        tied=tied and not mine.excluded,
        final=final,
        published=published,
        prize=prize if prize != PRIZE_UNDECIDED else None,
        excluded=mine.excluded,
        exclusion_reason=mine.exclusion_reason if mine.excluded else "",
        entrants=entrants,
        perfect_count=rnd.perfect_count if final else None,
    )
