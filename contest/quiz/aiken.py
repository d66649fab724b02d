"""Reading and writing the Aiken question format.

An Aiken question is its text (one or more lines), then one line per option
starting with a capital letter and ``.`` or ``)`` (``A. ...`` or ``A) ...``),
then ``ANSWER: X``::

    Luật Bình đẳng giới có hiệu lực từ ngày nào?
    A. 29/11/2006
    B) 1/7/2007
    ANSWER: B

Questions are separated by blank lines; an ``ANSWER:`` line also ends its
question. Aiken carries single-choice questions only: text, options and the
correct letter. A question whose options are exactly ``Đúng`` and ``Sai`` (in
that order) is read as a true/false question, and :func:`write_aiken` writes
true/false questions that way, so they survive a round trip.

Errors are problems (codes of :mod:`contest.quiz.bank_messages`) with 1-based
line numbers: the question's first line for a missing
``ANSWER:``, missing text or fewer than 2 options; the offending line for a
stray line after the options, a repeated option letter or a bad answer letter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from contest.quiz.items import (
    FALSE_LABEL,
    TRUE_LABEL,
    ParsedOption,
    ParsedQuestion,
    ParseResult,
    problem_at,
    validate_question,
)

__all__ = ["parse_aiken", "write_aiken"]

_OPTION_RE = re.compile(r"^([A-Z])[.)](?:\s+(.*))?$")
_ANSWER_RE = re.compile(r"^ANSWER\s*:\s*(.*)$", re.IGNORECASE)
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass
class _Pending:
    line: int
    text: list[str] = field(default_factory=list)
    letters: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    broken: bool = False


def parse_aiken(text: str, default_topic: list[str] | None = None) -> ParseResult:
    """Parse Aiken text; every question gets ``default_topic``."""
    result = ParseResult()
    topic = list(default_topic or [])
    pending: _Pending | None = None

    def error(line: int, code: str, **params: object) -> None:
        result.errors.append(problem_at(line, code, **params))

    def unfinished(item: _Pending) -> None:
        if not item.broken:
            error(item.line, "aiken.no_answer_line")

    def finish(item: _Pending, answer: str, line: int) -> None:
        if item.broken:
            return
        if not item.text:
            error(item.line, "aiken.no_text")
            return
        if len(item.options) < 2:
            error(item.line, "aiken.too_few_options", count=len(item.options))
            return
        letter = answer.strip().rstrip(".)").strip().upper()
        if not letter:
            error(line, "aiken.answer_empty")
            return
        if re.search(r"[\s,;]", letter):
            error(line, "aiken.answer_several", letter=letter)
            return
        if letter not in item.letters:
            error(line, "aiken.answer_not_an_option", letter=letter,
                  letters=", ".join(item.letters))
            return
        correct = item.letters.index(letter)
        options = [ParsedOption(option, 1.0 if i == correct else 0.0)
                   for i, option in enumerate(item.options)]
        kind = "truefalse" if item.options == [TRUE_LABEL, FALSE_LABEL] else "single"
        question = ParsedQuestion(kind=kind, text="\n".join(item.text), options=options,
                                  topic=list(topic), line=item.line)
        problems = validate_question(question)
        if problems:
            result.errors.extend(problem_at(item.line, p.code, **p.params) for p in problems)
        else:
            result.questions.append(question)

    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            if pending is not None:
                unfinished(pending)
                pending = None
            continue
        if pending is None:
            pending = _Pending(number)
        answer = _ANSWER_RE.match(line)
        if answer:
            finish(pending, answer.group(1), number)
            pending = None
            continue
        option = _OPTION_RE.match(line)
        if option:
            letter, option_text = option.group(1), (option.group(2) or "").strip()
            if pending.broken:
                continue
            if letter in pending.letters:
                error(number, "aiken.option_repeated", letter=letter)
                pending.broken = True
            elif not option_text:
                error(number, "aiken.option_empty", letter=letter)
                pending.broken = True
            else:
                pending.letters.append(letter)
                pending.options.append(option_text)
        elif pending.options:
            if not pending.broken:
                error(number, "aiken.stray_line")
                pending.broken = True
        else:
            pending.text.append(line)
    if pending is not None:
        unfinished(pending)
    return result


def _writable(q: ParsedQuestion) -> bool:
    """Whether Aiken can carry the question's text, options and key unchanged."""
    if q.kind not in ("single", "truefalse") or not 2 <= len(q.options) <= len(_LETTERS):
        return False
    if sorted(option.fraction for option in q.options) != [0.0] * (len(q.options) - 1) + [1.0]:
        return False  # partial credit or penalties have no Aiken form
    text_lines = q.text.strip().split("\n")
    for line in text_lines:
        stripped = line.strip()
        if not stripped or _OPTION_RE.match(stripped) or _ANSWER_RE.match(stripped):
            return False
    return all(option.text.strip() and "\n" not in option.text.strip() and "\r" not in
               option.text for option in q.options)


def write_aiken(questions: Iterable[ParsedQuestion]) -> tuple[str, list[ParsedQuestion]]:
    """Write questions as Aiken text.

    Returns the text and the questions that Aiken cannot carry: multiple-choice
    questions, weights other than 100 % / 0 %, more than 26 options, and texts
    whose lines would read as blank lines, options or an ANSWER line. Titles,
    feedback, explanations and metadata have no place in Aiken and are left out.
    """
    chunks: list[str] = []
    refused: list[ParsedQuestion] = []
    for q in questions:
        if not _writable(q):
            refused.append(q)
            continue
        lines = [line.strip() for line in q.text.strip().split("\n")]
        correct = ""
        for letter, option in zip(_LETTERS, q.options, strict=False):
            lines.append(f"{letter}. {option.text.strip()}")
            if option.fraction == 1.0:
                correct = letter
        lines.append(f"ANSWER: {correct}")
        chunks.append("\n".join(lines))
    text = "\n\n".join(chunks) + "\n" if chunks else ""
    return text, refused
