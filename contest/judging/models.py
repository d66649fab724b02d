"""Tables of judging: rubrics, judging rounds, judges and conflicts, assignments, score sheets,
aggregated results and the readers' vote.

Score sheets are the source of truth; ``judging_results`` is derived when a round is aggregated
and is kept so that published results do not move if someone later edits a rubric template.
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
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest import timeutil
from contest.dbtypes import UTCDateTime
from contest.extensions import db


def _now() -> datetime:
    # Looked up at each call, so that a test clock that moves timeutil.utcnow moves it too.
    return timeutil.utcnow()


class JudgingRoundStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"  # judges score
    CLOSED = "closed"  # scores frozen, results computed and reviewed
    PUBLISHED = "published"


class SheetStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class Rubric(db.Model):
    __tablename__ = "judging_rubrics"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # Totals are reported on this scale (e.g. 10 or 100).
    scale: Mapped[float] = mapped_column(Float, default=10.0)
    is_template: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)

    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="rubric", order_by="Criterion.position", cascade="all, delete-orphan"
    )

    __table_args__ = (CheckConstraint("scale > 0", name="scale_positive"),)


class Criterion(db.Model):
    __tablename__ = "judging_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(
        ForeignKey("judging_rubrics.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    max_points: Mapped[float] = mapped_column(Float)
    # What some point values mean: [{"points": 1, "text": "..."}, {"points": 5, "text": "..."}]
    levels: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    rubric: Mapped[Rubric] = relationship(back_populates="criteria")

    __table_args__ = (
        CheckConstraint("weight > 0", name="weight_positive"),
        CheckConstraint("max_points > 0", name="max_points_positive"),
    )


class JudgingRound(db.Model):
    """A round of judging of one writing contest: preliminary (sơ khảo), final (chung khảo)..."""

    __tablename__ = "judging_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("writing_contests.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=1)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("judging_rubrics.id"))
    status: Mapped[str] = mapped_column(String(12), default=JudgingRoundStatus.DRAFT)
    judges_per_entry: Mapped[int] = mapped_column(Integer, default=3)
    # "none": one panel; "category" or "medium": a sub-panel per category or per medium.
    panels_by: Mapped[str] = mapped_column(String(10), default="none")
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    judges_see_others: Mapped[bool] = mapped_column(Boolean, default=False)
    # "mean", "trimmed" or "zscore" (see contest.judging.aggregate).
    aggregation: Mapped[str] = mapped_column(String(10), default="mean")
    disagreement_threshold: Mapped[float] = mapped_column(Float, default=3.0)
    # How entries advance to the next round: "top_n" per category or "threshold".
    advancement: Mapped[str] = mapped_column(String(10), default="top_n")
    advancement_value: Mapped[float] = mapped_column(Float, default=5)
    # Prizes per category for a final round: {"A": 1, "B": 1, "C": 2, "KK": 2}; a tier may be 0.
    prize_counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    # Places the organizers added to a tier of one category to settle a tie, with the reason
    # (published with the results): {"<category id>": {"A": {"places": 1, "reason": "..."}}}.
    extra_places: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    aggregated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)

    rubric: Mapped[Rubric] = relationship()

    __table_args__ = (
        CheckConstraint("judges_per_entry >= 1", name="k_positive"),
        UniqueConstraint("contest_id", "position"),
    )


class RoundEntry(db.Model):
    """An entry taking part in a judging round (all eligible entries, or a confirmed shortlist)."""

    __tablename__ = "judging_round_entries"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("judging_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    entry_id: Mapped[int] = mapped_column(ForeignKey("writing_entries.id"), primary_key=True)
    panel: Mapped[str] = mapped_column(String(40), default="")


class RoundJudge(db.Model):
    __tablename__ = "judging_round_judges"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("judging_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    # The sub-panel the judge sits on; empty when the round has one panel.
    panel: Mapped[str] = mapped_column(String(40), default="")
    max_load: Mapped[int | None] = mapped_column(Integer)


class Invitation(db.Model):
    """An invitation by e-mail to judge a contest; accepting it grants the judge role."""

    __tablename__ = "judging_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("writing_contests.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ConflictStatus(enum.StrEnum):
    PENDING = "pending"  # declared by the judge; nothing changes until an organizer decides
    CONFIRMED = "confirmed"  # in force: no assignment, no access
    DISMISSED = "dismissed"  # an organizer decided it does not stand


class Conflict(db.Model):
    """A conflict of interest declared by a judge: with an entry, an author or an outlet.

    Only a confirmed declaration is in force. A judge's own declaration waits for an organizer
    (``status`` pending), so that declaring a name cannot tell a judge whose entries they hold;
    ``decided_by_id``, ``decided_at`` and ``decision_note`` say who decided and why.
    """

    __tablename__ = "judging_conflicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("writing_contests.id"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("writing_entries.id"))
    author_name: Mapped[str] = mapped_column(String(120), default="")
    outlet: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(String(500))
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    status: Mapped[str] = mapped_column(String(10), default=ConflictStatus.CONFIRMED, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(String(500), default="")


class Assignment(db.Model):
    __tablename__ = "judging_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("judging_rounds.id", ondelete="CASCADE"), index=True
    )
    entry_id: Mapped[int] = mapped_column(ForeignKey("writing_entries.id"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # "auto", "manual" or "tiebreak"
    source: Mapped[str] = mapped_column(String(10), default="auto")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)

    sheet: Mapped[ScoreSheet | None] = relationship(
        back_populates="assignment", uselist=False, cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("round_id", "entry_id", "judge_id"),)


class ScoreSheet(db.Model):
    __tablename__ = "judging_sheets"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("judging_assignments.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(String(10), default=SheetStatus.DRAFT)
    # {criterion id (text): points}
    points: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    total: Mapped[float | None] = mapped_column(Float)
    private_comment: Mapped[str] = mapped_column(Text, default="")
    entrant_comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now, onupdate=_now)

    assignment: Mapped[Assignment] = relationship(back_populates="sheet")


class EntryResult(db.Model):
    """An entry's aggregated score, rank and prize in a judging round."""

    __tablename__ = "judging_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("judging_rounds.id", ondelete="CASCADE"), index=True
    )
    entry_id: Mapped[int] = mapped_column(ForeignKey("writing_entries.id"))
    score: Mapped[float | None] = mapped_column(Float)
    n_judges: Mapped[int] = mapped_column(Integer, default=0)
    low: Mapped[float | None] = mapped_column(Float)
    high: Mapped[float | None] = mapped_column(Float)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    rank: Mapped[int | None] = mapped_column(Integer)
    tied: Mapped[bool] = mapped_column(Boolean, default=False)
    # "A", "B", "C" or "KK" (Khuyến khích); None for no prize.
    prize: Mapped[str | None] = mapped_column(String(4))
    advanced: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(String(500), default="")

    __table_args__ = (UniqueConstraint("round_id", "entry_id"),)


class ReaderVote(db.Model):
    """One verified account's vote for an entry in a category (readers' choice)."""

    __tablename__ = "judging_reader_votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("writing_contests.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("writing_categories.id"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("writing_entries.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)

    __table_args__ = (UniqueConstraint("contest_id", "category_id", "user_id"),)
