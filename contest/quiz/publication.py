"""Publishing the results and prizes of a round (recorded in the audit trail)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from contest import audit
from contest.extensions import db
from contest.problems import Problem
from contest.quiz.board import PRIZE_UNDECIDED
from contest.quiz.finalise import ResultsError, editable_round
from contest.quiz.models import Result, Round, RoundStatus


def publish(round_id: int, actor_id: int | None, now: datetime) -> Round:
    """Make the results and prizes public. Refused while a tie decision is open."""
    rnd = editable_round(round_id, now)
    undecided = db.session.execute(
        select(func.count())
        .select_from(Result)
        .where(Result.round_id == round_id, Result.prize == PRIZE_UNDECIDED)
    ).scalar_one()
    if undecided:
        raise ResultsError(Problem("undecided"))
    rnd.status = RoundStatus.PUBLISHED
    rnd.published_at = now
    audit.record(actor_id, "results.publish", "quiz_round", round_id,
                 perfect_count=rnd.perfect_count, finalized_at=rnd.finalized_at.isoformat())
    db.session.flush()
    return rnd
