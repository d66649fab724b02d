"""The organizer console of judging through the test client: who may open each page, rubric and
round forms, invitations by e-mail, assignment, results, shortlist, prizes, publication, the
score matrix and the audit trail."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from contest.accounts.models import Role
from contest.extensions import db
from contest.judging import assignments, conflicts, invitations, jury, lifecycle, rounds, rubrics
from contest.judging.models import (
    Assignment,
    EntryResult,
    Invitation,
    JudgingRound,
    JudgingRoundStatus,
    Rubric,
)
from contest.writing.models import ContestJuror
from tests.conftest import login
from tests.web.judging.judgingkit import events, now, scene
from tests.web.writing import organizer_kit as kit
from tests.web.writing.organizer_kit import flashes, text

organizer = kit.organizer


@pytest.fixture
def s(app, make_user):
    return scene(app, make_user)


def _scored(s, totals: dict[int, list[float]], **settings) -> tuple[JudgingRound, list]:
    """A closed round where judge j gave entry e ``totals[e][j]``."""
    n = len(next(iter(totals.values())))
    judges = [s.judge(f"Giám khảo {i}") for i in range(n)]
    entries = [s.entry() for _e in totals]
    rnd = s.round(judges_per_entry=n, **settings)
    s.seat(rnd)
    assignments.auto_assign(rnd, s.organizer.id)
    s.open(rnd)
    for entry, row in zip(entries, totals.values(), strict=True):
        for judge, total in zip(judges, row, strict=True):
            s.score(rnd, entry, judge, total)
    lifecycle.close_round(rnd, s.organizer.id, now())
    db.session.commit()
    return rnd, entries


# --- who may open the pages ----------------------------------------------------------------


def _routes(s) -> list[tuple[str, str]]:
    judge = s.judge("Giám khảo")
    entry = s.entry()
    rnd = s.round(judges_per_entry=1)
    s.seat(rnd)
    assignments.auto_assign(rnd, s.organizer.id)
    s.open(rnd)
    sheet = s.score(rnd, entry, judge, 7)
    inv, _token = invitations.invite(s.contest, "moi@example.org", s.organizer, now(), "k",
                                     link=str)
    conflict = conflicts.declare_conflict(judge, s.contest, outlet="Báo X", reason="Cộng tác")
    db.session.commit()
    result = EntryResult(round_id=rnd.id, entry_id=entry.id)
    db.session.add(result)
    db.session.commit()
    a = db.session.execute(select(Assignment)).scalars().first()
    c, r = s.contest.id, rnd.id
    rubric = rnd.rubric.id
    return [
        ("GET", "/organizer/judging"),
        ("GET", "/organizer/judging/rubrics"),
        ("GET", "/organizer/judging/rubrics/new"),
        ("POST", "/organizer/judging/rubrics/new"),
        ("GET", f"/organizer/judging/rubrics/{rubric}"),
        ("POST", f"/organizer/judging/rubrics/{rubric}"),
        ("POST", f"/organizer/judging/rubrics/{rubric}/copy"),
        ("POST", f"/organizer/judging/rubrics/{rubric}/delete"),
        ("GET", f"/organizer/judging/contests/{c}"),
        ("GET", f"/organizer/judging/contests/{c}/rounds/new"),
        ("POST", f"/organizer/judging/contests/{c}/rounds/new"),
        ("GET", f"/organizer/judging/rounds/{r}/edit"),
        ("POST", f"/organizer/judging/rounds/{r}/edit"),
        ("GET", f"/organizer/judging/rounds/{r}"),
        ("POST", f"/organizer/judging/rounds/{r}/status"),
        ("POST", f"/organizer/judging/rounds/{r}/reopen"),
        ("POST", f"/organizer/judging/rounds/{r}/delete"),
        ("POST", f"/organizer/judging/rounds/{r}/rubric"),
        ("GET", f"/organizer/judging/rounds/{r}/judges"),
        ("POST", f"/organizer/judging/rounds/{r}/judges"),
        ("POST", f"/organizer/judging/rounds/{r}/judges/all"),
        ("POST", f"/organizer/judging/rounds/{r}/judges/{judge.id}/remove"),
        ("GET", f"/organizer/judging/contests/{c}/invitations"),
        ("POST", f"/organizer/judging/contests/{c}/invitations"),
        ("POST", f"/organizer/judging/invitations/{inv.id}/resend"),
        ("POST", f"/organizer/judging/invitations/{inv.id}/withdraw"),
        ("GET", f"/organizer/judging/contests/{c}/conflicts"),
        ("POST", f"/organizer/judging/contests/{c}/conflicts"),
        ("POST", f"/organizer/judging/conflicts/{conflict.id}/remove"),
        ("POST", f"/organizer/judging/conflicts/{conflict.id}/confirm"),
        ("POST", f"/organizer/judging/conflicts/{conflict.id}/dismiss"),
        ("GET", f"/organizer/judging/rounds/{r}/assignments"),
        ("POST", f"/organizer/judging/rounds/{r}/assign"),
        ("GET", f"/organizer/judging/rounds/{r}/entries/{entry.id}"),
        ("POST", f"/organizer/judging/assignments/{a.id}/reassign"),
        ("POST", f"/organizer/judging/rounds/{r}/entries/{entry.id}/add-judge"),
        ("POST", f"/organizer/judging/sheets/{sheet.id}/reopen"),
        ("GET", f"/organizer/judging/rounds/{r}/progress"),
        ("POST", f"/organizer/judging/rounds/{r}/remind"),
        ("GET", f"/organizer/judging/rounds/{r}/flagged"),
        ("GET", f"/organizer/judging/rounds/{r}/results"),
        ("POST", f"/organizer/judging/rounds/{r}/aggregate"),
        ("GET", f"/organizer/judging/rounds/{r}/shortlist"),
        ("POST", f"/organizer/judging/rounds/{r}/shortlist"),
        ("GET", f"/organizer/judging/rounds/{r}/prizes"),
        ("POST", f"/organizer/judging/rounds/{r}/prizes/propose"),
        ("POST", f"/organizer/judging/rounds/{r}/prizes/places"),
        ("POST", f"/organizer/judging/results/{result.id}/prize"),
        ("POST", f"/organizer/judging/rounds/{r}/publish"),
        ("GET", f"/organizer/judging/rounds/{r}/matrix.xlsx"),
        ("GET", f"/organizer/judging/rounds/{r}/audit"),
    ]


def test_every_console_route_is_for_organizers_only(app, s, login_as):
    routes = _routes(s)
    from flask import current_app

    endpoints = {rule.endpoint for rule in current_app.url_map.iter_rules()
                 if rule.endpoint.startswith("judging_console.")}
    adapter = current_app.url_map.bind("localhost")
    covered = {adapter.match(url, method=method)[0] for method, url in routes}
    assert covered == endpoints
    anonymous = app.test_client()
    for method, url in routes:
        response = anonymous.open(url, method=method)
        assert response.status_code == 302, (method, url)
        assert "/login" in response.headers["Location"], (method, url)
    clients = {"entrant": login_as(), "journalist": login_as(Role.JOURNALIST),
               "judge": login_as(Role.JUDGE),
               "coordinator": login_as(Role.UNIT_COORDINATOR)}
    for who, client in clients.items():
        for method, url in routes:
            response = client.open(url, method=method)
            assert response.status_code == 403, (who, method, url, response.status_code)
    # Nothing changed on the way.
    assert db.session.execute(select(JudgingRound)).scalar_one().status == "open"


def test_organizers_open_every_page(s, organizer):
    routes = [(m, u) for m, u in _routes(s) if m == "GET"]
    for _method, url in routes:
        response = organizer.get(url)
        assert response.status_code == 200, (url, response.status_code)


def test_the_dashboard_has_a_judging_tile(organizer):
    page = text(organizer.get("/organizer/"))
    assert "/organizer/judging" in page and "Judging" in page


# --- rubrics and rounds --------------------------------------------------------------------


def _rubric_form(**rows) -> dict[str, str]:
    """The editor's form as a browser posts it: every row, empty ones included."""
    data = {"name": "Thang điểm 100", "description": "", "scale": "100"}
    for i in range(8):
        name, top, weight, levels = rows.get(str(i), ("", "", "1", ""))
        data.update({f"criteria-{i}-name": name, f"criteria-{i}-max_points": top,
                     f"criteria-{i}-weight": weight, f"criteria-{i}-levels": levels,
                     f"criteria-{i}-description": ""})
    return data


