"""Organizer screens of round results: review, exclusions, ties, publication, statistics."""

from __future__ import annotations

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
from sqlalchemy import select

from contest import audit, timeutil
from contest.accounts.policy import require
from contest.console import console_link
from contest.extensions import db
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
from contest.quiz.models import Round, RoundStatus
from contest.quiz.rounds import Phase, phase, question_count

bp = Blueprint("quiz_results", __name__, url_prefix="/organizer")

console_link(
    "quiz_results.results_index",
    _l("Results"),
    _l("Review rankings, exclude entrants, settle ties, publish prizes, item statistics."),
    order=40,
)

CSV_PARTS = ("items", "options", "scores", "units")


def refusal(reason: str) -> str:
    return {
        "not_closed": _("The round has not closed yet."),
        "settling": _("The round has just closed; answers sent in the last seconds are still "
                      "arriving. Try again in a minute."),
        "not_finalised": _("The round has not been ranked yet."),
        "published": _("The results are published and can no longer be changed."),
        "undecided": _("Decide every tie across a prize boundary before publishing."),
        "no_result": _("This person has no result in the round."),
        "reason_required": _("Give the reason for the exclusion; the entrant will see it."),
        "not_excluded": _("This entrant is not excluded."),
        "no_conflict": _("There is no tie to decide at this rank any more."),
        "bad_decision": _("Choose a prize, or no prize, for every tied entrant."),
    }.get(reason, reason)


def grace_seconds() -> float | None:
    value = current_app.config.get("QUIZ_GRACE_SECONDS")
    return None if value is None else float(value)


def _round_or_404(round_id: int) -> Round:
    rnd = db.session.get(Round, round_id)
    if rnd is None or rnd.status == RoundStatus.DRAFT:
        abort(404)
    return rnd


def _back(rnd: Round, anchor: str = "") -> Response:
    target = url_for("quiz_results.results_review", round_id=rnd.id)
    return redirect(target + (f"#{anchor}" if anchor else ""))


def _user_id_field() -> int:
    value = request.form.get("user_id", type=int)
    if value is None:
        abort(400)
    return value


@bp.get("/results")
@require("results.publish")
def results_index():
    now = timeutil.utcnow()
    rounds = db.session.execute(
        select(Round).where(Round.status != RoundStatus.DRAFT).order_by(Round.opens_at.desc())
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
    from_rank = request.args.get("from_rank", type=int)
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
    try:
        report = finalise.finalise(rnd.id, timeutil.utcnow(), force=True,
                                  grace_seconds=grace_seconds())
    except finalise.ResultsError as exc:
        db.session.rollback()
        flash(refusal(exc.reason), "error")
        return _back(rnd)
    audit.record(current_user.id, "results.rank", "quiz_round", rnd.id,
                 perfect_count=report.perfect_count, ranked=report.ranked)
    db.session.commit()
    flash(_("Ranked %(n)d entrants; %(c)d with every answer right.", n=report.ranked,
            c=report.perfect_count or 0), "success")
    return _back(rnd)


@bp.post("/results/<int:round_id>/exclude")
@require("results.publish")
def results_exclude(round_id: int):
    rnd = _round_or_404(round_id)
    user_id = _user_id_field()
    try:
        exclusions.exclude(rnd.id, user_id, request.form.get("reason", ""), current_user.id,
                        timeutil.utcnow())
    except finalise.ResultsError as exc:
        db.session.rollback()
        flash(refusal(exc.reason), "error")
        return _back(rnd)
    db.session.commit()
    flash(_("Entrant excluded and the round ranked again. Earlier tie decisions were reset."),
          "success")
    return _back(rnd, "excluded")


@bp.post("/results/<int:round_id>/reinstate")
@require("results.publish")
def results_reinstate(round_id: int):
    rnd = _round_or_404(round_id)
    user_id = _user_id_field()
    try:
        exclusions.reinstate(rnd.id, user_id, current_user.id, timeutil.utcnow(),
                          request.form.get("note", ""))
    except finalise.ResultsError as exc:
        db.session.rollback()
        flash(refusal(exc.reason), "error")
        return _back(rnd)
    db.session.commit()
    flash(_("Entrant reinstated and the round ranked again. Earlier tie decisions were reset."),
          "success")
    return _back(rnd)


@bp.post("/results/<int:round_id>/ties/<int:rank>")
@require("results.publish")
def results_resolve(round_id: int, rank: int):
    rnd = _round_or_404(round_id)
    members = request.form.getlist("member", type=int)
    give_all = request.form.get("give_all")
    decisions: dict[int, str | None] = {}
    for user_id in members:
        choice = give_all if give_all else request.form.get(f"prize_{user_id}", "")
        if choice == "":
            flash(refusal("bad_decision"), "error")
            return _back(rnd, f"tie-{rank}")
        decisions[user_id] = None if choice == "none" else choice
    try:
        prizes.resolve_conflict(rnd.id, rank, decisions, current_user.id, timeutil.utcnow(),
                                 request.form.get("note", ""))
    except finalise.ResultsError as exc:
        db.session.rollback()
        flash(refusal(exc.reason), "error")
        return _back(rnd, f"tie-{rank}")
    db.session.commit()
    flash(_("Tie at rank %(rank)d decided.", rank=rank), "success")
    return _back(rnd, "prizes")


@bp.post("/results/<int:round_id>/publish")
@require("results.publish")
def results_publish(round_id: int):
    rnd = _round_or_404(round_id)
    if request.form.get("confirm") != "yes":
        flash(_("Tick the box to confirm the publication."), "error")
        return _back(rnd, "publish")
    try:
        publication.publish(rnd.id, current_user.id, timeutil.utcnow())
    except finalise.ResultsError as exc:
        db.session.rollback()
        flash(refusal(exc.reason), "error")
        return _back(rnd, "publish")
    db.session.commit()
    flash(_("Results and prizes are published."), "success")
    return _back(rnd)


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
