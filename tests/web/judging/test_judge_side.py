"""The judge's side: only their own assignments, blind review that leaks no author data (pages,
file names, file metadata), conflicts that hide an entry everywhere, the scoring form's
validation (nothing saved on bad input), submit and reopen until the round closes, and the other
judges' totals once one's own sheet is submitted."""

from __future__ import annotations

import re
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from contest.accounts.models import Role
from contest.audit import AuditEvent
from contest.extensions import db
from contest.judging import desk, lifecycle, sheets
from contest.judging.models import Conflict, ScoreSheet, SheetStatus
from contest.writing import access, metadata
from tests.web.judging.judgekit import (
    AUTHOR,
    OUTLET,
    blind_scene,
    client_of,
    identifying_strings,
    main_text,
    now,
    points_for,
    text,
)


@pytest.fixture
def b(app, make_user):
    return blind_scene(app, make_user)


def count(model) -> int:  # noqa: ANN001
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def sheet_events() -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action.like("judging.sheet.%"))).scalar_one()


def field_error(response, name: str) -> str:  # noqa: ANN001
    match = re.search(rf'<p class="error" id="{re.escape(name)}-error">(.*?)</p>', text(response),
                      re.S)
    return match.group(1).strip() if match else ""


def form_points(rnd, values: dict[int, str]) -> dict[str, str]:  # noqa: ANN001
    """The scoring form's fields: ``values`` by criterion position (0, 1, 2)."""
    criteria = list(rnd.rubric.criteria)
    return {f"points-{criteria[i].id}": v for i, v in values.items()}


def sheet_url(b, entry=None, judge=None) -> str:  # noqa: ANN001
    return f"/judging/assignments/{b.assignment(entry or b.entry, judge or b.judge).id}"


def anon_url(entry) -> str:  # noqa: ANN001
    return f"/writing/anon/{entry.contest_id}/{entry.anon_code}"


# --- who sees what ---------------------------------------------------------------------------


def test_the_writing_access_hook_asks_judging(b):
    """contest.writing.access.judge_may_view must delegate to desk.may_view_entry."""
    assert access.judge_may_view(b.judge, b.entry) is True
    assert access.judge_may_view(b.outsider, b.entry) is False
    assert access.may_view_anonymised(b.judge, b.entry)
    assert not access.may_view_anonymised(b.outsider, b.entry)


def test_the_list_shows_only_the_judges_own_assignments_with_progress(app, b):
    c = client_of(app, b.judge)
    page = main_text(c.get("/judging/"))
    assert b.entry.anon_code in page and b.extra["third"].anon_code in page
    assert b.other.anon_code not in page and b.other.title not in page
    assert "0 of 2 sheets submitted" in page
    r = c.post(sheet_url(b), data={**form_points(b.rnd, {0: "4", 1: "3", 2: "1"}),
                                   "action": "submit"})
    assert r.status_code == 302
    page = main_text(c.get("/judging/"))
    assert "1 of 2 sheets submitted" in page
    assert "Sheet submitted" in page and "Not started" in page
    round_page = main_text(c.get(f"/judging/rounds/{b.rnd.id}"))
    assert "1 of 2 sheets submitted" in round_page
    # The nav offers the judge's pages to judges only.
    assert 'href="/judging/"' in text(c.get("/judging/"))
    journalist = client_of(app, b.author)
    assert 'href="/judging/"' not in text(journalist.get("/"))


def test_judge_pages_need_the_judge_role(app, b, client):
    assert client.get("/judging/").status_code == 302  # to the login page
    journalist = client_of(app, b.author)
    assert journalist.get("/judging/").status_code == 403
    assert journalist.get(sheet_url(b)).status_code == 403
    organizer = client_of(app, b.organizer)
    assert organizer.get("/judging/").status_code == 403


