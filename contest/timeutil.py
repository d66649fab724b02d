"""Server clock and display of times in the campaign's time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def utcnow() -> datetime:
    """The server's current time, timezone-aware UTC. Every open/close rule uses this clock."""
    return datetime.now(UTC)


def local_to_utc(value: datetime) -> datetime:
    """Interpret a naive datetime typed by an organizer as Vietnam time and convert to UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL_TZ)
    return value.astimezone(UTC)


def to_local(value: datetime) -> datetime:
    """The same instant in Asia/Ho_Chi_Minh."""
    return value.astimezone(LOCAL_TZ)
