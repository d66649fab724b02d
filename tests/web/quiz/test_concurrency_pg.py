"""Concurrent saves, submits and starts on PostgreSQL: row locks must keep every answer and
score each attempt once. SQLite serialises whole transactions, so these tests need PostgreSQL."""
# ruff: noqa: F811 - the fixtures imported from quizkit are parameters of the tests

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from contest import timeutil
from contest.accounts.models import User
from contest.extensions import db
from contest.quiz import attempts
from contest.quiz.models import Attempt, AttemptStatus, Result, Round
from tests.concurrency import together
from tests.web.quiz.quizkit import (  # noqa: F401
    bank,
    key_positions,
    make_round,
    wrong_positions,
)

# Each job keeps its transaction open until the other is blocked on its row lock (hold=True).
pytestmark = pytest.mark.postgres_only


def started(user: User, rnd: Round) -> Attempt:
    attempt = attempts.start_attempt(rnd, user, timeutil.utcnow())
    db.session.commit()
    return attempt


def test_two_submits_of_one_attempt_score_it_once(app, bank, clock, make_user):
    rnd = make_round(bank, prediction_enabled=False)
    user = make_user()
    att = started(user, rnd)
    key, attempt_id = key_positions(att), att.id

    def submit() -> attempts.SubmitOutcome:
        return attempts.submit(db.session.get(Attempt, attempt_id), clock.now, key)

    first, second = together(app, submit, submit, hold=True)
    assert sorted([first.already, second.already]) == [False, True]
    att = db.session.get(Attempt, attempt_id)
    assert att.status == AttemptStatus.SUBMITTED and att.score == 8
    [result] = db.session.execute(select(Result)).scalars().all()
    assert result.attempts_count == 1 and result.best_attempt_id == att.id


def test_two_saves_at_once_lose_nothing(app, bank, clock, make_user):
    rnd = make_round(bank)
    user = make_user()
    att = started(user, rnd)
    (q1, s1), (q2, s2) = att.draw[:2]
    attempt_id = att.id

    def save(question: int, position: int) -> Callable[[], Attempt]:
        return lambda: attempts.save_answers(db.session.get(Attempt, attempt_id),
                                             {question: [position]}, clock.now)

    together(app, save(q1, 2), save(q2, 3), hold=True)
    assert db.session.get(Attempt, attempt_id).answers == {str(q1): [s1[2]], str(q2): [s2[3]]}


def test_two_attempts_of_one_entrant_submitted_at_once_keep_one_result(
        app, bank, clock, make_user):
    rnd = make_round(bank, attempts_allowed=2, prediction_enabled=False)
    user = make_user()
    first = started(user, rnd)
    # A second open attempt of the same entrant (the service keeps one open at a time; this
    # is the worst case for the result row).
    second = Attempt(round_id=rnd.id, user_id=user.id, number=2, status=AttemptStatus.OPEN,
                     started_at=first.started_at, deadline_at=first.deadline_at,
                     draw=first.draw, answers={})
    db.session.add(second)
    db.session.commit()
    right, wrong = key_positions(first), wrong_positions(first)
    first_id, second_id = first.id, second.id

    def submit(attempt_id: int, answers: dict) -> Callable[[], attempts.SubmitOutcome]:
        return lambda: attempts.submit(db.session.get(Attempt, attempt_id), clock.now, answers)

    together(app, submit(first_id, wrong), submit(second_id, right), hold=True)
    [result] = db.session.execute(select(Result)).scalars().all()
    assert result.attempts_count == 2
    assert result.best_attempt_id == second_id and result.score == 8 and result.perfect


def test_two_starts_at_once_make_one_attempt(app, bank, clock, make_user):
    round_id = make_round(bank, attempts_allowed=3).id
    user_id = make_user().id  # plain ids: each thread loads its own objects

    def start() -> int:
        return attempts.start_attempt(db.session.get(Round, round_id),
                                      db.session.get(User, user_id), clock.now).id

    first, second = together(app, start, start, hold=True)
    assert first == second
    assert db.session.execute(select(func.count()).select_from(Attempt)).scalar_one() == 1
