"""Server-side timing of attempts: deadline, grace, the round's close, overdue attempts."""
# ruff: noqa: F811 - the fixtures imported from quizkit are parameters of the tests

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from contest.extensions import db
from contest.quiz import attempts, rounds
from contest.quiz.models import Attempt, Result
from tests.web.quiz.quizkit import (  # noqa: F401
    attempt_of,
    bank,
    key_positions,
    locale_per_request,
    make_round,
    paper_form,
)

GRACE = 10


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def entrant(login_as):
    return login_as(locale="en")


def start(client, rnd) -> Attempt:
    response = client.post(f"/quiz/rounds/{rnd.id}/start")
    assert response.status_code == 302, page(response)[:2000]
    return attempt_of(client.user.id)


def test_grace_setting_has_a_default(app):
    assert app.config["QUIZ_GRACE_SECONDS"] == GRACE


def test_the_deadline_is_start_plus_limit_never_after_the_close(entrant, login_as, bank, clock):
    rnd = make_round(bank, closes_at=clock.now + timedelta(minutes=30))
    att = start(entrant, rnd)
    assert att.deadline_at == clock.now + timedelta(minutes=20)
    clock.advance(minutes=20)
    late_starter = login_as(locale="en")
    att2 = start(late_starter, rnd)
    assert att2.deadline_at == rnd.closes_at  # ten minutes left in the round, not twenty
    text = page(late_starter.get(f"/quiz/attempts/{att2.id}"))
    assert 'data-seconds-left="600"' in text and "10:00" in text


def test_answers_within_the_grace_count_and_later_ones_are_refused(entrant, bank, clock):
    rnd = make_round(bank, prediction_enabled=False)
    att = start(entrant, rnd)
    (q1, s1), (q2, _s2), (q3, _s3) = att.draw[:3]
    url = f"/quiz/attempts/{att.id}/answers"
    clock.advance(minutes=20, seconds=GRACE)  # exactly at deadline + grace: still accepted
    ok = entrant.post(url, json={"question": q1, "choices": [1]})
    assert ok.status_code == 200 and ok.get_json()["seconds_left"] == 0
    clock.advance(seconds=1)
    late = entrant.post(url, json={"question": q2, "choices": [1]})
    assert late.status_code == 409
    assert late.get_json()["error"] == "too_late"
    assert late.get_json()["redirect"].endswith(f"/quiz/attempts/{att.id}/result")
    form_late = entrant.post(f"/quiz/attempts/{att.id}",
                             data=MultiDict(paper_form({q3: [0]})), follow_redirects=True)
    assert "answers sent after the time limit were not accepted" in page(form_late)
    att = attempt_of(entrant.user.id)
    # The page read settled it on what was saved in time.
    assert att.status == "submitted" and att.auto_submitted
    assert att.answers == {str(q1): [s1[1]]}
    assert att.submitted_at == att.deadline_at
    assert att.time_ms == 20 * 60 * 1000


def test_a_submit_within_the_grace_is_taken_without_a_prediction(entrant, bank, clock):
    rnd = make_round(bank)
    att = start(entrant, rnd)
    key = key_positions(att)
    clock.advance(minutes=20, seconds=4)
    response = entrant.post(f"/quiz/attempts/{att.id}/submit", data=MultiDict(paper_form(key)))
    assert response.headers["Location"].endswith("/result")
    att = attempt_of(entrant.user.id)
    assert att.score == 8 and att.prediction is None and not att.auto_submitted
    assert att.time_ms == 20 * 60 * 1000  # capped at the deadline
    assert att.submitted_at == clock.now
    [result] = db.session.execute(select(Result)).scalars()
    assert result.prediction is None


def test_a_submit_after_the_grace_is_scored_on_the_saved_answers(entrant, bank, clock):
    rnd = make_round(bank)
    att = start(entrant, rnd)
    key = key_positions(att)
    saved = dict(list(key.items())[:2])
    entrant.post(f"/quiz/attempts/{att.id}", data=MultiDict(paper_form(saved, prediction="4")))
    clock.advance(minutes=25)
    response = entrant.post(f"/quiz/attempts/{att.id}/submit",
                            data=MultiDict(paper_form(key, prediction="99")),
                            follow_redirects=True)
    assert "answers sent after the time limit were not accepted" in page(response)
    att = attempt_of(entrant.user.id)
    assert att.score == 2 and att.prediction == 4 and att.auto_submitted
    assert att.submitted_at == att.deadline_at


