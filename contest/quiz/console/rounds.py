"""Organizer screens of quiz rounds: create, edit, clone, open early, extend, close."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from contest import confirmations, timeutil
from contest.accounts.policy import require
from contest.console import console_link
from contest.extensions import db
from contest.forms import ActionForm, choices
from contest.quiz import rounds as round_rules
from contest.quiz.forms import (
    PRIZE_LABELS,
    PROFILE_FIELD_LABELS,
    SCORING_LABELS,
    ExtendForm,
    RoundForm,
)
from contest.quiz.messages import problem_message
from contest.quiz.models import (
    Attempt,
    AttemptStatus,
    Question,
    QuestionExposure,
    Result,
    Round,
    Topic,
)
from contest.quiz.rounds import Phase, RoundRules
from contest.refusals import press_button, save_form

bp = Blueprint("quiz_rounds", __name__, url_prefix="/organizer")

console_link("quiz_rounds.rounds", _l("Quiz rounds"),
             _l("Set up quiz rounds; open, extend and close them."), order=30)

BLANK_QUOTA_ROWS = 3
BLANK_PRIZE_ROWS = 2


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


def _topic_choices() -> list[SelectChoice]:
    topics = db.session.execute(select(Topic)).scalars().all()
    live = select(Question.topic_id, func.count()).where(
        Question.active.is_(True), Question.retired.is_(False)).group_by(Question.topic_id)
    direct = dict(db.session.execute(live).all())
    fresh = dict(db.session.execute(
        live.where(Question.id.not_in(select(QuestionExposure.question_id)))).all())
    totals: dict[int, int] = {}
    unexposed: dict[int, int] = {}
    for topic in topics:
        node: Topic | None = topic
        seen: set[int] = set()
        while node is not None and node.id not in seen:  # count into every ancestor
            seen.add(node.id)
            totals[node.id] = totals.get(node.id, 0) + direct.get(topic.id, 0)
            unexposed[node.id] = unexposed.get(node.id, 0) + fresh.get(topic.id, 0)
            node = node.parent
    # Tree order with the depth shown by dashes: a closed select on a phone then still shows
    # the topic's own name rather than the start of a long path.
    rows = sorted(topics, key=lambda t: [part.lower() for part in t.path])
    return choices([("", _("— topic —"))] + [
        (str(t.id), f"{'– ' * (len(t.path) - 1)}{t.name} ({totals.get(t.id, 0)} · "
                    + _("%(n)d unexposed", n=unexposed.get(t.id, 0)) + ")") for t in rows
    ])


def _prepare(form: RoundForm) -> None:
    topics = _topic_choices()
    for row in form.quotas:
        row.form.topic_id.choices = topics


def _fill(form: RoundForm, rules: RoundRules) -> None:
    form.title.data = rules.title
    form.rules.data = rules.rules
    form.opens_at.data = _naive_local(rules.opens_at)
    form.closes_at.data = _naive_local(rules.closes_at)
    form.selection.data = rules.selection
    form.fixed_ids.data = ", ".join(map(str, rules.fixed_question_ids))
    form.allow_exposed.data = rules.allow_exposed
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
        allow_exposed=bool(form.allow_exposed.data),
    )


def _render_form(form: RoundForm, rnd: Round | None, problems: list[str], status: int = 200):
    try:
        quotas = form.quota_values() if form.selection.data != "fixed" else {}
    except (TypeError, ValueError):  # a topic that is not a number: the form says so
        quotas = {}
    return render_template("quiz/console/rounds/form.html", form=form, rnd=rnd,
                           problems=problems,
                           availability=round_rules.quota_availability(quotas)), status


def _save(form: RoundForm, rnd: Round | None):
    """Create or update the round from the posted form; re-render with messages on refusal."""
    _prepare(form)

    def act() -> Round:
        rules = _rules_from(form)
        if rnd is None:
            return round_rules.create_round(rules, actor_id=current_user.id)
        round_rules.update_round(rnd, rules, actor_id=current_user.id)
        return rnd

    return save_form(
        form, act, message=problem_message, done=_("Round saved."),
        render=lambda f, problems, status: _render_form(f, rnd, problems, status),
        then=lambda saved: url_for("quiz_rounds.round_detail", round_id=saved.id))


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
    return _save(form, rnd)


def _press(rnd: Round, change: Callable[[], object], done: str, form: Any = None):
    """A button on the round's page: one state change, back to the page."""
    return press_button(change, message=problem_message, done=done, form=form,
                        then=url_for("quiz_rounds.round_detail", round_id=rnd.id))


