"""Console screens: the judging index, rubric templates and the rubric editor."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from contest.accounts.policy import require
from contest.extensions import db
from contest.forms import ActionForm
from contest.judging import rounds, rubrics
from contest.judging.console.base import bp, get_or_404
from contest.judging.console.forms import CRITERIA_ROWS, RubricForm, levels_text, parse_levels
from contest.judging.messages import problem_message
from contest.judging.models import Rubric
from contest.refusals import press_button, save_form
from contest.writing.models import WritingContest


@bp.get("/judging")
@require("writing.manage")
def judging_index():
    contests = db.session.execute(
        select(WritingContest).order_by(WritingContest.submission_opens_at.desc(),
                                        WritingContest.id.desc())
    ).scalars().all()
    by_contest = {c.id: rounds.contest_rounds(c) for c in contests}
    return render_template("judging/console/index.html", contests=contests, rounds=by_contest)


@bp.get("/judging/rubrics")
@require("writing.manage")
def judging_rubrics():
    if rubrics.seed_templates(_):
        db.session.commit()
    return render_template("judging/console/rubrics.html", templates=rubrics.templates(),
                           action_form=ActionForm())


def _fill_rubric(form: RubricForm, rubric: Rubric) -> None:
    form.name.data, form.description.data = rubric.name, rubric.description
    form.scale.data = f"{rubric.scale:g}"
    for row, criterion in zip(form.criteria, rubric.criteria, strict=False):
        row.form.name.data = criterion.name
        row.form.description.data = criterion.description
        row.form.weight.data = f"{criterion.weight:g}"
        row.form.max_points.data = f"{criterion.max_points:g}"
        row.form.levels.data = levels_text(criterion.levels)


def _rubric_input(form: RubricForm) -> rubrics.RubricInput:
    criteria = [rubrics.CriterionInput(
        name=row.form.name.data or "", description=row.form.description.data or "",
        weight=row.form.weight.data or "", max_points=row.form.max_points.data or "",
        levels=parse_levels(row.form.levels.data)[0]) for row in form.criteria]
    return rubrics.RubricInput(form.name.data or "", form.description.data or "",
                               form.scale.data or "", criteria)


def _render_rubric(form: RubricForm, rubric: Rubric | None, problems: list[str],
                   status: int = 200):  # noqa: ANN202
    using = rubrics.rounds_using(rubric) if rubric else []
    locked = bool(rubric) and rubrics.rubric_locked(rubric)
    return render_template("judging/console/rubric_form.html", form=form, rubric=rubric,
                           problems=problems, rounds=using, locked=locked,
                           rows=CRITERIA_ROWS), status


def _after_rubric(rubric: Rubric) -> str:
    """Back to the round that scores with the rubric, or to the templates."""
    using = rubrics.rounds_using(rubric)
    if using:
        return url_for("judging_console.judging_round", round_id=using[0].id)
    return url_for("judging_console.judging_rubrics")


@bp.route("/judging/rubrics/new", methods=["GET", "POST"])
@require("writing.manage")
def judging_rubric_new():
    form = RubricForm()
    if request.method == "GET":
        form.scale.data = "10"
    return save_form(
        form, lambda: rubrics.create_rubric(_rubric_input(form), current_user.id, template=True),
        render=lambda f, problems, status: _render_rubric(f, None, problems, status),
        message=problem_message, done=_("Template saved."),
        then=url_for("judging_console.judging_rubrics"))


@bp.route("/judging/rubrics/<int:rubric_id>", methods=["GET", "POST"])
@require("writing.manage")
def judging_rubric_edit(rubric_id: int):
    rubric = get_or_404(Rubric, rubric_id)
    form = RubricForm()
    if request.method == "GET":
        _fill_rubric(form, rubric)
    return save_form(
        form, lambda: rubrics.update_rubric(rubric, _rubric_input(form), current_user.id),
        render=lambda f, problems, status: _render_rubric(f, rubric, problems, status),
        message=problem_message, done=_("Rubric saved."),
        then=lambda _saved: _after_rubric(rubric))


@bp.post("/judging/rubrics/<int:rubric_id>/copy")
@require("writing.manage")
def judging_rubric_copy(rubric_id: int):
    rubric = get_or_404(Rubric, rubric_id)
    return press_button(
        lambda: rubrics.copy_rubric(rubric, current_user.id, template=True,
                                    name=_("%(title)s (copy)", title=rubric.name)),
        message=problem_message, done=_("A copy was made. Change it as you need."),
        then=lambda copy: url_for("judging_console.judging_rubric_edit", rubric_id=copy.id)
        if copy else url_for("judging_console.judging_rubrics"))


@bp.post("/judging/rubrics/<int:rubric_id>/delete")
@require("writing.manage")
def judging_rubric_delete(rubric_id: int):
    rubric = get_or_404(Rubric, rubric_id)
    return press_button(
        lambda: rubrics.delete_template(rubric, current_user.id),
        message=problem_message, done=_("Template removed. Rounds keep their own copies."),
        then=url_for("judging_console.judging_rubrics"))
