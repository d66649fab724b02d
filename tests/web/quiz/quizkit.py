"""Helpers of the quiz round and attempt tests: a small bank and rounds (the clock to move is the
``clock`` fixture of tests/conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from flask import g
from sqlalchemy import select

from contest import timeutil
from contest.extensions import db
from contest.quiz import rounds
from contest.quiz.models import Attempt, Option, Question, Round, Topic

# The first authored option is the correct one, as in most banks: the page must not reveal it.
SINGLE = [("Đáp án đúng", 1.0), ("Sai một", 0.0), ("Sai hai", 0.0), ("Sai ba", 0.0)]
MULTI = [("Đúng A", 0.5), ("Đúng B", 0.5), ("Sai C", -1.0), ("Sai D", 0.0)]


@pytest.fixture(autouse=True)
def locale_per_request(app):
    """The test app context outlives requests, and Flask-Babel and Flask-Login cache the
    language and the user on it: drop both before each request, so that several clients in one
    test each get their own account and language, as in production."""

    def forget() -> None:
        g.pop("_flask_babel", None)
        g.pop("_login_user", None)

    app.before_request_funcs.setdefault(None, []).insert(0, forget)


def make_topic(name: str, parent: Topic | None = None) -> Topic:
    topic = Topic(name=name, parent=parent)
    db.session.add(topic)
    db.session.flush()
    return topic


def make_question(topic: Topic, kind: str = "single", options=None, text: str | None = None,
                  **fields) -> Question:
    options = options or (MULTI if kind == "multiple" else SINGLE)
    q = Question(topic_id=topic.id, kind=kind, text=text or f"Câu hỏi về {topic.name}?",
                 explanation=fields.pop("explanation", "Giải thích theo Luật."),
                 source=fields.pop("source", "Luật Bình đẳng giới 2006, Điều 11"), **fields)
    q.options = [Option(position=i, text=t, fraction=f) for i, (t, f) in enumerate(options)]
    db.session.add(q)
    db.session.flush()
    return q


@dataclass
class Bank:
    law: Topic
    election: Topic
    sub: Topic  # a sub-topic of ``law``

    def questions(self, topic: Topic) -> list[Question]:
        return list(db.session.execute(
            select(Question).where(Question.topic_id == topic.id)).scalars())


@pytest.fixture
def bank(app) -> Bank:
    """Topics "Luật" (8 questions, plus a sub-topic with 4) and "Bầu cử" (8, two of them
    multiple-answer), all active."""
    law = make_topic("Luật")
    sub = make_topic("Điều 11", law)
    election = make_topic("Bầu cử")
    for i in range(8):
        make_question(law, text=f"Luật câu {i}?")
    for i in range(4):
        make_question(sub, text=f"Điều 11 câu {i}?")
    for i in range(6):
        make_question(election, text=f"Bầu cử câu {i}?")
    for i in range(2):
        make_question(election, kind="multiple", text=f"Bầu cử nhiều đáp án {i}?")
    db.session.commit()
    return Bank(law=law, election=election, sub=sub)


def make_round(bank: Bank, now: datetime | None = None, open_: bool = True,
               **overrides) -> Round:
    """A round opened an hour ago, closing in a week: 5 questions of "Luật" (with its
    sub-topic) and 3 of "Bầu cử", 20 minutes, one attempt, prediction on."""
    now = now or timeutil.utcnow()
    values = dict(
        title="Tuần thử nghiệm", opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7), quotas={bank.law.id: 5, bank.election.id: 3},
        time_limit_seconds=20 * 60, attempts_allowed=1,
    )
    values.update(overrides)
    rnd = rounds.create_round(rounds.RoundRules(**values))
    if open_:
        rounds.open_round(rnd, now)
    db.session.commit()
    return rnd


def attempt_of(user_id: int) -> Attempt:
    db.session.expire_all()
    return db.session.execute(
        select(Attempt).where(Attempt.user_id == user_id).order_by(Attempt.id.desc()).limit(1)
    ).scalar_one()


def key_positions(attempt: Attempt) -> dict[int, list[int]]:
    """The correct positions of each question of the attempt, as the form posts them."""
    key = {}
    for qid, shown in attempt.draw:
        fractions = {o.id: o.fraction for o in db.session.get(Question, qid).options}
        key[qid] = [pos for pos, oid in enumerate(shown) if fractions[oid] > 0]
    return key


def wrong_positions(attempt: Attempt) -> dict[int, list[int]]:
    wrong = {}
    for qid, shown in attempt.draw:
        fractions = {o.id: o.fraction for o in db.session.get(Question, qid).options}
        wrong[qid] = [next(pos for pos, oid in enumerate(shown) if fractions[oid] <= 0)]
    return wrong


def paper_form(answers: dict[int, list[int]], prediction: str | None = None,
               **extra: str) -> list[tuple[str, str]]:
    """The body a browser posts for a page showing ``answers``' questions."""
    body: list[tuple[str, str]] = []
    for qid, positions in answers.items():
        body.append(("shown", str(qid)))
        body.extend((f"q{qid}", str(p)) for p in positions)
    if prediction is not None:
        body.append(("prediction", prediction))
    body.extend(extra.items())
    return body
