"""Finalising a quiz round: close its overdue attempts, rank every entrant, propose the prizes.

Finalisation happens once the close and the submission grace are past: lazily on the first read
(:func:`ensure_finalised`) or from the CLI (``flask --app wsgi quiz finalize``), after closing
overdue attempts. Ranks are written in bulk by one ``UPDATE ... FROM`` over a window query.
Prize tiers are proposed in rank order (:func:`contest.quiz.ranking.assign_prizes`); the members
of a tie that a tier boundary cuts through are marked
:data:`~contest.quiz.board.PRIZE_UNDECIDED` until the organizers decide
(:mod:`contest.quiz.prizes`), and publication waits for that. An exclusion or a new ranking
proposes the prizes afresh.

Refusals are :class:`ResultsError` with problem codes; the messages live in
:mod:`contest.quiz.messages`. Functions add and flush; the caller commits.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, or_, select, update

from contest import audit
from contest.extensions import db
from contest.problems import Problem, Refused
from contest.quiz.attempts import DEFAULT_GRACE_SECONDS, close_overdue
from contest.quiz.board import PRIZE_UNDECIDED, clear_rank_cache, entrant_count, prize_tiers
from contest.quiz.disclosure import record_exposure
from contest.quiz.models import Result, Round, RoundStatus
from contest.quiz.ranking import EntrantResult, RankedEntrant, assign_prizes
from contest.quiz.ranks import live_total
from contest.quiz.rounds import Phase, phase

# Larger rounds are not ranked inside a page request (it takes seconds per 100,000 results).
LAZY_LIMIT = 100_000


class ResultsError(Refused):
    """A results change the rules refuse (nothing has been changed); its problems carry codes
    of :mod:`contest.quiz.messages`: ``not_closed``, ``settling``, ``not_finalised``,
    ``published``, ``undecided``, ``no_result``, ``reason_required``, ``not_excluded``,
    ``no_conflict``, ``bad_decision``."""


# --------------------------------------------------------------------------- finalisation


@dataclass(frozen=True)
class FinaliseReport:
    """What :func:`finalise` did; ``done`` is false when nothing had to be (or could be) done."""

    round_id: int
    done: bool
    entrants: int = 0
    ranked: int = 0
    perfect_count: int | None = None
    conflicts: int = 0
    seconds: float = 0.0


def lock_round(round_id: int, *, skip_locked: bool = False) -> Round | None:
    """Reload the round and lock its row (PostgreSQL) so that one finaliser runs at a time."""
    stmt = (
        select(Round)
        .where(Round.id == round_id)
        .with_for_update(skip_locked=skip_locked)
        .execution_options(populate_existing=True)
    )
    return db.session.execute(stmt).scalar_one_or_none()


def _rank_all(rnd: Round) -> tuple[int, int]:
    """Write final_rank and tied for every result of ``rnd`` in bulk; return (C, ranked).

    Competition ranks come from a window ``RANK()``; the tie flag from the number of peers
    (``RANGE BETWEEN CURRENT ROW AND CURRENT ROW``). Rows whose values do not change are not
    written, so re-ranking after an exclusion touches only the entrants below it.
    """
    perfect = db.session.execute(
        select(func.count())
        .select_from(Result)
        .where(Result.round_id == rnd.id, Result.perfect.is_(True), Result.excluded.is_(False))
    ).scalar_one()
    missing = case((Result.prediction.is_(None), 1), else_=0)
    distance = func.coalesce(func.abs(Result.prediction - perfect), 0)
    order = (Result.score.desc(), missing, distance, Result.time_ms, Result.submitted_at)
    ranked = (
        select(
            Result.id.label("id"),
            func.rank().over(order_by=order).label("rnk"),
            func.count().over(order_by=order, range_=(0, 0)).label("peers"),
        )
        .where(Result.round_id == rnd.id, Result.excluded.is_(False))
        .subquery()
    )
    tied = ranked.c.peers > 1
    db.session.execute(
        update(Result)
        .where(Result.id == ranked.c.id)
        .where(or_(Result.final_rank.is_distinct_from(ranked.c.rnk),
                   Result.tied.is_distinct_from(tied)))
        .values(final_rank=ranked.c.rnk, tied=tied)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Result)
        .where(Result.round_id == rnd.id, Result.excluded.is_(True),
               or_(Result.final_rank.is_not(None), Result.tied.is_(True)))
        .values(final_rank=None, tied=False)
        .execution_options(synchronize_session=False)
    )
    count = db.session.execute(
        select(func.count())
        .select_from(Result)
        .where(Result.round_id == rnd.id, Result.excluded.is_(False))
    ).scalar_one()
    return perfect, count


def prize_candidates(rnd: Round) -> list[RankedEntrant]:
    """The ranked entrants that the prize tiers can reach: the first N places and their ties."""
    places = sum(n for _, n in prize_tiers(rnd))
    if places <= 0:
        return []
    cutoff = db.session.execute(
        select(Result.final_rank)
        .where(Result.round_id == rnd.id, Result.final_rank.is_not(None))
        .order_by(Result.final_rank, Result.user_id)
        .offset(places - 1)
        .limit(1)
    ).scalar_one_or_none()
    # Plain columns, not entities: the ranks were just written behind the ORM's back.
    stmt = select(
        Result.user_id, Result.best_attempt_id, Result.score, Result.max_score, Result.time_ms,
        Result.submitted_at, Result.prediction, Result.excluded, Result.final_rank, Result.tied,
    ).where(Result.round_id == rnd.id, Result.final_rank.is_not(None))
    if cutoff is not None:
        stmt = stmt.where(Result.final_rank <= cutoff)
    candidates: list[RankedEntrant] = []
    for r in db.session.execute(stmt.order_by(Result.final_rank, Result.user_id)):
        entrant = EntrantResult(
            entrant_id=r.user_id, attempt_id=r.best_attempt_id, score=r.score,
            max_score=r.max_score, time_ms=r.time_ms, submitted_at=r.submitted_at,
            prediction=r.prediction, excluded=r.excluded,
        )
        distance = None if r.prediction is None else abs(r.prediction - (rnd.perfect_count or 0))
        candidates.append(RankedEntrant(r.final_rank, r.tied, distance, entrant))
    return candidates


def _propose_prizes(rnd: Round) -> int:
    """Write the proposed prizes; members of a conflict get :data:`PRIZE_UNDECIDED`."""
    db.session.execute(
        update(Result)
        .where(Result.round_id == rnd.id, Result.prize.is_not(None))
        .values(prize=None)
        .execution_options(synchronize_session=False)
    )
    assignment = assign_prizes(prize_candidates(rnd), prize_tiers(rnd))
    by_prize: dict[str, list[int]] = defaultdict(list)
    for tier, winners in assignment.winners.items():
        by_prize[tier].extend(w.result.entrant_id for w in winners)
    for conflict in assignment.conflicts:
        by_prize[PRIZE_UNDECIDED].extend(e.result.entrant_id for e in conflict.entrants)
    for prize, user_ids in by_prize.items():
        if user_ids:
            db.session.execute(
                update(Result)
                .where(Result.round_id == rnd.id, Result.user_id.in_(user_ids))
                .values(prize=prize)
                .execution_options(synchronize_session=False)
            )
    return len(assignment.conflicts)


def rerank(rnd: Round, now: datetime) -> FinaliseReport:
    started = time.perf_counter()
    perfect, ranked = _rank_all(rnd)
    db.session.expire_all()  # loaded results no longer match the rows
    rnd.perfect_count = perfect
    db.session.flush()
    conflicts = _propose_prizes(rnd)
    rnd.finalized_at = now
    db.session.flush()
    db.session.expire_all()
    clear_rank_cache(rnd.id)
    return FinaliseReport(
        round_id=rnd.id, done=True, entrants=entrant_count(rnd.id), ranked=ranked,
        perfect_count=perfect, conflicts=conflicts, seconds=time.perf_counter() - started,
    )


def settled(rnd: Round, now: datetime, grace_seconds: float | None = None) -> bool:
    """True once no more submissions can arrive: the close plus the submission grace is past."""
    if grace_seconds is None:
        grace_seconds = DEFAULT_GRACE_SECONDS
    if rnd.closes_at > now:
        # Closing a running round by hand moves its close time to that moment, so a close time
        # still ahead means the round was closed before anyone could take it.
        return rnd.status == RoundStatus.CLOSED
    return now >= rnd.closes_at + timedelta(seconds=grace_seconds)


def finalise(
    round_id: int,
    now: datetime,
    *,
    force: bool = False,
    skip_locked: bool = False,
    grace_seconds: float | None = None,
    actor_id: int | None = None,
) -> FinaliseReport:
    """Close the round's overdue attempts, then rank its entrants and propose prizes.

    Idempotent: a finalised round is left alone unless ``force`` (which recomputes everything
    and drops earlier tie decisions; refused once published). Raises :class:`ResultsError`:
    ``not_closed`` before the close, ``settling`` during the submission grace after it (answers
    sent just before the close may still arrive), ``published``. The caller commits. With
    ``skip_locked`` a round that another process is finalising is skipped (``done`` false).
    A ranking made is recorded in the audit trail as ``results.rank`` by ``actor_id`` (None for
    the first reader's lazy finalisation and for the CLI).
    """
    grace = DEFAULT_GRACE_SECONDS if grace_seconds is None else grace_seconds
    rnd = db.session.get(Round, round_id)
    if rnd is None:
        raise LookupError(round_id)
    current = phase(rnd, now)
    if current == Phase.PUBLISHED:
        if force:
            raise ResultsError(Problem("published"))
        return FinaliseReport(round_id, done=False, perfect_count=rnd.perfect_count)
    if current != Phase.CLOSED:
        raise ResultsError(Problem("not_closed"))
    if rnd.finalized_at is not None and not force:
        return FinaliseReport(round_id, done=False, perfect_count=rnd.perfect_count)
    if not settled(rnd, now, grace):
        raise ResultsError(Problem("settling"))

    close_overdue(now, round_id, grace_seconds=grace)
    rnd = lock_round(round_id, skip_locked=skip_locked)
    if rnd is None:
        return FinaliseReport(round_id, done=False)
    if rnd.finalized_at is not None and not force:  # finished by someone else meanwhile
        return FinaliseReport(round_id, done=False, perfect_count=rnd.perfect_count)
    report = rerank(rnd, now)
    # Ranking releases the keys (contest.quiz.disclosure): the questions become exposed.
    record_exposure(rnd, now)
    audit.record(actor_id, "results.rank", "quiz_round", round_id,
                 perfect_count=report.perfect_count, ranked=report.ranked, forced=force)
    return report


def ensure_finalised(rnd: Round, now: datetime, grace_seconds: float | None = None,
                     limit: int | None = None) -> bool:
    """Finalise a closed round on first read, committing it as its own unit of work.

    Returns whether the round is finalised afterwards. A reader that finds another process
    finalising does not wait: it gets False and shows the results as being prepared; so does
    a reader during the submission grace after the close, and one of a round with more than
    ``limit`` entrants (default :data:`LAZY_LIMIT`), whose ranking would outlast a request:
    those are finalised by ``flask quiz finalize`` run from cron after the close.
    """
    if rnd.finalized_at is not None:
        return True
    if phase(rnd, now) != Phase.CLOSED or not settled(rnd, now, grace_seconds):
        return False
    if live_total(rnd.id) > (LAZY_LIMIT if limit is None else limit):
        return False
    try:
        report = finalise(rnd.id, now, skip_locked=True, grace_seconds=grace_seconds)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    db.session.refresh(rnd)
    return report.done or rnd.finalized_at is not None


def editable_round(round_id: int, now: datetime) -> Round:
    rnd = lock_round(round_id)
    if rnd is None:
        raise LookupError(round_id)
    current = phase(rnd, now)
    if current == Phase.PUBLISHED:
        raise ResultsError(Problem("published"))
    if current != Phase.CLOSED:
        raise ResultsError(Problem("not_closed"))
    if rnd.finalized_at is None:
        raise ResultsError(Problem("not_finalised"))
    return rnd
