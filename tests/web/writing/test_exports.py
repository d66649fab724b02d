"""Exports of a writing contest: entries as XLSX and CSV, the files of a category as one ZIP
built as a stream, and who may download them."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest
from flask import Response

from contest.accounts.models import Role
from contest.extensions import db
from contest.writing import exports
from contest.writing.models import Coauthor, EntryStatus
from tests.web.writing import organizer_kit as kit
from tests.web.writing.organizer_kit import JPEG, PDF, make_contest, make_entry

organizer = kit.organizer


@pytest.fixture
def contest():
    return make_contest(categories=2)


@pytest.fixture
def journalist(make_user):
    return make_user(Role.JOURNALIST, full_name="Lê Thị Hoa", phone="+84912345678",
                     email="hoa@baonghean.vn")


@pytest.fixture
def entries(app, contest, journalist, make_user):
    """Submitted entries with files in the first category, and others that must stay out."""
    first, second = contest.categories
    other = make_user(Role.JOURNALIST, full_name="Phạm Văn Nam")
    a = make_entry(app, contest, first, journalist, title="Nữ đại biểu HĐND",
                   files=[("Bài báo gốc.pdf", PDF, "pdf"), ("ảnh minh hoạ.jpg", JPEG, "jpeg")])
    b = make_entry(app, contest, first, other, title="=Cán bộ nữ", word_count=1450,
                   files=[("phong su.pdf", PDF * 3, "pdf")])
    db.session.add(Coauthor(entry_id=b.id, name="Võ Thị Mai", email="mai@example.org"))
    db.session.commit()
    out = [
        make_entry(app, contest, first, other, status=EntryStatus.DRAFT,
                   files=[("nhap.pdf", PDF, "pdf")]),
        make_entry(app, contest, first, other, status=EntryStatus.WITHDRAWN,
                   files=[("rut.pdf", PDF, "pdf")]),
        make_entry(app, contest, first, other, status=EntryStatus.DISQUALIFIED,
                   files=[("loai.pdf", PDF, "pdf")]),
        make_entry(app, contest, second, other, files=[("khac.pdf", PDF, "pdf")]),
    ]
    return a, b, out


# --- ZIP -----------------------------------------------------------------------------------


def test_category_zip_holds_exactly_the_submitted_entries_files(organizer, contest, entries):
    a, b, _out = entries
    category = contest.categories[0]
    response = organizer.get(
        f"/organizer/writing/{contest.id}/categories/{category.id}/files.zip", buffered=False)
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="BC-Bao-in.zip"')
    assert "filename*=UTF-8''BC-B%C3%A1o%20in.zip" in disposition
    # Streamed: the body is a generator, sent chunk by chunk.
    assert response.is_streamed
    chunks = list(response.response)
    response.close()
    assert len(chunks) > 1
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert archive.testzip() is None
    assert sorted(archive.namelist()) == sorted([
        f"{a.anon_code}/1-Bài báo gốc.pdf",
        f"{a.anon_code}/2-ảnh minh hoạ.jpg",
        f"{b.anon_code}/1-phong su.pdf",
    ])
    assert archive.read(f"{a.anon_code}/1-Bài báo gốc.pdf") == PDF
    assert archive.read(f"{a.anon_code}/2-ảnh minh hoạ.jpg") == JPEG
    assert archive.read(f"{b.anon_code}/1-phong su.pdf") == PDF * 3


def test_zip_stream_yields_chunks_without_building_the_archive_first(app, contest, entries,
                                                                     monkeypatch):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 64)
    stream = exports.stream_category_zip(contest.categories[0], app.config["UPLOAD_ROOT"])
    first = next(stream)
    # The first chunk is the start of the first member, not a whole archive.
    assert first.startswith(b"PK\x03\x04")
    assert len(first) < len(PDF)
    rest = list(stream)
    assert len(rest) > 10
    archive = zipfile.ZipFile(io.BytesIO(first + b"".join(rest)))
    assert len(archive.namelist()) == 3


def test_a_missing_file_is_listed_instead_of_breaking_the_download(app, contest, entries):
    a, _b, _out = entries
    path = exports.entry_folder(app.config["UPLOAD_ROOT"], a.id) / a.files[0].stored_name
    path.unlink()
    data = b"".join(exports.stream_category_zip(contest.categories[0],
                                                app.config["UPLOAD_ROOT"]))
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert f"{a.anon_code}/1-Bài báo gốc.pdf" not in archive.namelist()
    note = archive.read("MISSING.txt").decode()
    assert f"{a.anon_code}/1-Bài báo gốc.pdf" in note


def test_an_empty_category_gives_an_empty_archive(organizer, contest):
    category = contest.categories[1]
    response = organizer.get(
        f"/organizer/writing/{contest.id}/categories/{category.id}/files.zip")
    assert response.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(response.data)).namelist() == []


@pytest.mark.parametrize("roles", [(), (Role.JOURNALIST,), (Role.JUDGE,),
                                   (Role.UNIT_COORDINATOR,)],
                         ids=["entrant", "journalist", "judge", "coordinator"])
def test_zip_and_exports_are_not_for_others(login_as, contest, entries, roles):
    client = login_as(*roles)
    category = contest.categories[0]
    for url in (f"/organizer/writing/{contest.id}/categories/{category.id}/files.zip",
                f"/organizer/writing/{contest.id}/entries.xlsx",
                f"/organizer/writing/{contest.id}/entries.csv"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert response.mimetype == "text/html"


def test_zip_is_not_for_anonymous_visitors(client, contest, entries):
    category = contest.categories[0]
    response = client.get(f"/organizer/writing/{contest.id}/categories/{category.id}/files.zip")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_zip_of_a_category_of_another_contest_is_404(organizer, contest, entries):
    other = make_contest("Khác")
    response = organizer.get(
        f"/organizer/writing/{other.id}/categories/{contest.categories[0].id}/files.zip")
    assert response.status_code == 404


# --- XLSX and CSV --------------------------------------------------------------------------

HEADER = ["Code", "Receipt", "Category", "Title", "Outlet", "Publication date", "URL",
          "Author", "E-mail", "Phone", "Co-authors", "Pen name", "Status",
          "Submitted at (Vietnam time)", "Words", "Word count note", "Files", "Prior award",
          "Reason for disqualification"]


def xlsx_rows(response: Response) -> list[tuple]:
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    return list(workbook.active.iter_rows(values_only=True))


def csv_rows(response: Response) -> list[list[str]]:
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_xlsx_export_has_the_header_and_every_entry(organizer, contest, entries):
    a, b, _out = entries
    response = organizer.get(f"/organizer/writing/{contest.id}/entries.xlsx")
    assert response.status_code == 200
    assert response.mimetype == ("application/vnd.openxmlformats-officedocument."
                                 "spreadsheetml.sheet")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="BC-')
    rows = xlsx_rows(response)
    assert list(rows[0]) == HEADER
    assert len(rows) == 1 + 6
    by_code = {row[0]: dict(zip(HEADER, row, strict=True)) for row in rows[1:]}
    first = by_code[a.anon_code]
    assert first["Title"] == "Nữ đại biểu HĐND"
    assert first["Receipt"] == a.receipt_code
    assert first["Category"] == "Báo in"
    assert first["Author"] == "Lê Thị Hoa"
    assert first["E-mail"] == "hoa@baonghean.vn"
    assert first["Phone"] == "+84912345678"
    assert first["Files"] == 2
    assert first["Status"] == "Submitted"
    assert first["Publication date"].date() == a.published_on
    assert first["Submitted at (Vietnam time)"] == \
        exports.to_local(a.submitted_at).replace(tzinfo=None)
    second = by_code[b.anon_code]
    # Text stays text: a title starting with "=" is not a formula.
    assert second["Title"] == "=Cán bộ nữ"
    assert second["Words"] == 1450
    assert second["Co-authors"] == "Võ Thị Mai <mai@example.org>"
    disqualified = [r for r in by_code.values() if r["Status"] == "Disqualified"]
    assert disqualified[0]["Reason for disqualification"] == "Đạo văn"


def test_exports_give_the_count_the_rules_use_with_its_note(organizer, contest, entries):
    """An organizer's count (for a scan) is the exported count, with the reason beside it; a
    document that could not be counted says so."""
    a, b, _out = entries
    a.word_count, a.word_source, a.word_uncounted = None, "unknown", "ban-scan.pdf"
    b.word_override, b.word_override_reason = 980, "Bản scan, đã đếm tay"
    db.session.commit()
    rows = xlsx_rows(organizer.get(f"/organizer/writing/{contest.id}/entries.xlsx"))
    by_code = {row[0]: dict(zip(HEADER, row, strict=True)) for row in rows[1:]}
    assert by_code[b.anon_code]["Words"] == 980
    assert by_code[b.anon_code]["Word count note"] == \
        "Set by the organizers (counted: 1450): Bản scan, đã đếm tay"
    assert by_code[a.anon_code]["Words"] is None
    assert by_code[a.anon_code]["Word count note"] == "Could not be counted: ban-scan.pdf"


def test_csv_export_with_bom_header_rows_and_filters(organizer, contest, entries):
    a, b, _out = entries
    response = organizer.get(f"/organizer/writing/{contest.id}/entries.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = csv_rows(response)
    assert rows[0] == HEADER
    assert len(rows) == 7
    row = dict(zip(HEADER, next(r for r in rows if r[0] == a.anon_code), strict=True))
    # "+84..." would be read as a formula (and lose its plus sign): it is guarded like text.
    assert row["Phone"] == "'+84912345678"
    assert row["Publication date"] == "2025-03-08"
    assert row["Submitted at (Vietnam time)"] == \
        exports.to_local(a.submitted_at).strftime("%Y-%m-%d %H:%M")
    formula = next(r for r in rows if r[0] == b.anon_code)
    # A spreadsheet must not run an entrant's text as a formula.
    assert formula[HEADER.index("Title")] == "'=Cán bộ nữ"

    response = organizer.get(f"/organizer/writing/{contest.id}/entries.csv",
                             query_string={"status": "submitted",
                                           "category": contest.categories[0].id})
    codes = sorted(r[0] for r in csv_rows(response)[1:])
    assert codes == sorted([a.anon_code, b.anon_code])


def test_export_in_vietnamese(organizer, contest, entries):
    organizer.set_cookie("lang", "vi")
    rows = csv_rows(organizer.get(f"/organizer/writing/{contest.id}/entries.csv"))
    assert rows[0][0] != "Code" and len(rows[0]) == len(HEADER)


def test_phone_is_left_out_for_readers_who_may_not_see_it(app, contest, entries):
    rows = exports.entry_rows(contest.id)
    table = list(csv.reader(io.StringIO("".join(exports.entries_csv(rows, False))[1:])))
    assert "Phone" not in table[0] and len(table[0]) == len(HEADER) - 1
    assert all("+84912345678" not in cell for row in table for cell in row)
    workbook = openpyxl.load_workbook(io.BytesIO(exports.entries_xlsx(rows, False)))
    values = list(workbook.active.iter_rows(values_only=True))
    assert "Phone" not in values[0]
    assert all("+84912345678" != cell for row in values for cell in row)


def test_attachment_header_keeps_any_name_safe():
    value = exports.attachment_header('Đợt "1"/ảnh.zip')
    assert value.startswith('attachment; filename="Dot-1-anh.zip"')
    assert "filename*=UTF-8''%C4%90%E1%BB%A3t%20%221%22%2F%E1%BA%A3nh.zip" in value
