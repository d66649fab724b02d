"""Users, their roles, and the administrative units they belong to."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.dbtypes import UTCDateTime
from contest.extensions import db
from contest.timeutil import utcnow


class Role(enum.StrEnum):
    ADMIN = "admin"
    ORGANIZER = "organizer"
    JUDGE = "judge"
    JOURNALIST = "journalist"
    # Cán bộ đầu mối: reads the reports of one unit and the units under it (contest.reports).
    UNIT_COORDINATOR = "unit_coordinator"


# Roles whose holders are reached by email (invitations, receipts, reminders).
ROLES_NEEDING_EMAIL = frozenset({Role.ADMIN, Role.ORGANIZER, Role.JUDGE, Role.JOURNALIST})


class UnitKind(enum.StrEnum):
    PROVINCE = "province"
    AGENCY = "agency"
    DISTRICT = "district"
    COMMUNE = "commune"
    WARD = "ward"
    SCHOOL = "school"
    ENTERPRISE = "enterprise"
    OTHER = "other"


class Gender(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNDISCLOSED = "undisclosed"


class Unit(db.Model):
    """An administrative unit or organisation that entrants compete for."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    # Number of people the unit could field; known for some units, used for participation rates.
    size: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    parent: Mapped[Unit | None] = relationship(remote_side=[id])

    __table_args__ = (
        CheckConstraint("size IS NULL OR size >= 0", name="size_not_negative"),
    )

    @property
    def label(self) -> str:
        return f"{self.name} ({self.parent.name})" if self.parent else self.name


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class User(UserMixin, db.Model):
    """A person with an account. Public entrants hold no role; the phone is their identity."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(120))
    # E.164 without the plus sign is ambiguous to read; keep "+84" followed by nine digits.
    phone: Mapped[str | None] = mapped_column(String(16), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_hash: Mapped[str] = mapped_column(String(255))
    birth_date: Mapped[date | None] = mapped_column(Date)
    citizen_id: Mapped[str | None] = mapped_column(String(12))
    gender: Mapped[str | None] = mapped_column(String(12))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    ethnicity: Mapped[str | None] = mapped_column(String(40))
    outlet: Mapped[str | None] = mapped_column(String(200))
    locale: Mapped[str | None] = mapped_column(String(5))
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_version: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Changing it (password change, reset, erasure) ends every session and remember-me cookie.
    session_token: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A new address waits here until its confirmation link is opened; ``email`` stays in use.
    pending_email: Mapped[str | None] = mapped_column(String(254))
    # Set when too many wrong passwords were typed (counted in the rate-limit storage).
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    unit: Mapped[Unit | None] = relationship()
    role_rows: Mapped[list[UserRole]] = relationship(
        foreign_keys=[UserRole.user_id], cascade="all, delete-orphan", lazy="selectin"
    )

    # The key of the sign-in record (LoginSession) this object was loaded through or is being
    # signed in with; not a column. Flask-Login keeps get_id() in the session and the
    # remember-me cookie, so both cookies name that record and die with it.
    login_key: str = ""

    def get_id(self) -> str:
        return f"{self.id}:{self.login_key}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active and self.erased_at is None

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(r.role for r in self.role_rows)

    def has_role(self, *roles: str) -> bool:
        """True when the user holds any of ``roles``; admins hold every role."""
        mine = self.roles
        return Role.ADMIN in mine or any(r in mine for r in roles)


class ResetCode(db.Model):
    """A one-time code sent by SMS to reset the password of an account that has no e-mail."""

    __tablename__ = "reset_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginSession(db.Model):
    """One signed-in device: made at log-in, named by the session and remember-me cookies.

    Only a hash of the key is stored, so a copy of this table opens no session. Logging out,
    revoking it from the account page, a password change and "log out on every device" end it;
    so does ``expires_at``. ``account_token`` is the account's ``session_token`` at log-in: when
    that changes every earlier record stops working at once.
    """

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_token: Mapped[str] = mapped_column(String(32))
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    client_address: Mapped[str] = mapped_column(String(45), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
