"""A judge scores an entry with the rubric in a real browser, on a phone (360×640) and a desktop
(1280×800): the list, the score sheet (with a mistake first), the progress after submitting and
the conflicts page all render, fit the width and pass axe-core; so do the readers' vote, the
public results and an author's own results."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from contest.extensions import db
from contest.judging.models import ReaderVote
from tests.conftest import PASSWORD
from tests.web.judging.judgekit import FOR_ENTRANT, Final, blind_scene, now

try:
    from playwright.sync_api import expect
except ImportError:  # the harness skips (or fails under REQUIRE_BROWSER=1) before any test runs
    expect = None

pytestmark = pytest.mark.browser


def test_a_judge_scores_an_entry_and_sees_progress(app, live_server, page, visit_check,
                                                   make_user):
    b = blind_scene(app, make_user)
    criteria = list(b.rnd.rubric.criteria)

    page.goto(live_server("/login"))
    page.fill("#identifier", b.judge.email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.locator("main form button[type=submit]").click()

    page.locator("nav a[href='/judging/']").click()
    page.wait_for_url("**/judging/")
    expect(page.locator("main")).to_contain_text(b.entry.anon_code)
    expect(page.locator("main")).not_to_contain_text(b.other.anon_code)
    visit_check(page, "dashboard")

    page.locator(f"main a:has-text('{b.entry.anon_code}')").first.click()
    page.wait_for_load_state("load")
    expect(page.locator("h1")).to_contain_text(b.entry.anon_code)
    visit_check(page, "sheet")

    # A mistake: more points than the criterion allows. The page says so next to the field.
    page.fill(f"#points-{criteria[0].id}", "9")
    page.fill(f"#points-{criteria[1].id}", "2,5")
    with page.expect_navigation(wait_until="load"):
        page.locator("button[value=submit]").click()
    expect(page.locator(f"#points-{criteria[0].id}-error")).to_be_visible()
    expect(page.locator(f"#points-{criteria[2].id}-error")).to_be_visible()
    visit_check(page, "sheet-errors")

    page.fill(f"#points-{criteria[0].id}", "4")
    page.fill(f"#points-{criteria[1].id}", "2,5")
    page.fill(f"#points-{criteria[2].id}", "1,5")
    page.fill("#entrant_comment", "Đề tài mới, cách kể hấp dẫn.")
    with page.expect_navigation(wait_until="load"):
        page.locator("button[value=submit]").click()
    expect(page.locator(".flashes")).to_be_visible()
    expect(page.locator("main table tfoot")).to_contain_text("8")
    expect(page.locator("#round-progress")).to_contain_text("1")
    visit_check(page, "sheet-submitted")

    page.goto(live_server(f"/judging/rounds/{b.rnd.id}"))
    expect(page.locator(f"#progress-{b.rnd.id}")).to_contain_text("1")
    expect(page.locator(f"#progress-{b.rnd.id}")).to_contain_text("2")
    visit_check(page, "round")

    page.goto(live_server(f"/judging/contests/{b.s.contest.id}/conflicts"))
    visit_check(page, "conflicts")
    page.goto(live_server("/judging/"))
    visit_check(page, "dashboard-after")


def _log_in(page, live_server, email: str) -> None:  # noqa: ANN001
    page.goto(live_server("/login"))
    page.fill("#identifier", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.locator("main form button[type=submit]").click()


def test_the_vote_results_and_an_authors_results_pass_axe(app, live_server, page, visit_check,
                                                          make_user):
    f = Final(app, make_user)
    contest = f.s.contest
    contest.blind = False  # a blind contest being judged shows no ballot
    contest.readers_vote = True
    contest.vote_opens_at = now() - timedelta(days=1)
    contest.vote_closes_at = now() + timedelta(days=1)
    db.session.commit()
    voter = make_user(email_verified_at=now())

    _log_in(page, live_server, voter.email)
    page.goto(live_server(f"/judging/contests/{contest.id}/vote"))
    visit_check(page, "vote-open")
    page.locator(f"#vote-{f.second.id}").check()
    with page.expect_navigation(wait_until="load"):
        page.locator(f"#vote-{f.second.id}").locator("xpath=ancestor::form")\
            .locator("button[type=submit]").click()
    expect(page.locator(".flashes")).to_be_visible()
    assert db.session.execute(select(func.count()).select_from(ReaderVote)).scalar_one() == 1
    visit_check(page, "vote-cast")

    f.publish()
    contest.vote_closes_at = now() - timedelta(minutes=1)
    db.session.commit()
    page.goto(live_server(f"/judging/contests/{contest.id}/vote"))
    visit_check(page, "vote-closed")
    page.goto(live_server(f"/judging/contests/{contest.id}/results"))
    expect(page.locator("main")).to_contain_text(f.winner.title)
    visit_check(page, "results")

    page.context.clear_cookies()
    _log_in(page, live_server, f.author.email)
    page.locator("nav a[href='/judging/my-results']").click()
    page.wait_for_load_state("load")
    expect(page.locator("main")).to_contain_text(FOR_ENTRANT)
    visit_check(page, "my-results")
