"""Server clock and display of times in the campaign's time zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _system_clock() -> datetime:
    return datetime.now(UTC)


_source: Callable[[], datetime] = _system_clock


def utcnow() -> datetime:
    """The server's current time, timezone-aware UTC. Every open/close rule uses this clock.

    It asks its source at each call, so importing the name (``from contest.timeutil import
    utcnow``, ``default=utcnow`` on a column) is safe: :func:`set_source` moves every reader.
    What must not be done is to read the time once at import (a module-level constant or a
    default argument value computed from it) or to read the system clock anywhere else;
    ``tests/unit/test_clock_reads.py`` checks both.
    """
    return _source()


def set_source(source: Callable[[], datetime]) -> None:
    """Let ``source()`` (timezone-aware UTC) be the time :func:`utcnow` gives, in every thread.
    The tests' ``clock`` fixture uses it; the application never calls it."""
    global _source  # noqa: PLW0603 - the one clock of the process
    _source = source


def reset_source() -> None:
    """Back to the system clock."""
    set_source(_system_clock)


def timestamp() -> datetime:
    """:func:`utcnow` under another name: the default of timestamp columns of the quiz."""
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
    """Today's date in Asia/Ho_Chi_Minh, by :func:`utcnow`."""
    return to_local(utcnow()).date()
