"""Results of quiz rounds: leaderboards, own ranks, finalisation, exclusions, prizes, statistics.

Everything here reads ``quiz_results`` (one row per entrant and round) and never scans attempts,
except the item statistics, which stream the best attempts of a closed round.

Live order (while a round runs): score desc, time taken asc, submission time asc; entrants equal
on all three share a rank. The listing order inside such a tie is by entrant id, which also makes
the leaderboard key ``(score, time_ms, submitted_at, user_id)`` unique: it is the order of the index
``ix_quiz_results_live`` and the cursor of the keyset pages.

Final order (after close): score desc, then |prediction - C| asc where C is the number of
entrants whose best attempt got every question right (a missing prediction comes last), then
time asc, then submission asc (:mod:`contest.quiz.ranking`). Ranks are competition ranks (1, 2, 2,
4) and are written in bulk by one ``UPDATE ... FROM`` over a window query.

Excluded entrants (several accounts, false details) are taken out of the final ranking: they get
no rank and no prize, are not counted in C and do not count for their unit; the others are
re-ranked. Organizers still see them with the reason, and so does the entrant.

Own rank while a round runs: ``1 + (entrants strictly ahead)``. Counting everybody ahead is
linear in the rank, so a large round keeps a small, periodically refreshed list of *fences*: the
key of every ``FENCE_EVERY``-th entrant and the exact number ahead of it. A rank is then the number
ahead of the nearest fence (from the snapshot) plus a fresh indexed count of the few entrants
between that fence and the entrant. Near the top (the first ``EXACT_TOP`` places) and in small
rounds the count is made from the top and is exact; elsewhere it may miss the submissions of the
last ``FENCE_TTL`` seconds above the fence. Final ranks are always exact.

Finalisation happens once the close and the submission grace are past: lazily on the first read
(:func:`ensure_finalised`) or from the CLI, after closing overdue attempts. Prize tiers are
proposed in rank order (:func:`contest.quiz.ranking.assign_prizes`); the members of a tie that a
tier boundary cuts through are marked :data:`PRIZE_UNDECIDED` until the organizers decide, and
publication waits for that. An exclusion or a new ranking proposes the prizes afresh.

Item statistics use the best attempt of each entrant who is not excluded (the attempt that counts,
as Moodle's "graded attempts"), so that an entrant with three tries weighs as much as one with one.
"""

from __future__ import annotations

import csv
import io
import math
import threading
import time
import weakref
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, or_, select, text, tuple_, update
from sqlalchemy.orm import aliased

from contest import audit
from contest.accounts.identity import mask_name
from contest.accounts.models import Unit, User
from contest.extensions import db
from contest.quiz.models import (
    Attempt,
    Option,
    Question,
    Result,
    Round,
    RoundStatus,
)
from contest.quiz.ranking import (
    EntrantResult,
    PrizeConflict,
    RankedEntrant,
    assign_prizes,
)
from contest.quiz.rounds import Phase, phase

__all__ = [
    "EXACT_TOP",
    "FENCE_EVERY",
    "FENCE_TTL",
    "LAZY_LIMIT",
    "NUMBERED_PAGES",
    "PRIZE_UNDECIDED",
    "BoardPage",
    "BoardRow",
    "FinalCursor",
    "FinaliseReport",
    "ItemReport",
    "LiveKey",
    "PrizeReview",
    "ResultsError",
    "ReviewRow",
    "Standing",
    "UnitRow",
    "clear_rank_cache",
    "count_ahead",
    "ensure_finalised",
    "entrant_count",
    "exclude",
    "final_page",
    "finalise",
    "item_report",
    "live_page",
    "live_rank",
    "live_total",
    "prize_list",
    "prize_review",
    "publish",
    "ranked_count",
    "reinstate",
    "resolve_conflict",
    "review_page",
    "settled",
    "standing",
    "unit_participation",
    "distribution_csv",
    "excluded_rows",
    "items_csv",
    "options_csv",
    "ranking_csv",
    "units_csv",
]

