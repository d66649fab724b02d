"""Round life cycle on the server clock, and the organizer's rules service for quiz rounds.

A round is created as a draft, opened (at its set time, or early), possibly extended, and closed
(by the clock or by hand). Its rules are frozen once the first attempt starts
(``Round.first_started_at``); from then on only the close time may move, and only later.

Functions here raise :class:`RoundError` with problem codes (never sentences): the views turn the
codes into messages in the reader's language (:mod:`contest.quiz.messages`). Every change is
recorded in the audit trail here, whoever asks for it (a page or a script). They add and flush;
the caller commits.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Select, select, update
from sqlalchemy.orm import joinedload

from contest import audit
from contest.accounts.forms import age_on
from contest.accounts.models import User
from contest.extensions import db
from contest.problems import Problem, Refused
from contest.quiz import draw
from contest.quiz.models import (
    Question,
    QuestionExposure,
    Round,
    RoundQuestion,
    RoundQuota,
    RoundStatus,
    Topic,
)
from contest.quiz.scoring import METHODS
from contest.timeutil import to_local

__all__ = [
    "DEFAULT_PRIZE_TIERS",
    "PROFILE_FIELDS",
    "Phase",
    "Problem",
    "RoundError",
    "RoundRules",
    "age_reference_date",
    "clone_round",
    "close_round",
    "create_round",
    "eligibility",
    "extend_round",
    "is_locked",
    "is_public",
    "mark_started",
    "missing_fields",
    "open_round",
    "phase",
    "pool_problems",
    "public_round",
    "public_rounds",
    "question_count",
    "quota_availability",
    "quota_pools",
    "rules_problems",
    "update_round",
]

# Profile fields a round may require, in the order they are listed to organizers.
PROFILE_FIELDS = ("unit_id", "gender", "ethnicity", "birth_date", "email", "citizen_id", "phone")
DEFAULT_PRIZE_TIERS: list[tuple[str, int]] = [
    ("first", 1), ("second", 2), ("third", 5), ("consolation", 8),
]
MIN_TIME_LIMIT_SECONDS = 60
MAX_ATTEMPTS = 100
MAX_QUESTIONS = 200


class Phase(enum.StrEnum):
    DRAFT = "draft"  # being prepared, invisible to the public
    UPCOMING = "upcoming"  # opened by the organizer, opens_at still ahead
    RUNNING = "running"  # attempts may start and be submitted
    CLOSED = "closed"  # past its close (or closed by hand), results not yet published
    PUBLISHED = "published"  # results and prizes public


def phase(rnd: Round, now: datetime) -> Phase:
    """The phase of ``rnd`` at ``now``; closing is decided by the clock, not by a job."""
    if rnd.status == RoundStatus.DRAFT:
        return Phase.DRAFT
    if rnd.status == RoundStatus.PUBLISHED:
        return Phase.PUBLISHED
    if rnd.status == RoundStatus.CLOSED or now >= rnd.closes_at:
        return Phase.CLOSED
    if now < rnd.opens_at:
        return Phase.UPCOMING
    return Phase.RUNNING


def is_public(rnd: Round) -> bool:
    """Whether the public may see ``rnd``: every round but a draft.

    The one rule of visibility for the quiz pages, the public pages and the API. Given the
    class ``Round`` instead of a round it is the same rule as an SQL condition, which is how
    :func:`public_rounds` uses it.
    """
    return rnd.status != RoundStatus.DRAFT


def public_rounds() -> Select[tuple[Round]]:
    """A query of the rounds the public may see (:func:`is_public`); callers add the order."""
    return select(Round).where(is_public(Round))  # type: ignore[arg-type]


def public_round(round_id: int) -> Round | None:
    """The round if the public may see it, else None."""
    # With its quotas, which the round page and a start both read.
    rnd = db.session.execute(
        select(Round).where(Round.id == round_id).options(joinedload(Round.quotas))
    ).unique().scalar_one_or_none()
    return rnd if rnd is not None and is_public(rnd) else None


class RoundError(Refused):
    """A round change the rules refuse; nothing has been changed."""


@dataclass
class RoundRules:
    """Everything an organizer sets on a round, as plain values (times timezone-aware UTC).

    ``quotas`` maps topic id to the number of questions drawn from that topic and its sub-topics;
    ``fixed_question_ids`` is used instead when ``selection`` is ``"fixed"``.
    ``allow_exposed`` lets attempts draw questions whose keys an earlier round published
    (:mod:`contest.quiz.disclosure`); by default they draw only unexposed ones.
    """

    title: str
    opens_at: datetime
    closes_at: datetime
    rules: str = ""
    selection: str = "quota"
    quotas: dict[int, int] = field(default_factory=dict)
    fixed_question_ids: list[int] = field(default_factory=list)
    shuffle_questions: bool = True
    shuffle_options: bool = True
    time_limit_seconds: int = 20 * 60
    attempts_allowed: int = 1
    multi_scoring: str = "all_or_nothing"
    prediction_enabled: bool = True
    prediction_text: str = ""
    min_age: int | None = None
    required_fields: list[str] = field(default_factory=list)
    prize_tiers: list[tuple[str, int]] = field(default_factory=lambda: list(DEFAULT_PRIZE_TIERS))
    allow_exposed: bool = False

    @classmethod
    def of(cls, rnd: Round) -> RoundRules:
        """The rules currently set on ``rnd``."""
        return cls(
            title=rnd.title,
            opens_at=rnd.opens_at,
            closes_at=rnd.closes_at,
            rules=rnd.rules or "",
            selection=rnd.selection,
            quotas={q.topic_id: q.count for q in rnd.quotas},
            fixed_question_ids=[q.question_id for q in rnd.fixed_questions],
            shuffle_questions=rnd.shuffle_questions,
            shuffle_options=rnd.shuffle_options,
            time_limit_seconds=rnd.time_limit_seconds,
            attempts_allowed=rnd.attempts_allowed,
            multi_scoring=rnd.multi_scoring,
            prediction_enabled=rnd.prediction_enabled,
            prediction_text=rnd.prediction_text or "",
            min_age=rnd.min_age,
            required_fields=list(rnd.required_fields or []),
            prize_tiers=[(str(name), int(places)) for name, places in rnd.prize_tiers or []],
            allow_exposed=bool(rnd.allow_exposed),
        )

    @property
    def question_count(self) -> int:
        if self.selection == "fixed":
            return len(self.fixed_question_ids)
        return sum(self.quotas.values())


def question_count(rnd: Round) -> int:
    """How many questions each attempt of ``rnd`` has."""
    if rnd.selection == "fixed":
        return len(rnd.fixed_questions)
    return sum(q.count for q in rnd.quotas)


def rules_problems(rules: RoundRules) -> list[Problem]:
    """Problems with the rules themselves (not with the question bank); empty when consistent."""
    problems: list[Problem] = []
    if not rules.title.strip():
        problems.append(Problem("title_missing"))
    if rules.closes_at <= rules.opens_at:
        problems.append(Problem("closes_before_opens"))
    if rules.time_limit_seconds < MIN_TIME_LIMIT_SECONDS:
        problems.append(Problem("time_limit_too_short"))
    if not 1 <= rules.attempts_allowed <= MAX_ATTEMPTS:
        problems.append(Problem("attempts_out_of_range", params={"max": MAX_ATTEMPTS}))
    if rules.multi_scoring not in METHODS:
        problems.append(Problem("unknown_scoring"))
    if rules.min_age is not None and not 0 <= rules.min_age <= 120:
        problems.append(Problem("min_age_out_of_range"))
    unknown = [f for f in rules.required_fields if f not in PROFILE_FIELDS]
    if unknown:
        problems.append(Problem("unknown_field", params={"fields": ", ".join(unknown)}))
    names = [name for name, _ in rules.prize_tiers]
    if len(set(names)) != len(names) or any(not n or len(n) > 20 for n in names):
        problems.append(Problem("bad_prize_tiers"))
    if any(places < 0 for _, places in rules.prize_tiers):
        problems.append(Problem("bad_prize_tiers"))
    if rules.selection == "quota":
        if not rules.quotas or any(c < 1 for c in rules.quotas.values()):
            problems.append(Problem("no_questions"))
    elif rules.selection == "fixed":
        if not rules.fixed_question_ids:
            problems.append(Problem("no_questions"))
        elif len(set(rules.fixed_question_ids)) != len(rules.fixed_question_ids):
            problems.append(Problem("fixed_repeats"))
    else:
        problems.append(Problem("no_questions"))
    if rules.question_count > MAX_QUESTIONS:
        problems.append(Problem("too_many_questions", params={"max": MAX_QUESTIONS}))
    # Two identical problem codes (bad tiers) say nothing more than one.
    unique: list[Problem] = []
    for p in problems:
        if p not in unique:
            unique.append(p)
    return unique


def _live_questions(include_exposed: bool = True):  # noqa: ANN202
    stmt = select(Question.id, Question.topic_id).where(
        Question.active.is_(True), Question.retired.is_(False)
    )
    if not include_exposed:
        stmt = stmt.where(Question.id.not_in(select(QuestionExposure.question_id)))
    return stmt


def quota_pools(quotas: Mapping[int, int], include_exposed: bool = True) -> dict[int, list[int]]:
    """The drawable question ids of each quota topic.

    A quota on a topic draws from the topic and its sub-topics. When a sub-topic has a quota of
    its own, its questions belong to that nearer quota only, so that no question sits in two
    pools and the quotas add up exactly. Only active, non-retired questions count, and without
    ``include_exposed`` only those whose key no round has published.
    """
    parents = dict(db.session.execute(select(Topic.id, Topic.parent_id)).all())
    owner_of: dict[int, int | None] = {}

    def owner(topic_id: int) -> int | None:
        if topic_id in owner_of:
            return owner_of[topic_id]
        seen: list[int] = []
        node: int | None = topic_id
        found: int | None = None
        while node is not None and node not in seen:
            if node in owner_of:
                found = owner_of[node]
                break
            seen.append(node)
            if node in quotas:
                found = node
                break
            node = parents.get(node)
        for visited in seen:
            owner_of[visited] = found
        return found

    pools: dict[int, list[int]] = {topic_id: [] for topic_id in quotas}
    for question_id, topic_id in db.session.execute(_live_questions(include_exposed)):
        quota_topic = owner(topic_id)
        if quota_topic is not None:
            pools[quota_topic].append(question_id)
    return pools


@dataclass(frozen=True)
class QuotaAvailability:
    """What a topic quota can draw from: all live questions, and those still unexposed."""

    topic_id: int
    topic: str
    wanted: int
    available: int
    unexposed: int


def quota_availability(quotas: Mapping[int, int]) -> list[QuotaAvailability]:
    """For the round form: per quota, how many questions it can draw, exposed or not."""
    known = {t for t in quotas if db.session.get(Topic, t) is not None}
    wanted = {t: c for t, c in quotas.items() if t in known}
    if not wanted:
        return []
    every = quota_pools(wanted)
    fresh = quota_pools(wanted, include_exposed=False)
    return [QuotaAvailability(t, _topic_label(t), c, len(every[t]), len(fresh[t]))
            for t, c in wanted.items()]


def _topic_label(topic_id: int) -> str:
    topic = db.session.get(Topic, topic_id)
    return topic.path_label if topic else f"#{topic_id}"


def pool_problems(rules: RoundRules) -> list[Problem]:
    """Problems drawing the rules' questions from today's bank (active, non-retired questions)."""
    if rules.selection == "fixed":
        wanted = set(rules.fixed_question_ids)
        live = set(
            db.session.execute(
                _live_questions().where(Question.id.in_(wanted))
            ).scalars()
        ) if wanted else set()
        missing = sorted(wanted - live)
        if missing:
            return [Problem("questions_unavailable", params={"ids": ", ".join(map(str, missing))})]
        if not wanted:
            return [Problem("no_questions")]
        exposed = [] if rules.allow_exposed else sorted(
            set(db.session.execute(
                select(QuestionExposure.question_id)
                .where(QuestionExposure.question_id.in_(wanted))
            ).scalars()))
        if exposed:
            return [Problem("questions_exposed", "allow_exposed",
                            params={"ids": ", ".join(map(str, exposed))})]
        return []
    unknown = [t for t in rules.quotas if db.session.get(Topic, t) is None]
    if unknown:
        return [Problem("unknown_topic")]
    pools = quota_pools(rules.quotas)
    sizes = {topic_id: len(ids) for topic_id, ids in pools.items()}
    problems = [
        Problem("quota_short", params={"topic": _topic_label(topic_id), "wanted": count,
                                "available": sizes.get(topic_id, 0)})
        for topic_id, count in sorted(rules.quotas.items())
        if count > sizes.get(topic_id, 0)
    ]
    if not problems and not rules.allow_exposed:
        fresh = quota_pools(rules.quotas, include_exposed=False)
        problems = [
            Problem("quota_exposed", "allow_exposed",
                    params={"topic": _topic_label(topic_id), "wanted": count,
                            "unexposed": len(fresh[topic_id]),
                            "available": sizes.get(topic_id, 0)})
            for topic_id, count in sorted(rules.quotas.items())
            if count > len(fresh[topic_id])
        ]
    if not problems and draw.check_quotas(sizes, rules.quotas):
        problems = [Problem("no_questions")]
    return problems


def is_locked(rnd: Round) -> bool:
    """True once an attempt has started: the rules may no longer change (the close time may)."""
    return rnd.first_started_at is not None


def _apply(rnd: Round, rules: RoundRules) -> None:
    rnd.title = rules.title.strip()
    rnd.rules = rules.rules
    rnd.opens_at = rules.opens_at
    rnd.closes_at = rules.closes_at
    rnd.selection = rules.selection
    rnd.shuffle_questions = rules.shuffle_questions
    rnd.shuffle_options = rules.shuffle_options
    rnd.time_limit_seconds = rules.time_limit_seconds
    rnd.attempts_allowed = rules.attempts_allowed
    rnd.multi_scoring = rules.multi_scoring
    rnd.prediction_enabled = rules.prediction_enabled
    rnd.prediction_text = rules.prediction_text.strip()
    rnd.min_age = rules.min_age
    rnd.required_fields = [f for f in PROFILE_FIELDS if f in rules.required_fields]
    rnd.prize_tiers = [[name, places] for name, places in rules.prize_tiers]
    rnd.allow_exposed = bool(rules.allow_exposed)
    if rules.selection == "quota":
        # Keep the rows of unchanged topics: deleting and re-inserting one (round, topic) pair in
        # a single flush would trip the unique constraint.
        existing = {q.topic_id: q for q in rnd.quotas}
        rnd.quotas = [
            _quota(existing.get(topic_id), topic_id, count)
            for topic_id, count in rules.quotas.items()
        ]
        rnd.fixed_questions = []
    else:
        existing_fixed = {q.question_id: q for q in rnd.fixed_questions}
        rows = []
        for position, question_id in enumerate(rules.fixed_question_ids, start=1):
            row = existing_fixed.get(question_id) or RoundQuestion(question_id=question_id)
            row.position = position
            rows.append(row)
        rnd.fixed_questions = rows
        rnd.quotas = []


def _quota(row: RoundQuota | None, topic_id: int, count: int) -> RoundQuota:
    row = row or RoundQuota(topic_id=topic_id)
    row.count = count
    return row


EXPOSURE_CODES = ("quota_exposed", "questions_exposed")


def _check(rules: RoundRules, with_pool: bool) -> None:
    """Refuse inconsistent rules; with ``with_pool`` also rules the bank cannot draw. A draft
    is checked against the bank for exposure only (the rest of the bank may still change):
    the form refuses a quota that the unexposed questions cannot fill."""
    problems = rules_problems(rules)
    if not problems:
        pool = pool_problems(rules)
        problems = pool if with_pool else [p for p in pool if p.code in EXPOSURE_CODES]
    if problems:
        raise RoundError(*problems)


def _exposure_event(rnd: Round, before: bool | None, actor_id: int | None) -> None:
    """Record a change of the round's choice about exposed questions."""
    if bool(rnd.allow_exposed) != bool(before) and (before is not None or rnd.allow_exposed):
        audit.record(actor_id, "round.allow_exposed", "quiz_round", rnd.id,
                     title=rnd.title, allowed=bool(rnd.allow_exposed))


