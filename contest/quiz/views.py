"""Entrant side of the quizzes: start an attempt, answer, submit, see the result."""

from __future__ import annotations

import math
import re
from html import unescape

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from contest import timeutil
from contest.accounts.sessions import not_a_visit
from contest.extensions import db
from contest.forms import ActionForm
from contest.params import whole_number
from contest.problems import Problem
from contest.quiz import attempts as service
from contest.quiz import disclosure, finalise, rounds
from contest.quiz.forms import PROFILE_FIELD_LABELS, PaperInput, parse_prediction, read_paper
from contest.quiz.messages import message, problem_message
from contest.quiz.models import Attempt, AttemptStatus, Result, Round
from contest.quiz.rounds import Phase
from contest.refusals import press_button

bp = Blueprint("quiz", __name__, url_prefix="/quiz")

_TAG = re.compile(r"<[^>]+>")
PREDICTION_ERRORS = ("prediction_required", "bad_prediction")


def _grace() -> float:
    return float(current_app.config.get("QUIZ_GRACE_SECONDS", service.DEFAULT_GRACE_SECONDS))


def question_html(text: str, fmt: str = "plain") -> Markup:
    """Question or option text as safe HTML: markup from the bank is reduced to its text."""
    if fmt == "html":
        text = unescape(_TAG.sub(" ", text.replace("<br>", "\n")))
    return Markup("<br>").join(escape(line) for line in text.strip().splitlines())


def duration(ms: int | None) -> str:
    """A time taken, e.g. "12 min 05 s"."""
    if ms is None:
        return ""
    seconds = int(ms) // 1000
    return _("%(m)d min %(s)02d s", m=seconds // 60, s=seconds % 60)


def clock(seconds: int) -> str:
    return f"{seconds // 60:d}:{seconds % 60:02d}"


def score_text(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.2f}".rstrip("0").rstrip(".")


@bp.app_template_filter("question_html")
def _question_html_filter(text: str, fmt: str = "plain") -> Markup:
    return question_html(text, fmt)


@bp.app_context_processor
def _helpers() -> dict:
    return {"quiz_duration": duration, "quiz_score": score_text, "quiz_clock": clock}


def default_prediction_text() -> str:
    return _("How many entrants will answer every question of this round correctly?")


def _round_or_404(round_id: int) -> Round:
    rnd = rounds.public_round(round_id)
    if rnd is None:
        abort(404)
    return rnd


def _own_attempt(attempt_id: int, lock: bool = False) -> Attempt:
    """The signed-in entrant's attempt with its round; ``lock`` for a request that writes it
    (the row stays locked until the request commits or rolls back)."""
    if lock:
        attempt = service.lock_attempt(attempt_id)
    else:
        attempt = db.session.execute(
            select(Attempt).where(Attempt.id == attempt_id).options(joinedload(Attempt.round))
        ).scalar_one_or_none()
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)
    return attempt


@bp.before_request
def _keep_loaded_objects() -> None:
    # An entrant's request commits and then goes on showing the same round, attempt and
    # account: keep them as written rather than reading each of them again after the commit.
    db.session().expire_on_commit = False


@bp.teardown_request
def _expire_again(exc: BaseException | None = None) -> None:  # noqa: ARG001
    db.session().expire_on_commit = True


def _refused(problem: Problem, rnd: Round, status: int):
    return render_template("quiz/refused.html", rnd=rnd, code=problem.code,
                           message=problem_message(problem)), status


@bp.get("/")
def index():
    now = timeutil.utcnow()
    visible = db.session.execute(
        rounds.public_rounds().order_by(Round.closes_at.desc()).limit(60)
    ).scalars().all()
    groups: dict[Phase, list[Round]] = {Phase.RUNNING: [], Phase.UPCOMING: [], Phase.CLOSED: []}
    for rnd in visible:
        p = rounds.phase(rnd, now)
        groups[Phase.CLOSED if p == Phase.PUBLISHED else p].append(rnd)
    groups[Phase.RUNNING].sort(key=lambda r: r.closes_at)
    groups[Phase.UPCOMING].sort(key=lambda r: r.opens_at)
    return render_template("quiz/index.html", groups=groups, Phase=Phase,
                           question_count=rounds.question_count)