NUMBERED_PAGES = 5  # pages reached by number (OFFSET); deeper pages use a cursor
FENCE_EVERY = 500
EXACT_TOP = 1000
FENCE_TTL = 30.0  # seconds
# Larger rounds are not ranked inside a page request (it takes seconds per 100,000 results).
LAZY_LIMIT = 100_000
# Stored in Result.prize for a tied entrant whose tier the organizers have not decided yet.
PRIZE_UNDECIDED = "?"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class ResultsError(Exception):
    """A refused results operation; ``reason`` is a message key for the view to translate.

    Keys: ``not_closed``, ``settling``, ``not_finalised``, ``published``, ``undecided``,
    ``no_result``, ``reason_required``, ``not_excluded``, ``no_conflict``, ``bad_decision``.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --------------------------------------------------------------------------- keys and cursors


@dataclass(frozen=True, order=False)
class LiveKey:
    """A position in the live order; with ``user_id`` it is unique (a keyset cursor)."""

    score: float
    time_ms: int
    submitted_at: datetime
    user_id: int = 0

    @property
    def order(self) -> tuple[float, int, datetime]:
        """Sort key of the live order, ascending = better first (ties share it)."""
        return (-self.score, self.time_ms, self.submitted_at)

    def encode(self) -> str:
        micros = (self.submitted_at - _EPOCH) // timedelta(microseconds=1)
        return f"{self.score!r}_{self.time_ms}_{micros}_{self.user_id}"

    @classmethod
    def decode(cls, text: str) -> LiveKey:
        """Parse a cursor made by :meth:`encode`; ValueError on anything else."""
        parts = (text or "").split("_")
        if len(parts) != 4:
            raise ValueError("bad cursor")
        score = float(parts[0])
        if not math.isfinite(score):
            raise ValueError("bad cursor")
        time_ms, micros, user_id = (int(p) for p in parts[1:])
        if time_ms < 0 or user_id < 0 or not (0 <= micros < 10**17):
            raise ValueError("bad cursor")
        return cls(score, time_ms, _EPOCH + timedelta(microseconds=micros), user_id)


@dataclass(frozen=True)
class FinalCursor:
    """A position in the final order: (final rank, entrant id)."""

    rank: int
    user_id: int

    def encode(self) -> str:
        return f"{self.rank}_{self.user_id}"

    @classmethod
    def decode(cls, text: str) -> FinalCursor:
        parts = (text or "").split("_")
        if len(parts) != 2:
            raise ValueError("bad cursor")
        rank, user_id = (int(p) for p in parts)
        if rank < 1 or user_id < 0:
            raise ValueError("bad cursor")
        return cls(rank, user_id)


# --------------------------------------------------------------------------- rows and pages


@dataclass(frozen=True)
class BoardRow:
    """One public line of a leaderboard. ``name`` is already masked; no contact data here."""

    rank: int
    tied: bool
    name: str
    unit: str | None
    score: float
    max_score: float
    time_ms: int
    submitted_at: datetime
    user_id: int  # for highlighting the reader's own line; never rendered
    cursor: str
    prediction: int | None = None
    distance: int | None = None
    prize: str | None = None


@dataclass(frozen=True)
class BoardPage:
    """A page of a leaderboard.

    ``page`` is the page number for the first :data:`NUMBERED_PAGES` pages, else None (a cursor
    page). ``next_cursor``/``prev_cursor`` lead on; ``prev_page`` is set when the previous page
    is a numbered one. ``total`` is the number of ranked entrants (for a large live round, as of
    the last snapshot).
    """

    kind: str  # "live" or "final"
    rows: list[BoardRow]
    per_page: int
    total: int
    page: int | None = None
    next_page: int | None = None
    next_cursor: str | None = None
    prev_page: int | None = None
    prev_cursor: str | None = None


def _masked(full_name: str | None) -> str:
    return mask_name(full_name or "") or "—"


_LIVE_ORDER = (Result.score.desc(), Result.time_ms, Result.submitted_at, Result.user_id)
_LIVE_ORDER_REVERSED = (
    Result.score.asc(),
    Result.time_ms.desc(),
    Result.submitted_at.desc(),
    Result.user_id.desc(),
)


def _board_select():  # noqa: ANN202
    return (
        select(
            Result.user_id,
            Result.score,
            Result.max_score,
            Result.time_ms,
            Result.submitted_at,
            Result.prediction,
            Result.final_rank,
            Result.tied,
            Result.prize,
            User.full_name,
            Unit.name.label("unit_name"),
        )
        .join(User, User.id == Result.user_id)
        .outerjoin(Unit, Unit.id == Result.unit_id)
    )


def _key_of(row: Any) -> LiveKey:
    return LiveKey(row.score, row.time_ms, row.submitted_at, row.user_id)


# --------------------------------------------------------------------------- rank snapshots


@dataclass
class _Fences:
    built: float
    total: int
    orders: list[tuple[float, int, datetime]]  # ascending live order
    keys: list[LiveKey]
    ahead: list[int]  # entrants strictly ahead of each fence when built


# Per-process caches (rank snapshots, counts), one set per database engine: an application has
# one, and a fresh application on a rebuilt database must not see the old figures.
_caches: weakref.WeakKeyDictionary[Any, dict[str, dict[Any, Any]]] = weakref.WeakKeyDictionary()
_fence_lock = threading.Lock()


def _cache(name: str) -> dict[Any, Any]:
    return _caches.setdefault(db.engine, {}).setdefault(name, {})


def clear_rank_cache(round_id: int | None = None) -> None:
    """Forget the rank snapshots and cached counts (of one round, or all)."""
    with _fence_lock:
        for caches in list(_caches.values()):
            for cache in caches.values():
                for key in [k for k in cache if round_id is None or k[0] == round_id]:
                    del cache[key]


def entrant_count(round_id: int) -> int:
    """Number of entrants with a result in the round (an index-only count)."""
    return db.session.execute(
        select(func.count()).select_from(Result).where(Result.round_id == round_id)
    ).scalar_one()


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


def _fences(round_id: int, every: int, ttl: float) -> _Fences:
    cache = _cache("fences")
    cache_key = (round_id, every)
    now = time.monotonic()
    snapshot = cache.get(cache_key)
    if snapshot is not None and now - snapshot.built < ttl:
        return snapshot
    with _fence_lock:
        snapshot = cache.get(cache_key)
        if snapshot is None or now - snapshot.built >= ttl:
            snapshot = _build_fences(round_id, every)
            cache[cache_key] = snapshot
    return snapshot


def live_total(round_id: int, **options: Any) -> int:
    """Entrants with a result, as of the rank snapshot (at most ``FENCE_TTL`` seconds old)."""
    return _fences(round_id, options.get("every", FENCE_EVERY),
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
    snapshot = _fences(round_id, every, ttl)
    i = bisect_right(snapshot.orders, key.order) - 1
    if i < 0 or snapshot.ahead[i] < exact_top:
        return _count_from_top(round_id, key)
    return snapshot.ahead[i] + _count_between(round_id, snapshot.keys[i], key)


def _my_result(round_id: int, user_id: int) -> Result | None:
    return db.session.execute(
        select(Result).where(Result.round_id == round_id, Result.user_id == user_id)
    ).scalar_one_or_none()


def live_rank(round_id: int, user_id: int, **options: Any) -> int | None:
    """The entrant's rank in the live order, or None without a result."""
    mine = db.session.execute(
        select(Result.user_id, Result.score, Result.time_ms, Result.submitted_at)
        .where(Result.round_id == round_id, Result.user_id == user_id)
    ).one_or_none()
    if mine is None:
        return None
    return 1 + count_ahead(round_id, _key_of(mine), **options)


# --------------------------------------------------------------------------- live pages


def _rows_after(round_id: int, key: LiveKey, limit: int, inclusive: bool = False) -> list[Any]:
    """Up to ``limit`` rows after ``key`` in the live order, as two index range scans."""
    tail = tuple_(Result.time_ms, Result.submitted_at, Result.user_id)
    mark = tuple_(key.time_ms, key.submitted_at, key.user_id)
    rows = db.session.execute(
        _board_select()
        .where(
            Result.round_id == round_id,
            Result.score == key.score,
            tail >= mark if inclusive else tail > mark,
        )
        .order_by(*_LIVE_ORDER)
        .limit(limit)
    ).all()
    if len(rows) < limit:
        rows += db.session.execute(
            _board_select()
            .where(Result.round_id == round_id, Result.score < key.score)
            .order_by(*_LIVE_ORDER)
            .limit(limit - len(rows))
        ).all()
    return rows


def _rows_before(round_id: int, key: LiveKey, limit: int) -> list[Any]:
    """Up to ``limit`` rows just before ``key`` in the live order, returned in live order."""
    tail = tuple_(Result.time_ms, Result.submitted_at, Result.user_id)
    mark = tuple_(key.time_ms, key.submitted_at, key.user_id)
    rows = db.session.execute(
        _board_select()
        .where(Result.round_id == round_id, Result.score == key.score, tail < mark)
        .order_by(*_LIVE_ORDER_REVERSED)
        .limit(limit)
    ).all()
    if len(rows) < limit:
        rows += db.session.execute(
            _board_select()
            .where(Result.round_id == round_id, Result.score > key.score)
            .order_by(*_LIVE_ORDER_REVERSED)
            .limit(limit - len(rows))
        ).all()
    return rows[::-1]


def _number_rows(rows: Sequence[Any], keys: Sequence[LiveKey], first_rank: int,
                 first_position: int, tied_before: bool, tied_after: bool) -> list[BoardRow]:
    """Rank the rows of a live page: equal keys share a rank, otherwise rank = 1 + position.

    ``tied_before``/``tied_after`` say whether the first/last row's tie goes on beyond the page.
    """
    ranks: list[int] = []
    for i, key in enumerate(keys):
        if i == 0:
            ranks.append(first_rank)
        elif key.order == keys[i - 1].order:
            ranks.append(ranks[-1])
        else:
            ranks.append(first_position + i + 1)
    counts = Counter(ranks)
    last = len(rows) - 1
    return [
        BoardRow(
            rank=ranks[i],
            tied=counts[ranks[i]] > 1 or (i == 0 and tied_before) or (i == last and tied_after),
            name=_masked(row.full_name),
            unit=row.unit_name,
            score=row.score,
            max_score=row.max_score,
            time_ms=row.time_ms,
            submitted_at=row.submitted_at,
            user_id=row.user_id,
            cursor=keys[i].encode(),
        )
        for i, row in enumerate(rows)
    ]


