"""What the writing contests hold about one person, for their own-data download."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from contest.extensions import db
from contest.writing.models import Coauthor, Entry


def export_for(user: Any) -> dict[str, Any]:
    """The entries ``user`` wrote or co-wrote, without judges' private notes."""
    entries = db.session.execute(
        select(Entry)
        .outerjoin(Coauthor, Coauthor.entry_id == Entry.id)
        .where(or_(Entry.author_id == user.id, Coauthor.user_id == user.id))
        .order_by(Entry.id)
        .distinct()
    ).scalars()
    return {
        "writing_entries": [
            {
                "contest": e.contest.title,
                "category": e.category.name,
                "role": "author" if e.author_id == user.id else "co-author",
                "title": e.title,
                "outlet": e.outlet,
                "published_on": e.published_on.isoformat() if e.published_on else None,
                "url": e.url,
                "pen_name": e.pen_name,
                "status": e.status,
                "receipt_code": e.receipt_code if e.author_id == user.id else None,
                "submitted_at": e.submitted_at.isoformat() if e.submitted_at else None,
                "disqualified_reason": e.disqualified_reason,
                "coauthors": [{"name": c.name, "email": c.email} for c in e.coauthors],
            }
            for e in entries
        ]
    }
