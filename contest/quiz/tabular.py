"""Reading and writing question banks as CSV and XLSX tables.

The first non-empty row is the header. Its columns, in any order and any
letter case, are::

    topic, kind, text, options, correct, explanation, source, difficulty, tags

plus an optional ``id``. A missing, unknown or repeated column name is one
error on the header's line, and nothing else is read. One row is one question;
empty rows are ignored. Cell conventions:

``topic``
    The category path, outermost first, separated by ``/``:
    ``Luật Bình đẳng giới/Chính trị``. ``//`` is a literal slash
    (``Luật 73//2006//QH11``). Empty: the default topic of the import.
``kind``
    ``single``, ``multiple`` or ``truefalse`` (also ``true/false`` or
    ``đúng/sai``). Empty: ``truefalse`` when there are no options (or exactly
    ``Đúng | Sai``) and ``correct`` is Đúng/Sai; otherwise ``single`` for one
    correct letter and ``multiple`` for several.
``options``
    The options, separated by ``|`` or by line breaks within the cell.
    ``\\|`` is a literal ``|`` and ``\\\\`` a literal backslash. Blank options
    are ignored. When every option starts with its letter in order (``A. ...``,
    ``B) ...``) the letters are removed. Empty for a true/false question.
``correct``
    For single and multiple choice, either letters (``B``, or ``A,C`` for
    multiple choice: the correct options share 100 % equally, the others get
    0 %) or weights in percent (``A=50;C=50;B=-100``). Weights are separated by
    ``;`` (then a decimal comma is allowed: ``A=33,33``) or, if there is no
    ``;``, by ``,``; options not named get 0 %. For true/false: ``Đúng`` or
    ``Sai`` (also ``Đ``/``S``, ``TRUE``/``FALSE``, ``T``/``F``, ``A``/``B``).
``explanation``, ``source``
    Free text.
``difficulty``
    ``easy``, ``medium``, ``hard`` (or ``dễ``, ``trung bình``, ``khó``), or empty.
``tags``
    Separated by ``,``.
``id``
    The question's external id.

Errors are problems (codes of :mod:`contest.quiz.bank_messages`) carrying the
line where the CSV record starts (a quoted cell may span several lines) or the
spreadsheet row number. A file may hold at most
:data:`MAX_ROWS` rows below the header. CSV files may use ``,``, ``;`` or a tab
between cells (the header row decides).

Titles, per-option feedback and the text format have no column: the writers
leave them out, so a table round trip keeps everything else. Line breaks
inside an option become spaces. Both writers go through :mod:`contest.sheets`:
the CSV starts with a byte-order mark so that Excel opens the UTF-8 text with
the right letters, and a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return gets a leading apostrophe, which :func:`parse_csv` drops again
(``'=1+1`` reads as ``=1+1``); XLSX cells are always stored as text, never
formulas.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time

from contest.problems import Problem
from contest.quiz.items import (
    FALSE_LABEL,
    TRUE_LABEL,
    ParsedOption,
    ParsedQuestion,
    ParseResult,
    format_percent,
    join_topic,
    normalize_difficulty,
    normalize_fraction,
    problem_at,
    split_topic,
    validate_question,
)
from contest.sheets import Sheet, csv_plain, csv_text, xlsx_bytes

__all__ = [
    "COLUMNS",
    "MAX_ROWS",
    "OPTIONAL_COLUMNS",
    "parse_csv",
    "parse_xlsx",
    "write_csv",
    "write_xlsx",
]

COLUMNS = (
    "topic", "kind", "text", "options", "correct", "explanation", "source", "difficulty", "tags",
)
OPTIONAL_COLUMNS = ("id",)
MAX_ROWS = 20_000
# Columns read from a sheet; the header has ten, the rest only reveals stray cells.
_MAX_COLUMNS = 64
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_KIND_ALIASES = {
    "single": "single",
    "multiple": "multiple",
    "truefalse": "truefalse",
    "true/false": "truefalse",
    "đúng/sai": "truefalse",
}
_TRUE_FALSE = {
    "đúng": True, "đ": True, "true": True, "t": True,
    "sai": False, "s": False, "false": False, "f": False,
}
_PREFIX_RE = re.compile(r"^([A-Z])[.)]\s+(\S.*)$", re.DOTALL)


class _TableError(Exception):
    """A problem that stops reading the table (bad CSV quoting, corrupt sheet)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.code)
        self.problem = problem


