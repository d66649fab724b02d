"""Organizer console: the entries of a writing contest — list and search, detail, disqualify and
reinstate, changes after the deadline with their audit history, file downloads."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from contest.accounts.models import Role
from contest.extensions import db
from contest.writing.files import WARN_AUDIO_VIDEO
from contest.writing.models import Entry, EntryFile, EntryStatus
from tests.conftest import login
from tests.web.writing import organizer_kit as kit
from tests.web.writing.organizer_kit import (
    PDF,
    close_window,
    events,
    field_error,
    flashes,
    make_contest,
    make_entry,
    reload,
    text,
)

organizer = kit.organizer


@pytest.fixture
def contest():
    return make_contest(categories=2)


@pytest.fixture
def journalist(make_user):
    return make_user(Role.JOURNALIST, full_name="Lê Thị Hoa", phone="+84912345678")


def entry_titles(response) -> list[str]:
    page = text(response)
    return [t for t in ("Nữ đại biểu", "Bình đẳng ở xã", "Cán bộ nữ", "Bản nháp")
            if t in page]


# --- list and search -----------------------------------------------------------------------


def test_entries_are_listed_searched_and_filtered(app, organizer, contest, journalist,
                                                  make_user):
    other = make_user(Role.JOURNALIST, full_name="Phạm Văn Nam")
    first, second = contest.categories
    a = make_entry(app, contest, first, journalist, title="Nữ đại biểu")
    b = make_entry(app, contest, second, other, title="Bình đẳng ở xã")
    make_entry(app, contest, first, other, title="Cán bộ nữ", status=EntryStatus.DISQUALIFIED)
    make_entry(app, contest, first, other, title="Bản nháp", status=EntryStatus.DRAFT)
    url = f"/organizer/writing/{contest.id}/entries"

    response = organizer.get(url)
    assert entry_titles(response) == ["Nữ đại biểu", "Bình đẳng ở xã", "Cán bộ nữ", "Bản nháp"]
    assert "4 entries" in text(response)

    assert entry_titles(organizer.get(url, query_string={"q": "đại biểu"})) == ["Nữ đại biểu"]
    assert entry_titles(organizer.get(url, query_string={"q": b.anon_code})) == [
        "Bình đẳng ở xã"]
    assert entry_titles(organizer.get(url, query_string={"q": a.receipt_code.lower()})) == [
        "Nữ đại biểu"]
    assert entry_titles(organizer.get(url, query_string={"q": "Phạm Văn"})) == [
        "Bình đẳng ở xã", "Cán bộ nữ", "Bản nháp"]
    assert entry_titles(organizer.get(url, query_string={"category": second.id})) == [
        "Bình đẳng ở xã"]
    assert entry_titles(organizer.get(url, query_string={"status": "disqualified"})) == [
        "Cán bộ nữ"]
    assert entry_titles(organizer.get(url, query_string={
        "category": first.id, "status": "submitted"})) == ["Nữ đại biểu"]
    assert "No entry matches." in text(organizer.get(url, query_string={"q": "100%_"}))
    # Unknown filters are ignored rather than failing.
    assert len(entry_titles(organizer.get(url, query_string={"status": "x", "category": "y"}))
               ) == 4


def test_entries_are_paged(app, organizer, contest, journalist, monkeypatch):
    from contest.writing.console import entries as writing

    monkeypatch.setattr(writing, "PAGE_SIZE", 2)
    for n in range(5):
        make_entry(app, contest, contest.categories[0], journalist, title=f"Bài {n}")
    url = f"/organizer/writing/{contest.id}/entries"
    page = text(organizer.get(url, query_string={"page": 3}))
    assert "page 3 of 3" in page and page.count("Bài ") == 1
    # A page past the end shows the last one.
    assert "page 3 of 3" in text(organizer.get(url, query_string={"page": 99}))
    assert "Bài 0" in text(organizer.get(url, query_string={"page": 99, "q": "Bài 0"}))


# --- detail --------------------------------------------------------------------------------


def test_entry_detail_shows_everything_to_organizers(app, organizer, contest, journalist):
    entry = make_entry(app, contest, contest.categories[0], journalist, title="Nữ đại biểu",
                       pen_name="Hoa Sen", prior_award="Giải C báo chí tỉnh 2024",
                       files=[("Bài báo gốc.pdf", PDF, "pdf"), ("phong-su.mp3", b"ID3", "mp3")])
    mp3 = entry.files[1]
    mp3.clean_warning = WARN_AUDIO_VIDEO
    db.session.commit()
    page = text(organizer.get(f"/organizer/writing/entries/{entry.id}"))
    for expected in ("Nữ đại biểu", "Lê Thị Hoa", journalist.email, "+84912345678", "Hoa Sen",
                     "Giải C báo chí tỉnh 2024", entry.anon_code, entry.receipt_code,
                     "Bài báo gốc.pdf", "phong-su.mp3",
                     "Metadata of audio and video files is not checked."):
        assert expected in page, expected


def test_organizer_downloads_a_file(app, organizer, contest, journalist):
    entry = make_entry(app, contest, contest.categories[0], journalist,
                       files=[("Bài báo.pdf", PDF, "pdf")])
    response = organizer.get(f"/organizer/writing/entries/{entry.id}/files/{entry.files[0].id}")
    assert response.status_code == 200
    assert response.data == PDF
    assert "attachment" in response.headers["Content-Disposition"]
    # No cleaned copy was made for this file.
    assert organizer.get(f"/organizer/writing/entries/{entry.id}/files/{entry.files[0].id}"
                         "?clean=1").status_code == 404
    other = make_entry(app, contest, contest.categories[0], journalist)
    assert organizer.get(f"/organizer/writing/entries/{other.id}/files/{entry.files[0].id}"
                         ).status_code == 404


# --- disqualify and reinstate --------------------------------------------------------------


def test_disqualify_needs_a_reason(app, organizer, contest, journalist):
    entry = make_entry(app, contest, contest.categories[0], journalist)
    response = organizer.post(f"/organizer/writing/entries/{entry.id}/disqualify",
                              data={"reason": "  "}, follow_redirects=True)
    assert "Give the reason." in flashes(response)
    assert reload(Entry, entry.id).status == EntryStatus.SUBMITTED
    assert events(subject_type="writing_entry") == []


def test_disqualified_entry_shows_the_reason_to_its_author(app, organizer, contest,
                                                           journalist):
    entry = make_entry(app, contest, contest.categories[0], journalist)
    response = organizer.post(f"/organizer/writing/entries/{entry.id}/disqualify",
                              data={"reason": "Tác phẩm đã đăng trước thời hạn."},
                              follow_redirects=True)
    assert "The entry is disqualified. Its author sees the reason." in flashes(response)
    entry = reload(Entry, entry.id)
    assert entry.status == EntryStatus.DISQUALIFIED
    assert entry.disqualified_reason == "Tác phẩm đã đăng trước thời hạn."
    assert entry.disqualified_at is not None
    (event,) = events("writing.entry.disqualify")
    assert event.reason == "Tác phẩm đã đăng trước thời hạn."

    author = app.test_client()
    author.set_cookie("lang", "en")
    login(author, journalist)
    page = text(author.get(f"/writing/entries/{entry.id}"))
    assert "Tác phẩm đã đăng trước thời hạn." in page

    # The organizer's history lists it.
    page = text(organizer.get(f"/organizer/writing/entries/{entry.id}/history"))
    assert "Disqualified" in page and "Tác phẩm đã đăng trước thời hạn." in page


def test_only_submitted_entries_are_disqualified(app, organizer, contest, journalist):
    entry = make_entry(app, contest, contest.categories[0], journalist,
                       status=EntryStatus.WITHDRAWN)
    response = organizer.post(f"/organizer/writing/entries/{entry.id}/disqualify",
                              data={"reason": "x"}, follow_redirects=True)
    assert "Only a submitted entry can be disqualified." in flashes(response)
    assert reload(Entry, entry.id).status == EntryStatus.WITHDRAWN


def test_reinstate(app, organizer, contest, journalist):
    entry = make_entry(app, contest, contest.categories[0], journalist,
                       status=EntryStatus.DISQUALIFIED)
    response = organizer.post(f"/organizer/writing/entries/{entry.id}/reinstate",
                              data={"reason": "Khiếu nại được chấp nhận"},
                              follow_redirects=True)
    assert "The entry is reinstated." in flashes(response)
    entry = reload(Entry, entry.id)
    assert (entry.status, entry.disqualified_reason, entry.disqualified_at) == (
        EntryStatus.SUBMITTED, "", None)
    (event,) = events("writing.entry.reinstate")
    assert event.reason == "Khiếu nại được chấp nhận"
    assert event.details["previous_reason"] == "Đạo văn"
    response = organizer.post(f"/organizer/writing/entries/{entry.id}/reinstate",
                              follow_redirects=True)
    assert "The entry is not disqualified." in flashes(response)


def test_reinstate_respects_the_cap(app, organizer, journalist):
    contest = make_contest(max_entries_per_author=1)
    category = contest.categories[0]
    entry = make_entry(app, contest, category, journalist, status=EntryStatus.DISQUALIFIED)
    make_entry(app, contest, category, journalist)
    response = organizer.post(f"/organizer/writing/entries/{entry.id}/reinstate",
                              follow_redirects=True)
    assert reload(Entry, entry.id).status == EntryStatus.DISQUALIFIED
    assert any("Lê Thị Hoa" in m for m in flashes(response))
    assert events("writing.entry.reinstate") == []


# --- changes after the deadline ------------------------------------------------------------


def edit_form(entry: Entry, **changes) -> dict:  # noqa: ANN003
    data = {
        "category_id": str(entry.category_id), "title": entry.title, "outlet": entry.outlet,
        "published_on": entry.published_on.isoformat() if entry.published_on else "",
        "url": entry.url, "pen_name": entry.pen_name, "summary": entry.summary,
        "body_format": "markdown", "body_source": entry.body_source,
        "prior_award": entry.prior_award, "reason": "",
    }
    data.update(changes)
    return data


def test_organizer_change_after_the_deadline_needs_a_reason_and_is_audited(
        app, organizer, contest, journalist):
    entry = make_entry(app, contest, contest.categories[0], journalist, title="Tên cũ")
    close_window(contest)
    url = f"/organizer/writing/entries/{entry.id}/edit"
    page = text(organizer.get(url))
    assert "Tên cũ" in page and "Reason for the change" in page

    response = organizer.post(url, data=edit_form(entry, title="Tên mới"))
    assert response.status_code == 400
    assert field_error(response, "reason") == "Give the reason for the change."
    assert reload(Entry, entry.id).title == "Tên cũ"
    assert events(subject_type="writing_entry") == []

    response = organizer.post(url, data=edit_form(entry, title="Tên mới",
                                                  reason="Tác giả báo sai tên bài"))
    assert response.status_code == 302, text(response)[:2000]
    entry = reload(Entry, entry.id)
    assert entry.title == "Tên mới" and entry.status == EntryStatus.SUBMITTED
    (event,) = events("writing.entry.update")
    assert event.reason == "Tác giả báo sai tên bài"
    assert event.subject_id == str(entry.id)
    assert event.details["changes"]["title"] == {"old": "Tên cũ", "new": "Tên mới"}

    page = text(organizer.get(f"/organizer/writing/entries/{entry.id}/history"))
    assert "Changed by an organizer" in page and "Tác giả báo sai tên bài" in page
    assert "Tên cũ → Tên mới" in page


def test_organizer_change_that_breaks_a_rule_changes_nothing(app, organizer, contest,
                                                            journalist):
    entry = make_entry(app, contest, contest.categories[0], journalist, title="Tên cũ")
    close_window(contest)
    response = organizer.post(f"/organizer/writing/entries/{entry.id}/edit",
                              data=edit_form(entry, title="Tên mới",
                                             published_on="2019-01-01", reason="Sửa ngày"))
    assert response.status_code == 400
    assert "must have been published between" in field_error(response, "published_on")
    entry = reload(Entry, entry.id)
    assert (entry.title, entry.published_on) == ("Tên cũ", date(2025, 3, 8))
    assert events("writing.entry.update") == []


def test_withdrawn_entries_cannot_be_changed(app, organizer, contest, journalist):
    entry = make_entry(app, contest, contest.categories[0], journalist,
                       status=EntryStatus.WITHDRAWN)
    response = organizer.get(f"/organizer/writing/entries/{entry.id}/edit",
                             follow_redirects=True)
    assert any("cannot be changed" in m for m in flashes(response))


def test_organizer_removes_a_file_with_a_reason(app, organizer, contest, journalist):
    entry = make_entry(app, contest, contest.categories[0], journalist,
                       files=[("a.pdf", PDF, "pdf"), ("b.pdf", PDF, "pdf")])
    close_window(contest)
    file_id = entry.files[1].id
    url = f"/organizer/writing/entries/{entry.id}/files/{file_id}/remove"
    response = organizer.post(url, data={"remove-reason": ""}, follow_redirects=True)
    assert "Give the reason." in flashes(response)
    assert db.session.get(EntryFile, file_id) is not None

    response = organizer.post(url, data={"remove-reason": "Tệp trùng"}, follow_redirects=True)
    assert "The file is removed." in flashes(response)
    assert reload(EntryFile, file_id) is None
    (event,) = events("writing.entry.remove_file")
    assert event.reason == "Tệp trùng"
    names = db.session.execute(select(EntryFile.original_name)).scalars().all()
    assert names == ["a.pdf"]


def test_history_is_empty_at_first(app, organizer, contest, journalist):
    entry = make_entry(app, contest, contest.categories[0], journalist)
    page = text(organizer.get(f"/organizer/writing/entries/{entry.id}/history"))
    assert "No change by an organizer so far." in page
