"""Delivering queued messages: claim a batch, send each outside any transaction, record the
outcome.

A claim turns due messages (queued, or sending with an expired lease) into ``sending`` with a
lease (``next_attempt_at`` moved forward by ``OUTBOX_LEASE_SECONDS``) and counts the attempt,
in one short transaction. On PostgreSQL the candidates are selected ``FOR UPDATE SKIP LOCKED``,
so several workers take disjoint batches without waiting on each other; the UPDATE repeats the
due condition, so a row another worker claimed first is never claimed twice (on SQLite, where
writers take turns, that condition alone does it). Delivery is at least once: a worker killed
between sending and recording leaves the message ``sending`` until its lease ends, and it is
then sent again.

A failure is tried again after ``backoff(attempts)``; after ``OUTBOX_MAX_ATTEMPTS`` attempts,
or at once when the transport raises :class:`~contest.outbox.errors.Undeliverable`, the message
is ``failed`` and waits for an organizer (``/organizer/outbox``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from contest.extensions import db
from contest.outbox.errors import Undeliverable
from contest.outbox.models import Kind, OutboxMessage, Status
from contest.timeutil import utcnow

log = logging.getLogger("contest.outbox")

_T = OutboxMessage.__table__
_DUE_STATUSES = (Status.QUEUED.value, Status.SENDING.value)


@dataclass(frozen=True)
class Claimed:
    """A claimed message as plain values: what a transport needs."""

    id: int
    kind: str
    recipient: str
    subject: str
    body: str
    attempts: int


def backoff(attempts: int, base_seconds: int = 60, cap_seconds: int = 3600) -> timedelta:
    """The wait before the next try after ``attempts`` failed ones: base, 2×, 4×, … capped."""
    exponent = max(attempts - 1, 0)
    return timedelta(seconds=min(base_seconds * 2 ** min(exponent, 30), cap_seconds))


def claim(session: Session, now: datetime, limit: int = 20, ids: Iterable[int] | None = None,
          lease_seconds: int = 300) -> list[Claimed]:
    """Claim up to ``limit`` due messages (only those of ``ids`` when given) and commit."""
    due = (_T.c.status.in_(_DUE_STATUSES)) & (_T.c.next_attempt_at <= now)
    query = select(_T.c.id).where(due).order_by(_T.c.next_attempt_at, _T.c.id).limit(limit)
    if ids is not None:
        ids = list(ids)
        if not ids:
            return []
        query = query.where(_T.c.id.in_(ids))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    chosen = list(session.execute(query).scalars())
    if not chosen:
        session.commit()
        return []
    rows = session.execute(
        update(_T).where(_T.c.id.in_(chosen), due)
        .values(status=Status.SENDING.value, attempts=_T.c.attempts + 1,
                next_attempt_at=now + timedelta(seconds=lease_seconds))
        .returning(_T.c.id, _T.c.kind, _T.c.recipient, _T.c.subject, _T.c.body, _T.c.attempts)
    ).all()
    session.commit()
    return sorted((Claimed(*row) for row in rows), key=lambda c: c.id)


def _transport(kind: str) -> Callable[[Claimed], None]:
    if kind == Kind.MAIL:
        from contest.mail import deliver_mail

        return deliver_mail
    from contest.sms import deliver_sms

    return deliver_sms


def finish(session: Session, message: Claimed, now: datetime, error: BaseException | None,
           config: dict) -> str:
    """Record the outcome of one delivery and commit; returns the new status."""
    if error is None:
        values = {"status": Status.SENT.value, "sent_at": now}
    else:
        text = f"{type(error).__name__}: {error}"[:500]
        final = (isinstance(error, Undeliverable)
                 or message.attempts >= config["OUTBOX_MAX_ATTEMPTS"])
        values = {"status": Status.FAILED.value if final else Status.QUEUED.value,
                  "last_error": text,
                  "next_attempt_at": now + backoff(message.attempts,
                                                   config["OUTBOX_BACKOFF_SECONDS"],
                                                   config["OUTBOX_BACKOFF_MAX_SECONDS"])}
    session.execute(update(_T).where(_T.c.id == message.id,
                                     _T.c.status == Status.SENDING.value).values(**values))
    session.commit()
    return values["status"]


def deliver(session: Session, messages: list[Claimed], clock: Callable[[], datetime] = utcnow
            ) -> dict[str, int]:
    """Send each claimed message and record what happened; counts by outcome."""
    config = current_app.config
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for message in messages:
        error: BaseException | None = None
        try:
            _transport(message.kind)(message)
        except Exception as exc:  # noqa: BLE001 - any trouble of a transport is recorded
            error = exc
            log.warning("outbox message %s (%s) not delivered, attempt %s: %s", message.id,
                        message.kind, message.attempts, exc)
        status = finish(session, message, clock(), error, config)
        counts["sent" if status == Status.SENT else
               "failed" if status == Status.FAILED else "retry"] += 1
    return counts


def new_session() -> Session:
    """A session of its own, apart from the request's, for claims and outcomes."""
    return Session(bind=db.engine, expire_on_commit=False)


def run_once(now: datetime | None = None, limit: int = 20, ids: Iterable[int] | None = None,
             clock: Callable[[], datetime] = utcnow) -> dict[str, int]:
    """Claim one batch of due messages and deliver it (inside an app context)."""
    config = current_app.config
    with new_session() as session:
        batch = claim(session, now or clock(), limit, ids, config["OUTBOX_LEASE_SECONDS"])
        counts = deliver(session, batch, clock)
    counts["claimed"] = len(batch)
    return counts


def work(stop: threading.Event, idle_seconds: float = 5.0, limit: int = 20,
         once: bool = False, report: Callable[[dict[str, int]], None] | None = None) -> None:
    """Deliver batch after batch; when nothing is due, wait ``idle_seconds`` (or until ``stop``
    is set). With ``once``, stop when nothing is due."""
    while not stop.is_set():
        try:
            counts = run_once(limit=limit)
        except Exception:  # noqa: BLE001 - a database outage must not end the worker
            log.exception("outbox: a batch could not be claimed; trying again")
            db.engine.dispose()
            counts = {"claimed": 0}
            if once:
                raise
        if report and counts["claimed"]:
            report(counts)
        if counts["claimed"] == 0:
            if once:
                return
            stop.wait(idle_seconds)
