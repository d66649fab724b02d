"""Console screens: a round's results with ties and reliability, the shortlist, prizes and
publication, the score matrix and the round's audit trail."""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from contest import confirmations, timeutil
from contest.accounts.policy import require
from contest.extensions import db
from contest.forms import ActionForm
from contest.judging import aggregate as agg
from contest.judging import awards, lifecycle, matrix, results, rounds
from contest.judging.console.base import bp, get_or_404, nav, now, round_or_404, round_url, show
from contest.judging.console.forms import PrizeForm, ShortlistForm
from contest.judging.messages import ACTION_LABELS, problem_message
from contest.judging.models import EntryResult, JudgingRound
from contest.params import whole_number
from contest.refusals import press_button, save_form
from contest.writing import exports
from contest.writing.models import WritingContest


@bp.get("/judging/rounds/<int:round_id>/results")
@require("writing.manage")
def judging_results(round_id: int):
    rnd = round_or_404(round_id)
    categories = results.results_by_category(rnd)
    alphas = {None: results.alpha(rnd)}
    for cat in categories:
        alphas[cat.category.id] = results.alpha(rnd, cat.category)
    details = results.live_scores(rnd) if rnd.aggregated_at else {}
    return render_template("judging/console/results.html", **nav(rnd),
                           categories=categories, alphas=alphas, details=details,
                           action_form=ActionForm(), min_trim=agg.MIN_JUDGES_FOR_TRIM,
                           left_out=results.left_out_judges(rnd) if rnd.aggregated_at else [],
                           min_z=agg.MIN_SHEETS_FOR_Z)


@bp.post("/judging/rounds/<int:round_id>/aggregate")
@require("writing.manage")
def judging_aggregate(round_id: int):
    rnd = round_or_404(round_id)
    return press_button(
        lambda: results.aggregate(rnd, current_user.id, now()), message=problem_message,
        done=_("The results are computed from the submitted score sheets."),
        then=round_url(rnd, "judging_console.judging_results"))


def _render_shortlist(rnd: JudgingRound, form: ShortlistForm, problems: list[str] = (),
                      status: int = 200):  # noqa: ANN202
    show(problems)
    proposal = awards.propose_shortlist(rnd) if rnd.aggregated_at else []
    confirmed = rounds.shortlist_confirmed(rnd)
    if request.method == "GET":
        form.entries.data = [str(row.entry.id) for cat in proposal for row in cat.rows
                             if (row.result.advanced if confirmed else row.proposed)]
    chosen = set(form.entries.data or [])
    return render_template("judging/console/shortlist.html", **nav(rnd), proposal=proposal,
                           form=form, chosen=chosen, next=rounds.next_round(rnd),
                           confirmed=confirmed), status


@bp.get("/judging/rounds/<int:round_id>/shortlist")
@require("writing.manage")
def judging_shortlist(round_id: int):
    return _render_shortlist(round_or_404(round_id), ShortlistForm())


@bp.post("/judging/rounds/<int:round_id>/shortlist")
@require("writing.manage")
def judging_shortlist_confirm(round_id: int):
    rnd = round_or_404(round_id)
    form = ShortlistForm()
    ids = [int(v) for v in form.entries.data or [] if str(v).isdigit()]
    nxt = rounds.next_round(rnd)
    return save_form(
        form, lambda: awards.confirm_shortlist(rnd, ids, current_user, form.reason.data or ""),
        render=lambda f, problems, status: _render_shortlist(rnd, f, problems, status),
        message=problem_message,
        done=_("%(n)d entries go on to “%(round)s”.", n=len(ids), round=nxt.name) if nxt else None,
        then=round_url(rnd, "judging_console.judging_shortlist"))


@bp.get("/judging/rounds/<int:round_id>/prizes")
@require("writing.manage")
def judging_prizes(round_id: int):
    rnd = round_or_404(round_id)
    plan = awards.prize_review(rnd) if rnd.aggregated_at else []
    return render_template("judging/console/prizes.html", **nav(rnd), plan=plan,
                           proposed=awards.prizes_proposed(rnd),
                           pending=awards.pending_ties(rnd) if rnd.aggregated_at else [],
                           awards=rounds.awards_prizes(rnd), action_form=ActionForm(),
                           prize_form=PrizeForm(),
                           overfilled=awards.overfilled(rnd) if rnd.aggregated_at else [])


