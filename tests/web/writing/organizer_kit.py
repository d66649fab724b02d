"""Helpers of the organizer console tests of the writing contests: contests, categories and
entries made straight in the database, files on disk, and a clean request state per request."""

from __future__ import annotations

import html
import re
import secrets
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from contest import timeutil
from contest.accounts.models import Role, User
from contest.audit import AuditEvent
from contest.extensions import db
from contest.writing import contests
from contest.writing.models import (
    Category,
    ContestStatus,
    Entry,
    EntryFile,
    EntryStatus,
    WritingContest,
)

PDF = b"%PDF-1.4\n" + b"1 0 obj << >> endobj\n" * 40 + b"%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8 + b"\xff\xd9"


@pytest.fixture
def organizer(login_as):
    c = login_as(Role.ORGANIZER)
    c.set_cookie("lang", "en")
    return c


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def flashes(response) -> list[str]:
    return [m.strip() for m in
            re.findall(r'<p class="alert alert-\w+">(.*?)</p>', text(response), re.S)]


def field_error(response, name: str) -> str:
    match = re.search(rf'<p class="error" id="{name}-error">(.*?)</p>', text(response), re.S)
    return match.group(1).strip() if match else ""


def events(action: str | None = None, subject_type: str | None = None) -> list[AuditEvent]:
    db.session.expire_all()
    stmt = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if subject_type:
        stmt = stmt.where(AuditEvent.subject_type == subject_type)
    return list(db.session.execute(stmt).scalars())


def now() -> datetime:
    return timeutil.utcnow().replace(microsecond=0)


def make_contest(title: str = "Giải báo chí về bình đẳng giới", *, status: str = "open",
                 opens: timedelta = timedelta(days=-10), closes: timedelta = timedelta(days=20),
                 categories: int = 1, **settings) -> WritingContest:
    """A contest whose submission window is relative to now, with ``categories`` categories."""
    start = now()
    values = dict(
        title=title, submission_opens_at=start + opens, submission_closes_at=start + closes,
        publication_from=date(2024, 1, 1), publication_to=(start + closes).date(),
        rules="Thể lệ", code_prefix="BC",
    )
    values.update(settings)
    contest = contests.create_contest(contests.ContestSettings(**values), None)
    for n in range(categories):
        contests.add_category(contest, contests.CategorySettings(
            name=["Báo in", "Báo điện tử", "Phát thanh"][n], medium=["print", "online", "radio"][n],
            accepted_kinds=["pdf", "docx", "jpeg"]), None)
    contest.status = status
    db.session.commit()
    return contest


def close_window(contest: WritingContest) -> None:
    """Move the contest's window into the past, as if its deadline had passed."""
    contest.submission_opens_at = now() - timedelta(days=30)
    contest.submission_closes_at = now() - timedelta(days=1)
    contest.status = ContestStatus.CLOSED
    db.session.commit()


_numbers = iter(range(1, 1_000_000))


def make_entry(app, contest: WritingContest, category: Category, author: User, *,
               status: str = EntryStatus.SUBMITTED, title: str | None = None,
               files: list[tuple[str, bytes, str]] = (), **fields) -> Entry:
    """An entry made with the models; ``files`` are (original name, content, kind)."""
    n = next(_numbers)
    submitted = status in (EntryStatus.SUBMITTED, EntryStatus.DISQUALIFIED,
                           EntryStatus.WITHDRAWN)
    entry = Entry(
        contest_id=contest.id, category_id=category.id, author_id=author.id, status=status,
        title=title or f"Phụ nữ tham chính {n}", outlet="Báo Nghệ An",
        published_on=date(2025, 3, 8), url=f"https://baonghean.vn/bai-{n}",
        summary="Tóm tắt", pen_name="",
        anon_code=f"{contest.code_prefix}-{n:03d}" if submitted else None,
        receipt_code=secrets.token_hex(5).upper() if submitted else None,
        submitted_at=now() - timedelta(hours=n) if submitted else None,
        disqualified_reason="Đạo văn" if status == EntryStatus.DISQUALIFIED else "",
        disqualified_at=now() if status == EntryStatus.DISQUALIFIED else None,
        withdrawn_at=now() if status == EntryStatus.WITHDRAWN else None,
    )
    for key, value in fields.items():
        setattr(entry, key, value)
    db.session.add(entry)
    db.session.flush()
    folder = Path(app.config["UPLOAD_ROOT"]) / "entries" / str(entry.id)
    folder.mkdir(parents=True, exist_ok=True)
    for original, content, kind in files:
        stored = secrets.token_hex(16) + "." + kind
        (folder / stored).write_bytes(content)
        entry.files.append(EntryFile(kind=kind, original_name=original, stored_name=stored,
                                     size=len(content), sha256="0" * 64,
                                     clean_warning=""))
    db.session.commit()
    return entry


def reload(model, ident):  # noqa: ANN001, ANN201
    db.session.expire_all()
    return db.session.get(model, ident)
