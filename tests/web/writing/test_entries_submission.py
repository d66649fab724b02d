"""Submitting, the receipt and its e-mail, anonymised codes, withdrawal, and changes after the
deadline (organizers only, with a reason, recorded)."""
# ruff: noqa: F811 - the fixtures imported from entrykit are parameters of the tests

from __future__ import annotations

import re
from datetime import date, timedelta

from contest.writing.models import Entry, EntryStatus
from tests.web.writing.entrykit import (  # noqa: F401
    AUTHOR_EMAIL,
    CLOSES,
    IN_WINDOW,
    category,
    contest,
    draft_entry,
    edit_entry,
    entry_form,
    events,
    main_text,
    make_contest,
    people,
    reload,
    submitted_entry,
    text,
    words,
)

RECEIPT = re.compile(r"^[0-9A-HJKMNP-TV-Z]{10}$")


def outbox(app) -> list:  # noqa: ANN001
    return app.extensions.setdefault("outbox", [])


def test_submitting_gives_a_receipt_an_anonymised_code_and_an_e_mail(app, people, contest,
                                                                     clock):
    entry = draft_entry(people.author, contest, title="Nữ lãnh đạo xã")
    outbox(app).clear()
    response = people.author.post(f"/writing/entries/{entry.id}/submit")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/writing/entries/{entry.id}/receipt"
    entry = reload(Entry, entry.id)
    assert entry.status == EntryStatus.SUBMITTED
    assert entry.submitted_at == IN_WINDOW
    assert RECEIPT.match(entry.receipt_code)
    assert entry.anon_code == "BC-001"

    [message] = outbox(app)
    assert message["To"] == AUTHOR_EMAIL
    assert "Nữ lãnh đạo xã" in message["Subject"]
    body = message.get_content()
    shown = f"{entry.receipt_code[:5]}-{entry.receipt_code[5:]}"
    assert shown in body
    assert f"http://localhost/writing/entries/{entry.id}" in body
    assert "BC-001" not in body  # the blind-review code is not the author's business

    receipt = people.author.get(f"/writing/entries/{entry.id}/receipt")
    assert receipt.status_code == 200
    page = main_text(receipt)
    assert shown in page and "Nữ lãnh đạo xã" in page
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in text(receipt)


def test_anonymised_codes_follow_each_other_per_contest_and_are_never_reused(
        people, contest, clock):
    first = submitted_entry(people.author, contest, title="Một")
    second = submitted_entry(people.other, contest, title="Hai")
    assert (first.anon_code, second.anon_code) == ("BC-001", "BC-002")
    assert first.receipt_code != second.receipt_code
    assert people.author.post(f"/writing/entries/{first.id}/withdraw").status_code == 302
    third = submitted_entry(people.author, contest, title="Ba")
    assert third.anon_code == "BC-003"
    assert reload(Entry, first.id).anon_code == "BC-001"
    other_contest = make_contest("Giải viết về nữ đại biểu", prefix="NDB")
    elsewhere = submitted_entry(people.author, other_contest, title="Bốn")
    assert elsewhere.anon_code == "NDB-001"


def test_save_and_submit_in_one_step_sends_the_receipt(app, people, contest, clock):
    outbox(app).clear()
    entry = submitted_entry(people.author, contest, title="Một bước")
    assert entry.status == EntryStatus.SUBMITTED and entry.anon_code == "BC-001"
    assert len(outbox(app)) == 1


def test_my_entries_lists_status_receipt_and_time_left(people, contest, clock):
    entry = submitted_entry(people.author, contest, title="Bài đã nộp")
    draft_entry(people.author, contest, title="Bài nháp")
    page = main_text(people.author.get("/writing/entries"))
    assert "Bài đã nộp" in page and "Bài nháp" in page
    assert f"{entry.receipt_code[:5]}-{entry.receipt_code[5:]}" in page
    assert "Submitted" in page and "Draft" in page
    # 10 March 03:00 to 31 March 10:00 UTC
    assert "21 days 7 hours left" in page
    clock.now = CLOSES - timedelta(minutes=5)
    assert "5 minutes left" in main_text(people.author.get("/writing/entries"))
    clock.now = CLOSES
    assert "left" not in main_text(people.author.get("/writing/entries")).split("Deadline")[1]


def test_the_contest_pages_show_rules_categories_and_the_open_window(people, contest, clock):
    listing = main_text(people.author.get("/writing/"))
    assert contest.title in listing and "Open for entries" in listing
    assert f'href="/writing/contests/{contest.id}/entries/new"' in listing
    page = main_text(people.author.get(f"/writing/contests/{contest.id}"))
    assert "Thể lệ giải." in page
    for name in ("Báo in", "Báo điện tử", "Phát thanh", "Ảnh báo chí"):
        assert name in page
    assert "20 to 200 words" in page and "at most 2, co-authored entries included" in page
    clock.now = CLOSES
    assert "/entries/new" not in main_text(people.author.get(f"/writing/contests/{contest.id}"))
    assert people.author.get(f"/writing/contests/{contest.id}/entries/new").status_code == 302


def test_only_journalists_start_entries(people, contest, clock, login_as):
    entrant = login_as()
    assert entrant.get(f"/writing/contests/{contest.id}/entries/new").status_code == 403
    assert people.judge.get(f"/writing/contests/{contest.id}/entries/new").status_code == 403


