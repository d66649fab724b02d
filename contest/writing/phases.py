"""Writing contests on the server clock: upcoming, open or closed, and which ones journalists see.

Every rule of the entries reads the time through :func:`utcnow` of this module (tests move the
clock by patching ``contest.writing.phases.utcnow`` or ``contest.timeutil.utcnow``). The
submission window is ``opens_at <= now < closes_at``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select

from contest import timeutil
from contest.extensions import db
from contest.writing.models import (
    Category,
    ContestStatus,
    WritingContest,
)


def utcnow() -> datetime:
    """The server clock every rule of this module reads (tests move it by patching this name
    or contest.timeutil.utcnow)."""
    return timeutil.utcnow()


class Phase(StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


def contest_phase(contest: WritingContest, now: datetime | None = None) -> Phase:
    """Upcoming, open or closed, from the contest's status and window on the server clock."""
    now = now or utcnow()
    if contest.status == ContestStatus.DRAFT:
        return Phase.UPCOMING
    if contest.status != ContestStatus.OPEN:
        return Phase.CLOSED
    if now < contest.submission_opens_at:
        return Phase.UPCOMING
    if now >= contest.submission_closes_at:
        return Phase.CLOSED
    return Phase.OPEN


def accepting_changes(contest: WritingContest, now: datetime | None = None) -> bool:
    """Whether authors may still create and change entries (drafts may be started early)."""
    now = now or utcnow()
    return contest.status == ContestStatus.OPEN and now < contest.submission_closes_at


def time_left(contest: WritingContest, now: datetime | None = None) -> timedelta | None:
    """Time until the closing second, or None when the contest no longer takes entries."""
    now = now or utcnow()
    if not accepting_changes(contest, now):
        return None
    return contest.submission_closes_at - now


def visible_contests() -> list[WritingContest]:
    """Contests journalists may look at (everything but drafts), the latest deadline first."""
    return list(
        db.session.execute(
            select(WritingContest)
            .where(WritingContest.status != ContestStatus.DRAFT)
            .order_by(WritingContest.submission_closes_at.desc(), WritingContest.id)
        ).scalars()
    )


def get_visible_contest(contest_id: int) -> WritingContest | None:
    contest = db.session.get(WritingContest, contest_id)
    if contest is None or contest.status == ContestStatus.DRAFT:
        return None
    return contest


def category_of(contest: WritingContest, category_id: int | None) -> Category | None:
    return next((c for c in contest.categories if c.id == category_id), None)