@bp.get("/rounds/<int:round_id>")
def round_page(round_id: int):
    rnd = _round_or_404(round_id)
    now = timeutil.utcnow()
    current = None
    used = 0
    reason = None
    mine: list[Attempt] = []
    result = None
    if current_user.is_authenticated:
        mine, current, settled = service.attempts_in_round(rnd, current_user.id, now, _grace())
        if settled:
            db.session.commit()
        used = len(mine)
        reason = rounds.eligibility(rnd, current_user, now, used)
        result = db.session.execute(
            select(Result).where(Result.round_id == rnd.id, Result.user_id == current_user.id)
        ).scalar_one_or_none()
    keys_out = bool(mine) and disclosure.keys_released(rnd, now)
    return render_template(
        "quiz/round.html", rnd=rnd, phase=rounds.phase(rnd, now), Phase=Phase, current=current,
        keys_out=keys_out,
        used=used, reason=reason.code if reason else None, mine=mine, result=result,
        refusal=problem_message(reason) if reason else "",
        question_count=rounds.question_count(rnd), form=ActionForm(),
        prediction_text=rnd.prediction_text or default_prediction_text(),
        profile_fields=PROFILE_FIELD_LABELS,
    )


@bp.post("/rounds/<int:round_id>/start")
@login_required
def start(round_id: int):
    rnd = _round_or_404(round_id)
    return press_button(
        lambda: service.start_attempt(rnd, current_user, timeutil.utcnow(), _grace()),
        message=problem_message, done=_("Your attempt has started."),
        then=lambda att: url_for("quiz.attempt", attempt_id=att.id) if att
        else url_for("quiz.round_page", round_id=rnd.id))


def _pages(count: int) -> int:
    size = int(current_app.config.get("QUIZ_PAGE_SIZE") or 0)
    return 1 if size <= 0 else max(1, math.ceil(count / size))


def _page_items(items: tuple, page: int) -> tuple:
    size = int(current_app.config.get("QUIZ_PAGE_SIZE") or 0)
    if size <= 0:
        return items
    return items[(page - 1) * size: page * size]


def _page_arg(value: str | None, pages: int) -> int:
    try:
        page = int(value or 1)
    except ValueError:
        page = 1
    return min(max(page, 1), pages)


@bp.get("/attempts/<int:attempt_id>")
@login_required
def attempt(attempt_id: int):
    att = _own_attempt(attempt_id)
    now = timeutil.utcnow()
    if service.settle_if_overdue(att, now, _grace()):
        db.session.commit()
        flash(_("Time is up. Your attempt was scored on the answers saved in time."), "info")
    if att.status != AttemptStatus.OPEN:
        return redirect(url_for("quiz.attempt_result", attempt_id=att.id))
    paper = service.paper_for(att)
    error = request.args.get("error", "")
    pages = _pages(len(paper.items))
    page = _page_arg(request.args.get("page"), pages)
    return render_template(
        "quiz/attempt.html", att=att, rnd=att.round, paper=paper, items=_page_items(paper.items,
                                                                                     page),
        page=page, pages=pages, seconds_left=service.seconds_left(att, now),
        deadline=service.effective_deadline(att), last_page=page == pages,
        prediction_text=paper.prediction_text or default_prediction_text(),
        prediction_error=message(error) if error in PREDICTION_ERRORS else "",
    )


def _posted() -> PaperInput:
    """The answers posted by the paper form; a form that does not fit any paper is refused."""
    posted = read_paper(request.form)
    if posted.malformed:
        raise service.AnswerRefused(Problem("invalid"))
    return posted


def _page_after(att: Attempt) -> int | None:
    """The page the save button leads to (next, previous or the same one)."""
    pages = _pages(len(att.draw))
    page = _page_arg(request.form.get("page"), pages)
    step = {"next": 1, "prev": -1}.get(request.form.get("action", "save"), 0)
    page = _page_arg(str(page + step), pages)
    return page if page > 1 else None


def _to_prediction(att: Attempt, code: str) -> str:
    """The page with the prediction field, the problem shown next to it."""
    last = _pages(len(att.draw))
    return url_for("quiz.attempt", attempt_id=att.id, page=last if last > 1 else None,
                   error=code, _anchor="prediction")


@bp.post("/attempts/<int:attempt_id>")
@login_required
def save(attempt_id: int):
    att = _own_attempt(attempt_id, lock=True)

    def act() -> PaperInput:
        posted = _posted()
        service.save_answers(att, posted.changes, timeutil.utcnow(),
                             service.UNSET if posted.prediction_error else posted.prediction,
                             _grace())
        return posted

    def then(posted: PaperInput | None) -> str:
        if posted is not None and posted.prediction_error:
            return _to_prediction(att, "bad_prediction")
        return url_for("quiz.attempt", attempt_id=att.id, page=_page_after(att))

    return press_button(act, message=problem_message, done=_("Your answers are saved."),
                        then=then)


def _submitted_message(outcome: service.SubmitOutcome) -> str:
    if outcome.prediction_problem:
        return _("Your answers are saved.")
    if outcome.late:
        return message("too_late")
    if outcome.already:
        return _("This attempt was already submitted; it was scored once.")
    return _("Your answers are submitted.")


