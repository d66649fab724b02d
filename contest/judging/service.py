"""The rules of judging a writing contest, over the ORM: rubrics and their templates, judging
rounds, invitations to the jury, conflicts of interest, assignment of judges, score sheets,
aggregation, shortlists, prizes and publication, reminders and the score matrix.

Every function works in the current session and never commits: the caller commits the unit of
work, or rolls it back when a :class:`JudgingError` is raised. A refused change raises before
it writes anything, and its problems carry a ``code`` (for the reader's-language message), the
form ``field`` it concerns and ``params``.

The organizer console (contest.organizer.judging) and the judge's pages call these functions;
neither holds a rule of its own. Every change is recorded in the audit log; events of a round
have the subject ("judging_round", round id) so that a round's trail is one query.

Round life cycle: draft → open (judges score between ``opens_at`` and ``closes_at``) → closed
(scores frozen, results computed, shortlist or prizes decided) → published (nothing changes).
A closed round may be opened again until its shortlist is confirmed or it is published.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from contest import audit
from contest.accounts.models import Role, User, UserRole
from contest.audit import AuditEvent
from contest.extensions import db
from contest.judging import aggregate as agg
from contest.judging import assign as assigning
from contest.judging.models import (
    Assignment,
    Conflict,
    Criterion,
    EntryResult,
    Invitation,
    JudgingRound,
    JudgingRoundStatus,
    RoundEntry,
    RoundJudge,
    Rubric,
    ScoreSheet,
    SheetStatus,
)
from contest.problems import Problem, Refused
from contest.writing.models import (
    Category,
    Coauthor,
    ContestJuror,
    ContestStatus,
    Entry,
    EntryStatus,
    WritingContest,
)

# What alpha() returns: the figure and the numbers of entries, judges and values it rests on.
AlphaResult = agg.AlphaResult


def N_(message: str) -> str:  # noqa: N802 - the usual name of the gettext no-op marker
    """Mark a message for translation without translating it here."""
    return message


def _same(text: str) -> str:
    return text


# --- problems ------------------------------------------------------------------------------


class JudgingError(Refused):
    """A judging change the rules refuse; nothing has been changed."""


def _refuse(code: str, field_name: str | None = None, **params: Any) -> JudgingError:
    return JudgingError(Problem(code, field_name, params))


ROUND_SUBJECT = "judging_round"
CONTEST_SUBJECT = "writing_contest"
RUBRIC_SUBJECT = "judging_rubric"

AGGREGATION_METHODS = ("mean", "trimmed", "zscore")
PANELS = ("none", "category", "medium")
ADVANCEMENT = ("top_n", "threshold")
PRIZE_TIERS = ("A", "B", "C", "KK")

MAX_NAME = 200
MAX_TEXT = 5000
MAX_REASON = 500
MAX_CRITERIA = 20
MAX_LEVELS = 10
MAX_K = 20
MAX_PRIZES = 100
MAX_SCALE = 1000.0
MAX_POINTS = 1000.0
MAX_WEIGHT = 100.0
INVITATION_DAYS = 14

_OPEN_OR_CLOSED = (JudgingRoundStatus.OPEN, JudgingRoundStatus.CLOSED)
_CHANGEABLE = (JudgingRoundStatus.DRAFT, JudgingRoundStatus.OPEN)


def _round_event(actor_id: int | None, action: str, rnd: JudgingRound, reason: str = "",
                 **details: Any) -> None:
    audit.record(actor_id, action, ROUND_SUBJECT, rnd.id, reason[:MAX_REASON], **details)


def _contest_event(actor_id: int | None, action: str, contest_id: int, reason: str = "",
                   **details: Any) -> None:
    audit.record(actor_id, action, CONTEST_SUBJECT, contest_id, reason[:MAX_REASON], **details)


def _actor_id(actor: Any) -> int | None:
    if actor is None:
        return None
    return actor if isinstance(actor, int) else actor.id


def _clean_reason(reason: str | None, required: bool = True) -> str:
    text = (reason or "").strip()
    if required and not text:
        raise _refuse("reason_missing", "reason")
    if len(text) > MAX_REASON:
        raise _refuse("reason_too_long", "reason", max=MAX_REASON)
    return text


def _number(value: Any) -> float | None:
    """A finite number from a number or a typed text ("7,5" as in Vietnamese); else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", ".")
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
            return None
        number = float(text)
    else:
        return None
    return number if math.isfinite(number) else None


def normalise_name(text: str | None) -> str:
    """Names and outlets as compared for conflicts: Unicode NFC, trimmed, inner spaces
    collapsed, case-insensitive ("Báo  Nghệ An " and "báo nghệ an" are the same outlet)."""
    text = unicodedata.normalize("NFC", text or "")
    return " ".join(text.split()).casefold()


# --- rubrics -------------------------------------------------------------------------------


@dataclass
class CriterionInput:
    """One criterion as typed: ``levels`` are (points, text) pairs describing some values."""

    name: str
    description: str = ""
    weight: Any = 1.0
    max_points: Any = 10.0
    levels: list[tuple[Any, str]] = field(default_factory=list)

    @property
    def blank(self) -> bool:
        return not (self.name or "").strip() and not (self.description or "").strip() \
            and not self.levels


@dataclass
class RubricInput:
    name: str
    description: str = ""
    scale: Any = 10.0
    criteria: list[CriterionInput] = field(default_factory=list)

    @classmethod
    def of(cls, rubric: Rubric) -> RubricInput:
        return cls(
            name=rubric.name, description=rubric.description, scale=rubric.scale,
            criteria=[CriterionInput(c.name, c.description, c.weight, c.max_points,
                                     [(lv.get("points"), lv.get("text", "")) for lv in c.levels])
                      for c in rubric.criteria],
        )


# The seeded template; texts are msgids, translated when the template is created.
PRESS_AWARD_KEY = "press-award-10"
PRESS_AWARD = {
    "name": N_("Press award 10-point scale"),
    "description": N_("The scale of a provincial press award: discovery 5 points, style and "
                      "form 3, social meaning and impact 2. The weights are equal, so the total "
                      "is the plain sum of the points, out of 10."),
    "scale": 10.0,
    "criteria": [
        (N_("Discovery"), N_("New facts, a new angle, a question nobody had asked."), 5.0),
        (N_("Style and form"), N_("Structure, language, images and sound; the craft of the "
                                  "genre."), 3.0),
        (N_("Social meaning and impact"), N_("What the work changed or can change for women's "
                                             "part in politics."), 2.0),
    ],
}


def rubric_problems(data: RubricInput) -> list[Problem]:
    """Everything wrong with ``data``; an empty list when it can be saved."""
    problems: list[Problem] = []
    name = (data.name or "").strip()
    if not name:
        problems.append(Problem("name_missing", "name"))
    elif len(name) > MAX_NAME:
        problems.append(Problem("name_too_long", "name", {"max": MAX_NAME}))
    if len(data.description or "") > MAX_TEXT:
        problems.append(Problem("text_too_long", "description", {"max": MAX_TEXT}))
    scale = _number(data.scale)
    if scale is None or not 0 < scale <= MAX_SCALE:
        problems.append(Problem("scale_out_of_range", "scale", {"max": MAX_SCALE}))
    rows = [(i, c) for i, c in enumerate(data.criteria) if not c.blank]
    if not rows:
        problems.append(Problem("no_criteria", None))
    if len(rows) > MAX_CRITERIA:
        problems.append(Problem("too_many_criteria", None, {"max": MAX_CRITERIA}))
    seen: set[str] = set()
    for i, c in rows:
        prefix = f"criteria-{i}-"
        cname = (c.name or "").strip()
        if not cname:
            problems.append(Problem("name_missing", prefix + "name"))
        elif len(cname) > MAX_NAME:
            problems.append(Problem("name_too_long", prefix + "name", {"max": MAX_NAME}))
        elif normalise_name(cname) in seen:
            problems.append(Problem("criterion_name_taken", prefix + "name"))
        seen.add(normalise_name(cname))
        if len(c.description or "") > MAX_TEXT:
            problems.append(Problem("text_too_long", prefix + "description", {"max": MAX_TEXT}))
        weight = _number(c.weight)
        if weight is None or not 0 < weight <= MAX_WEIGHT:
            problems.append(Problem("weight_out_of_range", prefix + "weight",
                                    {"max": MAX_WEIGHT}))
        top = _number(c.max_points)
        if top is None or not 0 < top <= MAX_POINTS:
            problems.append(Problem("max_points_out_of_range", prefix + "max_points",
                                    {"max": MAX_POINTS}))
            top = None
        if len(c.levels) > MAX_LEVELS:
            problems.append(Problem("too_many_levels", prefix + "levels", {"max": MAX_LEVELS}))
        for points, text in c.levels:
            value = _number(points)
            if value is None or value < 0 or (top is not None and value > top):
                problems.append(Problem("level_out_of_range", prefix + "levels",
                                        {"points": str(points), "max": top or 0}))
            if not (text or "").strip() or len(text) > MAX_REASON:
                problems.append(Problem("level_text", prefix + "levels",
                                        {"points": str(points), "max": MAX_REASON}))
    return problems


def _criteria_values(data: RubricInput) -> list[dict[str, Any]]:
    return [
        {"name": c.name.strip(), "description": (c.description or "").strip(),
         "weight": _number(c.weight), "max_points": _number(c.max_points),
         "levels": sorted(({"points": _number(p), "text": t.strip()} for p, t in c.levels),
                          key=lambda lv: lv["points"])}
        for c in data.criteria if not c.blank
    ]


def _rubric_snapshot(rubric: Rubric) -> dict[str, Any]:
    return {"name": rubric.name, "scale": rubric.scale,
            "criteria": [{"id": c.id, "name": c.name, "weight": c.weight,
                          "max_points": c.max_points} for c in rubric.criteria]}


def rounds_using(rubric: Rubric) -> list[JudgingRound]:
    return list(db.session.execute(
        select(JudgingRound).where(JudgingRound.rubric_id == rubric.id)
    ).scalars())


