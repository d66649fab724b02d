"""The question bank: topics, search, editing by revision, import and export.

Functions here work on the ORM session and never commit: the caller (a view, a CLI command, the
demo loader) commits the unit of work or rolls it back, so an import or an edit is written whole
or not at all.

Rules kept here:

* A *live* question is one that is not retired. External ids are unique among live questions.
* Editing a question that an attempt has drawn (``used``) never changes its row: the edit creates
  a new revision (same external id, ``revision_of_id`` pointing back), the old row is retired and
  deactivated, and the fixed question lists of rounds still in draft move to the new revision.
  Rounds that are open, closed or published keep the revision their attempts were scored on.
  Switching ``active`` alone is not an edit of the content and happens in place.
* Import never changes a question that is already in the bank. A question of the file matches a
  live question by external id, or, failing that, by identical text (whitespace runs collapsed)
  in the same topic; a matched question is skipped and reported as already present, with a note
  when its question or key differs from the bank's. To change a banked question, edit it.
* Questions of a file that carry no topic (no ``$CATEGORY`` in GIFT, every Aiken file, an empty
  topic cell) go to the default topic of the import, as Moodle puts them in the default category
  of its import: the topic the organizer chose, else one named after the file, else
  :data:`UNCATEGORISED` (see :func:`default_topic_for`). The plan says which questions went there.

Refusals are the shared :class:`~contest.problems.Refused` carrying
:class:`~contest.problems.Problem` values; their codes and messages (English sources with a
Vietnamese translation) are in :mod:`contest.quiz.bank_messages`. A problem of an import carries
its line in ``params["line"]``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import selectinload

from contest.extensions import db
from contest.problems import Problem, Refused
from contest.quiz.aiken import write_aiken
from contest.quiz.gift import write_gift
from contest.quiz.importing import parse_file
from contest.quiz.items import (
    ParsedOption,
    ParsedQuestion,
    ParseResult,
    SkippedItem,
    line_of,
    problem_at,
    split_topic,
    validate_question,
)
from contest.quiz.models import Option, Question, Round, RoundQuestion, RoundStatus, Topic
from contest.quiz.tabular import write_csv, write_xlsx
from contest.timeutil import to_local, utcnow

__all__ = [
    "EXPORT_FORMATS",
    "MIMETYPES",
    "SEARCH_STATUSES",
    "STARTER_BANK",
    "BankError",
    "Export",
    "ImportOutcome",
    "ImportPlan",
    "ImportRefused",
    "InvalidQuestion",
    "UNCATEGORISED",
    "Page",
    "PlannedQuestion",
    "TopicNode",
    "activate",
    "commit_import",
    "create_topic",
    "deactivate",
    "default_topic_for",
    "descendant_ids",
    "export",
    "export_filename",
    "export_questions",
    "find_topic",
    "get_or_create_topic",
    "latest_revision",
    "load_starter_bank",
    "normalize_tags",
    "plan_import",
    "revision_history",
    "save_question",
    "search_questions",
    "set_active",
    "to_parsed",
    "topic_by_path",
    "topic_tree",
    "update_topic",
]

STARTER_BANK = Path(__file__).resolve().parent / "data" / "starter_bank.gift"
EXPORT_FORMATS = ("gift", "aiken", "csv", "xlsx")
SEARCH_STATUSES = ("active", "inactive", "all", "retired")

# Column sizes of the models, checked before writing so that PostgreSQL never refuses a row
# that SQLite would have accepted.
MAX_TOPIC_NAME = 200
MAX_TITLE = 255
MAX_EXTERNAL_ID = 100
MAX_SOURCE = 500
MAX_TAGS_TEXT = 500


# The topic of imported questions that have none when the file's name gives no better one.
UNCATEGORISED = "Chưa phân loại"


# --- refusals ----------------------------------------------------------------


class BankError(Refused):
    """A change the bank refuses; each problem's ``field`` names the form field it concerns."""

    @property
    def field(self) -> str | None:
        return self.problems[0].field


