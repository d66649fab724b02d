"""A journalist enters a writing contest in a real browser, on a phone (360×640) and a desktop:
logs in, fills the entry form, attaches a PDF, submits and sees the receipt; every page on the
way fits the width and passes axe-core. A file that only pretends to be a PDF is refused next to
the file field and nothing is stored."""

from __future__ import annotations

import io
from datetime import date
from urllib.parse import urlsplit

import pytest
from flask_babel import force_locale
from PIL import Image
from pypdf import PdfWriter

from contest.accounts.models import Role, User
from contest.extensions import db
from contest.timeutil import utcnow
from contest.writing import files, inputs, messages, service, storage
from contest.writing.eligibility import Problem
from contest.writing.models import Entry, EntryStatus
from contest.writing.notify import display_receipt
from tests.browser.helpers import mail_body, mail_to
from tests.web.writing.entrykit import (
    IN_WINDOW,
    PASSWORD,
    category,
    entries,
    file_rows,
    make_contest,
    reload,
    stored_files,
    words,
)

try:
    from playwright.sync_api import expect
except ImportError:  # the harness skips (or fails under REQUIRE_BROWSER=1) before any test runs
    expect = None

pytestmark = pytest.mark.browser

AUTHOR = "Trần Thị Mai"
EMAIL = "mai.tran@baonghean.vn"
TITLE = "Phụ nữ ứng cử đại biểu Hội đồng nhân dân: những câu chuyện từ vùng cao"


def pdf_upload(author: str = AUTHOR) -> dict:
    """A small, real one-page PDF with the author in its metadata, as Playwright uploads it."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Author": author, "/Title": "Bài dự thi"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return {"name": "bai-du-thi.pdf", "mimeType": "application/pdf",
            "buffer": buffer.getvalue()}


def png_named_pdf() -> dict:
    """PNG bytes under a .pdf name, which the browser even claims to be a PDF."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 90)).save(buffer, "PNG")
    return {"name": "bai.pdf", "mimeType": "application/pdf", "buffer": buffer.getvalue()}


def path_of(page) -> str:  # noqa: ANN001
    return urlsplit(page.url).path


def log_in(page, live_server, email: str) -> None:  # noqa: ANN001
    page.goto(live_server("/login"))
    page.fill("#identifier", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.locator("main form button[type=submit]").click()
    assert path_of(page) != "/login", "the log-in was not accepted"


def press(page, selector: str) -> None:  # noqa: ANN001
    with page.expect_navigation(wait_until="load"):
        page.locator(selector).click()


def mismatch_message(app, name: str) -> str:  # noqa: ANN001
    """The refusal of a PNG called ``name``, as the app says it in Vietnamese."""
    png = files.KINDS["png"]
    problem = Problem("upload_name_mismatch", "files", {
        "name": name, "kind": "png", "kind_label": png.label,
        "extensions": ", ".join(png.extensions),
    })
    with app.test_request_context(), force_locale("vi"):
        return messages.problem_message(problem)


def test_a_journalist_submits_an_entry_with_a_pdf(app, live_server, page, visit_check,
                                                  make_user, clock):
    assert clock.now == IN_WINDOW
    contest = make_contest()
    print_category = category(contest, "print")
    author = make_user(Role.JOURNALIST, full_name=AUTHOR, email=EMAIL,
                       email_verified_at=utcnow())
    author_id = author.id

    log_in(page, live_server, EMAIL)

    # The open contest, reached from the list of contests.
    page.goto(live_server("/writing/"))
    press(page, f"#contest-{contest.id} a")
    assert path_of(page) == f"/writing/contests/{contest.id}"
    visit_check(page, "contest")

    press(page, f'main a.btn[href="/writing/contests/{contest.id}/entries/new"]')
    assert path_of(page) == f"/writing/contests/{contest.id}/entries/new"
    expect(page.locator("#entry-form")).to_be_visible()
    visit_check(page, "empty-form")

    page.select_option("#category_id", str(print_category.id))
    page.fill("#title", TITLE)
    page.fill("#outlet", "Báo Nghệ An")
    published = page.locator("#published_on")
    expect(published).to_have_attribute("type", "date")
    published.fill("2025-06-15")
    page.fill("#url", "https://baonghean.vn/phu-nu-ung-cu-vung-cao")
    page.fill("#summary", "Chân dung những nữ đại biểu Hội đồng nhân dân xã ở vùng cao.")
    page.check("#body_format-0")
    page.fill("#body_source", words(60))
    page.set_input_files("#files", pdf_upload())
    expect(page.locator("#published_on")).to_have_value("2025-06-15")
    assert page.locator("#files").evaluate("el => el.files.length") == 1
    visit_check(page, "filled-form")

    press(page, 'button[name="action"][value="submit"]')
    assert path_of(page).endswith("/receipt"), page.url

    [entry] = entries()
    assert entry.author_id == author_id and entry.status == EntryStatus.SUBMITTED
    assert entry.title == TITLE and entry.category_id == print_category.id
    assert entry.published_on.isoformat() == "2025-06-15" and entry.word_count == 60
    assert path_of(page) == f"/writing/entries/{entry.id}/receipt"
    shown = display_receipt(entry.receipt_code)
    assert entry.receipt_code and shown
    expect(page.locator(".receipt-code strong")).to_have_text(shown)
    expect(page.locator("#receipt-title")).to_be_visible()
    visit_check(page, "receipt")

    [row] = file_rows()
    assert row.entry_id == entry.id and row.kind == "pdf"
    assert row.original_name == "bai-du-thi.pdf"
    stored = storage.file_path(app.config["UPLOAD_ROOT"], row)
    assert stored is not None and stored.is_file()
    assert stored.read_bytes().startswith(b"%PDF")
    assert stored.stat().st_size == row.size

    [mail] = mail_to(live_server.outbox, EMAIL)
    assert shown in mail_body(mail)
    assert f"/writing/entries/{entry.id}" in mail_body(mail)

    # A draft, then a PNG renamed to .pdf added on its edit page: refused beside the field.
    draft = service.create_entry(
        contest, db.session.get(User, author_id),
        inputs.EntryInput(category_id=print_category.id, title="Bản nháp",
                           outlet="Báo Nghệ An", published_on=date(2025, 9, 2),
                           body_source=words(30)),
        upload_root=app.config["UPLOAD_ROOT"], submit=False,
    ).entry
    db.session.commit()
    draft_id = draft.id
    files_before = stored_files(app)

    page.goto(live_server(f"/writing/entries/{draft_id}/edit"))
    visit_check(page, "edit-draft")
    page.set_input_files("#files", png_named_pdf())
    press(page, 'button[name="action"][value="save"]')

    message = mismatch_message(app, "bai.pdf")
    error = page.locator("#files-error")
    expect(error).to_have_text(message)
    # Beside the file field, and the field points at it for screen readers.
    expect(page.locator("#files-section .field.has-error #files")).to_have_count(1)
    described = page.locator("#files").get_attribute("aria-describedby") or ""
    assert "files-error" in described.split()
    expect(page.locator("#form-errors li")).to_have_count(1)
    expect(page.locator("#form-errors li")).to_contain_text(message)
    expect(page.locator("#title")).to_have_value("Bản nháp")
    visit_check(page, "refused-file")

    assert reload(Entry, draft_id).files == []
    assert [r.id for r in file_rows()] == [row.id]
    assert stored_files(app) == files_before
