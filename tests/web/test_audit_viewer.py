"""The one audit viewer, /organizer/audit: every domain's events in human terms (names,
entry codes, criterion names, round titles; never a raw dictionary or an internal id),
filters by domain, actor, object and date with clear messages for bad values, pages, CSV and
XLSX exports through the safe writer, links from each object's page to its own history, and
organizers only."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from contest import audit
from contest.accounts import service as accounts
from contest.accounts.models import Role
from contest.audit import AuditEvent
from contest.extensions import db
from contest.judging import assignments
from contest.timeutil import to_local, utcnow
from tests.conftest import login
from tests.web.judging.judgingkit import scene
from tests.web.quiz.resultkit import make_round

ORGANIZER = "Trần Văn Tổ Chức"
JUDGE = "Giám khảo Lê Minh"


def text(response) -> str:  # noqa: ANN001
    return html.unescape(response.get_data(as_text=True))


def main(response) -> str:  # noqa: ANN001
    page = text(response)
    return page[page.find("<main"):page.find("</main>")]


def client_of(app, user, lang: str = "en"):  # noqa: ANN001, ANN201
    c = app.test_client()
    login(c, user)
    c.set_cookie("lang", lang)
    return c


@pytest.fixture
def world(app, make_user):  # noqa: ANN001, ANN201
    """Events of every domain, made through the services that record them."""
    s = scene(app, make_user, categories=1)
    s.organizer.full_name = ORGANIZER
    db.session.commit()
    judge = s.judge(JUDGE)
    entry = s.entry(0, title="Phụ nữ và bầu cử")
    rnd = s.round(name="Sơ khảo 2026", judges_per_entry=1)
    s.seat(rnd)
    assignments.auto_assign(rnd, s.organizer.id)
    db.session.commit()
    s.open(rnd)
    s.score(rnd, entry, judge, 8)
    target = make_user(full_name="Phạm Thị Hoa")
    accounts.change_role(s.organizer, target, Role.JUDGE, True, "Mời chấm giải báo chí")
    quiz = make_round("upcoming", title="Tuần 7")
    audit.record(s.organizer.id, "round.open_early", "quiz_round", quiz.id)
    db.session.commit()
    client = client_of(app, s.organizer)
    return s, rnd, entry, judge, target, quiz, client


def test_every_domain_reads_in_human_terms(world):
    s, rnd, entry, judge, target, quiz, client = world
    r = client.get("/organizer/audit")
    assert r.status_code == 200
    page = main(r)
    # People by name, entries by code, rounds by title, criteria by name.
    assert "Score sheet submitted" in page and JUDGE in page
    assert entry.anon_code in page and "“Sơ khảo 2026”" in page
    for criterion in rnd.rubric.criteria:
        assert criterion.name in page
    assert "Role granted" in page and "Phạm Thị Hoa" in page and "Mời chấm giải báo chí" in page
    assert "Quiz round opened early" in page and "“Tuần 7”" in page
    assert "Writing contest" in page and ORGANIZER in page
    # Never a raw dictionary or list, never an action key.
    values = re.findall(r'<dd class="audit-value">(.*?)</dd>', page, re.S)
    assert values
    assert not any("{" in v or "[" in v or "'" in v for v in values), values
    assert "judging.sheet.submit" not in page and "role.grant" not in page


def test_the_trail_reads_in_vietnamese(world):
    s, *_rest = world
    vi = main(client_of(s.app, s.organizer, "vi").get("/organizer/audit"))
    assert "Nhật ký" in vi and "Đã nộp phiếu chấm" in vi and "Cấp vai trò" in vi


def test_filters_by_domain_actor_object_and_date(world):
    s, rnd, entry, judge, target, quiz, client = world
    page = main(client.get("/organizer/audit?domain=quiz"))
    assert "Quiz round opened early" in page and "Score sheet submitted" not in page
    page = main(client.get("/organizer/audit?domain=accounts"))
    assert "Role granted" in page and "Quiz round" not in page
    # By a person, typed as part of a name (any case) or given by a link.
    page = main(client.get("/organizer/audit", query_string={"actor": "lê minh"}))
    assert "Score sheet submitted" in page and "Role granted" not in page
    page = main(client.get(f"/organizer/audit?actor_id={judge.id}"))
    assert f"Changes made by {JUDGE}." in page and "Role granted" not in page
    # One object's history.
    page = main(client.get(f"/organizer/audit?object=user:{target.id}"))
    assert "History of Person Phạm Thị Hoa." in page
    assert "Role granted" in page and "Score sheet" not in page
    # Dates are Vietnam dates.
    today = to_local(utcnow()).date()
    page = main(client.get(f"/organizer/audit?from={today}&to={today}"))
    assert "Role granted" in page
    page = main(client.get(f"/organizer/audit?to={today - timedelta(days=1)}"))
    assert "No event matches these filters." in page


@pytest.mark.parametrize("query, message", [
    ("domain=nothing", "There is no domain “nothing”"),
    ("from=2026-13-40", "From: “2026-13-40” is not a date"),
    ("to=yesterday", "To: “yesterday” is not a date"),
    ("from=2026-12-05&to=2026-12-01", "The first day comes after the last day."),
    ("object=drop table", "“drop table” does not name an object"),
    ("actor_id=١٢", "“١٢” does not name a person."),
    ("page=0", "“0” is not a page number."),
    ("page=99999999999", "is not a page number."),
])
def test_bad_filters_get_a_clear_message(world, query, message):
    s, *_rest, client = world
    for url in ("/organizer/audit", "/organizer/audit.csv", "/organizer/audit.xlsx"):
        r = client.get(f"{url}?{query}")
        assert r.status_code == 400, url
        page = main(r)
        assert message in page and "nothing is listed" in page
        assert "audit-event" not in page


def test_bad_filters_in_vietnamese(world):
    s, *_rest = world
    page = main(client_of(s.app, s.organizer, "vi").get("/organizer/audit?from=abc"))
    assert "không phải là ngày" in page


def test_pages_of_fifty(world):
    s, *_rest, client = world
    before = db.session.execute(select(AuditEvent)).scalars().all()
    for i in range(60):
        audit.record(s.organizer.id, "unit.save", "unit", 999_000 + i, code=f"U{i:02d}")
    db.session.commit()
    total = len(before) + 60
    first = main(client.get("/organizer/audit"))
    assert f"{total} events" in first and first.count('class="card audit-event"') == 50
    assert "Page 1 of 2" in first and "U59" in first and "U00" not in first
    second = main(client.get("/organizer/audit?page=2"))
    assert second.count('class="card audit-event"') == total - 50 and "U00" in second
    # A unit that no longer exists is "(removed)", never its id.
    shown = re.sub(r"<[^>]+>", " ", first + second)
    assert "999000" not in shown and "(removed)" in shown


def test_exports_are_the_filtered_trail_through_the_safe_writer(world):
    s, rnd, entry, judge, target, quiz, client = world
    accounts.change_role(s.organizer, target, Role.JOURNALIST, True, "=HYPERLINK(\"x\")")
    db.session.commit()
    r = client.get("/organizer/audit.csv?domain=accounts")
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "private, no-store"
    assert "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["Time (Vietnam)", "Domain", "What happened", "By"]
    body = rows[1:]
    assert len(body) == 2 and all(row[2] == "Role granted" for row in body)
    assert body[0][6] == "'=HYPERLINK(\"x\")"  # a formula is written as text
    assert body[0][5] == "Phạm Thị Hoa" and body[0][3] == ORGANIZER
    r = client.get(f"/organizer/audit.xlsx?object=judging_round:{rnd.id}")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    actions = {row[2] for row in rows[1:]}
    assert "Score sheet submitted" in actions and "Role granted" not in actions
    submitted = next(row for row in rows[1:] if row[2] == "Score sheet submitted")
    assert entry.anon_code in submitted[7] and rnd.rubric.criteria[0].name in submitted[7]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_object_pages_link_to_their_own_history(world):
    s, rnd, entry, judge, target, quiz, client = world
    links = {
        f"/organizer/rounds/{quiz.id}": f"object=quiz_round:{quiz.id}",
        f"/organizer/writing/{s.contest.id}": f"object=writing_contest:{s.contest.id}",
        f"/organizer/judging/rounds/{rnd.id}": f"object=judging_round:{rnd.id}",
        f"/organizer/writing/entries/{entry.id}": f"object=writing_entry:{entry.id}",
        f"/organizer/users/{target.id}": f"object=user:{target.id}",
    }
    for page_url, query in links.items():
        page = text(client.get(page_url))
        assert f"/organizer/audit?{query}" in page, page_url
        assert client.get(f"/organizer/audit?{query}").status_code == 200


@pytest.mark.parametrize("url", ["/organizer/audit", "/organizer/audit.csv",
                                 "/organizer/audit.xlsx", "/organizer/audit?domain=judging"])
def test_organizers_only(app, login_as, url):
    assert app.test_client().get(url).status_code == 302
    for roles in ((), (Role.JOURNALIST,), (Role.JUDGE,)):
        assert login_as(*roles).get(url).status_code == 403
    assert login_as(Role.ORGANIZER).get(url).status_code == 200
    assert login_as(Role.ADMIN).get(url).status_code == 200
