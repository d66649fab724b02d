"""Queueing a message: a row added to the caller's session, committed (or rolled back) with
the change that causes it. Nothing is sent here."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from contest.extensions import db
from contest.outbox.models import Kind, OutboxMessage, Status
from contest.timeutil import utcnow

NEW_IDS = "outbox_new_ids"


def enqueue(kind: Kind, recipient: str, body: str, subject: str = "") -> OutboxMessage:
    """Add one message to the current unit of work; it is delivered after the commit."""
    message = OutboxMessage(kind=str(kind), recipient=recipient, subject=subject, body=body,
                            status=Status.QUEUED, attempts=0, next_attempt_at=utcnow(),
                            last_error="")
    db.session.add(message)
    return message


@event.listens_for(Session, "after_flush")
def _remember_new(session: Session, _flush_context) -> None:  # noqa: ANN001
    """Note the ids of messages this transaction inserted, for delivery after its commit."""
    ids = [obj.id for obj in session.new if isinstance(obj, OutboxMessage)]
    if ids:
        session.info.setdefault(NEW_IDS, []).extend(ids)


@event.listens_for(Session, "after_soft_rollback")
def _forget_new(session: Session, previous_transaction) -> None:  # noqa: ANN001
    """A rolled-back transaction sends nothing. (A rolled-back savepoint leaves ids whose rows
    are gone; delivery by id then finds nothing for them.)"""
    if previous_transaction.parent is None:
        session.info.pop(NEW_IDS, None)


def deliver_after_commit(message_id: int) -> None:
    """Ask for ``message_id`` (already in the table, put back in the queue) to be delivered
    after the current transaction commits, as a newly queued message would be."""
    db.session.info.setdefault(NEW_IDS, []).append(message_id)


def take_committed_ids(session: Session) -> list[int]:
    """The ids queued by the transaction that just committed (and forget them)."""
    return session.info.pop(NEW_IDS, [])
