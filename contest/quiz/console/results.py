"""Organizer screens of round results: review, exclusions, ties, publication, statistics."""

from __future__ import annotations

from collections.abc import Callable
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
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from contest import timeutil
from contest.accounts.policy import require
from contest.console import console_link
from contest.extensions import db
from contest.params import whole_number
from contest.problems import Problem
from contest.quiz import (
    board,
    exclusions,
    exports,
    finalise,
    item_report,
    prizes,
    publication,
    review,
    units,
)
from contest.quiz.finalise import ResultsError
from contest.quiz.messages import problem_message
from contest.quiz.models import Round
from contest.quiz.rounds import Phase, phase, public_round, public_rounds, question_count
from contest.refusals import press_button

bp = Blueprint("quiz_results", __name__, url_prefix="/organizer")

console_link(
    "quiz_results.results_index",
    _l("Results"),
    _l("Review rankings, exclude entrants, settle ties, publish prizes, item statistics."),
    order=40,
)

CSV_PARTS = ("items", "options", "scores", "units")


def grace_seconds() -> float | None:
    value = current_app.config.get("QUIZ_GRACE_SECONDS")
    return None if value is None else float(value)


def _round_or_404(round_id: int) -> Round:
    rnd = public_round(round_id)
    if rnd is None:
        abort(404)
    return rnd


def _back(rnd: Round, anchor: str = "") -> str:
    target = url_for("quiz_results.results_review", round_id=rnd.id)
    return target + (f"#{anchor}" if anchor else "")


def _press(rnd: Round, act: Callable[[], Any], done: str | Callable[[Any], str],
           anchor: str = "", refused_anchor: str = "") -> Response:
    """A button of the review page: the change, then back to the page (at ``anchor`` after
    success, at ``refused_anchor`` after a refusal)."""
    return press_button(act, message=problem_message, done=done,
                        then=lambda done_: _back(rnd, anchor if done_ else refused_anchor))


def _user_id_field() -> int:
    value = request.form.get("user_id", type=whole_number)
    if value is None:
        abort(400)
    return value


@bp.get("/results")
@require("results.publish")
def results_index():
    now = timeutil.utcnow()
    rounds = db.session.execute(
        public_rounds().order_by(Round.opens_at.desc())
    ).scalars().all()
    rows = [
        {"round": r, "phase": phase(r, now), "entrants": board.entrant_count(r.id)}
        for r in rounds
    ]
    return render_template("quiz/console/results/index.html", rows=rows, Phase=Phase)


@bp.get("/results/<int:round_id>")
@require("results.publish")
def results_review(round_id: int):
    rnd = _round_or_404(round_id)
    now = timeutil.utcnow()
    current = phase(rnd, now)
    if current == Phase.CLOSED:
        finalise.ensure_finalised(rnd, now, grace_seconds())
    context = {"rnd": rnd, "phase": current, "Phase": Phase,
               "entrants": board.entrant_count(rnd.id),
               "questions": question_count(rnd)}
    if rnd.finalized_at is None or current not in (Phase.CLOSED, Phase.PUBLISHED):
        settled = finalise.settled(rnd, now, grace_seconds())
        return render_template("quiz/console/results/review.html", ready=False, settled=settled,
                               **context)
    after = None
    if request.args.get("after"):
        try:
            after = board.FinalCursor.decode(request.args["after"])
        except ValueError:
            abort(400)
    query = request.args.get("q", "").strip()
    from_rank = request.args.get("from_rank", type=whole_number)
    rows, next_cursor = review.review_page(rnd, after=after, from_rank=from_rank, query=query)
    return render_template(
        "quiz/console/results/review.html", ready=True, review=prizes.prize_review(rnd),
        rows=rows, next_cursor=next_cursor, excluded=review.excluded_rows(rnd),
        ranked=board.ranked_count(rnd), query=query, from_rank=from_rank,
        editable=current == Phase.CLOSED,
        tiers=[name for name, _ in (rnd.prize_tiers or [])], **context,
    )


def _confirmed() -> None:
    """A change that drops decisions is made only after its confirmation page was read."""
    if request.form.get("confirm") != "yes":
        raise ResultsError(Problem("unconfirmed_change", "confirm"))


