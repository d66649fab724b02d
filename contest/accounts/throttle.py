"""Counters kept in the rate limiter's storage, for limits that are not per route and address.

Flask-Limiter counts requests per route and client address. Some limits count something else:
messages sent to one phone or mailbox, failed or successful registrations from one address.
These use the limiter's own storage (memory for one process, Redis for several servers), where
each hit is one atomic increment, so concurrent requests cannot slip past a limit together.
With ``RATELIMIT_ENABLED`` off every check passes, as for the route limits.
"""

from __future__ import annotations

import hashlib
import time

from flask import current_app
from limits import RateLimitItem, parse_many

from contest.extensions import limiter


def _on() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED"))


def _items(limits: str) -> list[RateLimitItem]:
    return list(parse_many(limits))


def _key(key: str) -> str:
    # Phone numbers and addresses do not go into Redis as they are.
    secret = current_app.config["SECRET_KEY"].encode()
    return hashlib.sha256(secret + b"\0" + key.encode()).hexdigest()[:40]


def hit(name: str, key: str, limits: str) -> bool:
    """Count one event for ``key``; False (and nothing more counted) when a limit is reached."""
    if not _on():
        return True
    for item in _items(limits):
        if not limiter.limiter.hit(item, name, _key(key)):
            return False
    return True


def allowed(name: str, key: str, limits: str) -> bool:
    """Whether one more event for ``key`` would stay within every limit (counts nothing)."""
    if not _on():
        return True
    return all(limiter.limiter.test(item, name, _key(key)) for item in _items(limits))


def wait_seconds(name: str, key: str, limits: str) -> int:
    """Seconds until every exhausted limit for ``key`` has room again (0: none is exhausted)."""
    if not _on():
        return 0
    longest = 0.0
    for item in _items(limits):
        stats = limiter.limiter.get_window_stats(item, name, _key(key))
        if stats.remaining <= 0:
            longest = max(longest, stats.reset_time - time.time())
    return max(0, int(longest + 0.999))


class SharedFailureCounter:
    """Wrong passwords per subject, counted in a window of ``window`` seconds (from the first)."""

    def __init__(self, window: int) -> None:
        self.window = window

    def add(self, subject: str) -> int:
        if not _on():
            return 0
        return int(limiter.storage.incr(f"login-failures/{_key(subject)}", self.window))

    def clear(self, subject: str) -> None:
        if _on():
            limiter.storage.clear(f"login-failures/{_key(subject)}")
