"""Taking a quiz: start an attempt, save answers as they are given, submit, score, keep results.

Timing is decided on the server clock that the caller passes in as ``now``. An attempt's
deadline is its start plus the round's time limit, never later than the round's close (also when
the round is closed early by hand). Answers may arrive up to ``grace_seconds`` after the deadline
(a slow mobile link); later ones are refused and the attempt is scored on what was saved in time.

Concurrency. A save or submit locks the attempt row (``FOR NO KEY UPDATE`` on PostgreSQL) and
merges only the questions it carries into the stored answers, so two tabs lose nothing; the
status flips from open to submitted with a conditional UPDATE (which also writes the answers and
the scores), so a double submit scores once. An entrant's :class:`~contest.quiz.models.Result`
row is updated under a row lock, or created with an insert that ignores a conflict (then read
under the lock and updated, when another submission created it meanwhile).

A drawn question is marked used in the transaction that draws it, and a used question is never
edited in place (a change makes a new revision). Each process therefore keeps what attempts
need of a drawn question (its text, options and key) once read: showing, saving and scoring an
attempt read no question rows.

The page never needs an option id or a weight: answers travel as positions in the option order
drawn for the attempt, so neither the HTML nor the JSON says anything about the key (option ids
follow the authoring order, in which the correct option often comes first).

Functions add and flush; the caller commits.
"""

from __future__ import annotations

import functools
import logging
import math
import random
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Select, bindparam, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from contest.accounts.models import User
from contest.extensions import db
from contest.problems import Problem, Refused
from contest.quiz import draw, ranking, rounds
from contest.quiz.models import (
    Attempt,
    AttemptStatus,
    Option,
    Question,
    Result,
    Round,
)
from contest.quiz.scoring import SCORE_DECIMALS, ItemKey, score_attempt

__all__ = [
    "DEFAULT_GRACE_SECONDS",
    "MAX_PREDICTION",
    "UNSET",
    "AnswerRefused",
    "AttemptRefused",
    "Paper",
    "PaperItem",
    "DrawnQuestion",
    "ReviewItem",
    "SubmitOutcome",
    "attempts_in_round",
    "attempts_used",
    "close_overdue",
    "draw_for",
    "drawn_questions",
    "effective_deadline",
    "is_overdue",
    "lock_attempt",
    "merge_answers",
    "open_attempt",
    "open_attempt_and_count",
    "paper_for",
    "record_result",
    "review_for",
    "save_and_submit",
    "save_answers",
    "seconds_left",
    "settle_if_overdue",
    "start_attempt",
    "submit",
]

log = logging.getLogger(__name__)

DEFAULT_GRACE_SECONDS = 10
MAX_PREDICTION = 1_000_000_000


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()  # "no prediction sent", as opposed to None


class AttemptRefused(Refused):
    """An attempt may not start: a problem of :func:`rounds.eligibility`, or ``draw_failed``
    when the bank cannot supply the round's questions."""


class AnswerRefused(Refused):
    """Answers or a submission refused; nothing was changed.

    Codes: ``submitted`` (the attempt is already scored), ``too_late`` (after deadline + grace),
    ``invalid`` (an answer that the paper does not offer), ``prediction_required``,
    ``bad_prediction`` (both on the field ``prediction``).
    """


# --- timing ---------------------------------------------------------------------------------


def effective_deadline(attempt: Attempt) -> datetime:
    """The attempt's deadline, cut short if the round closed before it (closed early by hand)."""
    return min(attempt.deadline_at, attempt.round.closes_at)


def seconds_left(attempt: Attempt, now: datetime) -> int:
    """Whole seconds until the deadline, 0 when it has passed."""
    return max(0, math.ceil((effective_deadline(attempt) - now).total_seconds()))


def _late(attempt: Attempt, now: datetime, grace_seconds: float) -> bool:
    return now > effective_deadline(attempt) + timedelta(seconds=grace_seconds)


