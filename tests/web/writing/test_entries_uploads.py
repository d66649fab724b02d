"""Uploads of entry files: refused with a clear reason and nothing stored, or stored with a
cleaned copy; files removed from disk with their rows."""
# ruff: noqa: F811 - the fixtures imported from entrykit are parameters of the tests

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from contest.writing.models import Entry, EntryStatus
from tests.web.writing.entrykit import (  # noqa: F401
    EXECUTABLE,
    category,
    contest,
    docx_bomb,
    docx_bytes,
    draft_entry,
    edit_entry,
    entries,
    entry_form,
    file_rows,
    jpeg_bytes,
    main_text,
    new_entry,
    pdf_bytes,
    people,
    reload,
    stored_files,
    submitted_entry,
    words,
)

MIB = 1024 * 1024


def refused_upload(people, contest, content: bytes, name: str, medium: str = "print"):  # noqa: ANN001, ANN201
    """Save a draft with one upload; the draft is stored, the file must not be."""
    response = new_entry(people.author, contest, entry_form(category(contest, medium)),
                         [(content, name)])
    assert response.status_code == 200, main_text(response)[:2000]
    assert len(entries()) == 1, "the draft itself is kept"
    assert file_rows() == []
    return main_text(response)


def test_a_file_whose_name_does_not_match_its_content_is_refused(app, people, contest, clock):
    page = refused_upload(people, contest, pdf_bytes(), "bai-bao.docx")
    assert "bai-bao.docx is a PDF file; its name must end in .pdf" in page
    assert stored_files(app) == []


def test_a_renamed_executable_is_refused(app, people, contest, clock):
    page = refused_upload(people, contest, EXECUTABLE, "bai-bao.pdf")
    assert "bai-bao.pdf is not a file this category accepts (PDF, Word (DOCX))" in page
    assert "It is a program" in page
    assert stored_files(app) == []


def test_an_empty_file_is_refused(app, people, contest, clock):
    page = refused_upload(people, contest, b"", "trong.pdf")
    assert "trong.pdf is empty" in page
    assert stored_files(app) == []


def test_a_file_over_the_categorys_limit_is_refused(app, people, contest, clock):
    too_big = pdf_bytes() + b"%" * (MIB + 1)
    page = refused_upload(people, contest, too_big, "lon.pdf")
    assert "lon.pdf is larger than 1 MB, the limit of this category" in page
    assert stored_files(app) == []


def test_a_file_of_a_kind_the_category_does_not_take_is_refused(app, people, contest, clock):
    page = refused_upload(people, contest, jpeg_bytes(), "anh.jpg")
    assert "anh.jpg is a JPEG file; this category accepts PDF, Word (DOCX)" in page
    assert stored_files(app) == []


def test_a_docx_zip_bomb_is_refused_without_inflating_it(app, people, contest, clock):
    bomb = docx_bomb(inflated_mb=40)
    assert len(bomb) < 200 * 1024
    page = refused_upload(people, contest, bomb, "bom.docx")
    assert "bom.docx was refused" in page
    assert stored_files(app) == []


class CountingStream(io.BytesIO):
    """The request body, counting how much of it the application reads."""

    consumed = 0

    def read(self, size: int = -1) -> bytes:
        chunk = super().read(size)
        self.consumed += len(chunk)
        return chunk

    def readline(self, size: int = -1) -> bytes:
        chunk = super().readline(size)
        self.consumed += len(chunk)
        return chunk


