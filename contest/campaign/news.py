"""News posts: writing, scheduling, publishing and unpublishing, with the audit trail.

A post is shown to the public when its status is *published* or *scheduled* and its
``publish_at`` has come (the server clock decides; nothing needs to run at that moment). The
body is Markdown, rendered and sanitised by :func:`contest.writing.text.render_markdown` (the
same nh3 allow-list as entries). Web addresses are Vietnamese without diacritics, made with
python-slugify ("Đại hội" → "dai-hoi"), and unique: a clash is refused with a suggestion.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from slugify import slugify
from sqlalchemy import Select, or_, select

from contest import audit
from contest.campaign import pictures
from contest.campaign.models import NewsKind, NewsPost, NewsStatus
from contest.extensions import db
from contest.problems import Problem, Refused
from contest.writing.text import render_markdown

TITLE_MAX = 200
SUMMARY_MAX = 300
SLUG_MAX = 100
ALT_MAX = 200
BODY_MAX = 100_000
SUBJECT = "campaign_news"


@dataclass
class PostInput:
    title: str
    kind: str
    status: str
    summary: str = ""
    body: str = ""
    slug: str = ""
    pinned: bool = False
    publish_at: datetime | None = None
    image_alt: str = ""


def make_slug(text: str) -> str:
    """``text`` as a web address: lower case ASCII words joined by hyphens, no diacritics."""
    return slugify(text or "", max_length=SLUG_MAX, word_boundary=True)


def _slug_owner(slug: str) -> int | None:
    return db.session.execute(select(NewsPost.id).where(NewsPost.slug == slug)).scalar()


def _free_slug(base: str) -> str:
    n = 2
    while _slug_owner(f"{base}-{n}") is not None:
        n += 1
    return f"{base}-{n}"


def visible(now: datetime) -> Select[Any]:
    """Posts the public may see at ``now``, pinned first, newest first."""
    return (select(NewsPost)
            .where(NewsPost.status.in_((NewsStatus.PUBLISHED, NewsStatus.SCHEDULED)),
                   NewsPost.publish_at.is_not(None), NewsPost.publish_at <= now)
            .order_by(NewsPost.pinned.desc(), NewsPost.publish_at.desc(), NewsPost.id.desc()))


def is_visible(post: NewsPost, now: datetime) -> bool:
    return (post.status in (NewsStatus.PUBLISHED, NewsStatus.SCHEDULED)
            and post.publish_at is not None and post.publish_at <= now)


def public_post(slug: str, now: datetime) -> NewsPost | None:
    return db.session.execute(visible(now).where(NewsPost.slug == slug)).scalar_one_or_none()


def _check(post: NewsPost | None, data: PostInput, now: datetime) -> tuple[str, list[Problem]]:
    problems = []
    title = data.title.strip()
    if not title:
        problems.append(Problem("title_missing", "title"))
    elif len(title) > TITLE_MAX:
        problems.append(Problem("too_long", "title", {"max": TITLE_MAX}))
    if len(data.summary.strip()) > SUMMARY_MAX:
        problems.append(Problem("too_long", "summary", {"max": SUMMARY_MAX}))
    if len(data.body) > BODY_MAX:
        problems.append(Problem("too_long", "body", {"max": BODY_MAX}))
    if len(data.image_alt.strip()) > ALT_MAX:
        problems.append(Problem("too_long", "image_alt", {"max": ALT_MAX}))
    if data.kind not in set(NewsKind):
        problems.append(Problem("unknown_choice", "kind"))
    if data.status not in set(NewsStatus):
        problems.append(Problem("unknown_choice", "status"))
    if data.status == NewsStatus.SCHEDULED:
        if data.publish_at is None:
            problems.append(Problem("schedule_missing", "publish_at"))
        elif data.publish_at <= now and not (post is not None and post.publish_at == data.publish_at
                                             and post.status == NewsStatus.SCHEDULED):
            problems.append(Problem("schedule_past", "publish_at", {"when": data.publish_at}))
    slug = make_slug(data.slug.strip() or title)
    if not slug:
        problems.append(Problem("slug_empty", "slug"))
    else:
        owner = _slug_owner(slug)
        if owner is not None and (post is None or owner != post.id):
            problems.append(Problem("slug_taken", "slug",
                                    {"slug": slug, "suggestion": _free_slug(slug)}))
    return slug, problems


def save_post(post: NewsPost | None, data: PostInput, picture: BinaryIO | None, *,
              actor_id: int | None, now: datetime, folder: Path) -> NewsPost:
    """Create (``post`` None) or change a post. Every field is checked before anything is
    written; a refused picture leaves the post as it was. Adds and flushes; the caller commits
    (and on a refusal rolls back)."""
    slug, problems = _check(post, data, now)
    if problems:
        raise Refused(*problems)
    stored = None
    if picture is not None:
        stored = pictures.store_resized(pictures.read_picture(picture, "image"), folder)
    creating = post is None
    if post is None:
        post = NewsPost(author_id=actor_id)
        db.session.add(post)
    old_status = post.status
    post.title = data.title.strip()
    post.slug = slug
    post.kind = data.kind
    post.summary = data.summary.strip()
    post.body_source = data.body
    post.body_html = render_markdown(data.body)
    post.pinned = data.pinned
    post.image_alt = data.image_alt.strip()
    if stored is not None:
        post.image_name, post.image_width, post.image_height = (stored.name, stored.width,
                                                                stored.height)
    _apply_status(post, data.status, data.publish_at, now)
    # A replaced picture's files stay on disk: deleting them before the commit could leave a
    # rolled-back post pointing at nothing.
    db.session.flush()
    audit.record(actor_id, "campaign.news_created" if creating else "campaign.news_changed",
                 SUBJECT, post.id, slug=post.slug, status=post.status,
                 previous_status=None if creating else old_status)
    return post


def _apply_status(post: NewsPost, status: str, publish_at: datetime | None,
                  now: datetime) -> None:
    if status == NewsStatus.SCHEDULED:
        post.publish_at = publish_at
    elif status == NewsStatus.PUBLISHED:
        # A post keeps the date it first appeared; publishing now dates it now.
        if post.publish_at is None or post.status not in (NewsStatus.PUBLISHED,
                                                          NewsStatus.SCHEDULED) \
                or post.publish_at > now:
            post.publish_at = publish_at if publish_at is not None and publish_at <= now else now
    post.status = status


def set_status(post: NewsPost, status: str, *, actor_id: int | None, now: datetime) -> NewsPost:
    """Publish now or unpublish (a button in the console); recorded in the audit trail."""
    if status not in (NewsStatus.PUBLISHED, NewsStatus.UNPUBLISHED):
        raise Refused(Problem("unknown_choice"))
    old = post.status
    _apply_status(post, status, None, now)
    audit.record(actor_id, "campaign.news_status", SUBJECT, post.id, status=status,
                 previous_status=old)
    return post


def preview_html(body: str) -> str:
    """The body as readers will see it (sanitised), for the editor's preview."""
    return render_markdown(body[:BODY_MAX])


def search(query: str = "") -> Select[Any]:
    stmt = select(NewsPost).order_by(NewsPost.created_at.desc(), NewsPost.id.desc())
    if query:
        like = f"%{query}%"
        stmt = stmt.where(or_(NewsPost.title.ilike(like), NewsPost.slug.ilike(like)))
    return stmt
