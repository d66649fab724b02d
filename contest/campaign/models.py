"""Tables of the campaign site: its settings (one row), news posts, materials and the items an
organizer features on the home page.

Uploaded files (logo, news pictures, materials, thumbnails) live outside ``static/`` under
``UPLOAD_ROOT/campaign/`` with random names; the rows keep the names and what the page needs to
show before a download (size, format, picture dimensions).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
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

SETTINGS_ID = 1


class SiteSettings(db.Model):
    """Who runs the campaign and on what basis; one row (``id`` 1). Text shown to readers has a
    Vietnamese and an English version; the English one falls back to the Vietnamese."""

    __tablename__ = "campaign_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_name_vi: Mapped[str] = mapped_column(String(200), default="")
    org_name_en: Mapped[str] = mapped_column(String(200), default="")
    title_vi: Mapped[str] = mapped_column(String(200), default="")
    title_en: Mapped[str] = mapped_column(String(200), default="")
    intro_vi: Mapped[str] = mapped_column(Text, default="")
    intro_en: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    hotline: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    legal_basis_vi: Mapped[str] = mapped_column(Text, default="")
    legal_basis_en: Mapped[str] = mapped_column(Text, default="")
    # One member a line, e.g. "Nguyễn Văn A — Phó Chủ tịch UBND tỉnh, Trưởng ban".
    board_members: Mapped[str] = mapped_column(Text, default="")
    controller_vi: Mapped[str] = mapped_column(Text, default="")
    controller_en: Mapped[str] = mapped_column(Text, default="")
    controller_contact: Mapped[str] = mapped_column(String(254), default="")
    footer_vi: Mapped[str] = mapped_column(Text, default="")
    footer_en: Mapped[str] = mapped_column(Text, default="")
    period_from: Mapped[date | None] = mapped_column(Date)
    period_to: Mapped[date | None] = mapped_column(Date)
    logo_name: Mapped[str | None] = mapped_column(String(80))
    logo_width: Mapped[int | None] = mapped_column(Integer)
    logo_height: Mapped[int | None] = mapped_column(Integer)
    # The demo's made-up committee says so on every page.
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class NewsKind(enum.StrEnum):
    NEWS = "news"
    ANNOUNCEMENT = "announcement"
    GUIDANCE = "guidance"


class NewsStatus(enum.StrEnum):
    DRAFT = "draft"
    # Published by itself at ``publish_at``; shown from then on like a published post.
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    UNPUBLISHED = "unpublished"


class NewsPost(db.Model):
    __tablename__ = "campaign_news"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Vietnamese without diacritics, e.g. "phat-dong-cuoc-thi-tim-hieu".
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default=NewsKind.NEWS)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(300), default="")
    body_source: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    image_name: Mapped[str | None] = mapped_column(String(80))
    image_width: Mapped[int | None] = mapped_column(Integer)
    image_height: Mapped[int | None] = mapped_column(Integer)
    image_alt: Mapped[str] = mapped_column(String(200), default="")
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12), default=NewsStatus.DRAFT, index=True)
    publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class MaterialCategory(enum.StrEnum):
    LEAFLET = "leaflet"
    POSTER = "poster"
    INFOGRAPHIC = "infographic"
    LEGAL = "legal"
    SLIDES = "slides"
    AUDIO = "audio"
    VIDEO = "video"


class Audience(enum.StrEnum):
    PUBLIC = "public"
    OFFICIALS = "officials"
    SCHOOLS = "schools"
    MINORITY = "minority"  # in ethnic-minority languages


class Material(db.Model):
    """A leaflet, poster, legal text, slide deck or clip: an uploaded file or a link."""

    __tablename__ = "campaign_materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(16), index=True)
    audience: Mapped[str] = mapped_column(String(16), default=Audience.PUBLIC, index=True)
    # An uploaded file (kind as contest.writing.files names it) or else a link.
    kind: Mapped[str | None] = mapped_column(String(8))
    stored_name: Mapped[str | None] = mapped_column(String(80), unique=True)
    original_name: Mapped[str] = mapped_column(String(255), default="")
    size: Mapped[int | None] = mapped_column(Integer)
    link_url: Mapped[str] = mapped_column(String(1000), default="")
    thumb_name: Mapped[str | None] = mapped_column(String(80))
    thumb_width: Mapped[int | None] = mapped_column(Integer)
    thumb_height: Mapped[int | None] = mapped_column(Integer)
    download_count: Mapped[int] = mapped_column(Integer, default=0)
    position: Mapped[int] = mapped_column(Integer, default=0, index=True)
    published: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        CheckConstraint("(stored_name IS NOT NULL) OR (link_url <> '')", name="file_or_link"),
        CheckConstraint("download_count >= 0", name="downloads_positive"),
    )

    @property
    def is_link(self) -> bool:
        return self.stored_name is None


class FeaturedItem(db.Model):
    """A news post or material an organizer puts on the home page, in ``position`` order."""

    __tablename__ = "campaign_featured"

    id: Mapped[int] = mapped_column(primary_key=True)
    news_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaign_news.id", ondelete="CASCADE"), unique=True)
    material_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaign_materials.id", ondelete="CASCADE"), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    news: Mapped[NewsPost | None] = relationship()
    material: Mapped[Material | None] = relationship()

    __table_args__ = (
        CheckConstraint("(news_id IS NULL) <> (material_id IS NULL)", name="one_item"),
    )


class ResultShare(db.Model):
    """An entrant's choice to show their own published quiz result on a public page (masked
    name, score, rank) with a share image; nothing is shared until they press the button, and
    they can take it back."""

    __tablename__ = "campaign_result_shares"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("quiz_rounds.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("user_id", "round_id"),)


class JuryComment(db.Model):
    """The jury's public comment on a prize-winning entry, written by an organizer and shown
    with the work on the showcase once the contest's results are published. The Markdown as
    typed is kept next to its sanitised HTML."""

    __tablename__ = "campaign_jury_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("writing_entries.id", ondelete="CASCADE"), unique=True)
    source: Mapped[str] = mapped_column(Text, default="")
    html: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