def is_overdue(attempt: Attempt, now: datetime, grace_seconds: float) -> bool:
    """True when the attempt is still open but nothing more can be accepted for it."""
    return attempt.status == AttemptStatus.OPEN and _late(attempt, now, grace_seconds)


# --- starting -------------------------------------------------------------------------------


def attempts_used(round_id: int, user_id: int) -> int:
    """How many attempts ``user_id`` has started in the round."""
    return db.session.execute(
        select(func.count()).select_from(Attempt)
        .where(Attempt.round_id == round_id, Attempt.user_id == user_id)
    ).scalar_one()


def open_attempt_and_count(rnd: Round, user_id: int, now: datetime,
                           grace_seconds: float = DEFAULT_GRACE_SECONDS
                           ) -> tuple[Attempt | None, int]:
    """The entrant's attempt under way in ``rnd`` (scored first if its time ran out, then
    None) and how many attempts they have started there, read in one statement."""
    row = db.session.execute(
        select(Attempt, func.count().over())
        .where(Attempt.round_id == rnd.id, Attempt.user_id == user_id)
        .order_by((Attempt.status == AttemptStatus.OPEN).desc(), Attempt.number.desc())
        .limit(1)
    ).first()
    if row is None:
        return None, 0
    attempt, used = row
    if attempt.status != AttemptStatus.OPEN or settle_if_overdue(attempt, now, grace_seconds):
        return None, used
    return attempt, used


def attempts_in_round(rnd: Round, user_id: int, now: datetime,
                      grace_seconds: float = DEFAULT_GRACE_SECONDS
                      ) -> tuple[list[Attempt], Attempt | None, bool]:
    """The entrant's attempts in ``rnd`` by number (read without their papers), the one under
    way, and whether one left open past its time was scored just now (the caller commits)."""
    mine = list(db.session.execute(
        select(Attempt).where(Attempt.round_id == rnd.id, Attempt.user_id == user_id)
        .order_by(Attempt.number)
        .options(defer(Attempt.draw), defer(Attempt.answers), defer(Attempt.item_scores))
    ).scalars())
    current = next((a for a in reversed(mine) if a.status == AttemptStatus.OPEN), None)
    if current is not None and settle_if_overdue(current, now, grace_seconds):
        return mine, None, True
    return mine, current, False


def open_attempt(rnd: Round, user_id: int, now: datetime,
                 grace_seconds: float = DEFAULT_GRACE_SECONDS) -> Attempt | None:
    """The entrant's attempt under way in ``rnd``, scoring it first if its time ran out."""
    return open_attempt_and_count(rnd, user_id, now, grace_seconds)[0]


def draw_for(rnd: Round, rng: random.Random) -> list[list[Any]]:
    """Draw one attempt's paper: ``[[question_id, [option ids in shown order]], ...]``.

    Quota rounds draw from the active, non-retired questions of each quota's topics, only
    those whose key no round has published unless the round allows exposed questions; fixed
    rounds use their list. Raises :class:`~contest.quiz.draw.DrawError` if the bank cannot
    supply the questions (it changed since the round was opened).
    """
    if rnd.selection == "fixed":
        listed = [q.question_id for q in rnd.fixed_questions]
        live = set(db.session.execute(
            select(Question.id).where(Question.id.in_(listed), Question.active.is_(True),
                                      Question.retired.is_(False))
        ).scalars())
        if len(live) != len(listed):
            raise draw.DrawError("draw_fixed_unavailable")
        question_ids = draw.draw_fixed(listed, rnd.shuffle_questions, rng)
    else:
        quotas = {q.topic_id: q.count for q in rnd.quotas}
        pools = rounds.quota_pools(quotas, include_exposed=bool(rnd.allow_exposed))
        question_ids = draw.draw_questions(pools, quotas, rng,
                                           shuffle=rnd.shuffle_questions)
    # Options of questions this process knows are used (so unchanging) come from its copy.
    used: set[int] = current_app.extensions.get("quiz_used_questions", set())
    kept: dict[int, DrawnQuestion] = current_app.extensions.get(_DRAWN, {})
    options: dict[int, list[int]] = {}
    for qid in question_ids:
        known = kept.get(qid) if qid in used else None
        options[qid] = list(known.options) if known is not None else []
    unknown = [qid for qid in question_ids if not options[qid]]
    if unknown:
        for option_id, question_id in db.session.execute(
            select(Option.id, Option.question_id).where(Option.question_id.in_(unknown))
            .order_by(Option.question_id, Option.position, Option.id)
        ):
            options[question_id].append(option_id)
    shown = draw.shuffle_options(options, rnd.shuffle_options, rng)
    return [[qid, shown[qid]] for qid in question_ids]


