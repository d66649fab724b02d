"""Score sheets: the judge's points per criterion, saved as a draft or submitted, reopened for a
correction; and the total a sheet's points give on the round's rubric.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from contest.accounts.models import User
from contest.accounts.policy import can
from contest.extensions import db
from contest.judging import aggregate as agg
from contest.judging.common import (
    MAX_TEXT,
    accepting_scores,
    clean_reason,
    refuse,
    round_event,
    to_number,
)
from contest.judging.conflicts import ConflictFinder, is_conflicted
from contest.judging.models import Assignment, Criterion, JudgingRound, ScoreSheet, SheetStatus
from contest.judging.rounds import criteria_of, round_entries, sheet_snapshot
from contest.problems import Problem, Refused
from contest.writing.models import Entry, EntryStatus


def sheet_points_problems(criteria: Sequence[Criterion], points: Mapping[Any, Any],
                          complete: bool) -> tuple[dict[str, float], list[Problem]]:
    """The points as numbers keyed by criterion id (text), and what is wrong with them.

    Every value given must be a number from 0 to the criterion's maximum; with ``complete``
    (submitting) every criterion needs one. A draft may leave criteria empty. Each problem's
    ``field`` is the criterion id.
    """
    given = {str(k): v for k, v in (points or {}).items()}
    known = {str(c.id) for c in criteria}
    problems: list[Problem] = []
    values: dict[str, float] = {}
    for c in criteria:
        key = str(c.id)
        raw = given.get(key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if complete:
                problems.append(Problem("points_missing", key, {"name": c.name,
                                                                "max": c.max_points}))
            continue
        value = to_number(raw)
        if value is None:
            problems.append(Problem("points_not_number", key, {"name": c.name,
                                                               "max": c.max_points}))
        elif not 0 <= value <= c.max_points:
            problems.append(Problem("points_out_of_range", key, {"name": c.name,
                                                                 "max": c.max_points}))
        else:
            values[key] = value
    if set(given) - known:
        problems.append(Problem("unknown_criterion", None))
    return values, problems


def total_of(rnd: JudgingRound, values: Mapping[str, float]) -> float | None:
    criteria = criteria_of(rnd)
    if not criteria or any(str(c.id) not in values for c in criteria):
        return None
    return agg.sheet_total(*_total_args(rnd, values))


def _changes(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    if old is None:
        return dict(new)
    return {k: v for k, v in new.items() if old.get(k) != v}


def save_sheet(assignment: Assignment, points: Mapping[Any, Any], private_comment: str,
               entrant_comment: str, submit: bool, actor: User, now: datetime) -> ScoreSheet:
    """Save the judge's sheet for an assignment as a draft, or submit it.

    Refused, saving nothing, when the actor is not the assigned judge, the round does not take
    scores now, the judge has a conflict with the entry, the sheet was submitted (it must be
    reopened first), or the points are wrong (a problem per criterion). Every change is in the
    audit log with the old and the new values.
    """
    rnd = db.session.get(JudgingRound, assignment.round_id)
    if actor is None or actor.id != assignment.judge_id:
        raise refuse("not_your_sheet")
    # Two tabs submitting at once: the second waits, then finds the first one's sheet.
    db.session.execute(
        select(Assignment).where(Assignment.id == assignment.id).with_for_update()
        .execution_options(populate_existing=True))
    db.session.execute(
        select(ScoreSheet).where(ScoreSheet.assignment_id == assignment.id)
        .execution_options(populate_existing=True))
    db.session.expire(assignment, ["sheet"])
    if not accepting_scores(rnd, now):
        raise refuse("round_not_accepting")
    entry = db.session.get(Entry, assignment.entry_id)
    if entry.status != EntryStatus.SUBMITTED:
        raise refuse("entry_not_judged")
    if is_conflicted(actor, entry):
        raise refuse("conflicted")
    sheet = assignment.sheet
    if sheet is not None and sheet.status == SheetStatus.SUBMITTED:
        raise refuse("sheet_submitted")
    values, problems = sheet_points_problems(criteria_of(rnd), points, complete=submit)
    private_comment = (private_comment or "").strip()
    entrant_comment = (entrant_comment or "").strip()
    for name, text in (("private_comment", private_comment),
                       ("entrant_comment", entrant_comment)):
        if len(text) > MAX_TEXT:
            problems.append(Problem("text_too_long", name, {"max": MAX_TEXT}))
    if problems:
        raise Refused(*problems)
    old = sheet_snapshot(sheet)
    if sheet is None:
        sheet = ScoreSheet(status=SheetStatus.DRAFT)
        assignment.sheet = sheet
    sheet.points = values
    sheet.total = total_of(rnd, values)
    sheet.private_comment, sheet.entrant_comment = private_comment, entrant_comment
    if submit:
        sheet.status, sheet.submitted_at = SheetStatus.SUBMITTED, now
    sheet.updated_at = now
    db.session.flush()
    new = sheet_snapshot(sheet)
    if old is None or _changes(old, new):
        round_event(actor.id, "judging.sheet.submit" if submit else "judging.sheet.save", rnd,
                    sheet=sheet.id, assignment=assignment.id, entry=entry.id,
                    judge=assignment.judge_id, old=old, new=new)
    return sheet


def reopen_sheet(sheet: ScoreSheet | None, actor: User, now: datetime,
                 reason: str = "") -> ScoreSheet:
    """Make a submitted sheet a draft again so that it can be corrected; only while the round
    takes scores, by its judge or an organizer."""
    if sheet is None:
        raise refuse("sheet_not_submitted")
    assignment = sheet.assignment
    rnd = db.session.get(JudgingRound, assignment.round_id)
    if actor is None or (actor.id != assignment.judge_id and not can(actor, "writing.manage")):
        raise refuse("not_your_sheet")
    if not accepting_scores(rnd, now):
        raise refuse("round_not_accepting")
    if sheet.status != SheetStatus.SUBMITTED:
        raise refuse("sheet_not_submitted")
    reason = clean_reason(reason, required=actor.id != assignment.judge_id)
    old = sheet_snapshot(sheet)
    sheet.status, sheet.submitted_at, sheet.updated_at = SheetStatus.DRAFT, None, now
    db.session.flush()
    round_event(actor.id, "judging.sheet.reopen", rnd, reason, sheet=sheet.id,
                assignment=assignment.id, entry=assignment.entry_id,
                judge=assignment.judge_id, old=old, new=sheet_snapshot(sheet))
    return sheet


def judge_assignments(judge: User, rnd: JudgingRound) -> list[Assignment]:
    """The judge's assignments in a round, without entries no longer judged or conflicted."""
    live = {e.id: e for e in round_entries(rnd)}
    mine = [a for a in db.session.execute(
        select(Assignment).where(Assignment.round_id == rnd.id, Assignment.judge_id == judge.id)
        .options(selectinload(Assignment.sheet)).order_by(Assignment.id)).scalars()
        if a.entry_id in live]
    people = ConflictFinder(rnd.contest_id, [live[a.entry_id] for a in mine])
    return [a for a in mine if not people.reasons(judge, live[a.entry_id])]


def _total_args(rnd: JudgingRound, values: Mapping[str, float]) -> tuple[Any, ...]:
    """The arguments of aggregate.sheet_total for a round's rubric.

    A criterion's weight here multiplies its points: with every weight 1 the total is the plain
    sum of the points, rescaled to the rubric's scale (the press award's 5 + 3 + 2 reads out of
    10). aggregate.sheet_total weighs the fraction of each maximum instead, so its weight is
    ours times the maximum.
    """
    criteria = [agg.Criterion(str(c.id), c.weight * c.max_points, c.max_points)
                for c in criteria_of(rnd)]
    return {str(c.id): values[str(c.id)] for c in criteria_of(rnd)}, criteria, rnd.rubric.scale


def sheet_total(rnd: JudgingRound, points: Mapping[Any, Any]) -> float | None:
    """The total a complete set of points gives on the round's rubric; None when incomplete."""
    values, problems = sheet_points_problems(criteria_of(rnd), points, complete=True)
    return None if problems else total_of(rnd, values)