def _refused_page(rnd: Round, exc: ResultsError) -> Response:
    db.session.rollback()
    for problem in exc.problems:
        flash(problem_message(problem), "error")
    return redirect(_back(rnd))


@bp.get("/results/<int:round_id>/finalise")
@require("results.publish")
def results_finalise_confirm(round_id: int):
    """What ranking again would undo (tie decisions) and keep (exclusions, added places)."""
    rnd = _round_or_404(round_id)
    now = timeutil.utcnow()
    if phase(rnd, now) != Phase.CLOSED:
        return _refused_page(rnd, ResultsError(Problem(
            "published" if phase(rnd, now) == Phase.PUBLISHED else "not_closed")))
    ready = rnd.finalized_at is not None
    return render_template(
        "quiz/console/results/rerank.html", rnd=rnd, ready=ready,
        dropped=prizes.decided_ties(rnd) if ready else [],
        excluded=review.excluded_rows(rnd) if ready else [],
        added=prizes.added_places(rnd))


@bp.post("/results/<int:round_id>/finalise")
@require("results.publish")
def results_finalise(round_id: int):
    rnd = _round_or_404(round_id)

    def act() -> finalise.FinaliseReport:
        _confirmed()
        return finalise.finalise(rnd.id, timeutil.utcnow(), force=True,
                                 grace_seconds=grace_seconds(), actor_id=current_user.id)

    return press_button(
        act, message=problem_message,
        done=lambda report: _("Ranked %(n)d entrants; %(c)d with every answer right.",
                              n=report.ranked, c=report.perfect_count or 0),
        then=lambda report: _back(rnd) if report else
        url_for("quiz_results.results_finalise_confirm", round_id=rnd.id))


def _exclusion_page(round_id: int, reinstate: bool):  # noqa: ANN202
    rnd = _round_or_404(round_id)
    user_id = request.args.get("user_id", type=whole_number)
    if user_id is None:
        abort(400)
    try:
        preview = exclusions.preview(rnd.id, user_id, timeutil.utcnow(), reinstate=reinstate)
    except ResultsError as exc:
        return _refused_page(rnd, exc)
    except LookupError:
        abort(404)
    db.session.rollback()  # the preview locked the round row: let it go
    return render_template("quiz/console/results/exclusion.html", rnd=rnd, preview=preview,
                           reason=request.args.get("reason", "")[:500])


@bp.get("/results/<int:round_id>/exclude")
@require("results.publish")
def results_exclude_confirm(round_id: int):
    """Before excluding: C before and after, and every prize that would change hands."""
    return _exclusion_page(round_id, reinstate=False)


@bp.get("/results/<int:round_id>/reinstate")
@require("results.publish")
def results_reinstate_confirm(round_id: int):
    """Before reinstating: the same consequences, and a reason to give."""
    return _exclusion_page(round_id, reinstate=True)


def _exclusion_press(rnd: Round, user_id: int, endpoint: str, act: Callable[[], Any],
                     done: str) -> Response:
    def then(report: Any) -> str:
        if report:
            return _back(rnd, "excluded")
        return url_for(endpoint, round_id=rnd.id, user_id=user_id)

    def confirmed_act() -> Any:
        _confirmed()
        return act()

    return press_button(confirmed_act, message=problem_message, done=done, then=then)


@bp.post("/results/<int:round_id>/exclude")
@require("results.publish")
def results_exclude(round_id: int):
    rnd = _round_or_404(round_id)
    user_id = _user_id_field()
    return _exclusion_press(
        rnd, user_id, "quiz_results.results_exclude_confirm",
        lambda: exclusions.exclude(rnd.id, user_id, request.form.get("reason", ""),
                                   current_user.id, timeutil.utcnow()),
        _("Entrant excluded and the round ranked again. Earlier tie decisions were reset."))


@bp.post("/results/<int:round_id>/reinstate")
@require("results.publish")
def results_reinstate(round_id: int):
    rnd = _round_or_404(round_id)
    user_id = _user_id_field()
    return _exclusion_press(
        rnd, user_id, "quiz_results.results_reinstate_confirm",
        lambda: exclusions.reinstate(rnd.id, user_id, current_user.id, timeutil.utcnow(),
                                     request.form.get("reason", "")),
        _("Entrant reinstated and the round ranked again. Earlier tie decisions were reset."))