def _mark_used(question_ids: Iterable[int]) -> None:
    """Flag drawn questions as used (edited by revision from now on).

    Questions this process has seen used (committed: the flag never goes back) are skipped;
    once a round's questions are all known, a start reads nothing here.
    """
    known: set[int] = current_app.extensions.setdefault("quiz_used_questions", set())
    ids = [qid for qid in question_ids if qid not in known]
    if not ids:
        return
    fresh = list(db.session.execute(
        select(Question.id).where(Question.id.in_(ids), Question.used.is_(False))
        # Lock in id order so that two first draws sharing questions cannot deadlock.
        .order_by(Question.id).with_for_update(key_share=True)
    ).scalars())
    # The ones not returned were marked by a committed transaction; the ones marked below
    # join them when a later draw finds them used.
    known.update(set(ids) - set(fresh))
    if fresh:
        db.session.execute(
            update(Question).where(Question.id.in_(fresh)).values(used=True)
            .execution_options(synchronize_session=False)
        )


def start_attempt(rnd: Round, user: User, now: datetime,
                  grace_seconds: float = DEFAULT_GRACE_SECONDS,
                  rng: random.Random | None = None) -> Attempt:
    """Start an attempt, or return the one under way (an entrant has one open at a time).

    Raises :class:`AttemptRefused` when :func:`rounds.eligibility` refuses, or with
    ``draw_failed`` when the bank cannot supply the questions (logged for the organizers).
    """
    # Serialise one entrant's starts (two tabs, a double click) without touching other rows.
    db.session.execute(
        select(User.id).where(User.id == user.id).with_for_update(key_share=True)
    )
    current, used = open_attempt_and_count(rnd, user.id, now, grace_seconds)
    if current is not None:
        return current
    reason = rounds.eligibility(rnd, user, now, used)
    if reason is not None:
        raise AttemptRefused(reason)
    rng = rng or random.Random(secrets.randbits(128))
    try:
        paper = draw_for(rnd, rng)
    except draw.DrawError as exc:
        log.exception("draw failed for round %s: %s %s", rnd.id, exc.code,
                      dict(exc.problems[0].params))
        raise AttemptRefused(Problem("draw_failed")) from exc
    deadline = min(now + timedelta(seconds=rnd.time_limit_seconds), rnd.closes_at)
    attempt = Attempt(
        round_id=rnd.id, user_id=user.id, number=used + 1, status=AttemptStatus.OPEN,
        started_at=now, deadline_at=deadline, draw=paper, answers={},
    )
    attempt.round = rnd
    db.session.add(attempt)
    try:
        db.session.flush()
    except IntegrityError as exc:
        # The lock above makes this unreachable for starts; it guards against any other
        # writer of the same attempt number. The caller rolls the transaction back.
        raise AttemptRefused(Problem("already_started")) from exc
    _mark_used(qid for qid, _ in paper)
    rounds.mark_started(rnd, now)
    return attempt


# --- answering ------------------------------------------------------------------------------


_LOCKED = "quiz_locked_attempts"


