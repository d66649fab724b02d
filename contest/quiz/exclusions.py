"""Excluding entrants from the final ranking of a round, and reinstating them.

Excluded entrants (several accounts, false details) are taken out of the final ranking: they get
no rank and no prize, are not counted in C (the number of perfect entrants, which every
prediction is measured against) and do not count for their unit; the others are re-ranked. This
is the rule published with the results (:mod:`contest.quiz.ranking`). Organizers still see them
with the reason (:func:`contest.quiz.review.excluded_rows`), and so does the entrant.

Before an exclusion or a reinstatement is confirmed, :func:`preview` shows its consequences: C
before and after, and every prize that would change hands (worked out by doing the change inside
a savepoint and rolling it back). Both need a reason, and each change is recorded in the audit
trail with it. Functions add and flush; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from contest import audit
from contest.accounts.models import User
from contest.extensions import db
from contest.problems import Problem
from contest.quiz.finalise import FinaliseReport, ResultsError, editable_round, rerank
from contest.quiz.models import Result
from contest.quiz.prizes import ConflictView, decided_ties


@dataclass(frozen=True)
class PrizeChange:
    """An entrant whose prize would change (``None``: no prize; ``"?"``: a tie to decide)."""

    user_id: int
    full_name: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class ExclusionPreview:
    """The consequences of excluding (or reinstating) one entrant, before it is done."""

    user_id: int
    full_name: str
    score: float
    max_score: float
    reinstate: bool
    perfect_before: int | None
    perfect_after: int | None
    changes: list[PrizeChange]
    dropped: list[ConflictView]  # tie decisions that the new ranking drops


def _prizes(round_id: int) -> dict[int, str]:
    return dict(db.session.execute(
        select(Result.user_id, Result.prize)
        .where(Result.round_id == round_id, Result.prize.is_not(None))
    ).all())


def preview(round_id: int, user_id: int, now: datetime, *, reinstate: bool = False,
            ) -> ExclusionPreview:
    """What excluding (or reinstating) ``user_id`` would change; nothing is kept."""
    rnd = editable_round(round_id, now)
    mine = _result_of(round_id, user_id)
    if mine is None:
        raise ResultsError(Problem("no_result"))
    if reinstate and not mine.excluded:
        raise ResultsError(Problem("not_excluded"))
    if not reinstate and mine.excluded:
        raise ResultsError(Problem("already_excluded"))
    person = db.session.get(User, user_id)
    name = person.full_name if person else f"#{user_id}"
    score, max_score = mine.score, mine.max_score
    perfect_before = rnd.perfect_count
    before = _prizes(round_id)
    dropped = decided_ties(rnd)
    savepoint = db.session.begin_nested()
    try:
        mine.excluded = not reinstate
        db.session.flush()
        report = rerank(rnd, now)
        after = _prizes(round_id)
    finally:
        savepoint.rollback()
    db.session.expire_all()
    names = dict(db.session.execute(
        select(User.id, User.full_name).where(User.id.in_(set(before) | set(after)))
    ).all()) if before or after else {}
    changes = [
        PrizeChange(uid, names.get(uid, f"#{uid}"), before.get(uid), after.get(uid))
        for uid in sorted(set(before) | set(after))
        if before.get(uid) != after.get(uid)
    ]
    return ExclusionPreview(user_id, name, score, max_score, reinstate, perfect_before,
                            report.perfect_count, changes, dropped)


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
    if mine.excluded:
        raise ResultsError(Problem("already_excluded"))
    perfect_before = rnd.perfect_count
    mine.excluded = True
    mine.exclusion_reason = reason[:500]
    db.session.flush()
    score = mine.score
    report = rerank(rnd, now)
    audit.record(actor_id, "results.exclude", "quiz_round", round_id, reason[:500],
                 user_id=user_id, score=score, perfect_before=perfect_before,
                 perfect_after=report.perfect_count)
    return report


def reinstate(round_id: int, user_id: int, actor_id: int | None, now: datetime,
              note: str = "") -> FinaliseReport:
    """Undo an exclusion and re-rank; ``note`` is the reason, required. The caller commits."""
    note = (note or "").strip()
    if not note:
        raise ResultsError(Problem("reinstate_reason_required", "reason"))
    rnd = editable_round(round_id, now)
    mine = _result_of(round_id, user_id)
    if mine is None:
        raise ResultsError(Problem("no_result"))
    if not mine.excluded:
        raise ResultsError(Problem("not_excluded"))
    perfect_before = rnd.perfect_count
    mine.excluded = False
    mine.exclusion_reason = ""
    db.session.flush()
    report = rerank(rnd, now)
    audit.record(actor_id, "results.reinstate", "quiz_round", round_id, note[:500],
                 user_id=user_id, perfect_before=perfect_before,
                 perfect_after=report.perfect_count)
    return report