def test_a_judge_cannot_open_an_entry_they_are_not_assigned(app, b):
    c = client_of(app, b.outsider)
    assert c.get(sheet_url(b)).status_code == 404
    assert c.post(sheet_url(b), data={"action": "save"}).status_code == 404
    assert c.post(sheet_url(b) + "/reopen").status_code == 404
    assert c.get(anon_url(b.entry)).status_code == 404
    for position in (1, 2, 3):
        assert c.get(f"{anon_url(b.entry)}/files/{position}").status_code == 404
    assert c.get(f"/judging/rounds/{b.rnd.id + 1000}").status_code == 404
    assert b.entry.anon_code not in main_text(c.get("/judging/"))
    assert count(ScoreSheet) == 0


def test_the_assigned_judge_opens_the_entry_and_its_cleaned_files(app, b):
    c = client_of(app, b.judge)
    r = c.get(sheet_url(b))
    assert r.status_code == 200
    page = main_text(r)
    assert b.entry.title in page and "Chân dung ba nữ đại biểu." in page
    assert "Những nữ đại biểu Hội đồng nhân dân xã" in page
    links = re.findall(r'href="(/writing/anon/[^"]+/files/\d+)"', page)
    assert len(links) == 3
    assert c.get(anon_url(b.entry)).status_code == 200
    for link in links:
        assert c.get(link).status_code == 200


def test_a_round_not_open_yet_lists_no_entries(app, make_user):
    b = blind_scene(app, make_user, opens_at=now() + timedelta(days=2),
                    closes_at=now() + timedelta(days=9))
    c = client_of(app, b.judge)
    page = main_text(c.get("/judging/"))
    assert "Scoring opens at" in page
    assert b.entry.anon_code not in page and b.entry.title not in page
    assert c.get(sheet_url(b)).status_code == 404
    assert c.get(anon_url(b.entry)).status_code == 404


# --- blind review: no identity leaks ------------------------------------------------------------


def _assert_no_identity(b, body: str, where: str) -> None:  # noqa: ANN001
    lowered = body.lower()
    for secret in identifying_strings(b.entry):
        assert secret.lower() not in lowered, f"{secret!r} leaks on {where}"


def test_a_blind_contest_leaks_no_author_data_to_a_judge(app, make_user):
    b = blind_scene(app, make_user, judges_see_others=True)
    second = client_of(app, b.second)
    second.post(sheet_url(b, judge=b.second),
                data={**form_points(b.rnd, {0: "4", 1: "2", 2: "1"}), "action": "submit",
                      "private_comment": "Good angle", "entrant_comment": "Chặt chẽ"})
    c = client_of(app, b.judge)
    c.post(sheet_url(b), data={**form_points(b.rnd, {0: "5", 1: "3", 2: "2"}),
                               "action": "submit"})
    reached = ["/judging/", f"/judging/rounds/{b.rnd.id}", sheet_url(b),
               f"/judging/contests/{b.s.contest.id}/conflicts",
               f"/judging/contests/{b.s.contest.id}/conflicts?entry={b.entry.id}",
               anon_url(b.entry), f"/judging/contests/{b.s.contest.id}/results",
               "/judging/my-results"]
    sheet_page = text(c.get(sheet_url(b)))
    assert "Other judges' totals" in sheet_page and "Phạm Minh Châu" in sheet_page
    for path in reached:
        r = c.get(path)
        assert r.status_code == 200, path
        _assert_no_identity(b, text(r), path)
        _assert_no_identity(b, " ".join(f"{k}: {v}" for k, v in r.headers.items()), path)
    # The vote page of a blind contest being judged shows no work at all (no title next to an
    # outlet), and no JSON of the judging side names anyone either.
    b.s.contest.readers_vote = True
    b.s.contest.vote_opens_at = now() - timedelta(days=1)
    b.s.contest.vote_closes_at = now() + timedelta(days=1)
    db.session.commit()
    vote_page = text(c.get(f"/judging/contests/{b.s.contest.id}/vote"))
    _assert_no_identity(b, vote_page, "vote page")
    assert b.entry.title not in vote_page
    # Files: neutral names, and no author left in their metadata.
    links = re.findall(r'href="(/writing/anon/[^"]+/files/\d+)"', sheet_page)
    assert len(links) == 3
    for n, link in enumerate(links, start=1):
        r = c.get(link)
        assert r.status_code == 200
        disposition = r.headers["Content-Disposition"]
        kind = {"pdf": "pdf", "docx": "docx", "jpg": "jpeg"}[disposition.rsplit(".", 1)[1]
                                                             .strip('"')]
        assert f"{b.entry.anon_code}-{n}." in disposition
        _assert_no_identity(b, disposition, link)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"download.{kind}"
            path.write_bytes(r.get_data())
            people = metadata.metadata_people(path, kind)
        assert not any(AUTHOR in p or "Tran Thi Mai" in p or "Nguyễn Văn Hùng" in p
                       for p in people), (link, people)
        assert AUTHOR.encode() not in r.get_data() and b"Tran Thi Mai" not in r.get_data()