def _locked_here() -> set[int]:
    """Ids of the attempts locked (and re-read) in the session's current transaction."""
    session = db.session()
    transaction = session.get_transaction()
    held = session.info.get(_LOCKED)
    if held is None or held[0] is not transaction:
        held = (transaction, set())
        session.info[_LOCKED] = held
    return held[1]


def lock_attempt(attempt_id: int) -> Attempt | None:
    """Read the attempt and its round with the attempt's row locked, in one statement.

    The lock lasts until the transaction ends; :func:`save_answers` and :func:`submit` then
    use the row as read here instead of reading it again.
    """
    attempt = db.session.execute(
        _locking_read(), {"attempt_id": attempt_id}).scalar_one_or_none()
    if attempt is not None:
        _locked_here().add(attempt.id)
    return attempt


@functools.cache
def _locking_read() -> Select:
    """The statement of :func:`lock_attempt`, built once (every save and submit runs it)."""
    return (
        select(Attempt).where(Attempt.id == bindparam("attempt_id"))
        .options(joinedload(Attempt.round))
        .with_for_update(of=Attempt, key_share=True)
        .execution_options(populate_existing=True)
    )


def _lock(attempt: Attempt) -> Attempt:
    """Re-read the attempt row under a row lock, refreshing ``attempt`` in place (once per
    transaction)."""
    if attempt.id in _locked_here():
        return attempt
    return lock_attempt(attempt.id)  # type: ignore[return-value]


def _chosen_ids(attempt: Attempt, question_id: int, positions: Sequence[int],
                kinds: Mapping[int, str]) -> list[int]:
    shown = dict((qid, opts) for qid, opts in attempt.draw).get(question_id)
    if shown is None:
        raise AnswerRefused(Problem("invalid"))
    if len(set(positions)) != len(positions) or \
            any(not 0 <= p < len(shown) for p in positions):
        raise AnswerRefused(Problem("invalid"))
    if kinds.get(question_id) != "multiple" and len(positions) > 1:
        raise AnswerRefused(Problem("invalid"))
    return sorted(shown[p] for p in positions)


@dataclass(frozen=True)
class DrawnQuestion:
    """What attempts need of a drawn (used, so unchanging) question."""

    kind: str
    text: str
    text_format: str
    explanation: str
    source: str
    options: Mapping[int, tuple[str, float]]  # option id -> (text, weight)


_DRAWN = "quiz_drawn_questions"
_DRAWN_KEEP = 20_000  # questions kept per process; far more than a bank holds


def drawn_questions(ids: Sequence[int]) -> dict[int, DrawnQuestion]:
    """The questions ``ids`` of a paper (all drawn, so used), from the process's copy; the ones
    not yet in it are read in one go."""
    known: dict[int, DrawnQuestion] = current_app.extensions.setdefault(_DRAWN, {})
    # .get: another thread may empty the copy between a test and a read.
    found = {qid: q for qid in ids if (q := known.get(qid)) is not None}
    missing = [qid for qid in ids if qid not in found]
    if missing:
        if len(known) > _DRAWN_KEEP:
            known.clear()
        with db.session.no_autoflush:
            for q in db.session.execute(
                select(Question).where(Question.id.in_(missing))
                .options(selectinload(Question.options))
            ).scalars():
                found[q.id] = known[q.id] = DrawnQuestion(
                    q.kind, q.text, q.text_format, q.explanation or "", q.source or "",
                    {o.id: (o.text, o.fraction)
                     for o in sorted(q.options, key=lambda o: (o.position, o.id))})
    return found


def _kinds(attempt: Attempt) -> dict[int, str]:
    """The kind of each question of the paper."""
    return {qid: q.kind for qid, q in drawn_questions([qid for qid, _ in attempt.draw]).items()}


