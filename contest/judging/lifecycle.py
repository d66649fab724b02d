"""A round's settings and life cycle: create, change, remove, give it another rubric, open,
close, open again and publish.

Round life cycle: draft → open (judges score between ``opens_at`` and ``closes_at``) → closed
(scores frozen, results computed, shortlist or prizes decided) → published (nothing changes).
A closed round may be opened again until its shortlist is confirmed or it is published.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from contest import timeutil
from contest.extensions import db
from contest.judging.awards import overfilled, pending_ties, prizes_proposed
from contest.judging.common import (
    ADVANCEMENT,
    AGGREGATION_METHODS,
    MAX_K,
    MAX_PRIZES,
    PANELS,
    PRIZE_TIERS,
    actor_id_of,
    clean_reason,
    contest_event,
    jsonable,
    lock_round,
    name_problems,
    not_published,
    refuse,
    round_event,
    to_number,
)
from contest.judging.models import (
    Assignment,
    EntryResult,
    JudgingRound,
    JudgingRoundStatus,
    RoundEntry,
    RoundJudge,
    Rubric,
    SheetStatus,
)
from contest.judging.results import aggregate, require_results
from contest.judging.rounds import (
    awards_prizes,
    criteria_of,
    next_round,
    previous_round,
    results_of,
    round_entries,
    sheets_of,
    shortlist_confirmed,
    sync_round_entries,
)
from contest.judging.rubrics import copy_rubric, rounds_using, rubric_locked, rubric_snapshot
from contest.problems import Problem, Refused
from contest.writing import contests as contest_rules
from contest.writing.models import ContestStatus, Entry, WritingContest


def use_template(rnd: JudgingRound, template: Rubric | None, actor_id: int | None) -> Rubric:
    """Give the round a fresh copy of ``template`` (a rubric template) in place of its
    rubric."""
    not_published(rnd)
    if template is None or not template.is_template:
        raise refuse("no_template", "template")
    old = rnd.rubric
    if rubric_locked(old):
        raise refuse("rubric_locked")
    rubric = copy_rubric(template, actor_id, template=False)
    rnd.rubric = rubric
    db.session.flush()
    # Draft sheets scored the old criteria; their points no longer mean anything.
    for sheet in sheets_of(rnd):
        sheet.points, sheet.total = {}, None
    if not old.is_template and not [r for r in rounds_using(old) if r.id != rnd.id]:
        db.session.delete(old)
    db.session.flush()
    round_event(actor_id, "judging.round.rubric", rnd, template=template.id, rubric=rubric.id,
                old=rubric_snapshot(old) if old else None)
    return rubric


@dataclass
class RoundInput:
    """What an organizer sets on a judging round (times timezone-aware UTC or None)."""

    name: str
    judges_per_entry: Any = 3
    panels_by: str = "none"
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    judges_see_others: bool = False
    aggregation: str = "mean"
    disagreement_threshold: Any = 3.0
    advancement: str = "top_n"
    advancement_value: Any = 5
    prize_counts: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, rnd: JudgingRound) -> RoundInput:
        return cls(rnd.name, rnd.judges_per_entry, rnd.panels_by, rnd.opens_at, rnd.closes_at,
                   rnd.judges_see_others, rnd.aggregation, rnd.disagreement_threshold,
                   rnd.advancement, rnd.advancement_value, dict(rnd.prize_counts or {}))


def round_problems(data: RoundInput) -> list[Problem]:
    problems = name_problems(data.name, "name")
    k = to_number(data.judges_per_entry)
    if k is None or k != int(k) or not 1 <= k <= MAX_K:
        problems.append(Problem("k_out_of_range", "judges_per_entry", {"max": MAX_K}))
    if data.panels_by not in PANELS:
        problems.append(Problem("bad_choice", "panels_by"))
    if data.opens_at and data.closes_at and data.closes_at <= data.opens_at:
        problems.append(Problem("closes_before_opens", "closes_at"))
    if data.aggregation not in AGGREGATION_METHODS:
        problems.append(Problem("bad_choice", "aggregation"))
    threshold = to_number(data.disagreement_threshold)
    if threshold is None or threshold < 0:
        problems.append(Problem("threshold_negative", "disagreement_threshold"))
    if data.advancement not in ADVANCEMENT:
        problems.append(Problem("bad_choice", "advancement"))
    value = to_number(data.advancement_value)
    if data.advancement == "top_n" and (value is None or value != int(value) or value < 1):
        problems.append(Problem("top_n_positive", "advancement_value"))
    elif data.advancement == "threshold" and (value is None or value < 0):
        problems.append(Problem("threshold_negative", "advancement_value"))
    for tier in PRIZE_TIERS:
        count = to_number((data.prize_counts or {}).get(tier, 0) or 0)
        if count is None or count != int(count) or not 0 <= count <= MAX_PRIZES:
            problems.append(Problem("prize_count_out_of_range", f"prize_{tier}",
                                    {"max": MAX_PRIZES}))
    unknown = set(data.prize_counts or {}) - set(PRIZE_TIERS)
    if unknown:
        problems.append(Problem("bad_choice", "prize_counts"))
    return problems


def _round_values(data: RoundInput) -> dict[str, Any]:
    return {
        "name": data.name.strip(),
        "judges_per_entry": int(to_number(data.judges_per_entry)),
        "panels_by": data.panels_by,
        "opens_at": data.opens_at,
        "closes_at": data.closes_at,
        "judges_see_others": bool(data.judges_see_others),
        "aggregation": data.aggregation,
        "disagreement_threshold": to_number(data.disagreement_threshold),
        "advancement": data.advancement,
        "advancement_value": to_number(data.advancement_value),
        "prize_counts": {t: int(to_number((data.prize_counts or {}).get(t, 0) or 0))
                         for t in PRIZE_TIERS},
    }


def create_round(contest: WritingContest, data: RoundInput, template: Rubric | None,
                 actor_id: int | None) -> JudgingRound:
    """A new round after the contest's last one, scored with a copy of ``template`` (which
    must be a rubric template)."""
    if contest.status == ContestStatus.PUBLISHED:
        raise refuse("contest_published")
    problems = round_problems(data)
    if template is None or not template.is_template:
        problems.append(Problem("no_template", "template"))
    elif not template.criteria:
        problems.append(Problem("no_criteria", "template"))
    if problems:
        raise Refused(*problems)
    last = db.session.execute(
        select(func.max(JudgingRound.position)).where(JudgingRound.contest_id == contest.id)
    ).scalar_one()
    rubric = copy_rubric(template, actor_id, template=False)
    rnd = JudgingRound(contest_id=contest.id, position=(last or 0) + 1, rubric=rubric,
                       status=JudgingRoundStatus.DRAFT, **_round_values(data))
    db.session.add(rnd)
    db.session.flush()
    round_event(actor_id, "judging.round.create", rnd,
                new={k: jsonable(v) for k, v in _round_values(data).items()},
                template=template.id)
    return rnd


# What may still change once a round has left draft, and once it is closed.
_EDITABLE_OPEN = {"name", "closes_at", "judges_see_others", "aggregation",
                  "disagreement_threshold", "advancement", "advancement_value", "prize_counts"}


_EDITABLE_CLOSED = {"name", "aggregation", "disagreement_threshold", "advancement",
                    "advancement_value", "prize_counts"}


def update_round(rnd: JudgingRound, data: RoundInput, actor_id: int | None,
                 now: datetime) -> None:
    """Change a round's settings. Once a round is open, K, the panels and the opening time are
    fixed; once closed, only how results are computed and shortlisted or awarded may change
    (which computes the results again)."""
    not_published(rnd)
    if problems := round_problems(data):
        raise Refused(*problems)
    new = _round_values(data)
    old = {k: getattr(rnd, k) for k in new}
    old["prize_counts"] = {t: int((rnd.prize_counts or {}).get(t, 0) or 0) for t in PRIZE_TIERS}
    changed = {k for k in new if new[k] != old[k]}
    if rnd.status != JudgingRoundStatus.DRAFT:
        allowed = _EDITABLE_OPEN if rnd.status == JudgingRoundStatus.OPEN else _EDITABLE_CLOSED
        if fixed := sorted(changed - allowed):
            raise Refused(*[Problem("fixed_after_open", k) for k in fixed])
        if "closes_at" in changed and new["closes_at"] is not None and new["closes_at"] <= now:
            raise refuse("close_in_past", "closes_at")
    # Other numbers give other scores, flags or prizes: computed again, prizes proposed again.
    recompute = {"aggregation", "disagreement_threshold", "prize_counts"} & changed
    if rnd.status == JudgingRoundStatus.CLOSED and changed - {"name"} and shortlist_confirmed(rnd):
        raise refuse("shortlist_confirmed")
    if not changed:
        return
    for key in changed:
        setattr(rnd, key, new[key])
    db.session.flush()
    round_event(actor_id, "judging.round.update", rnd,
                old={k: jsonable(old[k]) for k in sorted(changed)},
                new={k: jsonable(new[k]) for k in sorted(changed)})
    if rnd.status == JudgingRoundStatus.CLOSED and recompute and rnd.aggregated_at:
        aggregate(rnd, actor_id, now)


def delete_round(rnd: JudgingRound, actor_id: int | None) -> int:
    """Remove a draft round that no later round follows; returns its contest's id."""
    if rnd.status != JudgingRoundStatus.DRAFT or next_round(rnd) is not None:
        raise refuse("round_not_removable")
    contest_id = rnd.contest_id
    before = previous_round(rnd)
    released = []
    if before is not None:
        # The shortlist sent to this round is undone with it.
        for result in results_of(before):
            if result.advanced:
                result.advanced = False
                released.append(result.entry_id)
    contest_event(actor_id, "judging.round.delete", rnd.contest_id, round=rnd.id,
                  name=rnd.name, shortlist_released=released)
    rubric = rnd.rubric
    for row in db.session.execute(select(Assignment).where(Assignment.round_id == rnd.id)
                                  ).scalars():
        db.session.delete(row)
    for model in (RoundEntry, RoundJudge, EntryResult):
        for row in db.session.execute(select(model).where(model.round_id == rnd.id)).scalars():
            db.session.delete(row)
    db.session.delete(rnd)
    db.session.flush()
    if rubric is not None and not rubric.is_template and not rounds_using(rubric):
        db.session.delete(rubric)
        db.session.flush()
    return contest_id


