"""Word counts taken from the entry's PDF and DOCX files when no text is typed: shown with where
they came from, checked against the category's range, and set by an organizer (with a reason,
audited) when a scanned document has no text to count."""
# ruff: noqa: F811 - the fixtures imported from entrykit are parameters of the tests

from __future__ import annotations

import pytest
from fpdf import FPDF

from contest import fonts
from contest.accounts.models import Role
from contest.writing.models import Entry, EntryStatus
from tests.web.writing.entrykit import (  # noqa: F401
    category,
    contest,
    count,
    docx_bytes,
    edit_entry,
    entry_form,
    entry_id_from,
    events,
    main_text,
    new_entry,
    pdf_bytes,
    people,
    reload,
    submitted_entry,
    text,
    verified,
    words,
)


def text_pdf(*pages: str) -> bytes:
    """A PDF with a text layer, one page per argument, in the shipped Noto Sans."""
    pdf = FPDF()
    pdf.add_font("Noto", "", str(fonts.path()))
    for page in pages:
        pdf.add_page()
        pdf.set_font("Noto", size=11)
        pdf.multi_cell(0, 6, page)
    return bytes(pdf.output())


def outbox(app) -> list:  # noqa: ANN001
    return app.extensions.setdefault("outbox", [])


def submit_files(client, contest, uploads, **overrides):  # noqa: ANN001, ANN201
    return new_entry(client, contest, entry_form(category(contest, "print"), action="submit",
                                                 body_source="", **overrides), uploads)


def test_a_pdf_only_entry_inside_the_range_is_submitted_and_shows_its_count(app, people,
                                                                         contest, clock):
    outbox(app).clear()
    entry = submitted_entry(people.author, contest, body_source="",
                            uploads=[(text_pdf(words(60), words(15)), "bai.pdf")])
    assert (entry.status, entry.word_count, entry.word_source) == \
        (EntryStatus.SUBMITTED, 75, "files")
    assert entry.files[0].word_count == 75

    shown = "75, from bai.pdf"
    assert shown in main_text(people.author.get(f"/writing/entries/{entry.id}"))
    assert shown in main_text(people.author.get(f"/writing/entries/{entry.id}/receipt"))
    [mail] = outbox(app)
    assert f"Words: {shown}" in mail.get_content()
    console = main_text(people.organizer.get(f"/organizer/writing/entries/{entry.id}"))
    assert shown in console and "Word count unknown" not in console


def test_typed_text_is_counted_before_the_files(people, contest, clock):
    entry = submitted_entry(people.author, contest, body_source=words(30),
                            uploads=[(text_pdf(words(500)), "bai.pdf")])
    assert (entry.word_count, entry.word_source) == (30, "text")
    page = main_text(people.author.get(f"/writing/entries/{entry.id}"))
    assert "30, from the typed text" in page


@pytest.mark.parametrize("n, message", [
    (250, "bai.pdf: 250 words; this category takes 20 to 200 words."),
    (12, "bai.pdf: 12 words; this category takes 20 to 200 words."),
])
def test_a_pdf_outside_the_range_is_refused_with_its_count(app, people, contest, clock, n,
                                                           message):
    response = submit_files(people.author, contest, [(text_pdf(words(n)), "bai.pdf")])
    assert response.status_code == 400
    assert message in main_text(response)
    assert count(Entry) == 0


def test_the_range_message_is_in_vietnamese_too(login_as, contest, clock):
    vietnamese = login_as(Role.JOURNALIST, **verified(full_name="Phan Thị Lan",
                                                      email="lan.phan@example.org",
                                                      locale="vi"))
    vietnamese.set_cookie("lang", "vi")
    response = submit_files(vietnamese, contest, [(text_pdf(words(250)), "bai.pdf")])
    assert response.status_code == 400
    assert "bai.pdf: 250 chữ; thể loại này nhận từ 20 đến 200 chữ." in main_text(response)
    assert count(Entry) == 0


def test_docx_files_are_counted_and_several_documents_are_summed(people, contest, clock):
    entry = submitted_entry(people.author, contest, body_source="",
                            uploads=[(docx_bytes(words(80)), "bai.docx")])
    assert (entry.word_count, entry.word_source) == (80, "files")
    assert "80, from bai.docx" in main_text(people.author.get(f"/writing/entries/{entry.id}"))

    both = submitted_entry(people.author, contest, body_source="", title="Hai tệp",
                           uploads=[(text_pdf(words(50)), "bai.pdf"),
                                    (docx_bytes(words(40)), "phu-luc.docx")])
    assert both.word_count == 90
    assert "90, from bai.pdf, phu-luc.docx" in main_text(
        people.author.get(f"/writing/entries/{both.id}"))

    too_long = submit_files(people.other, contest, [(text_pdf(words(150)), "bai.pdf"),
                                                    (docx_bytes(words(60)), "phu-luc.docx")])
    assert too_long.status_code == 400
    assert "bai.pdf, phu-luc.docx: 210 words; this category takes 20 to 200 words." in \
        main_text(too_long)


def scanned_entry(people, contest) -> Entry:  # noqa: ANN001
    """A submitted entry whose only document is a PDF without a text layer."""
    entry = submitted_entry(people.author, contest, body_source="",
                            uploads=[(pdf_bytes(), "scan.pdf")])
    assert entry.status == EntryStatus.SUBMITTED
    return entry