class InvalidQuestion(BankError):
    """The question breaks the structural rules of :func:`validate_question`."""


# --- topics ------------------------------------------------------------------


def _all_topics() -> list[Topic]:
    return list(db.session.execute(select(Topic).order_by(Topic.id)).scalars())


def _children_index(topics: Iterable[Topic]) -> dict[int | None, list[Topic]]:
    children: dict[int | None, list[Topic]] = defaultdict(list)
    for topic in topics:
        children[topic.parent_id].append(topic)
    for siblings in children.values():
        siblings.sort(key=lambda t: (t.name.casefold(), t.id))
    return children


def _check_topic_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise BankError(Problem("bank.topic_name_missing", "name"))
    if len(name) > MAX_TOPIC_NAME:
        raise BankError(Problem("bank.topic_name_too_long", "name", {"max": MAX_TOPIC_NAME}))
    return name


def _sibling(name: str, parent_id: int | None, exclude_id: int | None = None) -> Topic | None:
    query = select(Topic).where(Topic.name == name, Topic.parent_id.is_(None) if parent_id is None
                                else Topic.parent_id == parent_id)
    if exclude_id is not None:
        query = query.where(Topic.id != exclude_id)
    return db.session.execute(query.order_by(Topic.id).limit(1)).scalar_one_or_none()


def topic_by_path(path: Sequence[str]) -> Topic | None:
    """The topic at ``path`` (names from the root inwards), or None."""
    node: Topic | None = None
    for name in path:
        node = _sibling(" ".join(name.split()), node.id if node else None)
        if node is None:
            return None
    return node


def get_or_create_topic(path: Sequence[str]) -> Topic:
    """The topic at ``path``, creating the missing levels."""
    if not path:
        raise BankError(Problem("bank.topic_missing", "topic"))
    node: Topic | None = None
    for raw in path:
        name = _check_topic_name(raw)
        found = _sibling(name, node.id if node else None)
        if found is None:
            found = Topic(name=name, parent=node)
            db.session.add(found)
            db.session.flush()
        node = found
    assert node is not None
    return node


def find_topic(text: str) -> Topic | None:
    """A topic named by a path ``A/B`` (``//`` is a literal slash) or by a name used only once."""
    path = split_topic(text)
    if not path:
        return None
    found = topic_by_path(path)
    if found is None and len(path) == 1:
        matches = db.session.execute(
            select(Topic).where(Topic.name == path[0]).limit(2)).scalars().all()
        if len(matches) == 1:
            found = matches[0]
    return found


@dataclass
class TopicNode:
    """A topic in the tree listing: its depth and how many live questions it holds."""

    topic: Topic
    depth: int
    own: int
    total: int

    @property
    def label(self) -> str:
        return self.topic.path_label


def topic_tree() -> list[TopicNode]:
    """Every topic in depth-first order, with live question counts (own and with sub-topics)."""
    topics = _all_topics()
    counts = dict(db.session.execute(
        select(Question.topic_id, func.count()).where(Question.retired == false())
        .group_by(Question.topic_id)).all())
    children = _children_index(topics)
    nodes: list[TopicNode] = []

    def visit(topic: Topic, depth: int, seen: frozenset[int]) -> int:
        node = TopicNode(topic, depth, counts.get(topic.id, 0), 0)
        nodes.append(node)
        total = node.own
        for child in children.get(topic.id, []):
            if child.id not in seen:
                total += visit(child, depth + 1, seen | {child.id})
        node.total = total
        return total

    for root in children.get(None, []):
        visit(root, 0, frozenset({root.id}))
    return nodes


def descendant_ids(topic_id: int) -> list[int]:
    """``topic_id`` and the ids of all topics below it."""
    children = _children_index(_all_topics())
    found: list[int] = []
    stack = [topic_id]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.append(current)
        stack.extend(child.id for child in children.get(current, []))
    return found


