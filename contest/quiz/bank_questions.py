"""Questions of the bank: search, editing by revision, and conversion to the interchange form.

* A *live* question is one that is not retired. External ids are unique among live questions.
* Editing a question that an attempt has drawn (``used``) never changes its row: the edit creates
  a new revision (same external id, ``revision_of_id`` pointing back), the old row is retired and
  deactivated, and the fixed question lists of rounds still in draft move to the new revision.
  Rounds that are open, closed or published keep the revision their attempts were scored on.
  Switching ``active`` alone is not an edit of the content and happens in place.

Saving, activating and deactivating record an audit event for ``actor_id`` in the same unit of
work. Nothing here commits (see :mod:`contest.quiz.bank_common`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import selectinload

from contest import audit
from contest.extensions import db
from contest.problems import Problem
from contest.quiz.bank_common import (
    MAX_EXTERNAL_ID,
    MAX_SOURCE,
    MAX_TAGS_TEXT,
    MAX_TITLE,
    MAX_TOPIC_NAME,
    BankError,
    InvalidQuestion,
)
from contest.quiz.bank_topics import descendant_ids, get_or_create_topic
from contest.quiz.items import ParsedOption, ParsedQuestion, validate_question
from contest.quiz.models import Option, Question, Round, RoundQuestion, RoundStatus, Topic

SEARCH_STATUSES = ("active", "inactive", "all", "retired")


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


def clean_question(values: ParsedQuestion, topic: Topic) -> ParsedQuestion:
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


def length_problems(q: ParsedQuestion) -> list[Problem]:
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


def new_question(values: ParsedQuestion, topic: Topic, active: bool = True) -> Question:
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
                  question: Question | None = None, active: bool = True,
                  actor_id: int | None = None) -> Question:
    """Create a question (``question`` None) or edit one; return the row now holding it.

    ``topic`` defaults to the topic at ``values.topic`` (created if missing). An unused question
    is edited in place. A used question whose content (anything but ``active``) changes gets a
    new revision, which is returned: it keeps the external id (an empty id in ``values`` keeps
    it, another id is refused), the old row is retired and deactivated, and draft rounds that
    list the old row in their fixed questions list the new revision instead. Saving unchanged
    content of a used question only applies ``active``. Records ``question.save`` (or
    ``question.revise`` for a new revision) by ``actor_id``. Raises :class:`InvalidQuestion` or
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
    too_long = length_problems(values)
    if too_long:
        raise BankError(*too_long)
    if topic is None:
        topic = get_or_create_topic(values.topic)
    clean = clean_question(values, topic)
    if question is not None and question.used:
        # Every revision carries the id of the first: it is how imports and reports follow the
        # question. An empty id in ``values`` keeps it.
        if clean.external_id and clean.external_id != (question.external_id or ""):
            raise BankError(Problem("bank.used_id_fixed", "external_id"))
        clean = replace(clean, external_id=question.external_id or "")
    if _external_id_taken(clean.external_id, [question.id] if question else []):
        raise BankError(Problem("bank.id_taken", "external_id", {"id": clean.external_id}))

    if question is None:
        question = new_question(clean, topic, active)
        db.session.add(question)
        db.session.flush()
        audit.record(actor_id, "question.save", "question", question.id, revision_of=None)
        return question

    if question.used and to_parsed([question])[0] != clean:
        return _revise(question, clean, topic, active, actor_id)

    _fill(question, clean, topic)
    question.active = active
    db.session.flush()
    audit.record(actor_id, "question.save", "question", question.id, revision_of=None)
    return question


def _revise(question: Question, clean: ParsedQuestion, topic: Topic, active: bool,
            actor_id: int | None) -> Question:
    """A new revision of the used ``question``; draft rounds move to it."""
    revision = new_question(clean, topic, active)
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
    audit.record(actor_id, "question.revise", "question", revision.id, revision_of=question.id)
    return revision


def set_active(question: Question, active: bool, *, actor_id: int | None = None) -> None:
    """Let a question be drawn (or not) by rounds; an earlier revision cannot be activated.
    Records ``question.activate`` or ``question.deactivate`` by ``actor_id``."""
    if active and question.retired:
        raise BankError(Problem("bank.revision_not_activable"))
    question.active = active
    db.session.flush()
    audit.record(actor_id, "question.activate" if active else "question.deactivate",
                 "question", question.id)


def deactivate(question: Question, *, actor_id: int | None = None) -> None:
    """Keep the question in the bank but out of future draws."""
    set_active(question, False, actor_id=actor_id)


def activate(question: Question, *, actor_id: int | None = None) -> None:
    """Let future draws pick the question again."""
    set_active(question, True, actor_id=actor_id)


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