def test_the_rubric_editor_saves_rows_and_places_errors(organizer):
    bad = _rubric_form(**{"0": ("Nội dung", "60", "abc", ""),
                          "1": ("Hình thức", "40", "1", "50: tuyệt vời")})
    response = organizer.post("/organizer/judging/rubrics/new", data=bad)
    assert response.status_code == 400
    page = text(response)
    assert re.search(r'id="criteria-0-weight-error">Enter a number above 0', page)
    assert re.search(r'id="criteria-1-levels-error">Level 50 is not between 0', page)
    assert db.session.execute(select(Rubric)).first() is None
    good = _rubric_form(**{"0": ("Nội dung", "60", "1", "60: xuất sắc\n30: đạt"),
                           "2": ("Hình thức", "40", "1,5", "")})
    response = organizer.post("/organizer/judging/rubrics/new", data=good)
    assert response.status_code == 302
    rubric = db.session.execute(select(Rubric)).scalar_one()
    assert [(c.name, c.max_points, c.weight) for c in rubric.criteria] == \
        [("Nội dung", 60, 1), ("Hình thức", 40, 1.5)]
    assert rubric.criteria[0].levels == [{"points": 30, "text": "đạt"},
                                         {"points": 60, "text": "xuất sắc"}]
    assert rubric.is_template and rubric.scale == 100


