"""Reading and writing Moodle GIFT question files.

What the parser understands (Moodle's GIFT, plus three comment extensions):

* Questions are separated by blank lines. A blank line always ends a
  question, so an answer block ``{ ... }`` cannot contain one.
* ``$CATEGORY: $course$/top/Luật Bình đẳng giới/Chính trị`` sets the topic of
  the questions that follow. A leading context (``$course$/``, ``$system$/``
  ...) and the ``top`` level are removed; ``//`` inside a name is a literal
  ``/``. An empty path returns to the default topic. A category line also
  ends the question above it.
* Whole-line ``//`` comments are ignored, except for bracketed metadata in the
  comment lines of the question's own block (no blank line in between):
  ``// [id:Q12]`` (external id), ``// [tag:bầu cử] [tag:quota]`` (any number
  of tags, Moodle's syntax) and our extensions ``// [source:Luật 73/2006/QH11,
  Điều 11]`` and ``// [difficulty:easy|medium|hard]`` (``dễ``, ``trung bình``
  and ``khó`` are accepted too). Inside a value, ``\\]`` and ``\\[`` are literal
  brackets and ``\\\\`` a backslash. Metadata followed by a blank line instead
  of a question is an error, since it would otherwise be lost.
* ``::title::``, then an optional ``[html]``, ``[plain]``, ``[markdown]`` or
  ``[moodle]`` format prefix (recorded in ``text_format``), then the text.
* In the answer block: ``=`` marks a correct answer and ``~`` a wrong one;
  ``%50%`` or ``%-33.33333%`` after the marker sets a weight (a comma decimal
  is accepted); ``#`` starts an answer's feedback; ``####`` starts the general
  feedback, stored as the explanation.
* ``{T}``, ``{TRUE}``, ``{F}``, ``{FALSE}`` (any letter case) make a
  true/false question; ``{TRUE#feedback if wrong#feedback if right}`` as in
  Moodle.
* One ``=`` among ``~`` answers makes a single-choice question; ``~`` answers
  only (with weights) make a multiple-choice question.
* Escapes: ``\\:`` ``\\#`` ``\\=`` ``\\{`` ``\\}`` ``\\~`` ``\\\\`` and ``\\n``
  (a line break). A backslash before any other character is kept as it is.

Items the platform does not run are reported in ``skipped`` with their kind:
``essay`` (``{}``), ``numerical`` (``{#...}``), ``matching`` (``=a -> b``),
``shortanswer`` (only ``=`` answers), ``missingword`` (text continues after
the closing brace) and ``description`` (no answer block). Malformed items go to
``errors`` with the 1-based line of the question's first non-comment line (a
bad metadata value is reported on its comment line). Every question found is
also checked with :func:`~contest.quiz.items.validate_question`.

:func:`write_gift` writes text that :func:`parse_gift` reads back into equal
questions. Whitespace around texts is not significant and is not kept, and a
line break inside a metadata value becomes a space.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from contest.quiz.items import (
    FALSE_LABEL,
    TRUE_LABEL,
    ImportProblem,
    ParsedOption,
    ParsedQuestion,
    ParseResult,
    SkippedItem,
    format_percent,
    join_topic,
    normalize_difficulty,
    normalize_fraction,
    split_topic,
    validate_question,
)

__all__ = ["parse_gift", "write_gift"]

_SPECIAL = "\\:#={}~"
_UNESCAPE = {ch: ch for ch in _SPECIAL} | {"n": "\n"}
_ESCAPE_RE = re.compile(r"\\(.)", re.DOTALL)
_FORMAT_RE = re.compile(r"\[(html|plain|markdown|moodle)\]", re.IGNORECASE)
_META_RE = re.compile(r"\[(id|tag|source|difficulty):((?:\\.|[^\]\\])*)\]", re.IGNORECASE)
_META_ESCAPE_RE = re.compile(r"\\([\\\[\]])")
_CONTEXT_RE = re.compile(r"^\$[A-Za-z0-9_]+\$(?:/|$)")
_WEIGHT_TEXT_RE = re.compile(r"[-+]?[0-9.,]+")
_CATEGORY = "$CATEGORY:"
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


# --- escapes -----------------------------------------------------------------


def _find(text: str, target: str, start: int = 0) -> int:
    """Index of the first occurrence of ``target`` that is not escaped, or -1."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text.startswith(target, i):
            return i
        else:
            i += 1
    return -1


def _split_once(text: str, separator: str) -> tuple[str, str | None]:
    """Split at the first unescaped separator; the second part is None if absent."""
    index = _find(text, separator)
    if index < 0:
        return text, None
    return text[:index], text[index + len(separator):]