def merge_answers(stored: Mapping[str, list[int]],
                  changes: Mapping[int, list[int]]) -> dict[str, list[int]]:
    """The stored answers with ``changes`` applied; an empty choice clears a question."""
    merged = {key: list(value) for key, value in stored.items()}
    for question_id, option_ids in changes.items():
        if option_ids:
            merged[str(question_id)] = list(option_ids)
        else:
            merged.pop(str(question_id), None)
    return merged


def _check_prediction(prediction: Any) -> None:
    if prediction is UNSET or prediction is None:
        return
    if isinstance(prediction, bool) or not isinstance(prediction, int) or \
            not 0 <= prediction <= MAX_PREDICTION:
        raise AnswerRefused(Problem("bad_prediction", "prediction"))


def _apply_answers(attempt: Attempt, changes: Mapping[int, Sequence[int]], prediction: Any,
                   now: datetime) -> None:
    kinds = _kinds(attempt) if changes else {}
    resolved = {int(qid): _chosen_ids(attempt, int(qid), list(pos), kinds)
                for qid, pos in changes.items()}
    _check_prediction(prediction)
    if prediction not in (UNSET, None) and not attempt.round.prediction_enabled:
        # A round without the tie-break question ranks without predictions: none is kept.
        raise AnswerRefused(Problem("no_prediction", "prediction"))
    if resolved:
        attempt.answers = merge_answers(attempt.answers or {}, resolved)
    if prediction is not UNSET:
        attempt.prediction = prediction
    attempt.answers_saved_at = now


def save_answers(attempt: Attempt, changes: Mapping[int, Sequence[int]], now: datetime,
                 prediction: Any = UNSET,
                 grace_seconds: float = DEFAULT_GRACE_SECONDS, *, flush: bool = True) -> Attempt:
    """Save answers given so far; only the questions in ``changes`` are touched.

    ``changes`` maps question id to the chosen positions in the option order shown for the
    attempt (an empty list clears the question). ``prediction`` is left alone when UNSET.
    Raises :class:`AnswerRefused` (nothing saved) when the attempt is submitted, the answers
    are late or do not fit the paper.
    """
    attempt = _lock(attempt)
    if attempt.status != AttemptStatus.OPEN:
        raise AnswerRefused(Problem("submitted"))
    if _late(attempt, now, grace_seconds):
        raise AnswerRefused(Problem("too_late"))
    _apply_answers(attempt, changes, prediction, now)
    if flush:
        db.session.flush()
    return attempt


# --- submitting and scoring -----------------------------------------------------------------


@dataclass(frozen=True)
class SubmitOutcome:
    """What a submission did: ``already`` when the attempt had been scored before (nothing
    changed), ``late`` when the posted answers came after deadline + grace and were ignored.
    ``prediction_problem`` (``prediction_required`` or ``bad_prediction``) when the answers were
    saved but the attempt stays open until the entrant gives a readable prediction."""

    attempt: Attempt
    already: bool = False
    late: bool = False
    prediction_problem: str | None = None


def _score(attempt: Attempt, rnd: Round) -> tuple[float, float, int, dict[str, float]]:
    ids = [qid for qid, _ in attempt.draw]
    questions = drawn_questions(ids)
    items = [ItemKey(qid, questions[qid].kind,
                     {oid: weight for oid, (_, weight) in questions[qid].options.items()})
             for qid in ids]
    answers = {int(k): v for k, v in (attempt.answers or {}).items()}
    result = score_attempt(items, answers, rnd.multi_scoring)
    return (result.score, result.max_score, result.correct_count,
            {str(k): v for k, v in result.per_question.items()})