def create_topic(name: str, parent: Topic | None = None) -> Topic:
    """Add a topic under ``parent`` (or at the top); sibling names must differ."""
    name = _check_topic_name(name)
    if _sibling(name, parent.id if parent else None) is not None:
        raise BankError(Problem("bank.topic_exists", "name"))
    topic = Topic(name=name, parent=parent)
    db.session.add(topic)
    db.session.flush()
    return topic


def update_topic(topic: Topic, name: str, parent: Topic | None) -> Topic:
    """Rename ``topic`` and/or move it under ``parent`` (not under itself or its sub-topics)."""
    name = _check_topic_name(name)
    if parent is not None and parent.id in descendant_ids(topic.id):
        raise BankError(Problem("bank.topic_inside_itself", "parent_id"))
    if _sibling(name, parent.id if parent else None, exclude_id=topic.id) is not None:
        raise BankError(Problem("bank.topic_exists", "name"))
    topic.name = name
    topic.parent = parent
    db.session.flush()
    return topic


# --- search ------------------------------------------------------------------


@dataclass
class Page:
    """One page of search results."""

    items: list[Question]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _unicode_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _lower(column: Any) -> Any:
    """``lower(column)`` that folds Vietnamese capitals on SQLite too.

    SQLite's own lower() only knows ASCII, so "Điều" would never match "điều"; the session's
    SQLite connection gets a Python function instead. PostgreSQL's lower() follows the locale.
    """
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.driver_connection
        raw.create_function("bank_lower", 1, _unicode_lower, deterministic=True)
        return func.bank_lower(column)
    return func.lower(column)