def test_creating_a_round_from_the_seeded_template(s, organizer):
    page = text(organizer.get("/organizer/judging/rubrics"))
    assert "Press award 10-point scale" in page
    template = rubrics.templates()[0]
    data = {"name": "Sơ khảo", "template": str(template.id), "judges_per_entry": "3",
            "panels_by": "category", "opens_at": "", "closes_at": "",
            "aggregation": "zscore", "disagreement_threshold": "2,5",
            "advancement": "top_n", "advancement_value": "5",
            "prize_A": "0", "prize_B": "0", "prize_C": "0", "prize_KK": "0"}
    response = organizer.post(f"/organizer/judging/contests/{s.contest.id}/rounds/new",
                              data={**data, "judges_per_entry": "0"})
    assert response.status_code == 400
    assert "Enter a whole number from 1 to 20." in text(response)
    response = organizer.post(f"/organizer/judging/contests/{s.contest.id}/rounds/new",
                              data=data)
    assert response.status_code == 302
    rnd = db.session.execute(select(JudgingRound)).scalar_one()
    assert (rnd.panels_by, rnd.aggregation, rnd.disagreement_threshold) == \
        ("category", "zscore", 2.5)
    assert rnd.rubric.id != template.id and len(rnd.rubric.criteria) == 3
    assert events("judging.round.create")[0].actor_id is not None


# --- invitations ---------------------------------------------------------------------------


def test_an_invitation_by_email_is_accepted_through_its_link(app, s, organizer, make_user):
    app.extensions["outbox"] = []
    response = organizer.post(f"/organizer/judging/contests/{s.contest.id}/invitations",
                              data={"email": "hoa.le@example.org"})
    assert response.status_code == 302
    (message,) = app.extensions["outbox"]
    assert message["To"] == "hoa.le@example.org"
    link = re.search(r"http://localhost(/judging/invitations/\S+)", message.get_content())
    path = link.group(1)
    inv = db.session.execute(select(Invitation)).scalar_one()
    assert path.rsplit("/", 1)[1] != inv.token_hash
    page = text(organizer.get(f"/organizer/judging/contests/{s.contest.id}/invitations"))
    assert "hoa.le@example.org" in page and "Waiting" in page

    anonymous = app.test_client()
    anonymous.set_cookie("lang", "en")
    page = text(anonymous.get(path))
    assert "Log in" in page and s.contest.title in page
    response = anonymous.post(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]

    stranger = make_user(email="stranger@example.org")
    client = app.test_client()
    client.set_cookie("lang", "en")
    login(client, stranger)
    response = client.post(path)
    assert response.status_code == 400
    assert "This invitation was sent to hoa.le@example.org" in text(response)
    assert Role.JUDGE not in stranger.roles

    invitee = make_user(email="hoa.le@example.org", full_name="Lê Thị Hoa")
    client = app.test_client()
    login(client, invitee)
    response = client.post(path)
    assert response.status_code == 302
    db.session.expire_all()
    assert Role.JUDGE in invitee.roles
    assert db.session.get(ContestJuror, (s.contest.id, invitee.id)) is not None
    assert app.test_client().get("/judging/invitations/forged").status_code == 404


# --- assignment ----------------------------------------------------------------------------


