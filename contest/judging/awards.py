"""What the results decide: the shortlist sent on to the next round, and the prize tiers of a
final round (ties that straddle a tier boundary are decided by the organizers, never split).

Places rule: in each category a tier (A, B, C, KK) never holds more entries than the round's
prize count for it. A decision that would over-fill a tier is refused unless the organizers
first add places to that tier of that category with a reason (:func:`add_places`, recorded in
the audit trail and published with the results); publication is refused while a tier is
over-filled (:func:`overfilled`) or a boundary tie is undecided.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from contest.audit import AuditEvent
from contest.extensions import db
from contest.judging import aggregate as agg
from contest.judging.common import (
    PRIZE_TIERS,
    ROUND_SUBJECT,
    actor_id_of,
    clean_reason,
    lock_round,
    not_published,
    refuse,
    round_event,
)
from contest.judging.models import (
    Assignment,
    EntryResult,
    JudgingRound,
    JudgingRoundStatus,
    RoundEntry,
)
from contest.judging.results import ResultRow, require_results, results_by_category
from contest.judging.rounds import awards_prizes, drop_assignment, next_round, panel_of, results_of
from contest.writing.models import Category, Entry


@dataclass
class ShortlistRow:
    result: EntryResult
    entry: Entry
    proposed: bool
    tie_at_cut: bool = False


@dataclass
class ShortlistCategory:
    category: Category
    rows: list[ShortlistRow]

    @property
    def tie_at_cut(self) -> bool:
        return any(r.tie_at_cut for r in self.rows)


def propose_shortlist(rnd: JudgingRound) -> list[ShortlistCategory]:
    """Who advances, per category: the top N (an entry tied with the N-th advances too, and
    the tie is flagged) or every entry scoring at least the threshold."""
    require_results(rnd)
    found = []
    for cat in results_by_category(rnd):
        group_size: dict[int, int] = defaultdict(int)
        for row in cat.rows:
            if row.result.rank is not None:
                group_size[row.result.rank] += 1
        rows = []
        for row in cat.rows:
            r = row.result
            if r.score is None or r.rank is None:
                rows.append(ShortlistRow(r, row.entry, False))
            elif rnd.advancement == "top_n":
                n = int(rnd.advancement_value)
                proposed = r.rank <= n
                rows.append(ShortlistRow(r, row.entry, proposed,
                                         proposed and r.rank + group_size[r.rank] - 1 > n))
            else:
                limit = round(rnd.advancement_value, agg.SCORE_DECIMALS)
                rows.append(ShortlistRow(r, row.entry,
                                         round(r.score, agg.SCORE_DECIMALS) >= limit))
        found.append(ShortlistCategory(cat.category, rows))
    return found


def confirm_shortlist(rnd: JudgingRound, entry_ids: Iterable[int], actor: Any,
                      reason: str = "") -> JudgingRound:
    """Send ``entry_ids`` on to the next round (which must exist and still be a draft); a
    choice other than the proposal needs a reason. Returns the next round."""
    lock_round(rnd)
    not_published(rnd)
    if rnd.status != JudgingRoundStatus.CLOSED:
        raise refuse("round_not_closed")
    require_results(rnd)
    nxt = next_round(rnd)
    if nxt is None:
        raise refuse("no_next_round")
    if nxt.status != JudgingRoundStatus.DRAFT:
        raise refuse("next_round_started")
    chosen = {int(i) for i in entry_ids}
    if not chosen:
        raise refuse("shortlist_empty")
    proposal = propose_shortlist(rnd)
    rows = {row.entry.id: row for cat in proposal for row in cat.rows}
    if any(i not in rows or rows[i].result.score is None for i in chosen):
        raise refuse("not_in_results")
    proposed = {i for i, row in rows.items() if row.proposed}
    reason = clean_reason(reason, required=chosen != proposed)
    current = {r.entry_id: r for r in db.session.execute(
        select(RoundEntry).where(RoundEntry.round_id == nxt.id)).scalars()}
    dropped = []
    for entry_id, row in current.items():
        if entry_id not in chosen:
            for a in db.session.execute(select(Assignment).where(
                    Assignment.round_id == nxt.id, Assignment.entry_id == entry_id)).scalars():
                dropped.append(drop_assignment(a, actor_id_of(actor),
                                               "judging.assignment.remove")["assignment"])
            db.session.delete(row)
    for entry_id in sorted(chosen - set(current)):
        db.session.add(RoundEntry(round_id=nxt.id, entry_id=entry_id,
                                  panel=panel_of(nxt, rows[entry_id].entry)))
    for entry_id, row in rows.items():
        row.result.advanced = entry_id in chosen
    db.session.flush()
    round_event(actor_id_of(actor), "judging.shortlist.confirm", rnd, reason,
                next_round=nxt.id, entries=sorted(chosen), proposed=sorted(proposed),
                added=sorted(chosen - proposed), left_out=sorted(proposed - chosen),
                assignments_removed=dropped)
    round_event(actor_id_of(actor), "judging.round.entries", nxt, reason, source_round=rnd.id,
                entries=sorted(chosen))
    return nxt


@dataclass
class TieDecision:
    """Entries tied at one rank whose places straddle a tier boundary: the organizers decide.
    ``tiers`` are the tiers their places span (None: no prize)."""

    category: Category
    rank: int
    rows: list[ResultRow]
    tiers: list[str | None]

    @property
    def decided(self) -> bool:
        return all(row.result.notes.strip() for row in self.rows)


@dataclass
class PrizeCategory:
    category: Category
    rows: list[tuple[ResultRow, str | None]]  # the proposed tier (None: none, or undecided)
    ties: list[TieDecision]


def _prize_plan(rnd: JudgingRound) -> list[PrizeCategory]:
    counts = rnd.prize_counts or {}
    slots: list[str] = [t for t in PRIZE_TIERS for _n in range(int(counts.get(t, 0) or 0))]
    plan = []
    for cat in results_by_category(rnd):
        ranked = [row for row in cat.rows if row.result.score is not None
                  and row.result.rank is not None]
        groups: dict[int, list[ResultRow]] = defaultdict(list)
        for row in ranked:
            groups[row.result.rank].append(row)
        rows: list[tuple[ResultRow, str | None]] = []
        ties = []
        position = 0
        for rank in sorted(groups):
            group = groups[rank]
            places = [slots[i] if i < len(slots) else None
                      for i in range(position, position + len(group))]
            position += len(group)
            tiers = list(dict.fromkeys(places))
            if len(tiers) == 1:
                rows += [(row, tiers[0]) for row in group]
            else:
                ties.append(TieDecision(cat.category, rank, group, tiers))
                rows += [(row, None) for row in group]
        rows += [(row, None) for row in cat.rows if row not in ranked]
        plan.append(PrizeCategory(cat.category, rows, ties))
    return plan


def _last_event_id(rnd: JudgingRound, action: str) -> int:
    return db.session.execute(
        select(func.max(AuditEvent.id)).where(AuditEvent.subject_type == ROUND_SUBJECT,
                                              AuditEvent.subject_id == str(rnd.id),
                                              AuditEvent.action == action)
    ).scalar_one() or 0


def prizes_proposed(rnd: JudgingRound) -> bool:
    """Whether prizes were proposed since the results were last computed."""
    return rnd.aggregated_at is not None and \
        _last_event_id(rnd, "judging.prizes.propose") > _last_event_id(rnd, "judging.aggregate")


def prize_review(rnd: JudgingRound) -> list[PrizeCategory]:
    """The rule's proposal next to the stored prizes, with the ties awaiting a decision."""
    require_results(rnd)
    return _prize_plan(rnd)


