"""Helpers of the results, leaderboard, API and item statistics tests.

Result and Attempt rows are written directly, as the submit code would leave them, so that every
ranking situation can be set up exactly.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from flask import g

from contest.accounts.models import Unit, User
from contest.extensions import db
from contest.quiz import board
from contest.quiz import finalise as finalising
from contest.quiz.models import Attempt, AttemptStatus, Result, Round, RoundStatus
from contest.timeutil import utcnow

T0 = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
_phones = itertools.count(1)


@pytest.fixture(autouse=True)
def fresh_request_globals(app):
    """The test's app context outlives requests; Flask-Babel and Flask-Login cache the locale
    and the user on ``g``, so drop both before each request (several clients in one test)."""

    def forget() -> None:
        g.pop("_flask_babel", None)
        g.pop("_login_user", None)

    app.before_request_funcs.setdefault(None, []).insert(0, forget)
    board.clear_rank_cache()
    yield
    board.clear_rank_cache()


def make_round(state: str = "closed", *, tiers=None, title: str = "Tuần 1", **fields) -> Round:
    """A round that is ``upcoming``, ``running``, ``closed`` or ``published`` right now."""
    now = utcnow()
    opens, closes = {
        "upcoming": (now + timedelta(days=1), now + timedelta(days=8)),
        "running": (now - timedelta(days=1), now + timedelta(days=6)),
        "closed": (now - timedelta(days=8), now - timedelta(hours=1)),
        "published": (now - timedelta(days=8), now - timedelta(hours=1)),
        "draft": (now + timedelta(days=1), now + timedelta(days=8)),
    }[state]
    status = {
        "upcoming": RoundStatus.OPEN, "running": RoundStatus.OPEN, "closed": RoundStatus.OPEN,
        "published": RoundStatus.PUBLISHED, "draft": RoundStatus.DRAFT,
    }[state]
    rnd = Round(
        title=title,
        rules=fields.pop("rules", "Mỗi người dự thi một tài khoản.\nThời gian 20 phút."),
        status=status, opens_at=opens, closes_at=closes,
        prize_tiers=tiers if tiers is not None else [["first", 1], ["second", 2], ["third", 3]],
        prediction_text="Có bao nhiêu người trả lời đúng tất cả?", **fields,
    )
    db.session.add(rnd)
    db.session.commit()
    return rnd


def make_unit(code: str, name: str, size: int | None = None, parent: Unit | None = None) -> Unit:
    unit = Unit(code=code, name=name, kind="commune", size=size,
                parent_id=parent.id if parent else None)
    db.session.add(unit)
    db.session.commit()
    return unit


def make_entrant(name: str = "Nguyễn Thị Lan", unit: Unit | None = None, **fields) -> User:
    """An entrant written directly (no password hashing: these tests never log them in)."""
    n = next(_phones)
    user = User(full_name=name, phone=f"+8498{n:07d}", email=fields.pop("email", None),
                password_hash="x", session_token=f"t{n}", unit_id=unit.id if unit else None,
                birth_date=fields.pop("birth_date", None), **fields)
    db.session.add(user)
    db.session.commit()
    return user


def add_result(
    rnd: Round,
    user: User,
    score: float,
    *,
    max_score: float = 10.0,
    time_ms: int = 300_000,
    submitted_at: datetime | None = None,
    prediction: int | None = None,
    perfect: bool | None = None,
    item_scores: dict[str, float] | None = None,
    answers: dict[str, list[int]] | None = None,
    correct: int | None = None,
    number: int = 1,
    best: bool = True,
    excluded: bool = False,
    reason: str = "",
) -> Attempt:
    """A submitted attempt; with ``best`` also the entrant's result row pointing at it."""
    submitted_at = submitted_at or (rnd.opens_at + timedelta(hours=1))
    attempt = Attempt(
        round_id=rnd.id, user_id=user.id, number=number, status=AttemptStatus.SUBMITTED,
        started_at=submitted_at - timedelta(milliseconds=time_ms),
        deadline_at=submitted_at + timedelta(minutes=5), submitted_at=submitted_at,
        draw=[[int(q), []] for q in (item_scores or {})], answers=answers or {},
        prediction=prediction, score=score, max_score=max_score,
        correct_count=correct if correct is not None else int(score), time_ms=time_ms,
        item_scores=item_scores or {},
    )
    db.session.add(attempt)
    db.session.flush()
    if best:
        existing = db.session.execute(
            db.select(Result).where(Result.round_id == rnd.id, Result.user_id == user.id)
        ).scalar_one_or_none()
        result = existing or Result(round_id=rnd.id, user_id=user.id, unit_id=user.unit_id)
        result.best_attempt_id = attempt.id
        result.attempts_count = number
        result.score = score
        result.max_score = max_score
        result.time_ms = time_ms
        result.submitted_at = submitted_at
        result.prediction = prediction
        result.perfect = (score == max_score) if perfect is None else perfect
        result.excluded = excluded
        result.exclusion_reason = reason
        result.tied = False
        db.session.add(result)
    db.session.commit()
    return attempt


def result_of(rnd: Round, user: User) -> Result:
    db.session.expire_all()
    return db.session.execute(
        db.select(Result).where(Result.round_id == rnd.id, Result.user_id == user.id)
    ).scalar_one()


def ranks(rnd: Round) -> dict[int, tuple[int | None, bool]]:
    """user id -> (final rank, tied)."""
    db.session.expire_all()
    rows = db.session.execute(
        db.select(Result.user_id, Result.final_rank, Result.tied).where(Result.round_id == rnd.id)
    ).all()
    return {r.user_id: (r.final_rank, r.tied) for r in rows}


def prizes(rnd: Round) -> dict[int, str | None]:
    db.session.expire_all()
    rows = db.session.execute(
        db.select(Result.user_id, Result.prize).where(Result.round_id == rnd.id)
    ).all()
    return {r.user_id: r.prize for r in rows}


def finalise(rnd: Round, **kw) -> finalising.FinaliseReport:
    report = finalising.finalise(rnd.id, utcnow(), **kw)
    db.session.commit()
    return report
