"""Account workflows: registration, sign-in, password reset, roles, own-data export and erasure.

These functions work on ORM objects and the database session; they never look at the request.
The caller commits.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from contest import audit
from contest.accounts.identity import looks_like_email, normalize_email, normalize_phone
from contest.accounts.models import ResetCode, Role, Unit, User, UserRole
from contest.accounts.policy import check_role_change
from contest.extensions import db
from contest.timeutil import utcnow

# A constant hash to compare against when no account matches, so that a wrong identifier
# takes as long as a wrong password and timing reveals nothing.
_DUMMY_HASH = generate_password_hash("no such account", method="pbkdf2:sha256:1000")


def new_session_token() -> str:
    return secrets.token_hex(16)


def set_password(user: User, password: str, method: str) -> None:
    user.password_hash = generate_password_hash(password, method=method)
    user.session_token = new_session_token()


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


def authenticate(identifier: str, password: str) -> User | None:
    user = find_by_identifier(identifier)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.is_active:
        return None
    return user


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