def _entries_without_judges(rnd: JudgingRound) -> list[Entry]:
    judged = set(db.session.execute(
        select(Assignment.entry_id).where(Assignment.round_id == rnd.id)).scalars())
    return [e for e in round_entries(rnd) if e.id not in judged]


def open_round(rnd: JudgingRound, actor_id: int | None, now: datetime) -> None:
    """Let judges score. The contest must be closed to entries (it moves on to judging); a later
    round needs the shortlist of the one before; every entry needs at least one judge."""
    lock_round(rnd)
    if rnd.status != JudgingRoundStatus.DRAFT:
        raise refuse("round_not_draft")
    contest = db.session.get(WritingContest, rnd.contest_id)
    if contest.status in (ContestStatus.DRAFT, ContestStatus.OPEN):
        raise refuse("contest_not_closed")
    if contest.status == ContestStatus.PUBLISHED:
        raise refuse("contest_published")
    before = previous_round(rnd)
    if before is not None and not shortlist_confirmed(before):
        raise refuse("previous_not_confirmed")
    problems = []
    if not criteria_of(rnd):
        problems.append(Problem("no_criteria"))
    entries = round_entries(rnd)
    if not entries:
        problems.append(Problem("no_entries"))
    elif missing := _entries_without_judges(rnd):
        problems.append(Problem("entries_without_judges", None, {"count": len(missing)}))
    if rnd.closes_at is not None and rnd.closes_at <= now:
        problems.append(Problem("close_in_past", "closes_at"))
    if problems:
        raise Refused(*problems)
    if contest.status == ContestStatus.CLOSED:
        contest_rules.start_judging(contest, actor_id)
    sync_round_entries(rnd)
    rnd.status = JudgingRoundStatus.OPEN
    db.session.flush()
    round_event(actor_id, "judging.round.open", rnd, entries=len(entries))