def _close(attempt: Attempt, submitted_at: datetime, auto: bool) -> bool:
    """Score the (locked) attempt and flip it to submitted; False if it already was.

    One conditional UPDATE writes the answers given with the submission, the scores and the
    status, only while the row is still open.
    """
    with db.session.no_autoflush:
        score, max_score, correct, items = _score(attempt, attempt.round)
        ended = min(submitted_at, effective_deadline(attempt))
        values = {
            "status": AttemptStatus.SUBMITTED, "submitted_at": submitted_at, "score": score,
            "max_score": max_score, "correct_count": correct, "item_scores": items,
            "time_ms": max(0, int((ended - attempt.started_at) / timedelta(milliseconds=1))),
            "auto_submitted": auto, "answers": attempt.answers,
            "answers_saved_at": attempt.answers_saved_at, "prediction": attempt.prediction,
        }
        flipped = db.session.execute(
            update(Attempt).where(Attempt.id == attempt.id, Attempt.status == AttemptStatus.OPEN)
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
    if flipped != 1:
        db.session.refresh(attempt)
        return False
    for name, value in values.items():  # the object now says what the row says
        set_committed_value(attempt, name, value)
    record_result(attempt)
    return True


def submit(attempt: Attempt, now: datetime, changes: Mapping[int, Sequence[int]] | None = None,
           prediction: Any = UNSET,
           grace_seconds: float = DEFAULT_GRACE_SECONDS) -> SubmitOutcome:
    """Submit the attempt with its last answers; idempotent.

    Before the deadline the round's prediction is required (given now or saved before).
    Within the grace after the deadline the answers are taken and a missing prediction stays
    None. Later, the posted answers are refused and the attempt is scored on what was saved
    (``late``). A second submission changes nothing (``already``). Raises
    :class:`AnswerRefused` for answers that do not fit the paper or a missing prediction.
    """
    attempt = _lock(attempt)
    if attempt.status != AttemptStatus.OPEN:
        return SubmitOutcome(attempt, already=True)
    if _late(attempt, now, grace_seconds):
        _close(attempt, effective_deadline(attempt), auto=True)
        return SubmitOutcome(attempt, late=True)
    given = attempt.prediction if prediction is UNSET else prediction
    if attempt.round.prediction_enabled and given is None and \
            now <= effective_deadline(attempt):
        raise AnswerRefused(Problem("prediction_required", "prediction"))
    _apply_answers(attempt, changes or {}, prediction, now)
    closed = _close(attempt, now, auto=False)
    return SubmitOutcome(attempt, already=not closed)


def save_and_submit(attempt: Attempt, changes: Mapping[int, Sequence[int]], now: datetime,
                    prediction: Any = UNSET, *, prediction_unreadable: bool = False,
                    grace_seconds: float = DEFAULT_GRACE_SECONDS) -> SubmitOutcome:
    """The paper's submit button: keep the posted answers, then submit.

    The answers are saved first, so that a missing or unreadable prediction loses nothing: the
    attempt then stays open and the outcome names the prediction's problem. Answers that come
    too late, or for an attempt already scored, are not saved and the submission reports that.
    Raises :class:`AnswerRefused` (``invalid``) for answers that do not fit the paper.
    """
    try:
        save_answers(attempt, changes, now, UNSET if prediction_unreadable else prediction,
                     grace_seconds, flush=False)
    except AnswerRefused as exc:
        if exc.code not in ("submitted", "too_late"):
            raise
    else:
        if prediction_unreadable:
            db.session.flush()
            return SubmitOutcome(attempt, prediction_problem="bad_prediction")
    try:
        return submit(attempt, now, grace_seconds=grace_seconds)
    except AnswerRefused as exc:
        if exc.code != "prediction_required":
            raise
        db.session.flush()
        return SubmitOutcome(attempt, prediction_problem=exc.code)


def settle_if_overdue(attempt: Attempt, now: datetime,
                      grace_seconds: float = DEFAULT_GRACE_SECONDS) -> bool:
    """Score an attempt left open past its deadline (+ grace) as it stands; True if it did.

    It counts as submitted at its deadline: when it is noticed must not change the ranking.
    """
    if not is_overdue(attempt, now, grace_seconds):
        return False
    attempt = _lock(attempt)
    if not is_overdue(attempt, now, grace_seconds):
        return False
    return _close(attempt, effective_deadline(attempt), auto=True)


def close_overdue(now: datetime, round_id: int | None = None, *,
                  grace_seconds: float = DEFAULT_GRACE_SECONDS, limit: int | None = None) -> int:
    """Score every attempt left open past its deadline (+ grace); return how many.

    With ``round_id``, only that round's. ``limit`` caps one batch (the CLI commits per batch).
    Attempts another transaction is saving or submitting at this moment are skipped: that
    transaction settles them itself. Run it at least ``grace_seconds`` after a round's close
    before finalising the round.
    """
    cutoff = now - timedelta(seconds=grace_seconds)
    query = (
        select(Attempt).join(Round, Attempt.round_id == Round.id)
        .where(Attempt.status == AttemptStatus.OPEN,
               or_(Attempt.deadline_at < cutoff, Round.closes_at < cutoff))
        .order_by(Attempt.id)
        .with_for_update(of=Attempt, skip_locked=True, key_share=True)
    )
    if round_id is not None:
        query = query.where(Attempt.round_id == round_id)
    if limit is not None:
        query = query.limit(limit)
    count = 0
    for attempt in db.session.execute(query).scalars().all():
        if is_overdue(attempt, now, grace_seconds) and \
                _close(attempt, effective_deadline(attempt), auto=True):
            count += 1
    return count


def _as_result(attempt_id: int, user_id: int, score: float, max_score: float, time_ms: int,
               submitted_at: datetime) -> ranking.AttemptResult:
    return ranking.AttemptResult(attempt_id, user_id, score, max_score, time_ms, submitted_at)


def _insert_ignoring_conflict(values: dict[str, Any]) -> Result | None:
    """INSERT the result row unless the (round, user) row exists; the new row, or None."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the supported databases are the two above
        exists = db.session.execute(
            select(Result.id).where(Result.round_id == values["round_id"],
                                    Result.user_id == values["user_id"])
        ).first()
        if exists:
            return None
        row = Result(**values)
        db.session.add(row)
        db.session.flush()
        return row
    stmt = insert(Result).values(**values).on_conflict_do_nothing(
        index_elements=["round_id", "user_id"]
    ).returning(Result)
    return db.session.execute(
        stmt, execution_options={"populate_existing": True}).scalar_one_or_none()


def _locked_result(round_id: int, user_id: int) -> Result | None:
    return db.session.execute(
        select(Result).where(Result.round_id == round_id, Result.user_id == user_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def record_result(attempt: Attempt) -> Result:
    """Create or update the entrant's result in the round from a just-scored attempt.

    The result follows the best submitted attempt (:func:`ranking.better`: higher score, then
    shorter time, then earlier submission) and carries its prediction; ``attempts_count``
    counts submitted attempts. Safe when two attempts of one entrant are submitted at once.
    """
    user = db.session.get(User, attempt.user_id)
    unit_id = user.unit_id if user else None
    perfect = round(attempt.score, SCORE_DECIMALS) == round(attempt.max_score, SCORE_DECIMALS)
    values = dict(
        round_id=attempt.round_id, user_id=attempt.user_id, unit_id=unit_id,
        best_attempt_id=attempt.id, attempts_count=1, score=attempt.score,
        max_score=attempt.max_score, time_ms=attempt.time_ms,
        submitted_at=attempt.submitted_at, prediction=attempt.prediction, perfect=perfect,
        excluded=False, exclusion_reason="", tied=False,
    )
    result = _locked_result(attempt.round_id, attempt.user_id)
    if result is None:
        inserted = _insert_ignoring_conflict(values)
        if inserted is not None:
            return inserted
        # Another submission of this entrant created the row meanwhile: update it as below.
        result = _locked_result(attempt.round_id, attempt.user_id)
        assert result is not None
    # The row is locked and this attempt was flipped to submitted exactly once just before.
    result.attempts_count += 1
    result.unit_id = unit_id
    new = _as_result(attempt.id, attempt.user_id, attempt.score, attempt.max_score,
                     attempt.time_ms, attempt.submitted_at)
    best = _as_result(result.best_attempt_id, result.user_id, result.score, result.max_score,
                      result.time_ms, result.submitted_at)
    if result.best_attempt_id != attempt.id and ranking.better(new, best):
        result.best_attempt_id = attempt.id
        result.score = attempt.score
        result.max_score = attempt.max_score
        result.time_ms = attempt.time_ms
        result.submitted_at = attempt.submitted_at
        result.prediction = attempt.prediction
        result.perfect = perfect
    db.session.flush()
    return result


# --- what the pages show --------------------------------------------------------------------


@dataclass(frozen=True)
class PaperItem:
    """One question as the entrant sees it: no weights, no option ids."""

    number: int
    question_id: int
    kind: str
    text: str
    text_format: str
    options: tuple[str, ...]  # option texts in the drawn order; answers are their positions
    chosen: frozenset[int]  # chosen positions


@dataclass(frozen=True)
class Paper:
    attempt_id: int
    items: tuple[PaperItem, ...]
    prediction: int | None
    prediction_enabled: bool
    prediction_text: str  # "" means the default wording

    @property
    def answered(self) -> int:
        return sum(1 for item in self.items if item.chosen)


def paper_for(attempt: Attempt) -> Paper:
    """The attempt's paper in its drawn order, with the answers saved so far."""
    questions = drawn_questions([qid for qid, _ in attempt.draw])
    answers = attempt.answers or {}
    items = []
    for number, (qid, shown) in enumerate(attempt.draw, start=1):
        question = questions[qid]
        text_of = {oid: text for oid, (text, _) in question.options.items()}
        chosen = set(answers.get(str(qid), []))
        items.append(PaperItem(
            number=number, question_id=qid, kind=question.kind, text=question.text,
            text_format=question.text_format,
            options=tuple(text_of.get(oid, "") for oid in shown),
            chosen=frozenset(pos for pos, oid in enumerate(shown) if oid in chosen),
        ))
    rnd = attempt.round
    return Paper(attempt.id, tuple(items), attempt.prediction, rnd.prediction_enabled,
                 rnd.prediction_text or "")


@dataclass(frozen=True)
class ReviewOption:
    text: str
    chosen: bool
    correct: bool  # part of the key: a positive weight
    fraction: float


@dataclass(frozen=True)
class ReviewItem:
    """A question after the round: the entrant's answer beside the key, and why."""

    number: int
    kind: str
    text: str
    text_format: str
    options: tuple[ReviewOption, ...]
    points: float
    full: bool
    explanation: str
    source: str


def _in_key(kind: str, fraction: float) -> bool:
    # Multiple answers: every option with a positive weight; otherwise the full-mark option.
    return fraction > 0 if kind == "multiple" else fraction >= 1 - 1e-6


def review_for(attempt: Attempt) -> list[ReviewItem]:
    """The submitted attempt with the correct answers; only for a round that has closed."""
    questions = drawn_questions([qid for qid, _ in attempt.draw])
    answers = attempt.answers or {}
    scores = attempt.item_scores or {}
    items = []
    for number, (qid, shown) in enumerate(attempt.draw, start=1):
        question = questions[qid]
        chosen = set(answers.get(str(qid), []))
        options = tuple(
            ReviewOption(question.options[oid][0], oid in chosen,
                         _in_key(question.kind, question.options[oid][1]),
                         question.options[oid][1])
            for oid in shown if oid in question.options
        )
        points = float(scores.get(str(qid), 0.0))
        items.append(ReviewItem(
            number=number, kind=question.kind, text=question.text,
            text_format=question.text_format, options=options, points=points,
            full=points >= 1.0 - 1e-9, explanation=question.explanation,
            source=question.source,
        ))
    return items
