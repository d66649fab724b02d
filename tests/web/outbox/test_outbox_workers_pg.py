"""Several workers on PostgreSQL take disjoint batches (FOR UPDATE SKIP LOCKED): no message is
delivered twice and none is left behind."""

from __future__ import annotations

import os
import threading

import pytest
from sqlalchemy import func, select

from contest.extensions import db
from contest.mail import send_mail
from contest.outbox import worker
from contest.outbox.models import OutboxMessage

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="needs PostgreSQL (TEST_DATABASE_URL): SKIP LOCKED and concurrent claims are "
           "PostgreSQL's")

MESSAGES = 300
WORKERS = 4


@pytest.fixture
def app_config(app_config):
    app_config["OUTBOX_DELIVERY"] = "worker"
    return app_config


def test_concurrent_workers_never_send_the_same_message_twice(app):
    for n in range(MESSAGES):
        send_mail(f"person{n}@example.org", f"Tin {n}", f"nội dung {n}")
    db.session.commit()
    start = threading.Barrier(WORKERS)
    claimed: list[list[int]] = [[] for _ in range(WORKERS)]
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            with app.app_context():
                start.wait()
                while True:
                    with worker.new_session() as session:
                        batch = worker.claim(session, worker.utcnow(), limit=7)
                        if not batch:
                            return
                        claimed[index].extend(m.id for m in batch)
                        worker.deliver(session, batch)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    every = [i for ids in claimed for i in ids]
    assert len(every) == len(set(every)) == MESSAGES
    # Each worker did part of the work (they ran side by side, not one after another).
    assert sum(1 for ids in claimed if ids) >= 2
    recipients = [m["To"] for m in app.extensions["outbox"]]
    assert len(recipients) == len(set(recipients)) == MESSAGES
    statuses = db.session.execute(select(OutboxMessage.status, func.count())
                                  .group_by(OutboxMessage.status)).all()
    assert statuses == [("sent", MESSAGES)]
    attempts = db.session.execute(select(func.max(OutboxMessage.attempts))).scalar_one()
    assert attempts == 1
