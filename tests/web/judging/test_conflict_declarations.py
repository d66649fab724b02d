"""Declared conflicts are no identity oracle: a judge's declaration goes to the organizer and
changes nothing until the organizer confirms it (the assignment is withdrawn and the round
assigned again) or dismisses it.

The attack: a judge of a blind round declares a conflict "with the author Trần Thị Mai" and
watches which entries leave their list, learning who wrote them; name after name, the blind
review is undone. Now the list stays the same whatever name is declared, and the answer the
judge gets does not depend on whether the name matches anything.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from contest.audit import AuditEvent
from contest.extensions import db
from contest.judging import rounds
from contest.judging.models import Assignment, Conflict, ConflictStatus
from tests.web.judging.judgekit import AUTHOR, blind_scene, client_of, main_text, text


@pytest.fixture
def b(app, make_user):
    return blind_scene(app, make_user)


def events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.execute(select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)).scalars())


def codes_in_list(client, b) -> list[str]:  # noqa: ANN001
    page = main_text(client.get(f"/judging/rounds/{b.rnd.id}"))
    codes = [e.anon_code for e in (b.entry, b.other, b.extra["third"])]
    return [c for c in codes if c in page]


def judges_of(b, entry) -> set[int]:  # noqa: ANN001
    db.session.expire_all()
    return {a.judge_id for a in rounds.assignments_of(b.rnd) if a.entry_id == entry.id}


def flash_text(response) -> str:  # noqa: ANN001
    return " ".join(re.findall(r'<p class="alert alert-\w+">(.*?)</p>', text(response), re.S))


def declare_by_name(client, b, name: str):  # noqa: ANN001, ANN201
    return client.post(f"/judging/contests/{b.s.contest.id}/conflicts",
                       data={"kind": "author", "author_name": name, "reason": "Người quen"},
                       follow_redirects=True)


def test_declaring_a_name_leaves_the_judges_list_unchanged(app, b):
    judge = client_of(app, b.judge)
    before = codes_in_list(judge, b)
    assert b.entry.anon_code in before
    sheet = f"/judging/assignments/{b.assignment(b.entry, b.judge).id}"

    matching = declare_by_name(judge, b, AUTHOR)
    unknown = declare_by_name(judge, b, "Người Không Có Thật")
    assert matching.status_code == unknown.status_code == 200
    # The same answer whether the name is an author of one of the judge's entries or nobody's.
    assert flash_text(matching) == flash_text(unknown) != ""
    assert codes_in_list(judge, b) == before
    assert judge.get(sheet).status_code == 200
    assert judge.get(f"/writing/anon/{b.entry.contest_id}/{b.entry.anon_code}").status_code == 200
    assert b.judge.id in judges_of(b, b.entry)

    db.session.expire_all()
    declared = db.session.execute(select(Conflict).order_by(Conflict.id)).scalars().all()
    assert [c.status for c in declared] == [ConflictStatus.PENDING] * 2
    recorded = events("judging.conflict.declare")
    assert [(e.actor_id, e.details["status"], e.details["withdrawn"]) for e in recorded] == \
        [(b.judge.id, "pending", [])] * 2
    assert events("judging.assignment.conflict") == []

    # The organizer sees who declared what, on the round's console page.
    page = main_text(client_of(app, b.organizer).get(f"/organizer/judging/rounds/{b.rnd.id}"))
    assert "waiting for you" in page
    assert b.judge.full_name in page and AUTHOR in page and "Người Không Có Thật" in page


def test_the_organizer_confirms_and_the_round_is_assigned_again(app, b):
    judge = client_of(app, b.judge)
    declare_by_name(judge, b, AUTHOR)
    conflict = db.session.execute(select(Conflict)).scalar_one()
    organizer = client_of(app, b.organizer)
    r = organizer.post(f"/organizer/judging/conflicts/{conflict.id}/confirm",
                       data={"decide-reason": "Vợ chồng", "round": str(b.rnd.id)})
    assert r.status_code == 302
    assert r.headers["Location"].endswith(f"/organizer/judging/rounds/{b.rnd.id}#declarations")

    db.session.expire_all()
    conflict = db.session.get(Conflict, conflict.id)
    assert (conflict.status, conflict.decided_by_id, conflict.decision_note) == \
        (ConflictStatus.CONFIRMED, b.organizer.id, "Vợ chồng")
    assert conflict.decided_at is not None
    # The judge is off the entry, and the free judge took the place: still two judges.
    assert judges_of(b, b.entry) == {b.second.id, b.outsider.id}
    assert b.entry.anon_code not in codes_in_list(judge, b)
    (withdrawn,) = events("judging.assignment.conflict")
    assert withdrawn.details["judge"] == b.judge.id and withdrawn.actor_id == b.organizer.id
    (confirmed,) = events("judging.conflict.confirm")
    assert confirmed.actor_id == b.organizer.id and confirmed.reason == "Vợ chồng"
    assert confirmed.details["reassigned"] == {str(b.rnd.id): 1}
    assert "No declaration is waiting." in \
        main_text(organizer.get(f"/organizer/judging/rounds/{b.rnd.id}"))

    # A decided declaration cannot be decided again.
    r = organizer.post(f"/organizer/judging/conflicts/{conflict.id}/dismiss",
                       follow_redirects=True)
    assert "already been decided" in text(r)
    assert db.session.get(Conflict, conflict.id).status == ConflictStatus.CONFIRMED


def test_the_organizer_dismisses_and_nothing_changes(app, b):
    judge = client_of(app, b.judge)
    before = codes_in_list(judge, b)
    declare_by_name(judge, b, AUTHOR)
    conflict = db.session.execute(select(Conflict)).scalar_one()
    assignments_before = db.session.execute(select(func.count(Assignment.id))).scalar_one()
    r = client_of(app, b.organizer).post(f"/organizer/judging/conflicts/{conflict.id}/dismiss",
                                         data={"decide-reason": "Trùng tên, không liên quan"})
    assert r.status_code == 302
    assert r.headers["Location"].endswith(f"/organizer/judging/contests/{b.s.contest.id}/conflicts")
    db.session.expire_all()
    assert db.session.get(Conflict, conflict.id).status == ConflictStatus.DISMISSED
    assert db.session.execute(select(func.count(Assignment.id))).scalar_one() == \
        assignments_before
    assert codes_in_list(judge, b) == before
    (dismissed,) = events("judging.conflict.dismiss")
    assert dismissed.reason == "Trùng tên, không liên quan"
    assert "dismissed" in main_text(judge.get(f"/judging/contests/{b.s.contest.id}/conflicts"))


def test_only_organizers_decide(app, b):
    judge = client_of(app, b.judge)
    declare_by_name(judge, b, AUTHOR)
    conflict = db.session.execute(select(Conflict)).scalar_one()
    for who in (b.judge, b.second, b.author):
        r = client_of(app, who).post(f"/organizer/judging/conflicts/{conflict.id}/confirm")
        assert r.status_code == 403
    db.session.expire_all()
    assert db.session.get(Conflict, conflict.id).status == ConflictStatus.PENDING
    assert events("judging.conflict.confirm") == []


def test_a_judge_declares_by_entry_code_from_the_sheet_page(app, b):
    judge = client_of(app, b.judge)
    assignment = b.assignment(b.entry, b.judge)
    sheet = f"/judging/assignments/{assignment.id}"
    page = text(judge.get(sheet))
    assert f"Declare a conflict with {b.entry.anon_code}" in page

    # No reason: nothing is recorded, and the judge is told why.
    r = judge.post(f"{sheet}/conflict", data={"conflict-reason": "  "}, follow_redirects=True)
    assert "Give the reason." in text(r)
    assert db.session.execute(select(func.count(Conflict.id))).scalar_one() == 0

    r = judge.post(f"{sheet}/conflict", data={"conflict-reason": "Tôi đã biên tập bài này"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"{sheet}#conflict")
    conflict = db.session.execute(select(Conflict)).scalar_one()
    assert (conflict.entry_id, conflict.status) == (b.entry.id, ConflictStatus.PENDING)
    page = text(judge.get(sheet))
    assert f"You declared a conflict with {b.entry.anon_code}" in page
    assert "waiting for an organizer" in page
    # Still in the list until the organizer decides; the organizer sees the code.
    assert b.entry.anon_code in codes_in_list(judge, b)
    console = main_text(client_of(app, b.organizer).get(
        f"/organizer/judging/contests/{b.s.contest.id}/conflicts"))
    assert b.entry.anon_code in console and "Tôi đã biên tập bài này" in console

    # Twice is refused; another judge's assignment is not the judge's to declare on.
    r = judge.post(f"{sheet}/conflict", data={"conflict-reason": "Lần nữa"},
                   follow_redirects=True)
    assert "already recorded" in text(r)
    other = b.assignment(b.other, b.outsider)
    assert judge.post(f"/judging/assignments/{other.id}/conflict",
                      data={"conflict-reason": "x"}).status_code == 404
    assert db.session.execute(select(func.count(Conflict.id))).scalar_one() == 1