def test_an_open_contest_shows_judges_who_wrote_the_entry_but_no_contact_data(app, make_user):
    b = blind_scene(app, make_user, blind=False)
    page = main_text(client_of(app, b.judge).get(sheet_url(b)))
    assert AUTHOR in page and OUTLET in page and "Nguyễn Văn Hùng" in page
    assert "mai.tran@baonghean.vn" not in page and b.entry.receipt_code not in page


# --- conflicts ----------------------------------------------------------------------------------


def confirm_latest_declaration(app, b) -> None:  # noqa: ANN001
    """The organizer confirms the newest declaration from the console."""
    db.session.expire_all()
    conflict = db.session.execute(select(Conflict).order_by(Conflict.id.desc())).scalars().first()
    r = client_of(app, b.organizer).post(f"/organizer/judging/conflicts/{conflict.id}/confirm",
                                         data={"decide-reason": "Đã kiểm tra"})
    assert r.status_code == 302


def test_declaring_a_conflict_with_an_entry_hides_it_everywhere(app, b):
    c = client_of(app, b.judge)
    url = sheet_url(b)
    conflicts = f"/judging/contests/{b.s.contest.id}/conflicts"
    page = main_text(c.get(conflicts + f"?entry={b.entry.id}"))
    assert b.entry.anon_code in page and b.other.anon_code not in page
    r = c.post(conflicts, data={"kind": "entry", "entry_id": str(b.entry.id),
                                "reason": "Đồng nghiệp cùng toà soạn"})
    assert r.status_code == 302
    assert count(Conflict) == 1
    # Nothing changes until an organizer decides (a declaration is no identity oracle).
    assert c.get(url).status_code == 200
    confirm_latest_declaration(app, b)
    # The assignment was withdrawn: the entry is nowhere in the judge's pages.
    assert c.get(url).status_code == 404
    assert b.entry.anon_code not in main_text(c.get("/judging/"))
    assert b.entry.title not in main_text(c.get(conflicts))
    assert c.get(anon_url(b.entry)).status_code == 404
    assert c.get(f"{anon_url(b.entry)}/files/1").status_code == 404


def test_a_conflict_in_a_closed_round_hides_the_entry_its_scores_and_its_rank(app, make_user):
    b = blind_scene(app, make_user, judges_see_others=True)
    for judge, total in ((b.judge, 8), (b.second, 6)):
        sheets.save_sheet(b.assignment(b.entry, judge), points_for(b.rnd, total), "", "", True,
                           judge, now())
    db.session.commit()
    c = client_of(app, b.judge)
    url = sheet_url(b)
    assert "Other judges' totals" in text(c.get(url))
    lifecycle.close_round(b.rnd, b.organizer.id, now())
    db.session.commit()
    assert c.get(url).status_code == 200  # a closed round's sheets can still be read
    r = c.post(f"/judging/contests/{b.s.contest.id}/conflicts",
               data={"kind": "author", "author_name": f"  {AUTHOR.upper()} ",
                     "reason": "Người thân"})
    assert r.status_code == 302
    assert c.get(url).status_code == 200  # waiting for an organizer
    confirm_latest_declaration(app, b)
    # Closed rounds keep their assignments, but the judge may no longer open the entry.
    assert c.get(url).status_code == 404
    assert c.get(anon_url(b.entry)).status_code == 404
    assert c.get(f"{anon_url(b.entry)}/files/1").status_code == 404
    page = main_text(c.get(f"/judging/rounds/{b.rnd.id}"))
    assert b.entry.anon_code not in page and b.entry.title not in page
    assert not desk.may_view_entry(b.judge, b.entry)


