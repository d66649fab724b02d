"""Public leaderboard pages and the organizers' results screens, through the test client."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from contest.audit import AuditEvent
from contest.extensions import db
from contest.quiz import board, exclusions, leaderboard, publication
from contest.quiz.models import Round, RoundStatus
from contest.timeutil import utcnow
from tests.web.quiz.resultkit import (  # noqa: F401
    add_result,
    finalise,
    fresh_request_globals,
    make_entrant,
    make_round,
    make_unit,
    prizes,
    ranks,
)

BIRTH = date(1991, 7, 23)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def no_personal_data(page: str, *users) -> None:
    """The page shows none of the entrants' full names, phones, e-mails or birth dates."""
    for user in users:
        assert user.full_name not in page
        national = "0" + user.phone[3:]
        for form in (user.phone, national, national[:4] + " " + national[4:7]):
            assert form not in page
        if user.email:
            assert user.email not in page
        if user.birth_date:
            d = user.birth_date
            for form in (d.isoformat(), f"{d.day}/{d.month}/{d.year}",
                         f"{d.day:02d}/{d.month:02d}/{d.year}", f"{d.month}/{d.day}/{d.year}"):
                assert form not in page


@pytest.fixture
def en(client):
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def running(app):
    unit = make_unit("MX", "Xã Mường Xén", size=40)
    rnd = make_round("running", title="Tuần thi thứ nhất")
    people = [
        make_entrant("Nguyễn Văn Anh Tuấn", unit=unit, email="tuan@example.org",
                     birth_date=BIRTH),
        make_entrant("Trần Thị Bích", unit=unit, email="bich@example.org", birth_date=BIRTH),
        make_entrant("Lò Thị Mai", birth_date=BIRTH),
    ]
    add_result(rnd, people[0], 10, time_ms=200_000)
    add_result(rnd, people[1], 9, time_ms=100_000)
    add_result(rnd, people[2], 9, time_ms=150_000)
    return rnd, people


def test_round_list_groups_running_upcoming_and_past(en, app):
    make_round("running", title="Đang chạy")
    make_round("upcoming", title="Sắp tới")
    make_round("published", title="Đã công bố")
    make_round("draft", title="Bản nháp")
    page = text(en.get("/rounds"))
    running_at, upcoming_at, past_at = (page.index(t) for t in ("Running now", "Upcoming",
                                                                "Past rounds"))
    assert running_at < page.index("Đang chạy") < upcoming_at < page.index("Sắp tới") < past_at
    assert page.index("Đã công bố") > past_at
    assert "Bản nháp" not in page


def test_a_draft_round_is_not_public(en, app):
    rnd = make_round("draft")
    for path in ("", "/leaderboard", "/results", "/units"):
        assert en.get(f"/rounds/{rnd.id}{path}").status_code == 404


def test_round_page_shows_rules_and_ranking_rule(en, running):
    rnd, _ = running
    page = text(en.get(f"/rounds/{rnd.id}"))
    assert "Mỗi người dự thi một tài khoản." in page
    assert "prediction closest to the number of entrants" in page
    assert "First prize" in page


def test_live_leaderboard_is_masked_and_ordered(en, running):
    rnd, people = running
    response = en.get(f"/rounds/{rnd.id}/leaderboard")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = text(response)
    names = re.findall(r"<td>(\S+ [^<]*?)\s*<span class=\"sub\">", page)
    assert [n.strip() for n in names] == ["Nguyễn V. A. T.", "Trần T. B.", "Lò T. M."]
    assert page.count("Xã Mường Xén") == 2
    assert "about 3 entrants" in page
    no_personal_data(page, *people)


