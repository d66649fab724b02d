"""Every organizer, author and judge download says ``Cache-Control: private, no-store``.

The attack: a shared proxy (a commune hall, an office, a mobile carrier) or the browser's disk
cache keeps an organizer's export or an entry file, and the next person on the same machine or
behind the same proxy reads it. The test walks every download route of the URL map, as the
person who may download it, and checks the header; a new download route that this walk does
not know fails the coverage check, so it cannot be added without being checked.
"""

from __future__ import annotations

import re

import pytest

from contest.extensions import db
from contest.judging import assignments, sheets
from contest.writing import storage as writing_storage
from tests.conftest import login
from tests.web.judging.judgingkit import now, points_for, scene
from tests.web.quiz.resultkit import add_result, finalise, make_entrant, make_round
from tests.web.writing.organizer_kit import PDF

# What a download route looks like in the URL map.
DOWNLOAD_RULE = re.compile(r"\.(csv|xlsx|zip|json)$|/export$|/files/")


def client_for(app, user):  # noqa: ANN001, ANN202
    client = app.test_client()
    login(client, user)
    return client


@pytest.fixture
def walk(app, make_user):
    """(endpoint, client, url) for every download, with data behind each one."""
    s = scene(app, make_user, categories=1)
    judge = s.judge("Giám khảo Một")
    entry = s.entry(files=[("bai-du-thi.pdf", PDF, "pdf")])
    author = s.authors[0]
    item = entry.files[0]
    # The judges' copy: the cleaned file, as an upload would have left it.
    folder = writing_storage.entry_dir(app.config["UPLOAD_ROOT"], entry)
    (folder / "clean-copy.pdf").write_bytes((folder / item.stored_name).read_bytes())
    item.clean_name = "clean-copy.pdf"
    db.session.commit()
    rnd = s.round(judges_per_entry=1)
    s.seat(rnd)
    assignments.auto_assign(rnd, s.organizer.id)
    s.open(rnd)
    sheets.save_sheet(s.assignment(rnd, entry, judge), points_for(rnd, 8), "", "", True,
                       judge, now())
    db.session.commit()

    quiz = make_round("closed")
    add_result(quiz, make_entrant("Hà Thị Thu"), 9, prediction=1)
    finalise(quiz)
    db.session.commit()

    organizer = client_for(app, s.organizer)
    author_client = client_for(app, author)
    judge_client = client_for(app, judge)
    c, cat = s.contest.id, s.categories[0].id
    anon = f"/writing/anon/{c}/{entry.anon_code}/files/1"
    return [
        ("accounts.export", author_client, "/account/export"),
        ("judging_console.judging_matrix", organizer,
         f"/organizer/judging/rounds/{rnd.id}/matrix.xlsx"),
        ("quiz_bank.question_export", organizer, "/organizer/questions/export?format=gift&topic="),
        ("quiz_results.results_ranking_csv", organizer,
         f"/organizer/results/{quiz.id}/ranking.csv"),
        ("quiz_results.results_statistics_csv", organizer,
         f"/organizer/results/{quiz.id}/statistics/items.csv"),
        ("writing_console.writing_entry_file", organizer,
         f"/organizer/writing/entries/{entry.id}/files/{item.id}"),
        ("writing_console.writing_entry_file", organizer,
         f"/organizer/writing/entries/{entry.id}/files/{item.id}?clean=1"),
        ("writing_console.writing_entries_csv", organizer, f"/organizer/writing/{c}/entries.csv"),
        ("writing_console.writing_entries_xlsx", organizer, f"/organizer/writing/{c}/entries.xlsx"),
        ("writing_console.writing_category_zip", organizer,
         f"/organizer/writing/{c}/categories/{cat}/files.zip"),
        ("writing.download", author_client, f"/writing/entries/{entry.id}/files/{item.id}"),
        ("writing.download", organizer, f"/writing/entries/{entry.id}/files/{item.id}"),
        ("writing.anonymised_file", judge_client, anon),
        ("writing.anonymised_file", organizer, anon),
        ("organizer_audit.audit_csv", organizer, "/organizer/audit.csv"),
        ("organizer_audit.audit_xlsx", organizer, "/organizer/audit.xlsx"),
        ("reports_console.export_xlsx", organizer, "/organizer/reports/export.xlsx"),
        ("certificates_console.all_zip", organizer, "/organizer/certificates/all.zip"),
    ]


def test_the_walk_covers_every_download_route(app):
    routes = {
        rule.endpoint for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint != "static"
        and DOWNLOAD_RULE.search(rule.rule)
    }
    known = {
        "accounts.export", "judging_console.judging_matrix", "quiz_bank.question_export",
        "quiz_results.results_ranking_csv", "quiz_results.results_statistics_csv",
        "writing_console.writing_entry_file", "writing_console.writing_entries_csv",
        "writing_console.writing_entries_xlsx", "writing_console.writing_category_zip",
        "writing.download",
        "writing.anonymised_file", "organizer_audit.audit_csv", "organizer_audit.audit_xlsx",
        "reports_console.export_xlsx",
        "certificates_console.all_zip",
    }
    # Published prize-winning works, public by design (tests/web/campaign covers who sees them).
    public = {"campaign.showcase_file"}
    assert routes - known - public == set(), "a download route the walk below does not request"


def test_every_download_is_private_and_not_stored(walk):
    seen = set()
    for endpoint, client, url in walk:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert "Content-Disposition" in response.headers, url
        assert response.headers["Cache-Control"] == "private, no-store", url
        assert response.headers.get("Pragma") == "no-cache", url
        assert "Expires" not in response.headers, url
        assert "public" not in response.headers["Cache-Control"]
        seen.add(endpoint)
        response.close()
    assert seen == {endpoint for endpoint, _, _ in walk}


def test_a_conditional_request_gets_no_cacheable_copy(walk):
    """An ETag from send_file must not let a cache serve the file later without asking."""
    _, client, url = next(w for w in walk if w[0] == "writing.download")
    first = client.get(url)
    etag = first.headers.get("ETag")
    if etag:
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.headers["Cache-Control"] == "private, no-store"


def test_public_pages_keep_their_own_cache_rules(client, app):
    rnd = make_round("running")
    add_result(rnd, make_entrant("Lò Văn Páo"), 5)
    api = client.get(f"/api/rounds/{rnd.id}/leaderboard")
    assert api.headers["Cache-Control"] == "public, max-age=30"
    assert client.get("/").headers["Cache-Control"] == "no-store"
