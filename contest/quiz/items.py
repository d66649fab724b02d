"""The interchange form of questions shared by every importer and exporter.

GIFT, Aiken, CSV and XLSX files are all parsed into :class:`ParsedQuestion`
values and written from them. These are plain dataclasses: the question bank
models are built from them elsewhere, so this module knows nothing of the
database or the web layer.

A :class:`ParseResult` keeps three lists so that nothing in a file is dropped
without a trace: the questions that can be imported, the items that are valid
in their format but of a kind the platform does not run (``skipped``), and the
problems that make an item unusable (``errors``). A problem is the shared
:class:`~contest.problems.Problem`: a code with its parameters, its 1-based
line in ``params["line"]`` (0: the whole file); the messages of the codes are
in :mod:`contest.quiz.bank_messages`.

Weights are fractions in [-1, 1] (GIFT's ``%50%`` is 0.5). Parsers round them
to :data:`FRACTION_DECIMALS` places so that a weight written as a percentage
with five decimals (``%33.33333%``) reads back as the very same float.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from contest.problems import Problem

__all__ = [
    "DIFFICULTIES",
    "FALSE_LABEL",
    "FRACTION_DECIMALS",
    "KINDS",
    "SUM_TOLERANCE",
    "TEXT_FORMATS",
    "TRUE_LABEL",
    "ParseResult",
    "ParsedOption",
    "ParsedQuestion",
    "SkippedItem",
    "format_percent",
    "join_topic",
    "normalize_difficulty",
    "line_of",
    "normalize_fraction",
    "problem_at",
    "split_topic",
    "validate_question",
]

KINDS = ("single", "multiple", "truefalse")
DIFFICULTIES = ("easy", "medium", "hard")
TEXT_FORMATS = ("plain", "html", "markdown", "moodle")
TRUE_LABEL = "Đúng"
FALSE_LABEL = "Sai"

FRACTION_DECIMALS = 7
# Moodle accepts multiple-answer weights whose positive part sums to 100 % give
# or take one percentage point (three times 33.333 % is 99.999 %).
SUM_TOLERANCE = 0.01
# Float noise allowed when testing whether a weight is exactly 100 % or 0 %.
_EPSILON = 1e-6


@dataclass
class ParsedOption:
    """One answer option: its text, its weight as a fraction and its feedback."""

    text: str
    fraction: float
    feedback: str = ""


@dataclass
class ParsedQuestion:
    """One question in interchange form.

    ``kind`` is ``"single"``, ``"multiple"`` or ``"truefalse"``. ``topic`` is
    the category path from the outermost category inwards. ``line`` is the
    1-based line (or spreadsheet row) where the question starts; it records
    where the question came from and is left out of equality, so a question
    read back from a rewritten file equals the original.
    """

    kind: str
    text: str
    options: list[ParsedOption]
    title: str = ""
    explanation: str = ""
    source: str = ""
    difficulty: str = ""
    tags: list[str] = field(default_factory=list)
    topic: list[str] = field(default_factory=list)
    external_id: str = ""
    text_format: str = "plain"
    line: int = field(default=0, compare=False)


def problem_at(line: int, code: str, **params: Any) -> Problem:
    """A problem of the file on ``line`` (0: the whole file)."""
    return Problem(code, None, {"line": line, **params})


def line_of(problem: Problem) -> int:
    """The line of the file a problem concerns (0: the whole file)."""
    return int(problem.params.get("line", 0))


@dataclass
class SkippedItem:
    """An item of a kind the platform does not run (essay, numerical, ...)."""

    line: int
    kind: str
    title: str


@dataclass
class ParseResult:
    """Everything found in one file: importable questions, skipped items, errors."""

    questions: list[ParsedQuestion] = field(default_factory=list)
    skipped: list[SkippedItem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)

    def by_kind(self) -> dict[str, int]:
        """Count the importable questions per kind."""
        return dict(Counter(q.kind for q in self.questions))

    def by_topic(self) -> dict[str, int]:
        """Count the importable questions per topic path, joined with ``/``."""
        return dict(Counter("/".join(q.topic) for q in self.questions))


def normalize_fraction(value: float) -> float:
    """Round a fraction to the precision every parser stores."""
    return round(value, FRACTION_DECIMALS)


def format_percent(fraction: float) -> str:
    """Write a fraction as a percentage without a trailing ``.0`` (0.5 → ``"50"``).

    Five decimals of a percentage are seven of a fraction, so the text reads
    back through :func:`normalize_fraction` to the same value.
    """
    text = f"{fraction * 100:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _is_one(value: float) -> bool:
    return abs(value - 1.0) <= _EPSILON


def _is_zero(value: float) -> bool:
    return abs(value) <= _EPSILON


def validate_question(q: ParsedQuestion) -> list[Problem]:
    """Return the structural problems of a question; an empty list means it is usable.

    Rules shared by all importers (the codes are those of :mod:`contest.quiz.bank_messages`):

    * the text is not empty, the kind, difficulty and text format are known;
    * every option has text, no two options have the same text, and every
      weight lies in [-100 %, 100 %];
    * ``single``: at least 2 options and exactly one worth 100 %; the others
      may carry partial credit or a penalty, but less than 100 %;
    * ``multiple``: at least 2 options, at least one positive weight, and the
      positive weights add up to 100 % within one percentage point;
    * ``truefalse``: exactly the options ``Đúng`` and ``Sai``, in that order,
      one worth 100 % and the other 0 %.
    """
    problems: list[Problem] = []
    if not q.text.strip():
        problems.append(Problem("question.text_empty"))
    if q.kind not in KINDS:
        problems.append(Problem("question.unknown_kind", params={"kind": q.kind}))
        return problems
    if q.difficulty and q.difficulty not in DIFFICULTIES:
        problems.append(Problem("question.unknown_difficulty", params={"value": q.difficulty}))
    if q.text_format not in TEXT_FORMATS:
        problems.append(Problem("question.unknown_text_format", params={"value": q.text_format}))

    seen: dict[str, int] = {}
    weights_ok = True
    for number, option in enumerate(q.options, start=1):
        if not option.text.strip():
            problems.append(Problem("question.option_empty", params={"number": number}))
        elif option.text.strip() in seen:
            problems.append(Problem("question.options_same_text", params={
                "first": seen[option.text.strip()], "number": number}))
        else:
            seen[option.text.strip()] = number
        if not (math.isfinite(option.fraction) and -1.0 <= option.fraction <= 1.0):
            problems.append(Problem("question.weight_out_of_range", params={
                "number": number, "weight": f"{option.fraction * 100:g}"}))
            weights_ok = False
    if not weights_ok:
        return problems

    count = len(q.options)
    fractions = [option.fraction for option in q.options]
    if q.kind == "truefalse":
        labels = [option.text for option in q.options]
        if labels != [TRUE_LABEL, FALSE_LABEL]:
            problems.append(Problem("question.truefalse_options", params={
                "true": TRUE_LABEL, "false": FALSE_LABEL}))
        elif sorted(fractions) != [0.0, 1.0]:
            problems.append(Problem("question.truefalse_weights"))
    elif q.kind == "single":
        if count < 2:
            problems.append(Problem("question.single_too_few", params={"count": count}))
        correct = sum(1 for f in fractions if _is_one(f))
        if correct != 1:
            problems.append(Problem("question.single_correct_count", params={"count": correct}))
    else:
        if count < 2:
            problems.append(Problem("question.multiple_too_few", params={"count": count}))
        positive = math.fsum(f for f in fractions if f > 0 and not _is_zero(f))
        if positive == 0:
            problems.append(Problem("question.multiple_no_positive"))
        elif abs(positive - 1.0) > SUM_TOLERANCE:
            problems.append(Problem("question.multiple_sum", params={
                "sum": format_percent(positive)}))
    return problems


def split_topic(path: str) -> list[str]:
    """Split a topic path ``A/B`` into its parts; ``//`` stands for a literal ``/``.

    Law numbers such as ``73/2006/QH11`` contain slashes, hence the escape
    (the same one Moodle uses in category paths). Empty parts are dropped.
    """
    parts: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(path):
        if path.startswith("//", i):
            current.append("/")
            i += 2
        elif path[i] == "/":
            parts.append("".join(current))
            current = []
            i += 1
        else:
            current.append(path[i])
            i += 1
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


def join_topic(topic: list[str]) -> str:
    """Write a topic path so that :func:`split_topic` reads it back."""
    return "/".join(part.replace("/", "//") for part in topic)


_DIFFICULTY_ALIASES = {
    "easy": "easy",
    "dễ": "easy",
    "medium": "medium",
    "trung bình": "medium",
    "hard": "hard",
    "khó": "hard",
}


def normalize_difficulty(value: str) -> str | None:
    """Canonical difficulty for a value: ``easy``, ``medium``, ``hard`` or ``""``.

    The Vietnamese words ``dễ``, ``trung bình`` and ``khó`` are accepted too;
    returns None for anything else.
    """
    value = " ".join(value.split()).lower()
    if not value:
        return ""
    return _DIFFICULTY_ALIASES.get(value)