def _proposed(plan: list[awards.PrizeCategory]) -> str:
    said = [_("Prizes proposed in rank order.")]
    if ties := sum(len(cat.ties) for cat in plan):
        said.append(_("%(n)d ties straddle a prize boundary: decide each below.", n=ties))
    return " ".join(said)


@bp.post("/judging/rounds/<int:round_id>/prizes/propose")
@require("writing.manage")
def judging_prizes_propose(round_id: int):
    rnd = round_or_404(round_id)
    return press_button(lambda: awards.propose_prizes(rnd, current_user),
                        message=problem_message, done=_proposed,
                        then=round_url(rnd, "judging_console.judging_prizes"))


@bp.post("/judging/rounds/<int:round_id>/prizes/places")
@require("writing.manage")
def judging_prize_places(round_id: int):
    """Add places to a tier of one category, with a reason published with the results."""
    rnd = round_or_404(round_id)
    category_id = request.form.get("category_id", type=whole_number)
    places = request.form.get("places", type=whole_number)
    return press_button(
        lambda: awards.add_places(rnd, category_id or 0, request.form.get("tier", ""),
                                  places or 0, current_user, request.form.get("reason", "")),
        message=problem_message, done=_("Places added."),
        then=round_url(rnd, "judging_console.judging_prizes"))


@bp.post("/judging/results/<int:result_id>/prize")
@require("writing.manage")
def judging_prize_set(result_id: int):
    result = get_or_404(EntryResult, result_id)
    form = PrizeForm()
    return press_button(
        lambda: awards.set_prize(result, form.tier.data or None, current_user, form.reason.data),
        message=problem_message, form=form, done=_("The prize is decided."),
        then=round_url(db.session.get(JudgingRound, result.round_id),
                       "judging_console.judging_prizes"))


@bp.post("/judging/rounds/<int:round_id>/publish")
@require("writing.manage")
def judging_publish(round_id: int):
    rnd = round_or_404(round_id)
    prized = sum(1 for r in rounds.results_of(rnd) if r.prize)
    advancing = sum(1 for r in rounds.results_of(rnd) if r.advanced)
    consequences = [_("The results of “%(name)s” become final: no score sheet, result or "
                      "prize of the round can change afterwards.", name=rnd.name)]
    if rounds.awards_prizes(rnd):
        consequences.append(ngettext(
            "%(num)d prize is announced on the contest's public results page, with the "
            "authors' names.", "%(num)d prizes are announced on the contest's public results "
            "page, with the authors' names.", prized))
    elif advancing:
        consequences.append(ngettext("%(num)d entry goes on to the next round.",
                                     "%(num)d entries go on to the next round.", advancing))
    ask = confirmations.Ask(
        title=_("Publish “%(name)s”?", name=rnd.name),
        action_url=url_for("judging_console.judging_publish", round_id=rnd.id),
        cancel_url=round_url(rnd), button=_("Publish the round"),
        kind=confirmations.NAME, name=rnd.name, consequences=consequences,
        undo=_("It cannot be undone: a published round is closed for good and its results "
               "are public."))
    return confirmations.guard(ask, lambda: press_button(
        lambda: lifecycle.publish(rnd, current_user, now()), message=problem_message,
        done=_("The round is published. Its results can no longer change."),
        then=round_url(rnd)))


@bp.get("/judging/rounds/<int:round_id>/matrix.xlsx")
@require("writing.manage")
def judging_matrix(round_id: int):
    rnd = round_or_404(round_id)
    contest = db.session.get(WritingContest, rnd.contest_id)
    data = matrix.score_matrix_xlsx(rnd, translate=_)
    stamp = timeutil.to_local(now()).strftime("%Y%m%d-%H%M")
    name = f"{contest.code_prefix}-{rnd.name}-{stamp}.xlsx"
    return Response(
        data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": exports.attachment_header(name)})


def _short(value: Any, limit: int = 400) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


@bp.get("/judging/rounds/<int:round_id>/audit")
@require("writing.manage")
def judging_audit(round_id: int):
    rnd = round_or_404(round_id)
    return render_template("judging/console/audit.html", **nav(rnd),
                           events=rounds.round_trail(rnd), action_labels=ACTION_LABELS,
                           short=_short)
