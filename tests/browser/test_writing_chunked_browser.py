"""A radio journalist adds a large file with JavaScript on, on a phone (360×640) and a desktop:
the new-entry page saves the typed draft first, the edit page sends a 3 MB MP3 in 1 MB pieces
with a progress bar, the connection drops once in the middle and the upload resumes where it
stopped; the file is listed on the page and stored, and what was typed meanwhile is still there.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from contest.accounts.models import Role
from contest.extensions import db
from contest.timeutil import utcnow
from contest.writing import storage
from tests.web.writing.entrykit import (
    IN_WINDOW,
    PASSWORD,
    category,
    entries,
    file_rows,
    make_contest,
    mp3_bytes,
    reload,
)

try:
    from playwright.sync_api import expect
except ImportError:  # the harness skips (or fails under REQUIRE_BROWSER=1) before any test runs
    expect = None

pytestmark = pytest.mark.browser

EMAIL = "lan.pham@vov.vn"
MIB = 1024 * 1024


@pytest.fixture
def app_config(app_config: dict) -> dict:
    app_config["UPLOAD_CHUNK_BYTES"] = MIB
    return app_config


def big_mp3(size: int = 3 * MIB) -> bytes:
    head = mp3_bytes()
    return (head + b"\xff\xfb\x90\x64" * ((size - len(head)) // 4 + 1))[:size]


def press(page, selector: str) -> None:  # noqa: ANN001
    with page.expect_navigation(wait_until="load"):
        page.locator(selector).click()


def test_a_large_file_goes_up_in_pieces_and_resumes_after_a_drop(
        app, live_server, page, visit_check, make_user, clock):
    assert clock.now == IN_WINDOW
    contest = make_contest()
    radio = category(contest, "radio")
    radio.max_file_mb = 5
    db.session.commit()
    radio_id = radio.id
    make_user(Role.JOURNALIST, full_name="Phạm Thị Lan", email=EMAIL,
              email_verified_at=utcnow())

    page.goto(live_server("/login"))
    page.fill("#identifier", EMAIL)
    page.fill("#password", PASSWORD)
    press(page, "main form button[type=submit]")

    # A new entry: typed fields are saved as a draft before any file is sent.
    page.goto(live_server(f"/writing/contests/{contest.id}/entries/new"))
    expect(page.locator("#uploader-later")).to_be_visible()
    page.select_option("#category_id", str(radio_id))
    page.fill("#title", "Tiếng nói nữ đại biểu")
    page.fill("#outlet", "Đài Phát thanh tỉnh")
    press(page, 'button[name="then"][value="files"]')
    [entry] = entries()
    assert urlsplit(page.url).path == f"/writing/entries/{entry.id}/edit"
    expect(page.locator("#title")).to_have_value("Tiếng nói nữ đại biểu")
    expect(page.locator("#uploader")).to_be_visible()
    expect(page.locator("#plain-files")).to_be_hidden()
    visit_check(page, "uploader")

    # The connection drops once, on the second piece.
    dropped = []

    def cut_second_piece(route, request):  # noqa: ANN001
        if (request.method == "PATCH" and request.headers.get("upload-offset") == str(MIB)
                and not dropped):
            dropped.append(request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/uploads/*", cut_second_piece)
    page.fill("#summary", "Gõ trong lúc tải tệp lên.")
    content = big_mp3()
    page.set_input_files("#big-files", {"name": "phong-su.mp3", "mimeType": "audio/mpeg",
                                        "buffer": content})
    state = page.locator("#upload-list .upload-state")
    expect(state).to_have_class("small upload-state ok", timeout=30_000)
    bar = page.locator("#upload-list progress")
    assert bar.evaluate("el => el.value") == len(content)
    assert bar.evaluate("el => el.max") == len(content)
    assert dropped, "the second piece was never cut off"
    expect(page.locator("#file-list a", has_text="phong-su.mp3")).to_have_count(1)
    expect(page.locator("#summary")).to_have_value("Gõ trong lúc tải tệp lên.")
    # The reset this test caused is not a broken asset of the page.
    page.broken_assets[:] = [a for a in page.broken_assets
                             if not a.startswith("net::ERR_CONNECTION_RESET")]
    visit_check(page, "uploaded")

    [row] = file_rows()
    assert row.entry_id == entry.id and row.kind == "mp3" and row.size == len(content)
    stored = storage.file_path(app.config["UPLOAD_ROOT"], row)
    assert stored is not None and stored.read_bytes() == content
    assert reload(type(entry), entry.id).title == "Tiếng nói nữ đại biểu"

    # The typed summary goes with the form's own button, next to the new file.
    press(page, 'button[name="action"][value="save"]')
    saved = reload(type(entry), entry.id)
    assert saved.summary == "Gõ trong lúc tải tệp lên."
    assert [f.original_name for f in saved.files] == ["phong-su.mp3"]