def test_leaderboard_pages_and_cursors(en, app):
    rnd = make_round("running")
    for i in range(60 * 5 + 7):
        add_result(rnd, make_entrant(f"Đặng Văn {i:03d}"), 10 - (i % 7),
                   time_ms=100_000 + i)
    first = text(en.get(f"/rounds/{rnd.id}/leaderboard"))
    assert 'aria-current="page">1<' in first and "?page=2" in first
    fifth = text(en.get(f"/rounds/{rnd.id}/leaderboard?page=5"))
    match = re.search(r'href="([^"]*after=[^"]+)"', fifth)
    assert match, "page 5 leads on with a cursor"
    sixth = en.get(match.group(1))
    assert sixth.status_code == 200
    page = text(sixth)
    ranks_shown = [int(r) for r in re.findall(r'<td class="rank">(\d+)', page)]
    assert ranks_shown[0] == 251 and len(ranks_shown) == 50
    assert 'rel="prev"' in page and "page=5" in page and "page=1" in page
    seventh = text(en.get(re.search(r'href="([^"]*after=[^"]+)"', page).group(1)))
    assert [int(r) for r in re.findall(r'<td class="rank">(\d+)', seventh)] == list(
        range(301, 308))
    back = re.search(r'href="([^"]*before=[^"]+)"', seventh)
    assert back, "a deep page leads back with a cursor"
    again = text(en.get(back.group(1)))
    assert [int(r) for r in re.findall(r'<td class="rank">(\d+)', again)] == list(
        range(251, 301))
    assert en.get(f"/rounds/{rnd.id}/leaderboard?after=garbage").status_code == 400
    # The links carry opaque cursors: no account id, and a forged plain one is refused.
    token = re.search(r"after=([^&\"#]+)", fifth).group(1)
    last_id = max(r.user_id for r in leaderboard.live_page(rnd.id, per_page=400).rows)
    assert f"_{last_id}" not in token
    with pytest.raises(ValueError):
        board.LiveKey.decode(token)
    forged = f"9.0_100200_0_{last_id}"
    assert en.get(f"/rounds/{rnd.id}/leaderboard?after={forged}").status_code == 400


def test_my_rank_live_and_my_place_in_the_list(login_as, running, app):
    rnd, _ = running
    me = login_as(full_name="Phan Thị Hoa", birth_date=BIRTH)
    me.set_cookie("lang", "en")
    add_result(rnd, me.user, 9, time_ms=120_000)
    page = text(me.get(f"/rounds/{rnd.id}/me"))
    assert "Rank 3" in page and "Live rank among about 4 entrants" in page
    board = text(me.get(f"/rounds/{rnd.id}/leaderboard?me=1"))
    assert re.search(r'<tr class="me">\s*<td class="rank">3', board)
    assert "Phan T. H." in board and "Phan Thị Hoa" not in board


def test_my_rank_needs_a_login(client, running):
    rnd, _ = running
    response = client.get(f"/rounds/{rnd.id}/me")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_closed_round_is_finalised_on_first_read_and_hidden_until_published(en, app):
    rnd = make_round("closed")
    users = [make_entrant(f"Hồ Văn {i}", birth_date=BIRTH) for i in range(3)]
    for i, user in enumerate(users):
        add_result(rnd, user, 10 - i, prediction=1)
    assert db.session.get(Round, rnd.id).finalized_at is None
    page = text(en.get(f"/rounds/{rnd.id}/leaderboard"))
    assert "results are being checked" in page
    db.session.expire_all()
    assert db.session.get(Round, rnd.id).finalized_at is not None
    results_page = en.get(f"/rounds/{rnd.id}/results")
    assert "results are being checked" in text(results_page)
    assert "Hồ V." not in text(results_page)


def test_published_results_show_prizes_count_and_rule(en, login_as, app):
    rnd = make_round("closed", tiers=[["first", 1], ["second", 1]])
    users = [make_entrant(f"Vương Thị {c}", birth_date=BIRTH, email=f"v{c}@example.org")
             for c in "ABCD"]
    for i, user in enumerate(users):
        add_result(rnd, user, 10 - i, prediction=1)
    finalise(rnd)
    publication.publish(rnd.id, None, utcnow())
    db.session.commit()
    response = en.get(f"/rounds/{rnd.id}/leaderboard")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/rounds/{rnd.id}/results")
    page = text(en.get(f"/rounds/{rnd.id}/results"))
    assert "First prize" in page and "Second prize" in page
    assert "Entrants who answered every question right: 1." in page
    assert "Vương T. A." in page and "predicted 1 (off by 0)" in page
    no_personal_data(page, *users)