def search_questions(*, text: str = "", topic_id: int | None = None, kind: str = "",
                     difficulty: str = "", tag: str = "", status: str = "active",
                     page: int = 1, per_page: int = 25) -> Page:
    """Find questions, oldest first.

    ``text`` is looked for (case-insensitively) in the text, title, source, explanation and
    external id, and a number also finds the question with that id. ``topic_id`` includes its
    sub-topics. ``status`` is ``active``, ``inactive`` or ``all`` (live questions) or ``retired``
    (earlier revisions). ``difficulty`` ``"none"`` finds questions without one.
    """
    query = select(Question)
    if status == "retired":
        query = query.where(Question.retired.is_(True))
    else:
        query = query.where(Question.retired == false())
        if status == "active":
            query = query.where(Question.active.is_(True))
        elif status == "inactive":
            query = query.where(Question.active == false())
    term = " ".join(text.split())
    if term:
        pattern = f"%{_like_escape(term.lower())}%"
        conditions = [_lower(column).like(pattern, escape="\\") for column in (
            Question.text, Question.title, Question.source, Question.explanation,
            Question.external_id)]
        number = term.lstrip("#")
        if number.isascii() and number.isdigit() and len(number) < 10:
            conditions.append(Question.id == int(number))
        query = query.where(or_(*conditions))
    if topic_id is not None:
        query = query.where(Question.topic_id.in_(descendant_ids(topic_id)))
    if kind:
        query = query.where(Question.kind == kind)
    if difficulty == "none":
        query = query.where(Question.difficulty == "")
    elif difficulty:
        query = query.where(Question.difficulty == difficulty)
    tags = normalize_tags([tag])
    if tags:
        query = query.where(Question.tags_text.like(f"%,{_like_escape(tags[0])},%", escape="\\"))

    total = db.session.execute(
        select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    per_page = max(1, per_page)
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    items = list(db.session.execute(
        query.options(selectinload(Question.options), selectinload(Question.topic))
        .order_by(Question.id).offset((page - 1) * per_page).limit(per_page)).scalars())
    return Page(items, total, page, per_page)


# --- conversion --------------------------------------------------------------


def normalize_tags(values: Iterable[str]) -> list[str]:
    """Tags as the bank stores them: trimmed, lower case, unique, sorted; commas split tags."""
    tags = {" ".join(part.split()).lower() for value in values for part in value.split(",")}
    return sorted(tag for tag in tags if tag)


def to_parsed(questions: Iterable[Question]) -> list[ParsedQuestion]:
    """The interchange form of bank questions, as the writers take it."""
    return [
        ParsedQuestion(
            kind=q.kind,
            text=q.text,
            options=[ParsedOption(o.text, o.fraction, o.feedback) for o in q.options],
            title=q.title,
            explanation=q.explanation,
            source=q.source,
            difficulty=q.difficulty,
            tags=q.tags,
            topic=q.topic.path,
            external_id=q.external_id or "",
            text_format=q.text_format,
            line=0,
        )
        for q in questions
    ]


def _clean(values: ParsedQuestion, topic: Topic) -> ParsedQuestion:
    """The question as the bank would store it in ``topic``."""
    return replace(
        values,
        text=values.text.strip(),
        title=" ".join(values.title.split()),
        explanation=values.explanation.strip(),
        source=" ".join(values.source.split()),
        external_id=values.external_id.strip(),
        tags=normalize_tags(values.tags),
        topic=topic.path,
        options=[ParsedOption(o.text.strip(), o.fraction, o.feedback.strip())
                 for o in values.options],
    )


def _length_problems(q: ParsedQuestion) -> list[Problem]:
    """A problem, with its field, for every value longer than its column."""
    found = []
    if len(q.title) > MAX_TITLE:
        found.append(Problem("bank.title_too_long", "title", {"max": MAX_TITLE}))
    if len(q.external_id) > MAX_EXTERNAL_ID:
        found.append(Problem("bank.external_id_too_long", "external_id",
                             {"max": MAX_EXTERNAL_ID}))
    if len(q.source) > MAX_SOURCE:
        found.append(Problem("bank.source_too_long", "source", {"max": MAX_SOURCE}))
    tags = normalize_tags(q.tags)
    if tags and len("," + ",".join(tags) + ",") > MAX_TAGS_TEXT:
        found.append(Problem("bank.tags_too_long", "tags", {"max": MAX_TAGS_TEXT - 2}))
    for name in q.topic:
        if len(" ".join(name.split())) > MAX_TOPIC_NAME:
            found.append(Problem("bank.topic_name_too_long", "topic", {"max": MAX_TOPIC_NAME}))
            break
    return found


def _fill(question: Question, values: ParsedQuestion, topic: Topic) -> None:
    question.topic = topic
    question.kind = values.kind
    question.title = values.title
    question.text = values.text
    question.text_format = values.text_format
    question.explanation = values.explanation
    question.source = values.source
    question.difficulty = values.difficulty
    question.tags = values.tags
    question.external_id = values.external_id or None
    for position, option in enumerate(values.options):
        if position < len(question.options):
            row = question.options[position]
            row.text, row.fraction, row.feedback = option.text, option.fraction, option.feedback
        else:
            question.options.append(Option(position=position, text=option.text,
                                           fraction=option.fraction, feedback=option.feedback))
    del question.options[len(values.options):]


def _new_question(values: ParsedQuestion, topic: Topic, active: bool = True) -> Question:
    question = Question(active=active, used=False, retired=False, options=[])
    _fill(question, values, topic)
    return question


# --- editing -----------------------------------------------------------------


def _external_id_taken(external_id: str, exclude: Iterable[int] = ()) -> bool:
    if not external_id:
        return False
    query = select(Question.id).where(Question.external_id == external_id,
                                      Question.retired == false())
    excluded = [i for i in exclude if i is not None]
    if excluded:
        query = query.where(Question.id.not_in(excluded))
    return db.session.execute(query.limit(1)).first() is not None


def save_question(values: ParsedQuestion, topic: Topic | None = None, *,
                  question: Question | None = None, active: bool = True) -> Question:
    """Create a question (``question`` None) or edit one; return the row now holding it.

    ``topic`` defaults to the topic at ``values.topic`` (created if missing). An unused question
    is edited in place. A used question whose content (anything but ``active``) changes gets a
    new revision, which is returned: it keeps the external id (an empty id in ``values`` keeps
    it, another id is refused), the old row is retired and deactivated, and draft rounds that
    list the old row in their fixed questions list the new revision instead. Saving unchanged
    content of a used question only applies ``active``. Raises :class:`InvalidQuestion` or
    :class:`BankError`.
    """
    if question is not None:
        # Two organizers saving the same used question must not both revise it: the row lock
        # (PostgreSQL) makes the second wait and then find it retired.
        db.session.refresh(question, with_for_update=True)
        if question.retired:
            raise BankError(Problem("bank.revision_not_editable"))
    problems = validate_question(values)
    if problems:
        raise InvalidQuestion(*problems)
    too_long = _length_problems(values)
    if too_long:
        raise BankError(*too_long)
    if topic is None:
        topic = get_or_create_topic(values.topic)
    clean = _clean(values, topic)
    if question is not None and question.used:
        # Every revision carries the id of the first: it is how imports and reports follow the
        # question. An empty id in ``values`` keeps it.
        if clean.external_id and clean.external_id != (question.external_id or ""):
            raise BankError(Problem("bank.used_id_fixed", "external_id"))
        clean = replace(clean, external_id=question.external_id or "")
    if _external_id_taken(clean.external_id, [question.id] if question else []):
        raise BankError(Problem("bank.id_taken", "external_id", {"id": clean.external_id}))

    if question is None:
        question = _new_question(clean, topic, active)
        db.session.add(question)
        db.session.flush()
        return question

    if question.used and to_parsed([question])[0] != clean:
        revision = _new_question(clean, topic, active)
        revision.revision_of_id = question.id
        question.retired = True
        question.active = False
        db.session.add(revision)
        db.session.flush()
        draft_rows = db.session.execute(
            select(RoundQuestion).join(Round, Round.id == RoundQuestion.round_id)
            .where(RoundQuestion.question_id == question.id,
                   Round.status == RoundStatus.DRAFT)).scalars()
        for row in draft_rows:
            row.question_id = revision.id
            row.question = revision
        db.session.flush()
        return revision

    _fill(question, clean, topic)
    question.active = active
    db.session.flush()
    return question


def set_active(question: Question, active: bool) -> None:
    """Let a question be drawn (or not) by rounds; an earlier revision cannot be activated."""
    if active and question.retired:
        raise BankError(Problem("bank.revision_not_activable"))
    question.active = active
    db.session.flush()


def deactivate(question: Question) -> None:
    """Keep the question in the bank but out of future draws."""
    set_active(question, False)


def activate(question: Question) -> None:
    """Let future draws pick the question again."""
    set_active(question, True)


def latest_revision(question: Question) -> Question:
    """The newest revision that descends from ``question`` (itself if none)."""
    current = question
    seen = {current.id}
    while True:
        newer = db.session.execute(
            select(Question).where(Question.revision_of_id == current.id)
            .order_by(Question.id.desc()).limit(1)).scalar_one_or_none()
        if newer is None or newer.id in seen:
            return current
        seen.add(newer.id)
        current = newer


def revision_history(question: Question) -> list[Question]:
    """The earlier revisions of ``question``, newest first."""
    history: list[Question] = []
    seen = {question.id}
    current = question
    while current.revision_of_id is not None and current.revision_of_id not in seen:
        older = db.session.get(Question, current.revision_of_id)
        if older is None:
            break
        history.append(older)
        seen.add(older.id)
        current = older
    return history


# --- import ------------------------------------------------------------------


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

    topics = _all_topics()
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
        too_long = _length_problems(replace(question, topic=path))
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


def commit_import(result: ParseResult,
                  default_topic: Sequence[str] | None = None) -> ImportOutcome:
    """Import the new questions of a parsed file, all of them or none.

    The plan is made again against the bank as it is now. If it has any problem, nothing is
    written and :class:`ImportRefused` is raised. Otherwise the missing topics and the new
    questions are added to the session (flushed, not committed).
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
        imported.append(_new_question(_clean(item.question, topic), topic))
    db.session.add_all(imported)
    db.session.flush()
    return ImportOutcome(plan, imported)


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
    return commit_import(result).imported_count


# --- export ------------------------------------------------------------------

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
    day = day or to_local(utcnow()).date()
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
