"""Demo content of the reports: the organizing body and signatory, a unit coordinator, and the
certificates of the published past round's winners. Idempotent like the rest of the demo."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import select

from contest.accounts.models import Role, Unit
from contest.demo_accounts import DemoAccount, ensure_account, organizer
from contest.extensions import db
from contest.reports import service

COORDINATOR_UNIT = "X-MUONGXEN"
DEMO_COORDINATORS = [
    DemoAccount("Lương Văn Tiến", "+84912000031", "daumoi@demo.binhdang.vn",
                (Role.UNIT_COORDINATOR,), COORDINATOR_UNIT, "male", date(1984, 6, 9),
                ethnicity="Thái"),
]
ORGANIZING_BODY = "Ban Tổ chức Cuộc thi tìm hiểu về bình đẳng giới trong lĩnh vực chính trị"
LEGAL_BASIS = ("Căn cứ Luật Bình đẳng giới năm 2006; Kế hoạch truyền thông về bình đẳng giới "
               "trong lĩnh vực chính trị của Ủy ban nhân dân tỉnh (dữ liệu mẫu).")


def load(echo: Callable[[str], None]) -> None:
    from contest.certificates import service as certificates

    row = service.settings()
    if not row.organizing_body:
        row.organizing_body = ORGANIZING_BODY
        row.legal_basis = LEGAL_BASIS
        row.signatory_name = "Nguyễn Thị Thanh Hương"
        row.signatory_title = "Trưởng Ban Tổ chức"
        row.place = "Nghệ An"
        echo("report settings: organizing body and signatory set")
    actor = organizer()
    unit = db.session.execute(select(Unit).where(Unit.code == COORDINATOR_UNIT)) \
        .scalar_one_or_none()
    for acc in DEMO_COORDINATORS:
        user, _created = ensure_account(acc)
        if unit is not None and actor is not None:
            service.appoint(actor, acc.phone, unit.id)
    made = certificates.generate(actor.id if actor else None)
    echo(f"certificates: {made.created} created, {made.existing} already present")
