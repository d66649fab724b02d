"""The race tests' harness (tests/concurrency.py): its threads, sessions, results and failures,
and on PostgreSQL that ``hold=True`` really makes two transactions overlap."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text

from contest.extensions import db
from contest.problems import Problem, Refused
from tests.concurrency import together, waiting_on_lock


def test_results_come_back_in_order_from_threads_of_their_own(app):
    seen: list[tuple[int, object]] = []  # the sessions themselves, so no id is reused
    lock = threading.Lock()

    def job(n: int):
        def run() -> int:
            with lock:
                seen.append((threading.get_ident(), db.session()))
            return n * n
        return run

    assert together(app, *[job(n) for n in range(4)]) == [0, 1, 4, 9]
    threads, sessions = zip(*seen, strict=True)
    assert len(set(threads)) == 4 and threading.get_ident() not in threads
    assert len({id(x) for x in sessions}) == 4 and all(x is not db.session() for x in sessions)


def test_a_jobs_exception_is_raised_in_the_test(app):
    def fails() -> None:
        raise LookupError("job failed")

    with pytest.raises(LookupError, match="job failed"):
        together(app, lambda: 1, fails)


def test_listed_exceptions_are_results(app):
    def refused() -> None:
        raise Refused(Problem("no"))

    first, second = together(app, lambda: "ok", refused, returns=(Refused,))
    assert first == "ok" and isinstance(second, Refused)


def test_a_failed_job_rolls_back_and_a_finished_one_commits(app, make_user):
    user_id = make_user(full_name="Trước").id

    def rename(name: str, fail: bool):
        def run() -> None:
            db.session.execute(text("UPDATE users SET full_name = :n WHERE id = :i"),
                               {"n": name, "i": user_id})
            if fail:
                raise ValueError(name)
        return run

    with pytest.raises(ValueError):
        together(app, rename("Sau", fail=True))
    assert db.session.execute(text("SELECT full_name FROM users")).scalar_one() == "Trước"
    together(app, rename("Sau", fail=False))
    assert db.session.execute(text("SELECT full_name FROM users")).scalar_one() == "Sau"


def test_hold_needs_postgresql(app):
    if db.engine.dialect.name == "postgresql":
        pytest.skip("this checks the refusal on other databases")
    with pytest.raises(RuntimeError, match="needs PostgreSQL"):
        together(app, lambda: 1, hold=True)


@pytest.fixture
def counter(app):
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE race_counter (id INTEGER PRIMARY KEY, n INTEGER)"))
        conn.execute(text("INSERT INTO race_counter VALUES (1, 0)"))
    yield
    db.session.rollback()  # the test's own reads hold a lock on the table until then
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE race_counter"))


def increment(lock_row: bool):
    """Read the counter, then write it back plus one: a lost update unless the row is locked."""

    def run() -> int:
        suffix = " FOR UPDATE" if lock_row else ""
        n = db.session.execute(text("SELECT n FROM race_counter WHERE id = 1" + suffix)).scalar()
        db.session.execute(text("UPDATE race_counter SET n = :n WHERE id = 1"), {"n": n + 1})
        return n

    return run


def count() -> int:
    return db.session.execute(text("SELECT n FROM race_counter")).scalar_one()


@pytest.mark.postgres_only
def test_hold_makes_a_missing_lock_lose_an_update_every_time(app, counter):
    # Both read 0 before either commits: the first holds until the second is blocked on the
    # row the first updated, so the race is not left to chance.
    assert together(app, increment(False), increment(False), hold=True) == [0, 0]
    assert count() == 1


@pytest.mark.postgres_only
def test_hold_lets_a_row_lock_serialise_the_updates(app, counter):
    assert sorted(together(app, increment(True), increment(True), hold=True)) == [0, 1]
    assert count() == 2


@pytest.mark.postgres_only
def test_waiting_on_lock_sees_a_blocked_backend(app, counter):
    holder = db.engine.connect()
    waiter = db.engine.connect()
    try:
        holder.begin()
        holder.execute(text("SELECT n FROM race_counter WHERE id = 1 FOR UPDATE"))
        waiter_pid = waiter.execute(text("SELECT pg_backend_pid()")).scalar_one()
        waiter.commit()
        blocked = threading.Thread(target=lambda: waiter.execute(
            text("SELECT n FROM race_counter WHERE id = 1 FOR UPDATE")))
        blocked.start()
        seen = threading.Event()
        deadline = time.monotonic() + 10
        while not seen.is_set() and blocked.is_alive() and time.monotonic() < deadline:
            seen.wait(0.02)
            if waiting_on_lock(db.engine, [waiter_pid]) == {waiter_pid}:
                seen.set()
        assert seen.is_set()
        holder.rollback()
        blocked.join(timeout=10)
        assert not blocked.is_alive()
    finally:
        waiter.close()
        holder.close()
