"""Organizer screens of quiz rounds: create, edit, clone, open early, extend, close."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from contest import audit, timeutil
from contest.accounts.policy import require
from contest.console import console_link
from contest.extensions import db
from contest.forms import ActionForm
from contest.quiz import rounds as round_rules
from contest.quiz.forms import (
    PRIZE_LABELS,
    PROFILE_FIELD_LABELS,
    SCORING_LABELS,
    ExtendForm,
    RoundForm,
)
from contest.quiz.models import Attempt, AttemptStatus, Question, Result, Round, Topic
from contest.quiz.rounds import Phase, Problem, RoundError, RoundRules
from contest.refusals import flash_problems

bp = Blueprint("quiz_rounds", __name__, url_prefix="/organizer")

console_link("quiz_rounds.rounds", _l("Quiz rounds"),
             _l("Set up quiz rounds; open, extend and close them."), order=30)

BLANK_QUOTA_ROWS = 3
BLANK_PRIZE_ROWS = 2


def problem_message(problem: Problem) -> str:
    p = dict(problem.params)
    messages = {
        "title_missing": lambda: _("Enter a title."),
        "closes_before_opens": lambda: _("The close time must be after the open time."),
        "time_limit_too_short": lambda: _("The time limit must be at least one minute."),
        "attempts_out_of_range": lambda: _("Allow from 1 to %(max)d attempts.", max=p["max"]),
        "unknown_scoring": lambda: _("Choose how multiple-answer questions are scored."),
        "min_age_out_of_range": lambda: _("The minimum age must be from 0 to 120."),
        "unknown_field": lambda: _("Unknown profile details: %(fields)s.", fields=p["fields"]),
        "bad_prize_tiers": lambda: _("Each prize needs its own short name and 0 or more "
                                     "places."),
        "no_questions": lambda: _("Set at least one topic quota, or list the questions of "
                                  "the fixed list."),
        "fixed_repeats": lambda: _("The fixed list names a question more than once."),
        "too_many_questions": lambda: _("A round can have at most %(max)d questions.",
                                        max=p["max"]),
        "unknown_topic": lambda: _("A chosen topic no longer exists."),
        "questions_unavailable": lambda: _(
            "These questions are not in the bank, or are inactive or retired: %(ids)s.",
            ids=p["ids"]),
        "quota_short": lambda: _(
            "Topic “%(topic)s”: %(wanted)d questions per attempt, but only %(available)d "
            "active questions are available.", topic=p["topic"], wanted=p["wanted"],
            available=p["available"]),
        "locked": lambda: _("Entrants have started this round: its rules can no longer "
                            "change. Only the close time can be extended."),
        "round_closed": lambda: _("This round is closed."),
        "close_passed": lambda: _("The close time has passed. Extend the round first."),
        "already_open": lambda: _("This round is already open."),
        "not_later": lambda: _("The new close time must be later than the current one."),
        "not_open": lambda: _("This round is a draft: there is nothing to close."),
    }
    make = messages.get(problem.code)
    return make() if make else problem.code


def phase_label(phase: Phase) -> str:
    return {
        Phase.DRAFT: _("Draft"),
        Phase.UPCOMING: _("Open, not begun"),
        Phase.RUNNING: _("Running"),
        Phase.CLOSED: _("Closed"),
        Phase.PUBLISHED: _("Published"),
    }[phase]


def _round_or_404(round_id: int) -> Round:
    rnd = db.session.get(Round, round_id)
    if rnd is None:
        abort(404)
    return rnd


def _naive_local(value: datetime) -> datetime:
    return timeutil.to_local(value).replace(tzinfo=None, second=0, microsecond=0)


def _topic_choices() -> list[tuple[str, str]]:
    topics = db.session.execute(select(Topic)).scalars().all()
    direct = dict(db.session.execute(
        select(Question.topic_id, func.count()).where(Question.active.is_(True),
                                                      Question.retired.is_(False))
        .group_by(Question.topic_id)
    ).all())
    totals: dict[int, int] = {}
    for topic in topics:
        node: Topic | None = topic
        seen: set[int] = set()
        while node is not None and node.id not in seen:  # count into every ancestor
            seen.add(node.id)
            totals[node.id] = totals.get(node.id, 0) + direct.get(topic.id, 0)
            node = node.parent
    # Tree order with the depth shown by dashes: a closed select on a phone then still shows
    # the topic's own name rather than the start of a long path.
    rows = sorted(topics, key=lambda t: [part.lower() for part in t.path])
    return [("", _("— topic —"))] + [
        (str(t.id), f"{'– ' * (len(t.path) - 1)}{t.name} ({totals.get(t.id, 0)})") for t in rows
    ]


def _prepare(form: RoundForm) -> None:
    choices = _topic_choices()
    for row in form.quotas:
        row.form.topic_id.choices = choices


def _fill(form: RoundForm, rules: RoundRules) -> None:
    form.title.data = rules.title
    form.rules.data = rules.rules
    form.opens_at.data = _naive_local(rules.opens_at)
    form.closes_at.data = _naive_local(rules.closes_at)
    form.selection.data = rules.selection
    form.fixed_ids.data = ", ".join(map(str, rules.fixed_question_ids))
    form.shuffle_questions.data = rules.shuffle_questions
    form.shuffle_options.data = rules.shuffle_options
    form.time_limit_minutes.data = max(1, rules.time_limit_seconds // 60)
    form.attempts_allowed.data = rules.attempts_allowed
    form.multi_scoring.data = rules.multi_scoring
    form.prediction_enabled.data = rules.prediction_enabled
    form.prediction_text.data = rules.prediction_text
    form.min_age.data = rules.min_age
    form.required_fields.data = list(rules.required_fields)
    for topic_id, count in rules.quotas.items():
        form.quotas.append_entry({"topic_id": str(topic_id), "count": count})
    for name, places in rules.prize_tiers:
        form.prizes.append_entry({"name": name, "places": places})


def _add_blank_rows(form: RoundForm) -> None:
    for _i in range(BLANK_QUOTA_ROWS):
        form.quotas.append_entry()
    for _i in range(BLANK_PRIZE_ROWS):
        form.prizes.append_entry()


def _rules_from(form: RoundForm) -> RoundRules:
    return RoundRules(
        title=form.title.data or "",
        rules=form.rules.data or "",
        opens_at=timeutil.local_to_utc(form.opens_at.data),
        closes_at=timeutil.local_to_utc(form.closes_at.data),
        selection=form.selection.data or "quota",
        quotas=form.quota_values(),
        fixed_question_ids=form.fixed_values(),
        shuffle_questions=bool(form.shuffle_questions.data),
        shuffle_options=bool(form.shuffle_options.data),
        time_limit_seconds=(form.time_limit_minutes.data or 0) * 60,
        attempts_allowed=form.attempts_allowed.data or 0,
        multi_scoring=form.multi_scoring.data,
        prediction_enabled=bool(form.prediction_enabled.data),
        prediction_text=form.prediction_text.data or "",
        min_age=form.min_age.data,
        required_fields=list(form.required_fields.data or []),
        prize_tiers=form.prize_values(),
    )


def _render_form(form: RoundForm, rnd: Round | None, problems: list[str], status: int = 200):
    return render_template("quiz/console/rounds/form.html", form=form, rnd=rnd,
                           problems=problems), status


def _save(form: RoundForm, rnd: Round | None):
    """Validate the posted form and create or update; re-render with messages on refusal."""
    _prepare(form)
    valid = form.validate_on_submit()
    rows_ok = form.validate_quota_rows()
    if not (valid and rows_ok):
        return _render_form(form, rnd, [], 400)
    rules = _rules_from(form)
    try:
        if rnd is None:
            rnd = round_rules.create_round(rules, actor_id=current_user.id)
            action = "round.create"
        else:
            round_rules.update_round(rnd, rules)
            action = "round.update"
    except RoundError as exc:
        db.session.rollback()
        return _render_form(form, rnd, [problem_message(p) for p in exc.problems], 400)
    audit.record(current_user.id, action, "quiz_round", rnd.id, title=rnd.title)
    db.session.commit()
    flash(_("Round saved."), "success")
    return redirect(url_for("quiz_rounds.round_detail", round_id=rnd.id))


@bp.get("/rounds")
@require("rounds.manage")
def rounds():
    now = timeutil.utcnow()
    rows = db.session.execute(select(Round).order_by(Round.opens_at.desc())).scalars().all()
    counts: dict[int, dict[str, int]] = {}
    for round_id, status, n in db.session.execute(
        select(Attempt.round_id, Attempt.status, func.count()).group_by(Attempt.round_id,
                                                                         Attempt.status)
    ):
        counts.setdefault(round_id, {})[status] = n
    entrants = dict(db.session.execute(
        select(Result.round_id, func.count()).group_by(Result.round_id)
    ).all())
    return render_template(
        "quiz/console/rounds/list.html", rounds=rows, counts=counts, entrants=entrants,
        phase_of=lambda r: round_rules.phase(r, now), phase_label=phase_label,
    )


@bp.route("/rounds/new", methods=["GET", "POST"])
@require("rounds.manage")
def round_new():
    form = RoundForm()
    if request.method == "GET":
        start = timeutil.utcnow().replace(second=0, microsecond=0) + timedelta(days=1)
        _fill(form, RoundRules(title="", opens_at=start, closes_at=start + timedelta(days=7)))
        _add_blank_rows(form)
        _prepare(form)
        return _render_form(form, None, [])
    return _save(form, None)


@bp.get("/rounds/<int:round_id>")
@require("rounds.manage")
def round_detail(round_id: int):
    rnd = _round_or_404(round_id)
    now = timeutil.utcnow()
    counts = dict(db.session.execute(
        select(Attempt.status, func.count()).where(Attempt.round_id == rnd.id)
        .group_by(Attempt.status)
    ).all())
    entrants = db.session.execute(
        select(func.count()).select_from(Result).where(Result.round_id == rnd.id)
    ).scalar_one()
    extend_form = ExtendForm()
    extend_form.closes_at.data = _naive_local(rnd.closes_at)
    return render_template(
        "quiz/console/rounds/detail.html", rnd=rnd, phase=round_rules.phase(rnd, now), Phase=Phase,
        phase_label=phase_label, started=sum(counts.values()),
        submitted=counts.get(AttemptStatus.SUBMITTED, 0),
        under_way=counts.get(AttemptStatus.OPEN, 0), entrants=entrants,
        locked=round_rules.is_locked(rnd), action_form=ActionForm(), extend_form=extend_form,
        question_count=round_rules.question_count(rnd), profile_fields=PROFILE_FIELD_LABELS,
        prize_labels=PRIZE_LABELS, scoring_labels=SCORING_LABELS,
    )


@bp.route("/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@require("rounds.manage")
def round_edit(round_id: int):
    rnd = _round_or_404(round_id)
    if round_rules.is_locked(rnd):
        when = format_datetime(rnd.first_started_at, "short")
        flash(_("Entrants have been taking this round since %(when)s: its rules can no longer "
                "change. Only the close time can be extended.", when=when), "error")
        return redirect(url_for("quiz_rounds.round_detail", round_id=rnd.id))
    form = RoundForm()
    if request.method == "GET":
        _fill(form, RoundRules.of(rnd))
        _add_blank_rows(form)
        _prepare(form)
        return _render_form(form, rnd, [])
    return _save(form, rnd)


def _act(rnd: Round, action: str, change, done: str):  # noqa: ANN001
    """Run one state change of a round as a unit of work, with its audit record."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        details = change() or {}
    except RoundError as exc:
        db.session.rollback()
        flash_problems(exc.problems, problem_message)
        return redirect(url_for("quiz_rounds.round_detail", round_id=rnd.id))
    audit.record(current_user.id, action, "quiz_round", rnd.id, **details)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("quiz_rounds.round_detail", round_id=rnd.id))


