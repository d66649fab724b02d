"""One clock for the whole quiz: the ``clock`` fixture moves every quiz time (that no module reads
the time at import or from the system clock is checked by tests/unit/test_clock_reads.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from contest import timeutil
from contest.extensions import db
from contest.quiz import rounds
from contest.quiz.models import Option, Question
from tests.web.quiz.quizkit import make_topic


def test_a_replaced_clock_dates_rows_and_decides_phases(app, clock):
    fixed = clock.set(datetime(2031, 5, 4, 3, 2, 1, tzinfo=UTC))
    topic = make_topic("Luật Bầu cử")
    question = Question(topic_id=topic.id, kind="single", text="Tuổi ứng cử tối thiểu?")
    question.options = [Option(position=0, text="21", fraction=1.0),
                        Option(position=1, text="18", fraction=0.0)]
    db.session.add(question)
    rnd = rounds.create_round(rounds.RoundRules(
        title="Tuần 9", opens_at=fixed - timedelta(hours=1), closes_at=fixed + timedelta(days=1),
        quotas={topic.id: 1}))
    db.session.commit()
    db.session.refresh(question)
    db.session.refresh(rnd)
    assert question.created_at == fixed and question.updated_at == fixed
    assert rnd.created_at == fixed
    rounds.open_round(rnd, timeutil.utcnow())
    assert rounds.phase(rnd, timeutil.utcnow()) == rounds.Phase.RUNNING