def _tied_before(round_id: int, key: LiveKey) -> int:
    """Entrants tied with ``key`` but listed before it (lower id)."""
    return db.session.execute(
        select(func.count())
        .select_from(Result)
        .where(
            Result.round_id == round_id,
            Result.score == key.score,
            Result.time_ms == key.time_ms,
            Result.submitted_at == key.submitted_at,
            Result.user_id < key.user_id,
        )
    ).scalar_one()


def live_page(
    round_id: int,
    *,
    page: int | None = None,
    after: LiveKey | None = None,
    before: LiveKey | None = None,
    start: LiveKey | None = None,
    per_page: int = 50,
    **options: Any,
) -> BoardPage:
    """A page of the live leaderboard.

    Give a ``page`` number (1 .. :data:`NUMBERED_PAGES`, by OFFSET) or a cursor: ``after`` (the
    last row of the previous page), ``before`` (the first row of the next page) or ``start``
    (this row first, e.g. the reader's own line). Rows come from one range of
    ``ix_quiz_results_live`` (two where the page crosses a score), plus one indexed count for
    the rank of the first row, so a deep page costs what the first one does.
    """
    snapshot = _fences(round_id, options.get("every", FENCE_EVERY),
                       options.get("ttl", FENCE_TTL))
    number: int | None = None
    prev_key: LiveKey | None = None  # the row just before the page, when there is one
    next_key: LiveKey | None = None  # the row just after it
    if before is not None:
        got = _rows_before(round_id, before, per_page + 1)
        if len(got) > per_page:
            prev_key, got = _key_of(got[0]), got[1:]
        rows, next_key = got, before
    else:
        if after is not None:
            got = _rows_after(round_id, after, per_page + 1)
            prev_key = after
        elif start is not None:
            got = _rows_after(round_id, start, per_page + 1, inclusive=True)
            if got:
                previous = _rows_before(round_id, _key_of(got[0]), 1)
                prev_key = _key_of(previous[0]) if previous else None
        else:
            number = max(1, min(page or 1, NUMBERED_PAGES))
            offset = (number - 1) * per_page
            got = db.session.execute(
                _board_select()
                .where(Result.round_id == round_id)
                .order_by(*_LIVE_ORDER)
                .offset(max(0, offset - 1))
                .limit(per_page + (2 if offset else 1))
            ).all()
            if offset and got:
                prev_key, got = _key_of(got[0]), got[1:]
        if len(got) > per_page:
            next_key = _key_of(got[per_page])
        rows = got[:per_page]
    if not rows:
        return BoardPage("live", [], per_page, snapshot.total, page=number)

    keys = [_key_of(row) for row in rows]
    first, last = keys[0], keys[-1]
    tied_before = prev_key is not None and prev_key.order == first.order
    tied_after = next_key is not None and next_key.order == last.order
    if number is not None:
        position = (number - 1) * per_page
        ahead = 0 if prev_key is None else count_ahead(round_id, first, **options)
    else:
        ahead = 0 if prev_key is None else count_ahead(round_id, first, **options)
        position = ahead + (_tied_before(round_id, first) if tied_before else 0)
        if position < NUMBERED_PAGES * per_page and position % per_page == 0:
            number = position // per_page + 1  # a cursor that lands on a numbered page
    board = _number_rows(rows, keys, ahead + 1, position, tied_before, tied_after)

    next_page = next_cursor = prev_page = prev_cursor = None
    if next_key is not None:
        if number is not None and number < NUMBERED_PAGES:
            next_page = number + 1
        else:
            next_cursor = board[-1].cursor
    if prev_key is not None:
        if number is not None:
            prev_page = number - 1
        elif position <= NUMBERED_PAGES * per_page and position % per_page == 0:
            prev_page = position // per_page
        else:
            prev_cursor = board[0].cursor
    return BoardPage("live", board, per_page, snapshot.total, page=number, next_page=next_page,
                     next_cursor=next_cursor, prev_page=prev_page, prev_cursor=prev_cursor)


# --------------------------------------------------------------------------- final pages


def _final_row(row: Any) -> BoardRow:
    return BoardRow(
        rank=row.final_rank,
        tied=row.tied,
        name=_masked(row.full_name),
        unit=row.unit_name,
        score=row.score,
        max_score=row.max_score,
        time_ms=row.time_ms,
        submitted_at=row.submitted_at,
        user_id=row.user_id,
        cursor=FinalCursor(row.final_rank, row.user_id).encode(),
        prediction=row.prediction,
        distance=row.distance,
        prize=row.prize,
    )


def _final_select(perfect: int):  # noqa: ANN202
    distance = case(
        (Result.prediction.is_(None), None), else_=func.abs(Result.prediction - perfect)
    )
    return _board_select().add_columns(distance.label("distance"))


def ranked_count(rnd: Round) -> int:
    """Entrants in the final ranking; cached until the round is re-ranked (new finalized_at)."""
    cache = _cache("ranked")
    key = (rnd.id, rnd.finalized_at)
    if key not in cache:
        if len(cache) > 1000:
            cache.clear()
        cache[key] = db.session.execute(
            select(func.count())
            .select_from(Result)
            .where(Result.round_id == rnd.id, Result.final_rank.is_not(None))
        ).scalar_one()
    return cache[key]


def _final_rows(base: Any, condition: Any, need: int, descending: bool = False) -> list[Any]:
    """At least ``need`` + 1 rows (fewer at the end) of the final order from ``condition``,
    sorted by (rank, entrant id).

    The scan is ordered by the rank alone, which ``ix_quiz_results_final`` gives without a sort
    whatever the planner's statistics say; the order inside a tied group is then made in Python,
    after reading the whole group at the far edge when the limit may have cut it.
    """
    order = Result.final_rank.desc() if descending else Result.final_rank
    rows = db.session.execute(base.where(condition).order_by(order).limit(need + 1)).all()
    if len(rows) > need:
        edge = rows[-1].final_rank
        inside = sum(1 for r in rows if r.final_rank != edge)
        if inside < need:
            seen = {r.user_id for r in rows}
            rows += [r for r in db.session.execute(
                base.where(condition, Result.final_rank == edge)
            ).all() if r.user_id not in seen]
    rows.sort(key=lambda r: (r.final_rank, r.user_id))
    return rows