@bp.post("/rounds/<int:round_id>/open")
@require("rounds.manage")
def round_open(round_id: int):
    rnd = _round_or_404(round_id)
    early = request.form.get("early") == "1"
    now = timeutil.utcnow()
    return _act(rnd, "round.open_early" if early else "round.open",
                lambda: round_rules.open_round(rnd, now, early=early),
                _("The round is open now.") if early or rnd.opens_at <= now
                else _("The round is open: entrants can start at its opening time."))


@bp.post("/rounds/<int:round_id>/extend")
@require("rounds.manage")
def round_extend(round_id: int):
    rnd = _round_or_404(round_id)
    form = ExtendForm()
    if not form.validate_on_submit():
        for error in form.closes_at.errors:
            flash(error, "error")
        return redirect(url_for("quiz_rounds.round_detail", round_id=rnd.id))
    new_close = timeutil.local_to_utc(form.closes_at.data)
    previous = rnd.closes_at.isoformat()

    def change() -> dict:
        round_rules.extend_round(rnd, new_close, timeutil.utcnow())
        return {"from": previous, "to": new_close.isoformat()}

    return _act(rnd, "round.extend", change, _("The close time is extended."))


@bp.post("/rounds/<int:round_id>/close")
@require("rounds.manage")
def round_close(round_id: int):
    rnd = _round_or_404(round_id)
    return _act(rnd, "round.close", lambda: round_rules.close_round(rnd, timeutil.utcnow()),
                _("The round is closed. Attempts under way end now."))


@bp.post("/rounds/<int:round_id>/clone")
@require("rounds.manage")
def round_clone(round_id: int):
    rnd = _round_or_404(round_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    clone = round_rules.clone_round(rnd, _("%(title)s (copy)", title=rnd.title)[:200],
                                    timeutil.utcnow(), actor_id=current_user.id)
    audit.record(current_user.id, "round.clone", "quiz_round", clone.id, source=rnd.id)
    db.session.commit()
    flash(_("A copy was made as a draft. Check its dates before opening it."), "success")
    return redirect(url_for("quiz_rounds.round_edit", round_id=clone.id))
