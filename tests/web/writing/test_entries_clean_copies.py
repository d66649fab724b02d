"""What a judge downloads in a blind contest names nobody, whatever the author's software left in
the file; what cannot be cleaned is held back until an organizer has checked it; and a DOCX
made to tie up the server is refused within a fixed budget.

The attacks: an entrant (or their word processor, camera, recorder) leaves their name in every
place a file format keeps one, and a judge looks for it in the downloaded copy; an upload of
many medium-sized members tries to make the server inflate hundreds of megabytes.
"""
# ruff: noqa: F811 - the fixtures imported from entrykit are parameters of the tests

from __future__ import annotations

import io
import time
import xml.parsers.expat
import zipfile

import pytest
from PIL import Image

from contest.writing import access, files, metadata
from contest.writing.models import Entry, EntryFile
from tests.web.writing.entrykit import (  # noqa: F401
    category,
    contest,
    entries,
    entry_form,
    events,
    file_rows,
    main_text,
    new_entry,
    people,
    reload,
    stored_files,
    submitted_entry,
    text,
)
from tests.web.writing.hostile_files import (
    ASCII_NAME,
    EMAIL,
    LOGIN,
    NAME,
    hostile_docx,
    hostile_m4a,
    hostile_mp3,
)

MIB = 1024 * 1024
IDENTITY = [NAME, ASCII_NAME, LOGIN, EMAIL, "Báo Nghệ An", "baonghean", "TTM"]


@pytest.fixture
def judge_sees(people, monkeypatch):
    """The judge of the people fixture is assigned to every entry."""
    monkeypatch.setattr(access, "judge_may_view", lambda u, e: u.id == people.judge.user.id)
    return people.judge


@pytest.fixture
def no_ffmpeg(monkeypatch):
    monkeypatch.setenv("FFMPEG", "/nonexistent/ffmpeg")


def anon(entry: Entry) -> str:
    return f"/writing/anon/{entry.contest_id}/{entry.anon_code}"


def found_in(data: bytes) -> list[str]:
    """Identity strings in ``data``, as UTF-8 or UTF-16 (EXIF XPAuthor, Windows paths)."""
    hits = []
    for item in IDENTITY:
        for encoding in ("utf-8", "utf-16-le"):
            if item.encode(encoding) in data or item.lower().encode(encoding) in data:
                hits.append(f"{item} ({encoding})")
    return hits


