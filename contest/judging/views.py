"""The judge's pages (their assignments, the scoring form, conflicts), the readers' vote, the
public results of a contest and each author's own results. Thin: parse, call, render.

Access: the judge's pages need the judge role, and every page that shows an entry asks
contest.judging.desk (which asks contest.judging.conflicts.judge_can_view_entry) whether this
judge may open it now; an assignment the judge may not open does not exist for them (404).
"""

from __future__ import annotations

from datetime import datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required

from contest import timeutil
from contest.accounts.policy import require
from contest.extensions import db, limiter
from contest.forms import ActionForm, ReasonForm, choices
from contest.judging import common, desk, invitations, published, rounds, sheets, votes
from contest.judging import results as judged
from contest.judging.forms import (
    CONFLICT_KINDS,
    ROUND_STATE_LABELS,
    SHEET_STATE_LABELS,
    TIER_LABELS,
    ConflictForm,
    points_text,
    score_form,
)
from contest.judging.messages import CONFLICT_STATUS_LABELS, problem_message
from contest.judging.models import JudgingRound
from contest.params import whole_number
from contest.refusals import press_button, save_form
from contest.writing import phases as writing_phases
from contest.writing.models import Entry, WritingContest

bp = Blueprint("judging", __name__, url_prefix="/judging")

DEFAULT_VOTE_LIMIT = "10 per minute;100 per hour"


def _now() -> datetime:
    return timeutil.utcnow()


def _upload_root() -> str:
    return current_app.config["UPLOAD_ROOT"]


@bp.app_context_processor
def _helpers() -> dict:
    return {
        "sheet_state_label": lambda state: SHEET_STATE_LABELS.get(state, state),
        "round_state_label": lambda state: ROUND_STATE_LABELS.get(state, state),
        "tier_label": lambda tier: TIER_LABELS.get(tier, tier),
        "points_text": points_text,
    }


# --- the judge's list ----------------------------------------------------------------------


@bp.get("/")
@require("judging.score")
def index():
    now = _now()
    return render_template("judging/index.html", contests=desk.dashboard(current_user, now),
                           invitations=desk.pending_invitations(current_user, now))


# The endpoint is "judging.round": the organizer console's reminders link to it.
@bp.get("/rounds/<int:round_id>", endpoint="round")
@require("judging.score")
def round_page(round_id: int):
    found = desk.judge_round(current_user, round_id, _now())
    if found is None:
        abort(404)
    contest = db.session.get(WritingContest, found.round.contest_id)
    return render_template("judging/round.html", contest=contest, desk=found)


# --- one score sheet -----------------------------------------------------------------------


def _assignment_or_404(assignment_id: int, now: datetime):  # noqa: ANN202
    assignment = desk.open_assignment(current_user, assignment_id, now)
    if assignment is None:
        abort(404)
    return assignment


def _render_sheet(assignment, form, now: datetime, problems: list[str] | None = None,  # noqa: ANN001
                  status: int = 200):  # noqa: ANN202
    rnd = db.session.get(JudgingRound, assignment.round_id)
    entry = db.session.get(Entry, assignment.entry_id)
    round_desk = desk.round_desk(current_user, rnd, now)
    sheet = assignment.sheet
    return render_template(
        "judging/sheet.html",
        assignment=assignment, rnd=rnd, rubric=rnd.rubric, desk=round_desk,
        facts=desk.entry_facts(entry, _upload_root()),
        form=form, sheet=sheet, state=desk.sheet_state(assignment),
        accepting=common.accepting_scores(rnd, now),
        fellows=desk.fellow_totals(current_user, assignment, now),
        problems=problems or [], next_row=round_desk.next_to_score(assignment.id),
        action_form=ActionForm(formdata=None),
        declaration=desk.entry_declaration(current_user, entry),
        conflict_form=ReasonForm(prefix="conflict", formdata=None),
        status_labels=CONFLICT_STATUS_LABELS,
    ), status


