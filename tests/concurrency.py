"""The one harness of the race tests: run jobs in threads released together, each in its own
application context, so with its own database session and connection and its own transaction.

``together(app, job_a, job_b)`` starts a thread per job. Each thread pushes an app context,
opens its transaction (on PostgreSQL it learns its backend's pid), waits at a
:class:`threading.Barrier` until every thread is ready, runs its job and commits (or rolls back
if the job raised). The caller gets the jobs' results in order. A job's exception is raised in
the caller, unless its type is listed in ``returns``: then it is the job's result, so a test can
count the refusals. Every thread is joined; one still running after ``timeout`` seconds fails
the test. Each thread holds a pooled connection from the start, so there can be no more jobs
than the pool gives connections (15 by default on PostgreSQL).

``hold=True`` (PostgreSQL only) keeps each finished job's transaction open until every other
thread has either finished too or is waiting on a lock in PostgreSQL (``pg_stat_activity``
says ``wait_event_type = 'Lock'``), and only then commits. So the race really happens: while
the first job holds its row locks, the others are seen blocked on them, rather than hoped to be
after some sleep. If the code under test takes no lock, every job finishes and the holders
commit together, which is the lost update the test then sees.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection
from typing import Any

from flask import Flask, has_app_context
from sqlalchemy import Engine, text

from contest.extensions import db

__all__ = ["together", "waiting_on_lock"]

# How often a holding thread looks at pg_stat_activity again when nothing else has changed.
POLL_SECONDS = 0.02


def waiting_on_lock(engine: Engine, pids: Collection[int]) -> set[int]:
    """The backends among ``pids`` that PostgreSQL reports as waiting on a lock right now."""
    if not pids:
        return set()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        rows = conn.execute(
            text("SELECT pid FROM pg_stat_activity "
                 "WHERE wait_event_type = 'Lock' AND pid = ANY(:pids)"),
            {"pids": list(pids)},
        )
        return {row.pid for row in rows}


class _Race:
    RUNNING, HOLDING, DONE = "running", "holding", "done"

    def __init__(self, count: int, hold: bool, timeout: float) -> None:
        self.hold = hold
        self.deadline = time.monotonic() + timeout
        self.barrier = threading.Barrier(count)
        self.changed = threading.Condition()
        self.state = [self.RUNNING] * count
        self.pids: list[int | None] = [None] * count

    def mark(self, index: int, state: str) -> None:
        with self.changed:
            self.state[index] = state
            self.changed.notify_all()

    def wait_for_the_others(self, index: int, engine: Engine) -> None:
        """Return once every other job has finished or is blocked on a PostgreSQL lock."""
        with self.changed:
            while True:
                running = {self.pids[i] for i, s in enumerate(self.state)
                           if i != index and s == self.RUNNING}
                if not running or running <= waiting_on_lock(engine, running):
                    return
                if time.monotonic() > self.deadline:
                    raise TimeoutError(
                        f"job {index} finished, but backends {sorted(running)} neither finished "
                        "nor waited on a lock")
                # Woken early when another thread finishes; else look at PostgreSQL again.
                self.changed.wait(POLL_SECONDS)


def together(app: Flask, *jobs: Callable[[], Any], hold: bool = False,
             returns: tuple[type[BaseException], ...] = (), timeout: float = 30.0) -> list[Any]:
    """Run ``jobs`` at once, one thread, app context and transaction each; see the module."""
    if not jobs:
        return []
    race = _Race(len(jobs), hold, timeout)
    results: list[Any] = [None] * len(jobs)
    raised: list[BaseException | None] = [None] * len(jobs)

    def run(index: int, job: Callable[[], Any]) -> None:
        passed = False  # through the barrier
        with app.app_context():
            try:
                postgres = db.engine.dialect.name == "postgresql"
                if hold and not postgres:
                    raise RuntimeError("hold=True needs PostgreSQL (it watches pg_stat_activity)")
                if postgres:
                    race.pids[index] = db.session.execute(
                        text("SELECT pg_backend_pid()")).scalar_one()
                race.barrier.wait(timeout=max(0.0, race.deadline - time.monotonic()))
                passed = True
                try:
                    results[index] = job()
                    if hold:
                        race.mark(index, race.HOLDING)
                        race.wait_for_the_others(index, db.engine)
                    db.session.commit()
                except BaseException:
                    db.session.rollback()
                    raise
            except threading.BrokenBarrierError as exc:
                raised[index] = exc
            except BaseException as exc:  # noqa: BLE001 - handed to the caller below
                raised[index] = exc
                if not passed:  # nobody waits at the barrier for a thread that failed before it
                    race.barrier.abort()
            finally:
                db.session.remove()
                race.mark(index, race.DONE)

    threads = [threading.Thread(target=run, args=(i, job), name=f"together-{i}", daemon=True)
               for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, race.deadline - time.monotonic()) + 5)
    stuck = [t.name for t in threads if t.is_alive()]
    if stuck:
        raise AssertionError(f"threads still running after {timeout} s: {stuck}")
    # The first real failure, not the broken barrier it caused in the other threads.
    failures = [e for e in raised if e is not None and not isinstance(e, returns)]
    failures.sort(key=lambda e: isinstance(e, threading.BrokenBarrierError))
    if failures and isinstance(failures[0], threading.BrokenBarrierError):
        raise AssertionError(
            f"the {len(jobs)} threads did not all reach the barrier within {timeout} s: is "
            "the connection pool smaller than the number of jobs?") from failures[0]
    if failures:
        raise failures[0]
    if has_app_context():
        db.session.expire_all()  # the caller reads what the threads committed
    return [raised[i] if raised[i] is not None else results[i] for i in range(len(jobs))]