def test_an_oversized_request_is_refused_before_its_body_is_read(app, people, contest, clock):
    fields = entry_form(category(contest, "print"))
    fields["files"] = FileStorage(io.BytesIO(b"%PDF-1.4\n" + b"0" * (12 * MIB)),
                                  filename="qua-lon.pdf", content_type="application/pdf")
    boundary, body = encode_multipart(fields)
    stream = CountingStream(body)
    response = people.author.open(
        f"/writing/contests/{contest.id}/entries/new", method="POST", input_stream=stream,
        content_length=len(body), content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 413
    assert "at most 1 MB per file" in main_text(response)
    assert "Nothing was saved" in main_text(response)
    assert len(body) > 12 * MIB
    assert stream.consumed < MIB, f"read {stream.consumed} of {len(body)} bytes"
    assert entries() == [] and stored_files(app) == []


def test_a_nul_character_in_an_upload_form_is_refused_and_nothing_is_saved(
        app, people, contest, clock):
    """The upload views parse their own form (after setting the size limit); a NUL character
    in it is refused there as everywhere else."""
    fields = entry_form(category(contest, "print"))
    fields["title"] = "Tiêu đề\x00"
    fields["files"] = FileStorage(io.BytesIO(pdf_bytes()), filename="bai.pdf",
                                  content_type="application/pdf")
    boundary, body = encode_multipart(fields)
    response = people.author.open(
        f"/writing/contests/{contest.id}/entries/new", method="POST", input_stream=io.BytesIO(body),
        content_length=len(body), content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 400
    assert entries() == [] and stored_files(app) == []


def test_only_max_files_files_are_kept(app, people, contest, clock):
    uploads = [(pdf_bytes(), f"phan-{n}.pdf") for n in range(1, 4)]
    response = new_entry(people.author, contest, entry_form(category(contest, "print")),
                         uploads)
    assert response.status_code == 200
    assert "phan-3.pdf was not added: an entry of this category has at most 2 files" in \
        main_text(response)
    assert [f.original_name for f in file_rows()] == ["phan-1.pdf", "phan-2.pdf"]


def test_an_accepted_file_is_stored_under_a_random_name_with_a_cleaned_copy(
        app, people, contest, clock):
    content = docx_bytes(words(60))
    entry = draft_entry(people.author, contest, body_source="",
                        uploads=[(content, "Bài dự thi của Mai.docx")])
    [row] = file_rows()
    folder = Path(app.config["UPLOAD_ROOT"]) / "entries" / str(entry.id)
    assert row.original_name == "Bài dự thi của Mai.docx"
    assert row.kind == "docx" and row.size == len(content)
    assert row.sha256 == hashlib.sha256(content).hexdigest()
    assert "Mai" not in row.stored_name and row.stored_name.endswith(".docx")
    assert (folder / row.stored_name).read_bytes() == content
    assert row.clean_name and (folder / row.clean_name).is_file()
    assert sorted(stored_files(app)) == sorted([folder / row.stored_name,
                                                folder / row.clean_name])
    # Words are counted from the Word file when no text was typed.
    assert reload(Entry, entry.id).word_count == 60


def test_a_refused_upload_in_a_draft_keeps_the_other_changes(app, people, contest, clock):
    entry = draft_entry(people.author, contest, title="Cũ")
    response = edit_entry(people.author, entry.id,
                          entry_form(category(contest, "print"), title="Mới"),
                          [(EXECUTABLE, "setup.pdf"), (pdf_bytes(), "bai.pdf")])
    assert response.status_code == 200
    assert "setup.pdf is not a file this category accepts" in main_text(response)
    assert reload(Entry, entry.id).title == "Mới"
    assert [f.original_name for f in file_rows()] == ["bai.pdf"]


def test_a_refused_upload_on_a_submitted_entry_changes_nothing(app, people, contest, clock):
    entry = submitted_entry(people.author, contest, title="Đã nộp")
    before = stored_files(app)
    response = edit_entry(people.author, entry.id,
                          entry_form(category(contest, "print"), title="Sửa"),
                          [(pdf_bytes(), "bai.pdf"), (b"", "rong.pdf")])
    assert response.status_code == 400
    assert "rong.pdf is empty" in main_text(response)
    entry = reload(Entry, entry.id)
    assert entry.title == "Đã nộp" and entry.files == []
    assert stored_files(app) == before == []


def test_a_refused_submission_leaves_no_file_behind(app, people, contest, clock):
    response = new_entry(people.author, contest, entry_form(
        category(contest, "print"), action="submit", body_source=words(3)),
        [(pdf_bytes(), "bai.pdf")])
    assert response.status_code == 400
    assert entries() == [] and file_rows() == []
    assert stored_files(app) == []


def test_removing_a_file_deletes_it_and_its_cleaned_copy(app, people, contest, clock):
    entry = draft_entry(people.author, contest, uploads=[(pdf_bytes(), "bai.pdf")])
    [row] = file_rows()
    assert len(stored_files(app)) == 2
    page = people.author.get(f"/writing/entries/{entry.id}/edit")
    assert f'form="remove-file-{row.id}"' in page.get_data(as_text=True)
    response = people.author.post(f"/writing/entries/{entry.id}/files/{row.id}/remove")
    assert response.status_code == 302
    assert file_rows() == [] and stored_files(app) == []


def test_the_last_file_of_a_submitted_entry_that_needs_one_stays(app, people, contest, clock):
    entry = submitted_entry(people.author, contest, category(contest, "photo"),
                            body_source="", uploads=[(jpeg_bytes(), "anh.jpg")])
    assert entry.status == EntryStatus.SUBMITTED
    [row] = file_rows()
    response = people.author.post(f"/writing/entries/{entry.id}/files/{row.id}/remove",
                                  follow_redirects=True)
    assert "This category needs a file of the work" in main_text(response)
    assert len(file_rows()) == 1 and len(stored_files(app)) == 2


def test_another_journalist_cannot_remove_a_file(app, people, contest, clock):
    entry = draft_entry(people.author, contest, uploads=[(pdf_bytes(), "bai.pdf")])
    [row] = file_rows()
    response = people.other.post(f"/writing/entries/{entry.id}/files/{row.id}/remove")
    assert response.status_code == 404
    assert len(file_rows()) == 1 and len(stored_files(app)) == 2