def create_round(rules: RoundRules, actor_id: int | None = None) -> Round:
    """Create a draft round. The bank is checked only when the round is opened."""
    _check(rules, with_pool=False)
    rnd = Round(status=RoundStatus.DRAFT, created_by_id=actor_id)
    _apply(rnd, rules)
    db.session.add(rnd)
    db.session.flush()
    audit.record(actor_id, "round.create", "quiz_round", rnd.id, title=rnd.title)
    _exposure_event(rnd, None, actor_id)
    return rnd


def update_round(rnd: Round, rules: RoundRules, actor_id: int | None = None) -> None:
    """Change the rules of a round that nobody has started yet.

    Refused once an attempt has started (``locked``) and after the round is closed. A round
    that is already open must still be drawable from the bank after the change.
    """
    if is_locked(rnd):
        raise RoundError(Problem("locked"))
    if rnd.status in (RoundStatus.CLOSED, RoundStatus.PUBLISHED):
        raise RoundError(Problem("round_closed"))
    _check(rules, with_pool=rnd.status == RoundStatus.OPEN)
    before = bool(rnd.allow_exposed)
    _apply(rnd, rules)
    db.session.flush()
    audit.record(actor_id, "round.update", "quiz_round", rnd.id, title=rnd.title)
    _exposure_event(rnd, before, actor_id)


