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
* ``::title::``, then the text. The text, each answer (after its weight),
  each feedback and the general feedback may start with a format marker,
  ``[html]``, ``[plain]``, ``[markdown]`` or ``[moodle]`` (lower case, as
  Moodle reads them); a part without one has the format of the question text,
  and the question text without one is ``plain``. The markers are removed and
  the formats kept for display: the question text and its answers share one
  ``text_format`` (when any of them is HTML, the question is HTML and the
  others are written as escaped HTML, so they show as they were), while the
  feedbacks and the explanation are plain text (an HTML one is reduced to its
  text, as the pages would show it).
* In the answer block: ``=`` marks a correct answer and ``~`` a wrong one;
  ``%50%`` or ``%-33.33333%`` after the marker sets a weight (a comma decimal
  is accepted); ``#`` starts an answer's feedback; the last ``####`` starts
  the general feedback, stored as the explanation. An answer may run over
  several lines; its line breaks are kept.
* ``{T}``, ``{TRUE}``, ``{F}``, ``{FALSE}`` (any letter case, where Moodle
  wants capitals) make a true/false question;
  ``{TRUE#feedback if wrong#feedback if right}`` as in Moodle.
* One ``=`` among ``~`` answers makes a single-choice question; ``~`` answers
  only (with weights) make a multiple-choice question.
* Escapes: ``\\:`` ``\\#`` ``\\=`` ``\\{`` ``\\}`` ``\\~`` ``\\\\`` and ``\\n``
  (a line break). A backslash before any other character is kept as it is.

Items the platform does not run are reported in ``skipped`` with their kind:
``essay`` (``{}``), ``numerical`` (``{#...}``), ``matching`` (``=a -> b``),
``shortanswer`` (only ``=`` answers), ``missingword`` (text continues after
the closing brace) and ``description`` (no answer block). Malformed items go to
``errors`` as problems (codes of :mod:`contest.quiz.bank_messages`) with the
1-based line of the question's first non-comment line (a bad metadata value is
reported on its comment line). Every question found is
also checked with :func:`~contest.quiz.items.validate_question`.

:func:`write_gift` writes text that :func:`parse_gift` reads back into equal
questions, and that Moodle reads as the same questions: Moodle's escapes, a
``$CATEGORY: $course$/top/...`` line per topic, ``=`` for the one correct
answer of a single-choice question and ``~%weight%`` otherwise. The question
text carries its format marker when it is not plain, or when a part contains
``<`` or ``&`` (``[plain]``, so that Moodle does not read it as markup);
feedbacks and the explanation carry ``[plain]`` under a question of another
format. Whitespace around texts is not significant and is not kept, and a line
break inside a metadata value becomes a space.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from contest.problems import Problem
from contest.quiz.items import (
    FALSE_LABEL,
    TRUE_LABEL,
    ParsedOption,
    ParsedQuestion,
    ParseResult,
    SkippedItem,
    format_percent,
    join_topic,
    normalize_difficulty,
    normalize_fraction,
    problem_at,
    split_topic,
    validate_question,
)

__all__ = ["parse_gift", "write_gift"]

_SPECIAL = "\\:#={}~"
_UNESCAPE = {ch: ch for ch in _SPECIAL} | {"n": "\n"}
_ESCAPE_RE = re.compile(r"\\(.)", re.DOTALL)
_FORMAT_RE = re.compile(r"\[(html|plain|markdown|moodle)\]")
_HTML_BREAK_RE = re.compile(r"<br\s*/?>|</(?:p|div|li|h[1-6])\s*>", re.IGNORECASE)
_HTML_TAG_RE = re.compile(r"<[^>]*>")
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


def _split_last(text: str, separator: str) -> tuple[str, str | None]:
    """Split at the last unescaped separator (Moodle reads the general feedback after the
    last ``####``); the second part is None if absent."""
    found = -1
    index = _find(text, separator)
    while index >= 0:
        found = index
        index = _find(text, separator, index + 1)
    if found < 0:
        return text, None
    return text[:found], text[found + len(separator):]


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


# --- formats -----------------------------------------------------------------


def _take_format(raw: str, default: str) -> tuple[str, str]:
    """Split a leading format marker off raw (still escaped) text: (format, rest)."""
    text = raw.strip()
    match = _FORMAT_RE.match(text)
    if match is None:
        return default, text
    return match.group(1), text[match.end():]


def _html_to_text(text: str) -> str:
    """HTML reduced to the text a reader sees: line breaks kept, tags removed, entities read."""
    text = _HTML_TAG_RE.sub("", _HTML_BREAK_RE.sub("\n", text))
    lines = [" ".join(line.split()) for line in html.unescape(text).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _text_to_html(text: str) -> str:
    """Plain text written as HTML that shows the same text."""
    return html.escape(text, quote=False).replace("\n", "<br>")


def _plain(text: str, fmt: str) -> str:
    """A feedback or explanation as the plain text it is stored as."""
    return _html_to_text(text) if fmt == "html" else text


# --- parsing -----------------------------------------------------------------


@dataclass
class _Metadata:
    external_id: str = ""
    source: str = ""
    difficulty: str = ""
    tags: list[str] = field(default_factory=list)


def _has_metadata(comments: list[tuple[int, str]]) -> bool:
    return any(_META_RE.search(body) for _, body in comments)


def _read_metadata(comments: list[tuple[int, str]]) -> tuple[_Metadata, list[Problem]]:
    meta = _Metadata()
    problems: list[Problem] = []
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
                    problems.append(problem_at(line, "gift.unknown_difficulty", value=value))
                elif meta.difficulty:
                    problems.append(problem_at(line, "gift.metadata_repeated", key="difficulty"))
                else:
                    meta.difficulty = level
            else:
                attr = "external_id" if key == "id" else "source"
                if getattr(meta, attr):
                    problems.append(problem_at(line, "gift.metadata_repeated", key=key))
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
    """Read a leading ``%weight%``: (fraction or None, the rest, problem code or "")."""
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
        return None, content, "gift.weight_not_number"
    if not -100.0 <= percent <= 100.0:
        return None, content, "gift.weight_out_of_range"
    return normalize_fraction(percent / 100.0), text[end + 1:], ""


class _BlockParser:
    """Turns the lines of one blank-line-separated block into a result entry."""

    def __init__(self, result: ParseResult) -> None:
        self.result = result

    def error(self, line: int, code: str, **params: object) -> None:
        self.result.errors.append(problem_at(line, code, **params))

    def parse(self, content: list[tuple[int, str]], comments: list[tuple[int, str]],
              topic: list[str]) -> None:
        line = content[0][0]
        body = "\n".join(text for _, text in content).strip()

        title = ""
        if body.startswith("::"):
            end = _find(body, "::", 2)
            if end < 0:
                self.error(line, "gift.title_unclosed")
                return
            title = _clean(body[2:end])
            body = body[end + 2:].strip()
        text_format, body = _take_format(body, "plain")

        opening = _find(body, "{")
        if opening < 0:
            if _find(body, "}") >= 0:
                self.error(line, "gift.close_without_open")
            else:
                self.result.skipped.append(
                    SkippedItem(line, "description", title or _preview(_clean(body))))
            return
        closing = _find(body, "}", opening + 1)
        reopening = _find(body, "{", opening + 1)
        if closing < 0:
            self.error(line, "gift.block_unclosed")
            return
        if 0 <= reopening < closing:
            self.error(line, "gift.block_reopened")
            return
        before, block, after = body[:opening], body[opening + 1:closing], body[closing + 1:]
        if _find(after, "{") >= 0 or _find(after, "}") >= 0:
            self.error(line, "gift.two_blocks")
            return
        text = _clean(before)
        if not text and not after.strip():
            self.error(line, "gift.no_text")
            return
        label = title or _preview(text or _clean(after))

        block, general = _split_last(block, "####")
        explanation = ""
        if general is not None:
            explanation_format, general = _take_format(general, text_format)
            explanation = _plain(_clean(general), explanation_format)
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

        parts = self.options(kind, block, line, text_format)
        meta, problems = _read_metadata(comments)
        if parts is None or problems:
            self.result.errors.extend(problems)
            return
        options, formats = parts
        if "html" in (text_format, *formats):
            # One format per question: the parts that are not HTML become escaped HTML.
            if text_format != "html":
                text = _text_to_html(text)
            options = [ParsedOption(option.text if fmt == "html" else _text_to_html(option.text),
                                    option.fraction, option.feedback)
                       for option, fmt in zip(options, formats, strict=True)]
            text_format = "html"
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
            self.result.errors.extend(problem_at(line, p.code, **p.params) for p in invalid)
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
            self.error(line, "gift.answer_without_marker", answer=_preview(_clean(prefix)))
            return None
        markers = {marker for marker, _ in answers}
        if "~" in markers:
            return "single" if "=" in markers else "multiple"
        if any(_find(raw, "->") >= 0 for _, raw in answers):
            return "matching"
        return "shortanswer"

    def options(self, kind: str, block: str, line: int,
                text_format: str) -> tuple[list[ParsedOption], list[str]] | None:
        """The options of a supported kind and the format of each option's text; None if a
        weight is malformed. Feedbacks are returned as plain text."""
        if kind == "truefalse":
            head, rest = _split_once(block, "#")
            wrong, right = ("", None) if rest is None else _split_once(rest, "#")
            wrong_format, wrong = _take_format(wrong, text_format)
            wrong_feedback = _plain(_clean(wrong), wrong_format)
            right_feedback = ""
            if right is not None:
                right_format, right = _take_format(right, text_format)
                right_feedback = _plain(_clean(right), right_format)
            is_true = _TRUE_FALSE[head.strip().upper()]
            return [
                ParsedOption(TRUE_LABEL, 1.0 if is_true else 0.0,
                             right_feedback if is_true else wrong_feedback),
                ParsedOption(FALSE_LABEL, 0.0 if is_true else 1.0,
                             wrong_feedback if is_true else right_feedback),
            ], [text_format, text_format]
        options: list[ParsedOption] = []
        formats: list[str] = []
        failed = False
        for marker, raw in _split_answers(block)[1]:
            fraction, rest, problem = _take_weight(raw)
            if problem:
                self.error(line, problem, weight=rest)
                failed = True
                continue
            if fraction is None:
                fraction = 1.0 if marker == "=" else 0.0
            answer, feedback = _split_once(rest, "#")
            answer_format, answer = _take_format(answer, text_format)
            feedback_text = ""
            if feedback is not None:
                feedback_format, feedback = _take_format(feedback, text_format)
                feedback_text = _plain(_clean(feedback), feedback_format)
            options.append(ParsedOption(_clean(answer), fraction, feedback_text))
            formats.append(answer_format)
        return None if failed else (options, formats)


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
            result.errors.append(problem_at(first, "gift.metadata_alone"))
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


def _write_part(text: str, fmt: str, inherited: str) -> str:
    """Escaped text with a format marker when its format is not the one it inherits, or when
    the text itself starts like a marker."""
    escaped = _escape(text)
    marker = f"[{fmt}]" if fmt != inherited or _FORMAT_RE.match(escaped) else ""
    return marker + escaped


def _text_format_written(q: ParsedQuestion) -> str:
    """The marker the question text gets ("" for none): plain text is marked only when a part
    holds ``<`` or ``&``, which Moodle's default format would read as markup."""
    if q.text_format != "plain":
        return q.text_format
    parts = [q.text, q.explanation, *(o.text for o in q.options), *(o.feedback for o in q.options)]
    return "plain" if any("<" in part or "&" in part for part in parts) else ""


def _write_option(marker: str, option: ParsedOption, fraction_written: bool,
                  q: ParsedQuestion) -> str:
    weight = f"%{format_percent(option.fraction)}%" if fraction_written else ""
    feedback = f"#{_write_part(option.feedback, 'plain', q.text_format)}" \
        if option.feedback else ""
    return f"\t{marker}{weight}{_write_part(option.text, q.text_format, q.text_format)}{feedback}"


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
    marker = _text_format_written(q)
    # An explicit format also protects text that would otherwise read as a format
    # prefix, a comment or a category line.
    protect = bool(_FORMAT_RE.match(text)) or (
        not head and (text.startswith("//") or text.upper().startswith(_CATEGORY)))
    if marker or protect:
        head += f"[{q.text_format}]"
    head += text
    explanation = f"####{_write_part(q.explanation, 'plain', q.text_format)}" \
        if q.explanation else ""

    if q.kind == "truefalse":
        is_true = bool(q.options) and _is_one(q.options[0].fraction)
        by_label = {option.text: option.feedback for option in q.options}
        right = by_label.get(TRUE_LABEL if is_true else FALSE_LABEL, "")
        wrong = by_label.get(FALSE_LABEL if is_true else TRUE_LABEL, "")
        answer = "TRUE" if is_true else "FALSE"
        if wrong or right:
            answer += f"#{_write_part(wrong, 'plain', q.text_format) if wrong else ''}"
        if right:
            answer += f"#{_write_part(right, 'plain', q.text_format)}"
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
            lines.append(_write_option("=", option, starts_with_percent, q))
        else:
            lines.append(_write_option("~", option, option.fraction != 0 or starts_with_percent,
                                       q))
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
