"""The organizers' lists of a ranked round: full names and units, searchable, with the
excluded entrants and their reasons. Organizers only; never shown to the public."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select, tuple_

from contest.accounts.identity import normalize_phone
from contest.accounts.models import Unit, User
from contest.extensions import db
from contest.quiz.board import LIVE_ORDER, FinalCursor
from contest.quiz.models import Result, Round


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


def review_select(perfect: int):  # noqa: ANN202
    distance = case(
        (Result.prediction.is_(None), None), else_=func.abs(Result.prediction - perfect)
    )
    return (
        select(Result, User.full_name, Unit.name.label("unit_name"), distance.label("distance"))
        .join(User, User.id == Result.user_id)
        .outerjoin(Unit, Unit.id == Result.unit_id)
    )


def review_row(row: Any) -> ReviewRow:
    r: Result = row.Result
    return ReviewRow(
        user_id=r.user_id, full_name=row.full_name, unit=row.unit_name, rank=r.final_rank,
        tied=r.tied, score=r.score, max_score=r.max_score, time_ms=r.time_ms,
        submitted_at=r.submitted_at, prediction=r.prediction, distance=row.distance,
        prize=r.prize, excluded=r.excluded, exclusion_reason=r.exclusion_reason,
        cursor=FinalCursor(r.final_rank, r.user_id).encode() if r.final_rank else "",
    )


def review_page(
    rnd: Round, *, after: FinalCursor | None = None, from_rank: int | None = None,
    query: str = "", per_page: int = 50,
) -> tuple[list[ReviewRow], str | None]:
    """Organizers' ranked list (full names), from a rank or a cursor, or filtered by ``query``
    (an entrant id, a phone number or part of a name). Returns the rows and the next cursor."""
    stmt = review_select(rnd.perfect_count or 0).where(
        Result.round_id == rnd.id, Result.final_rank.is_not(None)
    )
    query = (query or "").strip()
    if query:
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
    rows = [review_row(r) for r in db.session.execute(
        stmt.order_by(Result.final_rank, Result.user_id).limit(per_page + 1)
    )]
    more = len(rows) > per_page
    rows = rows[:per_page]
    return rows, (rows[-1].cursor if more and rows else None)


def excluded_rows(rnd: Round) -> list[ReviewRow]:
    """Excluded entrants with their reasons, best score first (organizers only)."""
    return [
        review_row(r)
        for r in db.session.execute(
            review_select(rnd.perfect_count or 0)
            .where(Result.round_id == rnd.id, Result.excluded.is_(True))
            .order_by(*LIVE_ORDER)
        )
    ]