def clone_round(rnd: Round, title: str, now: datetime, actor_id: int | None = None) -> Round:
    """A new draft with the rules of ``rnd``.

    Rounds usually repeat weekly, so the window moves forward by whole weeks until it opens
    after ``now``. Nothing of the original's life (attempts, results, status) is copied.
    """
    rules = RoundRules.of(rnd)
    rules.title = title
    shift = timedelta(0)
    while rules.opens_at + shift <= now:
        shift += timedelta(weeks=1)
    rules.opens_at += shift
    rules.closes_at += shift
    clone = Round(status=RoundStatus.DRAFT, created_by_id=actor_id)
    _apply(clone, rules)
    db.session.add(clone)
    db.session.flush()
    audit.record(actor_id, "round.clone", "quiz_round", clone.id, source=rnd.id)
    _exposure_event(clone, None, actor_id)
    return clone


def open_round(rnd: Round, now: datetime, early: bool = False,
               actor_id: int | None = None) -> None:
    """Open a draft for entrants (at its set time, or now when ``early``).

    An open round that has not begun yet can be opened early too. Refused when the round is
    closed, its close time has passed, or today's bank cannot supply its questions.
    """
    if rnd.status in (RoundStatus.CLOSED, RoundStatus.PUBLISHED) or rnd.finalized_at:
        raise RoundError(Problem("round_closed"))
    if rnd.closes_at <= now:
        raise RoundError(Problem("close_passed"))
    if rnd.status == RoundStatus.OPEN and (not early or rnd.opens_at <= now):
        raise RoundError(Problem("already_open"))
    _check(RoundRules.of(rnd), with_pool=True)
    rnd.status = RoundStatus.OPEN
    if early and rnd.opens_at > now:
        rnd.opens_at = now
    db.session.flush()
    audit.record(actor_id, "round.open_early" if early else "round.open", "quiz_round", rnd.id)