def final_page(
    rnd: Round,
    *,
    page: int | None = None,
    after: FinalCursor | None = None,
    before: FinalCursor | None = None,
    from_rank: int | None = None,
    per_page: int = 50,
) -> BoardPage:
    """A page of the final ranking (excluded entrants left out), through ``ix_quiz_results_final``.

    Numbered pages for the first :data:`NUMBERED_PAGES`, cursors beyond (``after`` the last row
    of the previous page, ``before`` the first row of the next); ``from_rank`` starts at the
    first entrant with that rank or worse.
    """
    base = _final_select(rnd.perfect_count or 0).where(
        Result.round_id == rnd.id, Result.final_rank.is_not(None)
    )
    pair = tuple_(Result.final_rank, Result.user_id)
    number: int | None = None
    has_prev = False
    if before is not None:
        got = _final_rows(base, pair < tuple_(before.rank, before.user_id), per_page,
                          descending=True)
        has_prev = len(got) > per_page
        rows, has_next = got[-per_page:], True
    else:
        if after is not None:
            got = _final_rows(base, pair > tuple_(after.rank, after.user_id), per_page)
            has_prev = True
        elif from_rank is not None:
            got = _final_rows(base, Result.final_rank >= from_rank, per_page)
            has_prev = from_rank > 1
        else:
            number = max(1, min(page or 1, NUMBERED_PAGES))
            skip = (number - 1) * per_page
            got = _final_rows(base, Result.final_rank.is_not(None), skip + per_page)[skip:]
            has_prev = number > 1
        has_next = len(got) > per_page
        rows = got[:per_page]
    total = ranked_count(rnd)
    if not rows:
        return BoardPage("final", [], per_page, total, page=number)
    board = [_final_row(r) for r in rows]
    first, last = board[0], board[-1]

    if number is not None:
        position = (number - 1) * per_page
    else:
        # Competition ranks: rank - 1 entrants are strictly ahead, then the tied of lower id.
        position = first.rank - 1
        if first.tied:
            position += db.session.execute(
                select(func.count()).select_from(Result)
                .where(Result.round_id == rnd.id, Result.final_rank == first.rank,
                       Result.user_id < first.user_id)
            ).scalar_one()
        has_prev = position > 0
        if position < NUMBERED_PAGES * per_page and position % per_page == 0:
            number = position // per_page + 1

    next_page = next_cursor = prev_page = prev_cursor = None
    if has_next:
        if number is not None and number < NUMBERED_PAGES:
            next_page = number + 1
        else:
            next_cursor = last.cursor
    if has_prev:
        if number is not None:
            prev_page = number - 1
        elif position <= NUMBERED_PAGES * per_page and position % per_page == 0:
            prev_page = position // per_page
        else:
            prev_cursor = first.cursor
    return BoardPage("final", board, per_page, total, page=number, next_page=next_page,
                     next_cursor=next_cursor, prev_page=prev_page, prev_cursor=prev_cursor)


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
        rank = 1 + count_ahead(rnd.id, _key_of(mine), **options) if counted else None
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


# --------------------------------------------------------------------------- finalisation


@dataclass(frozen=True)
class FinaliseReport:
    """What :func:`finalise` did; ``done`` is false when nothing had to be (or could be) done."""

    round_id: int
    done: bool
    entrants: int = 0
    ranked: int = 0
    perfect_count: int | None = None
    conflicts: int = 0
    seconds: float = 0.0


def _lock_round(round_id: int, *, skip_locked: bool = False) -> Round | None:
    """Reload the round and lock its row (PostgreSQL) so that one finaliser runs at a time."""
    stmt = (
        select(Round)
        .where(Round.id == round_id)
        .with_for_update(skip_locked=skip_locked)
        .execution_options(populate_existing=True)
    )
    return db.session.execute(stmt).scalar_one_or_none()


def _rank_all(rnd: Round) -> tuple[int, int]:
    """Write final_rank and tied for every result of ``rnd`` in bulk; return (C, ranked).

    Competition ranks come from a window ``RANK()``; the tie flag from the number of peers
    (``RANGE BETWEEN CURRENT ROW AND CURRENT ROW``). Rows whose values do not change are not
    written, so re-ranking after an exclusion touches only the entrants below it.
    """
    perfect = db.session.execute(
        select(func.count())
        .select_from(Result)
        .where(Result.round_id == rnd.id, Result.perfect.is_(True), Result.excluded.is_(False))
    ).scalar_one()
    missing = case((Result.prediction.is_(None), 1), else_=0)
    distance = func.coalesce(func.abs(Result.prediction - perfect), 0)
    order = (Result.score.desc(), missing, distance, Result.time_ms, Result.submitted_at)
    ranked = (
        select(
            Result.id.label("id"),
            func.rank().over(order_by=order).label("rnk"),
            func.count().over(order_by=order, range_=(0, 0)).label("peers"),
        )
        .where(Result.round_id == rnd.id, Result.excluded.is_(False))
        .subquery()
    )
    tied = ranked.c.peers > 1
    db.session.execute(
        update(Result)
        .where(Result.id == ranked.c.id)
        .where(or_(Result.final_rank.is_distinct_from(ranked.c.rnk),
                   Result.tied.is_distinct_from(tied)))
        .values(final_rank=ranked.c.rnk, tied=tied)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Result)
        .where(Result.round_id == rnd.id, Result.excluded.is_(True),
               or_(Result.final_rank.is_not(None), Result.tied.is_(True)))
        .values(final_rank=None, tied=False)
        .execution_options(synchronize_session=False)
    )
    count = db.session.execute(
        select(func.count())
        .select_from(Result)
        .where(Result.round_id == rnd.id, Result.excluded.is_(False))
    ).scalar_one()
    return perfect, count


def _tiers(rnd: Round) -> list[tuple[str, int]]:
    return [(str(name), int(places)) for name, places in (rnd.prize_tiers or [])]


def _prize_candidates(rnd: Round) -> list[RankedEntrant]:
    """The ranked entrants that the prize tiers can reach: the first N places and their ties."""
    places = sum(n for _, n in _tiers(rnd))
    if places <= 0:
        return []
    cutoff = db.session.execute(
        select(Result.final_rank)
        .where(Result.round_id == rnd.id, Result.final_rank.is_not(None))
        .order_by(Result.final_rank, Result.user_id)
        .offset(places - 1)
        .limit(1)
    ).scalar_one_or_none()
    # Plain columns, not entities: the ranks were just written behind the ORM's back.
    stmt = select(
        Result.user_id, Result.best_attempt_id, Result.score, Result.max_score, Result.time_ms,
        Result.submitted_at, Result.prediction, Result.excluded, Result.final_rank, Result.tied,
    ).where(Result.round_id == rnd.id, Result.final_rank.is_not(None))
    if cutoff is not None:
        stmt = stmt.where(Result.final_rank <= cutoff)
    candidates: list[RankedEntrant] = []
    for r in db.session.execute(stmt.order_by(Result.final_rank, Result.user_id)):
        entrant = EntrantResult(
            entrant_id=r.user_id, attempt_id=r.best_attempt_id, score=r.score,
            max_score=r.max_score, time_ms=r.time_ms, submitted_at=r.submitted_at,
            prediction=r.prediction, excluded=r.excluded,
        )
        distance = None if r.prediction is None else abs(r.prediction - (rnd.perfect_count or 0))
        candidates.append(RankedEntrant(r.final_rank, r.tied, distance, entrant))
    return candidates


