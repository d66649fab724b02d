"""One outgoing e-mail or SMS, written in the transaction of the change that causes it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from contest.dbtypes import UTCDateTime
from contest.extensions import db
from contest.timeutil import utcnow


class Kind(enum.StrEnum):
    MAIL = "mail"
    SMS = "sms"


class Status(enum.StrEnum):
    QUEUED = "queued"      # waiting for its next attempt (next_attempt_at)
    SENDING = "sending"    # claimed by a worker until next_attempt_at (the lease)
    SENT = "sent"
    FAILED = "failed"      # out of attempts, or refused for good; an organizer may retry


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("kind IN ('mail', 'sms')", name="kind_known"),
        CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed')",
                        name="status_known"),
        CheckConstraint("attempts >= 0", name="attempts_positive"),
        # What workers scan: messages due, oldest first.
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=Status.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
