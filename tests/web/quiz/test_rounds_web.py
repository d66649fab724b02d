"""Organizer screens of quiz rounds: create, edit, the rule lock, open, extend, close, clone."""
# ruff: noqa: F811 - the fixtures imported from quizkit are parameters of the tests

from __future__ import annotations

import html
import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from contest.audit import AuditEvent
from contest.extensions import db
from contest.quiz import attempts, rounds
from contest.quiz.models import Question, Round, RoundStatus
from contest.quiz.rounds import Phase, RoundError, RoundRules
from contest.timeutil import to_local
from tests.web.quiz.quizkit import (  # noqa: F401
    bank,
    locale_per_request,
    make_question,
    make_round,
    make_topic,
)


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def round_form(bank, required=("unit_id", "gender"), **changes) -> MultiDict:
    data = {
        "title": "Tuần 3: Phụ nữ và bầu cử",
        "rules": "Mỗi người thi một lượt.",
        "opens_at": "2030-03-02T10:00",
        "closes_at": "2030-03-09T09:00",
        "selection": "quota",
        "quotas-0-topic_id": str(bank.law.id), "quotas-0-count": "4",
        "quotas-1-topic_id": str(bank.election.id), "quotas-1-count": "2",
        "quotas-2-topic_id": "", "quotas-2-count": "",
        "fixed_ids": "",
        "shuffle_questions": "y", "shuffle_options": "y",
        "time_limit_minutes": "15", "attempts_allowed": "3",
        "multi_scoring": "partial",
        "prediction_enabled": "y", "prediction_text": "",
        "min_age": "16",
        "prizes-0-name": "first", "prizes-0-places": "1",
        "prizes-1-name": "second", "prizes-1-places": "2",
        "prizes-2-name": "", "prizes-2-places": "",
    }
    data.update(changes)
    body = MultiDict({k: v for k, v in data.items() if v is not None})
    body.setlist("required_fields", list(required))
    return body


def only_round() -> Round:
    db.session.expire_all()
    return db.session.execute(select(Round)).scalar_one()


def round_count() -> int:
    return db.session.execute(select(func.count()).select_from(Round)).scalar_one()


@pytest.fixture
def organizer(login_as):
    return login_as("organizer", locale="en")


def test_dashboard_links_to_rounds_and_entrants_are_kept_out(organizer, login_as):
    assert "/organizer/rounds" in page(organizer.get("/organizer/"))
    entrant = login_as()
    assert entrant.get("/organizer/rounds").status_code == 403
    assert entrant.post("/organizer/rounds/new", data={}).status_code == 403


def test_create_a_round_from_the_form(organizer, bank):
    response = organizer.post("/organizer/rounds/new", data=round_form(bank))
    assert response.status_code == 302, page(response)[:2000]
    rnd = only_round()
    assert rnd.status == RoundStatus.DRAFT
    # Entered in Vietnam time (UTC+7), stored in UTC.
    assert rnd.opens_at == datetime(2030, 3, 2, 3, 0, tzinfo=UTC)
    assert rnd.closes_at == datetime(2030, 3, 9, 2, 0, tzinfo=UTC)
    assert {q.topic_id: q.count for q in rnd.quotas} == {bank.law.id: 4, bank.election.id: 2}
    assert rnd.time_limit_seconds == 15 * 60 and rnd.attempts_allowed == 3
    assert rnd.multi_scoring == "partial" and rnd.min_age == 16
    assert rnd.required_fields == ["unit_id", "gender"]
    assert rnd.prize_tiers == [["first", 1], ["second", 2]]
    assert rnd.prediction_enabled and rnd.prediction_text == ""
    detail = page(organizer.get(response.headers["Location"]))
    assert "Tuần 3: Phụ nữ và bầu cử" in detail and "Draft" in detail
    assert db.session.execute(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "round.create")
    ).scalar_one() == 1


def test_new_round_form_offers_topics_and_blank_rows(organizer, bank):
    text = page(organizer.get("/organizer/rounds/new"))
    assert ">Luật (12 · 12 unexposed)</option>" in text
    assert ">– Điều 11 (4 · 4 unexposed)</option>" in text
    assert 'name="quotas-2-count"' in text and 'name="prizes-4-name"' in text


@pytest.mark.parametrize("changes, message", [
    ({"closes_at": "2030-03-01T10:00"}, "The close time must be after the open time."),
    ({"quotas-0-count": "", "quotas-1-count": "", "quotas-0-topic_id": "",
      "quotas-1-topic_id": ""}, "Set at least one topic quota"),
    ({"quotas-0-count": ""}, "Enter how many questions."),
    ({"time_limit_minutes": "0"}, "Enter 1 to 600 minutes."),
    ({"selection": "fixed", "fixed_ids": "1, 1"}, "more than once"),
    ({"opens_at": "next monday"}, "Enter the date and time"),
    ({"prizes-1-name": "first"}, "Each prize needs its own short name"),
])
def test_bad_round_forms_are_refused_and_change_nothing(organizer, bank, changes, message):
    response = organizer.post("/organizer/rounds/new", data=round_form(bank, **changes))
    assert response.status_code == 400
    assert message in page(response)
    assert round_count() == 0