def test_a_scanned_pdf_is_not_refused_as_zero_words_but_flagged(people, contest, clock):
    entry = scanned_entry(people, contest)
    assert (entry.word_count, entry.word_source, entry.word_uncounted) == \
        (None, "unknown", "scan.pdf")
    page = main_text(people.author.get(f"/writing/entries/{entry.id}"))
    assert "Not counted: the text of scan.pdf could not be read" in page
    assert "0 words" not in page
    console = main_text(people.organizer.get(f"/organizer/writing/entries/{entry.id}"))
    assert "Word count unknown." in console
    assert 'id="word-override"' in console
    # The entries list flags it too, until an organizer sets the count.
    listing = main_text(people.organizer.get(f"/organizer/writing/{contest.id}/entries"))
    assert "Word count unknown" in listing
    override(people.organizer, entry.id, "150", "Bản chụp, đếm trên giấy")
    listing = main_text(people.organizer.get(f"/organizer/writing/{contest.id}/entries"))
    assert "Word count unknown" not in listing


def override(client, entry_id: int, words_: str, reason: str):  # noqa: ANN001, ANN201
    return client.post(f"/organizer/writing/entries/{entry_id}/words",
                       data={"words": words_, "reason": reason})


def test_an_organizer_overrides_the_count_with_a_reason_and_it_is_audited(people, contest,
                                                                          clock):
    entry = scanned_entry(people, contest)
    response = override(people.organizer, entry.id, "150", "Bản chụp, đếm trên giấy: 150 chữ")
    assert response.status_code == 302
    entry = reload(Entry, entry.id)
    assert entry.word_override == 150 and entry.rule_word_count == 150
    assert entry.word_override_by_id == people.organizer.user.id
    [event] = events("writing.entry.word_override")
    assert (event.subject_type, event.subject_id) == ("writing_entry", str(entry.id))
    assert event.reason == "Bản chụp, đếm trên giấy: 150 chữ"
    assert event.actor_id == people.organizer.user.id

    shown = "150, set by the organizers: Bản chụp, đếm trên giấy: 150 chữ"
    console = main_text(people.organizer.get(f"/organizer/writing/entries/{entry.id}"))
    assert shown in console and "Word count unknown." not in console
    assert "Word count set by an organizer" in console  # the entry's history
    assert shown in main_text(people.author.get(f"/writing/entries/{entry.id}"))
    assert "Word count set by an organizer" in text(
        people.organizer.get(f"/organizer/audit?object=writing_entry:{entry.id}"))

    # The range is checked against the organizer's number.
    override(people.organizer, entry.id, "500", "Đếm lại: bài dài hơn")
    console = main_text(people.organizer.get(f"/organizer/writing/entries/{entry.id}"))
    assert "The word count set by the organizers is 500; this category takes 20 to 200 " \
           "words." in console


@pytest.mark.parametrize("words_, reason, message", [
    ("150", "", "Say why the word count is set by hand"),
    ("150", "   ", "Say why the word count is set by hand"),
    ("", "Bản chụp", "Enter the number of words, a whole number from 0 to 1000000."),
    ("một trăm", "Bản chụp", "Enter the number of words"),
    ("-5", "Bản chụp", "Enter the number of words"),
    ("150", "x" * 501, "at most 500 characters"),
])
def test_an_override_needs_a_number_and_a_reason(people, contest, clock, words_, reason,
                                                 message):
    entry = scanned_entry(people, contest)
    response = override(people.organizer, entry.id, words_, reason)
    assert response.status_code == 302
    page = text(people.organizer.get(response.headers["Location"]))
    assert message in page
    assert reload(Entry, entry.id).word_override is None
    assert events("writing.entry.word_override") == []


def test_judges_and_authors_cannot_override(people, contest, clock):
    entry = scanned_entry(people, contest)
    assert override(people.judge, entry.id, "150", "Tự đếm").status_code == 403
    assert override(people.author, entry.id, "150", "Tự đếm").status_code == 403
    assert override(people.organizer, 999999, "150", "Tự đếm").status_code == 404
    assert reload(Entry, entry.id).word_override is None
    assert events("writing.entry.word_override") == []


def test_an_override_lapses_when_the_documents_change(people, contest, clock):
    entry = scanned_entry(people, contest)
    override(people.organizer, entry.id, "150", "Bản chụp")
    form = entry_form(category(contest, "print"), body_source="")
    response = edit_entry(people.author, entry.id, form, [(text_pdf(words(40)), "phu-luc.pdf")])
    assert response.status_code == 302, main_text(response)
    entry = reload(Entry, entry.id)
    assert entry.word_override is None
    # scan.pdf still has no text, so the count is unknown again and flagged.
    assert (entry.word_count, entry.word_source, entry.word_uncounted) == \
        (None, "unknown", "scan.pdf")


def test_an_organizers_change_that_keeps_the_documents_keeps_the_override(people, contest,
                                                                          clock):
    entry = scanned_entry(people, contest)
    override(people.organizer, entry.id, "150", "Bản chụp")
    form = entry_form(category(contest, "print"), body_source="", title="Tiêu đề mới",
                      reason="Sửa tiêu đề")
    response = people.organizer.post(f"/organizer/writing/entries/{entry.id}/edit", data=form,
                                     content_type="multipart/form-data")
    assert response.status_code == 302, main_text(response)
    entry = reload(Entry, entry.id)
    assert (entry.title, entry.word_override) == ("Tiêu đề mới", 150)


def test_a_draft_with_a_pdf_outside_the_range_lists_the_count(people, contest, clock):
    response = new_entry(people.author, contest,
                         entry_form(category(contest, "print"), body_source=""),
                         [(text_pdf(words(230)), "bai.pdf")])
    assert response.status_code == 302
    entry = reload(Entry, entry_id_from(response))
    assert (entry.status, entry.word_count) == (EntryStatus.DRAFT, 230)
    page = main_text(people.author.get(f"/writing/entries/{entry.id}"))
    assert "bai.pdf: 230 words; this category takes 20 to 200 words." in page
