"""Taking a quiz: start, answer with and without JavaScript, submit, results, eligibility."""
# ruff: noqa: F811 - the fixtures imported from quizkit are parameters of the tests

from __future__ import annotations

import gzip
import html
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from contest.accounts.models import Unit
from contest.config import ROOT
from contest.extensions import db
from contest.quiz import attempts, demo, rounds
from contest.quiz.models import Attempt, Option, Question, Result, Round, RoundStatus
from contest.quiz.rounds import Phase
from tests.web.quiz.quizkit import (  # noqa: F401
    MULTI,
    attempt_of,
    bank,
    key_positions,
    locale_per_request,
    make_question,
    make_round,
    paper_form,
    wrong_positions,
)


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def words(response) -> str:
    """The text of a page without its tags, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", page(response)).split())


def start(client, rnd: Round) -> Attempt:
    response = client.post(f"/quiz/rounds/{rnd.id}/start")
    assert response.status_code == 302, page(response)[:3000]
    return attempt_of(client.user.id)


def results() -> list[Result]:
    db.session.expire_all()
    return list(db.session.execute(select(Result)).scalars())


@pytest.fixture
def unit(app) -> Unit:
    u = Unit(code="X-MX", name="Xã Mường Xén", kind="commune")
    db.session.add(u)
    db.session.commit()
    return u


@pytest.fixture
def entrant(login_as, unit):
    return login_as(locale="en", gender="female", unit_id=unit.id, ethnicity="Thái")


def test_rounds_are_listed_for_entrants_and_drafts_stay_hidden(client, bank, clock):
    running = make_round(bank, title="Tuần đang mở")
    draft = make_round(bank, open_=False, title="Tuần nháp")
    text = page(client.get("/quiz/"))
    assert "Tuần đang mở" in text and "Tuần nháp" not in text
    assert client.get(f"/quiz/rounds/{draft.id}").status_code == 404
    round_page = page(client.get(f"/quiz/rounds/{running.id}"))
    assert "/login?next=" in round_page
    assert 'href="/quiz/"' in page(client.get("/"))  # the main menu links to the quizzes


def test_start_draws_the_paper_on_the_server(entrant, bank, clock):
    rnd = make_round(bank)
    att = start(entrant, rnd)
    assert att.number == 1 and att.status == "open"
    assert att.started_at == clock.now
    assert att.deadline_at == clock.now + timedelta(minutes=20)
    ids = [qid for qid, _ in att.draw]
    law = {q.id for q in bank.questions(bank.law) + bank.questions(bank.sub)}
    assert len(ids) == 8 and sum(q in law for q in ids) == 5
    for qid, shown in att.draw:
        assert sorted(shown) == sorted(o.id for o in db.session.get(Question, qid).options)
    used = set(db.session.execute(select(Question.id).where(Question.used.is_(True))).scalars())
    assert used == set(ids)
    assert db.session.get(Round, rnd.id).first_started_at == clock.now


def test_answer_keys_never_reach_the_browser(entrant, bank, clock):
    rnd = make_round(bank, quotas={bank.law.id: 12, bank.election.id: 8})
    att = start(entrant, rnd)
    option_ids = {o.id for o in db.session.execute(select(Option)).scalars()}
    pages = [page(entrant.get(f"/quiz/attempts/{att.id}")),
             page(entrant.get(f"/quiz/rounds/{rnd.id}"))]
    qid, shown = att.draw[0]
    saved = entrant.post(f"/quiz/attempts/{att.id}/answers",
                         json={"question": qid, "choices": [0]})
    assert saved.status_code == 200
    pages.append(saved.get_data(as_text=True))
    for text in pages:
        text = re.sub(r'value="[^"]{40,}"', "", text)  # CSRF tokens are random characters
        for marker in ("fraction", "weight", "data-correct", "is-right", 'class="key',
                       "badge-ok", "✓", "100%", "50%", "-1.0", "0.5", "explanation",
                       "Giải thích theo Luật", "Luật Bình đẳng giới 2006, Điều 11"):
            assert marker not in text, marker
    # Options are posted by their position in the shuffled order, never by option id, since
    # option ids follow the authoring order in which the correct option usually comes first.
    values = re.findall(r'name="q\d+" value="(\d+)"', pages[0])
    assert len(values) == 20 * 4 and {int(v) for v in values} == {0, 1, 2, 3}
    assert not option_ids & {int(v) for v in re.findall(r'="(\d+)"', pages[0])} - set(
        qid for qid, _ in att.draw) - {0, 1, 2, 3, 1200}
    assert set(saved.get_json()) == {"ok", "seconds_left"}


def test_answers_saved_without_javascript_survive_a_reload_on_another_device(
        entrant, app, bank, clock):
    from tests.conftest import login

    rnd = make_round(bank)
    att = start(entrant, rnd)
    key = key_positions(att)
    first = dict(list(key.items())[:3])
    response = entrant.post(f"/quiz/attempts/{att.id}",
                            data=MultiDict(paper_form(first, action="save")))
    assert response.status_code == 302
    assert "Your answers are saved." in page(entrant.get(response.headers["Location"]))

    phone = app.test_client()
    login(phone, entrant.user)
    clock.advance(minutes=5)
    round_page = page(phone.get(f"/quiz/rounds/{rnd.id}"))
    assert "Continue my attempt" in round_page
    assert phone.post(f"/quiz/rounds/{rnd.id}/start").headers["Location"].endswith(
        f"/quiz/attempts/{att.id}")
    text = page(phone.get(f"/quiz/attempts/{att.id}"))
    for qid, positions in first.items():
        assert f'name="q{qid}" value="{positions[0]}" checked' in text
    assert 'data-seconds-left="900"' in text  # the server clock kept running
    assert db.session.execute(select(func.count()).select_from(Attempt)).scalar_one() == 1


def test_a_shown_question_without_a_choice_is_cleared_others_are_kept(entrant, bank, clock):
    rnd = make_round(bank)
    att = start(entrant, rnd)
    (q1, _), (q2, _) = att.draw[:2]
    entrant.post(f"/quiz/attempts/{att.id}", data=MultiDict(paper_form({q1: [1], q2: [2]})))
    entrant.post(f"/quiz/attempts/{att.id}", data=MultiDict(paper_form({q1: []})))
    assert list(attempt_of(entrant.user.id).answers) == [str(q2)]


def test_background_save_merges_one_question_at_a_time(entrant, bank, clock):
    rnd = make_round(bank)
    att = start(entrant, rnd)
    (q1, s1), (q2, s2) = att.draw[:2]
    url = f"/quiz/attempts/{att.id}/answers"
    assert entrant.post(url, json={"question": q1, "choices": [2]}).get_json() == {
        "ok": True, "seconds_left": 1200}
    entrant.post(url, json={"question": q2, "choices": [0]})
    entrant.post(url, json={"prediction": "1.250"})
    saved = attempt_of(entrant.user.id)
    assert saved.answers == {str(q1): [s1[2]], str(q2): [s2[0]]}
    assert saved.prediction == 1250
    assert saved.answers_saved_at == clock.now


def test_bad_answers_are_refused_and_change_nothing(app, entrant, login_as, bank, clock):
    rnd = make_round(bank)
    att = start(entrant, rnd)
    single = next(qid for qid, _ in att.draw if db.session.get(Question, qid).kind == "single")
    url = f"/quiz/attempts/{att.id}/answers"
    entrant.post(url, json={"question": single, "choices": [1]})
    for body in ({"question": single, "choices": [4]},  # no such position
                 {"question": single, "choices": [0, 1]},  # two answers to a single question
                 {"question": 999999, "choices": [0]},  # not on this paper
                 {"question": single, "choices": "0"},
                 {"prediction": -3}):
        response = entrant.post(url, json=body)
        assert response.status_code == 400, body
        assert response.get_json()["ok"] is False and response.get_json()["message"]
    refused = entrant.post(f"/quiz/attempts/{att.id}", data=MultiDict(paper_form({single: [9]})))
    assert refused.status_code == 302 and refused.headers["Location"].endswith(
        f"/quiz/attempts/{att.id}")
    assert "An answer did not match the questions of this attempt." in page(
        entrant.get(refused.headers["Location"]))
    assert attempt_of(entrant.user.id).answers == {str(single): [dict(att.draw)[single][1]]}
    stranger = login_as()
    assert stranger.get(f"/quiz/attempts/{att.id}").status_code == 404
    assert stranger.post(url, json={"question": single, "choices": [0]}).status_code == 404
    logged_out = app.test_client().post(url, json={"question": single, "choices": [0]})
    assert logged_out.status_code == 401 and logged_out.get_json()["error"] == "login"


def test_background_save_needs_the_csrf_header(app_config, bank, make_user, unit):
    from contest import create_app
    from tests.conftest import PASSWORD

    csrf_app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    user = make_user(locale="en", unit_id=unit.id, gender="male")
    with csrf_app.app_context():
        rnd = make_round(bank)
        client = csrf_app.test_client()
        login_page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page)[1]
        client.post("/login", data={"identifier": user.email, "password": PASSWORD,
                                    "csrf_token": token})
        round_page = client.get(f"/quiz/rounds/{rnd.id}").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', round_page)[1]
        assert client.post(f"/quiz/rounds/{rnd.id}/start").status_code == 400
        started = client.post(f"/quiz/rounds/{rnd.id}/start", data={"csrf_token": token})
        attempt_url = started.headers["Location"]
        paper = client.get(attempt_url).get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', paper)[1]
        qid = int(re.search(r'name="shown" value="(\d+)"', paper)[1])
        body = {"question": qid, "choices": [0]}
        assert client.post(attempt_url + "/answers", json=body).status_code == 400
        ok = client.post(attempt_url + "/answers", json=body, headers={"X-CSRFToken": token})
        assert ok.status_code == 200 and ok.get_json()["ok"] is True
        db.session.remove()
        db.engine.dispose()


def test_submit_needs_the_prediction_then_scores_and_records_the_result(
        entrant, bank, clock, unit):
    rnd = make_round(bank)
    att = start(entrant, rnd)
    key = key_positions(att)
    clock.advance(minutes=3, seconds=25)
    refused = entrant.post(f"/quiz/attempts/{att.id}/submit", data=MultiDict(paper_form(key)),
                           follow_redirects=True)
    assert "Enter your prediction (a whole number) before submitting." in page(refused)
    assert attempt_of(entrant.user.id).status == "open"
    assert len(attempt_of(entrant.user.id).answers) == 8  # the answers were saved meanwhile

    response = entrant.post(f"/quiz/attempts/{att.id}/submit",
                            data=MultiDict(paper_form(key, prediction="37")))
    assert response.headers["Location"].endswith(f"/quiz/attempts/{att.id}/result")
    att = attempt_of(entrant.user.id)
    assert (att.status, att.score, att.max_score, att.correct_count) == ("submitted", 8, 8, 8)
    assert att.time_ms == 205_000 and att.submitted_at == clock.now
    assert att.prediction == 37 and not att.auto_submitted
    assert set(att.item_scores) == {str(q) for q, _ in att.draw}
    [result] = results()
    assert (result.best_attempt_id, result.score, result.max_score, result.time_ms) == (
        att.id, 8, 8, 205_000)
    assert result.perfect and result.prediction == 37 and result.attempts_count == 1
    assert result.unit_id == unit.id
    text = words(entrant.get(response.headers["Location"]))
    assert "8 / 8" in text and "3 min 25 s" in text
    assert "The correct answers are shown after the round closes" in text


def test_submitting_twice_scores_once(entrant, bank, clock):
    rnd = make_round(bank, prediction_enabled=False)
    att = start(entrant, rnd)
    form = MultiDict(paper_form(key_positions(att)))
    entrant.post(f"/quiz/attempts/{att.id}/submit", data=form)
    clock.advance(seconds=30)
    again = entrant.post(f"/quiz/attempts/{att.id}/submit", data=MultiDict(
        paper_form(wrong_positions(att))), follow_redirects=True)
    assert "already submitted" in page(again)
    att = attempt_of(entrant.user.id)
    assert att.score == 8 and att.time_ms == 0
    [result] = results()
    assert result.attempts_count == 1 and result.score == 8
    late_save = entrant.post(f"/quiz/attempts/{att.id}/answers",
                             json={"question": att.draw[0][0], "choices": [0]})
    assert late_save.status_code == 409 and late_save.get_json()["error"] == "submitted"
    outcome = attempts.submit(att, clock.now)
    assert outcome.already


def test_the_best_attempt_counts_and_the_limit_holds(entrant, bank, clock):
    rnd = make_round(bank, attempts_allowed=2)
    first = start(entrant, rnd)
    entrant.post(f"/quiz/attempts/{first.id}/submit",
                 data=MultiDict(paper_form(wrong_positions(first), prediction="5")))
    [result] = results()
    assert result.best_attempt_id == first.id and result.score == 0 and not result.perfect

    clock.advance(minutes=1)
    text = page(entrant.get(f"/quiz/attempts/{first.id}/result"))
    assert "Try again" in text
    second = start(entrant, rnd)
    assert second.number == 2 and second.id != first.id
    clock.advance(minutes=2)
    entrant.post(f"/quiz/attempts/{second.id}/submit",
                 data=MultiDict(paper_form(key_positions(second), prediction="9")))
    [result] = results()
    assert result.best_attempt_id == second.id and result.score == 8 and result.perfect
    assert result.prediction == 9 and result.attempts_count == 2

    refused = entrant.post(f"/quiz/rounds/{rnd.id}/start", follow_redirects=True)
    assert refused.request.path == f"/quiz/rounds/{rnd.id}"
    assert "You have used all 2 attempts allowed in this round." in page(refused)
    assert db.session.execute(select(func.count()).select_from(Attempt)).scalar_one() == 2


def test_a_worse_later_attempt_does_not_replace_the_best(entrant, bank, clock):
    rnd = make_round(bank, attempts_allowed=3)
    first = start(entrant, rnd)
    entrant.post(f"/quiz/attempts/{first.id}/submit",
                 data=MultiDict(paper_form(key_positions(first), prediction="3")))
    second = start(entrant, rnd)
    entrant.post(f"/quiz/attempts/{second.id}/submit",
                 data=MultiDict(paper_form(wrong_positions(second), prediction="700")))
    [result] = results()
    assert result.best_attempt_id == first.id and result.prediction == 3
    assert result.attempts_count == 2


@pytest.mark.parametrize("age", ["seventeen", "exactly eighteen"])
def test_under_age_entrants_are_refused(login_as, bank, clock, unit, age):
    rnd = make_round(bank, min_age=18)
    opening = rounds.age_reference_date(rnd)
    try:
        eighteenth = opening.replace(year=opening.year - 18)
    except ValueError:  # opening on 29 February
        eighteenth = date(opening.year - 18, 3, 1)
    born = eighteenth + timedelta(days=1) if age == "seventeen" else eighteenth
    client = login_as(locale="en", unit_id=unit.id, gender="male", birth_date=born)
    response = client.post(f"/quiz/rounds/{rnd.id}/start")
    assert response.status_code == 302
    if age == "seventeen":
        assert response.headers["Location"].endswith(f"/quiz/rounds/{rnd.id}")
        assert "This round is for entrants aged 18 or over on" in page(
            client.get(response.headers["Location"]))
        assert db.session.execute(select(func.count()).select_from(Attempt)).scalar_one() == 0
    else:  # exactly 18 on the opening day
        assert "/quiz/attempts/" in response.headers["Location"]


def test_missing_profile_fields_are_named_with_a_link_to_the_profile(login_as, bank, clock):
    rnd = make_round(bank, required_fields=["unit_id", "gender", "ethnicity"])
    client = login_as(locale="en", gender="female")
    response = client.post(f"/quiz/rounds/{rnd.id}/start", follow_redirects=True)
    assert response.request.path == f"/quiz/rounds/{rnd.id}"
    text = page(response)
    assert "complete these details in your profile: Unit, Ethnicity." in text
    assert 'href="/account"' in text
    assert "complete these details" in page(client.get(f"/quiz/rounds/{rnd.id}"))


def test_correct_answers_are_shown_only_after_the_round_closes(entrant, bank, clock):
    rnd = make_round(bank, closes_at=clock.now + timedelta(hours=2), prediction_enabled=False)
    att = start(entrant, rnd)
    key = key_positions(att)
    answers = dict(key)
    answers[att.draw[0][0]] = wrong_positions(att)[att.draw[0][0]]
    entrant.post(f"/quiz/attempts/{att.id}/submit", data=MultiDict(paper_form(answers)))
    early = entrant.get(f"/quiz/rounds/{rnd.id}/review")
    assert early.status_code == 403
    assert "The correct answers are shown after the round closes" in page(early)

    clock.advance(hours=3)
    text = page(entrant.get(f"/quiz/rounds/{rnd.id}/review"))
    assert "7 / 8" in text
    assert text.count("your answer") >= 8 and text.count(">correct<") >= 8
    assert "Giải thích theo Luật." in text and "Luật Bình đẳng giới 2006, Điều 11" in text
    assert "is-wrong" in text
    result_page = page(entrant.get(f"/quiz/attempts/{att.id}/result"))
    assert "See the correct answers" in result_page


def test_partial_credit_for_multiple_answers(entrant, bank, clock):
    rnd = make_round(bank, quotas={bank.election.id: 8}, multi_scoring="partial",
                     prediction_enabled=False)
    att = start(entrant, rnd)
    answers = key_positions(att)
    multis = [qid for qid, _ in att.draw if db.session.get(Question, qid).kind == "multiple"]
    half = multis[0]
    answers[half] = answers[half][:1]  # one of the two correct options: 50 %
    wrong = multis[1]
    shown = dict((q, s) for q, s in att.draw)[wrong]
    fractions = {o.id: o.fraction for o in db.session.get(Question, wrong).options}
    # Both correct options and the -100 % one: 0.5 + 0.5 - 1 = 0, never below zero.
    answers[wrong] = [p for p, oid in enumerate(shown) if fractions[oid] != 0.0]
    entrant.post(f"/quiz/attempts/{att.id}/submit", data=MultiDict(paper_form(answers)))
    att = attempt_of(entrant.user.id)
    assert att.item_scores[str(half)] == 0.5 and att.item_scores[str(wrong)] == 0
    assert att.score == 6.5 and att.correct_count == 6


def test_prediction_that_is_not_a_whole_number_is_refused_answers_kept(entrant, bank, clock):
    rnd = make_round(bank)
    att = start(entrant, rnd)
    key = key_positions(att)
    response = entrant.post(f"/quiz/attempts/{att.id}",
                            data=MultiDict(paper_form(key, prediction="khoảng 20")),
                            follow_redirects=True)
    assert "Enter the prediction as a whole number, 0 or more." in page(response)
    saved = attempt_of(entrant.user.id)
    assert len(saved.answers) == 8 and saved.prediction is None


def test_pages_of_questions_without_javascript(app, entrant, bank, clock):
    app.config["QUIZ_PAGE_SIZE"] = 3
    rnd = make_round(bank)
    att = start(entrant, rnd)
    key = key_positions(att)
    ids = [qid for qid, _ in att.draw]
    first = page(entrant.get(f"/quiz/attempts/{att.id}"))
    assert "Page 1 of 3" in first and first.count('name="shown"') == 3
    assert 'name="prediction"' not in first and "data-submit" not in first
    moved = entrant.post(f"/quiz/attempts/{att.id}", data=MultiDict(
        paper_form({q: key[q] for q in ids[:3]}, action="next", page="1")))
    assert moved.headers["Location"].endswith("?page=2")
    last = page(entrant.get(f"/quiz/attempts/{att.id}?page=3"))
    assert last.count('name="shown"') == 2 and 'name="prediction"' in last
    assert "data-submit" in last and 'value="prev"' in last
    assert len(attempt_of(entrant.user.id).answers) == 3


def test_attempt_page_uses_no_inline_script_or_style(entrant, client, bank, clock):
    rnd = make_round(bank)
    att = start(entrant, rnd)
    text = entrant.get(f"/quiz/attempts/{att.id}").get_data(as_text=True)
    # Static files are named by their content (contest.delivery).
    [script] = re.findall(r'<script src="(/static/js/quiz\.[0-9a-f]{12}\.js)" defer></script>',
                          text)
    assert not re.search(r"<script(?![^>]*\bsrc=)", text)
    assert "style=" not in text and "<style" not in text and "onclick" not in text
    [style] = re.findall(r'<link rel="stylesheet" href="(/static/css/quiz\.[0-9a-f]{12}\.css)">',
                         text)
    for asset in (script, style, "/static/js/quiz.js", "/static/css/quiz.css"):
        assert client.get(asset).status_code == 200


def _gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def test_a_twenty_question_attempt_page_weighs_under_30_kb_gzipped(entrant, bank, clock):
    long_text = ("Theo Luật Bình đẳng giới năm 2006, nội dung nào sau đây thuộc bình đẳng giới "
                 "trong lĩnh vực chính trị của nam và nữ khi tham gia quản lý nhà nước? ")
    for question in db.session.execute(select(Question)).scalars():
        question.text = long_text + question.text
        for option in question.options:
            option.text = "Nam, nữ bình đẳng trong việc " + option.text + " theo quy định."
    db.session.commit()
    rnd = make_round(bank, quotas={bank.law.id: 12, bank.election.id: 8})
    att = start(entrant, rnd)
    body = entrant.get(f"/quiz/attempts/{att.id}").get_data()
    assert body.count(b'class="q"') == 20
    assets = [ROOT / "static/css/app.css", ROOT / "static/css/quiz.css",
              ROOT / "static/js/quiz.js"]
    total = _gzipped(body) + sum(_gzipped(path.read_bytes()) for path in assets)
    print(f"attempt page: {len(body)} B raw, {_gzipped(body)} B gzip; total with CSS+JS "
          f"{total} B gzip")
    assert total < 30 * 1024


def test_demo_load_is_idempotent(app, clock):
    lines: list[str] = []
    demo.load(lines.append)
    demo.load(lines.append)
    db.session.commit()
    found = db.session.execute(select(Round).order_by(Round.id)).scalars().all()
    assert [r.title for r in found] == [demo.RUNNING_TITLE, demo.UPCOMING_TITLE]
    running, upcoming = found
    assert rounds.phase(running, clock.now) == Phase.RUNNING
    assert upcoming.status == RoundStatus.DRAFT
    assert rounds.question_count(running) == 10
    assert (running.time_limit_seconds, running.attempts_allowed) == (15 * 60, 3)
    assert running.prediction_enabled
    assert running.closes_at - clock.now <= timedelta(days=7)
    assert any("already present" in line for line in lines)
    assert not rounds.pool_problems(rounds.RoundRules.of(running))


def test_question_markup_from_the_bank_is_shown_as_text(entrant, bank, clock):
    for question in bank.questions(bank.election):
        question.text_format = "html"
        question.text = "<p>Điều 8 <b>Luật</b> bầu cử</p><script>alert(1)</script>"
    db.session.commit()
    rnd = make_round(bank, quotas={bank.election.id: 2})
    att = start(entrant, rnd)
    text = entrant.get(f"/quiz/attempts/{att.id}").get_data(as_text=True)
    assert "Điều 8  Luật  bầu cử" in text
    assert "<b>" not in text and "<script>alert" not in text
