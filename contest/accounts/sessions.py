"""Sign-in records: one per signed-in device, so that a session can be ended on the server.

Flask keeps its session in a signed cookie, which stays valid wherever it is copied. The cookie
(and the remember-me cookie) therefore carries the key of a :class:`LoginSession` row, and an
account is loaded only while that row lives: logging out, revoking the device, a password
change, "log out on every device" and the row's expiry each end it for every copy of the cookie.

Functions here work on ORM objects and the database session; the caller commits.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from contest.accounts.models import LoginSession, User
from contest.extensions import db
from contest.timeutil import utcnow

F = TypeVar("F", bound=Callable[..., Any])


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_account_token() -> str:
    return secrets.token_hex(16)


def open_session(user: User, *, remember: bool, user_agent: str, client_address: str,
                 lifetime: timedelta) -> LoginSession:
    """Record a new signed-in device for ``user`` and make it the one ``user.get_id()`` names."""
    key = secrets.token_urlsafe(32)
    now = utcnow()
    row = LoginSession(
        user_id=user.id, key_hash=_hash(key), account_token=user.session_token,
        remember=remember, user_agent=(user_agent or "")[:300],
        client_address=(client_address or "")[:45], created_at=now, last_seen_at=now,
        expires_at=now + lifetime,
    )
    db.session.add(row)
    user.login_key = key
    return row


@functools.cache
def _by_key() -> Select:
    """One statement per request: the record, its account and the account's roles together
    (every page's menu asks for the roles); built once, as every request runs it."""
    return (
        select(LoginSession, User).join(User, User.id == LoginSession.user_id)
        .where(LoginSession.key_hash == bindparam("key_hash"))
        .options(joinedload(User.role_rows))
    )


def resolve(stored_id: str) -> tuple[User, LoginSession] | None:
    """The live account and sign-in record named by a session or remember-me cookie."""
    ident, _, key = (stored_id or "").partition(":")
    if not (ident.isascii() and ident.isdigit()) or not key:
        return None
    found = db.session.execute(_by_key(), {"key_hash": _hash(key)}).unique().first()
    if found is None:
        return None
    row, user = found
    if (row.user_id != int(ident) or row.revoked_at is not None
            or row.expires_at <= utcnow()):
        return None
    if not user.is_active or user.session_token != row.account_token:
        return None
    user.login_key = key
    return user, row


def not_a_visit(view: F) -> F:
    """Mark a view whose requests do not count as the device being seen (a page's background
    saves): they leave the sign-in record alone, one write fewer on a busy path. The page
    that sends them noted the visit."""
    view.not_a_visit = True  # type: ignore[attr-defined]
    return view


def needs_touch(row: LoginSession, every: timedelta) -> bool:
    return utcnow() - row.last_seen_at >= every


def touch(row: LoginSession, client_address: str) -> None:
    """Note that the device was just seen, and from where."""
    now, address = utcnow(), (client_address or "")[:45]
    db.session.execute(
        update(LoginSession).where(LoginSession.id == row.id)
        .values(last_seen_at=now, client_address=address)
        .execution_options(synchronize_session=False)
    )
    # The loaded row says the same, so nothing needs to read it again after the commit.
    set_committed_value(row, "last_seen_at", now)
    set_committed_value(row, "client_address", address)


def close(user: User) -> None:
    """End the record ``user`` was loaded through (this device's session)."""
    if user.login_key:
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.key_hash == _hash(user.login_key),
                   LoginSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        user.login_key = ""


def revoke(user: User, session_id: int) -> bool:
    """End one of ``user``'s own devices; False when it is not theirs or already ended."""
    result = db.session.execute(
        update(LoginSession)
        .where(LoginSession.id == session_id, LoginSession.user_id == user.id,
               LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount > 0


def end_all(user: User) -> None:
    """End every session and remember-me cookie of ``user``, this device's included."""
    user.session_token = new_account_token()
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def active_sessions(user: User) -> list[LoginSession]:
    """The devices where ``user`` is signed in now, most recently seen first."""
    now: datetime = utcnow()
    return list(db.session.execute(
        select(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None),
               LoginSession.expires_at > now,
               LoginSession.account_token == user.session_token)
        .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())
    ).scalars())


def key_matches(row: LoginSession, key: str) -> bool:
    return bool(key) and row.key_hash == _hash(key)


def describe_device(user_agent: str) -> str:
    """A short name for a device from its User-Agent, e.g. "Chrome 120 · Android 10"."""
    from ua_parser import parse

    if not user_agent:
        return ""
    result = parse(user_agent).with_defaults()
    browser = " ".join(p for p in (result.user_agent.family, result.user_agent.major or "")
                       if p and p != "Other")
    system = " ".join(p for p in (result.os.family, result.os.major or "") if p and p != "Other")
    device = result.device.family if result.device.family not in ("Other", "Generic") else ""
    parts = [p for p in (browser, system, device) if p]
    return " · ".join(parts) or user_agent[:60]
