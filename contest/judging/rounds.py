"""What a judging round holds, read from the database: the contest's rounds in order, the
entries judged in a round and their sub-panels, its assignments, sheets and stored results, and
its audit trail. Also the one way an assignment is dropped (its sheet kept in the audit log).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from contest import audit
from contest.accounts.models import User
from contest.audit import AuditEvent
from contest.extensions import db
from contest.judging.common import CHANGEABLE, CONTEST_SUBJECT, MAX_REASON, ROUND_SUBJECT
from contest.judging.models import (
    Assignment,
    Criterion,
    EntryResult,
    JudgingRound,
    RoundEntry,
    ScoreSheet,
)
from contest.writing.models import Category, Entry, EntryStatus, WritingContest


def contest_rounds(contest: WritingContest) -> list[JudgingRound]:
    return list(db.session.execute(
        select(JudgingRound).where(JudgingRound.contest_id == contest.id)
        .order_by(JudgingRound.position)
    ).scalars())


def previous_round(rnd: JudgingRound) -> JudgingRound | None:
    return db.session.execute(
        select(JudgingRound).where(JudgingRound.contest_id == rnd.contest_id,
                                   JudgingRound.position < rnd.position)
        .order_by(JudgingRound.position.desc()).limit(1)
    ).scalar_one_or_none()


def next_round(rnd: JudgingRound) -> JudgingRound | None:
    return db.session.execute(
        select(JudgingRound).where(JudgingRound.contest_id == rnd.contest_id,
                                   JudgingRound.position > rnd.position)
        .order_by(JudgingRound.position).limit(1)
    ).scalar_one_or_none()


def awards_prizes(rnd: JudgingRound) -> bool:
    """A round that gives prizes (a final round): some tier has a count."""
    return any(int(n or 0) > 0 for n in (rnd.prize_counts or {}).values())


def panel_of(rnd: JudgingRound, entry: Entry) -> str:
    """The sub-panel an entry is judged in: its category id, its medium, or "" (one panel)."""
    if rnd.panels_by == "category":
        return str(entry.category_id)
    if rnd.panels_by == "medium":
        return entry.category.medium
    return ""


def panels(rnd: JudgingRound) -> list[tuple[str, Category | None]]:
    """The round's sub-panels as (key, a category naming it); [("", None)] for one panel."""
    contest = db.session.get(WritingContest, rnd.contest_id)
    if rnd.panels_by == "category":
        return [(str(c.id), c) for c in contest.categories]
    if rnd.panels_by == "medium":
        seen: dict[str, Category] = {}
        for c in contest.categories:
            seen.setdefault(c.medium, c)
        return list(seen.items())
    return [("", None)]


def entry_order() -> tuple[Any, ...]:
    # Entries are served in the order they were received (see contest.judging.assign).
    return (Entry.submitted_at, Entry.id)


def round_entries(rnd: JudgingRound) -> list[Entry]:
    """The entries judged in the round: for the first round, while it can still change, every
    submitted entry of the contest; otherwise those recorded for it (for a later round, the
    confirmed shortlist of the one before). Withdrawn or disqualified entries are left out."""
    stmt = select(Entry).where(Entry.contest_id == rnd.contest_id,
                               Entry.status == EntryStatus.SUBMITTED)
    if not (rnd.status in CHANGEABLE and previous_round(rnd) is None):
        stmt = stmt.join(RoundEntry, (RoundEntry.entry_id == Entry.id)
                         & (RoundEntry.round_id == rnd.id))
    return list(db.session.execute(
        stmt.options(selectinload(Entry.coauthors), selectinload(Entry.category))
        .order_by(*entry_order())
    ).scalars())


def excluded_entries(rnd: JudgingRound) -> list[Entry]:
    """Entries recorded for the round that are no longer judged (withdrawn, disqualified)."""
    return list(db.session.execute(
        select(Entry).join(RoundEntry, (RoundEntry.entry_id == Entry.id)
                           & (RoundEntry.round_id == rnd.id))
        .where(Entry.status != EntryStatus.SUBMITTED).order_by(*entry_order())
    ).scalars())


def sync_round_entries(rnd: JudgingRound) -> None:
    """Record the round's entries and their panels (rows are kept when an entry is withdrawn or
    disqualified, so that reinstating it needs nothing more)."""
    rows = {r.entry_id: r for r in db.session.execute(
        select(RoundEntry).where(RoundEntry.round_id == rnd.id)).scalars()}
    for entry in round_entries(rnd):
        panel = panel_of(rnd, entry)
        row = rows.get(entry.id)
        if row is None:
            db.session.add(RoundEntry(round_id=rnd.id, entry_id=entry.id, panel=panel))
        elif row.panel != panel:
            row.panel = panel
    db.session.flush()


def sheet_snapshot(sheet: ScoreSheet | None) -> dict[str, Any] | None:
    if sheet is None:
        return None
    return {"status": sheet.status, "points": dict(sheet.points or {}), "total": sheet.total,
            "private_comment": sheet.private_comment, "entrant_comment": sheet.entrant_comment,
            "submitted_at": sheet.submitted_at.isoformat() if sheet.submitted_at else None}


def drop_assignment(a: Assignment, actor_id: int | None, action: str,
                    reason: str = "") -> dict[str, Any]:
    details = {"assignment": a.id, "entry": a.entry_id, "judge": a.judge_id,
               "source": a.source, "sheet": sheet_snapshot(a.sheet)}
    audit.record(actor_id, action, ROUND_SUBJECT, a.round_id, reason[:MAX_REASON], **details)
    db.session.delete(a)
    db.session.flush()
    return details


def assignments_of(rnd: JudgingRound) -> list[Assignment]:
    return list(db.session.execute(
        select(Assignment).where(Assignment.round_id == rnd.id)
        .options(selectinload(Assignment.sheet)).order_by(Assignment.id)
    ).scalars())


def sheets_of(rnd: JudgingRound) -> list[ScoreSheet]:
    return [a.sheet for a in assignments_of(rnd) if a.sheet is not None]


def criteria_of(rnd: JudgingRound) -> list[Criterion]:
    return list(rnd.rubric.criteria)


def users_by_id(ids: Iterable[int]) -> dict[int, User]:
    ids = set(ids)
    if not ids:
        return {}
    return {u.id: u for u in db.session.execute(select(User).where(User.id.in_(ids))).scalars()}


def results_of(rnd: JudgingRound) -> list[EntryResult]:
    return list(db.session.execute(
        select(EntryResult).where(EntryResult.round_id == rnd.id)).scalars())


def shortlist_confirmed(rnd: JudgingRound) -> bool:
    return db.session.execute(
        select(EntryResult.id).where(EntryResult.round_id == rnd.id,
                                     EntryResult.advanced.is_(True)).limit(1)
    ).first() is not None


def round_trail(rnd: JudgingRound) -> list[tuple[AuditEvent, User | None]]:
    """Events of the round, and the contest's judging events (invitations, conflicts)."""
    of_round = (AuditEvent.subject_type == ROUND_SUBJECT) & \
        (AuditEvent.subject_id == str(rnd.id))
    of_contest = (AuditEvent.subject_type == CONTEST_SUBJECT) & \
        (AuditEvent.subject_id == str(rnd.contest_id)) & AuditEvent.action.like("judging.%")
    return [tuple(row) for row in db.session.execute(
        select(AuditEvent, User).outerjoin(User, User.id == AuditEvent.actor_id)
        .where(of_round | of_contest).order_by(AuditEvent.at, AuditEvent.id)
    ).all()]