def close_round(rnd: JudgingRound, actor_id: int | None, now: datetime) -> list[EntryResult]:
    """Stop scoring and compute the results. Draft sheets stay drafts and do not count."""
    lock_round(rnd)
    if rnd.status != JudgingRoundStatus.OPEN:
        raise refuse("round_not_open")
    sync_round_entries(rnd)
    drafts = sum(1 for s in sheets_of(rnd) if s.status != SheetStatus.SUBMITTED)
    rnd.status = JudgingRoundStatus.CLOSED
    db.session.flush()
    round_event(actor_id, "judging.round.close", rnd, drafts_left=drafts, at=now.isoformat())
    return aggregate(rnd, actor_id, now)


def reopen_round(rnd: JudgingRound, actor_id: int | None, now: datetime, reason: str,
                 closes_at: datetime | None = None) -> None:
    """Open a closed round again (e.g. to add a tie-break judge). Its results are computed
    again when it closes; refused once its shortlist is confirmed or it is published."""
    not_published(rnd)
    if rnd.status != JudgingRoundStatus.CLOSED:
        raise refuse("round_not_closed")
    if shortlist_confirmed(rnd):
        raise refuse("shortlist_confirmed")
    reason = clean_reason(reason)
    new_close = closes_at or rnd.closes_at
    if new_close is not None and new_close <= now:
        raise refuse("close_in_past", "closes_at")
    old_close = rnd.closes_at
    rnd.closes_at = new_close
    cleared = 0
    for result in results_of(rnd):
        db.session.delete(result)
        cleared += 1
    rnd.aggregated_at = None
    rnd.status = JudgingRoundStatus.OPEN
    db.session.flush()
    round_event(actor_id, "judging.round.reopen", rnd, reason, results_cleared=cleared,
                old_closes_at=jsonable(old_close), new_closes_at=jsonable(new_close))


def publish(rnd: JudgingRound, actor: Any, now: datetime | None = None) -> None:
    """Make the round's results final; after this nothing of the round changes. A round that
    awards prizes needs them proposed and every straddling tie decided."""
    now = now or timeutil.utcnow()
    lock_round(rnd)
    not_published(rnd)
    if rnd.status != JudgingRoundStatus.CLOSED:
        raise refuse("round_not_closed")
    require_results(rnd)
    if awards_prizes(rnd):
        if not prizes_proposed(rnd):
            raise refuse("prizes_not_proposed")
        if ties := pending_ties(rnd):
            raise refuse("ties_pending", None, count=len(ties))
        if over := overfilled(rnd):
            raise refuse("tier_overfilled", None, tier=over[0].tier, winners=over[0].winners,
                         places=over[0].places)
    rnd.status, rnd.published_at = JudgingRoundStatus.PUBLISHED, now
    db.session.flush()
    round_event(actor_id_of(actor), "judging.round.publish", rnd,
                results={str(r.entry_id): {"score": r.score, "rank": r.rank, "tied": r.tied,
                                           "prize": r.prize, "advanced": r.advanced}
                         for r in results_of(rnd)})
