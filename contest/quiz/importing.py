"""One entry point for importing an uploaded question file.

:func:`parse_file` picks the format, decodes text files, runs the parser and
checks every question with :func:`~contest.quiz.items.validate_question`.

Formats: ``gift``, ``aiken``, ``csv`` and ``xlsx``. Without an explicit
``fmt`` the extension decides: ``.gift`` → GIFT, ``.aiken`` → Aiken, ``.csv``
→ CSV, ``.xlsx`` → XLSX, and ``.txt`` → GIFT, unless the text has no ``{`` at
all but has an ``ANSWER:`` line, in which case it is Aiken (both formats are
commonly saved as .txt). Any other extension raises :class:`UnknownFormat`.

A text file that is not UTF-8 does not raise: the refusal becomes the single
error of the result, on line 0 (the whole file), so that the caller reports
every problem of an upload the same way. Problems carry codes of
:mod:`contest.quiz.bank_messages`.
"""

from __future__ import annotations

import math
import re
from pathlib import PurePosixPath

from contest.problems import Problem, Refused
from contest.quiz.aiken import parse_aiken
from contest.quiz.encoding import EncodingRefused, decode_upload
from contest.quiz.gift import parse_gift
from contest.quiz.items import (
    ParsedQuestion,
    ParseResult,
    line_of,
    normalize_fraction,
    problem_at,
    validate_question,
)
from contest.quiz.tabular import parse_csv, parse_xlsx

__all__ = ["FORMATS", "UnknownFormat", "detect_format", "parse_file"]

FORMATS = ("gift", "aiken", "csv", "xlsx")
_EXTENSIONS = {".gift": "gift", ".txt": "gift", ".aiken": "aiken", ".csv": "csv",
               ".xlsx": "xlsx"}
_AIKEN_ANSWER_RE = re.compile(r"^\s*ANSWER\s*:", re.IGNORECASE | re.MULTILINE)


class UnknownFormat(Refused):
    """The file's format cannot be told from ``fmt`` or its extension."""

    @property
    def problem(self) -> Problem:
        """The refusal as a problem of the whole file (line 0)."""
        first = self.problems[0]
        return problem_at(0, first.code, **first.params)


def detect_format(filename: str, fmt: str | None = None) -> str:
    """Return the format named by ``fmt``, or else by the file's extension."""
    if fmt:
        name = fmt.strip().lower()
        if name not in FORMATS:
            raise UnknownFormat(Problem("file.unknown_format", params={
                "fmt": fmt, "formats": ", ".join(FORMATS)}))
        return name
    suffix = _suffix(filename)
    if suffix in _EXTENSIONS:
        return _EXTENSIONS[suffix]
    if suffix == ".xls":
        raise UnknownFormat(Problem("file.xls"))
    if not suffix:
        raise UnknownFormat(Problem("file.no_extension"))
    raise UnknownFormat(Problem("file.unknown_extension", params={"extension": suffix}))


def _suffix(filename: str) -> str:
    # Browsers may send a Windows path; only the last component matters.
    return PurePosixPath(filename.replace("\\", "/")).suffix.lower()


def _looks_like_aiken(text: str) -> bool:
    return "{" not in text and bool(_AIKEN_ANSWER_RE.search(text))


def parse_file(data: bytes, filename: str, fmt: str | None = None,
               default_topic: list[str] | None = None) -> ParseResult:
    """Parse an uploaded question file into questions, skipped items and errors.

    Raises :class:`UnknownFormat` when the format is unknown. Questions that
    fail :func:`validate_question` are moved into the errors with their line.
    """
    name = detect_format(filename, fmt)
    sniff = not (fmt and fmt.strip()) and _suffix(filename) == ".txt"
    if name == "xlsx":
        result = parse_xlsx(data, default_topic=default_topic)
    else:
        try:
            text = decode_upload(data)
        except EncodingRefused as refused:
            return ParseResult(errors=[problem_at(0, refused.code)])
        if sniff and _looks_like_aiken(text):
            name = "aiken"
        if name == "gift":
            result = parse_gift(text, default_topic=default_topic)
        elif name == "aiken":
            result = parse_aiken(text, default_topic=default_topic)
        else:
            result = parse_csv(text, default_topic=default_topic)

    # The parsers validate already; checking again keeps this entry point's
    # promise whatever a parser does.
    valid = []
    for question in result.questions:
        problems = validate_question(question)
        if problems:
            result.errors.extend(problem_at(question.line, p.code, **p.params) for p in problems)
        else:
            valid.append(_rescale_weights(question))
    result.questions = valid
    result.errors.sort(key=line_of)
    return result


def _rescale_weights(question: ParsedQuestion) -> ParsedQuestion:
    """Make the positive weights of a multiple-answer question add up to exactly 100 %.

    Files often carry three answers at 33.333 % (99.999 % in all); validation accepts that within
    its tolerance, and scoring then needs the exact total to give full marks.
    """
    if question.kind != "multiple":
        return question
    positive = math.fsum(o.fraction for o in question.options if o.fraction > 0)
    if positive <= 0 or abs(positive - 1.0) < 1e-9:
        return question
    for option in question.options:
        if option.fraction > 0:
            option.fraction = normalize_fraction(option.fraction / positive)
    return question
