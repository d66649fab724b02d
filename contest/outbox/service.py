"""What an organizer may do with the outbox: read the waiting and failed messages, and send a
failed (or waiting) message again now. Every retry is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from contest import audit
from contest.extensions import db
from contest.outbox.models import OutboxMessage, Status
from contest.outbox.queue import deliver_after_commit
from contest.problems import Problem, Refused

SHOWN_STATUSES = (Status.FAILED, Status.QUEUED, Status.SENDING)


def counts() -> dict[str, int]:
    """How many messages are in each status."""
    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
    found = {str(s): 0 for s in Status}
    found.update({status: n for status, n in rows})
    return found


@dataclass(frozen=True)
class Page:
    messages: list[OutboxMessage]
    page: int
    pages: int


def listing(status: Status | None, page: int, per_page: int = 50) -> Page:
    """Messages not yet sent (failed first, then by when they are due), or those of one
    ``status``, a page at a time."""
    wanted = [status] if status else list(SHOWN_STATUSES)
    total = db.session.execute(select(func.count()).select_from(OutboxMessage)
                               .where(OutboxMessage.status.in_(wanted))).scalar_one()
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    failed_first = (OutboxMessage.status != Status.FAILED)
    rows = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.status.in_(wanted))
        .order_by(failed_first, OutboxMessage.next_attempt_at.desc(), OutboxMessage.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).scalars().all()
    return Page(list(rows), page, pages)


def retry(message_id: int, actor_id: int | None, now: datetime) -> OutboxMessage:
    """Put a failed or waiting message back in the queue, due now, with its attempts counted
    from zero. Refused for a message already sent or being sent right now."""
    message = db.session.execute(select(OutboxMessage).where(OutboxMessage.id == message_id)
                                 .with_for_update()).scalar_one_or_none()
    if message is None:
        raise Refused(Problem("message_missing"))
    if message.status == Status.SENT:
        raise Refused(Problem("already_sent"))
    if message.status == Status.SENDING and message.next_attempt_at > now:
        raise Refused(Problem("being_sent"))
    audit.record(actor_id, "outbox.retry", "outbox_message", message.id, kind=message.kind,
                 status=message.status, attempts=message.attempts,
                 last_error=message.last_error)
    message.status = Status.QUEUED
    message.attempts = 0
    message.next_attempt_at = now
    deliver_after_commit(message.id)
    return message


def retry_failed(actor_id: int | None, now: datetime) -> int:
    """Put every failed message back in the queue (as :func:`retry`); returns how many."""
    ids = db.session.execute(select(OutboxMessage.id)
                             .where(OutboxMessage.status == Status.FAILED)
                             .with_for_update()).scalars().all()
    if not ids:
        raise Refused(Problem("nothing_failed"))
    for message_id in ids:
        retry(message_id, actor_id, now)
    return len(ids)
