"""The organizer's judging screens in a real browser, on a phone (360×640) and a desktop: each
renders, fits the width and passes axe-core, from the rubric editor to the prizes."""

from __future__ import annotations

import pytest

from contest.accounts.models import Role
from contest.extensions import db
from contest.judging import assignments, awards, conflicts, lifecycle
from tests.conftest import PASSWORD
from tests.web.judging.judgingkit import now, scene

pytestmark = pytest.mark.browser


def test_the_judging_console_fits_a_phone(app, live_server, page, visit_check, make_user):
    s = scene(app, make_user)
    judges = [s.judge(f"Giám khảo {n}") for n in range(2)]
    entries = [s.entry(category=n % 2, title=f"Nữ đại biểu vùng cao kể chuyện ứng cử {n}")
               for n in range(3)]
    rnd = s.round(judges_per_entry=2, prize_counts={"A": 0, "B": 1, "C": 1, "KK": 1})
    s.seat(rnd)
    assignments.auto_assign(rnd, s.organizer.id)
    s.open(rnd)
    for entry, totals in zip(entries, ((9, 7), (8, 8), (8, 8)), strict=True):
        for judge, total in zip(judges, totals, strict=True):
            s.score(rnd, entry, judge, total)
    lifecycle.close_round(rnd, s.organizer.id, now())
    awards.propose_prizes(rnd, s.organizer)
    conflicts.declare_conflict(judges[0], s.contest, outlet="Báo Hà Tĩnh", reason="Cộng tác viên")
    db.session.commit()
    organizer = make_user(Role.ORGANIZER, email="btc@example.org")

    page.goto(live_server("/login"))
    page.fill("#identifier", organizer.email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.locator("main form button[type=submit]").click()
    steps = [
        ("index", "/organizer/judging"),
        ("rubrics", "/organizer/judging/rubrics"),
        ("rubric-editor", f"/organizer/judging/rubrics/{rnd.rubric.id}"),
        ("contest", f"/organizer/judging/contests/{s.contest.id}"),
        ("round", f"/organizer/judging/rounds/{rnd.id}"),
        ("round-form", f"/organizer/judging/rounds/{rnd.id}/edit"),
        ("judges", f"/organizer/judging/rounds/{rnd.id}/judges"),
        ("invitations", f"/organizer/judging/contests/{s.contest.id}/invitations"),
        ("conflicts", f"/organizer/judging/contests/{s.contest.id}/conflicts"),
        ("assignments", f"/organizer/judging/rounds/{rnd.id}/assignments"),
        ("entry", f"/organizer/judging/rounds/{rnd.id}/entries/{entries[0].id}"),
        ("progress", f"/organizer/judging/rounds/{rnd.id}/progress"),
        ("flagged", f"/organizer/judging/rounds/{rnd.id}/flagged"),
        ("results", f"/organizer/judging/rounds/{rnd.id}/results"),
        ("shortlist", f"/organizer/judging/rounds/{rnd.id}/shortlist"),
        ("prizes", f"/organizer/judging/rounds/{rnd.id}/prizes"),
        ("audit", f"/organizer/judging/rounds/{rnd.id}/audit"),
    ]
    for step, path in steps:
        page.goto(live_server(path))
        visit_check(page, step)