def _propose_prizes(rnd: Round) -> int:
    """Write the proposed prizes; members of a conflict get :data:`PRIZE_UNDECIDED`."""
    db.session.execute(
        update(Result)
        .where(Result.round_id == rnd.id, Result.prize.is_not(None))
        .values(prize=None)
        .execution_options(synchronize_session=False)
    )
    assignment = assign_prizes(_prize_candidates(rnd), _tiers(rnd))
    by_prize: dict[str, list[int]] = defaultdict(list)
    for tier, winners in assignment.winners.items():
        by_prize[tier].extend(w.result.entrant_id for w in winners)
    for conflict in assignment.conflicts:
        by_prize[PRIZE_UNDECIDED].extend(e.result.entrant_id for e in conflict.entrants)
    for prize, user_ids in by_prize.items():
        if user_ids:
            db.session.execute(
                update(Result)
                .where(Result.round_id == rnd.id, Result.user_id.in_(user_ids))
                .values(prize=prize)
                .execution_options(synchronize_session=False)
            )
    return len(assignment.conflicts)


def _rerank(rnd: Round, now: datetime) -> FinaliseReport:
    started = time.perf_counter()
    perfect, ranked = _rank_all(rnd)
    db.session.expire_all()  # loaded results no longer match the rows
    rnd.perfect_count = perfect
    db.session.flush()
    conflicts = _propose_prizes(rnd)
    rnd.finalized_at = now
    db.session.flush()
    db.session.expire_all()
    clear_rank_cache(rnd.id)
    return FinaliseReport(
        round_id=rnd.id, done=True, entrants=entrant_count(rnd.id), ranked=ranked,
        perfect_count=perfect, conflicts=conflicts, seconds=time.perf_counter() - started,
    )


def settled(rnd: Round, now: datetime, grace_seconds: float | None = None) -> bool:
    """True once no more submissions can arrive: the close plus the submission grace is past."""
    if grace_seconds is None:
        from contest.quiz.attempts import DEFAULT_GRACE_SECONDS

        grace_seconds = DEFAULT_GRACE_SECONDS
    if rnd.closes_at > now:
        # Closing a running round by hand moves its close time to that moment, so a close time
        # still ahead means the round was closed before anyone could take it.
        return rnd.status == RoundStatus.CLOSED
    return now >= rnd.closes_at + timedelta(seconds=grace_seconds)


def finalise(
    round_id: int,
    now: datetime,
    *,
    force: bool = False,
    skip_locked: bool = False,
    grace_seconds: float | None = None,
) -> FinaliseReport:
    """Close the round's overdue attempts, then rank its entrants and propose prizes.

    Idempotent: a finalised round is left alone unless ``force`` (which recomputes everything
    and drops earlier tie decisions; refused once published). Raises :class:`ResultsError`:
    ``not_closed`` before the close, ``settling`` during the submission grace after it (answers
    sent just before the close may still arrive), ``published``. The caller commits. With
    ``skip_locked`` a round that another process is finalising is skipped (``done`` false).
    """
    from contest.quiz.attempts import DEFAULT_GRACE_SECONDS, close_overdue

    grace = DEFAULT_GRACE_SECONDS if grace_seconds is None else grace_seconds
    rnd = db.session.get(Round, round_id)
    if rnd is None:
        raise LookupError(round_id)
    current = phase(rnd, now)
    if current == Phase.PUBLISHED:
        if force:
            raise ResultsError("published")
        return FinaliseReport(round_id, done=False, perfect_count=rnd.perfect_count)
    if current != Phase.CLOSED:
        raise ResultsError("not_closed")
    if rnd.finalized_at is not None and not force:
        return FinaliseReport(round_id, done=False, perfect_count=rnd.perfect_count)
    if not settled(rnd, now, grace):
        raise ResultsError("settling")

    close_overdue(now, round_id, grace_seconds=grace)
    rnd = _lock_round(round_id, skip_locked=skip_locked)
    if rnd is None:
        return FinaliseReport(round_id, done=False)
    if rnd.finalized_at is not None and not force:  # finished by someone else meanwhile
        return FinaliseReport(round_id, done=False, perfect_count=rnd.perfect_count)
    return _rerank(rnd, now)


def ensure_finalised(rnd: Round, now: datetime, grace_seconds: float | None = None,
                     limit: int | None = None) -> bool:
    """Finalise a closed round on first read, committing it as its own unit of work.

    Returns whether the round is finalised afterwards. A reader that finds another process
    finalising does not wait: it gets False and shows the results as being prepared; so does
    a reader during the submission grace after the close, and one of a round with more than
    ``limit`` entrants (default :data:`LAZY_LIMIT`), whose ranking would outlast a request:
    those are finalised by ``flask quiz finalize`` run from cron after the close.
    """
    if rnd.finalized_at is not None:
        return True
    if phase(rnd, now) != Phase.CLOSED or not settled(rnd, now, grace_seconds):
        return False
    if live_total(rnd.id) > (LAZY_LIMIT if limit is None else limit):
        return False
    try:
        report = finalise(rnd.id, now, skip_locked=True, grace_seconds=grace_seconds)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    db.session.refresh(rnd)
    return report.done or rnd.finalized_at is not None


def _editable(round_id: int, now: datetime) -> Round:
    rnd = _lock_round(round_id)
    if rnd is None:
        raise LookupError(round_id)
    current = phase(rnd, now)
    if current == Phase.PUBLISHED:
        raise ResultsError("published")
    if current != Phase.CLOSED:
        raise ResultsError("not_closed")
    if rnd.finalized_at is None:
        raise ResultsError("not_finalised")
    return rnd


def exclude(round_id: int, user_id: int, reason: str, actor_id: int | None,
            now: datetime) -> FinaliseReport:
    """Exclude an entrant from the ranking with a reason, then re-rank. The caller commits."""
    reason = (reason or "").strip()
    if not reason:
        raise ResultsError("reason_required")
    rnd = _editable(round_id, now)
    mine = _my_result(round_id, user_id)
    if mine is None:
        raise ResultsError("no_result")
    mine.excluded = True
    mine.exclusion_reason = reason[:500]
    db.session.flush()
    audit.record(actor_id, "results.exclude", "quiz_round", round_id, reason[:500],
                 user_id=user_id, score=mine.score)
    return _rerank(rnd, now)


def reinstate(round_id: int, user_id: int, actor_id: int | None, now: datetime,
              note: str = "") -> FinaliseReport:
    """Undo an exclusion and re-rank. The caller commits."""
    rnd = _editable(round_id, now)
    mine = _my_result(round_id, user_id)
    if mine is None:
        raise ResultsError("no_result")
    if not mine.excluded:
        raise ResultsError("not_excluded")
    mine.excluded = False
    mine.exclusion_reason = ""
    db.session.flush()
    audit.record(actor_id, "results.reinstate", "quiz_round", round_id, note[:500],
                 user_id=user_id)
    return _rerank(rnd, now)


# --------------------------------------------------------------------------- prize review


@dataclass(frozen=True)
class ReviewRow:
    """A line of the organizers' review: full name and unit (organizers only)."""

    user_id: int
    full_name: str
    unit: str | None
    rank: int | None
    tied: bool
    score: float
    max_score: float
    time_ms: int
    submitted_at: datetime
    prediction: int | None
    distance: int | None
    prize: str | None
    excluded: bool
    exclusion_reason: str
    cursor: str = ""


@dataclass(frozen=True)
class ConflictView:
    """A tied group cut by a tier boundary, with its members and whether it is decided."""

    rank: int
    slots: tuple[tuple[str, int], ...]
    members: list[ReviewRow]
    decided: bool

    @property
    def tiers(self) -> list[str]:
        return [name for name, _ in self.slots]


