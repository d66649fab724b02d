"""Demo content for a local installation: units, one account per role, the starter question bank.

Idempotent: every item is looked up by its natural key first, so running it twice adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select

from contest.accounts import service
from contest.accounts.models import Role, Unit, User, UserRole
from contest.accounts.units import DEFAULT_FILE, load_units, parse_units
from contest.extensions import db
from contest.quiz.demo import load as load_quiz_demo
from contest.writing.demo import load as load_writing_demo
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
                date(1998, 5, 14)),
]


def load_demo(echo: Callable[[str], None]) -> None:
    """Load everything and print the demo accounts; safe to run again."""
    created, updated = load_units(parse_units(DEFAULT_FILE.read_text(encoding="utf-8")))
    echo(f"units: {created} created, {updated} already present")
    units = {u.code: u for u in db.session.execute(select(Unit)).scalars()}
    method = current_app.config["PASSWORD_HASH_METHOD"]
    for acc in DEMO_ACCOUNTS:
        user = db.session.execute(select(User).where(User.phone == acc.phone)).scalar_one_or_none()
        if user is None:
            user = service.register(
                service.Registration(
                    full_name=acc.full_name, phone=acc.phone, password=DEMO_PASSWORD,
                    birth_date=acc.birth, consent_version=current_app.config["CONSENT_VERSION"],
                    email=acc.email, gender=acc.gender, unit_id=units[acc.unit_code].id,
                    ethnicity="Thái" if acc.unit_code == "X-MUONGXEN" else "Kinh", locale="vi",
                ),
                method,
            )
            if acc.email:
                user.email_verified_at = utcnow()
            for role in acc.roles:
                user.role_rows.append(UserRole(role=role))
    db.session.flush()
    load_quiz_demo(echo)
    load_writing_demo(echo)
    db.session.commit()
    echo("")
    echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for acc in DEMO_ACCOUNTS:
        who = ", ".join(acc.roles) or "entrant"
        echo(f"  {who:<12} {acc.email or '(no e-mail)':<28} phone {acc.phone}")
