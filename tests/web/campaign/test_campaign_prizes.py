"""Prize values and the jury's public comments: organizers word what each quiz tier and each
writing prize level wins on the campaign console; readers see it next to the Start button, on
the public round page, on the contest page (with the categories, the criteria of the
prize-giving round and their shares, and the judging calendar) and on the home page. The
jury's public comment on a winning work appears on the showcase only once the results are
published."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from contest import timeutil
from contest.accounts.models import Role
from contest.audit import AuditEvent
from contest.campaign.models import JuryComment
from contest.extensions import db
from contest.judging import awards, lifecycle
from contest.quiz.models import Round
from contest.writing.models import WritingContest
from tests.web.campaign.campaignkit import field_error, text
from tests.web.judging.judgekit import FOR_ENTRANT, Final
from tests.web.quiz.quizkit import bank, make_round  # noqa: F401 - bank is a fixture

REWARD = "3.000.000 đồng và Giấy chứng nhận"


@pytest.fixture
def organizer(login_as):
    c = login_as(Role.ORGANIZER)
    c.set_cookie("lang", "en")
    return c


@pytest.fixture
def final(app, make_user):
    return Final(app, make_user)


def events(action: str) -> list[AuditEvent]:
    return list(db.session.execute(
        select(AuditEvent).where(AuditEvent.action == action)).scalars())


def reload(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def quiz_round(bank):  # noqa: F811 - the quiz bank fixture
    return make_round(bank, title="Tuần 3: Luật Bình đẳng giới",
                      prize_tiers=[("first", 1), ("second", 2), ("consolation", 5)])


# --- quiz rounds ----------------------------------------------------------------------------


def test_quiz_rewards_are_worded_on_the_console_and_shown_next_to_start(app, organizer, client,
                                                                         login_as, bank):  # noqa: F811
    rnd = quiz_round(bank)
    console = text(organizer.get("/organizer/campaign/prizes"))
    assert "Tuần 3: Luật Bình đẳng giới" in console and "First prize" in console
    response = organizer.post(f"/organizer/campaign/prizes/rounds/{rnd.id}", data={
        f"round{rnd.id}-rewards-0": f"  {REWARD} ",
        f"round{rnd.id}-rewards-1": "Giấy chứng nhận\n và quà lưu niệm",
        f"round{rnd.id}-rewards-2": ""})
    assert response.status_code == 302
    assert reload(Round, rnd.id).prize_rewards == {
        "first": REWARD, "second": "Giấy chứng nhận và quà lưu niệm"}
    [event] = events("campaign.round_rewards_set")
    assert (event.subject_type, event.subject_id) == ("quiz_round", str(rnd.id))

    signed_in = login_as()
    for reader in (client, signed_in):
        page = text(reader.get(f"/quiz/rounds/{rnd.id}"))
        take_part = page[page.index('id="h-take"'):page.index('id="h-take"') + 4000]
        assert "Prizes" in take_part or "Giải thưởng" in take_part
        assert REWARD in take_part and "Giấy chứng nhận và quà lưu niệm" in take_part
    signed_in.set_cookie("lang", "en")
    english = text(signed_in.get(f"/quiz/rounds/{rnd.id}"))
    assert "Start the quiz" in english
    start = english.index("Start the quiz")
    prizes = english[start:start + 2000]
    assert "First prize" in prizes and "1 place" in prizes and REWARD in prizes
    assert "Consolation prize" in prizes and "5 places" in prizes
    client.set_cookie("lang", "vi")
    vietnamese = text(client.get(f"/quiz/rounds/{rnd.id}"))
    assert "Giải Nhất" in vietnamese and REWARD in vietnamese
    assert REWARD in text(client.get(f"/rounds/{rnd.id}"))
    home = text(client.get("/"))
    assert "Tuần 3: Luật Bình đẳng giới" in home and REWARD in home


def test_a_reward_too_long_or_for_changed_tiers_changes_nothing(app, organizer, bank):  # noqa: F811
    rnd = quiz_round(bank)
    too_long = organizer.post(f"/organizer/campaign/prizes/rounds/{rnd.id}", data={
        f"round{rnd.id}-rewards-0": "x" * 201, f"round{rnd.id}-rewards-1": "Quà",
        f"round{rnd.id}-rewards-2": ""})
    assert too_long.status_code == 400
    assert "At most 200 characters." in field_error(too_long, f"round{rnd.id}-rewards-0")
    stale = organizer.post(f"/organizer/campaign/prizes/rounds/{rnd.id}", data={
        f"round{rnd.id}-rewards-0": REWARD})
    assert stale.status_code == 400
    assert "The prizes changed while you were editing" in text(stale)
    assert reload(Round, rnd.id).prize_rewards == {}
    assert events("campaign.round_rewards_set") == []
    assert organizer.post("/organizer/campaign/prizes/rounds/999999").status_code == 404


# --- writing contests -----------------------------------------------------------------------


def test_contest_page_shows_prizes_criteria_and_calendar(app, organizer, client, final):
    contest = final.s.contest
    rnd = final.rnd
    rnd.opens_at = timeutil.utcnow() - timedelta(days=2)
    rnd.closes_at = timeutil.utcnow() + timedelta(days=5)
    db.session.commit()
    response = organizer.post(f"/organizer/campaign/prizes/contests/{contest.id}", data={
        f"contest{contest.id}-rewards-0": "Không trao",
        f"contest{contest.id}-rewards-1": "10.000.000 đồng và Giấy chứng nhận",
        f"contest{contest.id}-rewards-2": "7.000.000 đồng",
        f"contest{contest.id}-rewards-3": "3.000.000 đồng"})
    assert response.status_code == 302
    assert reload(WritingContest, contest.id).prize_rewards["B"] == (
        "10.000.000 đồng và Giấy chứng nhận")
    assert len(events("campaign.contest_rewards_set")) == 1

    client.set_cookie("lang", "en")
    page = text(client.get(f"/writing/contests/{contest.id}"))
    section = page[page.index("Prizes and judging"):]
    for category in contest.categories:
        assert category.name in section
    # The final round gives no A prize, so its reward is not shown.
    assert "A prize" not in section and "Không trao" not in section
    assert "B prize" in section and "1 prize per category" in section
    assert "10.000.000 đồng và Giấy chứng nhận" in section and "3.000.000 đồng" in section
    # The press-award scale: 5, 3 and 2 points with weight 1 are half, 30% and 20% of a total.
    for name, share in (("Discovery", "50%"), ("Style and form", "30%"),
                        ("Social meaning and impact", "20%")):
        assert name in section and share in section
    assert "Judging calendar" in section and "Chung khảo" in section
    client.set_cookie("lang", "vi")
    vietnamese = text(client.get(f"/writing/contests/{contest.id}"))
    assert "Giải thưởng và chấm giải" in vietnamese and "Lịch chấm giải" in vietnamese
    assert "Giải B" in vietnamese


def test_contest_without_rewards_or_rounds_shows_no_prize_section(app, client, make_user):
    from tests.web.judging.judgingkit import scene  # noqa: PLC0415

    s = scene(app, make_user)
    client.set_cookie("lang", "en")
    page = text(client.get(f"/writing/contests/{s.contest.id}"))
    assert "Categories" in page and "Prizes and judging" not in page


# --- the jury's public comments -------------------------------------------------------------


def _close(final) -> None:
    lifecycle.close_round(final.rnd, final.s.organizer.id, timeutil.utcnow())
    awards.propose_prizes(final.rnd, final.s.organizer)
    db.session.commit()


def test_jury_comment_is_shown_on_the_showcase_once_results_are_published(app, organizer,
                                                                           client, final):
    _close(final)
    console = text(organizer.get("/organizer/campaign/showcase"))
    assert "Phụ nữ tham chính" in console and "Results not yet published" in console
    assert "Bài không đoạt giải" not in console
    response = organizer.post(f"/organizer/campaign/showcase/{final.winner.id}", data={
        f"entry{final.winner.id}-comment":
            "Một phóng sự **xuất sắc**.<script>alert(1)</script><img src=x onerror=alert(1)>"})
    assert response.status_code == 302
    comment = db.session.execute(select(JuryComment)).scalar_one()
    assert "<strong>xuất sắc</strong>" in comment.html
    assert "<script" not in comment.html and "onerror" not in comment.html
    [event] = events("campaign.jury_comment_set")
    assert event.subject_type == "writing_entry"
    assert "xuất sắc" not in text(client.get("/showcase"))

    lifecycle.publish(final.rnd, final.s.organizer)
    db.session.commit()
    page = client.get("/showcase").get_data(as_text=True)
    work = page[page.index(f'id="work-{final.winner.id}"'):]
    work = work[:work.index("</article>")]
    assert "<strong>xuất sắc</strong>" in work and "<script" not in work
    # The judges' comments meant for the entrant stay private.
    assert FOR_ENTRANT not in page

    cleared = organizer.post(f"/organizer/campaign/showcase/{final.winner.id}",
                             data={f"entry{final.winner.id}-comment": "  "})
    assert cleared.status_code == 302
    assert db.session.execute(select(func.count()).select_from(JuryComment)).scalar() == 0
    assert len(events("campaign.jury_comment_removed")) == 1
    assert "xuất sắc" not in text(client.get("/showcase"))


def test_jury_comment_is_refused_for_a_work_without_a_prize_or_too_long(app, organizer, final):
    final.publish()
    loser = organizer.post(f"/organizer/campaign/showcase/{final.fourth.id}",
                           data={f"entry{final.fourth.id}-comment": "Tốt"})
    assert loser.status_code == 400
    assert "Only an entry that won a prize" in text(loser)
    long = organizer.post(f"/organizer/campaign/showcase/{final.winner.id}",
                          data={f"entry{final.winner.id}-comment": "x" * 3001})
    assert long.status_code == 400
    assert "At most 3000 characters." in field_error(long, f"entry{final.winner.id}-comment")
    assert db.session.execute(select(func.count()).select_from(JuryComment)).scalar() == 0
    assert events("campaign.jury_comment_set") == []
    assert organizer.post("/organizer/campaign/showcase/999999").status_code == 404


# --- who may use the new console pages ------------------------------------------------------


@pytest.mark.parametrize("roles", [(), (Role.JOURNALIST,), (Role.JUDGE,)])
def test_prize_pages_are_for_organizers_only(app, login_as, client, roles, final):
    other = login_as(*roles)
    contest_id = final.s.contest.id
    for path in ("/organizer/campaign/prizes", "/organizer/campaign/showcase"):
        assert other.get(path).status_code == 403
        assert client.get(path).status_code == 302
    for path in (f"/organizer/campaign/prizes/contests/{contest_id}",
                 f"/organizer/campaign/showcase/{final.winner.id}"):
        assert other.post(path, data={f"contest{contest_id}-rewards-0": "x"}).status_code == 403
        assert client.post(path).status_code == 302
    assert reload(WritingContest, contest_id).prize_rewards == {}


def test_home_page_names_the_best_prize_of_an_open_contest(app, organizer, client):
    from tests.web.writing.organizer_kit import make_contest  # noqa: PLC0415

    contest = make_contest("Giải báo chí 2026")
    db.session.commit()
    client.set_cookie("lang", "en")
    assert "Giải báo chí 2026" in text(client.get("/"))
    organizer.post(f"/organizer/campaign/prizes/contests/{contest.id}", data={
        f"contest{contest.id}-rewards-0": "20.000.000 đồng",
        f"contest{contest.id}-rewards-1": "", f"contest{contest.id}-rewards-2": "",
        f"contest{contest.id}-rewards-3": ""})
    home = text(client.get("/"))
    assert "A prize: 20.000.000 đồng" in " ".join(re.sub(r"<[^>]+>", " ", home).split())