def docx_members(data: bytes) -> dict[str, bytes]:
    """The members of a DOCX by name, and its archive comment as ``""``."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
        members[""] = zf.comment
        return members


def test_a_docx_with_author_data_everywhere_reaches_judges_clean(people, contest, clock,
                                                                  judge_sees):
    original = hostile_docx()
    members = docx_members(original)
    # The attack is real: every one of these places names her in the upload.
    for part in ("docProps/core.xml", "docProps/app.xml", "docProps/custom.xml",
                 "docProps/thumbnail.jpeg", "word/document.xml", "word/comments.xml",
                 "word/people.xml", "word/settings.xml", "word/_rels/settings.xml.rels",
                 "word/media/image1.jpeg", "word/media/image2.png", "customXml/item1.xml"):
        assert found_in(members[part]), part
    assert b"rsid" in members["word/document.xml"] and b"rsid" in members["word/settings.xml"]
    assert found_in(members[""]), "the archive comment names her too"

    entry = submitted_entry(people.author, contest, category(contest, "print"),
                            uploads=[(original, "bai-du-thi.docx")])
    stored = entry.files[0]
    assert stored.clean_warning == "" and stored.clean_name
    response = judge_sees.get(f"{anon(entry)}/files/1")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    copy = docx_members(response.data)
    for name, data in copy.items():
        assert found_in(data) == [], name
        assert b"rsid" not in data, name
        assert b"docVar" not in data and b"attachedTemplate" not in data, name
        assert b"docId" not in data and b"mailMerge" not in data, name
        if name.endswith((".xml", ".rels")) and name:
            xml.parsers.expat.ParserCreate().Parse(data, True)
    assert not {"docProps/custom.xml", "docProps/thumbnail.jpeg", "word/comments.xml",
                "word/commentsExtended.xml", "word/people.xml", "customXml/item1.xml",
                "customXml/itemProps1.xml"} & set(copy)
    document = copy["word/document.xml"].decode()
    assert 'w:author="Author"' in document and "commentReference" not in document
    assert "permStart" not in document and 'mc:Ignorable="w14 w15"' in document
    assert "thêm vào" in document and "bỏ đi" in document  # the tracked changes stay
    assert b"comments" not in copy["word/_rels/document.xml.rels"]
    assert b"customXml" not in copy["word/_rels/document.xml.rels"]
    assert b"custom.xml" not in copy["[Content_Types].xml"]
    assert b"thumbnail" not in copy["_rels/.rels"]
    for picture, pil_format in (("word/media/image1.jpeg", "JPEG"),
                                ("word/media/image2.png", "PNG")):
        with Image.open(io.BytesIO(copy[picture])) as img:
            assert img.format == pil_format and not img.getexif()
            img.load()
    # The text judges read is the text that was entered.
    body = main_text(judge_sees.get(anon(entry)))
    assert NAME not in body


def test_an_mp3_loses_id3v1_id3v2_and_ape_tags(people, contest, clock, judge_sees):
    original = hostile_mp3()
    assert found_in(original) and original.startswith(b"ID3") and b"APETAGEX" in original
    entry = submitted_entry(people.author, contest, category(contest, "radio"),
                            body_source="", uploads=[(original, "phong-su.mp3")])
    assert entry.files[0].clean_warning == ""
    response = judge_sees.get(f"{anon(entry)}/files/1")
    assert response.status_code == 200 and response.mimetype == "audio/mpeg"
    data = response.data
    assert found_in(data) == []
    assert not data.startswith(b"ID3") and b"APETAGEX" not in data and b"TAG" not in data[-128:]
    assert data.startswith(b"\xff\xfb")


def test_an_m4a_loses_its_itunes_tags(people, contest, clock, judge_sees, no_ffmpeg):
    original = hostile_m4a(quicktime_extras=False)
    assert found_in(original)
    entry = submitted_entry(people.author, contest, category(contest, "radio"),
                            body_source="", uploads=[(original, "phong-su.m4a")])
    assert entry.files[0].clean_warning == ""
    response = judge_sees.get(f"{anon(entry)}/files/1")
    assert response.status_code == 200 and found_in(response.data) == []
    assert files.sniff_kind(response.data[:512]) in ("m4a", "mp4")


def test_metadata_mutagen_cannot_remove_holds_the_file_until_an_organizer_checks_it(
        people, contest, clock, judge_sees, no_ffmpeg, login_as):
    original = hostile_m4a(quicktime_extras=True)
    entry = submitted_entry(people.author, contest, category(contest, "radio"),
                            body_source="", uploads=[(original, "phong-su.m4a")])
    item = entry.files[0]
    assert item.clean_warning == files.WARN_MEDIA_HELD and item.clean_name
    # Judges get nothing, and are not told why.
    page = main_text(judge_sees.get(anon(entry)))
    assert "not available in blind review" in page and "metadata" not in page
    assert judge_sees.get(f"{anon(entry)}/files/1").status_code == 404
    # The organizer sees it among the held files, with the reason, linked from the entry.
    assert f"/organizer/writing/held/{contest.id}" in text(people.organizer.get(anon(entry)))
    held_page = text(people.organizer.get(f"/organizer/writing/held/{contest.id}"))
    assert f"{entry.anon_code}-1.m4a" in held_page
    assert "could not be removed" in held_page
    # Nobody but an organizer can release it, and only by POST.
    confirm = f"/organizer/writing/held/files/{item.id}/confirm"
    assert judge_sees.get(f"/organizer/writing/held/{contest.id}").status_code == 403
    assert judge_sees.post(confirm).status_code == 403
    assert people.author.post(confirm).status_code == 403
    assert people.organizer.get(confirm).status_code == 405
    assert judge_sees.get(f"{anon(entry)}/files/1").status_code == 404
    response = people.organizer.post(confirm, follow_redirects=True)
    assert "judges can now download it" in text(response)
    assert f"{entry.anon_code}-1.m4a" not in main_text(response)
    checked = reload(EntryFile, item.id)
    assert checked.checked_by_id == people.organizer.user.id and checked.checked_at
    [event] = events("writing.file.confirm_checked")
    assert event.actor_id == people.organizer.user.id and event.subject_id == str(item.id)
    # Released: the judge gets the copy with the tags mutagen could remove gone.
    response = judge_sees.get(f"{anon(entry)}/files/1")
    assert response.status_code == 200
    assert NAME.encode() not in response.data and EMAIL.encode() not in response.data
    # A second confirmation is refused with a message and records nothing.
    again = people.organizer.post(confirm, follow_redirects=True)
    assert "not held back" in text(again)
    assert len(events("writing.file.confirm_checked")) == 1


def test_a_damaged_file_is_held_too(people, contest, clock, judge_sees):
    broken = b"ID3\x04\x00\x00\x7f\x7f\x7f\x7f" + b"\xff\xfb\x90\x64" * 10
    entry = submitted_entry(people.author, contest, category(contest, "radio"),
                            body_source="", uploads=[(broken, "hong.mp3")])
    item = entry.files[0]
    assert metadata.is_held(item.clean_name, item.clean_warning)
    assert judge_sees.get(f"{anon(entry)}/files/1").status_code == 404


def many_medium_members(count: int = 190) -> bytes:
    """A DOCX of ``count`` members of 1 MiB each: each under the ratio check's threshold."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/content-types"/>')
        z.writestr("word/document.xml", '<w:document xmlns:w="http://schemas.openxmlformats.'
                   'org/wordprocessingml/2006/main"><w:body/></w:document>')
        chunk = bytes(MIB)
        for i in range(count):
            z.writestr(f"word/media/part{i}.bin", chunk)
    return buffer.getvalue()


