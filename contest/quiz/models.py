"""Tables of the knowledge quizzes: question bank, rounds, attempts and per-entrant results.

Scale notes. A national round can have a million attempts, so an attempt keeps its drawn
questions and its answers as JSON on its own row (one row per attempt, not per answer), and each
entrant's best result lives in ``quiz_results``, one row per entrant and round, maintained when an
attempt is submitted. Leaderboards and ranks read only that table through its indexes.

Questions that an attempt has drawn are never edited in place: an edit creates a new revision and
retires the old row, so recorded attempts keep the text and key they were scored on.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.dbtypes import UTCDateTime
from contest.extensions import db
from contest.timeutil import timestamp


class QuestionKind(enum.StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUEFALSE = "truefalse"


class RoundStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"  # accepting attempts between opens_at and closes_at
    CLOSED = "closed"
    PUBLISHED = "published"  # results and prizes public


class AttemptStatus(enum.StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"


class Topic(db.Model):
    """A node of the question bank's topic tree (like Moodle's categories)."""

    __tablename__ = "quiz_topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("quiz_topics.id"), index=True)

    parent: Mapped[Topic | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Topic]] = relationship(back_populates="parent")

    @property
    def path(self) -> list[str]:
        names: list[str] = []
        node: Topic | None = self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return names[::-1]

    @property
    def path_label(self) -> str:
        return " / ".join(self.path)


class Question(db.Model):
    __tablename__ = "quiz_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("quiz_topics.id"), index=True)
    # The GIFT "[id:...]" of the question; shared by all revisions, unique among live ones
    # (checked by the bank, since a partial unique index is not portable).
    external_id: Mapped[str | None] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(255), default="")
    text: Mapped[str] = mapped_column(Text)
    text_format: Mapped[str] = mapped_column(String(10), default="plain")
    explanation: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(500), default="")
    difficulty: Mapped[str] = mapped_column(String(10), default="")
    # Tags kept as ",tag1,tag2," so that one tag is found with a portable LIKE '%,tag,%'.
    tags_text: Mapped[str] = mapped_column(String(500), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    # Set once an attempt has drawn the question: from then on it is edited by revision.
    used: Mapped[bool] = mapped_column(Boolean, default=False)
    retired: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    revision_of_id: Mapped[int | None] = mapped_column(ForeignKey("quiz_questions.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timestamp)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timestamp, onupdate=timestamp)

    topic: Mapped[Topic] = relationship()
    options: Mapped[list[Option]] = relationship(
        back_populates="question", order_by="Option.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("kind IN ('single', 'multiple', 'truefalse')", name="kind_known"),
    )

    @property
    def tags(self) -> list[str]:
        return [t for t in self.tags_text.split(",") if t]

    @tags.setter
    def tags(self, values: list[str]) -> None:
        clean = sorted({v.strip().lower() for v in values if v.strip() and "," not in v})
        self.tags_text = ("," + ",".join(clean) + ",") if clean else ""


class Option(db.Model):
    __tablename__ = "quiz_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_questions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    # GIFT weight as a fraction in [-1, 1]; 1 for the correct option of a single-choice question.
    fraction: Mapped[float] = mapped_column(Float, default=0.0)
    feedback: Mapped[str] = mapped_column(Text, default="")

    question: Mapped[Question] = relationship(back_populates="options")

    __table_args__ = (
        CheckConstraint("fraction >= -1 AND fraction <= 1", name="fraction_range"),
    )


class Round(db.Model):
    """A quiz round (đợt thi) with its rules."""

    __tablename__ = "quiz_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    rules: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default=RoundStatus.DRAFT, index=True)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # "quota": draw per topic as in round_quotas; "fixed": the list in round_fixed_questions.
    selection: Mapped[str] = mapped_column(String(8), default="quota")
    shuffle_questions: Mapped[bool] = mapped_column(Boolean, default=True)
    shuffle_options: Mapped[bool] = mapped_column(Boolean, default=True)
    time_limit_seconds: Mapped[int] = mapped_column(Integer, default=20 * 60)
    attempts_allowed: Mapped[int] = mapped_column(Integer, default=1)
    multi_scoring: Mapped[str] = mapped_column(String(16), default="all_or_nothing")
    prediction_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    prediction_text: Mapped[str] = mapped_column(Text, default="")
    min_age: Mapped[int | None] = mapped_column(Integer)
    # Profile fields an entrant must have filled in, e.g. ["unit_id", "gender"].
    required_fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Prize tiers in order, e.g. [["first", 1], ["second", 2], ["third", 5], ["consolation", 8]].
    prize_tiers: Mapped[list[list[Any]]] = mapped_column(JSON, default=list)
    # What each tier wins, as the organizers word it (set on the campaign console):
    # {"first": "3.000.000 đồng và Giấy chứng nhận"}; a tier without an entry shows no value.
    prize_rewards: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Places the organizers added to a tier to settle a tie, with the reason (published with the
    # results): {"first": {"places": 2, "reason": "..."}}.
    extra_places: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # False (the default): attempts draw only questions whose keys no earlier round published.
    allow_exposed: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when the first attempt starts: from then on only the close time may change.
    first_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The true answer to the prediction question, fixed when the round is finalised.
    perfect_count: Mapped[int | None] = mapped_column(Integer)
    finalized_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timestamp)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    def prize_table(self) -> list[tuple[str, int, str]]:
        """Each prize tier in order with its places and what it wins ("" when not set)."""
        rewards = self.prize_rewards or {}
        return [(str(name), int(places), str(rewards.get(str(name), "")))
                for name, places in (self.prize_tiers or [])]

    quotas: Mapped[list[RoundQuota]] = relationship(
        cascade="all, delete-orphan", order_by="RoundQuota.id"
    )
    fixed_questions: Mapped[list[RoundQuestion]] = relationship(
        cascade="all, delete-orphan", order_by="RoundQuestion.position"
    )

    __table_args__ = (
        CheckConstraint("attempts_allowed >= 1", name="attempts_positive"),
        CheckConstraint("time_limit_seconds >= 60", name="time_limit_min"),
        CheckConstraint("closes_at > opens_at", name="closes_after_opens"),
    )


class RoundQuota(db.Model):
    """Draw ``count`` questions from ``topic`` (and its sub-topics) for each attempt."""

    __tablename__ = "quiz_round_quotas"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("quiz_rounds.id", ondelete="CASCADE"),
                                          index=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("quiz_topics.id"))
    count: Mapped[int] = mapped_column(Integer)

    topic: Mapped[Topic] = relationship()

    __table_args__ = (
        UniqueConstraint("round_id", "topic_id"),
        CheckConstraint("count >= 1", name="count_positive"),
    )


class RoundQuestion(db.Model):
    """One question of a round with a fixed question list."""

    __tablename__ = "quiz_round_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("quiz_rounds.id", ondelete="CASCADE"),
                                          index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("quiz_questions.id"))
    position: Mapped[int] = mapped_column(Integer)

    question: Mapped[Question] = relationship()

    __table_args__ = (UniqueConstraint("round_id", "question_id"),)


class Attempt(db.Model):
    """One try at a round by one entrant.

    ``draw`` is the list the server drew: ``[[question_id, [option ids in shown order]], ...]``.
    ``answers`` maps a question id (as text) to the chosen option ids. Both stay on the attempt so
    that a reload, on any device, shows exactly the same paper.
    """

    __tablename__ = "quiz_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("quiz_rounds.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default=AttemptStatus.OPEN)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    draw: Mapped[list[Any]] = mapped_column(JSON)
    answers: Mapped[dict[str, list[int]]] = mapped_column(JSON, default=dict)
    answers_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    prediction: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[float | None] = mapped_column(Float)
    correct_count: Mapped[int | None] = mapped_column(Integer)
    time_ms: Mapped[int | None] = mapped_column(Integer)
    # Per-question scores, {question_id: points}, kept for item statistics.
    item_scores: Mapped[dict[str, float] | None] = mapped_column(JSON)
    # True when the attempt was closed by its deadline rather than by the entrant.
    auto_submitted: Mapped[bool] = mapped_column(Boolean, default=False)

    round: Mapped[Round] = relationship()

    __table_args__ = (
        # Two tabs starting "attempt 2" at once must not both succeed.
        UniqueConstraint("round_id", "user_id", "number"),
        Index("ix_quiz_attempts_open_deadline", "status", "deadline_at"),
        Index("ix_quiz_attempts_round_status", "round_id", "status"),
        CheckConstraint("number >= 1", name="number_positive"),
    )


class Result(db.Model):
    """An entrant's standing in a round: their best submitted attempt, kept up to date on submit.

    Leaderboards, own ranks and prize lists read this table only.
    """

    __tablename__ = "quiz_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("quiz_rounds.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    best_attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id"))
    attempts_count: Mapped[int] = mapped_column(Integer, default=1)
    score: Mapped[float] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float)
    time_ms: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    prediction: Mapped[int | None] = mapped_column(Integer)
    perfect: Mapped[bool] = mapped_column(Boolean, default=False)
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    exclusion_reason: Mapped[str] = mapped_column(String(500), default="")
    # Filled when the round is finalised: competition rank ("1, 2, 2, 4"), tie flag and prize.
    final_rank: Mapped[int | None] = mapped_column(Integer)
    tied: Mapped[bool] = mapped_column(Boolean, default=False)
    prize: Mapped[str | None] = mapped_column(String(20))

    __table_args__ = (
        UniqueConstraint("round_id", "user_id"),
        # The live leaderboard order; also serves "how many are ahead of me".
        Index("ix_quiz_results_live", "round_id", db.desc("score"), "time_ms", "submitted_at",
              "user_id"),
        Index("ix_quiz_results_final", "round_id", "final_rank"),
        Index("ix_quiz_results_unit", "round_id", "unit_id"),
    )


class QuestionExposure(db.Model):
    """A question whose correct answer a round made public (its review opened).

    Written when the round is ranked, which is also when its keys are shown
    (:mod:`contest.quiz.disclosure`). Later rounds draw only unexposed questions unless their
    organizer allows exposed ones.
    """

    __tablename__ = "quiz_question_exposures"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_questions.id", ondelete="CASCADE"), index=True
    )
    round_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_rounds.id", ondelete="CASCADE"), index=True
    )
    exposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timestamp)

    __table_args__ = (UniqueConstraint("question_id", "round_id"),)