@bp.get("/assignments/<int:assignment_id>")
@require("judging.score")
def sheet(assignment_id: int):
    now = _now()
    assignment = _assignment_or_404(assignment_id, now)
    rnd = db.session.get(JudgingRound, assignment.round_id)
    form = score_form(rounds.criteria_of(rnd), assignment.sheet, formdata=None)
    return _render_sheet(assignment, form, now)


@bp.post("/assignments/<int:assignment_id>")
@require("judging.score")
def save_sheet(assignment_id: int):
    now = _now()
    assignment = _assignment_or_404(assignment_id, now)
    rnd = db.session.get(JudgingRound, assignment.round_id)
    code = db.session.get(Entry, assignment.entry_id).anon_code
    form = score_form(rounds.criteria_of(rnd))
    submit = request.form.get("action") == "submit"
    fields = {str(c.id): field for c, field in form.points_fields()}
    return save_form(
        form, lambda: sheets.save_sheet(assignment, form.points(), form.private_comment.data or "",
                                        form.entrant_comment.data or "", submit, current_user,
                                        now),
        render=lambda f, problems, status: _render_sheet(
            _assignment_or_404(assignment_id, now), f, now, problems, status),
        message=problem_message, fields=fields,
        done=(_("Your scores for %(code)s are submitted.", code=code) if submit
              else _("Draft saved. Submit the sheet when you are done.")),
        then=url_for("judging.sheet", assignment_id=assignment_id))


@bp.post("/assignments/<int:assignment_id>/reopen")
@require("judging.score")
def reopen_sheet(assignment_id: int):
    now = _now()
    assignment = _assignment_or_404(assignment_id, now)
    return press_button(
        lambda: sheets.reopen_sheet(assignment.sheet, current_user, now),
        message=problem_message,
        done=_("The sheet is open again. Submit it again when you are done."),
        then=url_for("judging.sheet", assignment_id=assignment_id))


@bp.post("/assignments/<int:assignment_id>/conflict")
@require("judging.score")
def declare_entry_conflict(assignment_id: int):
    now = _now()
    assignment = _assignment_or_404(assignment_id, now)
    form = ReasonForm(prefix="conflict")
    return press_button(
        lambda: desk.declare_entry_conflict(current_user, assignment, form.reason.data or "",
                                            now),
        message=problem_message, form=form,
        done=_("Your declaration is sent to the organizers. The entry stays in your list "
               "until they decide; do not score it meanwhile."),
        then=url_for("judging.sheet", assignment_id=assignment_id) + "#conflict")


# --- conflicts -----------------------------------------------------------------------------


def _render_conflicts(contest: WritingContest, form: ConflictForm, now: datetime,
                      problems: list[str] | None = None, status: int = 200):  # noqa: ANN202
    entries = desk.conflict_entry_choices(current_user, contest, now)
    form.entry_id.choices = choices([(str(e.id), f"{e.anon_code} · {e.title}") for e in entries])
    declared = desk.own_conflicts(current_user, contest)
    return render_template("judging/conflicts.html", contest=contest, form=form,
                           entries=entries, declared=declared, status_labels=CONFLICT_STATUS_LABELS,
                           kinds=CONFLICT_KINDS, problems=problems or []), status


@bp.route("/contests/<int:contest_id>/conflicts", methods=["GET", "POST"],
          endpoint="conflicts")
@require("judging.score")
def conflicts_page(contest_id: int):
    now = _now()
    contest = desk.juror_contest(current_user, contest_id)
    if contest is None:
        abort(404)
    if request.method == "GET":
        form = ConflictForm(formdata=None)
        chosen = request.args.get("entry", type=whole_number)
        if chosen:
            form.entry_id.data = str(chosen)
        return _render_conflicts(contest, form, now)
    form = ConflictForm()
    return save_form(
        form, lambda: desk.declare_own_conflict(
            current_user, contest, form.kind.data, form.entry_id.data or "",
            form.author_name.data or "", form.outlet.data or "", form.reason.data or "", now),
        render=lambda f, problems, status: _render_conflicts(contest, f, now, problems, status),
        message=problem_message, fields={"entry": form.entry_id},
        done=_("Your declaration is sent to the organizers. Your list stays as it is until "
               "they decide."),
        then=url_for("judging.conflicts", contest_id=contest.id))


