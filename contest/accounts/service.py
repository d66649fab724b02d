"""Account workflows: registration, sign-in, password reset, roles, own-data export and erasure.

These functions work on ORM objects and the database session; they never look at the request.
The caller commits.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any, Protocol

from sqlalchemy import func, or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from contest import audit
from contest.accounts.identity import looks_like_email, normalize_email, normalize_phone
from contest.accounts.models import LoginSession, ResetCode, Role, Unit, User, UserRole
from contest.accounts.policy import check_role_change
from contest.extensions import db
from contest.timeutil import utcnow


@cache
def dummy_hash(method: str) -> str:
    """A hash made with the same algorithm and parameters as real ones (``method``).

    Checked when no account matches, so that a wrong identifier costs as much as a wrong
    password and the time of the answer does not tell which accounts exist.
    """
    return generate_password_hash(secrets.token_hex(16), method=method)


def new_session_token() -> str:
    return secrets.token_hex(16)


def set_password(user: User, password: str, method: str) -> None:
    """Store a new password: every session and remember-me cookie ends, a lock is lifted."""
    user.password_hash = generate_password_hash(password, method=method)
    user.session_token = new_session_token()
    user.locked_until = None


@dataclass
class Registration:
    full_name: str
    phone: str
    password: str
    birth_date: date
    consent_version: str
    email: str | None = None
    citizen_id: str | None = None
    gender: str | None = None
    unit_id: int | None = None
    ethnicity: str | None = None
    outlet: str | None = None
    locale: str | None = None
    as_journalist: bool = False


def register(data: Registration, hash_method: str) -> User:
    """Create an account. The caller has validated the fields and checked uniqueness."""
    user = User(
        full_name=" ".join(data.full_name.split()),
        phone=data.phone,
        email=normalize_email(data.email),
        birth_date=data.birth_date,
        citizen_id=data.citizen_id or None,
        gender=data.gender or None,
        unit_id=data.unit_id,
        ethnicity=data.ethnicity or None,
        outlet=data.outlet or None,
        locale=data.locale,
        consent_at=utcnow(),
        consent_version=data.consent_version,
    )
    set_password(user, data.password, hash_method)
    if data.as_journalist:
        user.role_rows.append(UserRole(role=Role.JOURNALIST))
    db.session.add(user)
    db.session.flush()
    return user


def find_by_identifier(identifier: str) -> User | None:
    """The live account whose e-mail or phone is ``identifier``, if any."""
    if looks_like_email(identifier):
        email = normalize_email(identifier)
        stmt = select(User).where(User.email == email)
    else:
        phone = normalize_phone(identifier)
        if phone is None:
            return None
        stmt = select(User).where(User.phone == phone)
    user = db.session.execute(stmt).scalar_one_or_none()
    if user is None or user.erased_at is not None:
        return None
    return user


class FailureCounter(Protocol):
    """Counts wrong passwords per subject in storage shared by every server (see throttle)."""

    def add(self, subject: str) -> int: ...

    def clear(self, subject: str) -> None: ...


@dataclass(frozen=True)
class LoginPolicy:
    """How password checks are made and when an account pauses after wrong passwords."""

    hash_method: str
    failures: FailureCounter
    max_failures: int = 10
    lock_for: timedelta = timedelta(minutes=15)


@dataclass
class LoginResult:
    """The account signed in (``user``), or None; ``locked_now`` names an account just paused."""

    user: User | None
    locked_now: User | None = None


def check_password(user: User | None, password: str, policy: LoginPolicy,
                   typed: str = "") -> LoginResult:
    """Check ``password`` for ``user`` (None: no account matched the ``typed`` identifier).

    Known and unknown accounts cost the same: one hash with the same parameters and, for a
    wrong password, one count in the shared counter (by account, or by what was typed), and no
    database write. Every ``max_failures``-th wrong password within ``lock_for`` pauses the
    account for ``lock_for``, whatever address the guesses come from; while paused even the
    right password is refused, with the answer of a wrong one, so the pause does not reveal
    that the account exists.
    """
    if user is None:
        check_password_hash(dummy_hash(policy.hash_method), password)
        policy.failures.add(f"typed:{typed.strip().lower()}")
        return LoginResult(None)
    correct = check_password_hash(user.password_hash, password)
    now = utcnow()
    if user.locked_until is not None and user.locked_until > now:
        return LoginResult(None)
    subject = f"account:{user.id}"
    if not correct:
        # The count is one atomic increment: of concurrent guesses exactly one is the tenth.
        failures = policy.failures.add(subject)
        if failures and failures % policy.max_failures == 0:
            user.locked_until = now + policy.lock_for
            audit.record(None, "account.locked", "user", user.id, failures=failures)
            return LoginResult(None, locked_now=user)
        return LoginResult(None)
    if not user.is_active:
        return LoginResult(None)
    policy.failures.clear(subject)
    if user.locked_until is not None:
        user.locked_until = None
    return LoginResult(user)


def authenticate(identifier: str, password: str, policy: LoginPolicy) -> LoginResult:
    """Sign-in by phone or e-mail and password; see :func:`check_password`."""
    return check_password(find_by_identifier(identifier), password, policy, typed=identifier)


def phone_taken(phone: str, except_user_id: int | None = None) -> bool:
    stmt = select(User.id).where(User.phone == phone)
    if except_user_id:
        stmt = stmt.where(User.id != except_user_id)
    return db.session.execute(stmt).first() is not None


def email_taken(email: str, except_user_id: int | None = None) -> bool:
    stmt = select(User.id).where(User.email == normalize_email(email))
    if except_user_id:
        stmt = stmt.where(User.id != except_user_id)
    return db.session.execute(stmt).first() is not None


# --- e-mail change -----------------------------------------------------------------------------


def request_email_change(user: User, new_email: str | None) -> str:
    """Start changing ``user``'s e-mail: "unchanged", "pending" (a link must confirm the new
    address; the old one stays in use until then) or "removed" (applied at once).

    The caller has checked that the address is free and that the account may go without one.
    """
    new_email = normalize_email(new_email)
    if new_email == user.email:
        user.pending_email = None
        return "unchanged"
    if new_email is None:
        user.email = None
        user.email_verified_at = None
        user.pending_email = None
        audit.record(user.id, "account.email_removed", "user", user.id)
        return "removed"
    user.pending_email = new_email
    audit.record(user.id, "account.email_change_requested", "user", user.id)
    return "pending"


def confirm_email_change(user: User, new_email: str) -> bool:
    """Make the pending address ``new_email`` the account's, confirmed; False when it is not
    (any longer) the pending one or another account took it meanwhile."""
    if user.erased_at is not None or user.pending_email != new_email:
        return False
    if email_taken(new_email, except_user_id=user.id):
        return False
    user.email = new_email
    user.email_verified_at = utcnow()
    user.pending_email = None
    audit.record(user.id, "account.email_changed", "user", user.id)
    return True


def undo_reported_change(user: User, old_email: str | None) -> None:
    """The owner says a change was not theirs: drop a pending address and bring back
    ``old_email`` when it is free (the report link reached that mailbox or phone)."""
    user.pending_email = None
    if old_email != user.email and (old_email is None or not email_taken(old_email, user.id)):
        if old_email is not None or not user.roles:
            user.email = old_email
            user.email_verified_at = utcnow() if old_email else None
    audit.record(user.id, "account.change_reported", "user", user.id)


# --- SMS reset codes -------------------------------------------------------------------------


def issue_reset_code(user: User, max_age: int) -> str:
    """Create a fresh six-digit code for ``user``, cancelling earlier unused ones."""
    now = utcnow()
    for old in db.session.execute(
        select(ResetCode).where(ResetCode.user_id == user.id, ResetCode.used_at.is_(None))
    ).scalars():
        old.used_at = now
    code = f"{secrets.randbelow(10**6):06d}"
    db.session.add(
        ResetCode(
            user_id=user.id,
            code_hash=generate_password_hash(code, method="pbkdf2:sha256:50000"),
            expires_at=now + timedelta(seconds=max_age),
        )
    )
    return code


def consume_reset_code(user: User | None, code: str, max_tries: int) -> bool:
    """True and the code is spent when ``code`` is the live code of ``user``.

    Each wrong guess counts; after ``max_tries`` the code is dead, so six digits stay safe.
    """
    if user is None:
        return False
    now = utcnow()
    row = db.session.execute(
        select(ResetCode)
        .where(ResetCode.user_id == user.id, ResetCode.used_at.is_(None))
        .order_by(ResetCode.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if row is None or row.expires_at < now or row.tries >= max_tries:
        return False
    if not check_password_hash(row.code_hash, code.strip()):
        row.tries += 1
        return False
    row.used_at = now
    return True


# --- roles -----------------------------------------------------------------------------------


def admin_count() -> int:
    return db.session.execute(
        select(func.count()).select_from(UserRole).where(UserRole.role == Role.ADMIN)
    ).scalar_one()


def change_role(actor: User, target: User, role: str, grant: bool, reason: str = "") -> bool:
    """Grant or revoke a role after the policy check; returns False when nothing changed."""
    check_role_change(actor, target, role, grant, admin_count())
    has = role in target.roles
    if grant and not has:
        target.role_rows.append(UserRole(role=role, granted_by_id=actor.id))
    elif not grant and has:
        target.role_rows = [r for r in target.role_rows if r.role != role]
    else:
        return False
    audit.record(actor.id, "role.grant" if grant else "role.revoke", "user", target.id, reason,
                 role=role)
    return True


# --- the person's own data -------------------------------------------------------------------


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def export_data(user: User, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything the platform holds about ``user``, for the person themselves.

    The citizen ID number is only confirmed as present and shown by its last three digits: the
    export is a file that travels, and the number is never displayed after entry.
    """
    data: dict[str, Any] = {
        "account": {
            "id": user.id,
            "full_name": user.full_name,
            "phone": user.phone,
            "email": user.email,
            "email_verified_at": _iso(user.email_verified_at),
            "birth_date": _iso(user.birth_date),
            "citizen_id": ("•••" + user.citizen_id[-3:]) if user.citizen_id else None,
            "gender": user.gender,
            "unit": user.unit.name if user.unit else None,
            "ethnicity": user.ethnicity,
            "outlet": user.outlet,
            "language": user.locale,
            "roles": sorted(user.roles),
            "created_at": _iso(user.created_at),
            "consent": {"at": _iso(user.consent_at), "notice_version": user.consent_version},
        }
    }
    data.update(extra or {})
    return data


