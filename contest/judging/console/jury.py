"""Console screens: invitations to a contest's jury and its judges' conflicts of interest.

The page where an invited judge accepts is the judging blueprint's (contest.judging.views):
invitees are not organizers.
"""

from __future__ import annotations

from flask import current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest.accounts.models import User
from contest.accounts.policy import require
from contest.extensions import db
from contest.forms import ActionForm, OptionalReasonForm, ReasonForm, choices
from contest.judging import conflicts, declarations, invitations, jury
from contest.judging.console.base import bp, contest_or_404, get_or_404, now, show
from contest.judging.console.forms import INVITATION_STATUS_LABELS, ConflictForm, InviteForm
from contest.judging.messages import CONFLICT_STATUS_LABELS, problem_message
from contest.judging.models import Conflict, Invitation, JudgingRound
from contest.params import whole_number
from contest.refusals import press_button, save_form
from contest.writing.models import WritingContest


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def _invite_link(token: str) -> str:
    return url_for("judging.invitation", token=token, _external=True)


def _invitations_url(contest_id: int) -> str:
    return url_for("judging_console.judging_invitations", contest_id=contest_id)


def _render_invitations(contest: WritingContest, form: InviteForm, problems: list[str] = (),
                        status: int = 200):  # noqa: ANN202
    show(problems)
    at = now()
    rows = [(inv, invitations.invitation_status(inv, at),
             db.session.get(User, inv.accepted_by_id) if inv.accepted_by_id else None)
            for inv in invitations.invitations(contest)]
    return render_template("judging/console/invitations.html", contest=contest, rows=rows,
                           form=form, action_form=ActionForm(),
                           status_labels=INVITATION_STATUS_LABELS), status


@bp.get("/judging/contests/<int:contest_id>/invitations")
@require("writing.manage")
def judging_invitations(contest_id: int):
    return _render_invitations(contest_or_404(contest_id), InviteForm())


@bp.post("/judging/contests/<int:contest_id>/invitations")
@require("writing.manage")
def judging_invite(contest_id: int):
    contest = contest_or_404(contest_id)
    form = InviteForm()
    return save_form(
        form, lambda: invitations.invite(contest, form.email.data, current_user, now(),
                                         _secret(), link=_invite_link),
        render=lambda f, problems, status: _render_invitations(contest, f, problems, status),
        message=problem_message,
        done=_("The invitation was sent to %(email)s.",
               email=(form.email.data or "").strip().lower()),
        then=_invitations_url(contest.id))


_INVITATION_ACTIONS = {
    "resend": (lambda inv: invitations.resend_invitation(inv, current_user, now(), _secret(),
                                                         link=_invite_link),
               lambda: _("The invitation was sent again; the earlier link no longer works.")),
    "withdraw": (lambda inv: invitations.withdraw_invitation(inv, current_user, now()),
                 lambda: _("The invitation is withdrawn.")),
}


@bp.post("/judging/invitations/<int:invitation_id>/<any(resend, withdraw):action>")
@require("writing.manage")
def judging_invitation_action(invitation_id: int, action: str):
    inv = get_or_404(Invitation, invitation_id)
    change, done = _INVITATION_ACTIONS[action]
    return press_button(lambda: change(inv), message=problem_message, done=done(),
                        then=_invitations_url(inv.contest_id))


# --- conflicts -----------------------------------------------------------------------------


def _conflicts_url(contest_id: int) -> str:
    return url_for("judging_console.judging_conflicts", contest_id=contest_id)


def _render_conflicts(contest: WritingContest, form: ConflictForm, problems: list[str] = (),
                      status: int = 200):  # noqa: ANN202
    show(problems)
    form.judge.choices = choices((str(u.id), u.full_name) for u in jury.jury(contest))
    return render_template("judging/console/conflicts.html", contest=contest,
                           declared=conflicts.declared_conflicts(contest),
                           waiting=declarations.pending(contest),
                           decide_form=OptionalReasonForm(prefix="decide"),
                           status_labels=CONFLICT_STATUS_LABELS,
                           found=conflicts.contest_conflicts(contest), form=form,
                           remove_form=ReasonForm(prefix="remove")), status


@bp.get("/judging/contests/<int:contest_id>/conflicts")
@require("writing.manage")
def judging_conflicts(contest_id: int):
    return _render_conflicts(contest_or_404(contest_id), ConflictForm())


@bp.post("/judging/contests/<int:contest_id>/conflicts")
@require("writing.manage")
def judging_conflict_add(contest_id: int):
    contest = contest_or_404(contest_id)
    form = ConflictForm()
    return save_form(
        form, lambda: conflicts.record_conflict(
            contest, form.judge.data, form.entry_code.data or "", form.author_name.data or "",
            form.outlet.data or "", form.reason.data or "", current_user, now()),
        render=lambda f, problems, status: _render_conflicts(contest, f, problems, status),
        message=problem_message,
        done=_("The conflict is recorded; the judge's matching assignments in open rounds were "
               "withdrawn."),
        then=_conflicts_url(contest.id))


@bp.post("/judging/conflicts/<int:conflict_id>/remove")
@require("writing.manage")
def judging_conflict_remove(conflict_id: int):
    conflict = get_or_404(Conflict, conflict_id)
    form = ReasonForm(prefix="remove")
    back = _conflicts_url(conflict.contest_id)
    return press_button(
        lambda: conflicts.remove_conflict(conflict, current_user, form.reason.data),
        message=problem_message, form=form, done=_("The conflict is removed."), then=back)


_DECISIONS = {
    "confirm": (lambda c, note: declarations.confirm(c, current_user, now(), note),
                lambda: _("The conflict is confirmed. The judge's assignments it concerns were "
                          "withdrawn and the rounds not yet closed were assigned again.")),
    "dismiss": (lambda c, note: declarations.dismiss(c, current_user, now(), note),
                lambda: _("The declaration is dismissed; the judge's list stays as it is.")),
}


def _back(conflict: Conflict) -> str:
    """The round page the decision was made from, else the contest's conflicts page."""
    round_id = request.form.get("round", type=whole_number)
    rnd = db.session.get(JudgingRound, round_id) if round_id else None
    if rnd is not None and rnd.contest_id == conflict.contest_id:
        return url_for("judging_console.judging_round", round_id=rnd.id) + "#declarations"
    return _conflicts_url(conflict.contest_id)


@bp.post("/judging/conflicts/<int:conflict_id>/<any(confirm, dismiss):decision>")
@require("writing.manage")
def judging_conflict_decide(conflict_id: int, decision: str):
    conflict = get_or_404(Conflict, conflict_id)
    form = OptionalReasonForm(prefix="decide")
    change, done = _DECISIONS[decision]
    return press_button(lambda: change(conflict, form.reason.data or ""),
                        message=problem_message, form=form, done=done(), then=_back(conflict))
