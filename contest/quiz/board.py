"""What the leaderboards of quiz rounds are made of: keys, cursors, rows, pages, counts.

Every leaderboard reads ``quiz_results`` (one row per entrant and round) and never scans attempts.

Live order (while a round runs): score desc, time taken asc, submission time asc; entrants equal
on all three share a rank. The listing order inside such a tie is by entrant id, which also makes
the leaderboard key ``(score, time_ms, submitted_at, user_id)`` unique: it is the order of the index
``ix_quiz_results_live`` and the cursor of the keyset pages.

Final order (after close): score desc, then |prediction - C| asc where C is the number of
entrants whose best attempt got every question right (a missing prediction comes last), then
time asc, then submission asc (:mod:`contest.quiz.ranking`). Ranks are competition ranks (1, 2, 2,
4), written by :mod:`contest.quiz.finalise`.
"""

from __future__ import annotations

import math
import threading
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select

from contest.accounts.identity import mask_name
from contest.accounts.models import Unit, User
from contest.extensions import db
from contest.quiz.models import Result, Round

NUMBERED_PAGES = 5  # pages reached by number (OFFSET); deeper pages use a cursor
# Stored in Result.prize for a tied entrant whose tier the organizers have not decided yet.
PRIZE_UNDECIDED = "?"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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


def masked(full_name: str | None) -> str:
    return mask_name(full_name or "") or "—"


LIVE_ORDER = (Result.score.desc(), Result.time_ms, Result.submitted_at, Result.user_id)


def board_select():  # noqa: ANN202
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


def key_of(row: Any) -> LiveKey:
    return LiveKey(row.score, row.time_ms, row.submitted_at, row.user_id)


def board_row(row: Any, rank: int, cursor: str, *, tied: bool, **final: Any) -> BoardRow:
    """A public line from a row of :func:`board_select` (the name masked here)."""
    return BoardRow(rank=rank, tied=tied, name=masked(row.full_name), unit=row.unit_name,
                    score=row.score, max_score=row.max_score, time_ms=row.time_ms,
                    submitted_at=row.submitted_at, user_id=row.user_id, cursor=cursor, **final)


def final_row(row: Any) -> BoardRow:
    """A line of the final ranking from a row of :func:`final_select`."""
    return board_row(row, row.final_rank, FinalCursor(row.final_rank, row.user_id).encode(),
                     tied=row.tied, prediction=row.prediction, distance=row.distance,
                     prize=row.prize)


def final_select(perfect: int):  # noqa: ANN202
    distance = case(
        (Result.prediction.is_(None), None), else_=func.abs(Result.prediction - perfect)
    )
    return board_select().add_columns(distance.label("distance"))


# ------------------------------------------------------------ counts and per-process caches


# Per-process caches (rank snapshots, counts), one set per database engine: an application has
# one, and a fresh application on a rebuilt database must not see the old figures.
_caches: weakref.WeakKeyDictionary[Any, dict[str, dict[Any, Any]]] = weakref.WeakKeyDictionary()

cache_lock = threading.Lock()


def process_cache(name: str) -> dict[Any, Any]:
    return _caches.setdefault(db.engine, {}).setdefault(name, {})


def clear_rank_cache(round_id: int | None = None) -> None:
    """Forget the rank snapshots and cached counts (of one round, or all)."""
    with cache_lock:
        for caches in list(_caches.values()):
            for cache in caches.values():
                for key in [k for k in cache if round_id is None or k[0] == round_id]:
                    del cache[key]


def entrant_count(round_id: int) -> int:
    """Number of entrants with a result in the round (an index-only count)."""
    return db.session.execute(
        select(func.count()).select_from(Result).where(Result.round_id == round_id)
    ).scalar_one()


def ranked_count(rnd: Round) -> int:
    """Entrants in the final ranking; cached until the round is re-ranked (new finalized_at)."""
    cache = process_cache("ranked")
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


def prize_tiers(rnd: Round) -> list[tuple[str, int]]:
    return [(str(name), int(places)) for name, places in (rnd.prize_tiers or [])]
