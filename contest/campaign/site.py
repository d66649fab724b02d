"""The campaign's settings (who runs it, on what basis, how to reach them) and the items an
organizer features on the home page; every change is recorded in the audit trail."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from contest import audit
from contest.campaign import pictures
from contest.campaign.models import SETTINGS_ID, FeaturedItem, Material, NewsPost, SiteSettings
from contest.extensions import db
from contest.problems import Problem, Refused

SUBJECT = "campaign_settings"
SHORT_MAX = 200
TEXT_MAX = 4000
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def settings() -> SiteSettings:
    """The settings row (an empty one, not stored, before an organizer saves any)."""
    row = db.session.get(SiteSettings, SETTINGS_ID)
    return row if row is not None else empty_settings()


# Every page's header and footer show the settings, which change a few times in a campaign:
# each process keeps a copy for CAMPAIGN_SETTINGS_CACHE_SECONDS. A change written through this
# process (any flush of the row) is shown at once; other processes show it within that time.
_generation = [0]


@event.listens_for(Session, "after_flush")
def _forget_cached(session: Session, context) -> None:  # noqa: ANN001, ARG001
    if any(isinstance(obj, SiteSettings)
           for obj in (*session.new, *session.dirty, *session.deleted)):
        _generation[0] += 1


def cached_settings() -> SiteSettings:
    """The settings as :func:`settings` reads them, from this process's short-lived copy: a
    detached object, not in the session, for reading only."""
    store = current_app.extensions.setdefault("campaign.settings", {})
    now = time.monotonic()
    entry = store.get("entry")
    if entry is not None and entry[0] == _generation[0] and entry[1] > now:
        return entry[2]
    generation = _generation[0]
    row = settings()
    copy = SiteSettings(**{attr.key: getattr(row, attr.key)
                           for attr in SiteSettings.__mapper__.column_attrs})
    ttl = float(current_app.config.get("CAMPAIGN_SETTINGS_CACHE_SECONDS", 30))
    store["entry"] = (generation, now + ttl, copy)
    return copy


def empty_settings() -> SiteSettings:
    """Settings with nothing filled in (not added to the session)."""
    return SiteSettings(
        id=SETTINGS_ID, org_name_vi="", org_name_en="", title_vi="", title_en="", intro_vi="",
        intro_en="", address="", hotline="", email="", legal_basis_vi="", legal_basis_en="",
        board_members="", controller_vi="", controller_en="", controller_contact="",
        footer_vi="", footer_en="", is_sample=False)


def shown(row: SiteSettings, name: str, locale: str) -> str:
    """A text setting in the reader's language; English falls back to the Vietnamese."""
    value = getattr(row, f"{name}_{locale}", "") or ""
    return value or getattr(row, f"{name}_vi", "") or ""


@dataclass
class SettingsInput:
    org_name_vi: str = ""
    org_name_en: str = ""
    title_vi: str = ""
    title_en: str = ""
    intro_vi: str = ""
    intro_en: str = ""
    address: str = ""
    hotline: str = ""
    email: str = ""
    legal_basis_vi: str = ""
    legal_basis_en: str = ""
    board_members: str = ""
    controller_vi: str = ""
    controller_en: str = ""
    controller_contact: str = ""
    footer_vi: str = ""
    footer_en: str = ""
    period_from: date | None = None
    period_to: date | None = None


_SHORT = {"org_name_vi": 200, "org_name_en": 200, "title_vi": 200, "title_en": 200,
          "address": 300, "hotline": 40, "email": 254, "controller_contact": 254}


def save_settings(data: SettingsInput, logo: BinaryIO | None, *, actor_id: int | None,
                  folder: Path) -> SiteSettings:
    """Check every field, then store the logo (PNG, JPEG or WebP, resized) and the settings."""
    problems = []
    for item in fields(SettingsInput):
        value = getattr(data, item.name)
        if isinstance(value, str):
            limit = _SHORT.get(item.name, TEXT_MAX)
            if len(value.strip()) > limit:
                problems.append(Problem("too_long", item.name, {"max": limit}))
    if data.email.strip() and not _EMAIL.match(data.email.strip()):
        problems.append(Problem("bad_email", "email"))
    if data.period_from and data.period_to and data.period_to < data.period_from:
        problems.append(Problem("period_order", "period_to"))
    if not data.org_name_vi.strip():
        problems.append(Problem("title_missing", "org_name_vi"))
    if problems:
        raise Refused(*problems)
    stored = pictures.store_logo(pictures.read_picture(logo, "logo"), folder) if logo else None
    row = db.session.get(SiteSettings, SETTINGS_ID)
    if row is None:
        row = SiteSettings(id=SETTINGS_ID)
        db.session.add(row)
    changed = []
    for item in fields(SettingsInput):
        value = getattr(data, item.name)
        value = value.strip() if isinstance(value, str) else value
        if getattr(row, item.name, None) != value:
            changed.append(item.name)
        setattr(row, item.name, value)
    if stored is not None:
        row.logo_name, row.logo_width, row.logo_height = stored.name, stored.width, stored.height
        changed.append("logo")
    # A committee that saves its own settings is no longer the demo's sample.
    row.is_sample = False
    db.session.flush()
    audit.record(actor_id, "campaign.settings_changed", SUBJECT, SETTINGS_ID, fields=changed)
    return row


# --- featured items -----------------------------------------------------------------------


def featured() -> list[FeaturedItem]:
    return list(db.session.execute(
        select(FeaturedItem).order_by(FeaturedItem.position, FeaturedItem.id)).scalars())


def feature(*, news: NewsPost | None = None, material: Material | None = None,
            actor_id: int | None) -> FeaturedItem:
    """Put a published news post or material on the home page, after those already there."""
    if news is not None:
        exists = select(FeaturedItem.id).where(FeaturedItem.news_id == news.id)
        public = news.status in ("published", "scheduled")
    else:
        assert material is not None
        exists = select(FeaturedItem.id).where(FeaturedItem.material_id == material.id)
        public = material.published
    if db.session.execute(exists).scalar() is not None:
        raise Refused(Problem("already_featured"))
    if not public:
        raise Refused(Problem("not_public"))
    last = db.session.execute(select(func.max(FeaturedItem.position))).scalar()
    item = FeaturedItem(news_id=news.id if news else None,
                        material_id=material.id if material else None,
                        position=(last or 0) + 1)
    db.session.add(item)
    db.session.flush()
    audit.record(actor_id, "campaign.featured", "campaign_featured", item.id,
                 news_id=item.news_id, material_id=item.material_id)
    return item


def unfeature(item: FeaturedItem, *, actor_id: int | None) -> None:
    audit.record(actor_id, "campaign.unfeatured", "campaign_featured", item.id,
                 news_id=item.news_id, material_id=item.material_id)
    db.session.delete(item)
    db.session.flush()
