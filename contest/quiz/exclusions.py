"""Excluding entrants from the final ranking of a round, and reinstating them.

Excluded entrants (several accounts, false details) are taken out of the final ranking: they get
no rank and no prize, are not counted in C (the number of perfect entrants) and do not count for
their unit; the others are re-ranked. Organizers still see them with the reason
(:func:`contest.quiz.review.excluded_rows`), and so does the entrant. Each change is recorded
in the audit trail. Functions add and flush; the caller commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from contest import audit
from contest.extensions import db
from contest.problems import Problem
from contest.quiz.finalise import FinaliseReport, ResultsError, editable_round, rerank
from contest.quiz.models import Result


def _result_of(round_id: int, user_id: int) -> Result | None:
    return db.session.execute(
        select(Result).where(Result.round_id == round_id, Result.user_id == user_id)
    ).scalar_one_or_none()


def exclude(round_id: int, user_id: int, reason: str, actor_id: int | None,
            now: datetime) -> FinaliseReport:
    """Exclude an entrant from the ranking with a reason, then re-rank. The caller commits."""
    reason = (reason or "").strip()
    if not reason:
        raise ResultsError(Problem("reason_required", "reason"))
    rnd = editable_round(round_id, now)
    mine = _result_of(round_id, user_id)
    if mine is None:
        raise ResultsError(Problem("no_result"))
    mine.excluded = True
    mine.exclusion_reason = reason[:500]
    db.session.flush()
    audit.record(actor_id, "results.exclude", "quiz_round", round_id, reason[:500],
                 user_id=user_id, score=mine.score)
    return rerank(rnd, now)


def reinstate(round_id: int, user_id: int, actor_id: int | None, now: datetime,
              note: str = "") -> FinaliseReport:
    """Undo an exclusion and re-rank. The caller commits."""
    rnd = editable_round(round_id, now)
    mine = _result_of(round_id, user_id)
    if mine is None:
        raise ResultsError(Problem("no_result"))
    if not mine.excluded:
        raise ResultsError(Problem("not_excluded"))
    mine.excluded = False
    mine.exclusion_reason = ""
    db.session.flush()
    audit.record(actor_id, "results.reinstate", "quiz_round", round_id, note[:500],
                 user_id=user_id)
    return rerank(rnd, now)