@dataclass(frozen=True)
class PrizeReview:
    tiers: list[tuple[str, int]]
    winners: dict[str, list[ReviewRow]]
    conflicts: list[ConflictView]

    @property
    def undecided(self) -> bool:
        return any(not c.decided for c in self.conflicts)


def _review_select(perfect: int):  # noqa: ANN202
    distance = case(
        (Result.prediction.is_(None), None), else_=func.abs(Result.prediction - perfect)
    )
    return (
        select(Result, User.full_name, Unit.name.label("unit_name"), distance.label("distance"))
        .join(User, User.id == Result.user_id)
        .outerjoin(Unit, Unit.id == Result.unit_id)
    )


def _review_row(row: Any) -> ReviewRow:
    r: Result = row.Result
    return ReviewRow(
        user_id=r.user_id, full_name=row.full_name, unit=row.unit_name, rank=r.final_rank,
        tied=r.tied, score=r.score, max_score=r.max_score, time_ms=r.time_ms,
        submitted_at=r.submitted_at, prediction=r.prediction, distance=row.distance,
        prize=r.prize, excluded=r.excluded, exclusion_reason=r.exclusion_reason,
        cursor=FinalCursor(r.final_rank, r.user_id).encode() if r.final_rank else "",
    )


def prize_review(rnd: Round) -> PrizeReview:
    """Proposed winners per tier and the tie conflicts (decided or not) of a finalised round."""
    tiers = _tiers(rnd)
    candidates = _prize_candidates(rnd)
    assignment = assign_prizes(candidates, tiers)
    ids = {c.result.entrant_id for c in candidates}
    # The prizes written in the database are authoritative (they include decisions).
    rows = {}
    if ids:
        for row in db.session.execute(
            _review_select(rnd.perfect_count or 0).where(
                Result.round_id == rnd.id, Result.user_id.in_(ids)
            )
        ):
            rows[row.Result.user_id] = _review_row(row)
    extra = db.session.execute(
        _review_select(rnd.perfect_count or 0).where(
            Result.round_id == rnd.id, Result.prize.is_not(None),
            Result.prize != PRIZE_UNDECIDED, Result.user_id.not_in(ids or {0}),
        )
    ).all()
    for row in extra:  # e.g. a tier given to all of a tied group reaching past the places
        rows[row.Result.user_id] = _review_row(row)
    ordered = sorted(rows.values(), key=lambda r: (r.rank or 0, r.user_id))
    winners: dict[str, list[ReviewRow]] = {name: [] for name, _ in tiers}
    for r in ordered:
        if r.prize and r.prize != PRIZE_UNDECIDED:
            winners.setdefault(r.prize, []).append(r)
    conflicts: list[ConflictView] = []
    for conflict in assignment.conflicts:
        members = [rows[e.result.entrant_id] for e in conflict.entrants]
        decided = all(m.prize != PRIZE_UNDECIDED for m in members)
        conflicts.append(ConflictView(conflict.rank, conflict.slots, members, decided))
    return PrizeReview(tiers, winners, conflicts)


def _conflict_at(rnd: Round, rank: int) -> PrizeConflict | None:
    assignment = assign_prizes(_prize_candidates(rnd), _tiers(rnd))
    return next((c for c in assignment.conflicts if c.rank == rank), None)


def resolve_conflict(
    round_id: int,
    rank: int,
    decisions: Mapping[int, str | None],
    actor_id: int | None,
    now: datetime,
    note: str = "",
) -> None:
    """Settle the tied group at ``rank``: ``decisions`` maps each member to a tier or None.

    Any tier of the round may be given (giving all of them the higher tier is allowed).
    Raises :class:`ResultsError` (``no_conflict``, ``bad_decision``). The caller commits.
    """
    rnd = _editable(round_id, now)
    conflict = _conflict_at(rnd, rank)
    if conflict is None:
        raise ResultsError("no_conflict")
    members = {e.result.entrant_id for e in conflict.entrants}
    names = {name for name, _ in _tiers(rnd)}
    if set(decisions) != members or any(v is not None and v not in names
                                        for v in decisions.values()):
        raise ResultsError("bad_decision")
    for user_id, tier in decisions.items():
        db.session.execute(
            update(Result)
            .where(Result.round_id == round_id, Result.user_id == user_id)
            .values(prize=tier)
            .execution_options(synchronize_session=False)
        )
    audit.record(actor_id, "results.resolve_tie", "quiz_round", round_id, note[:500], rank=rank,
                 decisions={str(k): v for k, v in sorted(decisions.items())})
    db.session.expire_all()


def publish(round_id: int, actor_id: int | None, now: datetime) -> Round:
    """Make the results and prizes public. Refused while a tie decision is open."""
    rnd = _editable(round_id, now)
    undecided = db.session.execute(
        select(func.count())
        .select_from(Result)
        .where(Result.round_id == round_id, Result.prize == PRIZE_UNDECIDED)
    ).scalar_one()
    if undecided:
        raise ResultsError("undecided")
    rnd.status = RoundStatus.PUBLISHED
    rnd.published_at = now
    audit.record(actor_id, "results.publish", "quiz_round", round_id,
                 perfect_count=rnd.perfect_count, finalized_at=rnd.finalized_at.isoformat())
    db.session.flush()
    return rnd


def review_page(
    rnd: Round, *, after: FinalCursor | None = None, from_rank: int | None = None,
    query: str = "", per_page: int = 50,
) -> tuple[list[ReviewRow], str | None]:
    """Organizers' ranked list (full names), from a rank or a cursor, or filtered by ``query``
    (an entrant id, a phone number or part of a name). Returns the rows and the next cursor."""
    stmt = _review_select(rnd.perfect_count or 0).where(
        Result.round_id == rnd.id, Result.final_rank.is_not(None)
    )
    query = (query or "").strip()
    if query:
        from contest.accounts.identity import normalize_phone

        phone = normalize_phone(query)
        if phone:
            stmt = stmt.where(User.phone == phone)
        elif query.isdigit():
            stmt = stmt.where(Result.user_id == int(query))
        else:
            stmt = stmt.where(User.full_name.ilike(f"%{query}%"))
    elif after is not None:
        stmt = stmt.where(tuple_(Result.final_rank, Result.user_id)
                          > tuple_(after.rank, after.user_id))
    elif from_rank is not None:
        stmt = stmt.where(Result.final_rank >= from_rank)
    rows = [_review_row(r) for r in db.session.execute(
        stmt.order_by(Result.final_rank, Result.user_id).limit(per_page + 1)
    )]
    more = len(rows) > per_page
    rows = rows[:per_page]
    return rows, (rows[-1].cursor if more and rows else None)


def excluded_rows(rnd: Round) -> list[ReviewRow]:
    """Excluded entrants with their reasons, best score first (organizers only)."""
    return [
        _review_row(r)
        for r in db.session.execute(
            _review_select(rnd.perfect_count or 0)
            .where(Result.round_id == rnd.id, Result.excluded.is_(True))
            .order_by(*_LIVE_ORDER)
        )
    ]


