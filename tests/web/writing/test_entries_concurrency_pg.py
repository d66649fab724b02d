"""Simultaneous submissions on PostgreSQL: the contest row lock gives every entry its own
anonymised code and keeps the cap per author. SQLite runs one writer at a time, so these tests
need PostgreSQL."""
# ruff: noqa: F811 - the fixtures imported from entrykit are parameters of the tests

from __future__ import annotations

from collections.abc import Callable

import pytest

from contest.accounts.models import Role, User
from contest.extensions import db
from contest.writing import inputs, service
from contest.writing.models import Entry, EntryStatus
from tests.concurrency import together
from tests.web.writing.entrykit import IN_WINDOW, category, contest, words  # noqa: F401

# Each submission keeps its transaction open until the others are blocked on the contest row
# (hold=True).
pytestmark = pytest.mark.postgres_only


def draft(app, contest, author: User, title: str) -> int:  # noqa: ANN001
    result = service.create_entry(
        contest, author,
        inputs.EntryInput(category_id=category(contest, "print").id, title=title,
                           outlet="Báo Nghệ An", published_on=IN_WINDOW.date().replace(year=2025),
                           body_source=words(40)),
        upload_root=app.config["UPLOAD_ROOT"],
    )
    db.session.commit()
    return result.entry.id


def submitter(app, entry_id: int, author_id: int) -> Callable[[], str]:  # noqa: ANN001
    def job() -> str:
        entry = db.session.get(Entry, entry_id)
        service.submit_entry(entry, db.session.get(User, author_id),
                             upload_root=app.config["UPLOAD_ROOT"])
        return entry.anon_code

    return job


def test_simultaneous_submissions_get_distinct_codes(app, contest, clock, make_user):
    authors = [make_user(Role.JOURNALIST) for _ in range(4)]
    ids = [draft(app, contest, a, f"Bài {n}") for n, a in enumerate(authors)]
    jobs = [submitter(app, i, a.id) for i, a in zip(ids, authors, strict=True)]
    codes = together(app, *jobs, hold=True)
    assert sorted(codes) == ["BC-001", "BC-002", "BC-003", "BC-004"]


def test_simultaneous_submissions_keep_the_cap(app, contest, clock, make_user):
    author = make_user(Role.JOURNALIST)
    first = draft(app, contest, author, "Một")
    service.submit_entry(db.session.get(Entry, first), author,
                         upload_root=app.config["UPLOAD_ROOT"])
    db.session.commit()
    # The cap is 2: of two more submitted at once, one must be refused.
    ids = [draft(app, contest, author, title) for title in ("Hai", "Ba")]
    outcomes = together(app, *[submitter(app, i, author.id) for i in ids], hold=True,
                        returns=(inputs.EntryRefused,))
    refused = [o for o in outcomes if isinstance(o, inputs.EntryRefused)]
    assert len(refused) == 1, outcomes
    assert [p.code for p in refused[0].problems] == ["cap_reached"]
    statuses = sorted(db.session.get(Entry, i).status for i in ids)
    assert statuses == [EntryStatus.DRAFT, EntryStatus.SUBMITTED]
