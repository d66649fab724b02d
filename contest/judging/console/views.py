"""Organizer screens of judging: rubric templates and editor, judging rounds, invitations to the
jury, conflicts, assignment, progress and reminders, flagged entries, results with ties and
reliability, shortlists, prizes and publication, the score matrix and the round's audit trail.

The rules are in contest.judging.service; these views parse, call and render. The page where an
invited judge accepts is public (the public blueprint): invitees are not organizers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_login import current_user
from sqlalchemy import select

from contest import timeutil
from contest.accounts.models import User
from contest.accounts.policy import require
from contest.console import console_link
from contest.extensions import db
from contest.forms import ActionForm, ReasonForm
from contest.judging import aggregate as agg
from contest.judging import service
from contest.judging.console.forms import (
    ADVANCEMENT_LABELS,
    AGGREGATION_LABELS,
    CRITERIA_ROWS,
    INVITATION_STATUS_LABELS,
    PANEL_LABELS,
    ROUND_STATUS_LABELS,
    SOURCE_LABELS,
    TIER_LABELS,
    ConflictForm,
    InviteForm,
    JudgeChoiceForm,
    PrizeForm,
    ReassignForm,
    ReopenForm,
    RoundForm,
    RoundJudgeForm,
    RubricForm,
    ShortlistForm,
    TemplateForm,
    levels_text,
    parse_levels,
)
from contest.judging.messages import CONFLICT_LABELS, SHORTFALL_LABELS, problem_message
from contest.judging.models import (
    Assignment,
    Conflict,
    EntryResult,
    Invitation,
    JudgingRound,
    Rubric,
    ScoreSheet,
)
from contest.refusals import flash_problems, place_problems
from contest.writing import exports
from contest.writing.messages import MEDIUM_LABELS
from contest.writing.models import Entry, WritingContest

bp = Blueprint("judging_console", __name__, url_prefix="/organizer")

console_link("judging_console.judging_index", lazy_pgettext("menu", "Judging"),
             _l("Rubrics, judging rounds, invitations to the jury, conflicts, assignment, "
                "progress, results, shortlists and prizes."), order=60)

ACTION_LABELS = {
    "judging.round.create": _l("Round created"),
    "judging.round.update": _l("Round settings changed"),
    "judging.round.rubric": _l("Rubric replaced"),
    "judging.round.open": _l("Round opened"),
    "judging.round.close": _l("Round closed"),
    "judging.round.reopen": _l("Round opened again"),
    "judging.round.publish": _l("Round published"),
    "judging.round.entries": _l("Entries received from the previous round"),
    "judging.round.delete": _l("Round removed"),
    "judging.judge.set": _l("Judge seated or changed"),
    "judging.judge.remove": _l("Judge removed from the round"),
    "judging.assign.auto": _l("Automatic assignment"),
    "judging.assignment.reassign": _l("Assignment given to another judge"),
    "judging.assignment.add": _l("Judge added to an entry"),
    "judging.assignment.remove": _l("Assignment removed"),
    "judging.assignment.conflict": _l("Assignment withdrawn for a conflict"),
    "judging.sheet.save": _l("Score sheet saved as a draft"),
    "judging.sheet.submit": _l("Score sheet submitted"),
    "judging.sheet.reopen": _l("Score sheet reopened"),
    "judging.reminders": _l("Reminders sent"),
    "judging.aggregate": _l("Results computed"),
    "judging.shortlist.confirm": _l("Shortlist confirmed"),
    "judging.prizes.propose": _l("Prizes proposed"),
    "judging.prize.set": _l("Prize decided"),
    "judging.invitation.create": _l("Invitation sent"),
    "judging.invitation.resend": _l("Invitation sent again"),
    "judging.invitation.withdraw": _l("Invitation withdrawn"),
    "judging.invitation.accept": _l("Invitation accepted"),
    "judging.conflict.declare": _l("Conflict recorded"),
    "judging.conflict.remove": _l("Conflict removed"),
}


@bp.app_context_processor
def _judging_helpers() -> dict:
    return {"round_status_labels": ROUND_STATUS_LABELS, "tier_labels": TIER_LABELS,
            "aggregation_labels": AGGREGATION_LABELS, "panel_labels": PANEL_LABELS,
            "advancement_labels": ADVANCEMENT_LABELS, "source_labels": SOURCE_LABELS,
            "conflict_labels": CONFLICT_LABELS, "shortfall_labels": SHORTFALL_LABELS}


# --- helpers -------------------------------------------------------------------------------


def _contest_or_404(contest_id: int) -> WritingContest:
    contest = db.session.get(WritingContest, contest_id)
    if contest is None:
        abort(404)
    return contest


def _round_or_404(round_id: int) -> JudgingRound:
    rnd = db.session.get(JudgingRound, round_id)
    if rnd is None:
        abort(404)
    return rnd


def _get_or_404(model: Any, ident: int) -> Any:
    row = db.session.get(model, ident)
    if row is None:
        abort(404)
    return row


def _now() -> datetime:
    return timeutil.utcnow()


def _flash(exc: service.JudgingError) -> None:
    db.session.rollback()
    flash_problems(exc.problems, problem_message)


def _place(form: Any, problems: list[Any]) -> list[str]:
    """Put each problem next to its field (``criteria-2-name`` is row 2's name); return the
    messages that concern the whole form."""
    return place_problems(problems, problem_message, form)


def _back_to_round(rnd: JudgingRound, endpoint: str = "judging_console.judging_round", **kw: Any):  # noqa: ANN202
    return redirect(url_for(endpoint, round_id=rnd.id, **kw))


def _entry_label(entry: Entry) -> str:
    return f"{entry.anon_code or entry.id} · {entry.title}"


def _naive_local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return timeutil.to_local(value).replace(tzinfo=None, second=0, microsecond=0)


def _moment(field: Any, stored: datetime | None) -> datetime | None:
    """The posted time in UTC; the stored one when the form shows it unchanged (minutes)."""
    if field.data is None:
        return None
    if stored is not None and _naive_local(stored) == field.data:
        return stored
    return timeutil.local_to_utc(field.data)


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def _nav(rnd: JudgingRound) -> dict[str, Any]:
    contest = db.session.get(WritingContest, rnd.contest_id)
    return {"rnd": rnd, "contest": contest}


def _judge_link(rnd: JudgingRound) -> str:
    """Where a reminded judge goes: the judge's page of the round when the judge side has one."""
    views = current_app.view_functions
    for endpoint, args in (("judging.round", {"round_id": rnd.id}), ("judging.index", {}),
                           ("judging.dashboard", {})):
        if endpoint in views:
            return url_for(endpoint, _external=True, **args)
    return url_for("public.home", _external=True)


# --- index ---------------------------------------------------------------------------------


@bp.get("/judging")
@require("writing.manage")
def judging_index():
    contests = db.session.execute(
        select(WritingContest).order_by(WritingContest.submission_opens_at.desc(),
                                        WritingContest.id.desc())
    ).scalars().all()
    rounds = {c.id: service.contest_rounds(c) for c in contests}
    return render_template("judging/console/index.html", contests=contests, rounds=rounds)


# --- rubrics -------------------------------------------------------------------------------


@bp.get("/judging/rubrics")
@require("writing.manage")
def judging_rubrics():
    if service.seed_templates(_):
        db.session.commit()
    return render_template("judging/console/rubrics.html", templates=service.templates(),
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


def _rubric_input(form: RubricForm) -> tuple[service.RubricInput, bool]:
    criteria, unreadable = [], False
    for row in form.criteria:
        levels, bad = parse_levels(row.form.levels.data)
        if bad:
            row.form.levels.errors = [*row.form.levels.errors,
                                      _("Write each level as “points: text”, e.g. “5: new "
                                        "facts”.")]
            unreadable = True
        criteria.append(service.CriterionInput(
            name=row.form.name.data or "", description=row.form.description.data or "",
            weight=row.form.weight.data or "", max_points=row.form.max_points.data or "",
            levels=levels))
    return service.RubricInput(form.name.data or "", form.description.data or "",
                               form.scale.data or "", criteria), unreadable


def _rubric_rounds(rubric: Rubric) -> list[JudgingRound]:
    return service.rounds_using(rubric)


def _render_rubric(form: RubricForm, rubric: Rubric | None, problems: list[str],
                   status: int = 200):  # noqa: ANN202
    rounds = _rubric_rounds(rubric) if rubric else []
    locked = bool(rubric) and service.rubric_locked(rubric)
    return render_template("judging/console/rubric_form.html", form=form, rubric=rubric,
                           problems=problems, rounds=rounds, locked=locked,
                           rows=CRITERIA_ROWS), status


def _back_from_rubric(rubric: Rubric):  # noqa: ANN202
    rounds = _rubric_rounds(rubric)
    if rounds:
        return redirect(url_for("judging_console.judging_round", round_id=rounds[0].id))
    return redirect(url_for("judging_console.judging_rubrics"))


@bp.route("/judging/rubrics/new", methods=["GET", "POST"])
@require("writing.manage")
def judging_rubric_new():
    form = RubricForm()
    if request.method == "GET":
        form.scale.data = "10"
        return _render_rubric(form, None, [])
    data, unreadable = _rubric_input(form)
    if not form.validate_on_submit() or unreadable:
        return _render_rubric(form, None, [], 400)
    try:
        service.create_rubric(data, current_user.id, template=True)
    except service.JudgingError as exc:
        db.session.rollback()
        return _render_rubric(form, None, _place(form, exc.problems), 400)
    db.session.commit()
    flash(_("Template saved."), "success")
    return redirect(url_for("judging_console.judging_rubrics"))


@bp.route("/judging/rubrics/<int:rubric_id>", methods=["GET", "POST"])
@require("writing.manage")
def judging_rubric_edit(rubric_id: int):
    rubric = _get_or_404(Rubric, rubric_id)
    form = RubricForm()
    if request.method == "GET":
        _fill_rubric(form, rubric)
        return _render_rubric(form, rubric, [])
    data, unreadable = _rubric_input(form)
    if not form.validate_on_submit() or unreadable:
        return _render_rubric(form, rubric, [], 400)
    try:
        service.update_rubric(rubric, data, current_user.id)
    except service.JudgingError as exc:
        db.session.rollback()
        return _render_rubric(form, rubric, _place(form, exc.problems), 400)
    db.session.commit()
    flash(_("Rubric saved."), "success")
    return _back_from_rubric(rubric)


@bp.post("/judging/rubrics/<int:rubric_id>/copy")
@require("writing.manage")
def judging_rubric_copy(rubric_id: int):
    rubric = _get_or_404(Rubric, rubric_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    copy = service.copy_rubric(rubric, current_user.id, template=True,
                               name=_("%(title)s (copy)", title=rubric.name))
    db.session.commit()
    flash(_("A copy was made. Change it as you need."), "success")
    return redirect(url_for("judging_console.judging_rubric_edit", rubric_id=copy.id))


@bp.post("/judging/rubrics/<int:rubric_id>/delete")
@require("writing.manage")
def judging_rubric_delete(rubric_id: int):
    rubric = _get_or_404(Rubric, rubric_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        service.delete_template(rubric, current_user.id)
    except service.JudgingError as exc:
        _flash(exc)
    else:
        db.session.commit()
        flash(_("Template removed. Rounds keep their own copies."), "success")
    return redirect(url_for("judging_console.judging_rubrics"))


# --- contests and rounds -------------------------------------------------------------------


@bp.get("/judging/contests/<int:contest_id>")
@require("writing.manage")
def judging_contest(contest_id: int):
    contest = _contest_or_404(contest_id)
    rounds = service.contest_rounds(contest)
    counts = {r.id: (len(service.round_entries(r)), len(service.round_judges(r)))
              for r in rounds}
    return render_template("judging/console/contest.html", contest=contest, rounds=rounds,
                           counts=counts, jury=service.jury(contest))


def _template_choices() -> list[tuple[str, str]]:
    if service.seed_templates(_):
        db.session.commit()
    return [(str(t.id), t.name) for t in service.templates()]


def _fill_round(form: RoundForm, data: service.RoundInput) -> None:
    form.name.data = data.name
    form.judges_per_entry.data = str(data.judges_per_entry)
    form.panels_by.data = data.panels_by
    form.opens_at.data = _naive_local(data.opens_at)
    form.closes_at.data = _naive_local(data.closes_at)
    form.judges_see_others.data = data.judges_see_others
    form.aggregation.data = data.aggregation
    form.disagreement_threshold.data = f"{float(data.disagreement_threshold):g}"
    form.advancement.data = data.advancement
    form.advancement_value.data = f"{float(data.advancement_value):g}"
    for tier in service.PRIZE_TIERS:
        getattr(form, f"prize_{tier}").data = str((data.prize_counts or {}).get(tier, 0))


def _round_input(form: RoundForm, rnd: JudgingRound | None) -> service.RoundInput:
    return service.RoundInput(
        name=form.name.data or "",
        judges_per_entry=form.judges_per_entry.data or "",
        panels_by=form.panels_by.data or "",
        opens_at=_moment(form.opens_at, rnd.opens_at if rnd else None),
        closes_at=_moment(form.closes_at, rnd.closes_at if rnd else None),
        judges_see_others=bool(form.judges_see_others.data),
        aggregation=form.aggregation.data or "",
        disagreement_threshold=form.disagreement_threshold.data or "",
        advancement=form.advancement.data or "",
        advancement_value=form.advancement_value.data or "",
        prize_counts={t: getattr(form, f"prize_{t}").data or "0" for t in service.PRIZE_TIERS},
    )


def _render_round_form(form: RoundForm, contest: WritingContest, rnd: JudgingRound | None,
                       problems: list[str], status: int = 200):  # noqa: ANN202
    return render_template("judging/console/round_form.html", form=form, contest=contest,
                           rnd=rnd, problems=problems), status


@bp.route("/judging/contests/<int:contest_id>/rounds/new", methods=["GET", "POST"])
@require("writing.manage")
def judging_round_new(contest_id: int):
    contest = _contest_or_404(contest_id)
    form = RoundForm()
    form.template.choices = _template_choices()
    if request.method == "GET":
        first = not service.contest_rounds(contest)
        _fill_round(form, service.RoundInput(
            name=_("Preliminary round") if first else _("Final round"),
            prize_counts={} if first else {"A": 1, "B": 1, "C": 2, "KK": 2}))
        return _render_round_form(form, contest, None, [])
    if not form.validate_on_submit():
        return _render_round_form(form, contest, None, [], 400)
    template = db.session.get(Rubric, int(form.template.data)) \
        if (form.template.data or "").isdigit() else None
    if template is None or not template.is_template:
        form.template.errors = [_("Choose a rubric template.")]
        return _render_round_form(form, contest, None, [], 400)
    try:
        rnd = service.create_round(contest, _round_input(form, None), template, current_user.id)
    except service.JudgingError as exc:
        db.session.rollback()
        return _render_round_form(form, contest, None, _place(form, exc.problems), 400)
    db.session.commit()
    flash(_("Round created. Seat its judges next."), "success")
    return redirect(url_for("judging_console.judging_round_judges", round_id=rnd.id))


@bp.route("/judging/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@require("writing.manage")
def judging_round_edit(round_id: int):
    rnd = _round_or_404(round_id)
    contest = db.session.get(WritingContest, rnd.contest_id)
    form = RoundForm()
    if request.method == "GET":
        _fill_round(form, service.RoundInput.of(rnd))
        return _render_round_form(form, contest, rnd, [])
    if not form.validate_on_submit():
        return _render_round_form(form, contest, rnd, [], 400)
    try:
        service.update_round(rnd, _round_input(form, rnd), current_user.id, _now())
    except service.JudgingError as exc:
        db.session.rollback()
        return _render_round_form(form, contest, rnd, _place(form, exc.problems), 400)
    db.session.commit()
    flash(_("Round saved."), "success")
    return _back_to_round(rnd)


@bp.get("/judging/rounds/<int:round_id>")
@require("writing.manage")
def judging_round(round_id: int):
    rnd = _round_or_404(round_id)
    judges, entries = service.progress(rnd)
    template_form = TemplateForm()
    template_form.template.choices = _template_choices()
    submitted = sum(p.submitted for p in judges)
    assigned = sum(p.assigned for p in judges)
    return render_template(
        "judging/console/round.html", **_nav(rnd), n_entries=len(entries),
        n_judges=len(service.round_judges(rnd)), assigned=assigned, submitted=submitted,
        previous=service.previous_round(rnd), next=service.next_round(rnd),
        excluded=service.excluded_entries(rnd), action_form=ActionForm(),
        template_form=template_form, reopen_form=ReopenForm(),
        rubric_locked=service.rubric_locked(rnd.rubric),
        awards=service.awards_prizes(rnd), now=_now())


_TRANSITIONS = {
    "open": (lambda rnd, now: service.open_round(rnd, current_user.id, now),
             _l("The round is open: judges can score from its opening time.")),
    "close": (lambda rnd, now: service.close_round(rnd, current_user.id, now),
              _l("The round is closed and its results are computed.")),
}


@bp.post("/judging/rounds/<int:round_id>/status")
@require("writing.manage")
def judging_round_status(round_id: int):
    rnd = _round_or_404(round_id)
    transition = _TRANSITIONS.get(request.form.get("to", ""))
    if not ActionForm().validate_on_submit() or transition is None:
        abort(400)
    change, done = transition
    try:
        change(rnd, _now())
    except service.JudgingError as exc:
        _flash(exc)
    else:
        db.session.commit()
        flash(str(done), "success")
    return _back_to_round(rnd)


@bp.post("/judging/rounds/<int:round_id>/reopen")
@require("writing.manage")
def judging_round_reopen(round_id: int):
    rnd = _round_or_404(round_id)
    form = ReopenForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return _back_to_round(rnd)
    closes_at = timeutil.local_to_utc(form.closes_at.data) if form.closes_at.data else None
    try:
        service.reopen_round(rnd, current_user.id, _now(), form.reason.data, closes_at)
    except service.JudgingError as exc:
        _flash(exc)
    else:
        db.session.commit()
        flash(_("The round is open again. Its results are computed again when it closes."),
              "success")
    return _back_to_round(rnd)


@bp.post("/judging/rounds/<int:round_id>/delete")
@require("writing.manage")
def judging_round_delete(round_id: int):
    rnd = _round_or_404(round_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    contest_id = rnd.contest_id
    try:
        service.delete_round(rnd, current_user.id)
    except service.JudgingError as exc:
        _flash(exc)
        return _back_to_round(rnd)
    db.session.commit()
    flash(_("Round removed."), "success")
    return redirect(url_for("judging_console.judging_contest", contest_id=contest_id))


@bp.post("/judging/rounds/<int:round_id>/rubric")
@require("writing.manage")
def judging_round_rubric(round_id: int):
    rnd = _round_or_404(round_id)
    form = TemplateForm()
    template = db.session.get(Rubric, int(form.template.data)) \
        if (form.template.data or "").isdigit() else None
    if not form.validate_on_submit() or template is None or not template.is_template:
        abort(400)
    try:
        service.use_template(rnd, template, current_user.id)
    except service.JudgingError as exc:
        _flash(exc)
    else:
        db.session.commit()
        flash(_("The round now uses a copy of “%(name)s”.", name=template.name), "success")
    return _back_to_round(rnd)


# --- judges of a round ---------------------------------------------------------------------


def _panel_choices(rnd: JudgingRound) -> list[tuple[str, str]]:
    choices = [("", _("All panels"))]
    for key, category in service.panels(rnd):
        if not key:
            continue
        label = category.name if rnd.panels_by == "category" else \
            str(MEDIUM_LABELS.get(key, key))
        choices.append((key, label))
    return choices


def _render_judges(rnd: JudgingRound, form: RoundJudgeForm, status: int = 200):  # noqa: ANN202
    contest = db.session.get(WritingContest, rnd.contest_id)
    seated = service.round_judges(rnd)
    seated_ids = {u.id for u, _row in seated}
    form.judge.choices = [(str(u.id), f"{u.full_name} <{u.email}>")
                          for u in service.jury(contest)]
    form.panel.choices = _panel_choices(rnd)
    judges, _entries = service.progress(rnd)
    loads = {p.judge.id: p.assigned for p in judges}
    return render_template("judging/console/judges.html", **_nav(rnd), seated=seated,
                           form=form, action_form=ActionForm(), loads=loads,
                           panel_names=dict(form.panel.choices), seated_ids=seated_ids,
                           jury=service.jury(contest)), status


@bp.get("/judging/rounds/<int:round_id>/judges")
@require("writing.manage")
def judging_round_judges(round_id: int):
    return _render_judges(_round_or_404(round_id), RoundJudgeForm())


@bp.post("/judging/rounds/<int:round_id>/judges")
@require("writing.manage")
def judging_round_judge_set(round_id: int):
    rnd = _round_or_404(round_id)
    form = RoundJudgeForm()
    if not form.validate_on_submit():
        return _render_judges(rnd, form, 400)
    user = db.session.get(User, int(form.judge.data)) if (form.judge.data or "").isdigit() \
        else None
    if user is None:
        form.judge.errors = [_("Choose a jury member.")]
        return _render_judges(rnd, form, 400)
    try:
        service.set_round_judge(rnd, user, form.panel.data or "", form.max_load.data,
                                current_user.id)
    except service.JudgingError as exc:
        db.session.rollback()
        for message in _place(form, exc.problems):
            form.judge.errors = [*form.judge.errors, message]
        return _render_judges(rnd, form, 400)
    db.session.commit()
    flash(_("%(name)s sits on the round.", name=user.full_name), "success")
    return redirect(url_for("judging_console.judging_round_judges", round_id=rnd.id))


@bp.post("/judging/rounds/<int:round_id>/judges/all")
@require("writing.manage")
def judging_round_seat_jury(round_id: int):
    rnd = _round_or_404(round_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        added = service.seat_jury(rnd, current_user.id)
    except service.JudgingError as exc:
        _flash(exc)
    else:
        db.session.commit()
        flash(_("%(n)d jury members seated.", n=added), "success")
    return redirect(url_for("judging_console.judging_round_judges", round_id=rnd.id))


@bp.post("/judging/rounds/<int:round_id>/judges/<int:user_id>/remove")
@require("writing.manage")
def judging_round_judge_remove(round_id: int, user_id: int):
    rnd = _round_or_404(round_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Give the reason."), "error")
        return redirect(url_for("judging_console.judging_round_judges", round_id=rnd.id))
    try:
        removed = service.remove_round_judge(rnd, user_id, current_user.id, form.reason.data)
    except service.JudgingError as exc:
        _flash(exc)
    else:
        db.session.commit()
        flash(_("The judge left the round; %(n)d unsubmitted assignments were removed.",
                n=removed), "success")
    return redirect(url_for("judging_console.judging_round_judges", round_id=rnd.id))


# --- invitations ---------------------------------------------------------------------------


def _invite_link(token: str) -> str:
    return url_for("judging.invitation", token=token, _external=True)


def _render_invitations(contest: WritingContest, form: InviteForm, status: int = 200):  # noqa: ANN202
    now = _now()
    rows = [(inv, service.invitation_status(inv, now),
             db.session.get(User, inv.accepted_by_id) if inv.accepted_by_id else None)
            for inv in service.invitations(contest)]
    return render_template("judging/console/invitations.html", contest=contest, rows=rows,
                           form=form, action_form=ActionForm(),
                           status_labels=INVITATION_STATUS_LABELS), status


@bp.get("/judging/contests/<int:contest_id>/invitations")
@require("writing.manage")
def judging_invitations(contest_id: int):
    return _render_invitations(_contest_or_404(contest_id), InviteForm())


@bp.post("/judging/contests/<int:contest_id>/invitations")
@require("writing.manage")
def judging_invite(contest_id: int):
    contest = _contest_or_404(contest_id)
    form = InviteForm()
    if not form.validate_on_submit():
        return _render_invitations(contest, form, 400)
    try:
        inv, token = service.invite(contest, form.email.data, current_user, _now(), _secret())
        service.mail_invitation(inv, _invite_link(token))
    except service.JudgingError as exc:
        db.session.rollback()
        for message in _place(form, exc.problems):
            form.email.errors = [*form.email.errors, message]
        return _render_invitations(contest, form, 400)
    db.session.commit()
    flash(_("The invitation was sent to %(email)s.", email=inv.email), "success")
    return redirect(url_for("judging_console.judging_invitations", contest_id=contest.id))


@bp.post("/judging/invitations/<int:invitation_id>/<any(resend, withdraw):action>")
@require("writing.manage")
def judging_invitation_action(invitation_id: int, action: str):
    inv = _get_or_404(Invitation, invitation_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        if action == "resend":
            token = service.resend_invitation(inv, current_user, _now(), _secret())
            service.mail_invitation(inv, _invite_link(token))
            done = _("The invitation was sent again; the earlier link no longer works.")
        else:
            service.withdraw_invitation(inv, current_user, _now())
            done = _("The invitation is withdrawn.")
    except service.JudgingError as exc:
        _flash(exc)
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("judging_console.judging_invitations", contest_id=inv.contest_id))


# --- conflicts -----------------------------------------------------------------------------


def _render_conflicts(contest: WritingContest, form: ConflictForm, status: int = 200):  # noqa: ANN202
    form.judge.choices = [(str(u.id), u.full_name) for u in service.jury(contest)]
    return render_template("judging/console/conflicts.html", contest=contest,
                           declared=service.declared_conflicts(contest),
                           found=service.contest_conflicts(contest), form=form,
                           remove_form=ReasonForm(prefix="remove")), status


@bp.get("/judging/contests/<int:contest_id>/conflicts")
@require("writing.manage")
def judging_conflicts(contest_id: int):
    return _render_conflicts(_contest_or_404(contest_id), ConflictForm())


@bp.post("/judging/contests/<int:contest_id>/conflicts")
@require("writing.manage")
def judging_conflict_add(contest_id: int):
    contest = _contest_or_404(contest_id)
    form = ConflictForm()
    form.judge.choices = [(str(u.id), u.full_name) for u in service.jury(contest)]
    if not form.validate_on_submit():
        return _render_conflicts(contest, form, 400)
    judge = db.session.get(User, int(form.judge.data)) if (form.judge.data or "").isdigit() \
        else None
    if judge is None:
        form.judge.errors = [_("Choose a judge.")]
        return _render_conflicts(contest, form, 400)
    entry = None
    code = (form.entry_code.data or "").strip().upper()
    if code:
        entry = db.session.execute(select(Entry).where(
            Entry.contest_id == contest.id, Entry.anon_code == code)).scalar_one_or_none()
        if entry is None:
            form.entry_code.errors = [_("No entry of this contest has this code.")]
            return _render_conflicts(contest, form, 400)
    try:
        service.declare_conflict(judge, contest, entry, form.author_name.data or "",
                                 form.outlet.data or "", form.reason.data or "",
                                 actor=current_user, now=_now())
    except service.JudgingError as exc:
        db.session.rollback()
        general = _place(form, exc.problems)
        for message in general:
            form.reason.errors = [*form.reason.errors, message]
        return _render_conflicts(contest, form, 400)
    db.session.commit()
    flash(_("The conflict is recorded; the judge's matching assignments in open rounds were "
            "withdrawn."), "success")
    return redirect(url_for("judging_console.judging_conflicts", contest_id=contest.id))


@bp.post("/judging/conflicts/<int:conflict_id>/remove")
@require("writing.manage")
def judging_conflict_remove(conflict_id: int):
    conflict = _get_or_404(Conflict, conflict_id)
    form = ReasonForm(prefix="remove")
    if not form.validate_on_submit():
        flash(_("Give the reason."), "error")
    else:
        try:
            service.remove_conflict(conflict, current_user, form.reason.data)
        except service.JudgingError as exc:
            _flash(exc)
        else:
            db.session.commit()
            flash(_("The conflict is removed."), "success")
    return redirect(url_for("judging_console.judging_conflicts", contest_id=conflict.contest_id))


# --- assignment ----------------------------------------------------------------------------


@bp.get("/judging/rounds/<int:round_id>/assignments")
@require("writing.manage")
def judging_assignments(round_id: int):
    rnd = _round_or_404(round_id)
    judges, entries = service.progress(rnd)
    return render_template(
        "judging/console/assignments.html", **_nav(rnd), entries=entries,
        shortfalls=service.shortfalls(rnd), loads=judges, action_form=ActionForm(),
        panel_names=dict(_panel_choices(rnd)), changeable=rnd.status in ("draft", "open"))


@bp.post("/judging/rounds/<int:round_id>/assign")
@require("writing.manage")
def judging_assign(round_id: int):
    rnd = _round_or_404(round_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        result = service.auto_assign(rnd, current_user.id)
    except service.JudgingError as exc:
        _flash(exc)
    else:
        db.session.commit()
        flash(_("%(n)d assignments made.", n=len(result.created)), "success")
        if result.withdrawn:
            flash(_("%(n)d assignments were withdrawn for conflicts.", n=len(result.withdrawn)),
                  "warning")
        if result.shortfalls:
            flash(_("%(n)d entries cannot get enough judges; see the list.",
                    n=len(result.shortfalls)), "warning")
    return _back_to_round(rnd, "judging_console.judging_assignments")


def _judge_choices(rnd: JudgingRound, entry: Entry, auto: bool) -> list[tuple[str, str]]:
    taken = set(service.judges_of(rnd, entry.id))
    choices = [("", _("Choose automatically: the least loaded free judge"))] if auto else []
    for user, _row in service.round_judges(rnd):
        if user.id in taken:
            continue
        label = user.full_name
        if service.conflict_reasons(user, entry):
            label += " — " + _("conflict")
        choices.append((str(user.id), label))
    return choices


@bp.get("/judging/rounds/<int:round_id>/entries/<int:entry_id>")
@require("writing.manage")
def judging_entry(round_id: int, entry_id: int):
    rnd = _round_or_404(round_id)
    entry = _get_or_404(Entry, entry_id)
    if entry.contest_id != rnd.contest_id:
        abort(404)
    rows = [(a, db.session.get(User, a.judge_id)) for a in service.assignments(rnd)
            if a.entry_id == entry.id]
    add_form = JudgeChoiceForm(prefix="add")
    add_form.judge.choices = _judge_choices(rnd, entry, auto=True)
    reassign_form = ReassignForm(prefix="move")
    reassign_form.judge.choices = _judge_choices(rnd, entry, auto=False)
    result = db.session.execute(select(EntryResult).where(
        EntryResult.round_id == rnd.id, EntryResult.entry_id == entry.id)).scalar_one_or_none()
    return render_template(
        "judging/console/entry.html", **_nav(rnd), entry=entry, rows=rows,
        criteria=service.criteria_of(rnd), add_form=add_form, reassign_form=reassign_form,
        reopen_form=ReasonForm(prefix="reopen"), result=result,
        changeable=rnd.status in ("draft", "open"),
        accepting=service.accepting_scores(rnd, _now()), panel=service.panel_of(rnd, entry))


def _entry_page(rnd: JudgingRound, entry_id: int):  # noqa: ANN202
    return redirect(url_for("judging_console.judging_entry", round_id=rnd.id, entry_id=entry_id))


@bp.post("/judging/assignments/<int:assignment_id>/reassign")
@require("writing.manage")
def judging_reassign(assignment_id: int):
    assignment = _get_or_404(Assignment, assignment_id)
    rnd = db.session.get(JudgingRound, assignment.round_id)
    form = ReassignForm(prefix="move")
    judge = db.session.get(User, int(form.judge.data)) if (form.judge.data or "").isdigit() \
        else None
    if not form.validate_on_submit() or judge is None:
        flash(_("Choose a judge and give the reason."), "error")
        return _entry_page(rnd, assignment.entry_id)
    try:
        service.reassign(assignment, judge, current_user, form.reason.data or "", _now())
    except service.JudgingError as exc:
        _flash(exc)
    else:
        db.session.commit()
        flash(_("The entry now goes to %(name)s.", name=judge.full_name), "success")
    return _entry_page(rnd, assignment.entry_id)


@bp.post("/judging/rounds/<int:round_id>/entries/<int:entry_id>/add-judge")
@require("writing.manage")
def judging_add_judge(round_id: int, entry_id: int):
    rnd = _round_or_404(round_id)
    entry = _get_or_404(Entry, entry_id)
    form = JudgeChoiceForm(prefix="add")
    if not form.validate_on_submit():
        flash(_("Choose a judge and give the reason."), "error")
        return _entry_page(rnd, entry.id)
    judge = None
    if form.judge.data:
        judge = db.session.get(User, int(form.judge.data)) if form.judge.data.isdigit() \
            else None
        if judge is None:
            abort(400)
    try:
        a = service.add_judge(rnd, entry, judge, current_user, form.source.data,
                              form.reason.data or "")
    except service.JudgingError as exc:
        _flash(exc)
    else:
        name = db.session.get(User, a.judge_id).full_name
        db.session.commit()
        flash(_("%(name)s now judges the entry too.", name=name), "success")
    return _entry_page(rnd, entry.id)


@bp.post("/judging/sheets/<int:sheet_id>/reopen")
@require("writing.manage")
def judging_sheet_reopen(sheet_id: int):
    sheet = _get_or_404(ScoreSheet, sheet_id)
    assignment = sheet.assignment
    rnd = db.session.get(JudgingRound, assignment.round_id)
    form = ReasonForm(prefix="reopen")
    if not form.validate_on_submit():
        flash(_("Give the reason."), "error")
        return _entry_page(rnd, assignment.entry_id)
    try:
        service.reopen_sheet(sheet, current_user, _now(), form.reason.data)
    except service.JudgingError as exc:
        _flash(exc)
    else:
        db.session.commit()
        flash(_("The score sheet is a draft again; its judge can correct and submit it."),
              "success")
    return _entry_page(rnd, assignment.entry_id)


# --- progress, reminders, flagged entries ---------------------------------------------------


@bp.get("/judging/rounds/<int:round_id>/progress")
@require("writing.manage")
def judging_progress(round_id: int):
    rnd = _round_or_404(round_id)
    judges, entries = service.progress(rnd)
    return render_template("judging/console/progress.html", **_nav(rnd), judges=judges,
                           entries=entries, action_form=ActionForm(),
                           waiting=service.judges_with_open_sheets(rnd))


@bp.post("/judging/rounds/<int:round_id>/remind")
@require("writing.manage")
def judging_remind(round_id: int):
    rnd = _round_or_404(round_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        sent = service.send_reminders(rnd, _judge_link(rnd), current_user, _now())
    except service.JudgingError as exc:
        _flash(exc)
    else:
        db.session.commit()
        flash(_("%(n)d reminders sent.", n=sent), "success")
    return _back_to_round(rnd, "judging_console.judging_progress")


@bp.get("/judging/rounds/<int:round_id>/flagged")
@require("writing.manage")
def judging_flagged(round_id: int):
    rnd = _round_or_404(round_id)
    return render_template("judging/console/flagged.html", **_nav(rnd),
                           flagged=service.flagged_entries(rnd))


# --- results, shortlist, prizes, publication -----------------------------------------------


@bp.get("/judging/rounds/<int:round_id>/results")
@require("writing.manage")
def judging_results(round_id: int):
    rnd = _round_or_404(round_id)
    categories = service.results_by_category(rnd)
    alphas = {None: service.alpha(rnd)}
    for cat in categories:
        alphas[cat.category.id] = service.alpha(rnd, cat.category)
    details = service.live_scores(rnd) if rnd.aggregated_at else {}
    return render_template("judging/console/results.html", **_nav(rnd),
                           categories=categories, alphas=alphas, details=details,
                           action_form=ActionForm(), min_trim=agg.MIN_JUDGES_FOR_TRIM)


@bp.post("/judging/rounds/<int:round_id>/aggregate")
@require("writing.manage")
def judging_aggregate(round_id: int):
    rnd = _round_or_404(round_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        service.aggregate(rnd, current_user.id, _now())
    except service.JudgingError as exc:
        _flash(exc)
    else:
        db.session.commit()
        flash(_("The results are computed from the submitted score sheets."), "success")
    return _back_to_round(rnd, "judging_console.judging_results")


def _render_shortlist(rnd: JudgingRound, form: ShortlistForm, status: int = 200):  # noqa: ANN202
    proposal = service.propose_shortlist(rnd) if rnd.aggregated_at else []
    confirmed = service.shortlist_confirmed(rnd)
    if request.method == "GET":
        form.entries.data = [str(row.entry.id) for cat in proposal for row in cat.rows
                             if (row.result.advanced if confirmed else row.proposed)]
    chosen = set(form.entries.data or [])
    return render_template("judging/console/shortlist.html", **_nav(rnd), proposal=proposal,
                           form=form, chosen=chosen, next=service.next_round(rnd),
                           confirmed=confirmed), status


@bp.get("/judging/rounds/<int:round_id>/shortlist")
@require("writing.manage")
def judging_shortlist(round_id: int):
    return _render_shortlist(_round_or_404(round_id), ShortlistForm())


@bp.post("/judging/rounds/<int:round_id>/shortlist")
@require("writing.manage")
def judging_shortlist_confirm(round_id: int):
    rnd = _round_or_404(round_id)
    form = ShortlistForm()
    if not form.validate_on_submit():
        return _render_shortlist(rnd, form, 400)
    ids = [int(v) for v in form.entries.data or [] if str(v).isdigit()]
    try:
        nxt = service.confirm_shortlist(rnd, ids, current_user, form.reason.data or "")
    except service.JudgingError as exc:
        db.session.rollback()
        for message in _place(form, exc.problems):
            flash(message, "error")
        return _render_shortlist(rnd, form, 400)
    db.session.commit()
    flash(_("%(n)d entries go on to “%(round)s”.", n=len(ids), round=nxt.name), "success")
    return _back_to_round(rnd, "judging_console.judging_shortlist")


@bp.get("/judging/rounds/<int:round_id>/prizes")
@require("writing.manage")
def judging_prizes(round_id: int):
    rnd = _round_or_404(round_id)
    plan = service.prize_review(rnd) if rnd.aggregated_at else []
    return render_template("judging/console/prizes.html", **_nav(rnd), plan=plan,
                           proposed=service.prizes_proposed(rnd),
                           pending=service.pending_ties(rnd) if rnd.aggregated_at else [],
                           awards=service.awards_prizes(rnd), action_form=ActionForm(),
                           prize_form=PrizeForm())


@bp.post("/judging/rounds/<int:round_id>/prizes/propose")
@require("writing.manage")
def judging_prizes_propose(round_id: int):
    rnd = _round_or_404(round_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        plan = service.propose_prizes(rnd, current_user)
    except service.JudgingError as exc:
        _flash(exc)
    else:
        db.session.commit()
        ties = sum(len(cat.ties) for cat in plan)
        flash(_("Prizes proposed in rank order."), "success")
        if ties:
            flash(_("%(n)d ties straddle a prize boundary: decide each below.", n=ties),
                  "warning")
    return _back_to_round(rnd, "judging_console.judging_prizes")


@bp.post("/judging/results/<int:result_id>/prize")
@require("writing.manage")
def judging_prize_set(result_id: int):
    result = _get_or_404(EntryResult, result_id)
    rnd = db.session.get(JudgingRound, result.round_id)
    form = PrizeForm()
    if not form.validate_on_submit():
        flash(_("Choose the prize and give the reason."), "error")
        return _back_to_round(rnd, "judging_console.judging_prizes")
    try:
        service.set_prize(result, form.tier.data or None, current_user, form.reason.data)
    except service.JudgingError as exc:
        _flash(exc)
    else:
        db.session.commit()
        flash(_("The prize is decided."), "success")
    return _back_to_round(rnd, "judging_console.judging_prizes")


@bp.post("/judging/rounds/<int:round_id>/publish")
@require("writing.manage")
def judging_publish(round_id: int):
    rnd = _round_or_404(round_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        service.publish(rnd, current_user, _now())
    except service.JudgingError as exc:
        _flash(exc)
    else:
        db.session.commit()
        flash(_("The round is published. Its results can no longer change."), "success")
    return _back_to_round(rnd)


@bp.get("/judging/rounds/<int:round_id>/matrix.xlsx")
@require("writing.manage")
def judging_matrix(round_id: int):
    rnd = _round_or_404(round_id)
    contest = db.session.get(WritingContest, rnd.contest_id)
    data = service.score_matrix_xlsx(rnd, translate=_)
    stamp = timeutil.to_local(_now()).strftime("%Y%m%d-%H%M")
    name = f"{contest.code_prefix}-{rnd.name}-{stamp}.xlsx"
    return Response(
        data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": exports.attachment_header(name)})


# --- the audit trail -----------------------------------------------------------------------


def _short(value: Any, limit: int = 400) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


@bp.get("/judging/rounds/<int:round_id>/audit")
@require("writing.manage")
def judging_audit(round_id: int):
    rnd = _round_or_404(round_id)
    return render_template("judging/console/audit.html", **_nav(rnd),
                           events=service.round_trail(rnd), action_labels=ACTION_LABELS,
                           short=_short)
