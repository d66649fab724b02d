"""Irreversible or disruptive actions ask first, without JavaScript: closing a running quiz
round early (saying how many attempts are in progress), opening one early, closing a writing
contest before its deadline, publishing a writing contest's results (tick a statement) and
publishing a judging round (type its name). Each confirmation page says what happens and that
it cannot be undone; until confirmed nothing changes."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest

from contest.accounts.models import Role
from contest.extensions import db
from contest.judging import awards, lifecycle
from contest.judging.models import JudgingRound, JudgingRoundStatus
from contest.quiz.models import Round, RoundStatus
from contest.timeutil import utcnow
from contest.writing.models import ContestStatus, WritingContest
from tests.conftest import login
from tests.web.judging.judgekit import Final, now
from tests.web.quiz.quizkit import bank, make_round  # noqa: F401 - bank is a fixture
from tests.web.writing.organizer_kit import make_contest


def page(response) -> str:  # noqa: ANN001
    body = html.unescape(response.get_data(as_text=True))
    return body[body.find("<main"):body.find("</main>")]


@pytest.fixture
def organizer(app, make_user):  # noqa: ANN001, ANN201
    c = app.test_client()
    login(c, make_user(Role.ORGANIZER))
    c.set_cookie("lang", "en")
    return c


def _reload(model, key):  # noqa: ANN001, ANN202
    db.session.expire_all()
    return db.session.get(model, key)


def test_closing_a_running_round_says_how_many_attempts_end(app, organizer, login_as, bank):  # noqa: F811
    rnd = make_round(bank, title="Tuần 3")
    for _ in range(2):
        assert login_as().post(f"/quiz/rounds/{rnd.id}/start").status_code == 302
    r = organizer.post(f"/organizer/rounds/{rnd.id}/close")
    assert r.status_code == 200
    text = page(r)
    assert "Close “Tuần 3” now?" in text
    assert "2 attempts are in progress: they end now" in text
    assert "It cannot be undone" in text
    assert 'name="confirmed" value="1"' in text and "<script" not in text
    assert _reload(Round, rnd.id).status == RoundStatus.OPEN
    r = organizer.post(f"/organizer/rounds/{rnd.id}/close", data={"confirmed": "1"})
    assert r.status_code == 302
    assert _reload(Round, rnd.id).status == RoundStatus.CLOSED


def test_the_close_confirmation_reads_in_vietnamese(app, make_user, login_as, bank):  # noqa: F811
    rnd = make_round(bank, title="Tuần 3")
    login_as().post(f"/quiz/rounds/{rnd.id}/start")
    c = app.test_client()
    login(c, make_user(Role.ORGANIZER))
    text = page(c.post(f"/organizer/rounds/{rnd.id}/close"))
    assert "1 lượt thi đang làm" in text and "Không thể hoàn tác" in text


def test_opening_early_asks_first(organizer, bank):  # noqa: F811
    later = utcnow() + timedelta(days=2)
    rnd = make_round(bank, open_=False, opens_at=later, closes_at=later + timedelta(days=7))
    organizer.post(f"/organizer/rounds/{rnd.id}/open")  # at the set time: no question
    assert _reload(Round, rnd.id).opens_at == later
    text = page(organizer.post(f"/organizer/rounds/{rnd.id}/open", data={"early": "1"}))
    assert "Open “Tuần thử nghiệm” now?" in text and "It cannot be undone" in text
    assert 'name="early" value="1"' in text
    assert _reload(Round, rnd.id).opens_at == later
    organizer.post(f"/organizer/rounds/{rnd.id}/open", data={"early": "1", "confirmed": "1"})
    assert _reload(Round, rnd.id).opens_at < later


def test_closing_a_writing_contest_early_asks_first(organizer):
    contest = make_contest(status="open")
    url = f"/organizer/writing/{contest.id}/status"
    r = organizer.post(url, data={"to": "close"})
    assert r.status_code == 200
    text = page(r)
    assert "before its deadline?" in text and "It cannot be undone" in text
    assert _reload(WritingContest, contest.id).status == ContestStatus.OPEN
    organizer.post(url, data={"to": "close", "confirmed": "1"})
    assert _reload(WritingContest, contest.id).status == ContestStatus.CLOSED


def test_publishing_writing_results_needs_the_statement_ticked(organizer):
    contest = make_contest(status="judging")
    url = f"/organizer/writing/{contest.id}/status"
    text = page(organizer.post(url, data={"to": "publish"}))
    assert "I have checked the prizes of every category and they are final." in text
    r = organizer.post(url, data={"to": "publish", "confirmed": "1"})
    assert r.status_code == 400 and "Tick the statement to confirm." in page(r)
    assert _reload(WritingContest, contest.id).status == ContestStatus.JUDGING
    organizer.post(url, data={"to": "publish", "confirmed": "1", "understood": "1"})
    assert _reload(WritingContest, contest.id).status == ContestStatus.PUBLISHED


def test_publishing_a_judging_round_needs_its_name_typed(app, make_user):
    f = Final(app, make_user)
    lifecycle.close_round(f.rnd, f.s.organizer.id, now())
    awards.propose_prizes(f.rnd, f.s.organizer)
    db.session.commit()
    c = app.test_client()
    login(c, f.s.organizer)
    c.set_cookie("lang", "en")
    url = f"/organizer/judging/rounds/{f.rnd.id}/publish"
    text = page(c.post(url))
    assert "Publish “Chung khảo”?" in text and "To confirm, type the name: Chung khảo" in text
    assert "4 prizes are announced on the contest's public results page" in text
    assert "It cannot be undone" in text
    r = c.post(url, data={"confirmed": "1", "typed_name": "Sơ khảo"})
    assert r.status_code == 400 and "Type the name exactly as shown" in page(r)
    assert _reload(JudgingRound, f.rnd.id).status == JudgingRoundStatus.CLOSED
    # Case and spacing do not matter; the name does.
    c.post(url, data={"confirmed": "1", "typed_name": "  chung   KHẢO "})
    assert _reload(JudgingRound, f.rnd.id).status == JudgingRoundStatus.PUBLISHED


def test_publishing_quiz_results_says_it_cannot_be_undone(organizer):
    from tests.web.quiz.resultkit import add_result, finalise, make_entrant
    from tests.web.quiz.resultkit import make_round as closed_round

    rnd = closed_round("closed")
    add_result(rnd, make_entrant("Hà Thị Thu"), 9, prediction=1)
    finalise(rnd)
    text = page(organizer.get(f"/organizer/results/{rnd.id}"))
    assert "I have checked the ranking and the prizes" in text
    assert "It cannot be undone: once published, the ranking and prizes are public" in text