def _unescape(text: str) -> str:
    return _ESCAPE_RE.sub(lambda m: _UNESCAPE.get(m.group(1), m.group(0)), text)


def _escape(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for ch in text:
        if ch in _SPECIAL:
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        else:
            out.append(ch)
    return "".join(out)


def _clean(raw: str) -> str:
    """Raw GIFT text to plain text: trim the unescaped surroundings, then unescape."""
    return _unescape(raw.strip())


def _escape_meta(value: str) -> str:
    value = " ".join(value.replace("\r", "\n").split("\n"))
    return value.replace("\\", "\\\\").replace("]", "\\]")


def _preview(text: str) -> str:
    first = text.strip().split("\n", 1)[0]
    return first if len(first) <= 60 else first[:57] + "..."


# --- parsing -----------------------------------------------------------------


@dataclass
class _Metadata:
    external_id: str = ""
    source: str = ""
    difficulty: str = ""
    tags: list[str] = field(default_factory=list)


def _has_metadata(comments: list[tuple[int, str]]) -> bool:
    return any(_META_RE.search(body) for _, body in comments)


def _read_metadata(comments: list[tuple[int, str]]) -> tuple[_Metadata, list[ImportProblem]]:
    meta = _Metadata()
    problems: list[ImportProblem] = []
    for line, body in comments:
        for match in _META_RE.finditer(body):
            key = match.group(1).lower()
            value = _META_ESCAPE_RE.sub(r"\1", match.group(2)).strip()
            if not value:
                continue
            if key == "tag":
                meta.tags.append(value)
            elif key == "difficulty":
                level = normalize_difficulty(value)
                if level is None:
                    problems.append(ImportProblem(
                        line, f"unknown difficulty '{value}' (use easy, medium or hard)"))
                elif meta.difficulty:
                    problems.append(ImportProblem(line, "the question has two [difficulty:...]"))
                else:
                    meta.difficulty = level
            else:
                attr = "external_id" if key == "id" else "source"
                if getattr(meta, attr):
                    problems.append(ImportProblem(line, f"the question has two [{key}:...]"))
                else:
                    setattr(meta, attr, value)
    return meta, problems


def _parse_category(value: str, default_topic: list[str]) -> list[str]:
    path = _CONTEXT_RE.sub("", value.strip(), count=1)
    parts = split_topic(path)
    if parts and parts[0] == "top":
        parts = parts[1:]
    return parts or list(default_topic)


def _split_answers(block: str) -> tuple[str, list[tuple[str, str]]]:
    """Split an answer block at each unescaped ``=`` or ``~``.

    Returns the text before the first marker (should be blank) and a list of
    (marker, raw answer) pairs.
    """
    prefix = ""
    answers: list[tuple[str, str]] = []
    start = 0
    marker = ""
    i = 0
    while i < len(block):
        ch = block[i]
        if ch == "\\":
            i += 2
            continue
        if ch in "=~":
            if marker:
                answers.append((marker, block[start:i]))
            else:
                prefix = block[:i]
            marker, start = ch, i + 1
        i += 1
    if marker:
        answers.append((marker, block[start:]))
    else:
        prefix = block
    return prefix, answers


def _take_weight(raw: str) -> tuple[float | None, str, str]:
    """Read a leading ``%weight%``: (fraction or None, the rest, error message or "")."""
    text = raw.lstrip()
    if not text.startswith("%"):
        return None, text, ""
    end = text.find("%", 1)
    if end < 0:
        return None, text, ""
    content = text[1:end].strip()
    if not _WEIGHT_TEXT_RE.fullmatch(content):
        # "%" followed by ordinary words is answer text, not a weight.
        return None, text, ""
    try:
        percent = float(content.replace(",", "."))
    except ValueError:
        return None, text, f"weight '%{content}%' is not a number"
    if not -100.0 <= percent <= 100.0:
        return None, text, f"weight {content}% is out of range (-100% to 100%)"
    return normalize_fraction(percent / 100.0), text[end + 1:], ""


class _BlockParser:
    """Turns the lines of one blank-line-separated block into a result entry."""

    def __init__(self, result: ParseResult) -> None:
        self.result = result

    def error(self, line: int, message: str) -> None:
        self.result.errors.append(ImportProblem(line, message))

    def parse(self, content: list[tuple[int, str]], comments: list[tuple[int, str]],
              topic: list[str]) -> None:
        line = content[0][0]
        body = "\n".join(text for _, text in content).strip()

        title = ""
        if body.startswith("::"):
            end = _find(body, "::", 2)
            if end < 0:
                self.error(line, "the title opened with '::' is not closed with '::'")
                return
            title = _clean(body[2:end])
            body = body[end + 2:].strip()
        text_format = "plain"
        match = _FORMAT_RE.match(body)
        if match:
            text_format = match.group(1).lower()
            body = body[match.end():]

        opening = _find(body, "{")
        if opening < 0:
            if _find(body, "}") >= 0:
                self.error(line, "'}' has no matching '{' (write \\} for a literal brace)")
            else:
                self.result.skipped.append(
                    SkippedItem(line, "description", title or _preview(_clean(body))))
            return
        closing = _find(body, "}", opening + 1)
        reopening = _find(body, "{", opening + 1)
        if closing < 0:
            self.error(line, "the answer block '{' is not closed with '}' (a blank line ends "
                             "a question, so answers cannot contain blank lines)")
            return
        if 0 <= reopening < closing:
            self.error(line, "'{' appears again inside the answer block: is a '}' missing? "
                             "(write \\{ for a literal brace)")
            return
        before, block, after = body[:opening], body[opening + 1:closing], body[closing + 1:]
        if _find(after, "{") >= 0 or _find(after, "}") >= 0:
            self.error(line, "more than one answer block: separate questions with a blank line")
            return
        text = _clean(before)
        if not text and not after.strip():
            self.error(line, "the question has no text")
            return
        label = title or _preview(text or _clean(after))

        block, general = _split_once(block, "####")
        explanation = _clean(general) if general is not None else ""
        block = block.strip()

        kind = self.classify(block, line)
        if kind is None:
            return
        if kind not in ("single", "multiple", "truefalse"):
            self.result.skipped.append(SkippedItem(line, kind, label))
            return
        if after.strip():
            self.result.skipped.append(SkippedItem(line, "missingword", label))
            return

        options = self.options(kind, block, line)
        meta, problems = _read_metadata(comments)
        if options is None or problems:
            self.result.errors.extend(problems)
            return
        question = ParsedQuestion(
            kind=kind,
            text=text,
            options=options,
            title=title,
            explanation=explanation,
            source=meta.source,
            difficulty=meta.difficulty,
            tags=meta.tags,
            topic=list(topic),
            external_id=meta.external_id,
            text_format=text_format,
            line=line,
        )
        invalid = validate_question(question)
        if invalid:
            self.result.errors.extend(ImportProblem(line, message) for message in invalid)
        else:
            self.result.questions.append(question)

    def classify(self, block: str, line: int) -> str | None:
        """Name the kind of an answer block (general feedback removed); None on error."""
        if not block:
            return "essay"
        if block.startswith("#"):
            return "numerical"
        head, _ = _split_once(block, "#")
        if head.strip().upper() in _TRUE_FALSE:
            return "truefalse"
        prefix, answers = _split_answers(block)
        if prefix.strip():
            self.error(line, f"answer '{_preview(_clean(prefix))}' does not start with "
                             "'=' (correct) or '~' (wrong)")
            return None
        markers = {marker for marker, _ in answers}
        if "~" in markers:
            return "single" if "=" in markers else "multiple"
        if any(_find(raw, "->") >= 0 for _, raw in answers):
            return "matching"
        return "shortanswer"

    def options(self, kind: str, block: str, line: int) -> list[ParsedOption] | None:
        """Build the options of a supported kind; None if a weight is malformed."""
        if kind == "truefalse":
            head, rest = _split_once(block, "#")
            wrong, right = ("", "") if rest is None else _split_once(rest, "#")
            wrong_feedback = _clean(wrong)
            right_feedback = _clean(right) if right is not None else ""
            is_true = _TRUE_FALSE[head.strip().upper()]
            return [
                ParsedOption(TRUE_LABEL, 1.0 if is_true else 0.0,
                             right_feedback if is_true else wrong_feedback),
                ParsedOption(FALSE_LABEL, 0.0 if is_true else 1.0,
                             wrong_feedback if is_true else right_feedback),
            ]
        options: list[ParsedOption] = []
        failed = False
        for marker, raw in _split_answers(block)[1]:
            fraction, rest, problem = _take_weight(raw)
            if problem:
                self.error(line, problem)
                failed = True
                continue
            if fraction is None:
                fraction = 1.0 if marker == "=" else 0.0
            answer, feedback = _split_once(rest, "#")
            options.append(ParsedOption(
                _clean(answer), fraction, _clean(feedback) if feedback is not None else ""))
        return None if failed else options


def parse_gift(text: str, default_topic: list[str] | None = None) -> ParseResult:
    """Parse GIFT text into questions, skipped items and errors.

    ``default_topic`` is the topic of questions before any ``$CATEGORY:``.
    """
    base_topic = list(default_topic or [])
    result = ParseResult()
    parser = _BlockParser(result)
    topic = list(base_topic)
    content: list[tuple[int, str]] = []
    comments: list[tuple[int, str]] = []

    def flush() -> None:
        if content:
            parser.parse(content, comments, topic)
        elif _has_metadata(comments):
            first = next(line for line, body in comments if _META_RE.search(body))
            result.errors.append(ImportProblem(
                first, "metadata comment is not followed by a question: remove the blank "
                       "line between the comment and its question"))
        content.clear()
        comments.clear()

    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, raw in enumerate(lines, start=1):
        stripped = raw.strip()
        if not stripped:
            flush()
        elif stripped.startswith("//"):
            comments.append((number, stripped[2:]))
        elif stripped.upper().startswith(_CATEGORY):
            if content:
                flush()
            # Comments right above a category line describe the category.
            comments.clear()
            topic = _parse_category(stripped[len(_CATEGORY):], base_topic)
        else:
            content.append((number, raw))
    flush()
    return result


# --- writing -----------------------------------------------------------------


def _is_one(fraction: float) -> bool:
    return abs(fraction - 1.0) <= 1e-6


def _write_option(marker: str, option: ParsedOption, fraction_written: bool) -> str:
    weight = f"%{format_percent(option.fraction)}%" if fraction_written else ""
    feedback = f"#{_escape(option.feedback)}" if option.feedback else ""
    return f"\t{marker}{weight}{_escape(option.text)}{feedback}"


def _write_question(q: ParsedQuestion) -> str:
    lines = []
    if q.external_id:
        lines.append(f"// [id:{_escape_meta(q.external_id)}]")
    if q.tags:
        lines.append("// " + " ".join(f"[tag:{_escape_meta(tag)}]" for tag in q.tags))
    if q.source:
        lines.append(f"// [source:{_escape_meta(q.source)}]")
    if q.difficulty:
        lines.append(f"// [difficulty:{_escape_meta(q.difficulty)}]")

    text = _escape(q.text)
    head = f"::{_escape(q.title)}::" if q.title else ""
    # An explicit format also protects text that would otherwise read as a format
    # prefix, a comment or a category line.
    protect = bool(_FORMAT_RE.match(text)) or (
        not head and (text.startswith("//") or text.upper().startswith(_CATEGORY)))
    if q.text_format != "plain" or protect:
        head += f"[{q.text_format}]"
    head += text
    explanation = f"####{_escape(q.explanation)}" if q.explanation else ""

    if q.kind == "truefalse":
        is_true = bool(q.options) and _is_one(q.options[0].fraction)
        by_label = {option.text: option.feedback for option in q.options}
        right = by_label.get(TRUE_LABEL if is_true else FALSE_LABEL, "")
        wrong = by_label.get(FALSE_LABEL if is_true else TRUE_LABEL, "")
        answer = "TRUE" if is_true else "FALSE"
        if wrong or right:
            answer += f"#{_escape(wrong)}"
        if right:
            answer += f"#{_escape(right)}"
        lines.append(f"{head}{{{answer}{explanation}}}")
        return "\n".join(lines)

    lines.append(head + "{")
    correct_written = False
    for option in q.options:
        # A weight is also written when the text starts with "%", so that the
        # text cannot be mistaken for a weight.
        starts_with_percent = option.text.lstrip().startswith("%")
        if q.kind == "single" and not correct_written and _is_one(option.fraction):
            correct_written = True
            lines.append(_write_option("=", option, starts_with_percent))
        else:
            lines.append(_write_option("~", option, option.fraction != 0 or starts_with_percent))
    if explanation:
        lines.append(f"\t{explanation}")
    lines.append("}")
    return "\n".join(lines)


def write_gift(questions: Iterable[ParsedQuestion]) -> str:
    """Write questions as GIFT, with a ``$CATEGORY:`` line whenever the topic changes."""
    chunks: list[str] = []
    current: list[str] | None = None
    for question in questions:
        if question.topic != current:
            if current is not None or question.topic:
                path = join_topic(question.topic)
                chunks.append(f"$CATEGORY: $course$/top{'/' + path if path else ''}")
            current = list(question.topic)
        chunks.append(_write_question(question))
    return "\n\n".join(chunks) + "\n" if chunks else ""