def test_the_author_withdraws_an_entry(people, contest, clock):
    entry = submitted_entry(people.author, contest)
    confirm = people.author.get(f"/writing/entries/{entry.id}/withdraw")
    assert confirm.status_code == 200 and "Withdraw" in main_text(confirm)
    clock.now = IN_WINDOW + timedelta(hours=2)
    assert people.author.post(f"/writing/entries/{entry.id}/withdraw").status_code == 302
    entry = reload(Entry, entry.id)
    assert entry.status == EntryStatus.WITHDRAWN
    assert entry.withdrawn_at == IN_WINDOW + timedelta(hours=2)
    # A withdrawn entry is neither changed nor submitted again.
    assert edit_entry(people.author, entry.id, entry_form(
        category(contest, "print"), title="Lại")).status_code == 400
    assert people.author.post(f"/writing/entries/{entry.id}/submit").status_code == 400
    assert reload(Entry, entry.id).status == EntryStatus.WITHDRAWN


def test_the_author_cannot_withdraw_after_the_deadline(people, contest, clock):
    entry = submitted_entry(people.author, contest)
    clock.now = CLOSES
    response = people.author.post(f"/writing/entries/{entry.id}/withdraw")
    assert response.status_code == 400
    assert reload(Entry, entry.id).status == EntryStatus.SUBMITTED


def test_after_the_deadline_an_organizer_changes_an_entry_only_with_a_reason(
        people, contest, clock):
    entry = submitted_entry(people.author, contest, title="Tiêu đề gốc",
                            published_on="2025-06-15")
    clock.now = CLOSES + timedelta(days=2)
    form = entry_form(category(contest, "print"), title="Tiêu đề đã sửa",
                      published_on="2025-06-16")

    by_author = edit_entry(people.author, entry.id, form)
    assert by_author.status_code == 400

    no_reason = edit_entry(people.organizer, entry.id, form)
    assert no_reason.status_code == 400
    assert "say why the entry is changed" in main_text(no_reason)
    assert reload(Entry, entry.id).title == "Tiêu đề gốc"
    assert events("writing.entry.update") == []

    reason = "Tác giả báo sai ngày đăng; đã đối chiếu bản in."
    done = edit_entry(people.organizer, entry.id, {**form, "reason": reason})
    assert done.status_code == 302
    entry = reload(Entry, entry.id)
    assert entry.title == "Tiêu đề đã sửa"
    assert entry.published_on == date(2025, 6, 16)
    assert entry.status == EntryStatus.SUBMITTED

    [event] = events("writing.entry.update")
    assert event.actor_id == people.organizer.user.id
    assert event.subject_type == "writing_entry" and event.subject_id == str(entry.id)
    assert event.reason == reason
    assert event.at is not None
    changes = event.details["changes"]
    assert changes["title"] == {"old": "Tiêu đề gốc", "new": "Tiêu đề đã sửa"}
    assert changes["published_on"] == {"old": "2025-06-15", "new": "2025-06-16"}
    assert set(changes) == {"title", "published_on"}


def test_an_organizers_change_after_the_deadline_must_still_meet_the_rules(
        people, contest, clock):
    entry = submitted_entry(people.author, contest, title="Gốc")
    clock.now = CLOSES + timedelta(days=1)
    response = edit_entry(people.organizer, entry.id, entry_form(
        category(contest, "print"), title="Ngắn", body_source=words(3), reason="Rút gọn"))
    assert response.status_code == 400
    assert "The typed text has 3 words; this category takes 20 to 200 words." in \
        main_text(response)
    assert reload(Entry, entry.id).title == "Gốc"
    assert events("writing.entry.update") == []


def test_an_organizer_withdraws_after_the_deadline_with_a_reason(people, contest, clock):
    entry = submitted_entry(people.author, contest)
    clock.now = CLOSES + timedelta(days=1)
    assert people.organizer.post(f"/writing/entries/{entry.id}/withdraw").status_code == 400
    assert reload(Entry, entry.id).status == EntryStatus.SUBMITTED
    response = people.organizer.post(f"/writing/entries/{entry.id}/withdraw",
                                     data={"reason": "Tác giả xin rút"})
    assert response.status_code == 302
    assert reload(Entry, entry.id).status == EntryStatus.WITHDRAWN
    [event] = events("writing.entry.withdraw")
    assert event.reason == "Tác giả xin rút"
    assert event.details["changes"]["status"] == {"old": "submitted", "new": "withdrawn"}


def test_messages_are_in_vietnamese_by_default(people, contest, clock, login_as):
    from contest.accounts.models import Role

    vietnamese = login_as(Role.JOURNALIST, email_verified_at=IN_WINDOW)
    response = vietnamese.post(
        f"/writing/contests/{contest.id}/entries/new",
        data=entry_form(category(contest, "print"), action="submit", body_source=words(5)),
        content_type="multipart/form-data")
    assert response.status_code == 400
    page = main_text(response)
    assert "Văn bản đã nhập có 5 chữ; thể loại này nhận từ 20 đến 200 chữ." in page
    assert "Chưa có gì được lưu." in page