def test_assignment_page_shows_entries_that_cannot_get_enough_judges(s, organizer, make_user):
    author = make_user(Role.JOURNALIST, full_name="Trần Thị Mai")
    judges = [s.judge(f"Giám khảo {n}") for n in range(2)]
    blocked = s.entry(author=author)
    s.entry()
    conflicts.declare_conflict(judges[0], s.contest, author_name="Trần Thị Mai", reason="Vợ",
                             actor=s.organizer)
    rnd = s.round(judges_per_entry=2)
    organizer.post(f"/organizer/judging/rounds/{rnd.id}/judges/all")
    assert len(jury.round_judges(rnd)) == 2
    response = organizer.post(f"/organizer/judging/rounds/{rnd.id}/assign")
    assert response.status_code == 302
    page = text(organizer.get(f"/organizer/judging/rounds/{rnd.id}/assignments"))
    assert "Entries short of judges" in page
    assert blocked.anon_code in page
    assert "Too few judges of its panel are free of a conflict with it." in page
    assert len(db.session.execute(select(Assignment)).scalars().all()) == 3


def test_reassigning_through_the_console_needs_a_reason_and_is_audited(s, organizer):
    first, second = s.judge("An"), s.judge("Bình")
    entry = s.entry()
    rnd = s.round(judges_per_entry=1)
    s.seat(rnd, [first])
    assignments.auto_assign(rnd, s.organizer.id)
    s.seat(rnd, [second])
    db.session.commit()
    (a,) = rounds.assignments_of(rnd)
    url = f"/organizer/judging/assignments/{a.id}/reassign"
    response = organizer.post(url, data={"move-judge": str(second.id), "move-reason": ""})
    assert "Give the reason." in flashes(organizer.get(
        response.headers["Location"]))
    db.session.expire_all()
    assert db.session.get(Assignment, a.id).judge_id == first.id
    organizer.post(url, data={"move-judge": str(second.id), "move-reason": "An ốm"})
    db.session.expire_all()
    assert db.session.get(Assignment, a.id).judge_id == second.id
    (event,) = events("judging.assignment.reassign")
    assert event.reason == "An ốm"
    page = text(organizer.get(f"/organizer/judging/rounds/{rnd.id}/audit"))
    assert "Assignment given to another judge" in page and "An ốm" in page
    page = text(organizer.get(f"/organizer/judging/rounds/{rnd.id}/entries/{entry.id}"))
    assert "Bình" in page


# --- results, shortlist, prizes, publication -----------------------------------------------


def test_results_show_ties_and_alpha_with_its_basis(s, organizer):
    rnd, entries = _scored(s, {1: [9, 7], 2: [8, 8], 3: [6, 5]})
    page = text(organizer.get(f"/organizer/judging/rounds/{rnd.id}/results"))
    assert page.count(">tie<") == 2
    assert "3 entries, 2 judges, 6 paired scores" in page
    assert "8.00" in page and "5.50" in page


def test_the_shortlist_is_confirmed_in_the_console(s, organizer):
    rnd, entries = _scored(s, {1: [9, 9], 2: [8, 8], 3: [8, 8], 4: [6, 6]},
                           advancement="top_n", advancement_value=2)
    final = s.round(name="Chung khảo", prize_counts={"A": 1})
    page = text(organizer.get(f"/organizer/judging/rounds/{rnd.id}/shortlist"))
    assert "tie at the cut" in page
    response = organizer.post(f"/organizer/judging/rounds/{rnd.id}/shortlist",
                              data={"entries": [str(entries[0].id)]})
    assert response.status_code == 400
    assert "Give the reason." in text(response)
    response = organizer.post(f"/organizer/judging/rounds/{rnd.id}/shortlist",
                              data={"entries": [str(e.id) for e in entries[:3]]})
    assert response.status_code == 302
    assert {e.id for e in rounds.round_entries(final)} == {e.id for e in entries[:3]}


