"""Exports of writing-contest entries: a table (XLSX or CSV) and the files of a category as a ZIP.

The table is written by :mod:`contest.sheets`, which keeps text typed by entrants (a title
starting with ``=``) from ever reaching a spreadsheet as a formula.

The table has one row per entry. The author's phone number is a column only when the reader may
see it (organizers); the views decide that and pass ``include_phone``. Header labels and status
names are English message ids marked with ``N_``; the caller passes its ``translate`` (gettext).

The ZIP of a category is produced as a stream: :func:`stream_category_zip` returns an iterator
of byte chunks, writing each member through :mod:`zipfile` into a small sink that is drained
after every write, so no more than one read buffer of the archive is ever held in memory and the
download starts at once. Members are named ``<anonymised code>/<n>-<original name>``.

Everything read from the database is read before the first chunk is produced, so the iterators
may be consumed after the request that made them has ended.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from contest.accounts.models import User
from contest.extensions import db
from contest.sheets import Sheet, csv_lines, xlsx_bytes
from contest.timeutil import to_local
from contest.writing.files import CHUNK_SIZE, KINDS, display_name
from contest.writing.models import Category, Entry, EntryFile, EntryStatus

__all__ = [
    "COLUMNS",
    "ExportRow",
    "attachment_header",
    "entries_csv",
    "entries_xlsx",
    "entry_rows",
    "header",
    "stream_category_zip",
    "zip_members",
]


def N_(message: str) -> str:  # noqa: N802 - the usual name of the gettext no-op marker
    """Mark a message for translation without translating it here."""
    return message


def _same(text: str) -> str:
    return text


# (key, label); "phone" is left out unless the reader may see it.
COLUMNS: list[tuple[str, str]] = [
    ("code", N_("Code")),
    ("receipt", N_("Receipt")),
    ("category", N_("Category")),
    ("title", N_("Title")),
    ("outlet", N_("Outlet")),
    ("published_on", N_("Publication date")),
    ("url", N_("URL")),
    ("author", N_("Author")),
    ("email", N_("E-mail")),
    ("phone", N_("Phone")),
    ("coauthors", N_("Co-authors")),
    ("pen_name", N_("Pen name")),
    ("status", N_("Status")),
    ("submitted_at", N_("Submitted at (Vietnam time)")),
    ("word_count", N_("Words")),
    ("word_note", N_("Word count note")),
    ("files", N_("Files")),
    ("prior_award", N_("Prior award")),
    ("disqualified_reason", N_("Reason for disqualification")),
]

STATUS_NAMES = {
    EntryStatus.DRAFT: N_("Draft"),
    EntryStatus.SUBMITTED: N_("Submitted"),
    EntryStatus.WITHDRAWN: N_("Withdrawn"),
    EntryStatus.DISQUALIFIED: N_("Disqualified"),
}

@dataclass(frozen=True)
class ExportRow:
    """The values of one entry, keyed as :data:`COLUMNS` (dates as dates, times in Vietnam)."""

    values: dict[str, Any]

    def cells(self, keys: Sequence[str]) -> list[Any]:
        return [self.values[k] for k in keys]


def _keys(include_phone: bool) -> list[str]:
    return [key for key, _label in COLUMNS if include_phone or key != "phone"]


def header(include_phone: bool, translate: Callable[[str], str] = _same) -> list[str]:
    """The column labels, translated."""
    labels = dict(COLUMNS)
    return [translate(labels[key]) for key in _keys(include_phone)]


def _entries(contest_id: int, category_id: int | None,
             status: str | None) -> list[tuple[Entry, User]]:
    stmt = (select(Entry, User).join(User, User.id == Entry.author_id)
            .join(Category, Category.id == Entry.category_id)
            .where(Entry.contest_id == contest_id)
            .options(selectinload(Entry.coauthors), selectinload(Entry.files),
                     selectinload(Entry.category))
            .order_by(Category.position, Category.id, Entry.anon_code, Entry.id))
    if category_id:
        stmt = stmt.where(Entry.category_id == category_id)
    if status:
        stmt = stmt.where(Entry.status == status)
    return [tuple(row) for row in db.session.execute(stmt).all()]


def entry_rows(contest_id: int, *, category_id: int | None = None, status: str | None = None,
               translate: Callable[[str], str] = _same) -> list[ExportRow]:
    """One row per entry of the contest (optionally one category, one status)."""
    rows = []
    for entry, author in _entries(contest_id, category_id, status):
        submitted = to_local(entry.submitted_at).replace(tzinfo=None) \
            if entry.submitted_at else None
        rows.append(ExportRow({
            "code": entry.anon_code or "",
            "receipt": entry.receipt_code or "",
            "category": entry.category.name,
            "title": entry.title,
            "outlet": entry.outlet,
            "published_on": entry.published_on,
            "url": entry.url,
            "author": author.full_name,
            "email": author.email or "",
            "phone": author.phone or "",
            "coauthors": "; ".join(f"{c.name} <{c.email}>" if c.email else c.name
                                   for c in entry.coauthors),
            "pen_name": entry.pen_name,
            "status": translate(STATUS_NAMES.get(entry.status, entry.status)),
            "submitted_at": submitted,
            "word_count": entry.rule_word_count,
            "word_note": _word_note(entry, translate),
            "files": len(entry.files),
            "prior_award": entry.prior_award,
            "disqualified_reason": entry.disqualified_reason,
        }))
    return rows


def _word_note(entry: Entry, translate: Callable[[str], str]) -> str:
    """Why the Words column is not simply the counted words: an organizer's count (with the
    reason), or documents whose words could not be counted."""
    if entry.word_override is not None:
        return translate(N_("Set by the organizers (counted: %(counted)s): %(reason)s")) % {
            "counted": "—" if entry.word_count is None else entry.word_count,
            "reason": entry.word_override_reason}
    if entry.word_source == "unknown":
        return translate(N_("Could not be counted: %(files)s")) % {
            "files": entry.word_uncounted}
    return ""


def entries_csv(rows: Iterable[ExportRow], include_phone: bool,
                translate: Callable[[str], str] = _same) -> Iterator[str]:
    """The rows as CSV text, line by line, starting with a byte-order mark for Excel."""
    keys = _keys(include_phone)
    return csv_lines(chain([header(include_phone, translate)],
                           (row.cells(keys) for row in rows)))


_WIDTHS = {"code": 10, "receipt": 14, "category": 24, "title": 48, "outlet": 24,
           "published_on": 12, "url": 36, "author": 24, "email": 28, "phone": 14,
           "coauthors": 30, "pen_name": 18, "status": 12, "submitted_at": 17, "word_count": 8,
           "word_note": 30,
           "files": 6, "prior_award": 30, "disqualified_reason": 36}


def entries_xlsx(rows: Iterable[ExportRow], include_phone: bool,
                 translate: Callable[[str], str] = _same, sheet_title: str = "entries") -> bytes:
    """The rows as an XLSX workbook with one sheet named ``sheet_title``."""
    keys = _keys(include_phone)
    return xlsx_bytes([Sheet(sheet_title, header(include_phone, translate),
                             (row.cells(keys) for row in rows),
                             widths=[_WIDTHS.get(key, 14) for key in keys])])


# --- the files of a category as one ZIP ----------------------------------------------------

# Media and Office files are compressed already; deflating them again only costs time.
_STORED_KINDS = frozenset({"jpeg", "png", "mp3", "m4a", "mp4", "docx"})


@dataclass(frozen=True)
class ZipMember:
    """A file to put in the archive: where it is on disk and its name inside the archive."""

    path: Path
    name: str
    kind: str
    size: int
    modified: datetime


def _member_name(code: str, n: int, file: EntryFile, clean: bool) -> str:
    if clean:
        return f"{code}/{n}{KINDS[file.kind].extensions[0] if file.kind in KINDS else ''}"
    return f"{code}/{n}-{display_name(file.original_name)}"


def entry_folder(upload_root: str | Path, entry_id: int) -> Path:
    """Where the files of an entry are stored."""
    return Path(upload_root) / "entries" / str(entry_id)


def zip_members(category: Category, upload_root: str | Path,
                clean: bool = False) -> tuple[list[ZipMember], list[str]]:
    """The files of the category's submitted entries, and the names of those missing on disk.

    ``clean`` takes the copies without author metadata (files without one are left out) and
    names members by number only; otherwise the files as uploaded, with their original names.
    """
    entries = db.session.execute(
        select(Entry).where(Entry.category_id == category.id,
                            Entry.status == EntryStatus.SUBMITTED)
        .options(selectinload(Entry.files)).order_by(Entry.anon_code, Entry.id)
    ).scalars().all()
    members, missing = [], []
    for entry in entries:
        code = _safe_folder(entry.anon_code or f"entry-{entry.id}")
        for n, file in enumerate(entry.files, start=1):
            stored = file.clean_name if clean else file.stored_name
            if clean and not stored:
                continue
            name = _member_name(code, n, file, clean)
            path = entry_folder(upload_root, entry.id) / stored
            try:
                size = path.stat().st_size
            except OSError:
                missing.append(name)
                continue
            members.append(ZipMember(path, name, file.kind, size, file.uploaded_at))
    return members, missing


def _safe_folder(code: str) -> str:
    return re.sub(r"[^\w.-]", "_", code) or "entry"


class _Sink(io.RawIOBase):
    """A write-only, unseekable file that keeps what is written until it is drained."""

    def __init__(self) -> None:
        super().__init__()
        self._parts: list[bytes] = []
        self._position = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._parts.append(chunk)
        self._position += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._position

    def drain(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def _zip_time(value: datetime) -> tuple[int, int, int, int, int, int]:
    local = to_local(value)
    if local.year < 1980:  # the earliest time a ZIP can hold
        return (1980, 1, 1, 0, 0, 0)
    return (local.year, local.month, local.day, local.hour, local.minute, local.second)


def _stream(members: list[ZipMember], missing: list[str], missing_note: str) -> Iterator[bytes]:
    sink = _Sink()
    with zipfile.ZipFile(sink, mode="w", allowZip64=True) as archive:
        for member in members:
            info = zipfile.ZipInfo(member.name, date_time=_zip_time(member.modified))
            info.external_attr = 0o644 << 16
            info.compress_type = (zipfile.ZIP_STORED if member.kind in _STORED_KINDS
                                  else zipfile.ZIP_DEFLATED)
            info.file_size = member.size
            try:
                source = open(member.path, "rb")  # noqa: SIM115 - closed below
            except OSError:
                missing.append(member.name)
                continue
            with source, archive.open(info, mode="w", force_zip64=member.size > 2**31) as out:
                while chunk := source.read(CHUNK_SIZE):
                    out.write(chunk)
                    data = sink.drain()
                    if data:
                        yield data
            data = sink.drain()
            if data:
                yield data
        if missing:
            archive.writestr("MISSING.txt", missing_note + "\n" + "\n".join(missing) + "\n")
    yield sink.drain()


def stream_category_zip(category: Category, upload_root: str | Path, *, clean: bool = False,
                        translate: Callable[[str], str] = _same) -> Iterator[bytes]:
    """All files of the category's submitted entries as one ZIP, in chunks of bytes.

    The list of files is read now; the archive is written as the iterator is consumed. A file
    that has vanished from the disk is listed in ``MISSING.txt`` inside the archive instead of
    breaking the download halfway.
    """
    members, missing = zip_members(category, upload_root, clean=clean)
    note = translate(N_("These files were not found on the server:"))
    return _stream(members, missing, note)


def _ascii(text: str) -> str:
    text = text.replace("Đ", "D").replace("đ", "d")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-.") or "download"


def attachment_header(filename: str) -> str:
    """A Content-Disposition value for a download named ``filename`` (any script)."""
    stem, dot, ext = filename.rpartition(".")
    fallback = _ascii(stem) + dot + _ascii(ext) if dot else _ascii(filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
