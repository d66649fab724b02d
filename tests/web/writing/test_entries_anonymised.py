"""The anonymised view of an entry names nobody: not in its page, its file names, nor inside
the files judges download."""
# ruff: noqa: F811 - the fixtures imported from entrykit are parameters of the tests

from __future__ import annotations

import re
from pathlib import Path

import pytest

from contest.writing import access
from contest.writing.metadata import metadata_people
from contest.writing.models import Entry
from tests.web.writing.entrykit import (  # noqa: F401
    AUTHOR,
    AUTHOR_EMAIL,
    COAUTHOR,
    COAUTHOR_EMAIL,
    PEN_NAME,
    category,
    coauthor_rows,
    contest,
    docx_bytes,
    jpeg_bytes,
    main_text,
    mp3_bytes,
    pdf_bytes,
    people,
    submitted_entry,
    text,
)
from tests.web.writing.hostile_files import hostile_m4a

# Everything that could tell a judge who wrote the entry.
IDENTITY = [AUTHOR, AUTHOR_EMAIL, "mai.tran", PEN_NAME, COAUTHOR, COAUTHOR_EMAIL, "hung.nguyen",
            "Tran Thi Mai", "Báo Nghệ An", "baonghean"]


@pytest.fixture
def print_entry(people, contest, clock) -> Entry:
    return submitted_entry(
        people.author, contest, category(contest, "print"),
        title="Nữ đại biểu vùng cao", pen_name=PEN_NAME,
        uploads=[(pdf_bytes(), f"Bài của {AUTHOR}.pdf"),
                 (docx_bytes(), f"{AUTHOR} - bản Word.docx")],
        **coauthor_rows((COAUTHOR, COAUTHOR_EMAIL)),
    )


@pytest.fixture
def photo_entry(people, contest, clock) -> Entry:
    return submitted_entry(people.author, contest, category(contest, "photo"),
                           title="Ngày bầu cử ở bản", body_source="",
                           uploads=[(jpeg_bytes(), "IMG_Tran_Thi_Mai.jpg")])


def anon_path(entry: Entry) -> str:
    return f"/writing/anon/{entry.contest_id}/{entry.anon_code}"


def leaks(content: str) -> list[str]:
    return [item for item in IDENTITY if item.lower() in content.lower()]


def download(client, path: str, tmp_path: Path, kind: str):  # noqa: ANN001, ANN201
    response = client.get(path)
    assert response.status_code == 200, path
    target = tmp_path / f"download.{kind}"
    target.write_bytes(response.data)
    return response, target


def filename_of(response) -> str:  # noqa: ANN001
    return re.search(r'filename="?([^";]+)"?', response.headers["Content-Disposition"]).group(1)


def test_the_anonymised_page_names_nobody(people, print_entry):
    response = people.organizer.get(anon_path(print_entry))
    assert response.status_code == 200
    page = text(response)
    assert leaks(page) == []
    main = main_text(response)
    assert print_entry.anon_code in main
    assert "Nữ đại biểu vùng cao" in main and "Báo in" in main
    assert "Chân dung những nữ đại biểu" in main  # the summary
    assert "bình đẳng giới" in main  # the text
    assert f"{print_entry.anon_code}-1.pdf" in main and f"{print_entry.anon_code}-2.docx" in main


def test_anonymised_files_have_neutral_names_and_no_author_metadata(
        people, print_entry, tmp_path):
    code = print_entry.anon_code
    for position, kind in ((1, "pdf"), (2, "docx")):
        original, original_path = download(
            people.organizer, f"/writing/entries/{print_entry.id}/files/"
            f"{print_entry.files[position - 1].id}", tmp_path, f"orig.{kind}")
        # The test would see a leak: the uploaded file does name the author.
        assert AUTHOR in metadata_people(original_path, kind)
        response, path = download(people.organizer, f"{anon_path(print_entry)}/files/{position}",
                                  tmp_path, kind)
        assert filename_of(response) == f"{code}-{position}.{kind}"
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert leaks(response.headers["Content-Disposition"]) == []
        assert metadata_people(path, kind) == []
        assert leaks(response.data.decode("latin-1")) == []


def test_an_anonymised_photo_has_no_exif_author(people, photo_entry, tmp_path):
    original, original_path = download(
        people.organizer, f"/writing/entries/{photo_entry.id}/files/{photo_entry.files[0].id}",
        tmp_path, "orig.jpg")
    assert "Tran Thi Mai" in metadata_people(original_path, "jpeg")
    response, path = download(people.organizer, f"{anon_path(photo_entry)}/files/1", tmp_path,
                              "jpg")
    assert filename_of(response) == f"{photo_entry.anon_code}-1.jpg"
    assert response.mimetype == "image/jpeg"
    assert metadata_people(path, "jpeg") == []


def test_organizers_see_the_cleaning_warning_and_judges_do_not(people, contest, clock,
                                                                 monkeypatch):
    monkeypatch.setenv("FFMPEG", "/nonexistent/ffmpeg")
    entry = submitted_entry(people.author, contest, category(contest, "radio"),
                            title="Tiếng nói nữ đại biểu", body_source="",
                            uploads=[(hostile_m4a(quicktime_extras=True), "phong-su.m4a"),
                                     (mp3_bytes(), "phong-su.mp3")])
    warning = "Some metadata of this audio or video file could not be removed."
    assert warning in main_text(people.organizer.get(anon_path(entry)))
    monkeypatch.setattr(access, "judge_may_view", lambda u, e: u.id == people.judge.user.id)
    judge_page = main_text(people.judge.get(anon_path(entry)))
    assert warning not in judge_page and f"{entry.anon_code}-1.m4a" in judge_page
    # The held file is not served to the judge; the cleaned MP3 is.
    assert people.judge.get(f"{anon_path(entry)}/files/1").status_code == 404
    response = people.judge.get(f"{anon_path(entry)}/files/2")
    assert response.status_code == 200 and response.mimetype == "audio/mpeg"
    assert filename_of(response) == f"{entry.anon_code}-2.mp3"
    assert not response.data.startswith(b"ID3")


def test_the_anonymised_code_is_needed_in_its_own_contest(people, print_entry):
    assert people.organizer.get(
        f"/writing/anon/{print_entry.contest_id + 1}/{print_entry.anon_code}").status_code == 404
    assert people.organizer.get(anon_path(print_entry) + "/files/3").status_code == 404
    assert people.organizer.get(anon_path(print_entry) + "/files/0").status_code == 404