def test_closing_the_round_by_hand_cuts_attempts_under_way(entrant, login_as, bank, clock):
    rnd = make_round(bank, prediction_enabled=False)
    att = start(entrant, rnd)
    q1 = att.draw[0][0]
    clock.advance(minutes=5)
    organizer = login_as("organizer")
    organizer.post(f"/organizer/rounds/{rnd.id}/close", data={"confirmed": "1"})
    att = attempt_of(entrant.user.id)
    assert attempts.effective_deadline(att) == clock.now
    clock.advance(seconds=GRACE + 1)
    late = entrant.post(f"/quiz/attempts/{att.id}/answers", json={"question": q1, "choices": [0]})
    assert late.status_code == 409
    assert entrant.get(f"/quiz/attempts/{att.id}").headers["Location"].endswith("/result")
    att = attempt_of(entrant.user.id)
    assert att.status == "submitted" and att.time_ms == 5 * 60 * 1000


def test_the_round_closing_on_the_clock_during_an_attempt(entrant, bank, clock):
    rnd = make_round(bank, closes_at=clock.now + timedelta(minutes=8), prediction_enabled=False)
    att = start(entrant, rnd)
    assert att.deadline_at == rnd.closes_at
    clock.advance(minutes=8, seconds=5)
    assert rounds.phase(rnd, clock.now) == rounds.Phase.CLOSED
    key = key_positions(att)
    entrant.post(f"/quiz/attempts/{att.id}/submit", data=MultiDict(paper_form(key)))
    att = attempt_of(entrant.user.id)
    assert att.score == 8 and att.time_ms == 8 * 60 * 1000


def test_extending_the_round_keeps_the_deadline_of_attempts_under_way(entrant, bank, clock):
    rnd = make_round(bank, closes_at=clock.now + timedelta(minutes=10))
    att = start(entrant, rnd)
    rounds.extend_round(rnd, clock.now + timedelta(days=1), clock.now)
    db.session.commit()
    att = attempt_of(entrant.user.id)
    assert attempts.effective_deadline(att) == clock.now + timedelta(minutes=10)


def test_an_attempt_left_open_is_scored_on_the_next_read(entrant, bank, clock):
    rnd = make_round(bank)
    att = start(entrant, rnd)
    key = key_positions(att)
    entrant.post(f"/quiz/attempts/{att.id}", data=MultiDict(paper_form(key)))
    clock.advance(hours=2)
    response = entrant.get(f"/quiz/rounds/{rnd.id}")
    assert "Your best score: 8 / 8" in page(response)
    att = attempt_of(entrant.user.id)
    assert att.status == "submitted" and att.auto_submitted and att.prediction is None
    assert att.score == 8 and att.submitted_at == att.deadline_at


def test_starting_is_refused_outside_the_round(entrant, bank, clock):
    upcoming = make_round(bank, opens_at=clock.now + timedelta(hours=1),
                          closes_at=clock.now + timedelta(days=1))
    response = entrant.post(f"/quiz/rounds/{upcoming.id}/start", follow_redirects=True)
    assert response.request.path == f"/quiz/rounds/{upcoming.id}"
    assert "This round has not opened yet." in page(response)
    clock.advance(days=2)
    response = entrant.post(f"/quiz/rounds/{upcoming.id}/start", follow_redirects=True)
    assert "This round is closed: no more attempts can be started." in page(response)


def test_close_overdue_command(app, login_as, bank, clock):
    rnd = make_round(bank)
    other = make_round(bank, title="Vòng khác")
    slow, fast, elsewhere = login_as(), login_as(), login_as()
    start(slow, rnd)
    clock.advance(minutes=15)
    start(fast, rnd)
    start(elsewhere, other)
    clock.advance(minutes=5, seconds=GRACE + 1)  # slow is overdue, fast and elsewhere are not
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["quiz", "close-overdue"])
    assert result.exit_code == 0, result.output
    assert "1 overdue attempt(s) scored" in result.output
    assert attempt_of(slow.user.id).status == "submitted"
    assert attempt_of(fast.user.id).status == "open"
    clock.advance(minutes=20)
    assert attempts.close_overdue(clock.now, rnd.id) == 1
    db.session.commit()
    assert attempt_of(elsewhere.user.id).status == "open"
    result = runner.invoke(args=["quiz", "close-overdue", "--round", str(other.id)])
    assert "1 overdue attempt(s) scored" in result.output
    assert attempt_of(elsewhere.user.id).status == "submitted"
    assert len(db.session.execute(select(Result)).scalars().all()) == 3
