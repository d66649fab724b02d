"""Publishing the results and prizes of a round (recorded in the audit trail)."""

from __future__ import annotations

from datetime import datetime

from contest import audit
from contest.extensions import db
from contest.quiz.finalise import ResultsError, editable_round
from contest.quiz.models import Round, RoundStatus
from contest.quiz.prizes import added_places, publication_problems


def publish(round_id: int, actor_id: int | None, now: datetime) -> Round:
    """Make the results and prizes public. Refused while a tie across a prize boundary is
    undecided or a tier holds more winners than its places (``undecided``,
    ``tier_overfilled``; :mod:`contest.quiz.prizes`)."""
    rnd = editable_round(round_id, now)
    problems = publication_problems(rnd)
    if problems:
        raise ResultsError(*problems)
    rnd.status = RoundStatus.PUBLISHED
    rnd.published_at = now
    audit.record(actor_id, "results.publish", "quiz_round", round_id,
                 perfect_count=rnd.perfect_count, finalized_at=rnd.finalized_at.isoformat(),
                 added_places=added_places(rnd))
    db.session.flush()
    return rnd