# --- the readers' vote ---------------------------------------------------------------------

def _vote_limit() -> str:
    return current_app.config.get("RATELIMIT_VOTE", DEFAULT_VOTE_LIMIT)


def _voter_key() -> str:
    """Limit per account (many voters share one address behind a mobile operator's NAT)."""
    if current_user.is_authenticated:
        return f"voter:{current_user.id}"
    return get_remote_address()


def _visible_contest_or_404(contest_id: int) -> WritingContest:
    contest = writing_phases.get_visible_contest(contest_id)
    if contest is None:
        abort(404)
    return contest


def _render_vote(contest: WritingContest, now: datetime, refused: list[str] | None = None,
                 status: int = 200):  # noqa: ANN202
    state = votes.window_state(contest, now)
    if state == votes.NONE:
        abort(404)
    problem = votes.voter_problem(current_user, contest)
    return render_template(
        "judging/vote.html", contest=contest, state=state,
        paused=votes.paused_for_blind_judging(contest),
        ballot=votes.ballot(contest, current_user, now),
        voter_problem=(problem_message(problem) if problem and problem.code != "vote_login"
                       else ""),
        logged_in=current_user.is_authenticated, refused=" ".join(refused or []),
        form=ActionForm(formdata=None),
    ), status


@bp.get("/contests/<int:contest_id>/vote")
def vote(contest_id: int):
    return _render_vote(_visible_contest_or_404(contest_id), _now())


@bp.post("/contests/<int:contest_id>/vote")
@limiter.limit(_vote_limit, key_func=_voter_key)
@login_required
def cast_vote(contest_id: int):
    now = _now()
    contest = _visible_contest_or_404(contest_id)
    return save_form(
        ActionForm(), lambda: votes.cast(current_user, contest, request.form.get("entry_id"), now),
        render=lambda _f, problems, status: _render_vote(contest, now, problems, status),
        message=problem_message, done=_("Thank you: your vote is recorded."),
        then=url_for("judging.vote", contest_id=contest.id))


# --- results -------------------------------------------------------------------------------


@bp.get("/contests/<int:contest_id>/results")
def results(contest_id: int):
    now = _now()
    contest = _visible_contest_or_404(contest_id)
    prizes = published.prize_list(contest)
    choice = None
    if not votes.paused_for_blind_judging(contest):
        choice = votes.readers_choice(contest, now)
    final = published.final_round(contest)
    left_out = judged.left_out_judges(final) if final is not None else []
    return render_template("judging/results.html", contest=contest, prizes=prizes,
                           choice=choice, final=final,
                           flat_judges=sum(x.reason == "no_spread" for x in left_out),
                           few_sheet_judges=sum(x.reason == "too_few_sheets" for x in left_out))


@bp.get("/my-results")
@login_required
def my_results():
    return render_template("judging/my_results.html",
                           outcomes=published.my_results(current_user))


# --- invitations ---------------------------------------------------------------------------


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def invitation(token: str):
    """The page an invited judge opens from the e-mail: accept, or log in / register first."""
    inv = invitations.find_invitation(token, _secret())
    contest = db.session.get(WritingContest, inv.contest_id) if inv else None

    def render(form: ActionForm, problems: list[str], status: int):  # noqa: ANN202
        state = "invalid" if inv is None else invitations.invitation_status(inv, _now())
        return render_template("judging/invitation.html", inv=inv, contest=contest,
                               state=state, form=form, problems=problems,
                               login_url=url_for("accounts.login", next=request.path),
                               register_url=url_for("accounts.register")), \
            404 if inv is None else status

    form = ActionForm()
    if request.method == "POST" and not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.path))
    return save_form(
        form, lambda: invitations.accept_invitation(token, current_user, _now(), _secret()),
        render=render, message=problem_message,
        done=_("Welcome to the jury of “%(contest)s”.", contest=contest.title) if contest else None,
        then=url_for("judging.index"))