def test_a_judge_working_for_the_outlet_never_sees_the_entry(app, make_user):
    b = blind_scene(app, make_user, open_round=False)
    b.judge.outlet = OUTLET.lower()
    db.session.commit()
    b.s.open(b.rnd)
    c = client_of(app, b.judge)
    assert b.entry.anon_code not in main_text(c.get("/judging/"))
    assert c.get(anon_url(b.entry)).status_code == 404


def test_a_bad_conflict_declaration_records_nothing(app, b):
    c = client_of(app, b.judge)
    url = f"/judging/contests/{b.s.contest.id}/conflicts"
    r = c.post(url, data={"kind": "entry", "reason": "x"})
    assert r.status_code == 400 and "Choose the entry." in text(r)
    # An entry the judge does not judge cannot be named (ids reveal nothing).
    r = c.post(url, data={"kind": "entry", "entry_id": str(b.other.id), "reason": "x"})
    assert r.status_code == 400
    r = c.post(url, data={"kind": "author", "author_name": "", "reason": "x"})
    assert r.status_code == 400 and "Enter the author's full name." in text(r)
    r = c.post(url, data={"kind": "outlet", "outlet": "Báo Lao Động", "reason": "  "})
    assert r.status_code == 400 and "Give the reason." in text(r)
    assert count(Conflict) == 0
    assert client_of(app, b.author).get(url).status_code == 403
    other_contest = b.s.contest.id + 999
    assert c.get(f"/judging/contests/{other_contest}/conflicts").status_code == 404


# --- the score sheet ----------------------------------------------------------------------------


def test_bad_points_get_a_message_per_criterion_and_save_nothing(app, b):
    c = client_of(app, b.judge)
    url = sheet_url(b)
    criteria = list(b.rnd.rubric.criteria)
    r = c.post(url, data={**form_points(b.rnd, {0: "6", 1: "abc", 2: "-1"}), "action": "save",
                          "private_comment": "Ghi chú"})
    assert r.status_code == 400
    assert "Nothing was saved" in text(r)
    assert field_error(r, f"points-{criteria[0].id}") == \
        f"Points for “{criteria[0].name}” must be from 0 to 5."
    assert "must be a number" in field_error(r, f"points-{criteria[1].id}")
    assert "from 0 to 2" in field_error(r, f"points-{criteria[2].id}")
    assert 'value="abc"' in text(r) and "Ghi chú" in text(r)  # what was typed stays
    # Submitting with a criterion left empty: a message for that one only.
    r = c.post(url, data={**form_points(b.rnd, {0: "4", 1: "2"}), "action": "submit"})
    assert r.status_code == 400
    assert field_error(r, f"points-{criteria[2].id}") == f"Give points for “{criteria[2].name}”."
    assert field_error(r, f"points-{criteria[0].id}") == ""
    assert count(ScoreSheet) == 0 and sheet_events() == 0
    # A valid draft, then a bad submission: the draft stays as it was.
    assert c.post(url, data={**form_points(b.rnd, {0: "4,5"}), "action": "save"}).status_code \
        == 302
    r = c.post(url, data={**form_points(b.rnd, {0: "9", 1: "2", 2: "2"}), "action": "submit"})
    assert r.status_code == 400
    db.session.expire_all()
    (sheet,) = db.session.execute(select(ScoreSheet)).scalars().all()
    assert sheet.status == SheetStatus.DRAFT and sheet.points == {str(criteria[0].id): 4.5}
    assert sheet_events() == 1


