"""Organizer screens of round results: review, exclusions, ties, publication, statistics."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
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


@bp.post("/results/<int:round_id>/finalise")
@require("results.publish")
def results_finalise(round_id: int):
    rnd = _round_or_404(round_id)
    return _press(
        rnd, lambda: finalise.finalise(rnd.id, timeutil.utcnow(), force=True,
                                       grace_seconds=grace_seconds(), actor_id=current_user.id),
        lambda report: _("Ranked %(n)d entrants; %(c)d with every answer right.",
                         n=report.ranked, c=report.perfect_count or 0))


@bp.post("/results/<int:round_id>/exclude")
@require("results.publish")
def results_exclude(round_id: int):
    rnd = _round_or_404(round_id)
    user_id = _user_id_field()
    return _press(
        rnd, lambda: exclusions.exclude(rnd.id, user_id, request.form.get("reason", ""),
                                        current_user.id, timeutil.utcnow()),
        _("Entrant excluded and the round ranked again. Earlier tie decisions were reset."),
        anchor="excluded")


@bp.post("/results/<int:round_id>/reinstate")
@require("results.publish")
def results_reinstate(round_id: int):
    rnd = _round_or_404(round_id)
    user_id = _user_id_field()
    return _press(
        rnd, lambda: exclusions.reinstate(rnd.id, user_id, current_user.id, timeutil.utcnow(),
                                          request.form.get("note", "")),
        _("Entrant reinstated and the round ranked again. Earlier tie decisions were reset."))


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
    def body():  # noqa: ANN202
        yield "\ufeff"  # lets spreadsheet programs read UTF-8 (Vietnamese) correctly
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
