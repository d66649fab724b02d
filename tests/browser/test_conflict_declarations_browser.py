"""In a real browser, on a phone (360×640) and a desktop: a judge declares a conflict from the
score sheet, the entry stays in their list, and the organizer confirms it from the round's
console page; every page fits the width and passes axe-core."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.web.judging.judgekit import blind_scene

try:
    from playwright.sync_api import expect
except ImportError:  # the harness skips (or fails under REQUIRE_BROWSER=1) before any test runs
    expect = None

pytestmark = pytest.mark.browser


def _log_in(page, live_server, email: str) -> None:  # noqa: ANN001
    page.context.clear_cookies()
    page.goto(live_server("/login"))
    page.fill("#identifier", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.locator("main form button[type=submit]").click()


def test_a_declaration_from_the_sheet_waits_for_the_organizer(app, live_server, page,
                                                              visit_check, make_user):
    b = blind_scene(app, make_user)
    sheet = live_server(f"/judging/assignments/{b.assignment(b.entry, b.judge).id}")
    _log_in(page, live_server, b.judge.email)
    page.goto(sheet)
    page.locator("#conflict summary").click()
    page.fill("#conflict-reason", "Tôi đã biên tập bài này")
    visit_check(page, "sheet-declare")
    with page.expect_navigation(wait_until="load"):
        page.locator("#conflict button[type=submit]").click()
    expect(page.locator("#conflict")).to_contain_text(b.entry.anon_code)
    visit_check(page, "sheet-declared")
    page.goto(live_server(f"/judging/rounds/{b.rnd.id}"))
    expect(page.locator("main")).to_contain_text(b.entry.anon_code)

    _log_in(page, live_server, b.organizer.email)
    page.goto(live_server(f"/organizer/judging/rounds/{b.rnd.id}"))
    expect(page.locator("#declarations")).to_contain_text(b.judge.full_name)
    visit_check(page, "round-console")
    with page.expect_navigation(wait_until="load"):
        page.locator("#declarations button[type=submit]").first.click()
    expect(page.locator(".flashes")).to_be_visible()
    expect(page.locator("#declarations")).not_to_contain_text(b.judge.full_name)
    visit_check(page, "round-console-decided")
