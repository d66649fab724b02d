"""The demo's accounts: one per role, and the helpers every domain's demo uses to create its own
(looked up by phone first, so running the demo again adds nobody).

Kept apart from :mod:`contest.demo`, which loads every domain's demo: the domains' demo modules
import this one, and ``contest.demo`` imports them, so neither imports the other back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from contest.accounts import service
from contest.accounts.models import Role, Unit, User, UserRole
from contest.extensions import db
from contest.timeutil import utcnow

DEMO_PASSWORD = "demo-binhdang-2026"  # noqa: S105 - printed for the local demo


@dataclass
class DemoAccount:
    full_name: str
    phone: str
    email: str | None
    roles: tuple[str, ...]
    unit_code: str
    gender: str
    birth: date
    ethnicity: str = "Kinh"
    outlet: str | None = None


DEMO_ACCOUNTS = [
    DemoAccount("Quản trị Hệ thống", "+84912000001", "admin@demo.binhdang.vn", (Role.ADMIN,),
                "SNV", "undisclosed", date(1985, 3, 2)),
    DemoAccount("Lê Thị Hồng Nhung", "+84912000002", "btc@demo.binhdang.vn", (Role.ORGANIZER,),
                "SNV", "female", date(1982, 7, 19)),
    DemoAccount("Trần Văn Khánh", "+84912000003", "giamkhao@demo.binhdang.vn", (Role.JUDGE,),
                "HLHPN", "male", date(1976, 11, 5)),
    DemoAccount("Phạm Thu Trang", "+84912000004", "phongvien@demo.binhdang.vn",
                (Role.JOURNALIST,), "BAO", "female", date(1990, 1, 23)),
    DemoAccount("Lô Thị Mai", "+84912000005", None, (), "X-MUONGXEN", "female",
                date(1998, 5, 14), ethnicity="Thái"),
]
ORGANIZER_PHONE = "+84912000002"


class _Accounts:
    """Creates demo accounts; the password is hashed once per run (hashing dominates the time
    of creating dozens of accounts, and every demo account has the same password)."""

    def __init__(self) -> None:
        self._hash: str | None = None
        self._units: dict[str, int] | None = None

    def unit_id(self, code: str) -> int | None:
        if self._units is None:
            self._units = dict(db.session.execute(select(Unit.code, Unit.id)).all())
        return self._units.get(code)

    def ensure(self, acc: DemoAccount) -> tuple[User, bool]:
        """The account with ``acc.phone``, created when missing; True when it was created."""
        user = db.session.execute(
            select(User).where(User.phone == acc.phone)
        ).scalar_one_or_none()
        if user is not None:
            return user, False
        method = current_app.config["PASSWORD_HASH_METHOD"]
        if self._hash is None:
            self._hash = generate_password_hash(DEMO_PASSWORD, method=method)
        user = service.register(
            service.Registration(
                full_name=acc.full_name, phone=acc.phone, password=DEMO_PASSWORD,
                birth_date=acc.birth, consent_version=current_app.config["CONSENT_VERSION"],
                email=acc.email, gender=acc.gender, unit_id=self.unit_id(acc.unit_code),
                ethnicity=acc.ethnicity, outlet=acc.outlet, locale="vi",
            ),
            # The real hash is set just below; this one only avoids hashing twice.
            "pbkdf2:sha256:1",
        )
        user.password_hash = self._hash
        if acc.email:
            user.email_verified_at = utcnow()
        for role in acc.roles:
            user.role_rows.append(UserRole(role=role))
        db.session.flush()
        return user, True


_accounts: _Accounts | None = None


def ensure_account(acc: DemoAccount) -> tuple[User, bool]:
    """The demo account for ``acc`` (looked up by phone), created when missing."""
    global _accounts  # noqa: PLW0603 - one helper per run of load_demo
    if _accounts is None:
        _accounts = _Accounts()
    return _accounts.ensure(acc)


def organizer() -> User | None:
    """The demo organizer, who is recorded as the actor of the demo's organizer steps."""
    return db.session.execute(
        select(User).where(User.phone == ORGANIZER_PHONE)
    ).scalar_one_or_none()


def ensure_accounts(accounts: Sequence[DemoAccount], label: str,
                    echo: Callable[[str], None]) -> list[User]:
    users, created = [], 0
    for acc in accounts:
        user, new = ensure_account(acc)
        users.append(user)
        created += new
    echo(f"{label}: {created} created, {len(accounts) - created} already present")
    return users


def begin_run() -> None:
    """Start one run of the demo: one password hash and one unit lookup for all its accounts."""
    global _accounts  # noqa: PLW0603
    _accounts = _Accounts()


def end_run() -> None:
    global _accounts  # noqa: PLW0603
    _accounts = None