def pending_ties(rnd: JudgingRound) -> list[TieDecision]:
    return [t for cat in _prize_plan(rnd) for t in cat.ties if not t.decided]


def _prize_round(rnd: JudgingRound) -> None:
    lock_round(rnd)
    not_published(rnd)
    if rnd.status != JudgingRoundStatus.CLOSED:
        raise refuse("round_not_closed")
    require_results(rnd)
    if not awards_prizes(rnd):
        raise refuse("no_prizes")


def propose_prizes(rnd: JudgingRound, actor: Any = None) -> list[PrizeCategory]:
    """Give the tiers A, B, C and KK per category in rank order, as many of each as the round's
    prize counts say (a tier may be 0, e.g. no A). Entries tied at a rank whose places straddle
    two tiers (or a tier and no prize) get none and are returned for decision, never split.
    Stored prizes and decisions are replaced; the audit log keeps the old ones."""
    _prize_round(rnd)
    plan = _prize_plan(rnd)
    old = {str(r.entry_id): [r.prize, r.notes] for r in results_of(rnd) if r.prize or r.notes}
    for cat in plan:
        for row, tier in cat.rows:
            row.result.prize, row.result.notes = tier, ""
    db.session.flush()
    round_event(actor_id_of(actor), "judging.prizes.propose", rnd,
                counts=dict(rnd.prize_counts or {}), old=old,
                prizes={str(row.entry.id): tier for cat in plan for row, tier in cat.rows
                        if tier},
                ties=[{"category": t.category.id, "rank": t.rank,
                       "entries": [row.entry.id for row in t.rows],
                       "tiers": t.tiers} for cat in plan for t in cat.ties])
    return plan