def erase(user: User) -> None:
    """Delete an account on its owner's request.

    Name and contact data go; results stay, attached to an anonymous account so that rankings
    and judged entries remain correct. Gender, unit, ethnicity and the year of birth are kept
    because published participation statistics are built from them and name no one.
    """
    user.full_name = ""
    user.phone = None
    user.email = None
    user.email_verified_at = None
    user.pending_email = None
    user.citizen_id = None
    user.outlet = None
    if user.birth_date:
        user.birth_date = date(user.birth_date.year, 1, 1)
    user.password_hash = "!"  # noqa: S105 - a hash that matches no password
    user.session_token = new_session_token()
    user.active = False
    user.erased_at = utcnow()
    user.role_rows = []
    db.session.execute(db.delete(ResetCode).where(ResetCode.user_id == user.id))
    # Devices and addresses are personal data too.
    db.session.execute(db.delete(LoginSession).where(LoginSession.user_id == user.id))
    audit.record(user.id, "account.erase", "user", user.id)


def search_users(query: str, limit: int = 50) -> list[User]:
    stmt = select(User).where(User.erased_at.is_(None)).order_by(User.full_name).limit(limit)
    q = query.strip()
    if q:
        phone = normalize_phone(q)
        like = f"%{q.lower()}%"
        conditions = [func.lower(User.full_name).like(like), func.lower(User.email).like(like)]
        if phone:
            conditions.append(User.phone == phone)
        stmt = stmt.where(or_(*conditions))
    return list(db.session.execute(stmt).scalars())


def units_for_choice() -> list[Unit]:
    return list(
        db.session.execute(
            select(Unit).where(Unit.active.is_(True)).order_by(Unit.kind, Unit.name)
        ).scalars()
    )


def grant_role(user: User, role: str, granted_by: int | None, reason: str) -> bool:
    """Give ``user`` a role that another rule has already decided they get (accepting an
    invitation to a jury grants the judge role); returns False when they hold it already.
    ``granted_by`` is who decided it, recorded with the role and in the audit log."""
    if role in user.roles:
        return False
    user.role_rows.append(UserRole(role=role, granted_by_id=granted_by))
    audit.record(granted_by, "role.grant", "user", user.id, reason, role=role)
    return True


def issue_reset_link(actor_id: int | None, user: User, note: str,
                     make_link: Callable[[User], str]) -> str:
    """An organizer's reset link for ``user`` (made by ``make_link``), recorded in the audit
    trail with the organizer's note. The caller commits."""
    link = make_link(user)
    audit.record(actor_id, "password.reset_link", "user", user.id, note)
    return link