# --- cells -------------------------------------------------------------------


def _split_options(cell: str) -> list[str]:
    options: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(cell):
        ch = cell[i]
        if ch == "\\" and i + 1 < len(cell) and cell[i + 1] in "\\|":
            current.append(cell[i + 1])
            i += 2
            continue
        if ch in "|\n":
            options.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    options.append("".join(current))
    options = [option.strip() for option in options if option.strip()]
    prefixed = [_PREFIX_RE.match(option) for option in options]
    if len(options) >= 2 and all(
        match and match.group(1) == letter
        for match, letter in zip(prefixed, _LETTERS, strict=False)
    ):
        options = [match.group(2).strip() for match in prefixed if match]
    return options


def _escape_option(text: str) -> str:
    text = " ".join(text.replace("\r", "\n").split("\n"))
    return text.replace("\\", "\\\\").replace("|", "\\|")


def _letter_index(letter: str, count: int) -> int | Problem:
    """Index of an option letter, or the problem with it."""
    index = _LETTERS.find(letter.upper()) if len(letter) == 1 else -1
    if index < 0:
        return Problem("table.not_a_letter", params={"letter": letter})
    if index >= count:
        return Problem("table.letter_out_of_range", params={"letter": letter.upper(),
                                                            "count": count})
    return index


def _parse_weights(cell: str, count: int) -> list[float] | Problem:
    separator = ";" if ";" in cell else ","
    fractions = [0.0] * count
    named: set[int] = set()
    for entry in filter(None, (part.strip() for part in cell.split(separator))):
        letter, _, value = entry.partition("=")
        index = _letter_index(letter.strip(), count)
        if isinstance(index, Problem):
            return index
        if index in named:
            return Problem("table.weight_repeated", params={"letter": letter.strip().upper()})
        named.add(index)
        number = value.strip().removesuffix("%").strip()
        if separator == ";":
            number = number.replace(",", ".")
        try:
            percent = float(number)
        except ValueError:
            return Problem("table.weight_not_number", params={
                "value": value.strip(), "letter": letter.strip().upper()})
        if not -100.0 <= percent <= 100.0:
            return Problem("table.weight_out_of_range", params={
                "value": value.strip(), "letter": letter.strip().upper()})
        fractions[index] = normalize_fraction(percent / 100.0)
    return fractions


def _parse_letters(cell: str, count: int) -> list[int] | Problem:
    indexes: list[int] = []
    for token in filter(None, re.split(r"[\s,;]+", cell)):
        if not token.isalpha():
            return Problem("table.correct_not_letters")
        for letter in token:
            index = _letter_index(letter, count)
            if isinstance(index, Problem):
                return index
            if index in indexes:
                return Problem("table.letter_repeated", params={"letter": letter.upper()})
            indexes.append(index)
    return indexes


def _true_false(values: dict[str, str], options: list[str],
                line: int) -> ParsedQuestion | Problem:
    labels = {"true": TRUE_LABEL, "false": FALSE_LABEL}
    if options and options != [TRUE_LABEL, FALSE_LABEL]:
        return Problem("table.truefalse_options", params=labels)
    answer = values["correct"].lower()
    is_true = _TRUE_FALSE.get(answer, {"a": True, "b": False}.get(answer))
    if is_true is None:
        return Problem("table.truefalse_correct", params=labels)
    return ParsedQuestion(
        kind="truefalse",
        text=values["text"],
        options=[ParsedOption(TRUE_LABEL, 1.0 if is_true else 0.0),
                 ParsedOption(FALSE_LABEL, 0.0 if is_true else 1.0)],
        line=line,
    )


def _choice(values: dict[str, str], options: list[str], kind: str | None,
            line: int) -> ParsedQuestion | Problem:
    correct = values["correct"]
    if not correct:
        return Problem("table.correct_empty")
    if "=" in correct:
        fractions = _parse_weights(correct, len(options))
        if isinstance(fractions, Problem):
            return fractions
        if kind is None:
            positive = [f for f in fractions if f > 0]
            kind = "single" if positive == [1.0] else "multiple"
    else:
        indexes = _parse_letters(correct, len(options))
        if isinstance(indexes, Problem):
            return indexes
        if kind is None:
            kind = "single" if len(indexes) == 1 else "multiple"
        if kind == "single" and len(indexes) > 1:
            letters = ", ".join(_LETTERS[i] for i in indexes)
            return Problem("table.single_several", params={"letters": letters})
        share = normalize_fraction(1.0 / len(indexes)) if indexes else 0.0
        fractions = [share if i in indexes else 0.0 for i in range(len(options))]
    return ParsedQuestion(
        kind=kind,
        text=values["text"],
        options=[ParsedOption(text, fraction) for text, fraction in zip(options, fractions,
                                                                        strict=True)],
        line=line,
    )