@bp.post("/results/<int:round_id>/places")
@require("results.publish")
def results_add_places(round_id: int):
    """Add places to a prize tier, with a reason published with the results."""
    rnd = _round_or_404(round_id)
    places = request.form.get("places", type=whole_number)
    return _press(
        rnd, lambda: prizes.add_places(rnd.id, request.form.get("tier", ""),
                                       places if places is not None else 0,
                                       request.form.get("reason", ""), current_user.id,
                                       timeutil.utcnow()),
        _("Places added."), anchor="prizes", refused_anchor="places")


@bp.post("/results/<int:round_id>/ties/<int:rank>")
@require("results.publish")
def results_resolve(round_id: int, rank: int):
    rnd = _round_or_404(round_id)
    give_all = request.form.get("give_all")
    decisions: dict[int, str | None] = {}
    for user_id in request.form.getlist("member", type=whole_number):
        choice = give_all or request.form.get(f"prize_{user_id}", "")
        decisions[user_id] = None if choice == "none" else choice  # "" is refused: no choice

    def act() -> bool:
        prizes.resolve_conflict(rnd.id, rank, decisions, current_user.id, timeutil.utcnow(),
                                request.form.get("note", ""))
        return True

    return _press(rnd, act, _("Tie at rank %(rank)d decided.", rank=rank), anchor="prizes",
                  refused_anchor=f"tie-{rank}")


@bp.post("/results/<int:round_id>/publish")
@require("results.publish")
def results_publish(round_id: int):
    rnd = _round_or_404(round_id)

    def act() -> Round:
        if request.form.get("confirm") != "yes":
            raise ResultsError(Problem("unconfirmed", "confirm"))
        return publication.publish(rnd.id, current_user.id, timeutil.utcnow())

    return _press(rnd, act, _("Results and prizes are published."), refused_anchor="publish")


def _csv_response(text_or_chunks, filename: str) -> Response:  # noqa: ANN001
    # The text comes from contest.sheets, byte-order mark included.
    def body():  # noqa: ANN202
        if isinstance(text_or_chunks, str):
            yield text_or_chunks
        else:
            yield from text_or_chunks

    return Response(stream_with_context(body()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/results/<int:round_id>/ranking.csv")
@require("results.publish")
def results_ranking_csv(round_id: int):
    rnd = _round_or_404(round_id)
    if rnd.finalized_at is None:
        abort(404)
    return _csv_response(exports.ranking_csv(rnd), f"round-{rnd.id}-ranking.csv")


def _closed_round(round_id: int) -> Round:
    """A closed round, ranked first if it was not yet (the statistics are kept per ranking)."""
    rnd = _round_or_404(round_id)
    now = timeutil.utcnow()
    current = phase(rnd, now)
    if current not in (Phase.CLOSED, Phase.PUBLISHED):
        abort(404)
    if current == Phase.CLOSED:
        finalise.ensure_finalised(rnd, now, grace_seconds())
    return rnd


@bp.get("/results/<int:round_id>/statistics")
@require("results.publish")
def results_statistics(round_id: int):
    rnd = _closed_round(round_id)
    report = item_report.item_report(rnd.id)
    unit_rows = units.unit_participation(rnd.id)
    top = max(report.distribution.values(), default=0)
    return render_template("quiz/console/results/statistics.html", rnd=rnd, report=report,
                           units=unit_rows, top=top, parts=CSV_PARTS)


@bp.get("/results/<int:round_id>/statistics/<part>.csv")
@require("results.publish")
def results_statistics_csv(round_id: int, part: str):
    rnd = _closed_round(round_id)
    if part not in CSV_PARTS:
        abort(404)
    if part == "units":
        text = exports.units_csv(units.unit_participation(rnd.id))
    else:
        report = item_report.item_report(rnd.id)
        text = {"items": exports.items_csv, "options": exports.options_csv,
                "scores": exports.distribution_csv}[part](report)
    return _csv_response(text, f"round-{rnd.id}-{part}.csv")