@bp.post("/rounds/<int:round_id>/open")
@require("rounds.manage")
def round_open(round_id: int):
    rnd = _round_or_404(round_id)
    early = request.form.get("early") == "1"
    now = timeutil.utcnow()

    def press():  # noqa: ANN202
        return _press(rnd, lambda: round_rules.open_round(rnd, now, early,
                                                          actor_id=current_user.id),
                      _("The round is open now.") if early or rnd.opens_at <= now
                      else _("The round is open: entrants can start at its opening time."))

    if not early or rnd.opens_at <= now:
        return press()
    ask = confirmations.Ask(
        title=_("Open “%(title)s” now?", title=rnd.title),
        action_url=url_for("quiz_rounds.round_open", round_id=rnd.id),
        cancel_url=url_for("quiz_rounds.round_detail", round_id=rnd.id),
        button=_("Open the round now"), hidden={"early": "1"},
        consequences=[
            _("The round was announced to open at %(when)s; entrants can start as soon as you "
              "confirm.", when=format_datetime(rnd.opens_at, "short")),
            _("Entrants who trust the announced time start later than those who happen to "
              "look now."),
        ],
        undo=_("It cannot be undone: once entrants may start, the round can only be closed, "
               "which ends it for good."))
    return confirmations.guard(ask, press)


@bp.post("/rounds/<int:round_id>/extend")
@require("rounds.manage")
def round_extend(round_id: int):
    rnd = _round_or_404(round_id)
    form = ExtendForm()
    return _press(rnd, lambda: round_rules.extend_round(
        rnd, timeutil.local_to_utc(form.closes_at.data), timeutil.utcnow(),
        actor_id=current_user.id), _("The close time is extended."), form=form)


@bp.post("/rounds/<int:round_id>/close")
@require("rounds.manage")
def round_close(round_id: int):
    rnd = _round_or_404(round_id)
    now = timeutil.utcnow()
    in_progress = db.session.execute(
        select(func.count()).select_from(Attempt)
        .where(Attempt.round_id == rnd.id, Attempt.status == AttemptStatus.OPEN)
    ).scalar_one()
    ask = confirmations.Ask(
        title=_("Close “%(title)s” now?", title=rnd.title),
        action_url=url_for("quiz_rounds.round_close", round_id=rnd.id),
        cancel_url=url_for("quiz_rounds.round_detail", round_id=rnd.id),
        button=_("Close the round now"),
        consequences=[
            _("The round was announced to close at %(when)s; it closes as soon as you confirm.",
              when=format_datetime(rnd.closes_at, "short")),
            ngettext("%(num)d attempt is in progress: it ends now, with the answers saved so "
                     "far.", "%(num)d attempts are in progress: they end now, with the answers "
                     "saved so far.", in_progress),
            _("Nobody can start the round any more."),
        ],
        undo=_("It cannot be undone: a closed round cannot be opened again, and the attempts "
               "ended now cannot be resumed."))
    def press():  # noqa: ANN202
        return _press(rnd, lambda: round_rules.close_round(rnd, now, actor_id=current_user.id),
                      _("The round is closed. Attempts under way end now."))

    if rnd.closes_at <= now:  # past its close time already: nothing is cut short
        return press()
    return confirmations.guard(ask, press)


@bp.post("/rounds/<int:round_id>/clone")
@require("rounds.manage")
def round_clone(round_id: int):
    rnd = _round_or_404(round_id)
    return press_button(
        lambda: round_rules.clone_round(rnd, _("%(title)s (copy)", title=rnd.title)[:200],
                                        timeutil.utcnow(), actor_id=current_user.id),
        message=problem_message,
        done=_("A copy was made as a draft. Check its dates before opening it."),
        then=lambda clone: url_for("quiz_rounds.round_edit", round_id=clone.id) if clone
        else url_for("quiz_rounds.round_detail", round_id=rnd.id))