def _submitted_sheets_in(round_ids: Sequence[int]) -> int:
    if not round_ids:
        return 0
    return db.session.execute(
        select(func.count()).select_from(ScoreSheet)
        .join(Assignment, Assignment.id == ScoreSheet.assignment_id)
        .where(Assignment.round_id.in_(round_ids), ScoreSheet.status == SheetStatus.SUBMITTED)
    ).scalar_one()


def rubric_locked(rubric: Rubric) -> bool:
    """A rubric cannot change once a sheet scored with it is submitted, or its round closed."""
    rounds = rounds_using(rubric)
    if any(r.status not in _CHANGEABLE for r in rounds):
        return True
    return _submitted_sheets_in([r.id for r in rounds]) > 0


def create_rubric(data: RubricInput, actor_id: int | None, *, template: bool = True) -> Rubric:
    """A new rubric (a template unless ``template`` is False)."""
    if problems := rubric_problems(data):
        raise JudgingError(*problems)
    rubric = Rubric(name=data.name.strip(), description=(data.description or "").strip(),
                    scale=_number(data.scale), is_template=template)
    for position, values in enumerate(_criteria_values(data)):
        rubric.criteria.append(Criterion(position=position, **values))
    db.session.add(rubric)
    db.session.flush()
    audit.record(actor_id, "judging.rubric.create", RUBRIC_SUBJECT, rubric.id,
                 new=_rubric_snapshot(rubric))
    return rubric


def update_rubric(rubric: Rubric, data: RubricInput, actor_id: int | None) -> None:
    """Change a rubric. Criteria are matched by row: the n-th row changes the n-th criterion,
    so that points already given in draft sheets stay with their criterion."""
    if rubric_locked(rubric):
        raise _refuse("rubric_locked")
    if problems := rubric_problems(data):
        raise JudgingError(*problems)
    before = _rubric_snapshot(rubric)
    rubric.name = data.name.strip()
    rubric.description = (data.description or "").strip()
    rubric.scale = _number(data.scale)
    values = _criteria_values(data)
    kept = list(rubric.criteria)
    for position, row in enumerate(values):
        if position < len(kept):
            criterion = kept[position]
            for key, value in row.items():
                setattr(criterion, key, value)
            criterion.position = position
        else:
            rubric.criteria.append(Criterion(position=position, **row))
    for criterion in kept[len(values):]:
        rubric.criteria.remove(criterion)
    db.session.flush()
    audit.record(actor_id, "judging.rubric.update", RUBRIC_SUBJECT, rubric.id,
                 old=before, new=_rubric_snapshot(rubric))


def copy_rubric(source: Rubric, actor_id: int | None, *, template: bool,
                name: str | None = None) -> Rubric:
    """A copy of ``source`` with its criteria; used to give a round its own rubric."""
    rubric = Rubric(name=(name or source.name)[:MAX_NAME], description=source.description,
                    scale=source.scale, is_template=template)
    for c in source.criteria:
        rubric.criteria.append(Criterion(position=c.position, name=c.name,
                                         description=c.description, weight=c.weight,
                                         max_points=c.max_points,
                                         levels=[dict(lv) for lv in c.levels]))
    db.session.add(rubric)
    db.session.flush()
    audit.record(actor_id, "judging.rubric.copy", RUBRIC_SUBJECT, rubric.id, source=source.id)
    return rubric


def delete_template(rubric: Rubric, actor_id: int | None) -> None:
    """Remove a template; rounds hold copies, so no round loses its rubric."""
    if not rubric.is_template or rounds_using(rubric):
        raise _refuse("not_a_template")
    audit.record(actor_id, "judging.rubric.delete", RUBRIC_SUBJECT, rubric.id,
                 old=_rubric_snapshot(rubric))
    db.session.delete(rubric)
    db.session.flush()


def templates() -> list[Rubric]:
    return list(db.session.execute(
        select(Rubric).where(Rubric.is_template.is_(True))
        .options(selectinload(Rubric.criteria)).order_by(Rubric.name, Rubric.id)
    ).scalars())


def seed_templates(translate: Callable[[str], str] = _same) -> int:
    """Create the shipped templates that were never created; returns how many were made.

    A seeded template is created once per installation (the audit log remembers it), so an
    organizer who renames or deletes it is not overruled.
    """
    done = db.session.execute(
        select(AuditEvent.id).where(AuditEvent.action == "judging.rubric.seed",
                                    AuditEvent.subject_id == PRESS_AWARD_KEY).limit(1)
    ).first()
    if done:
        return 0
    data = RubricInput(
        name=translate(PRESS_AWARD["name"]), description=translate(PRESS_AWARD["description"]),
        scale=PRESS_AWARD["scale"],
        criteria=[CriterionInput(translate(n), translate(d), 1.0, top)
                  for n, d, top in PRESS_AWARD["criteria"]],
    )
    rubric = create_rubric(data, None, template=True)
    audit.record(None, "judging.rubric.seed", "judging_seed", PRESS_AWARD_KEY, rubric=rubric.id)
    return 1


def use_template(rnd: JudgingRound, template: Rubric, actor_id: int | None) -> Rubric:
    """Give the round a fresh copy of ``template`` in place of its rubric."""
    _not_published(rnd)
    old = rnd.rubric
    if rubric_locked(old):
        raise _refuse("rubric_locked")
    rubric = copy_rubric(template, actor_id, template=False)
    rnd.rubric = rubric
    db.session.flush()
    # Draft sheets scored the old criteria; their points no longer mean anything.
    for sheet in _sheets_of(rnd):
        sheet.points, sheet.total = {}, None
    if not old.is_template and not [r for r in rounds_using(old) if r.id != rnd.id]:
        db.session.delete(old)
    db.session.flush()
    _round_event(actor_id, "judging.round.rubric", rnd, template=template.id, rubric=rubric.id,
                 old=_rubric_snapshot(old) if old else None)
    return rubric


# --- rounds --------------------------------------------------------------------------------


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
    problems: list[Problem] = []
    name = (data.name or "").strip()
    if not name:
        problems.append(Problem("name_missing", "name"))
    elif len(name) > MAX_NAME:
        problems.append(Problem("name_too_long", "name", {"max": MAX_NAME}))
    k = _number(data.judges_per_entry)
    if k is None or k != int(k) or not 1 <= k <= MAX_K:
        problems.append(Problem("k_out_of_range", "judges_per_entry", {"max": MAX_K}))
    if data.panels_by not in PANELS:
        problems.append(Problem("bad_choice", "panels_by"))
    if data.opens_at and data.closes_at and data.closes_at <= data.opens_at:
        problems.append(Problem("closes_before_opens", "closes_at"))
    if data.aggregation not in AGGREGATION_METHODS:
        problems.append(Problem("bad_choice", "aggregation"))
    threshold = _number(data.disagreement_threshold)
    if threshold is None or threshold < 0:
        problems.append(Problem("threshold_negative", "disagreement_threshold"))
    if data.advancement not in ADVANCEMENT:
        problems.append(Problem("bad_choice", "advancement"))
    value = _number(data.advancement_value)
    if data.advancement == "top_n" and (value is None or value != int(value) or value < 1):
        problems.append(Problem("top_n_positive", "advancement_value"))
    elif data.advancement == "threshold" and (value is None or value < 0):
        problems.append(Problem("threshold_negative", "advancement_value"))
    for tier in PRIZE_TIERS:
        count = _number((data.prize_counts or {}).get(tier, 0) or 0)
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
        "judges_per_entry": int(_number(data.judges_per_entry)),
        "panels_by": data.panels_by,
        "opens_at": data.opens_at,
        "closes_at": data.closes_at,
        "judges_see_others": bool(data.judges_see_others),
        "aggregation": data.aggregation,
        "disagreement_threshold": _number(data.disagreement_threshold),
        "advancement": data.advancement,
        "advancement_value": _number(data.advancement_value),
        "prize_counts": {t: int(_number((data.prize_counts or {}).get(t, 0) or 0))
                         for t in PRIZE_TIERS},
    }


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def contest_rounds(contest: WritingContest) -> list[JudgingRound]:
    return list(db.session.execute(
        select(JudgingRound).where(JudgingRound.contest_id == contest.id)
        .order_by(JudgingRound.position)
    ).scalars())


def previous_round(rnd: JudgingRound) -> JudgingRound | None:
    return db.session.execute(
        select(JudgingRound).where(JudgingRound.contest_id == rnd.contest_id,
                                   JudgingRound.position < rnd.position)
        .order_by(JudgingRound.position.desc()).limit(1)
    ).scalar_one_or_none()


def next_round(rnd: JudgingRound) -> JudgingRound | None:
    return db.session.execute(
        select(JudgingRound).where(JudgingRound.contest_id == rnd.contest_id,
                                   JudgingRound.position > rnd.position)
        .order_by(JudgingRound.position).limit(1)
    ).scalar_one_or_none()


def awards_prizes(rnd: JudgingRound) -> bool:
    """A round that gives prizes (a final round): some tier has a count."""
    return any(int(n or 0) > 0 for n in (rnd.prize_counts or {}).values())