def _row_question(values: dict[str, str], line: int,
                  default_topic: list[str]) -> ParsedQuestion | list[Problem]:
    """Build a question from a row's cells, or return the row's problems."""
    raw_kind = values["kind"].lower().replace(" ", "")
    kind = _KIND_ALIASES.get(raw_kind) if raw_kind else None
    if raw_kind and kind is None:
        return [Problem("table.unknown_kind", params={"kind": values["kind"]})]
    difficulty = normalize_difficulty(values["difficulty"])
    if difficulty is None:
        return [Problem("table.unknown_difficulty", params={"value": values["difficulty"]})]
    options = _split_options(values["options"])
    looks_true_false = (options in ([], [TRUE_LABEL, FALSE_LABEL])
                        and values["correct"].lower() in _TRUE_FALSE)
    if kind == "truefalse" or (kind is None and looks_true_false):
        built = _true_false(values, options, line)
    else:
        built = _choice(values, options, kind, line)
    if isinstance(built, Problem):
        return [built]
    built.topic = split_topic(values["topic"]) or list(default_topic)
    built.explanation = values["explanation"]
    built.source = values["source"]
    built.difficulty = difficulty
    built.tags = [tag.strip() for tag in values["tags"].split(",") if tag.strip()]
    built.external_id = values.get("id", "")
    problems = validate_question(built)
    return problems or built


# --- rows --------------------------------------------------------------------


def _read_header(cells: list[str]) -> dict[str, int] | list[Problem]:
    names = [cell.strip().lower() for cell in cells]
    known = set(COLUMNS) | set(OPTIONAL_COLUMNS)
    unknown = [name for name in names if name and name not in known]
    missing = [name for name in COLUMNS if name not in names]
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    if not (unknown or missing or repeated):
        return {name: index for index, name in enumerate(names) if name}
    header = ", ".join(COLUMNS)
    problems = []
    if missing:
        problems.append(Problem("table.header_missing", params={
            "columns": ", ".join(missing), "header": header}))
    if unknown:
        problems.append(Problem("table.header_unknown", params={
            "columns": ", ".join(f"'{name}'" for name in unknown), "header": header}))
    if repeated:
        problems.append(Problem("table.header_repeated", params={
            "columns": ", ".join(repeated), "header": header}))
    return problems


def _parse_rows(rows: Iterator[tuple[int, list[str]]],
                default_topic: list[str] | None) -> ParseResult:
    result = ParseResult()
    topic = list(default_topic or [])
    header: dict[str, int] | None = None
    body_rows = 0
    try:
        for line, raw_cells in rows:
            cells = [unicodedata.normalize("NFC", cell) for cell in raw_cells]
            if header is None:
                if not any(cell.strip() for cell in cells):
                    continue
                parsed_header = _read_header(cells)
                if isinstance(parsed_header, list):
                    result.errors.extend(problem_at(line, p.code, **p.params)
                                         for p in parsed_header)
                    return result
                header = parsed_header
                continue
            body_rows += 1
            if body_rows > MAX_ROWS:
                result.errors.append(problem_at(line, "table.too_many_rows",
                                                max=f"{MAX_ROWS:,}"))
                return result
            if not any(cell.strip() for cell in cells):
                continue
            used = set(header.values())
            stray = [i for i, cell in enumerate(cells) if cell.strip() and i not in used]
            if stray:
                result.errors.append(problem_at(line, "table.stray_cell", column=stray[0] + 1))
                continue
            values = {name: cells[index].strip() if index < len(cells) else ""
                      for name, index in header.items()}
            built = _row_question(values, line, topic)
            if isinstance(built, list):
                result.errors.extend(problem_at(line, p.code, **p.params) for p in built)
            else:
                result.questions.append(built)
    except _TableError as exc:
        result.errors.append(exc.problem)
        return result
    if header is None:
        result.errors.append(problem_at(1, "table.empty", header=", ".join(COLUMNS)))
    return result


