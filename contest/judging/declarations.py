"""An organizer's decision on a conflict a judge declared: confirm it or dismiss it.

A judge's declaration is pending until then and changes nothing (see contest.judging.conflicts
for why). Confirming puts it in force: the judge's assignments it forbids, in every round of
the contest not yet closed, are withdrawn and the round is assigned again so that each entry
gets its judges back. Dismissing records that it does not stand. Both are audited with the
organizer's note.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from contest.extensions import db
from contest.judging.assignments import auto_assign
from contest.judging.common import CHANGEABLE, actor_id_of, contest_event, refuse
from contest.judging.conflicts import declared_conflicts, drop_conflicted_assignments
from contest.judging.models import Conflict, ConflictStatus, JudgingRound
from contest.judging.rounds import contest_rounds
from contest.writing.models import Entry, WritingContest

MAX_NOTE = 500


@dataclass
class Decision:
    """What confirming did: assignments withdrawn and made again, per round id."""

    withdrawn: list[dict[str, Any]] = field(default_factory=list)
    reassigned: dict[int, int] = field(default_factory=dict)


def pending(contest: WritingContest) -> list[tuple[Conflict, Any, Entry | None]]:
    """The contest's declarations waiting for an organizer, newest first, with the judge who
    declared each and, for one about an entry, the entry."""
    return declared_conflicts(contest, ConflictStatus.PENDING)


def _pending_conflict(conflict: Conflict) -> WritingContest:
    # Lock the row so that two organizers deciding at once cannot both act.
    db.session.execute(select(Conflict.id).where(Conflict.id == conflict.id).with_for_update())
    db.session.refresh(conflict)
    if conflict.status != ConflictStatus.PENDING:
        raise refuse("conflict_decided")
    return db.session.get(WritingContest, conflict.contest_id)


def _note(note: str | None) -> str:
    note = " ".join((note or "").split())
    if len(note) > MAX_NOTE:
        raise refuse("name_too_long", "note", max=MAX_NOTE)
    return note


def confirm(conflict: Conflict, actor: Any, now: datetime, note: str = "") -> Decision:
    """Put a pending declaration in force and assign again the rounds it changes."""
    note = _note(note)
    contest = _pending_conflict(conflict)
    actor_id = actor_id_of(actor)
    conflict.status = ConflictStatus.CONFIRMED
    conflict.decided_by_id, conflict.decided_at, conflict.decision_note = actor_id, now, note
    db.session.flush()
    decision = Decision()
    for rnd in contest_rounds(contest):
        if rnd.status not in CHANGEABLE:
            continue
        removed = drop_conflicted_assignments(rnd, actor_id, judge_id=conflict.judge_id)
        if removed:
            decision.withdrawn += removed
            decision.reassigned[rnd.id] = len(auto_assign(rnd, actor_id).created)
    contest_event(actor_id, "judging.conflict.confirm", contest.id, note, conflict=conflict.id,
                  judge=conflict.judge_id, entry=conflict.entry_id,
                  author_name=conflict.author_name, outlet=conflict.outlet,
                  withdrawn=[r["assignment"] for r in decision.withdrawn],
                  reassigned={str(k): v for k, v in decision.reassigned.items()})
    return decision


def dismiss(conflict: Conflict, actor: Any, now: datetime, note: str = "") -> None:
    """Record that a pending declaration does not stand; nothing else changes."""
    note = _note(note)
    contest = _pending_conflict(conflict)
    actor_id = actor_id_of(actor)
    conflict.status = ConflictStatus.DISMISSED
    conflict.decided_by_id, conflict.decided_at, conflict.decision_note = actor_id, now, note
    db.session.flush()
    contest_event(actor_id, "judging.conflict.dismiss", contest.id, note, conflict=conflict.id,
                  judge=conflict.judge_id, entry=conflict.entry_id,
                  author_name=conflict.author_name, outlet=conflict.outlet)


def round_pending(rnd: JudgingRound) -> list[tuple[Conflict, Any, Entry | None]]:
    """The pending declarations of the round's contest (for the round's console page)."""
    contest = db.session.get(WritingContest, rnd.contest_id)
    return pending(contest) if contest is not None else []