def test_open_refuses_quotas_the_bank_cannot_supply(organizer, bank):
    rnd = make_round(bank, open_=False, quotas={bank.law.id: 12, bank.election.id: 9})
    # Retired and inactive questions do not count.
    law = bank.questions(bank.law)
    law[0].retired = True
    law[1].active = False
    db.session.commit()
    response = organizer.post(f"/organizer/rounds/{rnd.id}/open", follow_redirects=True)
    text = page(response)
    assert "Topic “Luật”: 12 questions per attempt, but only 10 active questions" in text
    assert "Topic “Bầu cử”: 9 questions per attempt, but only 8" in text
    assert only_round().status == RoundStatus.DRAFT


def test_open_at_the_set_time_and_open_early(organizer, bank, clock):
    later = clock.now + timedelta(days=2)
    rnd = make_round(bank, open_=False, opens_at=later, closes_at=later + timedelta(days=7))
    organizer.post(f"/organizer/rounds/{rnd.id}/open")
    rnd = only_round()
    assert rnd.status == RoundStatus.OPEN and rnd.opens_at == later
    assert rounds.phase(rnd, clock.now) == Phase.UPCOMING
    organizer.post(f"/organizer/rounds/{rnd.id}/open", data={"early": "1", "confirmed": "1"})
    rnd = only_round()
    assert rnd.opens_at == clock.now
    assert rounds.phase(rnd, clock.now) == Phase.RUNNING
    text = page(organizer.post(f"/organizer/rounds/{rnd.id}/open", data={"early": "1"},
                               follow_redirects=True))
    assert "This round is already open." in text


def test_state_changes_need_post(organizer, bank):
    rnd = make_round(bank, open_=False)
    for action in ("open", "close", "extend", "clone"):
        assert organizer.get(f"/organizer/rounds/{rnd.id}/{action}").status_code == 405