def prize_list(rnd: Round) -> list[tuple[str, list[BoardRow]]]:
    """Prize winners per tier in tier order, masked for the public."""
    rows = db.session.execute(
        _final_select(rnd.perfect_count or 0)
        .where(Result.round_id == rnd.id, Result.prize.is_not(None),
               Result.prize != PRIZE_UNDECIDED, Result.final_rank.is_not(None))
        .order_by(Result.final_rank, Result.user_id)
    ).all()
    by_tier: dict[str, list[BoardRow]] = defaultdict(list)
    for row in rows:
        by_tier[row.prize].append(_final_row(row))
    return [(name, by_tier.get(name, [])) for name, _ in _tiers(rnd)]


# --------------------------------------------------------------------------- units


@dataclass(frozen=True)
class UnitRow:
    unit_id: int | None
    code: str | None
    name: str | None
    parent: str | None
    size: int | None
    participants: int

    @property
    def rate(self) -> float | None:
        """Participants per member in percent, where the unit's size is known."""
        if not self.size:
            return None
        return 100.0 * self.participants / self.size


def _unit_counts(round_id: int, ttl: float) -> dict[int | None, int]:
    """Entrants per unit id; a grouped scan of the round's results, kept ``ttl`` seconds."""
    cache = _cache("units")
    key = (round_id,)
    cached = cache.get(key)
    if cached is not None and time.monotonic() - cached[0] < ttl:
        return cached[1]
    counts = dict(db.session.execute(
        select(Result.unit_id, func.count())
        .where(Result.round_id == round_id, Result.excluded.is_(False))
        .group_by(Result.unit_id)
    ).all())
    if len(cache) > 1000:
        cache.clear()
    cache[key] = (time.monotonic(), counts)
    return counts


def unit_participation(round_id: int, *, order: str = "participants",
                       ttl: float = 0.0) -> list[UnitRow]:
    """Participants per unit (excluded entrants do not count), most first or by ``order="rate"``.

    Entrants without a unit are one row with ``unit_id`` None. The counts scan the round's
    results; public pages pass a ``ttl`` to reuse them for that many seconds.
    """
    by_unit = _unit_counts(round_id, ttl)
    parent = aliased(Unit)
    units = {
        u.Unit.id: u
        for u in db.session.execute(
            select(Unit, parent.name.label("parent_name"))
            .outerjoin(parent, parent.id == Unit.parent_id)
            .where(Unit.id.in_([k for k in by_unit if k is not None] or [0]))
        )
    }
    rows = []
    for unit_id, n in by_unit.items():
        u = units.get(unit_id)
        rows.append(UnitRow(
            unit_id=unit_id,
            code=u.Unit.code if u else None,
            name=u.Unit.name if u else None,
            parent=u.parent_name if u else None,
            size=u.Unit.size if u else None,
            participants=n,
        ))
    if order == "rate":
        rows.sort(key=lambda r: (r.rate is None, -(r.rate or 0), -r.participants, r.name or ""))
    else:
        rows.sort(key=lambda r: (-r.participants, r.unit_id is None, r.name or ""))
    return rows


# --------------------------------------------------------------------------- item statistics


@dataclass
class OptionStat:
    option_id: int
    position: int
    text: str
    fraction: float
    chosen: int

    def share(self, seen: int) -> float | None:
        return None if not seen else 100.0 * self.chosen / seen


@dataclass
class QuestionStat:
    """Moodle's facility and discrimination for one question, plus its answer frequencies."""

    question_id: int
    external_id: str | None
    title: str
    text: str
    kind: str
    attempts: int
    facility: float | None
    discrimination: float | None
    blank: int
    options: list[OptionStat] = field(default_factory=list)


@dataclass
class ItemReport:
    round_id: int
    attempts: int
    questions: list[QuestionStat]
    distribution: dict[int, int]  # k correct answers -> entrants
    max_correct: int


def _weighted_pearson(cells: Mapping[tuple[float, float], int]) -> float | None:
    n = sum(cells.values())
    xs = {x for x, _ in cells}
    ys = {y for _, y in cells}
    if n < 2 or len(xs) < 2 or len(ys) < 2:
        return None
    mx = math.fsum(c * x for (x, _), c in cells.items()) / n
    my = math.fsum(c * y for (_, y), c in cells.items()) / n
    sxy = math.fsum(c * (x - mx) * (y - my) for (x, y), c in cells.items())
    sxx = math.fsum(c * (x - mx) ** 2 for (x, _), c in cells.items())
    syy = math.fsum(c * (y - my) ** 2 for (_, y), c in cells.items())
    r = sxy / math.sqrt(sxx * syy)
    return max(-1.0, min(1.0, r))


