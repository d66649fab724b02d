"""Tables of the writing contests: contests, categories by medium, entries, files, jury.

An entry keeps its author's identity apart from what judges see: the anonymised code
(``anon_code``, e.g. "BC-017") names it in blind judging, and files keep a second, cleaned copy
whose metadata no longer names the author.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.dbtypes import UTCDateTime
from contest.extensions import db
from contest.timeutil import utcnow


class ContestStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"  # accepting entries inside the submission window
    CLOSED = "closed"
    JUDGING = "judging"
    PUBLISHED = "published"


class Medium(enum.StrEnum):
    PRINT = "print"
    ONLINE = "online"
    RADIO = "radio"
    TV = "tv"
    PHOTO = "photo"
    OTHER = "other"


class EntryStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    DISQUALIFIED = "disqualified"


class WritingContest(db.Model):
    __tablename__ = "writing_contests"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    rules: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default=ContestStatus.DRAFT, index=True)
    submission_opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submission_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Entries must have been published inside this window (inclusive dates, Vietnam calendar).
    publication_from: Mapped[date] = mapped_column(Date)
    publication_to: Mapped[date] = mapped_column(Date)
    max_entries_per_author: Mapped[int] = mapped_column(Integer, default=3)
    blind: Mapped[bool] = mapped_column(Boolean, default=True)
    jury_may_enter: Mapped[bool] = mapped_column(Boolean, default=False)
    # Whether a work that already won another award may enter (it must then say which).
    allow_prior_awards: Mapped[bool] = mapped_column(Boolean, default=True)
    # Prefix of the anonymised entry codes, e.g. "BC" gives BC-001, BC-002, ...
    code_prefix: Mapped[str] = mapped_column(String(8), default="BC")
    # Readers' choice: verified accounts vote once per category inside this window.
    readers_vote: Mapped[bool] = mapped_column(Boolean, default=False)
    vote_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    vote_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What each prize level wins in every category, as the organizers word it (set on the
    # campaign console): {"A": "10.000.000 đồng và Giấy chứng nhận", "KK": "..."}.
    prize_rewards: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    categories: Mapped[list[Category]] = relationship(
        back_populates="contest", order_by="Category.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("submission_closes_at > submission_opens_at", name="window_order"),
        CheckConstraint("publication_to >= publication_from", name="publication_order"),
        CheckConstraint("max_entries_per_author >= 1", name="cap_positive"),
    )


class Category(db.Model):
    """A category of a contest, by medium, with its own requirements."""

    __tablename__ = "writing_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(
        ForeignKey("writing_contests.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    medium: Mapped[str] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(Text, default="")
    min_words: Mapped[int | None] = mapped_column(Integer)
    max_words: Mapped[int | None] = mapped_column(Integer)
    series_allowed: Mapped[bool] = mapped_column(Boolean, default=True)
    max_series_parts: Mapped[int] = mapped_column(Integer, default=5)
    # File kinds accepted, e.g. ["pdf", "docx"]; see contest.writing.files for the names.
    accepted_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    max_file_mb: Mapped[int] = mapped_column(Integer, default=20)
    max_files: Mapped[int] = mapped_column(Integer, default=5)
    file_required: Mapped[bool] = mapped_column(Boolean, default=False)
    link_required: Mapped[bool] = mapped_column(Boolean, default=False)

    contest: Mapped[WritingContest] = relationship(back_populates="categories")

    __table_args__ = (
        CheckConstraint("max_series_parts >= 1", name="parts_positive"),
        CheckConstraint("max_file_mb >= 1", name="file_mb_positive"),
    )


class ContestJuror(db.Model):
    """A member of a contest's jury; jury members may not enter unless the contest allows it."""

    __tablename__ = "writing_jurors"

    contest_id: Mapped[int] = mapped_column(
        ForeignKey("writing_contests.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Entry(db.Model):
    __tablename__ = "writing_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("writing_contests.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("writing_categories.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=EntryStatus.DRAFT, index=True)
    title: Mapped[str] = mapped_column(String(300))
    outlet: Mapped[str] = mapped_column(String(200), default="")
    published_on: Mapped[date | None] = mapped_column(Date)
    url: Mapped[str] = mapped_column(String(1000), default="")
    pen_name: Mapped[str] = mapped_column(String(120), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    # The text as the author wrote it ("markdown" or "html") and its sanitised HTML rendering.
    body_format: Mapped[str] = mapped_column(String(10), default="markdown")
    body_source: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    # Words of the typed text, else the sum of the words of its PDF and DOCX files; None when
    # unknown. ``word_source`` says where the count came from: "text", "files", "unknown" (a
    # document's text could not be read, e.g. a scan; ``word_uncounted`` names those files) or
    # "" (nothing to count). See contest.writing.words.
    word_count: Mapped[int | None] = mapped_column(Integer)
    word_source: Mapped[str] = mapped_column(String(10), default="")
    word_uncounted: Mapped[str] = mapped_column(String(300), default="")
    # An organizer's count, with the reason, which the word range check uses instead.
    word_override: Mapped[int | None] = mapped_column(Integer)
    word_override_reason: Mapped[str] = mapped_column(String(500), default="")
    word_override_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    word_override_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_series: Mapped[bool] = mapped_column(Boolean, default=False)
    # Empty when the work has won no other award; otherwise which award.
    prior_award: Mapped[str] = mapped_column(String(500), default="")
    receipt_code: Mapped[str | None] = mapped_column(String(20), unique=True)
    anon_code: Mapped[str | None] = mapped_column(String(20))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disqualified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disqualified_reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    contest: Mapped[WritingContest] = relationship()
    category: Mapped[Category] = relationship()
    coauthors: Mapped[list[Coauthor]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="Coauthor.id"
    )
    parts: Mapped[list[SeriesPart]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="SeriesPart.position"
    )
    files: Mapped[list[EntryFile]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="EntryFile.id"
    )

    __table_args__ = (UniqueConstraint("contest_id", "anon_code"),)

    @property
    def rule_word_count(self) -> int | None:
        """The count the category's word range is checked against: an organizer's override,
        else the counted words (None: unknown)."""
        return self.word_override if self.word_override is not None else self.word_count


class Coauthor(db.Model):
    __tablename__ = "writing_coauthors"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("writing_entries.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), index=True)
    # Linked when an account with that e-mail exists or is created later.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    entry: Mapped[Entry] = relationship(back_populates="coauthors")


class SeriesPart(db.Model):
    __tablename__ = "writing_series_parts"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("writing_entries.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    published_on: Mapped[date] = mapped_column(Date)
    url: Mapped[str] = mapped_column(String(1000), default="")

    entry: Mapped[Entry] = relationship(back_populates="parts")


class EntryFile(db.Model):
    """An uploaded file, stored outside static/ under a random name.

    ``clean_name`` is the copy judges download, with author metadata removed; when that could not
    be done completely ``clean_warning`` says why and organizers are shown it. Such a file is
    held back from judges until an organizer confirms it was checked (``checked_at``,
    ``checked_by_id``; see contest.writing.held).
    """

    __tablename__ = "writing_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("writing_entries.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(8))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    clean_name: Mapped[str | None] = mapped_column(String(80))
    clean_warning: Mapped[str] = mapped_column(String(500), default="")
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # Words of a PDF or DOCX, read once when it is stored; ``words_read`` false: not read yet
    # (files stored before counts were kept). Read but None: the file has no text to count.
    word_count: Mapped[int | None] = mapped_column(Integer)
    words_read: Mapped[bool] = mapped_column(Boolean, default=False)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry: Mapped[Entry] = relationship(back_populates="files")