@bp.post("/attempts/<int:attempt_id>/submit")
@login_required
def submit(attempt_id: int):
    att = _own_attempt(attempt_id, lock=True)

    def act() -> service.SubmitOutcome:
        posted = _posted()
        return service.save_and_submit(att, posted.changes, timeutil.utcnow(), posted.prediction,
                                       prediction_unreadable=posted.prediction_error,
                                       grace_seconds=_grace())

    def then(outcome: service.SubmitOutcome | None) -> str:
        if outcome is None:
            return url_for("quiz.attempt", attempt_id=att.id)
        if outcome.prediction_problem:
            return _to_prediction(att, outcome.prediction_problem)
        return url_for("quiz.attempt_result", attempt_id=att.id)

    return press_button(act, message=problem_message, done=_submitted_message, then=then)


def _json_error(code: str, status: int, att: Attempt):
    body = {"ok": False, "error": code, "message": message(code)}
    if code in ("submitted", "too_late"):
        body["redirect"] = url_for("quiz.attempt_result", attempt_id=att.id)
    return body, status


@bp.post("/attempts/<int:attempt_id>/answers")
@not_a_visit
def save_json(attempt_id: int):
    """Background save of one question (or the prediction) while the entrant answers."""
    if not current_user.is_authenticated:  # a script wants JSON, not the login page
        return {"ok": False, "error": "login", "message": message("login")}, 401
    att = _own_attempt(attempt_id, lock=True)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return _json_error("invalid", 400, att)
    changes: dict[int, list[int]] = {}
    prediction = service.UNSET
    try:
        if "question" in data:
            choices = data.get("choices") or []
            if not isinstance(choices, list):
                raise ValueError
            changes[int(data["question"])] = [int(c) for c in choices]
    except (TypeError, ValueError):
        return _json_error("invalid", 400, att)
    if "prediction" in data:
        try:
            prediction = parse_prediction(data["prediction"])
        except ValueError:
            return _json_error("bad_prediction", 400, att)
    now = timeutil.utcnow()
    try:
        service.save_answers(att, changes, now, prediction=prediction, grace_seconds=_grace())
        db.session.commit()
    except service.AnswerRefused as exc:
        db.session.rollback()
        return _json_error(exc.code, 409 if exc.code in ("submitted", "too_late") else 400, att)
    return {"ok": True, "seconds_left": service.seconds_left(att, now)}


@bp.get("/attempts/<int:attempt_id>/result")
@login_required
def attempt_result(attempt_id: int):
    att = _own_attempt(attempt_id)
    now = timeutil.utcnow()
    if service.settle_if_overdue(att, now, _grace()):
        db.session.commit()
    if att.status == AttemptStatus.OPEN:
        return redirect(url_for("quiz.attempt", attempt_id=att.id))
    rnd = att.round
    used = service.attempts_used(rnd.id, current_user.id)
    result = db.session.execute(
        select(Result).where(Result.round_id == rnd.id, Result.user_id == current_user.id)
    ).scalar_one_or_none()
    return render_template(
        "quiz/result.html", att=att, rnd=rnd, result=result, phase=rounds.phase(rnd, now),
        Phase=Phase, can_retry=rounds.eligibility(rnd, current_user, now, used) is None,
        keys_out=disclosure.keys_released(rnd, now),
        form=ActionForm(),
    )


@bp.get("/rounds/<int:round_id>/review")
@login_required
def review(round_id: int):
    rnd = _round_or_404(round_id)
    now = timeutil.utcnow()
    current = rounds.phase(rnd, now)
    if current not in (Phase.CLOSED, Phase.PUBLISHED):
        return _refused(Problem("review_later", params={"when": rnd.closes_at}), rnd, 403)
    service.open_attempt(rnd, current_user.id, now, _grace())
    db.session.commit()
    if current == Phase.CLOSED:
        finalise.ensure_finalised(rnd, now, _grace())
    if not disclosure.keys_released(rnd, now):
        return _refused(Problem("keys_settling"), rnd, 403)
    mine = db.session.execute(
        select(Attempt).where(Attempt.round_id == rnd.id, Attempt.user_id == current_user.id,
                              Attempt.status == AttemptStatus.SUBMITTED)
        .order_by(Attempt.number)
    ).scalars().all()
    if not mine:
        return _refused(Problem("no_attempt"), rnd, 404)
    result = db.session.execute(
        select(Result).where(Result.round_id == rnd.id, Result.user_id == current_user.id)
    ).scalar_one_or_none()
    wanted = request.args.get("attempt", type=whole_number)
    by_id = {a.id: a for a in mine}
    chosen = by_id.get(wanted) or (by_id.get(result.best_attempt_id) if result else None) \
        or mine[-1]
    return render_template("quiz/review.html", rnd=rnd, att=chosen, mine=mine, result=result,
                           items=service.review_for(chosen))
