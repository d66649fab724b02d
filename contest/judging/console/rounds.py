"""Console screens: a contest's judging rounds, a round's settings and state, and the judges
seated on it."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from contest import timeutil
from contest.accounts.policy import require
from contest.extensions import db
from contest.forms import ActionForm, OptionalReasonForm, ReasonForm, choices
from contest.judging import common, declarations, jury, lifecycle, progress, rounds, rubrics
from contest.judging.console.base import (
    bp,
    chosen_user,
    contest_or_404,
    moment,
    naive_local,
    nav,
    now,
    panel_names,
    round_or_404,
    round_url,
    show,
)
from contest.judging.console.forms import ReopenForm, RoundForm, RoundJudgeForm, TemplateForm
from contest.judging.messages import problem_message
from contest.judging.models import JudgingRound, Rubric
from contest.refusals import press_button, save_form
from contest.writing.models import WritingContest


@bp.get("/judging/contests/<int:contest_id>")
@require("writing.manage")
def judging_contest(contest_id: int):
    contest = contest_or_404(contest_id)
    found = rounds.contest_rounds(contest)
    counts = {r.id: (len(rounds.round_entries(r)), len(jury.round_judges(r))) for r in found}
    return render_template("judging/console/contest.html", contest=contest, rounds=found,
                           counts=counts, jury=jury.jury(contest))


def _template_choices() -> list:
    if rubrics.seed_templates(_):
        db.session.commit()
    return choices((str(t.id), t.name) for t in rubrics.templates())


def _template(value: str | None) -> Rubric | None:
    return db.session.get(Rubric, int(value)) if (value or "").isdigit() else None


def _fill_round(form: RoundForm, data: lifecycle.RoundInput) -> None:
    form.name.data = data.name
    form.judges_per_entry.data = str(data.judges_per_entry)
    form.panels_by.data = data.panels_by
    form.opens_at.data = naive_local(data.opens_at)
    form.closes_at.data = naive_local(data.closes_at)
    form.judges_see_others.data = data.judges_see_others
    form.aggregation.data = data.aggregation
    form.disagreement_threshold.data = f"{float(data.disagreement_threshold):g}"
    form.advancement.data = data.advancement
    form.advancement_value.data = f"{float(data.advancement_value):g}"
    for tier in common.PRIZE_TIERS:
        getattr(form, f"prize_{tier}").data = str((data.prize_counts or {}).get(tier, 0))


def _round_input(form: RoundForm, rnd: JudgingRound | None) -> lifecycle.RoundInput:
    return lifecycle.RoundInput(
        name=form.name.data or "",
        judges_per_entry=form.judges_per_entry.data or "",
        panels_by=form.panels_by.data or "",
        opens_at=moment(form.opens_at, rnd.opens_at if rnd else None),
        closes_at=moment(form.closes_at, rnd.closes_at if rnd else None),
        judges_see_others=bool(form.judges_see_others.data),
        aggregation=form.aggregation.data or "",
        disagreement_threshold=form.disagreement_threshold.data or "",
        advancement=form.advancement.data or "",
        advancement_value=form.advancement_value.data or "",
        prize_counts={t: getattr(form, f"prize_{t}").data or "0" for t in common.PRIZE_TIERS},
    )


def _render_round_form(form: RoundForm, contest: WritingContest, rnd: JudgingRound | None,
                       problems: list[str], status: int = 200):  # noqa: ANN202
    return render_template("judging/console/round_form.html", form=form, contest=contest,
                           rnd=rnd, problems=problems), status


@bp.route("/judging/contests/<int:contest_id>/rounds/new", methods=["GET", "POST"])
@require("writing.manage")
def judging_round_new(contest_id: int):
    contest = contest_or_404(contest_id)
    form = RoundForm()
    form.template.choices = _template_choices()
    if request.method == "GET":
        first = not rounds.contest_rounds(contest)
        _fill_round(form, lifecycle.RoundInput(
            name=_("Preliminary round") if first else _("Final round"),
            prize_counts={} if first else {"A": 1, "B": 1, "C": 2, "KK": 2}))
    return save_form(
        form, lambda: lifecycle.create_round(contest, _round_input(form, None),
                                             _template(form.template.data), current_user.id),
        render=lambda f, problems, status: _render_round_form(f, contest, None, problems, status),
        message=problem_message, done=_("Round created. Seat its judges next."),
        then=lambda rnd: url_for("judging_console.judging_round_judges", round_id=rnd.id))


@bp.route("/judging/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@require("writing.manage")
def judging_round_edit(round_id: int):
    rnd = round_or_404(round_id)
    contest = db.session.get(WritingContest, rnd.contest_id)
    form = RoundForm()
    if request.method == "GET":
        _fill_round(form, lifecycle.RoundInput.of(rnd))
    return save_form(
        form, lambda: lifecycle.update_round(rnd, _round_input(form, rnd), current_user.id, now()),
        render=lambda f, problems, status: _render_round_form(f, contest, rnd, problems, status),
        message=problem_message, done=_("Round saved."), then=round_url(rnd))


@bp.get("/judging/rounds/<int:round_id>")
@require("writing.manage")
def judging_round(round_id: int):
    rnd = round_or_404(round_id)
    judges, entries = progress.progress(rnd)
    template_form = TemplateForm()
    template_form.template.choices = _template_choices()
    return render_template(
        "judging/console/round.html", **nav(rnd), n_entries=len(entries),
        n_judges=len(jury.round_judges(rnd)), assigned=sum(p.assigned for p in judges),
        submitted=sum(p.submitted for p in judges),
        previous=rounds.previous_round(rnd), next=rounds.next_round(rnd),
        excluded=rounds.excluded_entries(rnd), action_form=ActionForm(),
        template_form=template_form, reopen_form=ReopenForm(),
        rubric_locked=rubrics.rubric_locked(rnd.rubric),
        awards=rounds.awards_prizes(rnd), now=now(),
        waiting=declarations.round_pending(rnd), decide_form=OptionalReasonForm(prefix="decide"))


_TRANSITIONS = {
    "open": (lambda rnd, at: lifecycle.open_round(rnd, current_user.id, at),
             _l("The round is open: judges can score from its opening time.")),
    "close": (lambda rnd, at: lifecycle.close_round(rnd, current_user.id, at),
              _l("The round is closed and its results are computed.")),
}


@bp.post("/judging/rounds/<int:round_id>/status")
@require("writing.manage")
def judging_round_status(round_id: int):
    rnd = round_or_404(round_id)
    transition = _TRANSITIONS.get(request.form.get("to", ""))
    if transition is None:
        abort(400)
    change, done = transition
    return press_button(lambda: change(rnd, now()), message=problem_message, done=str(done),
                        then=round_url(rnd))


@bp.post("/judging/rounds/<int:round_id>/reopen")
@require("writing.manage")
def judging_round_reopen(round_id: int):
    rnd = round_or_404(round_id)
    form = ReopenForm()
    return press_button(
        lambda: lifecycle.reopen_round(
            rnd, current_user.id, now(), form.reason.data,
            timeutil.local_to_utc(form.closes_at.data) if form.closes_at.data else None),
        message=problem_message, form=form,
        done=_("The round is open again. Its results are computed again when it closes."),
        then=round_url(rnd))


@bp.post("/judging/rounds/<int:round_id>/delete")
@require("writing.manage")
def judging_round_delete(round_id: int):
    rnd = round_or_404(round_id)
    back = round_url(rnd)
    return press_button(
        lambda: lifecycle.delete_round(rnd, current_user.id),
        message=problem_message, done=_("Round removed."),
        then=lambda contest_id: url_for("judging_console.judging_contest", contest_id=contest_id)
        if contest_id else back)


@bp.post("/judging/rounds/<int:round_id>/rubric")
@require("writing.manage")
def judging_round_rubric(round_id: int):
    rnd = round_or_404(round_id)
    form = TemplateForm()
    return press_button(
        lambda: lifecycle.use_template(rnd, _template(form.template.data), current_user.id),
        message=problem_message, form=form,
        done=lambda rubric: _("The round now uses a copy of “%(name)s”.", name=rubric.name),
        then=round_url(rnd))


# --- judges of a round ---------------------------------------------------------------------


def _render_judges(rnd: JudgingRound, form: RoundJudgeForm, problems: list[str] = (),
                   status: int = 200):  # noqa: ANN202
    show(problems)
    contest = db.session.get(WritingContest, rnd.contest_id)
    seated = jury.round_judges(rnd)
    members = jury.jury(contest)
    form.judge.choices = choices((str(u.id), f"{u.full_name} <{u.email}>") for u in members)
    names = panel_names(rnd)
    form.panel.choices = choices(names.items())
    judges, _entries = progress.progress(rnd)
    return render_template("judging/console/judges.html", **nav(rnd), seated=seated,
                           form=form, action_form=ActionForm(),
                           loads={p.judge.id: p.assigned for p in judges},
                           panel_names=names, seated_ids={u.id for u, _row in seated},
                           jury=members), status


@bp.get("/judging/rounds/<int:round_id>/judges")
@require("writing.manage")
def judging_round_judges(round_id: int):
    return _render_judges(round_or_404(round_id), RoundJudgeForm())


@bp.post("/judging/rounds/<int:round_id>/judges")
@require("writing.manage")
def judging_round_judge_set(round_id: int):
    rnd = round_or_404(round_id)
    form = RoundJudgeForm()
    user = chosen_user(form.judge.data)
    return save_form(
        form, lambda: jury.set_round_judge(rnd, user, form.panel.data or "", form.max_load.data,
                                           current_user.id),
        render=lambda f, problems, status: _render_judges(rnd, f, problems, status),
        message=problem_message,
        done=_("%(name)s sits on the round.", name=user.full_name) if user else None,
        then=round_url(rnd, "judging_console.judging_round_judges"))


@bp.post("/judging/rounds/<int:round_id>/judges/all")
@require("writing.manage")
def judging_round_seat_jury(round_id: int):
    rnd = round_or_404(round_id)
    return press_button(
        lambda: jury.seat_jury(rnd, current_user.id), message=problem_message,
        done=lambda added: _("%(n)d jury members seated.", n=added),
        then=round_url(rnd, "judging_console.judging_round_judges"))


@bp.post("/judging/rounds/<int:round_id>/judges/<int:user_id>/remove")
@require("writing.manage")
def judging_round_judge_remove(round_id: int, user_id: int):
    rnd = round_or_404(round_id)
    form = ReasonForm()
    return press_button(
        lambda: jury.remove_round_judge(rnd, user_id, current_user.id, form.reason.data),
        message=problem_message, form=form,
        done=lambda removed: _("The judge left the round; %(n)d unsubmitted assignments were "
                               "removed.", n=removed),
        then=round_url(rnd, "judging_console.judging_round_judges"))