def extend_round(rnd: Round, closes_at: datetime, now: datetime,
                 actor_id: int | None = None) -> None:
    """Move the close time later; the one change allowed after the first attempt.

    Attempts already under way keep their deadline.
    """
    if rnd.status in (RoundStatus.CLOSED, RoundStatus.PUBLISHED) or rnd.finalized_at:
        raise RoundError(Problem("round_closed"))
    if closes_at <= rnd.closes_at:
        raise RoundError(Problem("not_later"))
    if closes_at <= now:
        raise RoundError(Problem("close_passed"))
    previous = rnd.closes_at
    rnd.closes_at = closes_at
    db.session.flush()
    audit.record(actor_id, "round.extend", "quiz_round", rnd.id,
                 **{"from": previous.isoformat(), "to": closes_at.isoformat()})


def close_round(rnd: Round, now: datetime, actor_id: int | None = None) -> None:
    """Close the round now. Attempts under way end now too (after the usual grace)."""
    if rnd.status in (RoundStatus.CLOSED, RoundStatus.PUBLISHED):
        raise RoundError(Problem("round_closed"))
    if rnd.status == RoundStatus.DRAFT:
        raise RoundError(Problem("draft_round"))
    rnd.status = RoundStatus.CLOSED
    if rnd.opens_at < now < rnd.closes_at:
        rnd.closes_at = now
    db.session.flush()
    audit.record(actor_id, "round.close", "quiz_round", rnd.id)


