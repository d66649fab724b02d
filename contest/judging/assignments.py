"""Assignment of judges to the entries of a round: K distinct judges of the entry's panel, no
conflicts, balanced loads (contest.judging.assign solves it); reassigning and adding a judge by
hand, and the entries that cannot get their K judges, with the reason.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from contest import timeutil
from contest.accounts.models import User
from contest.extensions import db
from contest.judging import assign as assigning
from contest.judging.common import (
    CHANGEABLE,
    actor_id_of,
    changeable,
    clean_reason,
    lock_round,
    refuse,
    round_event,
)
from contest.judging.conflicts import conflicted_pairs, drop_conflicted_assignments, is_conflicted
from contest.judging.jury import may_judge, round_judges
from contest.judging.models import Assignment, JudgingRound, RoundJudge, SheetStatus
from contest.judging.rounds import (
    assignments_of,
    panel_of,
    round_entries,
    sheet_snapshot,
    sync_round_entries,
)
from contest.writing.models import Entry, EntryStatus


@dataclass(frozen=True)
class Shortfall:
    """An entry with fewer than K judges. ``code`` is one of contest.judging.assign's reason
    codes, "no_judges" (nobody sits on its panel) or "not_assigned_yet" (assigning would fill
    it)."""

    entry: Entry
    code: str
    assigned: int
    needed: int
    eligible: int


@dataclass
class AutoAssignResult:
    created: list[Assignment]
    withdrawn: list[dict[str, Any]]
    shortfalls: list[Shortfall]
    loads: dict[int, int]

    @property
    def complete(self) -> bool:
        return not self.shortfalls


@dataclass
class _Plan:
    new_pairs: list[tuple[int, int]]
    shortfalls: dict[int, tuple[str, int, int]]  # entry id → (code, assigned, eligible)
    entries: list[Entry]


def _active_judges(rnd: JudgingRound) -> list[tuple[User, RoundJudge]]:
    return [(u, row) for u, row in round_judges(rnd) if may_judge(u, rnd.contest_id)]


def _plan(rnd: JudgingRound, conflicts: set[tuple[int, int]]) -> _Plan:
    """What assigning would add, panel by panel, leaving existing assignments in place."""
    entries = round_entries(rnd)
    judges = _active_judges(rnd)
    held: dict[int, list[int]] = defaultdict(list)
    for a in assignments_of(rnd):
        if (a.judge_id, a.entry_id) not in conflicts:
            held[a.entry_id].append(a.judge_id)
    total_load: dict[int, int] = defaultdict(int)
    live = {e.id for e in entries}
    for entry_id, judge_ids in held.items():
        if entry_id in live:
            for j in judge_ids:
                total_load[j] += 1
    by_panel: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        by_panel[panel_of(rnd, e)].append(e)
    plan = _Plan([], {}, entries)
    k = rnd.judges_per_entry
    for panel, members in by_panel.items():
        ids = [e.id for e in members]
        judge_ids = [u.id for u, row in judges if row.panel in ("", panel)]
        existing = {e: held.get(e, []) for e in ids}
        if not judge_ids:
            for e in ids:
                if len(existing[e]) < k:
                    plan.shortfalls[e] = ("no_judges", len(existing[e]), 0)
            continue
        in_panel: dict[int, int] = defaultdict(int)
        for e in ids:
            for j in existing[e]:
                in_panel[j] += 1
        capacity = {u.id: max(0, row.max_load - (total_load[u.id] - in_panel[u.id]))
                    for u, row in judges if row.max_load is not None and u.id in judge_ids}
        id_set = set(ids)
        result = assigning.assign(ids, judge_ids, k,
                                  {(j, e) for j, e in conflicts if e in id_set},
                                  existing, capacity)
        for j, e in result.new_pairs():
            plan.new_pairs.append((j, e))
            total_load[j] += 1
        for e, why in result.unassignable.items():
            plan.shortfalls[e] = (why.code, why.assigned, why.eligible)
    return plan


def shortfalls(rnd: JudgingRound) -> list[Shortfall]:
    """Entries of the round with fewer than K judges now, and why assigning cannot (or can)
    fill them. Nothing is written."""
    conflicts = conflicted_pairs(rnd)
    current: dict[int, int] = defaultdict(int)
    for a in assignments_of(rnd):
        if (a.judge_id, a.entry_id) not in conflicts:
            current[a.entry_id] += 1
    plan = _plan(rnd, conflicts) if rnd.status in CHANGEABLE else _Plan([], {}, round_entries(rnd))
    k = rnd.judges_per_entry
    found = []
    for entry in plan.entries:
        if current[entry.id] >= k:
            continue
        if entry.id in plan.shortfalls:
            code, _assigned, eligible = plan.shortfalls[entry.id]
        else:
            code, eligible = "not_assigned_yet", k
        found.append(Shortfall(entry, code, current[entry.id], k, eligible))
    return found


def auto_assign(rnd: JudgingRound, actor_id: int | None = None) -> AutoAssignResult:
    """Give every entry of the round K distinct judges of its panel without conflicts, with
    balanced loads; existing assignments stay. Returns what was made and the entries that
    cannot get K judges, with the reason."""
    lock_round(rnd)
    changeable(rnd)
    sync_round_entries(rnd)
    withdrawn = drop_conflicted_assignments(rnd, actor_id)
    conflicts = conflicted_pairs(rnd)
    plan = _plan(rnd, conflicts)
    created = []
    for judge_id, entry_id in plan.new_pairs:
        a = Assignment(round_id=rnd.id, entry_id=entry_id, judge_id=judge_id, source="auto")
        db.session.add(a)
        created.append(a)
    db.session.flush()
    by_id = {e.id: e for e in plan.entries}
    found = [Shortfall(by_id[e], code, assigned, rnd.judges_per_entry, eligible)
             for e, (code, assigned, eligible) in plan.shortfalls.items()]
    loads: dict[int, int] = defaultdict(int)
    for a in assignments_of(rnd):
        if a.entry_id in by_id:
            loads[a.judge_id] += 1
    round_event(actor_id, "judging.assign.auto", rnd,
                created=[[a.entry_id, a.judge_id] for a in created],
                short={str(s.entry.id): s.code for s in found})
    return AutoAssignResult(created, withdrawn, found, dict(loads))


def _in_round(rnd: JudgingRound, entry: Entry) -> bool:
    return entry.status == EntryStatus.SUBMITTED and any(
        e.id == entry.id for e in round_entries(rnd))


def judges_of(rnd: JudgingRound, entry_id: int) -> list[int]:
    return list(db.session.execute(
        select(Assignment.judge_id).where(Assignment.round_id == rnd.id,
                                          Assignment.entry_id == entry_id)
        .order_by(Assignment.id)).scalars())


def _check_new_judge(rnd: JudgingRound, entry: Entry, judge: User) -> None:
    if db.session.get(RoundJudge, (rnd.id, judge.id)) is None or \
            not may_judge(judge, rnd.contest_id):
        raise refuse("not_on_round", "judge")
    if is_conflicted(judge, entry):
        raise refuse("conflicted", "judge")
    if judge.id in judges_of(rnd, entry.id):
        raise refuse("already_assigned", "judge")


def reassign(assignment: Assignment, new_judge: User | None, actor: Any, reason: str,
             now: datetime | None = None) -> Assignment:
    """Give an assignment to another judge of the round, for a reason.

    Refused for a conflicted judge or one already on the entry, and once the sheet is
    submitted (reopen it first). A draft sheet is discarded; the audit log keeps its values.
    """
    rnd = db.session.get(JudgingRound, assignment.round_id)
    lock_round(rnd)
    changeable(rnd)
    reason = clean_reason(reason)
    if new_judge is None:
        raise refuse("not_on_round", "judge")
    if new_judge.id == assignment.judge_id:
        raise refuse("same_judge", "judge")
    entry = db.session.get(Entry, assignment.entry_id)
    _check_new_judge(rnd, entry, new_judge)
    sheet = assignment.sheet
    if sheet is not None and sheet.status == SheetStatus.SUBMITTED:
        raise refuse("sheet_submitted")
    old_judge = assignment.judge_id
    discarded = sheet_snapshot(sheet)
    if sheet is not None:
        assignment.sheet = None
        db.session.flush()
    assignment.judge_id = new_judge.id
    assignment.source = "manual"
    assignment.created_at = now or timeutil.utcnow()
    db.session.flush()
    round_event(actor_id_of(actor), "judging.assignment.reassign", rnd, reason,
                assignment=assignment.id, entry=entry.id, old_judge=old_judge,
                new_judge=new_judge.id, discarded_sheet=discarded)
    return assignment


def add_judge(rnd: JudgingRound, entry: Entry, judge: User | None, actor: Any,
              source: str = "tiebreak", reason: str = "") -> Assignment:
    """One more judge for ``entry`` (a tie-break on a flagged entry, or by hand). With
    ``judge`` None the least-loaded free judge of the entry's panel is chosen."""
    lock_round(rnd)
    changeable(rnd)
    if source not in ("tiebreak", "manual"):
        raise refuse("bad_choice", "source")
    reason = clean_reason(reason, required=False)
    if not _in_round(rnd, entry):
        raise refuse("no_such_entry", "entry")
    sync_round_entries(rnd)
    if judge is None:
        conflicts = conflicted_pairs(rnd)
        panel = panel_of(rnd, entry)
        seated = [(u, row) for u, row in _active_judges(rnd) if row.panel in ("", panel)]
        loads: dict[int, int] = defaultdict(int)
        live = {e.id for e in round_entries(rnd)}
        for a in assignments_of(rnd):
            if a.entry_id in live:
                loads[a.judge_id] += 1
        pick = assigning.add_judge(
            entry.id, judges_of(rnd, entry.id), [u.id for u, _row in seated],
            {(j, e) for j, e in conflicts if e == entry.id}, loads,
            {u.id: row.max_load for u, row in seated if row.max_load is not None})
        if pick is None:
            raise refuse("no_judge_available")
        judge = db.session.get(User, pick)
    else:
        _check_new_judge(rnd, entry, judge)
    a = Assignment(round_id=rnd.id, entry_id=entry.id, judge_id=judge.id, source=source)
    db.session.add(a)
    db.session.flush()
    round_event(actor_id_of(actor), "judging.assignment.add", rnd, reason, assignment=a.id,
                entry=entry.id, judge=judge.id, source=source)
    return a