def test_draft_submit_and_reopen_until_the_round_closes(app, b):
    c = client_of(app, b.judge)
    url = sheet_url(b)
    r = c.post(url, data={**form_points(b.rnd, {0: "4,5", 1: "2"}), "action": "save",
                          "private_comment": "Cần kiểm chứng số liệu"})
    assert r.status_code == 302
    page = main_text(c.get(url))
    assert "Draft saved" in page and 'value="4.5"' in page and "Cần kiểm chứng" in page
    r = c.post(url, data={**form_points(b.rnd, {0: "4,5", 1: "2", 2: "1,5"}),
                          "action": "submit", "entrant_comment": "Đề tài mới"})
    assert r.status_code == 302
    db.session.expire_all()
    sheet = b.assignment(b.entry, b.judge).sheet
    assert sheet.status == SheetStatus.SUBMITTED and sheet.total == pytest.approx(8.0)
    page = main_text(c.get(url))
    assert "Reopen to change" in page and 'name="action"' not in page
    # A submitted sheet cannot be changed without reopening it.
    r = c.post(url, data={**form_points(b.rnd, {0: "1", 1: "1", 2: "1"}), "action": "submit"})
    assert r.status_code == 400 and "Reopen it first" in text(r)
    assert c.post(url + "/reopen").status_code == 302
    db.session.expire_all()
    assert b.assignment(b.entry, b.judge).sheet.status == SheetStatus.DRAFT
    assert 'name="action"' in main_text(c.get(url))
    assert c.post(url, data={**form_points(b.rnd, {0: "5", 1: "3", 2: "2"}),
                             "action": "submit"}).status_code == 302
    # Once the round's closing time has passed, nothing changes any more.
    b.rnd.closes_at = now() - timedelta(minutes=1)
    db.session.commit()
    r = c.post(url + "/reopen", follow_redirects=True)
    assert "The round does not take scores now." in text(r)
    db.session.expire_all()
    sheet = b.assignment(b.entry, b.judge).sheet
    assert sheet.status == SheetStatus.SUBMITTED and sheet.total == pytest.approx(10.0)
    page = main_text(c.get(url))
    assert "can no longer change" in page and "Reopen to change" not in page
    other = sheet_url(b, b.extra["third"])
    r = c.post(other, data={**form_points(b.rnd, {0: "1", 1: "1", 2: "1"}), "action": "save"})
    assert r.status_code == 400 and "does not take scores now" in text(r)
    assert b.assignment(b.extra["third"], b.judge).sheet is None


def test_other_judges_totals_only_after_ones_own_submission(app, make_user):
    b = blind_scene(app, make_user, judges_see_others=True)
    sheets.save_sheet(b.assignment(b.entry, b.second), points_for(b.rnd, 7), "Riêng tư", "",
                       True, b.second, now())
    db.session.commit()
    c = client_of(app, b.judge)
    url = sheet_url(b)
    assert "Other judges' totals" not in text(c.get(url))
    c.post(url, data={**form_points(b.rnd, {0: "5", 1: "3", 2: "1"}), "action": "submit"})
    page = main_text(c.get(url))
    assert "Other judges' totals" in page
    assert re.search(r"Phạm Minh Châu: <strong>7</strong>", page)
    assert "Riêng tư" not in page  # other judges' private comments stay theirs
    # Without the round's setting, never.
    b.rnd.judges_see_others = False
    db.session.commit()
    assert "Other judges' totals" not in text(c.get(url))


def test_a_withdrawn_entry_leaves_the_judges_list(app, b):
    b.entry.status = "withdrawn"
    db.session.commit()
    c = client_of(app, b.judge)
    assert b.entry.anon_code not in main_text(c.get("/judging/"))
    assert c.get(sheet_url(b)).status_code == 404
    assert c.get(anon_url(b.entry)).status_code == 404


def test_the_organizer_console_links_reach_the_judges_pages(app, b):
    # The console's reminders and the invitation page send judges to these endpoints.
    with app.test_request_context():
        from flask import url_for

        assert url_for("judging.index") == "/judging/"
        assert url_for("judging.round", round_id=b.rnd.id) == f"/judging/rounds/{b.rnd.id}"
    assert Role.JUDGE in b.judge.roles