def _sniff_delimiter(text: str) -> str:
    """Pick the cell separator that makes the first non-empty line a valid header."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    for delimiter in (",", ";", "\t"):
        names = {name.strip().lower() for name in first.split(delimiter)}
        if set(COLUMNS) <= names:
            return delimiter
    return ","


def parse_csv(text: str, default_topic: list[str] | None = None) -> ParseResult:
    """Parse CSV text (header row first) into questions and errors."""
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text),
                        strict=True)

    def records() -> Iterator[tuple[int, list[str]]]:
        start = 1
        try:
            for record in reader:
                # Our own exports guard formula-like cells with an apostrophe; read them back.
                yield start, [csv_plain(cell) for cell in record]
                start = reader.line_num + 1
        except csv.Error as exc:
            if "end of data" in str(exc):
                raise _TableError(problem_at(start, "table.unclosed_quote")) from None
            raise _TableError(problem_at(start, "table.malformed_csv", detail=str(exc))) from None

    return _parse_rows(records(), default_topic)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def parse_xlsx(data: bytes, default_topic: list[str] | None = None) -> ParseResult:
    """Parse the first sheet of an XLSX workbook; lines are spreadsheet row numbers."""
    import openpyxl
    unreadable = problem_at(0, "table.xlsx_unreadable")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of error for a damaged file
        return ParseResult(errors=[unreadable])
    try:
        if not workbook.worksheets:
            return ParseResult(errors=[unreadable])
        sheet = workbook.worksheets[0]

        def rows() -> Iterator[tuple[int, list[str]]]:
            number = 0
            try:
                for number, row in enumerate(
                    sheet.iter_rows(min_row=1, max_col=_MAX_COLUMNS, values_only=True),
                    start=1,
                ):
                    yield number, [_cell_text(value) for value in row]
            except Exception:  # a damaged sheet fails while it is being read
                raise _TableError(problem_at(number + 1, "table.sheet_damaged")) from None

        return _parse_rows(rows(), default_topic)
    finally:
        workbook.close()


# --- writing -----------------------------------------------------------------


def _correct_cell(q: ParsedQuestion) -> str:
    if q.kind == "truefalse":
        is_true = bool(q.options) and q.options[0].fraction == 1.0
        return TRUE_LABEL if is_true else FALSE_LABEL
    fractions = [option.fraction for option in q.options]
    nonzero = [(letter, f) for letter, f in zip(_LETTERS, fractions, strict=False) if f != 0]
    positive = [f for _, f in nonzero if f > 0]
    if positive and len(positive) == len(nonzero):
        if q.kind == "single" and positive == [1.0]:
            return nonzero[0][0]
        if q.kind == "multiple" and all(f == normalize_fraction(1 / len(positive))
                                        for f in positive):
            return ",".join(letter for letter, _ in nonzero)
    return ";".join(f"{letter}={format_percent(f)}" for letter, f in nonzero)


def _row(q: ParsedQuestion, separator: str) -> list[str]:
    options = "" if q.kind == "truefalse" else separator.join(
        _escape_option(option.text) for option in q.options)
    return [
        join_topic(q.topic),
        q.kind,
        q.text,
        options,
        _correct_cell(q),
        q.explanation,
        q.source,
        q.difficulty,
        ", ".join(q.tags),
        q.external_id,
    ]


_WIDTHS = {"topic": 28, "kind": 10, "text": 60, "options": 40, "correct": 12,
           "explanation": 40, "source": 28, "difficulty": 10, "tags": 20, "id": 12}


def write_csv(questions: Iterable[ParsedQuestion]) -> str:
    """Write questions as CSV with the documented header (and the id column)."""
    return csv_text([[*COLUMNS, *OPTIONAL_COLUMNS],
                     *(_row(question, " | ") for question in questions)])


def write_xlsx(questions: Iterable[ParsedQuestion]) -> bytes:
    """Write questions as an XLSX workbook with one sheet and the documented header."""
    header = [*COLUMNS, *OPTIONAL_COLUMNS]
    return xlsx_bytes([Sheet("questions", header,
                             (_row(question, "\n") for question in questions),
                             widths=[_WIDTHS[name] for name in header], wrap=True)])
