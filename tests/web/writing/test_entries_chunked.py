"""The resumable uploader of entry files: an upload started with its name and size, sent in
chunks with offsets, resumed after a dropped connection, and on its last chunk checked and
stored exactly like a file of the entry form (or refused with the same messages, the entry's
other fields untouched)."""
# ruff: noqa: F811 - the fixtures imported from entrykit are parameters of the tests

from __future__ import annotations

import hashlib
import io
import os
import re
import time
from pathlib import Path

import pytest

from contest.extensions import db
from contest.writing.models import Entry, EntryStatus
from tests.web.writing.entrykit import (  # noqa: F401
    EXECUTABLE,
    category,
    contest,
    draft_entry,
    edit_entry,
    entry_form,
    file_rows,
    main_text,
    mp3_bytes,
    new_entry,
    people,
    reload,
    stored_files,
    submitted_entry,
    text,
)

MIB = 1024 * 1024
CHUNK = 256 * 1024


@pytest.fixture
def app_config(app_config: dict) -> dict:
    app_config["UPLOAD_CHUNK_BYTES"] = CHUNK
    return app_config


def audio(size: int = 900 * 1024) -> bytes:
    """An MP3 (ID3 header, then frame headers) of exactly ``size`` bytes."""
    head = mp3_bytes()
    frames = b"\xff\xfb\x90\x64" * ((size - len(head)) // 4 + 1)
    return (head + frames)[:size]


def radio_draft(people, contest, **overrides) -> Entry:  # noqa: ANN001
    return draft_entry(people.author, contest, category(contest, "radio"), **overrides)


def start(client, entry_id: int, name: str, size: int, **extra):  # noqa: ANN001, ANN201
    return client.post(f"/writing/entries/{entry_id}/uploads",
                       json={"name": name, "size": size, **extra})


def put(client, url: str, offset: int, data: bytes, **headers):  # noqa: ANN001, ANN201
    return client.patch(url, data=data, content_type="application/offset+octet-stream",
                        headers={"Upload-Offset": str(offset), **headers})


def send_all(client, url: str, content: bytes, offset: int = 0):  # noqa: ANN001, ANN201
    response = None
    while offset < len(content):
        response = put(client, url, offset, content[offset:offset + CHUNK])
        assert response.status_code in (200, 422), response.get_data(as_text=True)
        offset = response.get_json()["offset"]
    return response


def partials(app) -> list[Path]:  # noqa: ANN001
    folder = Path(app.config["UPLOAD_ROOT"]) / "partial"
    return sorted(folder.glob("*.part")) if folder.exists() else []


def test_a_file_sent_in_chunks_is_checked_and_attached(app, people, contest, clock):
    entry = radio_draft(people, contest)
    content = audio()
    response = start(people.author, entry.id, "phong-su.mp3", len(content))
    assert response.status_code == 201
    upload = response.get_json()
    assert upload["offset"] == 0 and upload["size"] == len(content)
    assert upload["chunk_size"] == CHUNK
    assert re.fullmatch(rf"/writing/entries/{entry.id}/uploads/[0-9a-f]{{32}}", upload["url"])

    answers = []
    offset = 0
    while offset < len(content):
        response = put(people.author, upload["url"], offset, content[offset:offset + CHUNK])
        assert response.status_code == 200
        answers.append(response.get_json())
        offset = answers[-1]["offset"]
    assert [a["offset"] for a in answers] == [CHUNK, 2 * CHUNK, 3 * CHUNK, len(content)]
    assert [a["state"] for a in answers] == ["open", "open", "open", "done"]

    (row,) = file_rows()
    assert row.entry_id == entry.id and row.kind == "mp3"
    assert row.original_name == "phong-su.mp3" and row.size == len(content)
    assert row.sha256 == hashlib.sha256(content).hexdigest()
    stored = Path(app.config["UPLOAD_ROOT"]) / "entries" / str(entry.id) / row.stored_name
    assert stored.read_bytes() == content
    assert answers[-1]["file"] == {"id": row.id, "name": "phong-su.mp3", "kind": "mp3",
                                   "size": len(content),
                                   "url": f"/writing/entries/{entry.id}/files/{row.id}"}
    assert partials(app) == [], "the received bytes are dropped once the file is stored"
    # The entry's page lists it, and asking again says how the upload ended.
    assert "phong-su.mp3" in main_text(people.author.get(f"/writing/entries/{entry.id}"))
    again = people.author.get(upload["url"]).get_json()
    assert again["state"] == "done" and again["file"]["id"] == row.id


def test_a_wrong_offset_is_a_409_with_the_current_offset(app, people, contest, clock):
    entry = radio_draft(people, contest)
    content = audio()
    url = start(people.author, entry.id, "phong-su.mp3", len(content)).get_json()["url"]
    assert put(people.author, url, 0, content[:CHUNK]).status_code == 200

    for wrong in (0, 2 * CHUNK):
        response = put(people.author, url, wrong, content[wrong:wrong + CHUNK])
        assert response.status_code == 409
        assert response.get_json()["offset"] == CHUNK
    head = people.author.head(url)
    assert head.status_code == 200 and head.headers["Upload-Offset"] == str(CHUNK)
    assert partials(app)[0].stat().st_size == CHUNK, "nothing of the refused chunks was kept"

    # Past the announced size: refused, nothing appended.
    for at in (CHUNK, 2 * CHUNK):
        assert put(people.author, url, at, content[at:at + CHUNK]).status_code == 200
    response = put(people.author, url, 3 * CHUNK, b"\xff" * CHUNK)
    assert response.status_code == 400
    assert response.get_json()["offset"] == 3 * CHUNK
    assert "More of phong-su.mp3 arrived than its size" in response.get_json()["messages"][0]
    assert file_rows() == []


def test_a_dropped_connection_resumes_where_it_stopped(app, people, contest, clock):
    entry = radio_draft(people, contest)
    content = audio()
    url = start(people.author, entry.id, "phong-su.mp3", len(content)).get_json()["url"]
    assert put(people.author, url, 0, content[:CHUNK]).status_code == 200

    # The second chunk is cut off half-way: the request announces a whole chunk, fewer bytes
    # come. What arrived is kept.
    cut = CHUNK // 2
    people.author.patch(
        url, input_stream=io.BytesIO(content[CHUNK:CHUNK + cut]), content_length=CHUNK,
        content_type="application/offset+octet-stream", headers={"Upload-Offset": str(CHUNK)})

    # The client asks where the upload stands and goes on from there.
    status = people.author.get(url)
    at = status.get_json()["offset"]
    assert status.headers["Upload-Offset"] == str(at)
    assert at == CHUNK + cut
    assert status.get_json()["state"] == "open"
    done = send_all(people.author, url, content, at)
    assert done.get_json()["state"] == "done"
    (row,) = file_rows()
    assert row.sha256 == hashlib.sha256(content).hexdigest()


def test_a_file_over_the_category_limit_is_refused_at_once_with_the_real_limit(
        app, people, contest, clock):
    entry = radio_draft(people, contest)
    response = start(people.author, entry.id, "ca-chuong-trinh.mp3", 3 * MIB)
    assert response.status_code == 413
    assert response.get_json()["messages"] == [
        "ca-chuong-trinh.mp3 is larger than 1 MB, the limit of this category."]
    assert partials(app) == [] and file_rows() == []

    empty = start(people.author, entry.id, "rong.mp3", 0)
    assert empty.status_code == 422
    assert empty.get_json()["messages"] == ["rong.mp3 is empty."]
    assert start(people.author, entry.id, "", 10).status_code == 400
    assert start(people.author, entry.id, "a.mp3", "10").status_code == 400


def test_a_chunk_larger_than_the_chunk_limit_is_refused_before_it_is_read(
        app, people, contest, clock):
    entry = radio_draft(people, contest)
    content = audio()
    url = start(people.author, entry.id, "phong-su.mp3", len(content)).get_json()["url"]
    response = put(people.author, url, 0, content[:CHUNK + 1])
    assert response.status_code == 413
    assert "at most 0.2 MB" in response.get_json()["messages"][0]
    assert people.author.get(url).get_json()["offset"] == 0


def test_only_the_author_who_started_an_upload_may_go_on_with_it(app, people, contest, clock):
    entry = radio_draft(people, contest)
    content = audio(300 * 1024)
    url = start(people.author, entry.id, "phong-su.mp3", len(content)).get_json()["url"]

    for stranger in (people.other, people.judge):
        assert start(stranger, entry.id, "x.mp3", 100).status_code == 404
        assert stranger.get(url).status_code == 404
        assert put(stranger, url, 0, content[:CHUNK]).status_code == 404
        assert stranger.delete(url).status_code == 404
    # An organizer may upload to the entry, but not into the author's upload.
    assert people.organizer.get(url).status_code == 404
    assert put(people.organizer, url, 0, content[:CHUNK]).status_code == 404
    # An upload of one entry is not reachable through another entry's address.
    other = radio_draft(people, contest, title="Một phóng sự khác")
    assert people.author.get(url.replace(f"/entries/{entry.id}/",
                                         f"/entries/{other.id}/")).status_code == 404
    assert people.author.get(f"/writing/entries/{entry.id}/uploads/not-an-id").status_code == 404
    assert people.author.get(url).get_json()["offset"] == 0
    assert file_rows() == []


def test_max_files_is_respected_at_start_and_at_completion(app, people, contest, clock):
    entry = radio_draft(people, contest)  # the radio category takes at most 2 files
    first = audio(300 * 1024)
    url = start(people.author, entry.id, "phan-1.mp3", len(first)).get_json()["url"]
    assert send_all(people.author, url, first).get_json()["state"] == "done"

    # Two uploads started while there was room for one: the second is refused when it ends.
    second = audio(200 * 1024)
    third = audio(100 * 1024)
    url2 = start(people.author, entry.id, "phan-2.mp3", len(second)).get_json()["url"]
    url3 = start(people.author, entry.id, "phan-3.mp3", len(third)).get_json()["url"]
    assert send_all(people.author, url2, second).get_json()["state"] == "done"
    refused = send_all(people.author, url3, third)
    assert refused.status_code == 422
    assert refused.get_json()["state"] == "refused"
    assert refused.get_json()["messages"] == [
        "phan-3.mp3 was not added: an entry of this category has at most 2 files."]
    assert [f.original_name for f in file_rows()] == ["phan-1.mp3", "phan-2.mp3"]

    # With the entry full, a new upload is refused at once.
    full = start(people.author, entry.id, "phan-4.mp3", 1000)
    assert full.status_code == 422
    assert "at most 2 files" in full.get_json()["messages"][0]
    assert partials(app) == []


def test_a_refused_file_leaves_the_entry_and_its_fields_as_they_were(app, people, contest, clock):
    entry = radio_draft(people, contest, pen_name="Hoài An", summary="Tóm tắt phóng sự.")
    before = {c: getattr(entry, c) for c in ("title", "outlet", "published_on", "url",
                                             "pen_name", "summary", "body_source", "category_id",
                                             "status", "updated_at")}
    response = start(people.author, entry.id, "phong-su.mp3", len(EXECUTABLE))
    url = response.get_json()["url"]
    done = put(people.author, url, 0, EXECUTABLE)
    assert done.status_code == 422
    (message,) = done.get_json()["messages"]
    assert message.startswith("phong-su.mp3 is not a file this category accepts (MP3, M4A).")
    assert "It is a program" in message

    entry = reload(Entry, entry.id)
    assert {c: getattr(entry, c) for c in before} == before
    assert file_rows() == []
    assert [p for p in stored_files(app) if "/entries/" in str(p)] == []
    assert partials(app) == []
    assert people.author.get(url).get_json()["state"] == "refused"


def test_a_file_attached_to_a_submitted_entry_keeps_it_submitted(app, people, contest, clock):
    entry = submitted_entry(people.author, contest, category(contest, "radio"),
                            uploads=[(audio(100 * 1024), "phan-1.mp3")])
    content = audio(300 * 1024)
    url = start(people.author, entry.id, "phan-2.mp3", len(content)).get_json()["url"]
    assert send_all(people.author, url, content).get_json()["state"] == "done"
    entry = reload(Entry, entry.id)
    assert entry.status == EntryStatus.SUBMITTED
    assert [f.original_name for f in entry.files] == ["phan-1.mp3", "phan-2.mp3"]


def test_an_upload_can_be_abandoned_and_stale_ones_are_swept(app, people, contest, clock):
    entry = radio_draft(people, contest)
    content = audio()
    url = start(people.author, entry.id, "phong-su.mp3", len(content)).get_json()["url"]
    put(people.author, url, 0, content[:CHUNK])
    assert people.author.delete(url).status_code == 204
    assert people.author.get(url).status_code == 404
    assert partials(app) == []

    url = start(people.author, entry.id, "phong-su.mp3", len(content)).get_json()["url"]
    put(people.author, url, 0, content[:CHUNK])
    old = time.time() - 30 * 3600
    for path in (Path(app.config["UPLOAD_ROOT"]) / "partial").iterdir():
        os.utime(path, (old, old))
    result = app.test_cli_runner().invoke(args=["writing", "sweep-uploads"])
    assert result.exit_code == 0, result.output
    assert "1 unfinished upload(s) removed" in result.output
    assert list((Path(app.config["UPLOAD_ROOT"]) / "partial").iterdir()) == []
    assert people.author.get(url).status_code == 404


def test_the_upload_calls_need_the_csrf_token(app, people, contest, clock):
    entry = radio_draft(people, contest)
    app.config["WTF_CSRF_ENABLED"] = True  # the people logged in without it
    page = text(people.author.get(f"/writing/entries/{entry.id}/edit"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    content = audio(100 * 1024)

    refused = start(people.author, entry.id, "a.mp3", len(content))
    assert refused.status_code == 400
    # The uploader shows the answer's words: JSON, not the HTML error page.
    assert refused.get_json()["messages"] == [
        "This page has expired. Reload the page and send the file again."]
    response = people.author.post(f"/writing/entries/{entry.id}/uploads",
                                  json={"name": "a.mp3", "size": len(content)},
                                  headers={"X-CSRFToken": token})
    assert response.status_code == 201
    url = response.get_json()["url"]
    assert put(people.author, url, 0, content).status_code == 400
    assert people.author.delete(url).status_code == 400
    assert people.author.get(url).get_json()["offset"] == 0
    done = put(people.author, url, 0, content, **{"X-CSRFToken": token})
    assert done.status_code == 200 and done.get_json()["state"] == "done"
    assert len(file_rows()) == 1


class TestPlainForm:
    """Without JavaScript the form takes one file per request, within the app's request cap."""

    @pytest.fixture
    def app_config(self, app_config: dict) -> dict:
        app_config["MAX_CONTENT_LENGTH"] = 6 * MIB  # 4 MB for the fields leaves 2 MB a file
        return app_config

    @pytest.fixture
    def big_radio(self, contest):  # noqa: ANN001, ANN201
        radio = category(contest, "radio")
        radio.max_file_mb = 100
        db.session.commit()
        return radio

    def test_the_form_still_takes_a_file(self, app, people, contest, clock, big_radio):
        entry = draft_entry(people.author, contest, big_radio)
        page = main_text(people.author.get(f"/writing/entries/{entry.id}/edit"))
        assert 'id="uploader"' in page and 'name="files"' in page
        assert "Choose a file of at most 2 MB" in page
        assert "Up to 100 MB per file" in page
        response = edit_entry(people.author, entry.id, entry_form(big_radio),
                              [(audio(500 * 1024), "phong-su.mp3")])
        assert response.status_code == 302
        assert [f.original_name for f in file_rows()] == ["phong-su.mp3"]

    def test_a_file_past_the_request_cap_names_the_real_limits(self, app, people, contest, clock,
                                                               big_radio):
        entry = draft_entry(people.author, contest, big_radio)
        response = edit_entry(people.author, entry.id, entry_form(big_radio),
                              [(audio(7 * MIB), "phong-su.mp3")])
        assert response.status_code == 413
        page = main_text(response)
        assert "at most 2 MB per file, one file at a time" in page
        assert "Files of up to 100 MB can be added on the entry's edit page" in page
        assert file_rows() == []
        # The same file goes through the uploader, whose chunks stay under the cap.
        content = audio(7 * MIB)
        url = start(people.author, entry.id, "phong-su.mp3", len(content)).get_json()["url"]
        assert send_all(people.author, url, content).get_json()["state"] == "done"
        assert file_rows()[0].size == 7 * MIB

    def test_saving_a_new_draft_to_add_files_opens_its_edit_page(self, app, people, contest,
                                                                 clock, big_radio):
        page = main_text(people.author.get(f"/writing/contests/{contest.id}/entries/new"))
        assert 'id="uploader-later"' in page
        response = new_entry(people.author, contest, entry_form(big_radio, action=None,
                                                                then="files"))
        assert response.status_code == 302
        entry_id = db.session.query(Entry).one().id
        assert response.headers["Location"].endswith(
            f"/writing/entries/{entry_id}/edit#files-section")
