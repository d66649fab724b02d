"""Exporting the bank's live questions as GIFT, Aiken, CSV or XLSX files.

Earlier revisions are never exported; deactivated questions only when asked for. CSV and XLSX go
through :mod:`contest.quiz.tabular` (hence :mod:`contest.sheets`), which the bank's importer
reads back unchanged.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import false, select
from sqlalchemy.orm import selectinload

from contest import timeutil
from contest.extensions import db
from contest.problems import Problem
from contest.quiz.aiken import write_aiken
from contest.quiz.bank_common import BankError
from contest.quiz.bank_questions import to_parsed
from contest.quiz.bank_topics import descendant_ids
from contest.quiz.gift import write_gift
from contest.quiz.items import ParsedQuestion
from contest.quiz.models import Question, Topic
from contest.quiz.tabular import write_csv, write_xlsx

EXPORT_FORMATS = ("gift", "aiken", "csv", "xlsx")

_EXTENSIONS = {"gift": ".gift", "aiken": "-aiken.txt", "csv": ".csv", "xlsx": ".xlsx"}
MIMETYPES = {
    "gift": "text/plain; charset=utf-8",
    "aiken": "text/plain; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass
class Export:
    """An exported file and the questions its format could not carry."""

    fmt: str
    data: bytes
    count: int
    skipped: list[ParsedQuestion]
    filename: str

    @property
    def mimetype(self) -> str:
        return MIMETYPES[self.fmt]


def _slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:60]


def export_filename(fmt: str, topic: Topic | None = None, day: date | None = None) -> str:
    """A download name such as ``questions-luat-bau-cu-2026-11-22.gift``."""
    day = day or timeutil.to_local(timeutil.utcnow()).date()
    parts = ["questions"]
    if topic is not None and (slug := _slug(topic.name)):
        parts.append(slug)
    parts.append(day.isoformat())
    return "-".join(parts) + _EXTENSIONS[fmt]


def export_questions(fmt: str, questions: Sequence[Question]) -> tuple[bytes, list[ParsedQuestion]]:
    """Write ``questions`` in ``fmt``; returns the file and the questions left out (Aiken)."""
    if fmt not in EXPORT_FORMATS:
        raise BankError(Problem("bank.unknown_export_format", "format", {"fmt": fmt}))
    parsed = to_parsed(questions)
    skipped: list[ParsedQuestion] = []
    if fmt == "gift":
        data = write_gift(parsed).encode("utf-8")
    elif fmt == "aiken":
        text, skipped = write_aiken(parsed)
        data = text.encode("utf-8")
    elif fmt == "csv":
        data = write_csv(parsed).encode("utf-8")
    else:
        data = write_xlsx(parsed)
    return data, skipped


def export(fmt: str, topic: Topic | None = None, *, include_inactive: bool = False) -> Export:
    """Export the live questions (of ``topic`` and its sub-topics), grouped by topic.

    Deactivated questions are left out unless ``include_inactive``; earlier revisions always.
    Aiken cannot carry multiple-answer questions or partial weights: those are listed in
    ``skipped`` and left out of the file.
    """
    query = select(Question).where(Question.retired == false()).options(
        selectinload(Question.options), selectinload(Question.topic))
    if topic is not None:
        query = query.where(Question.topic_id.in_(descendant_ids(topic.id)))
    if not include_inactive:
        query = query.where(Question.active.is_(True))
    questions = list(db.session.execute(query.order_by(Question.id)).scalars())
    questions.sort(key=lambda q: ([name.casefold() for name in q.topic.path], q.topic_id, q.id))
    data, skipped = export_questions(fmt, questions)
    return Export(fmt, data, len(questions) - len(skipped), skipped,
                  export_filename(fmt, topic))
