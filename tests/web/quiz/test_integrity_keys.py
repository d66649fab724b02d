"""Issue 10, quiz points 1, 2 and 5: keys only after every answer is in, exposure of published
questions, and which attempt's prediction counts."""
# ruff: noqa: F811 - the fixtures imported from quizkit are parameters of the tests

from __future__ import annotations

import html
import re
from datetime import timedelta

from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from contest.audit import AuditEvent
from contest.extensions import db
from contest.quiz import disclosure
from contest.quiz.models import Attempt, AttemptStatus, QuestionExposure, Result, Round
from contest.timeutil import to_local
from tests.web.quiz.quizkit import (  # noqa: F401
    attempt_of,
    bank,
    key_positions,
    locale_per_request,
    make_round,
    paper_form,
    wrong_positions,
)


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def words(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page(response)).split())


def start(client, rnd: Round) -> Attempt:
    response = client.post(f"/quiz/rounds/{rnd.id}/start")
    assert response.status_code == 302, page(response)[:2000]
    return attempt_of(client.user.id)


def submit(client, att: Attempt, answers, prediction: str | None = None):
    return client.post(f"/quiz/attempts/{att.id}/submit",
                       data=MultiDict(paper_form(answers, prediction)))


# ------------------------------------------------------------------------------ point 1


def test_keys_stay_hidden_while_a_second_attempt_can_still_be_submitted(login_as, bank, clock):
    rnd = make_round(bank, closes_at=clock.now + timedelta(hours=1), attempts_allowed=2,
                     prediction_enabled=False)
    cheat = login_as(locale="en")
    first = start(cheat, rnd)
    submit(cheat, first, wrong_positions(first))
    clock.advance(minutes=55)
    second = start(cheat, rnd)  # still open at the close
    reader = login_as(locale="en")
    done = start(reader, rnd)
    submit(reader, done, wrong_positions(done))

    clock.now = rnd.closes_at + timedelta(seconds=1)
    for client in (cheat, reader):
        refused = client.get(f"/quiz/rounds/{rnd.id}/review")
        assert refused.status_code == 403
        assert "once every answer of the round is in" in page(refused)
        assert "See the correct answers" not in page(
            client.get(f"/quiz/attempts/{done.id if client is reader else first.id}/result"))
        assert "See my answers and the correct ones" not in page(
            client.get(f"/quiz/rounds/{rnd.id}"))
    db.session.expire_all()
    assert db.session.get(Attempt, second.id).status == AttemptStatus.OPEN

    # The last answers inside the grace are taken, but were not given away.
    clock.now = rnd.closes_at + timedelta(seconds=1, milliseconds=100)
    submit(cheat, second, key_positions(second))
    clock.now = rnd.closes_at + timedelta(seconds=5)
    assert cheat.get(f"/quiz/rounds/{rnd.id}/review").status_code == 403

    clock.now = rnd.closes_at + timedelta(seconds=11)
    shown = reader.get(f"/quiz/rounds/{rnd.id}/review")
    assert shown.status_code == 200, page(shown)[:2000]
    assert ">correct<" in page(shown)


def test_an_attempt_left_open_past_the_grace_is_scored_before_any_key_is_shown(
        login_as, bank, clock):
    rnd = make_round(bank, closes_at=clock.now + timedelta(hours=1), attempts_allowed=2,
                     prediction_enabled=False)
    idle = login_as(locale="en")
    clock.advance(minutes=58)
    left_open = start(idle, rnd)
    reader = login_as(locale="en")
    done = start(reader, rnd)
    submit(reader, done, wrong_positions(done))

    clock.now = rnd.closes_at + timedelta(seconds=11)
    db.session.expire_all()
    assert not disclosure.keys_released(db.session.get(Round, rnd.id), clock.now)
    assert reader.get(f"/quiz/rounds/{rnd.id}/review").status_code == 200
    db.session.expire_all()
    assert db.session.get(Attempt, left_open.id).status == AttemptStatus.SUBMITTED
    assert "See the correct answers" in page(reader.get(f"/quiz/attempts/{done.id}/result"))


# ------------------------------------------------------------------------------ point 5


def test_the_best_attempts_prediction_counts_and_is_stated(login_as, bank, clock):
    rnd = make_round(bank, closes_at=clock.now + timedelta(hours=1), attempts_allowed=2)
    entrant = login_as(locale="en")
    text = words(entrant.get(f"/quiz/rounds/{rnd.id}"))
    assert "The prediction of your best attempt (the one that counts) is the one ranked" in text
    first = start(entrant, rnd)
    submit(entrant, first, key_positions(first), prediction="7")
    second = start(entrant, rnd)
    submit(entrant, second, wrong_positions(second), prediction="99")
    db.session.expire_all()
    result = db.session.execute(select(Result).where(Result.round_id == rnd.id)).scalar_one()
    assert result.best_attempt_id == first.id and result.prediction == 7
    api = entrant.get(f"/api/rounds/{rnd.id}").get_json()
    assert api["ranking_rule"]["prediction_counted"] == "best_attempt"
    assert "prediction of the entrant's best attempt" in api["ranking_rule"]["text"]


