"""Prizes of a ranked round: the organizers' review of the proposed winners, and their
decisions on ties that a prize boundary cuts through (recorded in the audit trail).

Places rule: a tier never holds more winners than its places. A tie decision that would give a
tier more winners is refused, unless the organizers first add places to that tier with a reason
(:func:`add_places`); the added places and the reason are recorded in the audit trail and
published with the results. Publication is refused while a tier holds more winners than its
places or a tie across a boundary is undecided (:func:`publication_problems`).
Functions add and flush; the caller commits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, update

from contest import audit
from contest.extensions import db
from contest.problems import Problem
from contest.quiz.board import PRIZE_UNDECIDED, prize_tiers
from contest.quiz.finalise import ResultsError, editable_round, prize_candidates
from contest.quiz.models import Result, Round
from contest.quiz.ranking import PrizeConflict, assign_prizes
from contest.quiz.review import ReviewRow, review_row, review_select


@dataclass(frozen=True)
class ConflictView:
    """A tied group cut by a tier boundary, with its members and whether it is decided."""

    rank: int
    slots: tuple[tuple[str, int], ...]
    members: list[ReviewRow]
    decided: bool

    @property
    def tiers(self) -> list[str]:
        return [name for name, _ in self.slots]


@dataclass(frozen=True)
class Overfill:
    """A tier holding more winners than its places (added places included)."""

    tier: str
    winners: int
    places: int


@dataclass(frozen=True)
class PrizeReview:
    tiers: list[tuple[str, int]]
    winners: dict[str, list[ReviewRow]]
    conflicts: list[ConflictView]
    added: dict[str, dict] = field(default_factory=dict)
    overfilled: list[Overfill] = field(default_factory=list)

    @property
    def undecided(self) -> bool:
        return any(not c.decided for c in self.conflicts)


MAX_ADDED_PLACES = 1000


def added_places(rnd: Round) -> dict[str, dict]:
    """Places added per tier: ``{tier: {"places": n, "reason": text}}``."""
    return {str(k): {"places": int(v.get("places", 0)), "reason": str(v.get("reason", ""))}
            for k, v in (rnd.extra_places or {}).items() if isinstance(v, dict)}


def places_of(rnd: Round) -> dict[str, int]:
    """Each tier's places, the added ones included."""
    extra = added_places(rnd)
    return {name: places + extra.get(name, {}).get("places", 0)
            for name, places in prize_tiers(rnd)}


def overfilled(rnd: Round) -> list[Overfill]:
    """The tiers holding more winners than their places, in tier order."""
    counts = dict(db.session.execute(
        select(Result.prize, func.count()).where(Result.round_id == rnd.id,
                                                 Result.prize.is_not(None))
        .group_by(Result.prize)
    ).all())
    return [Overfill(name, counts[name], places) for name, places in places_of(rnd).items()
            if counts.get(name, 0) > places]


def publication_problems(rnd: Round) -> list[Problem]:
    """Why the prizes of ``rnd`` cannot be published yet (empty: they can)."""
    problems = [Problem("tier_overfilled", params={"tier": o.tier, "winners": o.winners,
                                                   "places": o.places})
                for o in overfilled(rnd)]
    undecided = db.session.execute(
        select(func.count()).select_from(Result)
        .where(Result.round_id == rnd.id, Result.prize == PRIZE_UNDECIDED)
    ).scalar_one()
    if undecided:
        problems.insert(0, Problem("undecided"))
    return problems


def add_places(round_id: int, tier: str, places: int, reason: str, actor_id: int | None,
               now: datetime) -> dict[str, dict]:
    """Add ``places`` to ``tier`` with a reason (published with the results). The caller
    commits. Raises :class:`ResultsError` (``bad_tier``, ``bad_places``,
    ``places_reason_required``)."""
    rnd = editable_round(round_id, now)
    reason = (reason or "").strip()[:500]
    if tier not in dict(prize_tiers(rnd)):
        raise ResultsError(Problem("bad_tier", "tier"))
    if isinstance(places, bool) or not isinstance(places, int) or \
            not 1 <= places <= MAX_ADDED_PLACES:
        raise ResultsError(Problem("bad_places", "places", params={"max": MAX_ADDED_PLACES}))
    if not reason:
        raise ResultsError(Problem("places_reason_required", "reason"))
    extra = added_places(rnd)
    old = extra.get(tier, {"places": 0, "reason": ""})
    extra[tier] = {"places": old["places"] + places,
                   "reason": f"{old['reason']} / {reason}"[:1000] if old["reason"] else reason}
    rnd.extra_places = extra
    db.session.flush()
    audit.record(actor_id, "results.add_places", "quiz_round", round_id, reason, tier=tier,
                 added=places, places_before=dict(prize_tiers(rnd))[tier] + old["places"],
                 places_after=places_of(rnd)[tier])
    return extra