def added_places(rnd: JudgingRound) -> dict[str, dict[str, dict]]:
    """Places added per category and tier: ``{category id: {tier: {places, reason}}}``."""
    return {str(cat): {str(t): {"places": int(v.get("places", 0)),
                                "reason": str(v.get("reason", ""))}
                       for t, v in tiers.items() if isinstance(v, dict)}
            for cat, tiers in (rnd.extra_places or {}).items() if isinstance(tiers, dict)}


def places_in(rnd: JudgingRound, category_id: int) -> dict[str, int]:
    """The places of each tier in one category, added places included."""
    extra = added_places(rnd).get(str(category_id), {})
    counts = rnd.prize_counts or {}
    return {t: int(counts.get(t, 0) or 0) + extra.get(t, {}).get("places", 0)
            for t in PRIZE_TIERS}


@dataclass(frozen=True)
class Overfill:
    category: Category
    tier: str
    winners: int
    places: int


def overfilled(rnd: JudgingRound) -> list[Overfill]:
    """The tiers holding more entries than their places, category by category."""
    found = []
    for cat in results_by_category(rnd):
        held: dict[str, int] = defaultdict(int)
        for row in cat.rows:
            if row.result.prize:
                held[row.result.prize] += 1
        places = places_in(rnd, cat.category.id)
        found += [Overfill(cat.category, t, held[t], places[t]) for t in PRIZE_TIERS
                  if held[t] > places[t]]
    return found


MAX_ADDED_PLACES = 100


def add_places(rnd: JudgingRound, category_id: int, tier: str, places: int, actor: Any,
               reason: str) -> None:
    """Add ``places`` to ``tier`` in one category, with a reason (published)."""
    _prize_round(rnd)
    category = db.session.get(Category, category_id)
    if category is None or category.contest_id != rnd.contest_id:
        raise refuse("bad_choice", "category_id")
    if tier not in PRIZE_TIERS:
        raise refuse("bad_choice", "tier")
    if isinstance(places, bool) or not isinstance(places, int) or \
            not 1 <= places <= MAX_ADDED_PLACES:
        raise refuse("bad_places", "places", max=MAX_ADDED_PLACES)
    reason = clean_reason(reason)
    extra = added_places(rnd)
    mine = extra.setdefault(str(category_id), {})
    old = mine.get(tier, {"places": 0, "reason": ""})
    mine[tier] = {"places": old["places"] + places,
                  "reason": f"{old['reason']} / {reason}"[:1000] if old["reason"] else reason}
    rnd.extra_places = extra
    db.session.flush()
    round_event(actor_id_of(actor), "judging.prize.add_places", rnd, reason,
                category=category_id, tier=tier, added=places,
                places_after=places_in(rnd, category_id)[tier])


def set_prize(result: EntryResult, tier: str | None, actor: Any, reason: str) -> None:
    """The organizers' decision on one entry's prize (``tier`` None: no prize), with the
    reason, which is kept with the result."""
    rnd = db.session.get(JudgingRound, result.round_id)
    _prize_round(rnd)
    tier = tier or None
    if tier is not None and tier not in PRIZE_TIERS:
        raise refuse("bad_choice", "tier")
    if tier is not None and result.score is None:
        raise refuse("not_scored")
    reason = clean_reason(reason)
    old = {"prize": result.prize, "notes": result.notes}
    result.prize, result.notes = tier, reason
    db.session.flush()
    if tier is not None:
        entry = db.session.get(Entry, result.entry_id)
        over = [o for o in overfilled(rnd) if o.tier == tier and o.category.id ==
                entry.category_id]
        if over:
            raise refuse("tier_overfilled", "tier", tier=tier, winners=over[0].winners,
                         places=over[0].places)
    round_event(actor_id_of(actor), "judging.prize.set", rnd, reason, entry=result.entry_id,
                old=old, new={"prize": tier, "notes": reason})
