"""The one tabular writer of the platform: every CSV and XLSX export goes through here.

Exports hold text typed by the public (names, titles, outlets, question texts). A spreadsheet
program reads a CSV cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
as a formula, so such a text could run a formula on an organizer's computer ("CSV injection").
This module is the single place that stops it:

- CSV: a text cell starting with one of those characters is written with a leading apostrophe
  (``'=1+1``), which spreadsheet programs show as the text itself. Numbers, dates and times are
  written as values (``-3`` stays a number).
- XLSX: every text is written as a typed string cell, never a formula, with the characters XML
  cannot hold removed; numbers, dates and times keep their types and get a readable format.

CSV files start with a byte-order mark so that Excel reads them as UTF-8 (Vietnamese diacritics).
CSV can be produced line by line (:func:`csv_lines`) for streamed downloads; XLSX is written in
openpyxl's write-only mode, one row at a time.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

__all__ = ["FORMULA_START", "Sheet", "csv_cell", "csv_lines", "csv_plain", "csv_text",
           "xlsx_bytes"]

# What a spreadsheet program may read as the start of a formula (OWASP's list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
_NUMBERS = (int, float, Decimal)


def csv_cell(value: Any) -> str:
    """One value as CSV text that no spreadsheet program will run."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, _NUMBERS):
        return str(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def csv_plain(text: str) -> str:
    """The text a CSV cell written by :func:`csv_cell` stood for: the guarding apostrophe in
    front of a formula-like text is dropped, so that a file exported here reads back the same."""
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


def csv_lines(rows: Iterable[Sequence[Any]], *, bom: bool = True) -> Iterator[str]:
    """The rows as CSV text, one line (with its line end) at a time; for streamed responses."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    first = True
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if first and bom:
            text = BOM + text
        first = False
        yield text
    if first and bom:
        yield BOM


def csv_text(rows: Iterable[Sequence[Any]], *, bom: bool = True) -> str:
    """The rows as one CSV text."""
    return "".join(csv_lines(rows, bom=bom))


@dataclass
class Sheet:
    """One worksheet: a title (shortened to Excel's 31 characters), a header row and the rows.

    ``widths`` gives column widths in characters, by position; missing ones are left to Excel.
    ``wrap`` shows text cells wrapped and aligned to the top (for texts with line breaks).
    """

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[float] = field(default_factory=list)
    wrap: bool = False


# Characters XML 1.0 cannot hold (openpyxl refuses them).
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _title(title: str, taken: set[str]) -> str:
    cleaned = _TITLE_FORBIDDEN.sub(" ", _ILLEGAL_XML.sub("", title)).strip() or "Sheet"
    candidate, n = cleaned[:31], 1
    while candidate.lower() in taken:
        n += 1
        suffix = f" ({n})"
        candidate = cleaned[: 31 - len(suffix)] + suffix
    taken.add(candidate.lower())
    return candidate


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """A workbook with the given sheets, header rows bold and frozen."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    wrapped = Alignment(wrap_text=True, vertical="top")
    taken: set[str] = set()

    def cell(sheet: Any, value: Any, wrap: bool = False) -> Any:
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, _NUMBERS):
            return value
        if isinstance(value, datetime):
            typed = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))
            typed.number_format = "yyyy-mm-dd hh:mm"
            return typed
        if isinstance(value, date):
            typed = WriteOnlyCell(sheet, value=value)
            typed.number_format = "yyyy-mm-dd"
            return typed
        typed = WriteOnlyCell(sheet, value=_ILLEGAL_XML.sub("", str(value)))
        typed.data_type = "s"  # always text: "=1+1" typed by a person is never a formula
        if wrap:
            typed.alignment = wrapped
        return typed

    for spec in sheets:
        sheet = workbook.create_sheet(title=_title(spec.title, taken))
        for column, width in enumerate(spec.widths, start=1):
            if width:
                sheet.column_dimensions[get_column_letter(column)].width = width
        sheet.freeze_panes = "A2"
        head = []
        for label in spec.header:
            typed = cell(sheet, label)
            if hasattr(typed, "font"):
                typed.font = bold
            head.append(typed)
        sheet.append(head)
        for row in spec.rows:
            sheet.append([cell(sheet, v, spec.wrap) for v in row])
    if not sheets:
        workbook.create_sheet(title="Sheet")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