def create_round(contest: WritingContest, data: RoundInput, template: Rubric,
                 actor_id: int | None) -> JudgingRound:
    """A new round after the contest's last one, scored with a copy of ``template``."""
    if contest.status == ContestStatus.PUBLISHED:
        raise _refuse("contest_published")
    problems = round_problems(data)
    if not template.criteria:
        problems.append(Problem("no_criteria", "template"))
    if problems:
        raise JudgingError(*problems)
    last = db.session.execute(
        select(func.max(JudgingRound.position)).where(JudgingRound.contest_id == contest.id)
    ).scalar_one()
    rubric = copy_rubric(template, actor_id, template=False)
    rnd = JudgingRound(contest_id=contest.id, position=(last or 0) + 1, rubric=rubric,
                       status=JudgingRoundStatus.DRAFT, **_round_values(data))
    db.session.add(rnd)
    db.session.flush()
    _round_event(actor_id, "judging.round.create", rnd,
                 new={k: _jsonable(v) for k, v in _round_values(data).items()},
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
    _not_published(rnd)
    if problems := round_problems(data):
        raise JudgingError(*problems)
    new = _round_values(data)
    old = {k: getattr(rnd, k) for k in new}
    old["prize_counts"] = {t: int((rnd.prize_counts or {}).get(t, 0) or 0) for t in PRIZE_TIERS}
    changed = {k for k in new if new[k] != old[k]}
    if rnd.status != JudgingRoundStatus.DRAFT:
        allowed = _EDITABLE_OPEN if rnd.status == JudgingRoundStatus.OPEN else _EDITABLE_CLOSED
        if fixed := sorted(changed - allowed):
            raise JudgingError(*[Problem("fixed_after_open", k) for k in fixed])
        if "closes_at" in changed and new["closes_at"] is not None and new["closes_at"] <= now:
            raise _refuse("close_in_past", "closes_at")
    # Other numbers give other scores, flags or prizes: computed again, prizes proposed again.
    recompute = {"aggregation", "disagreement_threshold", "prize_counts"} & changed
    if rnd.status == JudgingRoundStatus.CLOSED and changed - {"name"} and shortlist_confirmed(rnd):
        raise _refuse("shortlist_confirmed")
    if not changed:
        return
    for key in changed:
        setattr(rnd, key, new[key])
    db.session.flush()
    _round_event(actor_id, "judging.round.update", rnd,
                 old={k: _jsonable(old[k]) for k in sorted(changed)},
                 new={k: _jsonable(new[k]) for k in sorted(changed)})
    if rnd.status == JudgingRoundStatus.CLOSED and recompute and rnd.aggregated_at:
        aggregate(rnd, actor_id, now)


def delete_round(rnd: JudgingRound, actor_id: int | None) -> None:
    """Remove a draft round that no later round follows."""
    if rnd.status != JudgingRoundStatus.DRAFT or next_round(rnd) is not None:
        raise _refuse("round_not_removable")
    before = previous_round(rnd)
    released = []
    if before is not None:
        # The shortlist sent to this round is undone with it.
        for result in _results(before):
            if result.advanced:
                result.advanced = False
                released.append(result.entry_id)
    _contest_event(actor_id, "judging.round.delete", rnd.contest_id, round=rnd.id,
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


def _lock(rnd: JudgingRound) -> None:
    """Hold the round's row until the unit of work ends (PostgreSQL), re-reading it, so that
    two organizers acting at once are served one after the other and see each other's change.
    SQLite serialises writers by itself."""
    db.session.execute(
        select(JudgingRound).where(JudgingRound.id == rnd.id).with_for_update()
        .execution_options(populate_existing=True)
    )


def _not_published(rnd: JudgingRound) -> None:
    if rnd.status == JudgingRoundStatus.PUBLISHED:
        raise _refuse("round_published")


def _changeable(rnd: JudgingRound) -> None:
    """Assignments change only before the round is closed."""
    _not_published(rnd)
    if rnd.status not in _CHANGEABLE:
        raise _refuse("round_closed")


def accepting_scores(rnd: JudgingRound, now: datetime) -> bool:
    """Whether judges may save and submit sheets at ``now`` (server clock)."""
    if rnd.status != JudgingRoundStatus.OPEN:
        return False
    if rnd.opens_at is not None and now < rnd.opens_at:
        return False
    return rnd.closes_at is None or now < rnd.closes_at


# --- entries and panels of a round ---------------------------------------------------------


def panel_of(rnd: JudgingRound, entry: Entry) -> str:
    """The sub-panel an entry is judged in: its category id, its medium, or "" (one panel)."""
    if rnd.panels_by == "category":
        return str(entry.category_id)
    if rnd.panels_by == "medium":
        return entry.category.medium
    return ""


def panels(rnd: JudgingRound) -> list[tuple[str, Category | None]]:
    """The round's sub-panels as (key, a category naming it); [("", None)] for one panel."""
    contest = db.session.get(WritingContest, rnd.contest_id)
    if rnd.panels_by == "category":
        return [(str(c.id), c) for c in contest.categories]
    if rnd.panels_by == "medium":
        seen: dict[str, Category] = {}
        for c in contest.categories:
            seen.setdefault(c.medium, c)
        return list(seen.items())
    return [("", None)]


def _entry_order() -> tuple[Any, ...]:
    # Entries are served in the order they were received (see contest.judging.assign).
    return (Entry.submitted_at, Entry.id)


def round_entries(rnd: JudgingRound) -> list[Entry]:
    """The entries judged in the round: for the first round, while it can still change, every
    submitted entry of the contest; otherwise those recorded for it (for a later round, the
    confirmed shortlist of the one before). Withdrawn or disqualified entries are left out."""
    stmt = select(Entry).where(Entry.contest_id == rnd.contest_id,
                               Entry.status == EntryStatus.SUBMITTED)
    if not (rnd.status in _CHANGEABLE and previous_round(rnd) is None):
        stmt = stmt.join(RoundEntry, (RoundEntry.entry_id == Entry.id)
                         & (RoundEntry.round_id == rnd.id))
    return list(db.session.execute(
        stmt.options(selectinload(Entry.coauthors), selectinload(Entry.category))
        .order_by(*_entry_order())
    ).scalars())


def excluded_entries(rnd: JudgingRound) -> list[Entry]:
    """Entries recorded for the round that are no longer judged (withdrawn, disqualified)."""
    return list(db.session.execute(
        select(Entry).join(RoundEntry, (RoundEntry.entry_id == Entry.id)
                           & (RoundEntry.round_id == rnd.id))
        .where(Entry.status != EntryStatus.SUBMITTED).order_by(*_entry_order())
    ).scalars())


def sync_round_entries(rnd: JudgingRound) -> None:
    """Record the round's entries and their panels (rows are kept when an entry is withdrawn or
    disqualified, so that reinstating it needs nothing more)."""
    rows = {r.entry_id: r for r in db.session.execute(
        select(RoundEntry).where(RoundEntry.round_id == rnd.id)).scalars()}
    for entry in round_entries(rnd):
        panel = panel_of(rnd, entry)
        row = rows.get(entry.id)
        if row is None:
            db.session.add(RoundEntry(round_id=rnd.id, entry_id=entry.id, panel=panel))
        elif row.panel != panel:
            row.panel = panel
    db.session.flush()


# --- the jury and the judges of a round ----------------------------------------------------


def jury(contest: WritingContest) -> list[User]:
    """Members of the contest's jury, by name."""
    return list(db.session.execute(
        select(User).join(ContestJuror, ContestJuror.user_id == User.id)
        .where(ContestJuror.contest_id == contest.id).order_by(User.full_name, User.id)
    ).scalars())


def _may_judge(user: User, contest_id: int) -> bool:
    return (user.is_active and user.has_role(Role.JUDGE)
            and db.session.get(ContestJuror, (contest_id, user.id)) is not None)


def round_judges(rnd: JudgingRound) -> list[tuple[User, RoundJudge]]:
    return [tuple(row) for row in db.session.execute(
        select(User, RoundJudge).join(RoundJudge, RoundJudge.judge_id == User.id)
        .where(RoundJudge.round_id == rnd.id).order_by(User.full_name, User.id)
    ).all()]


def set_round_judge(rnd: JudgingRound, user: User, panel: str, max_load: int | None,
                    actor_id: int | None) -> RoundJudge:
    """Seat a jury member on the round (on one sub-panel, or on all with ``panel`` ""), or
    change their panel or the most entries they take (None: no limit)."""
    _changeable(rnd)
    if not _may_judge(user, rnd.contest_id):
        raise _refuse("not_a_judge", "judge")
    if panel and panel not in {key for key, _c in panels(rnd)}:
        raise _refuse("bad_choice", "panel")
    if max_load is not None and not 0 <= max_load <= 10_000:
        raise _refuse("max_load_out_of_range", "max_load")
    row = db.session.get(RoundJudge, (rnd.id, user.id))
    old = None if row is None else {"panel": row.panel, "max_load": row.max_load}
    if row is None:
        row = RoundJudge(round_id=rnd.id, judge_id=user.id)
        db.session.add(row)
    row.panel, row.max_load = panel, max_load
    db.session.flush()
    _round_event(actor_id, "judging.judge.set", rnd, judge=user.id, old=old,
                 new={"panel": panel, "max_load": max_load})
    return row


def seat_jury(rnd: JudgingRound, actor_id: int | None) -> int:
    """Seat every jury member who may judge and is not on the round yet; returns how many."""
    _changeable(rnd)
    contest = db.session.get(WritingContest, rnd.contest_id)
    seated = {row.judge_id for _u, row in round_judges(rnd)}
    added = 0
    for user in jury(contest):
        if user.id not in seated and _may_judge(user, contest.id):
            set_round_judge(rnd, user, "", None, actor_id)
            added += 1
    return added


def remove_round_judge(rnd: JudgingRound, user_id: int, actor_id: int | None,
                       reason: str = "") -> int:
    """Take a judge off the round. Assignments they have not submitted go (their places are
    filled again by auto-assignment); submitted sheets stay and count. Returns how many went."""
    _changeable(rnd)
    row = db.session.get(RoundJudge, (rnd.id, user_id))
    if row is None:
        raise _refuse("not_on_round")
    removed = 0
    for a in db.session.execute(select(Assignment).where(
            Assignment.round_id == rnd.id, Assignment.judge_id == user_id)).scalars():
        if a.sheet is None or a.sheet.status != SheetStatus.SUBMITTED:
            _drop_assignment(a, actor_id, "judging.assignment.remove", reason)
            removed += 1
    db.session.delete(row)
    db.session.flush()
    _round_event(actor_id, "judging.judge.remove", rnd, reason, judge=user_id, removed=removed)
    return removed


# --- invitations ---------------------------------------------------------------------------

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_INVITE_SALT = "contest.judge-invitation"


def _signer(secret: str) -> Any:
    from itsdangerous import URLSafeSerializer

    return URLSafeSerializer(secret, salt=_INVITE_SALT)


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _new_token(secret: str) -> tuple[str, str]:
    """(the signed token for the link, the hash stored in place of its random part)."""
    raw = secrets.token_urlsafe(32)
    return _signer(secret).dumps(raw), _token_hash(raw)


def invitation_status(inv: Invitation, now: datetime) -> str:
    """"accepted", "expired" (or withdrawn) or "pending"."""
    if inv.accepted_at is not None:
        return "accepted"
    return "expired" if inv.expires_at <= now else "pending"


def invitations(contest: WritingContest) -> list[Invitation]:
    return list(db.session.execute(
        select(Invitation).where(Invitation.contest_id == contest.id)
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    ).scalars())


def _account_with(email: str) -> User | None:
    return db.session.execute(
        select(User).where(func.lower(User.email) == email, User.erased_at.is_(None))
    ).scalar_one_or_none()


def invite(contest: WritingContest, email: str, actor: Any, now: datetime, secret: str,
           days: int = INVITATION_DAYS) -> tuple[Invitation, str]:
    """Invite ``email`` to the contest's jury; returns the invitation and the token for the
    link (only its hash is stored, so the link cannot be shown again: resend makes a new one).
    """
    if contest.status == ContestStatus.PUBLISHED:
        raise _refuse("contest_published")
    address = (email or "").strip().lower()
    if not address:
        raise _refuse("email_missing", "email")
    if len(address) > 254 or not _EMAIL.match(address):
        raise _refuse("email_invalid", "email")
    user = _account_with(address)
    if user is not None and _may_judge(user, contest.id):
        raise _refuse("already_juror", "email")
    pending = db.session.execute(
        select(Invitation).where(Invitation.contest_id == contest.id,
                                 Invitation.email == address,
                                 Invitation.accepted_at.is_(None), Invitation.expires_at > now)
    ).first()
    if pending:
        raise _refuse("already_invited", "email")
    token, digest = _new_token(secret)
    inv = Invitation(contest_id=contest.id, email=address, token_hash=digest,
                     invited_by_id=_actor_id(actor), created_at=now,
                     expires_at=now + timedelta(days=days))
    db.session.add(inv)
    db.session.flush()
    _contest_event(_actor_id(actor), "judging.invitation.create", contest.id,
                   invitation=inv.id, email=address, expires_at=inv.expires_at.isoformat())
    return inv, token


def resend_invitation(inv: Invitation, actor: Any, now: datetime, secret: str,
                      days: int = INVITATION_DAYS) -> str:
    """A new link for an invitation not yet accepted (the old link stops working)."""
    if inv.accepted_at is not None:
        raise _refuse("invitation_used")
    contest = db.session.get(WritingContest, inv.contest_id)
    if contest.status == ContestStatus.PUBLISHED:
        raise _refuse("contest_published")
    token, digest = _new_token(secret)
    inv.token_hash = digest
    inv.expires_at = now + timedelta(days=days)
    db.session.flush()
    _contest_event(_actor_id(actor), "judging.invitation.resend", inv.contest_id,
                   invitation=inv.id, email=inv.email, expires_at=inv.expires_at.isoformat())
    return token


def withdraw_invitation(inv: Invitation, actor: Any, now: datetime) -> None:
    """Make an invitation's link stop working."""
    if inv.accepted_at is not None:
        raise _refuse("invitation_used")
    if inv.expires_at > now:
        inv.expires_at = now
    db.session.flush()
    _contest_event(_actor_id(actor), "judging.invitation.withdraw", inv.contest_id,
                   invitation=inv.id, email=inv.email)


def find_invitation(token: str, secret: str) -> Invitation | None:
    """The invitation a link's token names, or None for a forged or replaced token."""
    from itsdangerous import BadSignature

    try:
        raw = _signer(secret).loads(token or "")
    except BadSignature:
        return None
    if not isinstance(raw, str):
        return None
    return db.session.execute(
        select(Invitation).where(Invitation.token_hash == _token_hash(raw))
    ).scalar_one_or_none()


def _has_live_entry(contest_id: int, user_id: int) -> bool:
    live = (EntryStatus.DRAFT, EntryStatus.SUBMITTED)
    author = select(Entry.id).where(Entry.contest_id == contest_id, Entry.status.in_(live),
                                    Entry.author_id == user_id)
    coauthor = select(Entry.id).join(Coauthor, Coauthor.entry_id == Entry.id).where(
        Entry.contest_id == contest_id, Entry.status.in_(live), Coauthor.user_id == user_id)
    return db.session.execute(author.union(coauthor).limit(1)).first() is not None


def accept_invitation(token: str, user: User, now: datetime, secret: str) -> Invitation:
    """Accept an invitation as ``user``, whose account must have the invited e-mail address.

    Grants the judge role (unless held) and adds the user to the contest's jury.
    """
    inv = find_invitation(token, secret)
    if inv is None:
        raise _refuse("invitation_invalid")
    if inv.accepted_at is not None:
        if inv.accepted_by_id == user.id:
            return inv
        raise _refuse("invitation_used")
    if inv.expires_at <= now:
        raise _refuse("invitation_expired")
    if not user.email or user.email.strip().lower() != inv.email or user.erased_at:
        raise _refuse("email_mismatch", None, email=inv.email)
    contest = db.session.get(WritingContest, inv.contest_id)
    if contest.status == ContestStatus.PUBLISHED:
        raise _refuse("contest_published")
    if not contest.jury_may_enter and _has_live_entry(contest.id, user.id):
        raise _refuse("juror_has_entries")
    inv.accepted_at, inv.accepted_by_id = now, user.id
    if Role.JUDGE not in user.roles:
        user.role_rows.append(UserRole(role=Role.JUDGE, granted_by_id=inv.invited_by_id))
        audit.record(user.id, "role.grant", "user", user.id, "invitation", role=Role.JUDGE,
                     invitation=inv.id)
    if db.session.get(ContestJuror, (contest.id, user.id)) is None:
        db.session.add(ContestJuror(contest_id=contest.id, user_id=user.id))
    db.session.flush()
    _contest_event(user.id, "judging.invitation.accept", contest.id, invitation=inv.id,
                   user=user.id, email=inv.email)
    return inv


def mail_invitation(inv: Invitation, link: str) -> None:
    """E-mail the invitation's link, in the language of the request that sends it."""
    from flask_babel import format_datetime
    from flask_babel import gettext as _

    from contest.mail import send_mail

    contest = db.session.get(WritingContest, inv.contest_id)
    send_mail(
        inv.email,
        _("Invitation to judge: %(contest)s", contest=contest.title),
        _("Hello,\n\nYou are invited to the jury of the contest “%(contest)s”.\n\n"
          "Open this link to accept, logged in with an account that has this e-mail address "
          "(or register one first):\n%(link)s\n\n"
          "The link works until %(expires)s. If you did not expect this invitation, ignore "
          "this message.",
          contest=contest.title, link=link, expires=format_datetime(inv.expires_at, "short")),
    )


# --- conflicts of interest -----------------------------------------------------------------

AUTO_AUTHOR = "author"
AUTO_COAUTHOR = "coauthor"
AUTO_OUTLET = "outlet"
DECLARED_ENTRY = "declared_entry"
DECLARED_AUTHOR = "declared_author"
DECLARED_OUTLET = "declared_outlet"


@dataclass(frozen=True)
class ConflictReason:
    """Why a judge may not judge an entry: ``code`` is one of the AUTO_* or DECLARED_* names;
    ``conflict`` is the declaration for a declared conflict."""

    code: str
    conflict: Conflict | None = None


class _People:
    """Authors of entries and declared conflicts, loaded once for many (judge, entry) pairs."""

    def __init__(self, contest_id: int, entries: Iterable[Entry]) -> None:
        entries = list(entries)
        author_ids = {e.author_id for e in entries}
        self.authors: dict[int, User] = {
            u.id: u for u in db.session.execute(
                select(User).where(User.id.in_(author_ids))).scalars()
        } if author_ids else {}
        self.declared: dict[int, list[Conflict]] = defaultdict(list)
        for c in db.session.execute(
                select(Conflict).where(Conflict.contest_id == contest_id)).scalars():
            self.declared[c.judge_id].append(c)

    def reasons(self, judge: User, entry: Entry) -> list[ConflictReason]:
        found: list[ConflictReason] = []
        email = (judge.email or "").strip().lower()
        if entry.author_id == judge.id:
            found.append(ConflictReason(AUTO_AUTHOR))
        if any(c.user_id == judge.id or (email and (c.email or "").strip().lower() == email)
               for c in entry.coauthors):
            found.append(ConflictReason(AUTO_COAUTHOR))
        outlet = normalise_name(judge.outlet)
        if outlet and outlet == normalise_name(entry.outlet):
            found.append(ConflictReason(AUTO_OUTLET))
        author = self.authors.get(entry.author_id)
        names = {normalise_name(c.name) for c in entry.coauthors}
        if author is not None:
            names.add(normalise_name(author.full_name))
        for c in self.declared.get(judge.id, ()):
            if c.entry_id is not None:
                if c.entry_id == entry.id:
                    found.append(ConflictReason(DECLARED_ENTRY, c))
            elif c.author_name.strip():
                if normalise_name(c.author_name) in names:
                    found.append(ConflictReason(DECLARED_AUTHOR, c))
            elif c.outlet.strip() and normalise_name(c.outlet) == normalise_name(entry.outlet):
                found.append(ConflictReason(DECLARED_OUTLET, c))
        return found


def conflict_reasons(judge: User, entry: Entry) -> list[ConflictReason]:
    """Every reason ``judge`` may not judge ``entry``; empty when there is none."""
    return _People(entry.contest_id, [entry]).reasons(judge, entry)


def is_conflicted(judge: User, entry: Entry) -> bool:
    return bool(conflict_reasons(judge, entry))


def _round_judge_users(rnd: JudgingRound) -> list[User]:
    """Judges seated on the round, and any other judge holding one of its assignments."""
    ids = set(db.session.execute(
        select(RoundJudge.judge_id).where(RoundJudge.round_id == rnd.id)).scalars())
    ids |= set(db.session.execute(
        select(Assignment.judge_id).where(Assignment.round_id == rnd.id)).scalars())
    if not ids:
        return []
    return list(db.session.execute(select(User).where(User.id.in_(ids))).scalars())


def conflicted_pairs(rnd: JudgingRound) -> set[tuple[int, int]]:
    """(judge id, entry id) of every judge of the round with a conflict with an entry of it."""
    entries = round_entries(rnd) + excluded_entries(rnd)
    judges = _round_judge_users(rnd)
    people = _People(rnd.contest_id, entries)
    return {(j.id, e.id) for j in judges for e in entries if people.reasons(j, e)}


def contest_conflicts(contest: WritingContest) -> list[tuple[User, Entry, list[ConflictReason]]]:
    """Every conflict between a jury member (or a judge of a round) and a submitted entry."""
    entries = list(db.session.execute(
        select(Entry).where(Entry.contest_id == contest.id, Entry.status == EntryStatus.SUBMITTED)
        .options(selectinload(Entry.coauthors)).order_by(*_entry_order())
    ).scalars())
    judges = {u.id: u for u in jury(contest)}
    for rnd in contest_rounds(contest):
        judges.update({u.id: u for u in _round_judge_users(rnd)})
    people = _People(contest.id, entries)
    found = []
    for judge in sorted(judges.values(), key=lambda u: (u.full_name, u.id)):
        for entry in entries:
            if reasons := people.reasons(judge, entry):
                found.append((judge, entry, reasons))
    return found


def declared_conflicts(contest: WritingContest) -> list[tuple[Conflict, User, Entry | None]]:
    rows = db.session.execute(
        select(Conflict, User).join(User, User.id == Conflict.judge_id)
        .where(Conflict.contest_id == contest.id)
        .order_by(Conflict.declared_at.desc(), Conflict.id.desc())
    ).all()
    return [(c, u, db.session.get(Entry, c.entry_id) if c.entry_id else None) for c, u in rows]


def declare_conflict(judge: User, contest: WritingContest, entry: Entry | None = None,
                     author_name: str = "", outlet: str = "", reason: str = "", *,
                     actor: Any = None, now: datetime | None = None) -> Conflict:
    """Record a conflict of ``judge`` with one entry, an author (by full name, also matching
    co-authors) or an outlet. ``actor`` is who records it (the judge by default; an organizer
    may record what a judge told them).

    The judge's matching assignments in rounds not yet closed are withdrawn, with any sheet,
    whose values the audit log keeps; their places are filled by assigning again.
    """
    from contest.timeutil import utcnow

    now = now or utcnow()
    actor_id = _actor_id(actor) if actor is not None else judge.id
    reason = _clean_reason(reason)
    author_name = " ".join((author_name or "").split())
    outlet = " ".join((outlet or "").split())
    targets = sum(1 for t in (entry, author_name, outlet) if t)
    if targets != 1:
        raise _refuse("one_target")
    if entry is not None and entry.contest_id != contest.id:
        raise _refuse("no_such_entry", "entry")
    if len(author_name) > 120:
        raise _refuse("name_too_long", "author_name", max=120)
    if len(outlet) > 200:
        raise _refuse("name_too_long", "outlet", max=200)
    if db.session.get(ContestJuror, (contest.id, judge.id)) is None:
        raise _refuse("not_a_judge", "judge")
    for c in db.session.execute(select(Conflict).where(
            Conflict.contest_id == contest.id, Conflict.judge_id == judge.id)).scalars():
        if (c.entry_id == (entry.id if entry else None)
                and normalise_name(c.author_name) == normalise_name(author_name)
                and normalise_name(c.outlet) == normalise_name(outlet)):
            raise _refuse("already_declared")
    conflict = Conflict(contest_id=contest.id, judge_id=judge.id,
                        entry_id=entry.id if entry else None, author_name=author_name,
                        outlet=outlet, reason=reason, declared_at=now)
    db.session.add(conflict)
    db.session.flush()
    removed = []
    for rnd in contest_rounds(contest):
        if rnd.status in _CHANGEABLE:
            removed += drop_conflicted_assignments(rnd, actor_id, judge_id=judge.id)
    _contest_event(actor_id, "judging.conflict.declare", contest.id, reason, conflict=conflict.id,
                   judge=judge.id, entry=conflict.entry_id, author_name=author_name,
                   outlet=outlet, withdrawn=[r["assignment"] for r in removed])
    return conflict


def remove_conflict(conflict: Conflict, actor: Any, reason: str) -> None:
    """Delete a declaration made in error (an organizer's decision, with its reason)."""
    reason = _clean_reason(reason)
    _contest_event(_actor_id(actor), "judging.conflict.remove", conflict.contest_id, reason,
                   conflict=conflict.id, judge=conflict.judge_id, entry=conflict.entry_id,
                   author_name=conflict.author_name, outlet=conflict.outlet,
                   declared_reason=conflict.reason)
    db.session.delete(conflict)
    db.session.flush()


def judge_can_view_entry(judge: Any, entry: Entry, now: datetime) -> bool:
    """Whether ``judge`` may open ``entry`` (its blind page and cleaned files): they are
    assigned to it in a round that is open (from its opening time) or closed, they still hold
    the judge role, and they have no conflict with it. Published rounds no longer open it."""
    if not getattr(judge, "is_authenticated", False) or not judge.is_active:
        return False
    if not judge.has_role(Role.JUDGE) or entry.status != EntryStatus.SUBMITTED:
        return False
    rounds = db.session.execute(
        select(JudgingRound).join(Assignment, Assignment.round_id == JudgingRound.id)
        .where(Assignment.entry_id == entry.id, Assignment.judge_id == judge.id,
               JudgingRound.status.in_(_OPEN_OR_CLOSED))
    ).scalars().all()
    live = [r for r in rounds if r.status == JudgingRoundStatus.CLOSED
            or r.opens_at is None or now >= r.opens_at]
    return bool(live) and not is_conflicted(judge, entry)


def judge_can_see_scores(judge: Any, entry: Entry, rnd: JudgingRound, now: datetime) -> bool:
    """Whether ``judge`` may see the other judges' submitted scores of ``entry`` in ``rnd``:
    only where the round lets judges see each other's scores, once their own sheet for the
    entry is submitted, and never with a conflict."""
    if not rnd.judges_see_others or not judge_can_view_entry(judge, entry, now):
        return False
    own = db.session.execute(
        select(ScoreSheet.status).join(Assignment, Assignment.id == ScoreSheet.assignment_id)
        .where(Assignment.round_id == rnd.id, Assignment.entry_id == entry.id,
               Assignment.judge_id == judge.id)
    ).scalar_one_or_none()
    return own == SheetStatus.SUBMITTED


# --- assignment ----------------------------------------------------------------------------


def _sheet_snapshot(sheet: ScoreSheet | None) -> dict[str, Any] | None:
    if sheet is None:
        return None
    return {"status": sheet.status, "points": dict(sheet.points or {}), "total": sheet.total,
            "private_comment": sheet.private_comment, "entrant_comment": sheet.entrant_comment,
            "submitted_at": sheet.submitted_at.isoformat() if sheet.submitted_at else None}


def _drop_assignment(a: Assignment, actor_id: int | None, action: str,
                     reason: str = "") -> dict[str, Any]:
    details = {"assignment": a.id, "entry": a.entry_id, "judge": a.judge_id,
               "source": a.source, "sheet": _sheet_snapshot(a.sheet)}
    audit.record(actor_id, action, ROUND_SUBJECT, a.round_id, reason[:MAX_REASON], **details)
    db.session.delete(a)
    db.session.flush()
    return details


def assignments(rnd: JudgingRound) -> list[Assignment]:
    return list(db.session.execute(
        select(Assignment).where(Assignment.round_id == rnd.id)
        .options(selectinload(Assignment.sheet)).order_by(Assignment.id)
    ).scalars())


def _sheets_of(rnd: JudgingRound) -> list[ScoreSheet]:
    return [a.sheet for a in assignments(rnd) if a.sheet is not None]


def drop_conflicted_assignments(rnd: JudgingRound, actor_id: int | None,
                                judge_id: int | None = None) -> list[dict[str, Any]]:
    """Withdraw assignments of a round not yet closed that a conflict now forbids."""
    if rnd.status not in _CHANGEABLE:
        return []
    pairs = conflicted_pairs(rnd)
    removed = []
    for a in assignments(rnd):
        if (a.judge_id, a.entry_id) in pairs and (judge_id is None or a.judge_id == judge_id):
            removed.append(_drop_assignment(a, actor_id, "judging.assignment.conflict"))
    return removed


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
    return [(u, row) for u, row in round_judges(rnd) if _may_judge(u, rnd.contest_id)]


def _plan(rnd: JudgingRound, conflicts: set[tuple[int, int]]) -> _Plan:
    """What assigning would add, panel by panel, leaving existing assignments in place."""
    entries = round_entries(rnd)
    judges = _active_judges(rnd)
    held: dict[int, list[int]] = defaultdict(list)
    for a in assignments(rnd):
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
    for a in assignments(rnd):
        if (a.judge_id, a.entry_id) not in conflicts:
            current[a.entry_id] += 1
    plan = _plan(rnd, conflicts) if rnd.status in _CHANGEABLE else _Plan([], {}, round_entries(rnd))
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
    _lock(rnd)
    _changeable(rnd)
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
    for a in assignments(rnd):
        if a.entry_id in by_id:
            loads[a.judge_id] += 1
    _round_event(actor_id, "judging.assign.auto", rnd,
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
            not _may_judge(judge, rnd.contest_id):
        raise _refuse("not_on_round", "judge")
    if is_conflicted(judge, entry):
        raise _refuse("conflicted", "judge")
    if judge.id in judges_of(rnd, entry.id):
        raise _refuse("already_assigned", "judge")


def reassign(assignment: Assignment, new_judge: User, actor: Any, reason: str,
             now: datetime | None = None) -> Assignment:
    """Give an assignment to another judge of the round, for a reason.

    Refused for a conflicted judge or one already on the entry, and once the sheet is
    submitted (reopen it first). A draft sheet is discarded; the audit log keeps its values.
    """
    from contest.timeutil import utcnow

    rnd = db.session.get(JudgingRound, assignment.round_id)
    _lock(rnd)
    _changeable(rnd)
    reason = _clean_reason(reason)
    if new_judge.id == assignment.judge_id:
        raise _refuse("same_judge", "judge")
    entry = db.session.get(Entry, assignment.entry_id)
    _check_new_judge(rnd, entry, new_judge)
    sheet = assignment.sheet
    if sheet is not None and sheet.status == SheetStatus.SUBMITTED:
        raise _refuse("sheet_submitted")
    old_judge = assignment.judge_id
    discarded = _sheet_snapshot(sheet)
    if sheet is not None:
        assignment.sheet = None
        db.session.flush()
    assignment.judge_id = new_judge.id
    assignment.source = "manual"
    assignment.created_at = now or utcnow()
    db.session.flush()
    _round_event(_actor_id(actor), "judging.assignment.reassign", rnd, reason,
                 assignment=assignment.id, entry=entry.id, old_judge=old_judge,
                 new_judge=new_judge.id, discarded_sheet=discarded)
    return assignment


def add_judge(rnd: JudgingRound, entry: Entry, judge: User | None, actor: Any,
              source: str = "tiebreak", reason: str = "") -> Assignment:
    """One more judge for ``entry`` (a tie-break on a flagged entry, or by hand). With
    ``judge`` None the least-loaded free judge of the entry's panel is chosen."""
    _lock(rnd)
    _changeable(rnd)
    if source not in ("tiebreak", "manual"):
        raise _refuse("bad_choice", "source")
    reason = _clean_reason(reason, required=False)
    if not _in_round(rnd, entry):
        raise _refuse("no_such_entry", "entry")
    sync_round_entries(rnd)
    if judge is None:
        conflicts = conflicted_pairs(rnd)
        panel = panel_of(rnd, entry)
        seated = [(u, row) for u, row in _active_judges(rnd) if row.panel in ("", panel)]
        loads: dict[int, int] = defaultdict(int)
        live = {e.id for e in round_entries(rnd)}
        for a in assignments(rnd):
            if a.entry_id in live:
                loads[a.judge_id] += 1
        pick = assigning.add_judge(
            entry.id, judges_of(rnd, entry.id), [u.id for u, _row in seated],
            {(j, e) for j, e in conflicts if e == entry.id}, loads,
            {u.id: row.max_load for u, row in seated if row.max_load is not None})
        if pick is None:
            raise _refuse("no_judge_available")
        judge = db.session.get(User, pick)
    else:
        _check_new_judge(rnd, entry, judge)
    a = Assignment(round_id=rnd.id, entry_id=entry.id, judge_id=judge.id, source=source)
    db.session.add(a)
    db.session.flush()
    _round_event(_actor_id(actor), "judging.assignment.add", rnd, reason, assignment=a.id,
                 entry=entry.id, judge=judge.id, source=source)
    return a


# --- score sheets --------------------------------------------------------------------------


def criteria_of(rnd: JudgingRound) -> list[Criterion]:
    return list(rnd.rubric.criteria)


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
        value = _number(raw)
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


def _total(rnd: JudgingRound, values: Mapping[str, float]) -> float | None:
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
        raise _refuse("not_your_sheet")
    # Two tabs submitting at once: the second waits, then finds the first one's sheet.
    db.session.execute(
        select(Assignment).where(Assignment.id == assignment.id).with_for_update()
        .execution_options(populate_existing=True))
    db.session.execute(
        select(ScoreSheet).where(ScoreSheet.assignment_id == assignment.id)
        .execution_options(populate_existing=True))
    db.session.expire(assignment, ["sheet"])
    if not accepting_scores(rnd, now):
        raise _refuse("round_not_accepting")
    entry = db.session.get(Entry, assignment.entry_id)
    if entry.status != EntryStatus.SUBMITTED:
        raise _refuse("entry_not_judged")
    if is_conflicted(actor, entry):
        raise _refuse("conflicted")
    sheet = assignment.sheet
    if sheet is not None and sheet.status == SheetStatus.SUBMITTED:
        raise _refuse("sheet_submitted")
    values, problems = sheet_points_problems(criteria_of(rnd), points, complete=submit)
    private_comment = (private_comment or "").strip()
    entrant_comment = (entrant_comment or "").strip()
    for name, text in (("private_comment", private_comment),
                       ("entrant_comment", entrant_comment)):
        if len(text) > MAX_TEXT:
            problems.append(Problem("text_too_long", name, {"max": MAX_TEXT}))
    if problems:
        raise JudgingError(*problems)
    old = _sheet_snapshot(sheet)
    if sheet is None:
        sheet = ScoreSheet(status=SheetStatus.DRAFT)
        assignment.sheet = sheet
    sheet.points = values
    sheet.total = _total(rnd, values)
    sheet.private_comment, sheet.entrant_comment = private_comment, entrant_comment
    if submit:
        sheet.status, sheet.submitted_at = SheetStatus.SUBMITTED, now
    sheet.updated_at = now
    db.session.flush()
    new = _sheet_snapshot(sheet)
    if old is None or _changes(old, new):
        _round_event(actor.id, "judging.sheet.submit" if submit else "judging.sheet.save", rnd,
                     sheet=sheet.id, assignment=assignment.id, entry=entry.id,
                     judge=assignment.judge_id, old=old, new=new)
    return sheet


def reopen_sheet(sheet: ScoreSheet, actor: User, now: datetime, reason: str = "") -> ScoreSheet:
    """Make a submitted sheet a draft again so that it can be corrected; only while the round
    takes scores, by its judge or an organizer."""
    from contest.accounts.policy import can

    assignment = sheet.assignment
    rnd = db.session.get(JudgingRound, assignment.round_id)
    if actor is None or (actor.id != assignment.judge_id and not can(actor, "writing.manage")):
        raise _refuse("not_your_sheet")
    if not accepting_scores(rnd, now):
        raise _refuse("round_not_accepting")
    if sheet.status != SheetStatus.SUBMITTED:
        raise _refuse("sheet_not_submitted")
    reason = _clean_reason(reason, required=actor.id != assignment.judge_id)
    old = _sheet_snapshot(sheet)
    sheet.status, sheet.submitted_at, sheet.updated_at = SheetStatus.DRAFT, None, now
    db.session.flush()
    _round_event(actor.id, "judging.sheet.reopen", rnd, reason, sheet=sheet.id,
                 assignment=assignment.id, entry=assignment.entry_id,
                 judge=assignment.judge_id, old=old, new=_sheet_snapshot(sheet))
    return sheet


def judge_assignments(judge: User, rnd: JudgingRound) -> list[Assignment]:
    """The judge's assignments in a round, without entries no longer judged or conflicted."""
    live = {e.id: e for e in round_entries(rnd)}
    mine = [a for a in db.session.execute(
        select(Assignment).where(Assignment.round_id == rnd.id, Assignment.judge_id == judge.id)
        .options(selectinload(Assignment.sheet)).order_by(Assignment.id)).scalars()
        if a.entry_id in live]
    people = _People(rnd.contest_id, [live[a.entry_id] for a in mine])
    return [a for a in mine if not people.reasons(judge, live[a.entry_id])]


# --- progress and reminders ----------------------------------------------------------------


@dataclass
class JudgeProgress:
    judge: User
    panel: str | None  # None: holds assignments without sitting on the round any more
    max_load: int | None
    assigned: int = 0
    submitted: int = 0
    drafts: int = 0

    @property
    def open(self) -> int:
        return self.assigned - self.submitted


@dataclass
class EntryProgress:
    entry: Entry
    panel: str
    needed: int
    rows: list[tuple[User, Assignment]] = field(default_factory=list)

    @property
    def submitted(self) -> int:
        return sum(1 for _u, a in self.rows
                   if a.sheet is not None and a.sheet.status == SheetStatus.SUBMITTED)


def _users(ids: Iterable[int]) -> dict[int, User]:
    ids = set(ids)
    if not ids:
        return {}
    return {u.id: u for u in db.session.execute(select(User).where(User.id.in_(ids))).scalars()}


def progress(rnd: JudgingRound) -> tuple[list[JudgeProgress], list[EntryProgress]]:
    """How far each judge and each entry of the round are."""
    entries = round_entries(rnd)
    live = {e.id for e in entries}
    rows = [a for a in assignments(rnd) if a.entry_id in live]
    seated = {row.judge_id: row for _u, row in round_judges(rnd)}
    users = _users(set(seated) | {a.judge_id for a in rows})
    judges = {j: JudgeProgress(users[j], seated[j].panel if j in seated else None,
                               seated[j].max_load if j in seated else None)
              for j in users}
    by_entry = {e.id: EntryProgress(e, panel_of(rnd, e), rnd.judges_per_entry) for e in entries}
    for a in rows:
        p = judges[a.judge_id]
        p.assigned += 1
        if a.sheet is not None:
            if a.sheet.status == SheetStatus.SUBMITTED:
                p.submitted += 1
            else:
                p.drafts += 1
        by_entry[a.entry_id].rows.append((users[a.judge_id], a))
    ordered = sorted(judges.values(), key=lambda p: (p.judge.full_name, p.judge.id))
    return ordered, list(by_entry.values())


def judges_with_open_sheets(rnd: JudgingRound) -> list[tuple[User, int]]:
    """Judges of the round with sheets still to submit, and how many each."""
    judge_rows, _entries = progress(rnd)
    return [(p.judge, p.open) for p in judge_rows if p.open > 0]


def send_reminders(rnd: JudgingRound, link: str, actor: Any, now: datetime) -> int:
    """E-mail every judge with sheets to submit one reminder with their count and ``link`` (the
    judge's page of the round); returns how many were sent. Only while the round is open."""
    from flask_babel import force_locale, format_datetime, ngettext
    from flask_babel import gettext as _

    from contest.mail import send_mail

    if rnd.status != JudgingRoundStatus.OPEN:
        raise _refuse("round_not_open")
    contest = db.session.get(WritingContest, rnd.contest_id)
    sent = []
    for judge, count in judges_with_open_sheets(rnd):
        if not judge.email or not judge.is_active:
            continue
        with force_locale(judge.locale or "vi"):
            deadline = (_("The round closes at %(when)s.",
                          when=format_datetime(rnd.closes_at, "short"))
                        if rnd.closes_at else "")
            send_mail(
                judge.email,
                _("Reminder: %(contest)s, %(round)s", contest=contest.title, round=rnd.name),
                ngettext("Hello %(name)s,\n\nYou have %(num)d score sheet to submit in "
                         "“%(round)s” of “%(contest)s”.",
                         "Hello %(name)s,\n\nYou have %(num)d score sheets to submit in "
                         "“%(round)s” of “%(contest)s”.", count,
                         name=judge.full_name, round=rnd.name, contest=contest.title)
                + (" " + deadline if deadline else "") + "\n\n" + link + "\n",
            )
        sent.append([judge.id, count])
    _round_event(_actor_id(actor), "judging.reminders", rnd, judges=sent, at=now.isoformat())
    return len(sent)


# --- totals --------------------------------------------------------------------------------


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
    return None if problems else _total(rnd, values)


# --- round life cycle ----------------------------------------------------------------------


def _entries_without_judges(rnd: JudgingRound) -> list[Entry]:
    judged = set(db.session.execute(
        select(Assignment.entry_id).where(Assignment.round_id == rnd.id)).scalars())
    return [e for e in round_entries(rnd) if e.id not in judged]


def open_round(rnd: JudgingRound, actor_id: int | None, now: datetime) -> None:
    """Let judges score. The contest must be closed to entries (it moves on to judging); a later
    round needs the shortlist of the one before; every entry needs at least one judge."""
    from contest.writing import contests as contest_rules

    _lock(rnd)
    if rnd.status != JudgingRoundStatus.DRAFT:
        raise _refuse("round_not_draft")
    contest = db.session.get(WritingContest, rnd.contest_id)
    if contest.status in (ContestStatus.DRAFT, ContestStatus.OPEN):
        raise _refuse("contest_not_closed")
    if contest.status == ContestStatus.PUBLISHED:
        raise _refuse("contest_published")
    before = previous_round(rnd)
    if before is not None and not shortlist_confirmed(before):
        raise _refuse("previous_not_confirmed")
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
        raise JudgingError(*problems)
    if contest.status == ContestStatus.CLOSED:
        contest_rules.start_judging(contest, actor_id)
    sync_round_entries(rnd)
    rnd.status = JudgingRoundStatus.OPEN
    db.session.flush()
    _round_event(actor_id, "judging.round.open", rnd, entries=len(entries))


def close_round(rnd: JudgingRound, actor_id: int | None, now: datetime) -> list[EntryResult]:
    """Stop scoring and compute the results. Draft sheets stay drafts and do not count."""
    _lock(rnd)
    if rnd.status != JudgingRoundStatus.OPEN:
        raise _refuse("round_not_open")
    sync_round_entries(rnd)
    drafts = sum(1 for s in _sheets_of(rnd) if s.status != SheetStatus.SUBMITTED)
    rnd.status = JudgingRoundStatus.CLOSED
    db.session.flush()
    _round_event(actor_id, "judging.round.close", rnd, drafts_left=drafts, at=now.isoformat())
    return aggregate(rnd, actor_id, now)


def reopen_round(rnd: JudgingRound, actor_id: int | None, now: datetime, reason: str,
                 closes_at: datetime | None = None) -> None:
    """Open a closed round again (e.g. to add a tie-break judge). Its results are computed
    again when it closes; refused once its shortlist is confirmed or it is published."""
    _not_published(rnd)
    if rnd.status != JudgingRoundStatus.CLOSED:
        raise _refuse("round_not_closed")
    if shortlist_confirmed(rnd):
        raise _refuse("shortlist_confirmed")
    reason = _clean_reason(reason)
    new_close = closes_at or rnd.closes_at
    if new_close is not None and new_close <= now:
        raise _refuse("close_in_past", "closes_at")
    old_close = rnd.closes_at
    rnd.closes_at = new_close
    cleared = 0
    for result in _results(rnd):
        db.session.delete(result)
        cleared += 1
    rnd.aggregated_at = None
    rnd.status = JudgingRoundStatus.OPEN
    db.session.flush()
    _round_event(actor_id, "judging.round.reopen", rnd, reason, results_cleared=cleared,
                 old_closes_at=_jsonable(old_close), new_closes_at=_jsonable(new_close))


# --- aggregation ---------------------------------------------------------------------------


def _results(rnd: JudgingRound) -> list[EntryResult]:
    return list(db.session.execute(
        select(EntryResult).where(EntryResult.round_id == rnd.id)).scalars())


def shortlist_confirmed(rnd: JudgingRound) -> bool:
    return db.session.execute(
        select(EntryResult.id).where(EntryResult.round_id == rnd.id,
                                     EntryResult.advanced.is_(True)).limit(1)
    ).first() is not None


def counted_sheets(rnd: JudgingRound, category_id: int | None = None) -> list[agg.Sheet]:
    """The submitted sheets that count: entries still judged in the round, no conflict."""
    entries = {e.id: e for e in round_entries(rnd)
               if category_id is None or e.category_id == category_id}
    conflicts = conflicted_pairs(rnd)
    found = []
    for a in assignments(rnd):
        sheet = a.sheet
        if (a.entry_id in entries and sheet is not None
                and sheet.status == SheetStatus.SUBMITTED
                and (a.judge_id, a.entry_id) not in conflicts):
            total = sheet.total
            if total is None:
                total = _total(rnd, {k: float(v) for k, v in (sheet.points or {}).items()})
            if total is not None:
                found.append(agg.Sheet(a.entry_id, a.judge_id, total))
    return found


def live_scores(rnd: JudgingRound) -> dict[int, agg.EntryScore]:
    """Entry scores from the sheets submitted so far, by the round's method (nothing stored)."""
    return agg.entry_scores(counted_sheets(rnd), rnd.aggregation)


def flagged_entries(rnd: JudgingRound) -> list[tuple[Entry, agg.EntryScore]]:
    """Entries whose judges are further apart than the round's threshold, from the sheets
    submitted so far."""
    scores = live_scores(rnd)
    entries = {e.id: e for e in round_entries(rnd)}
    return [(entries[e], scores[e])
            for e in agg.disagreements(scores, rnd.disagreement_threshold) if e in entries]


def aggregate(rnd: JudgingRound, actor_id: int | None = None,
              now: datetime | None = None) -> list[EntryResult]:
    """Compute and store every entry's score (the round's method), judges' spread and
    disagreement flag, and its rank within its category with ties kept as ties.

    Prizes and shortlist marks of an earlier computation are cleared (the audit log keeps
    them). Refused once the shortlist is confirmed or the round is published.
    """
    from contest.timeutil import utcnow

    now = now or utcnow()
    _lock(rnd)
    _not_published(rnd)
    if rnd.status not in _OPEN_OR_CLOSED:
        raise _refuse("round_not_open")
    if shortlist_confirmed(rnd):
        raise _refuse("shortlist_confirmed")
    entries = round_entries(rnd)
    scores = agg.entry_scores(counted_sheets(rnd), rnd.aggregation)
    flagged = set(agg.disagreements(scores, rnd.disagreement_threshold))
    ranks: dict[int, tuple[int, bool]] = {}
    by_category: dict[int, dict[int, agg.EntryScore]] = defaultdict(dict)
    for e in entries:
        if e.id in scores:
            by_category[e.category_id][e.id] = scores[e.id]
    for category_scores in by_category.values():
        for rank, group in agg.rank_with_ties(category_scores):
            for entry_id in group:
                ranks[entry_id] = (rank, len(group) > 1)
    existing = {r.entry_id: r for r in _results(rnd)}
    cleared = {str(r.entry_id): r.prize for r in existing.values() if r.prize}
    live = {e.id for e in entries}
    for entry_id, row in existing.items():
        if entry_id not in live:
            db.session.delete(row)
    stored = []
    for e in entries:
        row = existing.get(e.id)
        if row is None:
            row = EntryResult(round_id=rnd.id, entry_id=e.id)
            db.session.add(row)
        s = scores.get(e.id)
        rank, tied = ranks.get(e.id, (None, False))
        row.score = round(s.score, agg.SCORE_DECIMALS) if s else None
        row.n_judges = s.n_judges if s else 0
        row.low, row.high = (s.low, s.high) if s else (None, None)
        row.flagged = e.id in flagged
        row.rank, row.tied = rank, tied
        row.prize, row.advanced, row.notes = None, False, ""
        stored.append(row)
    rnd.aggregated_at = now
    db.session.flush()
    _round_event(actor_id, "judging.aggregate", rnd, method=rnd.aggregation,
                 threshold=rnd.disagreement_threshold, prizes_cleared=cleared,
                 results={str(r.entry_id): [r.score, r.rank, r.n_judges] for r in stored},
                 flagged=sorted(flagged))
    return stored


def alpha(rnd: JudgingRound, category: Category | int | None = None) -> agg.AlphaResult:
    """Krippendorff's alpha (interval) of the round's submitted totals, for the whole round or
    one category, with the numbers of entries, judges and paired values it rests on."""
    category_id = category.id if isinstance(category, Category) else category
    return agg.alpha_interval(counted_sheets(rnd, category_id))


@dataclass
class ResultRow:
    result: EntryResult
    entry: Entry


@dataclass
class CategoryResults:
    category: Category
    rows: list[ResultRow]


def results_by_category(rnd: JudgingRound) -> list[CategoryResults]:
    """Stored results, category by category, in rank order (unscored entries last)."""
    contest = db.session.get(WritingContest, rnd.contest_id)
    entries = {e.id: e for e in db.session.execute(
        select(Entry).join(EntryResult, EntryResult.entry_id == Entry.id)
        .where(EntryResult.round_id == rnd.id)).scalars()}
    grouped: dict[int, list[ResultRow]] = defaultdict(list)
    for r in _results(rnd):
        grouped[entries[r.entry_id].category_id].append(ResultRow(r, entries[r.entry_id]))
    found = []
    for category in contest.categories:
        rows = sorted(grouped.get(category.id, []),
                      key=lambda row: (row.result.rank is None, row.result.rank or 0,
                                       row.entry.id))
        if rows:
            found.append(CategoryResults(category, rows))
    return found


# --- shortlist -----------------------------------------------------------------------------


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


def _aggregated(rnd: JudgingRound) -> None:
    if rnd.aggregated_at is None:
        raise _refuse("not_aggregated")


def propose_shortlist(rnd: JudgingRound) -> list[ShortlistCategory]:
    """Who advances, per category: the top N (an entry tied with the N-th advances too, and
    the tie is flagged) or every entry scoring at least the threshold."""
    _aggregated(rnd)
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
    _lock(rnd)
    _not_published(rnd)
    if rnd.status != JudgingRoundStatus.CLOSED:
        raise _refuse("round_not_closed")
    _aggregated(rnd)
    nxt = next_round(rnd)
    if nxt is None:
        raise _refuse("no_next_round")
    if nxt.status != JudgingRoundStatus.DRAFT:
        raise _refuse("next_round_started")
    chosen = {int(i) for i in entry_ids}
    if not chosen:
        raise _refuse("shortlist_empty")
    proposal = propose_shortlist(rnd)
    rows = {row.entry.id: row for cat in proposal for row in cat.rows}
    if any(i not in rows or rows[i].result.score is None for i in chosen):
        raise _refuse("not_in_results")
    proposed = {i for i, row in rows.items() if row.proposed}
    reason = _clean_reason(reason, required=chosen != proposed)
    current = {r.entry_id: r for r in db.session.execute(
        select(RoundEntry).where(RoundEntry.round_id == nxt.id)).scalars()}
    dropped = []
    for entry_id, row in current.items():
        if entry_id not in chosen:
            for a in db.session.execute(select(Assignment).where(
                    Assignment.round_id == nxt.id, Assignment.entry_id == entry_id)).scalars():
                dropped.append(_drop_assignment(a, _actor_id(actor),
                                                "judging.assignment.remove")["assignment"])
            db.session.delete(row)
    for entry_id in sorted(chosen - set(current)):
        db.session.add(RoundEntry(round_id=nxt.id, entry_id=entry_id,
                                  panel=panel_of(nxt, rows[entry_id].entry)))
    for entry_id, row in rows.items():
        row.result.advanced = entry_id in chosen
    db.session.flush()
    _round_event(_actor_id(actor), "judging.shortlist.confirm", rnd, reason,
                 next_round=nxt.id, entries=sorted(chosen), proposed=sorted(proposed),
                 added=sorted(chosen - proposed), left_out=sorted(proposed - chosen),
                 assignments_removed=dropped)
    _round_event(_actor_id(actor), "judging.round.entries", nxt, reason, source_round=rnd.id,
                 entries=sorted(chosen))
    return nxt


# --- prizes --------------------------------------------------------------------------------


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
    _aggregated(rnd)
    return _prize_plan(rnd)


def pending_ties(rnd: JudgingRound) -> list[TieDecision]:
    return [t for cat in _prize_plan(rnd) for t in cat.ties if not t.decided]


def _prize_round(rnd: JudgingRound) -> None:
    _lock(rnd)
    _not_published(rnd)
    if rnd.status != JudgingRoundStatus.CLOSED:
        raise _refuse("round_not_closed")
    _aggregated(rnd)
    if not awards_prizes(rnd):
        raise _refuse("no_prizes")


def propose_prizes(rnd: JudgingRound, actor: Any = None) -> list[PrizeCategory]:
    """Give the tiers A, B, C and KK per category in rank order, as many of each as the round's
    prize counts say (a tier may be 0, e.g. no A). Entries tied at a rank whose places straddle
    two tiers (or a tier and no prize) get none and are returned for decision, never split.
    Stored prizes and decisions are replaced; the audit log keeps the old ones."""
    _prize_round(rnd)
    plan = _prize_plan(rnd)
    old = {str(r.entry_id): [r.prize, r.notes] for r in _results(rnd) if r.prize or r.notes}
    for cat in plan:
        for row, tier in cat.rows:
            row.result.prize, row.result.notes = tier, ""
    db.session.flush()
    _round_event(_actor_id(actor), "judging.prizes.propose", rnd,
                 counts=dict(rnd.prize_counts or {}), old=old,
                 prizes={str(row.entry.id): tier for cat in plan for row, tier in cat.rows
                         if tier},
                 ties=[{"category": t.category.id, "rank": t.rank,
                        "entries": [row.entry.id for row in t.rows],
                        "tiers": t.tiers} for cat in plan for t in cat.ties])
    return plan


def set_prize(result: EntryResult, tier: str | None, actor: Any, reason: str) -> None:
    """The organizers' decision on one entry's prize (``tier`` None: no prize), with the
    reason, which is kept with the result."""
    rnd = db.session.get(JudgingRound, result.round_id)
    _prize_round(rnd)
    tier = tier or None
    if tier is not None and tier not in PRIZE_TIERS:
        raise _refuse("bad_choice", "tier")
    if tier is not None and result.score is None:
        raise _refuse("not_scored")
    reason = _clean_reason(reason)
    old = {"prize": result.prize, "notes": result.notes}
    result.prize, result.notes = tier, reason
    db.session.flush()
    _round_event(_actor_id(actor), "judging.prize.set", rnd, reason, entry=result.entry_id,
                 old=old, new={"prize": tier, "notes": reason})


def publish(rnd: JudgingRound, actor: Any, now: datetime | None = None) -> None:
    """Make the round's results final; after this nothing of the round changes. A round that
    awards prizes needs them proposed and every straddling tie decided."""
    from contest.timeutil import utcnow

    now = now or utcnow()
    _lock(rnd)
    _not_published(rnd)
    if rnd.status != JudgingRoundStatus.CLOSED:
        raise _refuse("round_not_closed")
    _aggregated(rnd)
    if awards_prizes(rnd):
        if not prizes_proposed(rnd):
            raise _refuse("prizes_not_proposed")
        if ties := pending_ties(rnd):
            raise _refuse("ties_pending", None, count=len(ties))
    rnd.status, rnd.published_at = JudgingRoundStatus.PUBLISHED, now
    db.session.flush()
    _round_event(_actor_id(actor), "judging.round.publish", rnd,
                 results={str(r.entry_id): {"score": r.score, "rank": r.rank, "tied": r.tied,
                                            "prize": r.prize, "advanced": r.advanced}
                          for r in _results(rnd)})


# --- the round's audit trail ---------------------------------------------------------------


def round_trail(rnd: JudgingRound) -> list[tuple[AuditEvent, User | None]]:
    """Events of the round, and the contest's judging events (invitations, conflicts)."""
    of_round = (AuditEvent.subject_type == ROUND_SUBJECT) & \
        (AuditEvent.subject_id == str(rnd.id))
    of_contest = (AuditEvent.subject_type == CONTEST_SUBJECT) & \
        (AuditEvent.subject_id == str(rnd.contest_id)) & AuditEvent.action.like("judging.%")
    return [tuple(row) for row in db.session.execute(
        select(AuditEvent, User).outerjoin(User, User.id == AuditEvent.actor_id)
        .where(of_round | of_contest).order_by(AuditEvent.at, AuditEvent.id)
    ).all()]


# --- the score matrix ----------------------------------------------------------------------

MATRIX_HEADERS = {
    "code": N_("Code"), "category": N_("Category"), "title": N_("Title"),
    "judge": N_("Judge"), "status": N_("Sheet"), "total": N_("Total"),
    "score": N_("Entry score"), "rank": N_("Rank"), "tied": N_("Tied"),
    "flagged": N_("Judges disagree"), "n_judges": N_("Judges"), "low": N_("Lowest total"),
    "high": N_("Highest total"), "advanced": N_("Advances"), "prize": N_("Prize"),
    "scores": N_("Scores"), "results": N_("Results"), "yes": N_("yes"),
    "submitted": N_("submitted"), "draft": N_("draft"), "none": N_("not started"),
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def score_matrix_xlsx(rnd: JudgingRound, translate: Callable[[str], str] = _same) -> bytes:
    """The round's scores as a workbook: one row per entry and judge with every criterion's
    points, the sheet's total and the entry's score and rank; a second sheet of results."""
    import io

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    t = {k: translate(v) for k, v in MATRIX_HEADERS.items()}
    criteria = criteria_of(rnd)
    results = {r.entry_id: r for r in _results(rnd)}

    def order(e: Entry) -> tuple[Any, ...]:
        rank = results[e.id].rank if e.id in results else None
        return (e.category.position, e.category_id, rank is None, rank or 0, e.id)

    entries = sorted(round_entries(rnd) + excluded_entries(rnd), key=order)
    by_entry: dict[int, list[Assignment]] = defaultdict(list)
    for a in assignments(rnd):
        by_entry[a.entry_id].append(a)
    users = _users(a.judge_id for rows in by_entry.values() for a in rows)
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)

    def text(sheet: Any, value: Any) -> Any:
        if value is None or isinstance(value, int | float):
            return value
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", str(value)))
        cell.data_type = "s"  # a title starting with "=" stays text
        return cell

    def header(sheet: Any, labels: list[str]) -> None:
        row = []
        for label in labels:
            cell = WriteOnlyCell(sheet, value=label)
            cell.font = bold
            row.append(cell)
        sheet.append(row)

    scores = workbook.create_sheet(t["scores"][:31])
    scores.freeze_panes = "A2"
    header(scores, [t["code"], t["category"], t["title"], t["judge"], t["status"]]
           + [f"{c.name} (/{c.max_points:g})" for c in criteria]
           + [t["total"], t["score"], t["rank"]])
    for e in entries:
        r = results.get(e.id)
        for a in sorted(by_entry.get(e.id, []), key=lambda a: (users[a.judge_id].full_name,
                                                              a.judge_id)):
            sheet = a.sheet
            status = t["none"] if sheet is None else t[sheet.status]
            points = (sheet.points or {}) if sheet is not None else {}
            scores.append([text(scores, e.anon_code), text(scores, e.category.name),
                           text(scores, e.title), text(scores, users[a.judge_id].full_name),
                           status]
                          + [points.get(str(c.id)) for c in criteria]
                          + [sheet.total if sheet is not None else None,
                             r.score if r else None, r.rank if r else None])

    summary = workbook.create_sheet(t["results"][:31])
    summary.freeze_panes = "A2"
    header(summary, [t["code"], t["category"], t["title"], t["n_judges"], t["low"], t["high"],
                     t["score"], t["rank"], t["tied"], t["flagged"], t["advanced"], t["prize"]])
    for e in entries:
        r = results.get(e.id)
        if r is None:
            summary.append([text(summary, e.anon_code), text(summary, e.category.name),
                            text(summary, e.title)])
            continue
        summary.append([text(summary, e.anon_code), text(summary, e.category.name),
                        text(summary, e.title), r.n_judges, r.low, r.high, r.score, r.rank,
                        t["yes"] if r.tied else "", t["yes"] if r.flagged else "",
                        t["yes"] if r.advanced else "", r.prize or ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
