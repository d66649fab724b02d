"""Console screens: who judges what (automatic assignment, one entry's judges, reassigning,
adding a judge, reopening a sheet), the round's progress with reminders, and flagged entries."""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from contest.accounts.models import User
from contest.accounts.policy import require
from contest.extensions import db
from contest.forms import ActionForm, ReasonForm, choices
from contest.judging import (
    assignments,
    common,
    conflicts,
    jury,
    progress,
    results,
    rounds,
    sheets,
)
from contest.judging.console.base import (
    bp,
    chosen_user,
    get_or_404,
    nav,
    now,
    panel_names,
    round_or_404,
    round_url,
)
from contest.judging.console.forms import JudgeChoiceForm, ReassignForm
from contest.judging.messages import problem_message
from contest.judging.models import Assignment, EntryResult, JudgingRound, ScoreSheet
from contest.refusals import press_button
from contest.writing.models import Entry

_CHANGEABLE = ("draft", "open")


@bp.get("/judging/rounds/<int:round_id>/assignments")
@require("writing.manage")
def judging_assignments(round_id: int):
    rnd = round_or_404(round_id)
    judges, entries = progress.progress(rnd)
    return render_template(
        "judging/console/assignments.html", **nav(rnd), entries=entries,
        shortfalls=assignments.shortfalls(rnd), loads=judges, action_form=ActionForm(),
        panel_names=panel_names(rnd), changeable=rnd.status in _CHANGEABLE)


def _assigned(result: assignments.AutoAssignResult) -> str:
    said = [_("%(n)d assignments made.", n=len(result.created))]
    if result.withdrawn:
        said.append(_("%(n)d assignments were withdrawn for conflicts.", n=len(result.withdrawn)))
    if result.shortfalls:
        said.append(_("%(n)d entries cannot get enough judges; see the list.",
                      n=len(result.shortfalls)))
    return " ".join(said)


@bp.post("/judging/rounds/<int:round_id>/assign")
@require("writing.manage")
def judging_assign(round_id: int):
    rnd = round_or_404(round_id)
    return press_button(lambda: assignments.auto_assign(rnd, current_user.id),
                        message=problem_message, done=_assigned,
                        then=round_url(rnd, "judging_console.judging_assignments"))


def _judge_choices(rnd: JudgingRound, entry: Entry, auto: bool) -> list:
    taken = set(assignments.judges_of(rnd, entry.id))
    pairs = [("", _("Choose automatically: the least loaded free judge"))] if auto else []
    for user, _row in jury.round_judges(rnd):
        if user.id in taken:
            continue
        label = user.full_name
        if conflicts.conflict_reasons(user, entry):
            label += " — " + _("conflict")
        pairs.append((str(user.id), label))
    return choices(pairs)


@bp.get("/judging/rounds/<int:round_id>/entries/<int:entry_id>")
@require("writing.manage")
def judging_entry(round_id: int, entry_id: int):
    rnd = round_or_404(round_id)
    entry = get_or_404(Entry, entry_id)
    if entry.contest_id != rnd.contest_id:
        abort(404)
    rows = [(a, db.session.get(User, a.judge_id)) for a in rounds.assignments_of(rnd)
            if a.entry_id == entry.id]
    add_form = JudgeChoiceForm(prefix="add")
    add_form.judge.choices = _judge_choices(rnd, entry, auto=True)
    reassign_form = ReassignForm(prefix="move")
    reassign_form.judge.choices = _judge_choices(rnd, entry, auto=False)
    result = db.session.execute(select(EntryResult).where(
        EntryResult.round_id == rnd.id, EntryResult.entry_id == entry.id)).scalar_one_or_none()
    return render_template(
        "judging/console/entry.html", **nav(rnd), entry=entry, rows=rows,
        criteria=rounds.criteria_of(rnd), add_form=add_form, reassign_form=reassign_form,
        reopen_form=ReasonForm(prefix="reopen"), result=result,
        changeable=rnd.status in _CHANGEABLE,
        accepting=common.accepting_scores(rnd, now()), panel=rounds.panel_of(rnd, entry))


def _entry_url(round_id: int, entry_id: int) -> str:
    return url_for("judging_console.judging_entry", round_id=round_id, entry_id=entry_id)


@bp.post("/judging/assignments/<int:assignment_id>/reassign")
@require("writing.manage")
def judging_reassign(assignment_id: int):
    assignment = get_or_404(Assignment, assignment_id)
    form = ReassignForm(prefix="move")
    judge = chosen_user(form.judge.data)
    return press_button(
        lambda: assignments.reassign(assignment, judge, current_user, form.reason.data or "",
                                     now()),
        message=problem_message, form=form,
        done=lambda _a: _("The entry now goes to %(name)s.", name=judge.full_name),
        then=_entry_url(assignment.round_id, assignment.entry_id))


@bp.post("/judging/rounds/<int:round_id>/entries/<int:entry_id>/add-judge")
@require("writing.manage")
def judging_add_judge(round_id: int, entry_id: int):
    rnd = round_or_404(round_id)
    entry = get_or_404(Entry, entry_id)
    form = JudgeChoiceForm(prefix="add")
    judge = chosen_user(form.judge.data)
    if form.judge.data and judge is None:
        abort(400)
    return press_button(
        lambda: assignments.add_judge(rnd, entry, judge, current_user, form.source.data,
                                      form.reason.data or ""),
        message=problem_message, form=form,
        done=lambda a: _("%(name)s now judges the entry too.",
                         name=db.session.get(User, a.judge_id).full_name),
        then=_entry_url(rnd.id, entry.id))


@bp.post("/judging/sheets/<int:sheet_id>/reopen")
@require("writing.manage")
def judging_sheet_reopen(sheet_id: int):
    sheet = get_or_404(ScoreSheet, sheet_id)
    assignment = sheet.assignment
    form = ReasonForm(prefix="reopen")
    return press_button(
        lambda: sheets.reopen_sheet(sheet, current_user, now(), form.reason.data),
        message=problem_message, form=form,
        done=_("The score sheet is a draft again; its judge can correct and submit it."),
        then=_entry_url(assignment.round_id, assignment.entry_id))


# --- progress, reminders, flagged entries ---------------------------------------------------


def _judge_link(rnd: JudgingRound) -> str:
    """Where a reminded judge goes: the judge's page of the round."""
    return url_for("judging.round", round_id=rnd.id, _external=True)


@bp.get("/judging/rounds/<int:round_id>/progress")
@require("writing.manage")
def judging_progress(round_id: int):
    rnd = round_or_404(round_id)
    judges, entries = progress.progress(rnd)
    return render_template("judging/console/progress.html", **nav(rnd), judges=judges,
                           entries=entries, action_form=ActionForm(),
                           waiting=progress.judges_with_open_sheets(rnd))


@bp.post("/judging/rounds/<int:round_id>/remind")
@require("writing.manage")
def judging_remind(round_id: int):
    rnd = round_or_404(round_id)
    return press_button(
        lambda: progress.send_reminders(rnd, _judge_link(rnd), current_user, now()),
        message=problem_message, done=lambda sent: _("%(n)d reminders sent.", n=sent),
        then=round_url(rnd, "judging_console.judging_progress"))


@bp.get("/judging/rounds/<int:round_id>/flagged")
@require("writing.manage")
def judging_flagged(round_id: int):
    rnd = round_or_404(round_id)
    return render_template("judging/console/flagged.html", **nav(rnd),
                           flagged=results.flagged_entries(rnd))
