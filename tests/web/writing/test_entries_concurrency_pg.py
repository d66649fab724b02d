"""Simultaneous submissions on PostgreSQL: the contest row lock gives every entry its own
anonymised code and keeps the cap per author. SQLite runs one writer at a time, so these tests
need PostgreSQL."""
# ruff: noqa: F811 - the fixtures imported from entrykit are parameters of the tests

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from contest.accounts.models import Role, User
from contest.extensions import db
from contest.writing import service
from contest.writing.models import Entry, EntryStatus
from tests.web.writing.entrykit import IN_WINDOW, category, clock, contest, words  # noqa: F401

pytestmark = pytest.mark.postgres_only
PAUSE = 0.4  # long enough for the other thread to reach the same row


@pytest.fixture(autouse=True)
def postgres_only(app):  # noqa: ANN001
    if db.engine.dialect.name != "postgresql":
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("REQUIRE_POSTGRES=1 but the tests run on " + db.engine.dialect.name)
        pytest.skip("concurrency tests need PostgreSQL row locks: set TEST_DATABASE_URL")


def together(app, *jobs: Callable[[], Any]) -> list[Any]:  # noqa: ANN001
    """Run each job in its own thread, app context and transaction, released at once;
    returns each job's result, or the exception it raised."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list[Any] = [None] * len(jobs)

    def run(index: int, job: Callable[[], Any]) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                outcomes[index] = job()
                db.session.commit()
            except Exception as exc:  # handed to the test
                db.session.rollback()
                outcomes[index] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    db.session.expire_all()
    return outcomes


def draft(app, contest, author: User, title: str) -> int:  # noqa: ANN001
    result = service.create_entry(
        contest, author,
        service.EntryInput(category_id=category(contest, "print").id, title=title,
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
        code = entry.anon_code
        time.sleep(PAUSE)  # hold the transaction open while the others try
        return code

    return job


def test_simultaneous_submissions_get_distinct_codes(app, contest, clock, make_user):
    authors = [make_user(Role.JOURNALIST) for _ in range(4)]
    ids = [draft(app, contest, a, f"Bài {n}") for n, a in enumerate(authors)]
    codes = together(app, *[submitter(app, i, a.id) for i, a in zip(ids, authors, strict=True)])
    assert sorted(codes) == ["BC-001", "BC-002", "BC-003", "BC-004"]


def test_simultaneous_submissions_keep_the_cap(app, contest, clock, make_user):
    author = make_user(Role.JOURNALIST)
    first = draft(app, contest, author, "Một")
    service.submit_entry(db.session.get(Entry, first), author,
                         upload_root=app.config["UPLOAD_ROOT"])
    db.session.commit()
    # The cap is 2: of two more submitted at once, one must be refused.
    ids = [draft(app, contest, author, title) for title in ("Hai", "Ba")]
    outcomes = together(app, *[submitter(app, i, author.id) for i in ids])
    refused = [o for o in outcomes if isinstance(o, service.EntryRefused)]
    assert len(refused) == 1, outcomes
    assert [p.code for p in refused[0].problems] == ["cap_reached"]
    statuses = sorted(db.session.get(Entry, i).status for i in ids)
    assert statuses == [EntryStatus.DRAFT, EntryStatus.SUBMITTED]
