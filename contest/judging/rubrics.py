"""Rubrics and their templates: criteria with weights, most points and described levels.

A round scores with its own copy of a template (see contest.judging.lifecycle), so changing a
template never changes a round; a rubric is locked once a sheet scored with it is submitted or
its round has closed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from contest import audit
from contest.audit import AuditEvent
from contest.extensions import db
from contest.judging.common import (
    CHANGEABLE,
    MAX_CRITERIA,
    MAX_LEVELS,
    MAX_NAME,
    MAX_POINTS,
    MAX_REASON,
    MAX_SCALE,
    MAX_TEXT,
    MAX_WEIGHT,
    N_,
    RUBRIC_SUBJECT,
    name_problems,
    normalise_name,
    refuse,
    to_number,
    untranslated,
)
from contest.judging.models import (
    Assignment,
    Criterion,
    JudgingRound,
    Rubric,
    ScoreSheet,
    SheetStatus,
)
from contest.problems import Problem, Refused


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
    problems = name_problems(data.name, "name")
    if len(data.description or "") > MAX_TEXT:
        problems.append(Problem("text_too_long", "description", {"max": MAX_TEXT}))
    scale = to_number(data.scale)
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
        if named := name_problems(c.name, prefix + "name"):
            problems += named
        elif normalise_name(c.name) in seen:
            problems.append(Problem("criterion_name_taken", prefix + "name"))
        seen.add(normalise_name(c.name))
        if len(c.description or "") > MAX_TEXT:
            problems.append(Problem("text_too_long", prefix + "description", {"max": MAX_TEXT}))
        weight = to_number(c.weight)
        if weight is None or not 0 < weight <= MAX_WEIGHT:
            problems.append(Problem("weight_out_of_range", prefix + "weight",
                                    {"max": MAX_WEIGHT}))
        top = to_number(c.max_points)
        if top is None or not 0 < top <= MAX_POINTS:
            problems.append(Problem("max_points_out_of_range", prefix + "max_points",
                                    {"max": MAX_POINTS}))
            top = None
        if len(c.levels) > MAX_LEVELS:
            problems.append(Problem("too_many_levels", prefix + "levels", {"max": MAX_LEVELS}))
        for points, text in c.levels:
            value = to_number(points)
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
         "weight": to_number(c.weight), "max_points": to_number(c.max_points),
         "levels": sorted(({"points": to_number(p), "text": t.strip()} for p, t in c.levels),
                          key=lambda lv: lv["points"])}
        for c in data.criteria if not c.blank
    ]


def rubric_snapshot(rubric: Rubric) -> dict[str, Any]:
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
    if any(r.status not in CHANGEABLE for r in rounds):
        return True
    return _submitted_sheets_in([r.id for r in rounds]) > 0


def create_rubric(data: RubricInput, actor_id: int | None, *, template: bool = True) -> Rubric:
    """A new rubric (a template unless ``template`` is False)."""
    if problems := rubric_problems(data):
        raise Refused(*problems)
    rubric = Rubric(name=data.name.strip(), description=(data.description or "").strip(),
                    scale=to_number(data.scale), is_template=template)
    for position, values in enumerate(_criteria_values(data)):
        rubric.criteria.append(Criterion(position=position, **values))
    db.session.add(rubric)
    db.session.flush()
    audit.record(actor_id, "judging.rubric.create", RUBRIC_SUBJECT, rubric.id,
                 new=rubric_snapshot(rubric))
    return rubric


def update_rubric(rubric: Rubric, data: RubricInput, actor_id: int | None) -> None:
    """Change a rubric. Criteria are matched by row: the n-th row changes the n-th criterion,
    so that points already given in draft sheets stay with their criterion."""
    if rubric_locked(rubric):
        raise refuse("rubric_locked")
    if problems := rubric_problems(data):
        raise Refused(*problems)
    before = rubric_snapshot(rubric)
    rubric.name = data.name.strip()
    rubric.description = (data.description or "").strip()
    rubric.scale = to_number(data.scale)
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
                 old=before, new=rubric_snapshot(rubric))


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
        raise refuse("not_a_template")
    audit.record(actor_id, "judging.rubric.delete", RUBRIC_SUBJECT, rubric.id,
                 old=rubric_snapshot(rubric))
    db.session.delete(rubric)
    db.session.flush()


def templates() -> list[Rubric]:
    return list(db.session.execute(
        select(Rubric).where(Rubric.is_template.is_(True))
        .options(selectinload(Rubric.criteria)).order_by(Rubric.name, Rubric.id)
    ).scalars())


def seed_templates(translate: Callable[[str], str] = untranslated) -> int:
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