def prize_review(rnd: Round) -> PrizeReview:
    """Proposed winners per tier and the tie conflicts (decided or not) of a finalised round."""
    tiers = prize_tiers(rnd)
    candidates = prize_candidates(rnd)
    assignment = assign_prizes(candidates, tiers)
    ids = {c.result.entrant_id for c in candidates}
    # The prizes written in the database are authoritative (they include decisions).
    rows = {}
    if ids:
        for row in db.session.execute(
            review_select(rnd.perfect_count or 0).where(
                Result.round_id == rnd.id, Result.user_id.in_(ids)
            )
        ):
            rows[row.Result.user_id] = review_row(row)
    extra = db.session.execute(
        review_select(rnd.perfect_count or 0).where(
            Result.round_id == rnd.id, Result.prize.is_not(None),
            Result.prize != PRIZE_UNDECIDED, Result.user_id.not_in(ids or {0}),
        )
    ).all()
    for row in extra:  # e.g. a tier given to all of a tied group reaching past the places
        rows[row.Result.user_id] = review_row(row)
    ordered = sorted(rows.values(), key=lambda r: (r.rank or 0, r.user_id))
    winners: dict[str, list[ReviewRow]] = {name: [] for name, _ in tiers}
    for r in ordered:
        if r.prize and r.prize != PRIZE_UNDECIDED:
            winners.setdefault(r.prize, []).append(r)
    conflicts: list[ConflictView] = []
    for conflict in assignment.conflicts:
        members = [rows[e.result.entrant_id] for e in conflict.entrants]
        decided = all(m.prize != PRIZE_UNDECIDED for m in members)
        conflicts.append(ConflictView(conflict.rank, conflict.slots, members, decided))
    return PrizeReview(tiers, winners, conflicts, added_places(rnd), overfilled(rnd))


def decided_ties(rnd: Round) -> list[ConflictView]:
    """The tie decisions in force: a new ranking (re-ranking, an exclusion or a
    reinstatement) proposes the prizes afresh and drops them."""
    return [c for c in prize_review(rnd).conflicts if c.decided]


def _conflict_at(rnd: Round, rank: int) -> PrizeConflict | None:
    assignment = assign_prizes(prize_candidates(rnd), prize_tiers(rnd))
    return next((c for c in assignment.conflicts if c.rank == rank), None)


def resolve_conflict(
    round_id: int,
    rank: int,
    decisions: Mapping[int, str | None],
    actor_id: int | None,
    now: datetime,
    note: str = "",
) -> None:
    """Settle the tied group at ``rank``: ``decisions`` maps each member to a tier or None.

    Any tier of the round may be given, but no tier may end up with more winners than its
    places (added places included): giving all of them the higher tier needs places added
    first (:func:`add_places`). Raises :class:`ResultsError` (``no_conflict``,
    ``bad_decision``, ``tier_overfilled``). The caller commits (and rolls back on a refusal).
    """
    rnd = editable_round(round_id, now)
    conflict = _conflict_at(rnd, rank)
    if conflict is None:
        raise ResultsError(Problem("no_conflict"))
    members = {e.result.entrant_id for e in conflict.entrants}
    names = {name for name, _ in prize_tiers(rnd)}
    if set(decisions) != members or any(v is not None and v not in names
                                        for v in decisions.values()):
        raise ResultsError(Problem("bad_decision"))
    for user_id, tier in decisions.items():
        db.session.execute(
            update(Result)
            .where(Result.round_id == round_id, Result.user_id == user_id)
            .values(prize=tier)
            .execution_options(synchronize_session=False)
        )
    chosen = {tier for tier in decisions.values() if tier}
    over = [o for o in overfilled(rnd) if o.tier in chosen]
    if over:
        raise ResultsError(*[Problem("tier_overfilled", params={
            "tier": o.tier, "winners": o.winners, "places": o.places}) for o in over])
    audit.record(actor_id, "results.resolve_tie", "quiz_round", round_id, note[:500], rank=rank,
                 decisions={str(k): v for k, v in sorted(decisions.items())})
    db.session.expire_all()