def mark_started(rnd: Round, now: datetime) -> None:
    """Record the first start, which locks the rules (a no-op after the first time)."""
    if rnd.first_started_at is None:
        # A conditional UPDATE rather than a row lock: thousands start at once near the open.
        db.session.execute(
            update(Round)
            .where(Round.id == rnd.id, Round.first_started_at.is_(None))
            .values(first_started_at=now)
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(rnd, ["first_started_at"])


def age_reference_date(rnd: Round) -> date:
    """The day on which entrants must have reached the round's minimum age: its opening day.

    One fixed day for everyone in the round (Vietnam time), as contest rules usually state.
    """
    return to_local(rnd.opens_at).date()


def missing_fields(rnd: Round, user: User) -> list[str]:
    """Required profile fields that ``user`` has not filled in, in :data:`PROFILE_FIELDS` order.

    A minimum age makes the date of birth required too.
    """
    required = set(rnd.required_fields or [])
    if rnd.min_age:
        required.add("birth_date")
    return [f for f in PROFILE_FIELDS if f in required and not getattr(user, f, None)]


def eligibility(rnd: Round, user: User, now: datetime, attempts_used: int) -> Problem | None:
    """Why ``user`` may not start an attempt of ``rnd`` now, or None when they may.

    Codes, in the order checked: ``not_open`` (draft or not begun), ``closed``,
    ``missing_fields``, ``under_age``, ``no_attempts_left``; the params say what the message
    needs (the opening time, the missing fields, the age and its reference day, the attempts).
    """
    current = phase(rnd, now)
    if current in (Phase.DRAFT, Phase.UPCOMING):
        return Problem("not_open", params={"when": rnd.opens_at})
    if current != Phase.RUNNING:
        return Problem("closed")
    missing = missing_fields(rnd, user)
    if missing:
        return Problem("missing_fields", params={"fields": missing})
    if rnd.min_age and user.birth_date and \
            age_on(user.birth_date, age_reference_date(rnd)) < rnd.min_age:
        return Problem("under_age", params={"age": rnd.min_age, "day": age_reference_date(rnd)})
    if attempts_used >= rnd.attempts_allowed:
        return Problem("no_attempts_left", params={"n": rnd.attempts_allowed})
    return None
