"""The receipt of a writing-contest entry in a real browser, on a phone (360×640) and a desktop:
it renders, fits the width and passes axe-core; so do the other pages of a journalist."""

from __future__ import annotations

import pytest

from contest.accounts.models import Role
from contest.extensions import db
from contest.timeutil import utcnow
from contest.writing import inputs, service
from contest.writing.notify import display_receipt
from tests.web.writing.entrykit import IN_WINDOW, PASSWORD, category, make_contest, words

try:
    from playwright.sync_api import expect
except ImportError:  # the harness skips (or fails under REQUIRE_BROWSER=1) before any test runs
    expect = None

pytestmark = pytest.mark.browser


def test_the_receipt_page_fits_a_phone(app, live_server, page, visit_check, make_user,
                                       clock):
    assert clock.now == IN_WINDOW
    contest = make_contest()
    author = make_user(Role.JOURNALIST, full_name="Trần Thị Mai", email="mai@example.org",
                       email_verified_at=utcnow())
    result = service.create_entry(
        contest, author,
        inputs.EntryInput(
            category_id=category(contest, "print").id,
            title="Phụ nữ ứng cử đại biểu Hội đồng nhân dân: những câu chuyện từ vùng cao",
            outlet="Báo Nghệ An", published_on=IN_WINDOW.date().replace(year=2025),
            body_source=words(60),
        ),
        upload_root=app.config["UPLOAD_ROOT"], submit=True,
    )
    db.session.commit()
    entry = result.entry

    page.goto(live_server("/login"))
    page.fill("#identifier", author.email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.locator("main form button[type=submit]").click()
    page.goto(live_server(f"/writing/entries/{entry.id}/receipt"))
    expect(page.locator(".receipt-code")).to_contain_text(display_receipt(entry.receipt_code))
    visit_check(page, "receipt")
    page.goto(live_server("/writing/entries"))
    visit_check(page, "my-entries")
    for step, path in (("contests", "/writing/"),
                       ("contest", f"/writing/contests/{contest.id}"),
                       ("new-entry", f"/writing/contests/{contest.id}/entries/new"),
                       ("entry", f"/writing/entries/{entry.id}"),
                       ("edit-entry", f"/writing/entries/{entry.id}/edit")):
        page.goto(live_server(path))
        visit_check(page, step)
