"""The word count of an entry sent as a scanned PDF, in a real browser on a phone (360×640) and
a desktop: the author's page says it could not be counted, the organizer's page flags it and
the organizer sets the count with a reason; every page fits the width and passes axe-core."""

from __future__ import annotations

import io

import pytest

from contest.accounts.models import Role
from contest.extensions import db
from contest.timeutil import utcnow
from contest.writing import inputs, service
from tests.web.writing.entrykit import IN_WINDOW, PASSWORD, category, make_contest, pdf_bytes

try:
    from playwright.sync_api import expect
except ImportError:  # the harness skips (or fails under REQUIRE_BROWSER=1) before any test runs
    expect = None

pytestmark = pytest.mark.browser


def log_in(page, live_server, email: str) -> None:  # noqa: ANN001
    page.goto(live_server("/login"))
    page.fill("#identifier", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.locator("main form button[type=submit]").click()


def test_a_scanned_entry_is_flagged_and_its_count_set_by_an_organizer(
        app, live_server, page, visit_check, make_user, clock, browser):
    assert clock.now == IN_WINDOW
    contest = make_contest()
    author = make_user(Role.JOURNALIST, full_name="Trần Thị Mai", email="mai@example.org",
                       email_verified_at=utcnow(), locale="en")
    organizer = make_user(Role.ORGANIZER, full_name="Đỗ Lan Anh", email="btc@example.org",
                          email_verified_at=utcnow(), locale="en")
    entry = service.create_entry(
        contest, author,
        inputs.EntryInput(
            category_id=category(contest, "print").id,
            title="Phụ nữ ứng cử đại biểu Hội đồng nhân dân: những câu chuyện từ vùng cao",
            outlet="Báo Nghệ An", published_on=IN_WINDOW.date().replace(year=2025),
            uploads=[inputs.Upload(io.BytesIO(pdf_bytes()), "ban-chup-bai-bao.pdf")],
        ),
        upload_root=app.config["UPLOAD_ROOT"], submit=True,
    ).entry
    db.session.commit()

    log_in(page, live_server, author.email)
    page.goto(live_server(f"/writing/entries/{entry.id}"))
    expect(page.locator("#word-count")).to_contain_text("ban-chup-bai-bao.pdf")
    visit_check(page, "author-entry")

    page.context.clear_cookies()
    log_in(page, live_server, organizer.email)
    page.goto(live_server(f"/organizer/writing/entries/{entry.id}"))
    expect(page.locator("#words-unknown")).to_be_visible()
    visit_check(page, "organizer-entry-unknown")
    page.fill("#word-override input[name=words]", "850")
    page.fill("#word-override textarea[name=reason]", "Bản chụp; đếm trên bản giấy")
    with page.expect_navigation(wait_until="load"):
        page.locator("#word-override button[type=submit]").click()
    expect(page.locator("#word-count")).to_contain_text("Bản chụp; đếm trên bản giấy")
    visit_check(page, "organizer-entry-override")