def test_unit_leaderboard(en, running):
    rnd, _ = running
    page = text(en.get(f"/rounds/{rnd.id}/units"))
    assert "Xã Mường Xén" in page and "5.0%" in page and "No unit given" in page
    by_rate = text(en.get(f"/rounds/{rnd.id}/units?order=rate"))
    assert by_rate.index("Xã Mường Xén") < by_rate.index("No unit given")


def test_home_page_lists_running_rounds(en, running):
    rnd, _ = running
    page = text(en.get("/"))
    assert "Running rounds" in page and "Tuần thi thứ nhất" in page
    assert f"/rounds/{rnd.id}/leaderboard" in page


# --------------------------------------------------------------------------- organizers


@pytest.fixture
def organizer(login_as):
    client = login_as("organizer")
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def closed(app):
    rnd = make_round("closed", tiers=[["first", 1], ["second", 1]])
    people = {}
    for key, score, prediction, minutes in [("a", 10, 2, 1), ("b", 10, 2, 1), ("c", 9, 2, 2),
                                            ("d", 8, None, 3)]:
        people[key] = make_entrant(f"Cao Văn {key.upper()}", birth_date=BIRTH)
        add_result(rnd, people[key], score, prediction=prediction, time_ms=60_000,
                   submitted_at=rnd.opens_at + timedelta(minutes=minutes))
    return rnd, people


@pytest.mark.parametrize("path", ["/organizer/results", "/organizer/results/{id}",
                                  "/organizer/results/{id}/statistics",
                                  "/organizer/results/{id}/finalise",
                                  "/organizer/results/{id}/exclude?user_id=1",
                                  "/organizer/results/{id}/ranking.csv",
                                  "/organizer/results/{id}/statistics/items.csv"])
def test_results_screens_refuse_others(client, login_as, closed, path):
    rnd, _ = closed
    url = path.format(id=rnd.id)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    for roles in [(), ("judge",), ("journalist",)]:
        assert login_as(*roles).get(url).status_code == 403


@pytest.mark.parametrize("path", ["exclude", "reinstate", "ties/1", "publish", "finalise",
                                  "places"])
def test_results_actions_refuse_others(login_as, closed, path):
    rnd, people = closed
    finalise(rnd)
    entrant = login_as()
    response = entrant.post(f"/organizer/results/{rnd.id}/{path}",
                            data={"user_id": people["a"].id, "reason": "x", "confirm": "yes",
                                  "member": [people["a"].id, people["b"].id],
                                  "give_all": "first", "tier": "first", "places": "3"})
    assert response.status_code == 403
    assert db.session.get(Round, rnd.id).status != RoundStatus.PUBLISHED
    assert prizes(rnd)[people["a"].id] == board.PRIZE_UNDECIDED