def test_many_medium_members_are_refused_within_budget(app, people, contest, clock):
    bomb = many_medium_members()
    assert len(bomb) < MIB, "small enough for the category's 1 MB limit"
    started = time.monotonic()
    response = new_entry(people.author, contest, entry_form(category(contest, "print")),
                         [(bomb, "nhieu-phan.docx")])
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    page = main_text(response)
    assert ("nhieu-phan.docx was refused: it would unpack to far more than any document "
            "needs") in page
    assert elapsed < 3, f"took {elapsed:.1f} s"
    assert file_rows() == [] and len(entries()) == 1
    assert not [p for p in stored_files(app) if p.suffix in (".docx", ".part")]


def test_cleaning_past_its_time_budget_is_refused(app, people, contest, clock, monkeypatch):
    monkeypatch.setattr(metadata, "CLEAN_SECONDS", 0.0)
    response = new_entry(people.author, contest, entry_form(category(contest, "print")),
                         [(hostile_docx(), "bai.docx")])
    assert response.status_code == 200
    assert ("bai.docx was refused: checking it and removing its metadata would take far "
            "longer than any document needs") in main_text(response)
    assert file_rows() == []
    assert not [p for p in stored_files(app) if p.suffix in (".docx", ".part")]


def test_the_byte_budget_grows_with_the_archive_but_has_a_ceiling():
    assert files.zip_budget(200 * 1024) < 40 * MIB
    assert files.zip_budget(20 * MIB) >= 100 * MIB
    assert files.zip_budget(10**12) == files.MAX_ZIP_TOTAL_BYTES
