"""Importing a parsed question file into the bank: plan first, then write all or nothing.

* Import never changes a question that is already in the bank. A question of the file matches a
  live question by external id, or, failing that, by identical text (whitespace runs collapsed)
  in the same topic; a matched question is skipped and reported as already present, with a note
  when its question or key differs from the bank's. To change a banked question, edit it.
* Questions of a file that carry no topic (no ``$CATEGORY`` in GIFT, every Aiken file, an empty
  topic cell) go to the default topic of the import, as Moodle puts them in the default category
  of its import: the topic the organizer chose, else one named after the file, else
  :data:`UNCATEGORISED` (see :func:`default_topic_for`). The plan says which questions went there.

A problem of an import carries its line in ``params["line"]``. Nothing here commits (see
:mod:`contest.quiz.bank_common`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import false, select
from sqlalchemy.orm import selectinload

from contest import audit
from contest.extensions import db
from contest.problems import Problem
from contest.quiz.bank_common import MAX_TOPIC_NAME, BankError
from contest.quiz.bank_questions import clean_question, length_problems, new_question, to_parsed
from contest.quiz.bank_topics import all_topics, get_or_create_topic
from contest.quiz.importing import parse_file
from contest.quiz.items import (
    ParsedQuestion,
    ParseResult,
    SkippedItem,
    line_of,
    problem_at,
    split_topic,
)
from contest.quiz.models import Question, Topic

STARTER_BANK = Path(__file__).resolve().parent / "data" / "starter_bank.gift"

# The topic of imported questions that have none when the file's name gives no better one.
UNCATEGORISED = "Chưa phân loại"


def _text_key(text: str) -> str:
    return " ".join(text.split())


def _key_of(q: ParsedQuestion) -> tuple[Any, ...]:
    """What a question asks and how it is scored: compared to tell a changed question."""
    return (q.kind, _text_key(q.text),
            tuple((_text_key(o.text), round(o.fraction, 6)) for o in q.options))


@dataclass
class PlannedQuestion:
    """A question of the file and what the import does with it."""

    question: ParsedQuestion
    topic: list[str]
    # Where it matched: "id" or "text" for a banked question, "file" for an earlier line.
    matched_by: str = ""
    match_id: int | None = None
    match_line: int | None = None
    # The matched question asks something else or has another key (it is not updated).
    differs: bool = False
    # The file gave the question no topic: it takes the default topic of the import.
    defaulted: bool = False

    @property
    def present(self) -> bool:
        return bool(self.matched_by)

    @property
    def topic_label(self) -> str:
        return " / ".join(self.topic)


@dataclass
class ImportPlan:
    """What an import would do: nothing of it is written."""

    items: list[PlannedQuestion]
    unsupported: list[SkippedItem]
    problems: list[Problem]
    new_topics: list[str]
    default_topic: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def default_topic_label(self) -> str:
        return " / ".join(self.default_topic)

    @property
    def defaulted(self) -> list[PlannedQuestion]:
        """The questions that go to the default topic because the file gave them none."""
        return [item for item in self.items if item.defaulted]

    @property
    def new(self) -> list[PlannedQuestion]:
        return [item for item in self.items if not item.present]

    @property
    def present(self) -> list[PlannedQuestion]:
        return [item for item in self.items if item.present]

    @property
    def skipped_count(self) -> int:
        """Items not imported although readable: unsupported kinds and questions present."""
        return len(self.unsupported) + len(self.present)

    def _counts(self, key: Any) -> dict[str, dict[str, int]]:
        table: dict[str, dict[str, int]] = {}
        for item in self.items:
            row = table.setdefault(key(item), {"new": 0, "present": 0})
            row["present" if item.present else "new"] += 1
        return table

    def by_kind(self) -> dict[str, dict[str, int]]:
        """``{kind: {"new": n, "present": n}}`` over the readable questions."""
        return self._counts(lambda item: item.question.kind)

    def by_topic(self) -> dict[str, dict[str, int]]:
        """``{"A / B": {"new": n, "present": n}}`` over the readable questions."""
        return dict(sorted(self._counts(lambda item: item.topic_label).items()))

    def new_by_kind(self) -> dict[str, int]:
        return dict(Counter(item.question.kind for item in self.new))


class ImportRefused(BankError):
    """The import has problems, so nothing was written; ``plan`` lists them."""

    def __init__(self, plan: ImportPlan) -> None:
        super().__init__(*plan.problems)
        self.plan = plan


@dataclass
class ImportOutcome:
    """What an import wrote."""

    plan: ImportPlan
    imported: list[Question]

    @property
    def imported_count(self) -> int:
        return len(self.imported)

    @property
    def skipped_count(self) -> int:
        return self.plan.skipped_count


def plan_import(result: ParseResult, default_topic: Sequence[str] | None = None) -> ImportPlan:
    """Decide, without writing, what importing a parsed file would do.

    Every problem of the parse is kept; the bank adds its own: values too long for the bank,
    an external id used twice in the file, and questions with no topic when there is no
    ``default_topic`` (see :func:`default_topic_for`). Questions already present (see the
    module notes) are marked, not counted as new.
    """
    problems = list(result.errors)
    default = [" ".join(part.split()) for part in default_topic or [] if part.strip()]

    topics = all_topics()
    by_parent_name: dict[tuple[int | None, str], int] = {}
    for topic in topics:
        by_parent_name.setdefault((topic.parent_id, topic.name), topic.id)

    def existing_topic_id(path: list[str]) -> int | None:
        parent: int | None = None
        for name in path:
            found = by_parent_name.get((parent, name))
            if found is None:
                return None
            parent = found
        return parent

    items: list[PlannedQuestion] = []
    without_topic: list[int] = []
    for question in result.questions:
        own = [" ".join(part.split()) for part in question.topic if part.strip()]
        path = own or default
        if not path:
            without_topic.append(question.line)
            continue
        too_long = length_problems(replace(question, topic=path))
        for problem in too_long:
            problems.append(problem_at(question.line, problem.code, **problem.params))
        if not too_long:
            items.append(PlannedQuestion(question, path, defaulted=not own))
    if without_topic:
        problems.append(problem_at(without_topic[0], "bank.no_topic", count=len(without_topic)))

    live_by_id: dict[str, int] = {}
    if any(item.question.external_id for item in items):
        for qid, external_id in db.session.execute(
            select(Question.id, Question.external_id).where(
                Question.retired == false(), Question.external_id.is_not(None))
            .order_by(Question.id)):
            live_by_id.setdefault(external_id, qid)
    topic_ids = sorted({tid for item in items
                        if (tid := existing_topic_id(item.topic)) is not None})
    live_by_text: dict[tuple[int, str], int] = {}
    for chunk in _chunks(topic_ids):
        for qid, tid, text in db.session.execute(
            select(Question.id, Question.topic_id, Question.text).where(
                Question.retired == false(), Question.topic_id.in_(chunk))
            .order_by(Question.id)):
            live_by_text.setdefault((tid, _text_key(text)), qid)

    seen_ids: dict[str, int] = {}
    seen_texts: dict[tuple[str, ...], int] = {}
    for item in items:
        q = item.question
        topic_id = existing_topic_id(item.topic)
        text_key = (*item.topic, "\x00", _text_key(q.text))
        if q.external_id and q.external_id in seen_ids:
            problems.append(problem_at(q.line, "bank.id_repeated", id=q.external_id,
                                       first=seen_ids[q.external_id]))
            continue
        if q.external_id and q.external_id in live_by_id:
            item.matched_by, item.match_id = "id", live_by_id[q.external_id]
        elif topic_id is not None and (topic_id, _text_key(q.text)) in live_by_text:
            item.matched_by, item.match_id = "text", live_by_text[(topic_id, _text_key(q.text))]
        elif text_key in seen_texts:
            item.matched_by, item.match_line = "file", seen_texts[text_key]
        if q.external_id:
            seen_ids[q.external_id] = q.line
        seen_texts.setdefault(text_key, q.line)

    matched_ids = sorted({item.match_id for item in items if item.match_id is not None})
    banked: dict[int, tuple[Any, ...]] = {}
    for chunk in _chunks(matched_ids):
        for q, parsed in _with_parsed(db.session.execute(
                select(Question).where(Question.id.in_(chunk))
                .options(selectinload(Question.options), selectinload(Question.topic))
        ).scalars().all()):
            banked[q.id] = _key_of(parsed)
    if banked:
        for item in items:
            if item.match_id is not None:
                item.differs = banked[item.match_id] != _key_of(item.question)

    new_topics = sorted({" / ".join(item.topic) for item in items
                         if not item.present and existing_topic_id(item.topic) is None})
    problems.sort(key=line_of)
    return ImportPlan(items, list(result.skipped), problems, new_topics, default)


def _chunks(values: Sequence[int], size: int = 1000) -> Iterable[Sequence[int]]:
    # Keeps every IN list well below the bind-parameter limits of SQLite and PostgreSQL.
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _with_parsed(questions: Sequence[Question]) -> list[tuple[Question, ParsedQuestion]]:
    return list(zip(questions, to_parsed(questions), strict=True))


def commit_import(result: ParseResult, default_topic: Sequence[str] | None = None, *,
                  actor_id: int | None = None, filename: str = "",
                  fmt: str | None = None) -> ImportOutcome:
    """Import the new questions of a parsed file, all of them or none.

    The plan is made again against the bank as it is now. If it has any problem, nothing is
    written and :class:`ImportRefused` is raised. Otherwise the missing topics and the new
    questions are added to the session (flushed, not committed) with a ``question.import``
    audit event by ``actor_id`` naming the file (``filename``, ``fmt`` as the importer chose).
    """
    plan = plan_import(result, default_topic)
    if not plan.ok:
        raise ImportRefused(plan)
    topics: dict[tuple[str, ...], Topic] = {}
    imported: list[Question] = []
    for item in plan.new:
        key = tuple(item.topic)
        if key not in topics:
            topics[key] = get_or_create_topic(item.topic)
        topic = topics[key]
        imported.append(new_question(clean_question(item.question, topic), topic))
    db.session.add_all(imported)
    db.session.flush()
    outcome = ImportOutcome(plan, imported)
    audit.record(actor_id, "question.import", "question_file", filename[:64], filename=filename,
                 imported=outcome.imported_count, skipped=outcome.skipped_count, format=fmt)
    return outcome


def default_topic_for(filename: str, topic: str | Sequence[str] | None = None) -> list[str]:
    """The topic of the questions a file gives none: ``topic`` (a path ``A/B`` or its parts)
    when given, else a topic named after the file without its extension (``ngan-hang.gift`` →
    ``ngan-hang``), else (no name, or only an extension such as ``.gift``)
    :data:`UNCATEGORISED`."""
    path = split_topic(topic) if isinstance(topic, str) else list(topic or [])
    path = [" ".join(part.split()) for part in path if part.strip()]
    if path:
        return path
    name = PurePosixPath(filename.replace("\\", "/")).name
    stem = " ".join((name.rsplit(".", 1)[0] if "." in name else name).split())
    return [stem[:MAX_TOPIC_NAME].strip()] if stem else [UNCATEGORISED]


def load_starter_bank() -> int:
    """Import the shipped starter bank; returns how many questions were added (0 the 2nd time).

    The caller commits.
    """
    result = parse_file(STARTER_BANK.read_bytes(), STARTER_BANK.name)
    return commit_import(result, filename=STARTER_BANK.name).imported_count

