"""Server clock and display of times in the campaign's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def utcnow() -> datetime:
    """The server's current time, timezone-aware UTC. Every open/close rule uses this clock.

    Call it as ``timeutil.utcnow()`` and never import the name: a test clock replaces it here,
    and only the modules that look it up at each call see the replacement.
    """
    return datetime.now(UTC)


def timestamp() -> datetime:
    """:func:`utcnow` looked up at each call: the default of timestamp columns (a column keeps
    the function it was given when its model was defined)."""
    return utcnow()


def local_to_utc(value: datetime) -> datetime:
    """Interpret a naive datetime typed by an organizer as Vietnam time and convert to UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL_TZ)
    return value.astimezone(UTC)


def to_local(value: datetime) -> datetime:
    """The same instant in Asia/Ho_Chi_Minh."""
    return value.astimezone(LOCAL_TZ)


def local_today() -> date:
    """Today's date in Asia/Ho_Chi_Minh, by :func:`utcnow` (looked up at each call)."""
    return to_local(utcnow()).date()