def test_rules_lock_after_the_first_start_but_the_close_can_move_later(
        organizer, bank, login_as, clock):
    rnd = make_round(bank)
    window = {"required": (), "min_age": "",
              "opens_at": to_local(clock.now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
              "closes_at": to_local(clock.now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")}
    assert organizer.post(f"/organizer/rounds/{rnd.id}/edit",
                          data=round_form(bank, title="Đổi tên trước", **window)
                          ).status_code == 302
    assert only_round().title == "Đổi tên trước"

    entrant = login_as()
    entrant.post(f"/quiz/rounds/{rnd.id}/start")
    rnd = only_round()
    assert rnd.first_started_at == clock.now

    response = organizer.get(f"/organizer/rounds/{rnd.id}/edit", follow_redirects=True)
    assert "its rules can no longer change" in page(response)
    response = organizer.post(f"/organizer/rounds/{rnd.id}/edit",
                              data=round_form(bank, title="Đổi tên sau", **window),
                              follow_redirects=True)
    assert "its rules can no longer change" in page(response)
    assert only_round().title == "Đổi tên trước"
    with pytest.raises(RoundError) as refused:
        rounds.update_round(rnd, RoundRules.of(rnd))
    assert refused.value.code == "locked"

    old_close = rnd.closes_at
    earlier = to_local(old_close - timedelta(days=1))
    text = page(organizer.post(f"/organizer/rounds/{rnd.id}/extend",
                               data={"closes_at": earlier.strftime("%Y-%m-%dT%H:%M")},
                               follow_redirects=True))
    assert "must be later than the current one" in text
    assert only_round().closes_at == old_close

    later = to_local(old_close + timedelta(days=2))
    text = page(organizer.post(f"/organizer/rounds/{rnd.id}/extend",
                               data={"closes_at": later.strftime("%Y-%m-%dT%H:%M")},
                               follow_redirects=True))
    assert "The close time is extended." in text
    assert only_round().closes_at == (old_close + timedelta(days=2)).replace(second=0)


def test_close_now(organizer, bank, clock):
    rnd = make_round(bank)
    organizer.post(f"/organizer/rounds/{rnd.id}/close", data={"confirmed": "1"})
    rnd = only_round()
    assert rnd.status == RoundStatus.CLOSED and rnd.closes_at == clock.now
    assert rounds.phase(rnd, clock.now) == Phase.CLOSED
    text = page(organizer.post(f"/organizer/rounds/{rnd.id}/open", follow_redirects=True))
    assert "This round is closed." in text


def test_clone_copies_the_rules_into_a_draft_a_week_on(organizer, bank, clock):
    rnd = make_round(bank, attempts_allowed=3, min_age=18, required_fields=["unit_id"])
    response = organizer.post(f"/organizer/rounds/{rnd.id}/clone")
    assert response.status_code == 302 and response.headers["Location"].endswith("/edit")
    db.session.expire_all()
    clone = db.session.execute(select(Round).where(Round.id != rnd.id)).scalar_one()
    assert clone.status == RoundStatus.DRAFT and clone.first_started_at is None
    assert clone.title == "Tuần thử nghiệm (copy)"
    assert clone.opens_at == rnd.opens_at + timedelta(weeks=1)
    assert clone.closes_at - clone.opens_at == rnd.closes_at - rnd.opens_at
    assert {q.topic_id: q.count for q in clone.quotas} == {q.topic_id: q.count
                                                            for q in rnd.quotas}
    assert (clone.attempts_allowed, clone.min_age, clone.required_fields) == (3, 18, ["unit_id"])


def test_list_shows_phase_and_attempt_counts(organizer, bank, login_as):
    rnd = make_round(bank)
    make_round(bank, open_=False, title="Bản nháp")
    for _i in range(2):
        login_as().post(f"/quiz/rounds/{rnd.id}/start")
    text = page(organizer.get("/organizer/rounds"))
    assert "Running" in text and "Draft" in text and "Bản nháp" in text
    assert "(+2)" in text
    detail = page(organizer.get(f"/organizer/rounds/{rnd.id}"))
    assert "Attempts started" in detail and "Under way" in detail


def test_a_quota_draws_from_the_topic_and_its_sub_topics(app, bank):
    pools = rounds.quota_pools({bank.law.id: 5})
    assert len(pools[bank.law.id]) == 12
    # A sub-topic with its own quota is drawn separately: no question sits in two pools.
    pools = rounds.quota_pools({bank.law.id: 5, bank.sub.id: 2})
    assert len(pools[bank.law.id]) == 8 and len(pools[bank.sub.id]) == 4
    assert not set(pools[bank.law.id]) & set(pools[bank.sub.id])


def test_the_draw_respects_quotas_and_skips_retired_and_inactive(app, bank, make_user):
    law = bank.questions(bank.law)
    law[0].retired = True
    law[1].active = False
    db.session.commit()
    rnd = make_round(bank, quotas={bank.law.id: 4, bank.sub.id: 2, bank.election.id: 3})
    law_ids = {q.id for q in bank.questions(bank.law)} - {law[0].id, law[1].id}
    sub_ids = {q.id for q in bank.questions(bank.sub)}
    election_ids = {q.id for q in bank.questions(bank.election)}
    for seed in range(20):
        paper = attempts.draw_for(rnd, random.Random(seed))
        ids = [qid for qid, _ in paper]
        assert len(ids) == len(set(ids)) == 9
        assert sum(q in law_ids for q in ids) == 4
        assert sum(q in sub_ids for q in ids) == 2
        assert sum(q in election_ids for q in ids) == 3
        for qid, shown in paper:
            assert sorted(shown) == sorted(o.id for o in db.session.get(Question, qid).options)


def test_a_fixed_list_round(app, bank, clock):
    ids = [q.id for q in bank.questions(bank.election)][:3]
    rnd = make_round(bank, selection="fixed", quotas={}, fixed_question_ids=ids,
                     shuffle_questions=False, shuffle_options=False)
    paper = attempts.draw_for(rnd, random.Random(1))
    assert [qid for qid, _ in paper] == ids
    db.session.get(Question, ids[1]).retired = True
    db.session.commit()
    problems = rounds.pool_problems(RoundRules.of(rnd))
    assert problems[0].code == "questions_unavailable"


def test_open_refuses_a_round_whose_close_has_passed(app, bank, clock):
    rnd = make_round(bank, open_=False, opens_at=clock.now - timedelta(days=8),
                     closes_at=clock.now - timedelta(days=1))
    with pytest.raises(RoundError) as refused:
        rounds.open_round(rnd, clock.now)
    assert refused.value.code == "close_passed"


def test_a_quota_topic_without_questions_is_refused_at_open(organizer, bank):
    empty = make_topic("Trống")
    make_question(empty).active = False
    db.session.commit()
    rnd = make_round(bank, open_=False, quotas={empty.id: 1})
    text = page(organizer.post(f"/organizer/rounds/{rnd.id}/open", follow_redirects=True))
    assert "Topic “Trống”: 1 questions per attempt, but only 0" in text
