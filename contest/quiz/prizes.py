"""Prizes of a ranked round: the organizers' review of the proposed winners, and their
decisions on ties that a prize boundary cuts through (recorded in the audit trail).
Functions add and flush; the caller commits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update

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
class PrizeReview:
    tiers: list[tuple[str, int]]
    winners: dict[str, list[ReviewRow]]
    conflicts: list[ConflictView]

    @property
    def undecided(self) -> bool:
        return any(not c.decided for c in self.conflicts)


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
    return PrizeReview(tiers, winners, conflicts)


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

    Any tier of the round may be given (giving all of them the higher tier is allowed).
    Raises :class:`ResultsError` (``no_conflict``, ``bad_decision``). The caller commits.
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
    audit.record(actor_id, "results.resolve_tie", "quiz_round", round_id, note[:500], rank=rank,
                 decisions={str(k): v for k, v in sorted(decisions.items())})
    db.session.expire_all()