@dataclass
class _Tally:
    """What the item statistics need, summed over the attempts."""

    attempts: int = 0
    max_correct: int = 0
    # question -> (score on it, attempt total) -> attempts
    cells: dict[int, Counter[tuple[float, float]]] = field(
        default_factory=lambda: defaultdict(Counter))
    chosen: dict[int, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    answered: Counter[int] = field(default_factory=Counter)
    distribution: Counter[int] = field(default_factory=Counter)


def _tally_streaming(round_id: int, chunk: int) -> _Tally:
    """Sum the best attempts in Python, ``chunk`` rows at a time (``yield_per``)."""
    tally = _Tally()
    cells, chosen, answered = tally.cells, tally.chosen, tally.answered
    rows = db.session.execute(
        select(Attempt.item_scores, Attempt.answers, Attempt.correct_count, Attempt.score)
        .join(Result, Result.best_attempt_id == Attempt.id)
        .where(Result.round_id == round_id, Result.excluded.is_(False))
        .execution_options(yield_per=chunk)
    )
    for item_scores, answers, correct, score in rows:
        tally.attempts += 1
        item_scores = item_scores or {}
        answers = answers or {}
        total = math.fsum(item_scores.values()) if score is None else score
        for key, x in item_scores.items():
            q = int(key)
            cells[q][(x, total)] += 1
            picked = answers.get(key)
            if picked:
                answered[q] += 1
                counts = chosen[q]
                for option_id in set(picked):
                    counts[option_id] += 1
        if correct is None:
            correct = sum(1 for v in item_scores.values() if v >= 1.0)
        tally.distribution[correct] += 1
        tally.max_correct = max(tally.max_correct, len(item_scores), correct)
    return tally


# The same sums made by PostgreSQL, which reads the JSON columns many times faster than Python.
_PG_CELLS = """
SELECT e.key, (e.value::text)::float8, a.score, count(*)
FROM quiz_results r JOIN quiz_attempts a ON a.id = r.best_attempt_id
CROSS JOIN LATERAL json_each(a.item_scores) e
WHERE r.round_id = :round_id AND NOT r.excluded
GROUP BY 1, 2, 3
"""
_PG_CHOSEN = """
SELECT e.key, o.value, count(*)
FROM quiz_results r JOIN quiz_attempts a ON a.id = r.best_attempt_id
CROSS JOIN LATERAL json_each(a.answers) e
CROSS JOIN LATERAL json_array_elements_text(
    CASE WHEN json_typeof(e.value) = 'array' THEN e.value ELSE '[]'::json END) o
WHERE r.round_id = :round_id AND NOT r.excluded
GROUP BY 1, 2
"""
_PG_ANSWERED = """
SELECT e.key, count(*)
FROM quiz_results r JOIN quiz_attempts a ON a.id = r.best_attempt_id
CROSS JOIN LATERAL json_each(a.answers) e
WHERE r.round_id = :round_id AND NOT r.excluded
  AND json_array_length(
      CASE WHEN json_typeof(e.value) = 'array' THEN e.value ELSE '[]'::json END) > 0
GROUP BY 1
"""
_PG_DISTRIBUTION = """
SELECT a.correct_count, count(*), max((SELECT count(*) FROM json_object_keys(a.item_scores)))
FROM quiz_results r JOIN quiz_attempts a ON a.id = r.best_attempt_id
WHERE r.round_id = :round_id AND NOT r.excluded
GROUP BY 1
"""


def _tally_in_database(round_id: int) -> _Tally:
    tally = _Tally()
    params = {"round_id": round_id}

    def rows(sql: str):  # noqa: ANN202
        return db.session.execute(text(sql), params).all()

    for key, x, total, n in rows(_PG_CELLS):
        tally.cells[int(key)][(x, total)] += n
    for key, option_id, n in rows(_PG_CHOSEN):
        tally.chosen[int(key)][int(option_id)] += n
    for key, n in rows(_PG_ANSWERED):
        tally.answered[int(key)] += n
    for correct, n, questions in rows(_PG_DISTRIBUTION):
        tally.attempts += n
        tally.distribution[correct or 0] += n
        tally.max_correct = max(tally.max_correct, questions or 0, correct or 0)
    return tally


def item_report(round_id: int, *, chunk: int = 2000,
                in_database: bool | None = None) -> ItemReport:
    """Item statistics over the best attempt of every entrant not excluded.

    Per question only a small table of (score on it, attempt total) -> count is kept, so memory
    does not grow with the number of attempts, and Moodle's definitions are computed exactly
    from it: facility = mean score as a percentage of the maximum (1 point), discrimination =
    100 x correlation with the rest of the test (total minus the question). A question drawn at
    random counts only the attempts that contained it. On PostgreSQL the sums are made by the
    database (``in_database``, the default there); elsewhere the attempts are streamed
    ``chunk`` at a time. The report of a ranked round is kept in the process until the round is
    ranked again.
    """
    if in_database is None:
        in_database = db.session.get_bind().dialect.name == "postgresql"
    stamp = db.session.execute(
        select(Round.finalized_at).where(Round.id == round_id)
    ).scalar_one_or_none()
    cache = _cache("items")
    key = (round_id, stamp, in_database)
    if stamp is not None and key in cache:
        return cache[key]
    tally = _tally_in_database(round_id) if in_database else _tally_streaming(round_id, chunk)
    cells: dict[int, Counter[tuple[float, float]]] = defaultdict(Counter)
    for q, table in tally.cells.items():
        for (x, total), n in table.items():
            # Rounding drops subtraction noise that would split equal rest-of-test scores.
            cells[q][(x, round(total - x, 9))] += n
    chosen = tally.chosen

    ids = sorted(cells)
    questions = {q.id: q for q in db.session.execute(
        select(Question).where(Question.id.in_(ids or [0]))
    ).scalars()}
    options: dict[int, list[Option]] = defaultdict(list)
    for opt in db.session.execute(
        select(Option).where(Option.question_id.in_(ids or [0])).order_by(Option.position)
    ).scalars():
        options[opt.question_id].append(opt)

    stats: list[QuestionStat] = []
    for q in ids:
        table = cells[q]
        n = sum(table.values())
        mean = math.fsum(c * x for (x, _), c in table.items()) / n if n else None
        question = questions.get(q)
        stat = QuestionStat(
            question_id=q,
            external_id=question.external_id if question else None,
            title=question.title if question else "",
            text=question.text if question else "",
            kind=question.kind if question else "",
            attempts=n,
            facility=None if mean is None else 100.0 * mean,
            discrimination=None if (r := _weighted_pearson(table)) is None else 100.0 * r,
            blank=n - tally.answered[q],
        )
        known = set()
        for opt in options.get(q, []):
            known.add(opt.id)
            stat.options.append(OptionStat(opt.id, opt.position, opt.text, opt.fraction,
                                           chosen[q].get(opt.id, 0)))
        for stray in sorted(set(chosen[q]) - known):
            stat.options.append(OptionStat(stray, 0, "", 0.0, chosen[q][stray]))
        stats.append(stat)
    dist = {k: tally.distribution.get(k, 0) for k in range(tally.max_correct + 1)}
    report = ItemReport(round_id, tally.attempts, stats, dist, tally.max_correct)
    if stamp is not None:
        # Attempts of a ranked round no longer change; a re-ranking gives a new stamp.
        if len(cache) > 50:
            cache.clear()
        cache[key] = report
    return report


def _csv(rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows(rows)
    return out.getvalue()


def _num(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def items_csv(report: ItemReport) -> str:
    head = ["question_id", "external_id", "title", "kind", "attempts", "facility_pct",
            "discrimination", "blank"]
    return _csv([head] + [
        [q.question_id, q.external_id or "", q.title or q.text[:80], q.kind, q.attempts,
         _num(q.facility), _num(q.discrimination), q.blank]
        for q in report.questions
    ])


def options_csv(report: ItemReport) -> str:
    head = ["question_id", "option_id", "position", "text", "fraction", "chosen", "chosen_pct"]
    return _csv([head] + [
        [q.question_id, o.option_id, o.position, o.text, o.fraction, o.chosen,
         _num(o.share(q.attempts))]
        for q in report.questions for o in q.options
    ])


def distribution_csv(report: ItemReport) -> str:
    return _csv([["correct_answers", "entrants"]] + [[k, n] for k, n in
                                                     report.distribution.items()])


def units_csv(rows: Sequence[UnitRow]) -> str:
    head = ["unit_code", "unit", "belongs_to", "participants", "size", "rate_pct"]
    return _csv([head] + [
        [r.code or "", r.name or "", r.parent or "", r.participants,
         "" if r.size is None else r.size, _num(r.rate)]
        for r in rows
    ])


def ranking_csv(rnd: Round, chunk: int = 5000) -> Iterator[str]:
    """The full final ranking for organizers, streamed (no phone, e-mail or birth date)."""
    yield _csv([["rank", "tied", "entrant_id", "full_name", "unit", "score", "max_score",
                 "prediction", "distance", "time_ms", "submitted_at", "prize"]])
    stmt = (
        _review_select(rnd.perfect_count or 0)
        .where(Result.round_id == rnd.id, Result.final_rank.is_not(None))
        .order_by(Result.final_rank, Result.user_id)
        .execution_options(yield_per=chunk)
    )
    batch: list[list[Any]] = []
    for row in db.session.execute(stmt):
        r = _review_row(row)
        batch.append([r.rank, int(r.tied), r.user_id, r.full_name, r.unit or "", r.score,
                      r.max_score, "" if r.prediction is None else r.prediction,
                      "" if r.distance is None else r.distance, r.time_ms,
                      r.submitted_at.isoformat(), r.prize or ""])
        if len(batch) >= chunk:
            yield _csv(batch)
            batch = []
    if batch:
        yield _csv(batch)