def test_organizer_reviews_decides_excludes_and_publishes(organizer, closed, login_as):
    rnd, p = closed
    page = text(organizer.get(f"/organizer/results/{rnd.id}"))
    assert "Tie at rank 1" in page and "to decide" in page
    assert "Cao Văn A" in page  # organizers see full names
    assert "Decide every tie across a prize boundary before publishing." in page

    refused = organizer.post(f"/organizer/results/{rnd.id}/publish", data={"confirm": "yes"})
    assert refused.status_code == 302
    assert "Decide every tie" in text(organizer.get(f"/organizer/results/{rnd.id}"))

    incomplete = organizer.post(f"/organizer/results/{rnd.id}/ties/1",
                                data={"member": [p["a"].id, p["b"].id],
                                      f"prize_{p['a'].id}": "first"})
    assert incomplete.status_code == 302
    assert prizes(rnd)[p["a"].id] == board.PRIZE_UNDECIDED

    organizer.post(f"/organizer/results/{rnd.id}/ties/1",
                   data={"member": [p["a"].id, p["b"].id], f"prize_{p['a'].id}": "first",
                         f"prize_{p['b'].id}": "second", "note": "bốc thăm công khai"})
    assert prizes(rnd) == {p["a"].id: "first", p["b"].id: "second", p["c"].id: None,
                           p["d"].id: None}

    excluded = organizer.post(f"/organizer/results/{rnd.id}/exclude",
                              data={"user_id": p["c"].id, "reason": "Hai tài khoản",
                                    "confirm": "yes"})
    assert excluded.status_code == 302
    page = text(organizer.get(f"/organizer/results/{rnd.id}"))
    assert "Hai tài khoản" in page and "Reinstate…" in page
    # the exclusion re-ranked and reset the tie decision
    assert prizes(rnd)[p["a"].id] == board.PRIZE_UNDECIDED
    assert ranks(rnd)[p["c"].id] == (None, False) and ranks(rnd)[p["d"].id] == (3, False)

    organizer.post(f"/organizer/results/{rnd.id}/places",
                   data={"tier": "first", "places": "1", "reason": "Hai người ngang điểm"})
    organizer.post(f"/organizer/results/{rnd.id}/ties/1",
                   data={"member": [p["a"].id, p["b"].id], "give_all": "first"})
    assert prizes(rnd)[p["b"].id] == "first"
    organizer.post(f"/organizer/results/{rnd.id}/publish", data={})
    assert db.session.get(Round, rnd.id).status != RoundStatus.PUBLISHED
    organizer.post(f"/organizer/results/{rnd.id}/publish", data={"confirm": "yes"})
    db.session.expire_all()
    rnd = db.session.get(Round, rnd.id)
    assert rnd.status == RoundStatus.PUBLISHED and rnd.published_at is not None
    actions = set(db.session.execute(select(AuditEvent.action)).scalars())
    assert {"results.resolve_tie", "results.exclude", "results.publish"} <= actions

    # The excluded entrant sees the reason on their own page; the public does not.
    public = text(login_as().get(f"/rounds/{rnd.id}/results"))
    assert "Hai tài khoản" not in public and "Cao V. C." not in public
    assert "Cao V. A." in public and "Cao V. B." in public
    # the tie that remains is shown as a tie: both at rank 1, marked
    assert len(re.findall(r'<td class="rank">1 <abbr class="tie"', public)) == 2


def test_excluded_entrant_sees_the_reason(login_as, app):
    rnd = make_round("closed")
    me = login_as(full_name="Đinh Thị Lệ")
    me.set_cookie("lang", "en")
    add_result(rnd, me.user, 10, prediction=1)
    add_result(rnd, make_entrant("Đinh Văn Khác"), 9, prediction=1)
    finalise(rnd)
    exclusions.exclude(rnd.id, me.user.id, "Khai sai ngày sinh", None, utcnow())
    db.session.commit()
    page = text(me.get(f"/rounds/{rnd.id}/me"))
    assert "You have been excluded" in page and "Khai sai ngày sinh" in page
    other = text(me.get(f"/rounds/{rnd.id}"))
    assert "Khai sai ngày sinh" in other


def test_ranking_csv_for_organizers(organizer, closed):
    rnd, p = closed
    finalise(rnd)
    response = organizer.get(f"/organizer/results/{rnd.id}/ranking.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeffrank,tied,entrant_id,full_name")
    assert "Cao Văn A" in body and p["a"].phone not in body


def test_results_pages_render_at_every_phase(organizer, app):
    for state in ("upcoming", "running", "closed", "published"):
        rnd = make_round(state, title=f"Vòng {state}")
        add_result(rnd, make_entrant(f"Tô Văn {state}"), 5) if state != "upcoming" else None
        if state == "published":
            rnd.finalized_at = utcnow()
            rnd.perfect_count = 0
            db.session.commit()
        assert organizer.get(f"/organizer/results/{rnd.id}").status_code == 200
        assert organizer.get(f"/rounds/{rnd.id}").status_code == 200
    page = text(organizer.get("/organizer/results"))
    assert "Vòng running" in page and "Vòng published" in page
    dashboard = text(organizer.get("/organizer/"))
    assert "/organizer/results" in dashboard
