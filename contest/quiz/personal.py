"""What the quizzes hold about one person, for their own-data download."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from contest.extensions import db
from contest.quiz.models import Attempt, Result, Round


def export_for(user: Any) -> dict[str, Any]:
    """Every attempt and round standing of ``user``, in plain JSON values."""
    attempts = db.session.execute(
        select(Attempt, Round.title)
        .join(Round, Round.id == Attempt.round_id)
        .where(Attempt.user_id == user.id)
        .order_by(Attempt.round_id, Attempt.number)
    ).all()
    results = db.session.execute(
        select(Result, Round.title)
        .join(Round, Round.id == Result.round_id)
        .where(Result.user_id == user.id)
        .order_by(Result.round_id)
    ).all()
    return {
        "quiz_attempts": [
            {
                "round": title,
                "number": a.number,
                "status": a.status,
                "started_at": a.started_at.isoformat(),
                "submitted_at": a.submitted_at.isoformat() if a.submitted_at else None,
                "score": a.score,
                "max_score": a.max_score,
                "time_ms": a.time_ms,
                "prediction": a.prediction,
                "answers": a.answers,
            }
            for a, title in attempts
        ],
        "quiz_results": [
            {
                "round": title,
                "score": r.score,
                "max_score": r.max_score,
                "time_ms": r.time_ms,
                "final_rank": r.final_rank,
                "prize": r.prize,
                "excluded": r.excluded,
                "exclusion_reason": r.exclusion_reason,
            }
            for r, title in results
        ],
    }
