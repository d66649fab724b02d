"""An append-only record of who changed what: roles, results, publications, judging.

Nothing in the application updates or deletes these rows; the ORM refuses it too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, event
from sqlalchemy.orm import Mapped, mapped_column

from contest.dbtypes import UTCDateTime
from contest.extensions import db
from contest.timeutil import utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(500), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(mapper, connection, target) -> None:  # noqa: ANN001
    raise RuntimeError("audit events are append-only")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(mapper, connection, target) -> None:  # noqa: ANN001
    raise RuntimeError("audit events are append-only")


def record(
    actor_id: int | None,
    action: str,
    subject_type: str,
    subject_id: object,
    reason: str = "",
    **details: Any,
) -> AuditEvent:
    """Add an audit event to the current unit of work (committed with the change it records)."""
    entry = AuditEvent(
        actor_id=actor_id,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        reason=reason,
        details=details,
    )
    db.session.add(entry)
    return entry
