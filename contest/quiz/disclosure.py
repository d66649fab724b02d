"""When a round's correct answers may be shown, and which questions that exposes.

Keys rule. Answers are accepted until an attempt's deadline plus the submission grace, and a
round with several attempts may still have one under way at its close. The correct answers
(the entrant's review), and anything derived from them, are therefore shown only when no attempt
of the round can still change: the round is closed, it has been ranked (:mod:`finalise` ranks a
round only after its close plus the grace, once it has scored every attempt left open) and no
attempt of the round is still open. :func:`keys_released` is that one test.

Exposure. Once a round's keys are shown, its questions are known to the public. The ranking
that releases the keys also records, per question, which round published it
(:class:`~contest.quiz.models.QuestionExposure`); later rounds draw only unexposed questions
unless their organizer explicitly allows exposed ones (``Round.allow_exposed``, recorded in the
audit trail and shown on the round's public rules). Functions add and flush; the caller commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, select

from contest.extensions import db
from contest.quiz.models import (
    Attempt,
    AttemptStatus,
    Question,
    QuestionExposure,
    Round,
    RoundStatus,
)

CHUNK = 2000


def open_attempts(round_id: int) -> int:
    """How many attempts of the round are still open (not yet scored)."""
    return db.session.execute(
        select(func.count()).select_from(Attempt)
        .where(Attempt.round_id == round_id, Attempt.status == AttemptStatus.OPEN)
    ).scalar_one()


def keys_released(rnd: Round, now: datetime) -> bool:
    """Whether the correct answers of ``rnd`` may be shown at ``now`` (see the module rule)."""
    closed = rnd.status == RoundStatus.PUBLISHED or (
        rnd.status != RoundStatus.DRAFT and (rnd.status == RoundStatus.CLOSED
                                             or now >= rnd.closes_at))
    if not closed or rnd.finalized_at is None:
        return False
    return open_attempts(rnd.id) == 0


def exposed_ids() -> Select[tuple[int]]:
    """A query of the ids of every question some round has published the key of."""
    return select(QuestionExposure.question_id).distinct()


def drawn_question_ids(rnd: Round) -> set[int]:
    """Every question some attempt of ``rnd`` drew (read in chunks of attempts)."""
    if rnd.selection == "fixed":
        return {q.question_id for q in rnd.fixed_questions}
    found: set[int] = set()
    last = 0
    while True:
        rows = db.session.execute(
            select(Attempt.id, Attempt.draw).where(Attempt.round_id == rnd.id, Attempt.id > last)
            .order_by(Attempt.id).limit(CHUNK)
        ).all()
        if not rows:
            return found
        for attempt_id, drawn in rows:
            found.update(int(item[0]) for item in drawn or [])
            last = attempt_id


def record_exposure(rnd: Round, now: datetime) -> int:
    """Record that ``rnd`` published the keys of the questions its attempts drew.

    Idempotent (a re-ranking adds only what is missing). Returns how many were added.
    """
    drawn = drawn_question_ids(rnd)
    if not drawn:
        return 0
    known = set(db.session.execute(
        select(QuestionExposure.question_id).where(QuestionExposure.round_id == rnd.id)
    ).scalars())
    live = set(db.session.execute(
        select(Question.id).where(Question.id.in_(drawn - known))
    ).scalars()) if drawn - known else set()
    for question_id in sorted(live):
        db.session.add(QuestionExposure(question_id=question_id, round_id=rnd.id,
                                        exposed_at=now))
    db.session.flush()
    return len(live)


def exposed_among(question_ids: list[int] | set[int]) -> set[int]:
    """Which of ``question_ids`` are exposed."""
    ids = set(question_ids)
    if not ids:
        return set()
    return set(db.session.execute(
        select(QuestionExposure.question_id).where(QuestionExposure.question_id.in_(ids))
    ).scalars())