def test_prizes_are_proposed_decided_and_published_then_locked(s, organizer):
    rnd, entries = _scored(s, {1: [9, 9], 2: [8, 8], 3: [8, 8]},
                           prize_counts={"A": 0, "B": 1, "C": 1, "KK": 0})
    organizer.post(f"/organizer/judging/rounds/{rnd.id}/prizes/propose")
    page = text(organizer.get(f"/organizer/judging/rounds/{rnd.id}/prizes"))
    assert "1 tie awaits a decision before publication." in page
    response = organizer.post(f"/organizer/judging/rounds/{rnd.id}/publish",
                              data={"confirmed": "1", "typed_name": rnd.name})
    assert "1 ties across prize tiers await a decision." in flashes(
        organizer.get(response.headers["Location"]))
    results = {r.entry_id: r for r in db.session.execute(select(EntryResult)).scalars()}
    assert results[entries[0].id].prize == "B"
    for entry, tier in ((entries[1], "C"), (entries[2], "")):
        response = organizer.post(f"/organizer/judging/results/{results[entry.id].id}/prize",
                                  data={"tier": tier, "reason": "Bốc thăm trước hội đồng"})
        assert response.status_code == 302
    response = organizer.post(f"/organizer/judging/rounds/{rnd.id}/publish",
                              data={"confirmed": "1", "typed_name": rnd.name})
    db.session.expire_all()
    assert db.session.get(JudgingRound, rnd.id).status == JudgingRoundStatus.PUBLISHED
    response = organizer.post(f"/organizer/judging/results/{results[entries[2].id].id}/prize",
                              data={"tier": "KK", "reason": "Đổi ý"})
    assert "The round is published: nothing in it can change." in flashes(
        organizer.get(response.headers["Location"]))
    db.session.expire_all()
    assert db.session.get(EntryResult, results[entries[2].id].id).prize is None


def test_a_tie_cannot_overfill_a_writing_prize_unless_places_are_added(s, organizer):
    rnd, entries = _scored(s, {1: [9, 9], 2: [8, 8], 3: [8, 8]},
                           prize_counts={"A": 0, "B": 1, "C": 1, "KK": 0})
    organizer.post(f"/organizer/judging/rounds/{rnd.id}/prizes/propose")
    results = {r.entry_id: r for r in db.session.execute(select(EntryResult)).scalars()}
    organizer.post(f"/organizer/judging/results/{results[entries[1].id].id}/prize",
                   data={"tier": "C", "reason": "Hội đồng quyết định"})
    refused = organizer.post(f"/organizer/judging/results/{results[entries[2].id].id}/prize",
                             data={"tier": "C", "reason": "Hội đồng quyết định"})
    assert "Prize C would have 2 entries for 1 places in this category. Add places to it with " \
        "a reason first." in flashes(organizer.get(refused.headers["Location"]))
    db.session.expire_all()
    assert db.session.get(EntryResult, results[entries[2].id].id).prize is None
    organizer.post(f"/organizer/judging/rounds/{rnd.id}/prizes/places",
                   data={"category_id": str(entries[1].category_id), "tier": "C",
                         "places": "1", "reason": "Hai bài ngang điểm tuyệt đối"})
    organizer.post(f"/organizer/judging/results/{results[entries[2].id].id}/prize",
                   data={"tier": "C", "reason": "Hội đồng quyết định"})
    db.session.expire_all()
    assert db.session.get(EntryResult, results[entries[2].id].id).prize == "C"
    page = text(organizer.get(f"/organizer/judging/rounds/{rnd.id}/prizes"))
    assert "Hai bài ngang điểm tuyệt đối" in page
    organizer.post(f"/organizer/judging/rounds/{rnd.id}/publish",
                   data={"confirmed": "1", "typed_name": rnd.name})
    db.session.expire_all()
    assert db.session.get(JudgingRound, rnd.id).status == JudgingRoundStatus.PUBLISHED


def test_the_score_matrix_downloads_as_xlsx(s, organizer):
    rnd, entries = _scored(s, {1: [9, 7]})
    response = organizer.get(f"/organizer/judging/rounds/{rnd.id}/matrix.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:5] == ("Code", "Category", "Title", "Judge", "Sheet")
    assert sorted(r[-3] for r in rows[1:]) == [7, 9]
    assert {r[-2] for r in rows[1:]} == {8}


def test_opening_and_closing_a_round_through_the_console(s, organizer):
    s.judge()
    s.entry()
    rnd = s.round(judges_per_entry=1)
    response = organizer.post(f"/organizer/judging/rounds/{rnd.id}/status", data={"to": "open"})
    assert "1 entries have no judge yet. Assign judges first." in flashes(
        organizer.get(response.headers["Location"]))
    s.seat(rnd)
    organizer.post(f"/organizer/judging/rounds/{rnd.id}/assign")
    organizer.post(f"/organizer/judging/rounds/{rnd.id}/status", data={"to": "open"})
    db.session.expire_all()
    assert db.session.get(JudgingRound, rnd.id).status == "open"
    organizer.post(f"/organizer/judging/rounds/{rnd.id}/status", data={"to": "close"})
    db.session.expire_all()
    assert db.session.get(JudgingRound, rnd.id).status == "closed"
    assert db.session.get(JudgingRound, rnd.id).aggregated_at is not None