def test_a_prediction_sent_to_a_round_without_the_question_is_refused(login_as, bank, clock):
    rnd = make_round(bank, prediction_enabled=False)
    entrant = login_as(locale="en")
    att = start(entrant, rnd)
    saved = entrant.post(f"/quiz/attempts/{att.id}/answers", json={"prediction": 12})
    assert saved.status_code == 400
    assert "has no prediction question" in saved.get_json()["message"]
    refused = submit(entrant, att, key_positions(att), prediction="12")
    assert refused.status_code == 302
    assert "has no prediction question" in page(entrant.get(refused.headers["Location"]))
    db.session.expire_all()
    again = db.session.get(Attempt, att.id)
    assert again.prediction is None and again.answers == {}
    assert again.status == AttemptStatus.OPEN


# ------------------------------------------------------------------------------ point 2


def round_form(bank, **changes) -> MultiDict:
    data = {
        "title": "Tuần 2", "rules": "", "opens_at": "2030-03-02T10:00",
        "closes_at": "2030-03-09T09:00", "selection": "quota",
        "quotas-0-topic_id": str(bank.law.id), "quotas-0-count": "5",
        "quotas-1-topic_id": str(bank.election.id), "quotas-1-count": "6",
        "fixed_ids": "", "shuffle_questions": "y", "shuffle_options": "y",
        "time_limit_minutes": "15", "attempts_allowed": "1", "multi_scoring": "partial",
        "prediction_enabled": "y", "prediction_text": "", "min_age": "",
        "prizes-0-name": "first", "prizes-0-places": "1",
    }
    data.update(changes)
    return MultiDict({k: v for k, v in data.items() if v is not None})


def _published_week(login_as, bank, clock) -> set[int]:
    """Week 1 (5 law + 3 election questions) taken by one entrant; its review opened."""
    week1 = make_round(bank, closes_at=clock.now + timedelta(hours=1), prediction_enabled=False)
    entrant = login_as(locale="en")
    att = start(entrant, week1)
    submit(entrant, att, key_positions(att))
    clock.now = week1.closes_at + timedelta(seconds=30)
    assert entrant.get(f"/quiz/rounds/{week1.id}/review").status_code == 200
    return {qid for qid, _ in att.draw}


def test_published_keys_expose_questions_and_later_rounds_avoid_them(login_as, bank, clock):
    drawn = _published_week(login_as, bank, clock)
    exposed = set(db.session.execute(select(QuestionExposure.question_id)).scalars())
    assert exposed == drawn and len(exposed) == 8

    organizer = login_as("organizer", locale="en")
    form = page(organizer.get("/organizer/rounds/new"))
    assert "(8 · 5 unexposed)" in form  # Bầu cử: 8 questions, 3 of them drawn in week 1

    refused = organizer.post("/organizer/rounds/new", data=round_form(bank))
    assert refused.status_code == 400
    text = page(refused)
    assert "Topic “Bầu cử”: 6 questions per attempt, but only 5 of its 8 questions" in text
    assert 'id="quota-availability"' in text
    assert db.session.execute(select(func.count()).select_from(Round)).scalar_one() == 1

    # Within the unexposed questions: saved, and no attempt ever draws an exposed question.
    ok = organizer.post("/organizer/rounds/new", data=round_form(
        bank, **{"quotas-1-count": "3"},
        opens_at=to_local(clock.now - timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M"),
        closes_at=to_local(clock.now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")))
    assert ok.status_code == 302, page(ok)[:3000]
    week2 = db.session.execute(select(Round).where(Round.title == "Tuần 2")).scalar_one()
    assert organizer.post(f"/organizer/rounds/{week2.id}/open").status_code == 302
    for _i in range(4):
        taker = login_as(locale="en")
        att = start(taker, week2)
        assert not {qid for qid, _ in att.draw} & exposed


def test_allowing_exposed_questions_is_audited_and_shown_on_the_public_rules(
        login_as, bank, clock):
    _published_week(login_as, bank, clock)
    organizer = login_as("organizer", locale="en")
    saved = organizer.post("/organizer/rounds/new",
                           data=round_form(bank, allow_exposed="y"))
    assert saved.status_code == 302, page(saved)[:3000]
    week2 = db.session.execute(select(Round).where(Round.title == "Tuần 2")).scalar_one()
    assert week2.allow_exposed
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "round.allow_exposed")).scalar_one()
    assert event.subject_id == str(week2.id) and event.details["allowed"] is True
    organizer.post(f"/organizer/rounds/{week2.id}/open")
    public = login_as(locale="en")
    assert "questions whose correct answers were published after earlier rounds" in page(
        public.get(f"/quiz/rounds/{week2.id}"))
    assert public.get(f"/api/rounds/{week2.id}").get_json()["allow_exposed_questions"] is True
