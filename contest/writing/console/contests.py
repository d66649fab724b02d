"""The writing console's contest screens: the list, a contest's page, its form (new, edit,
copy), its moves from draft to published, its categories and its jury.

The rules are in contest.writing.contests; these views parse, call and render.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from contest import confirmations, timeutil
from contest.accounts.models import Role
from contest.accounts.policy import require
from contest.extensions import db
from contest.forms import ActionForm
from contest.refusals import press_button, save_form
from contest.writing import contests as rules
from contest.writing.console.base import bp, category_or_404, contest_or_404, entry_aliases
from contest.writing.console.confirm import status_ask
from contest.writing.console.forms import CategoryForm, ContestForm, JurorForm
from contest.writing.contests import CategorySettings, ContestSettings
from contest.writing.messages import problem_message
from contest.writing.models import Category, ContestStatus, Entry, WritingContest

# --- contests ------------------------------------------------------------------------------


@bp.get("/writing")
@require("writing.manage")
def writing_contests():
    contests = db.session.execute(
        select(WritingContest).order_by(WritingContest.submission_opens_at.desc(),
                                        WritingContest.id.desc())
    ).scalars().all()
    counts: dict[int, dict[str, int]] = {}
    for contest_id, status, n in db.session.execute(
        select(Entry.contest_id, Entry.status, func.count())
        .group_by(Entry.contest_id, Entry.status)
    ):
        counts.setdefault(contest_id, {})[status] = n
    return render_template("writing/console/list.html", contests=contests, counts=counts)


def _naive_local(value) -> Any:  # noqa: ANN001
    return timeutil.to_local(value).replace(tzinfo=None, second=0, microsecond=0)


def _fill_contest(form: ContestForm, s: ContestSettings) -> None:
    form.title.data = s.title
    form.rules.data = s.rules
    form.submission_opens_at.data = _naive_local(s.submission_opens_at)
    form.submission_closes_at.data = _naive_local(s.submission_closes_at)
    form.publication_from.data = s.publication_from
    form.publication_to.data = s.publication_to
    form.max_entries_per_author.data = s.max_entries_per_author
    form.code_prefix.data = s.code_prefix
    form.blind.data = s.blind
    form.jury_may_enter.data = s.jury_may_enter
    form.allow_prior_awards.data = s.allow_prior_awards
    form.readers_vote.data = s.readers_vote
    form.vote_opens_at.data = _naive_local(s.vote_opens_at) if s.vote_opens_at else None
    form.vote_closes_at.data = _naive_local(s.vote_closes_at) if s.vote_closes_at else None


def _moment(field: Any, stored: Any) -> Any:
    """The posted time in UTC (None when left empty); the stored one when the form shows it
    unchanged.

    The form has minutes only, and closing a contest by hand stores the second it was closed:
    an untouched field must not count as a change of the window.
    """
    if field.data is None:
        return None
    if stored is not None and _naive_local(stored) == field.data:
        return stored
    return timeutil.local_to_utc(field.data)


def _settings_from(form: ContestForm, contest: WritingContest | None) -> ContestSettings:
    return ContestSettings(
        title=form.title.data or "",
        rules=form.rules.data or "",
        submission_opens_at=_moment(form.submission_opens_at,
                                    contest.submission_opens_at if contest else None),
        submission_closes_at=_moment(form.submission_closes_at,
                                     contest.submission_closes_at if contest else None),
        publication_from=form.publication_from.data,
        publication_to=form.publication_to.data,
        max_entries_per_author=form.max_entries_per_author.data,
        code_prefix=form.code_prefix.data or "",
        blind=bool(form.blind.data),
        jury_may_enter=bool(form.jury_may_enter.data),
        allow_prior_awards=bool(form.allow_prior_awards.data),
        readers_vote=bool(form.readers_vote.data),
        vote_opens_at=_moment(form.vote_opens_at, contest.vote_opens_at if contest else None),
        vote_closes_at=_moment(form.vote_closes_at,
                               contest.vote_closes_at if contest else None),
    )


def _render_contest_form(form: ContestForm, contest: WritingContest | None,
                         problems: list[str], status: int = 200):  # noqa: ANN202
    locked = contest is not None and contest.status not in (ContestStatus.DRAFT,
                                                           ContestStatus.OPEN)
    entered = contest is not None and rules.has_entries(contest)
    return render_template("writing/console/contest_form.html", form=form, contest=contest,
                           problems=problems, locked=locked, entered=entered), status


def _save_contest(form: ContestForm, contest: WritingContest | None):  # noqa: ANN202
    def act() -> WritingContest:
        settings = _settings_from(form, contest)
        if contest is None:
            return rules.create_contest(settings, current_user.id)
        rules.update_contest(contest, settings, timeutil.utcnow(), current_user.id)
        return contest

    return save_form(
        form, act, message=problem_message, fields=entry_aliases(form),
        render=lambda f, problems, status: _render_contest_form(f, contest, problems, status),
        done=_("Contest saved."),
        then=lambda saved: url_for("writing_console.writing_contest", contest_id=saved.id))


@bp.route("/writing/new", methods=["GET", "POST"])
@require("writing.manage")
def writing_contest_new():
    form = ContestForm()
    if request.method == "GET":
        start = timeutil.utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
        today = timeutil.to_local(start).date()
        _fill_contest(form, ContestSettings(
            title="", submission_opens_at=start, submission_closes_at=start + timedelta(days=60),
            publication_from=today.replace(month=1, day=1), publication_to=today))
    return _save_contest(form, None)


@bp.route("/writing/<int:contest_id>/edit", methods=["GET", "POST"])
@require("writing.manage")
def writing_contest_edit(contest_id: int):
    contest = contest_or_404(contest_id)
    form = ContestForm()
    if request.method == "GET":
        _fill_contest(form, ContestSettings.of(contest))
    return _save_contest(form, contest)


@bp.get("/writing/<int:contest_id>")
@require("writing.manage")
def writing_contest(contest_id: int):
    contest = contest_or_404(contest_id)
    return render_template(
        "writing/console/contest.html", contest=contest,
        counts=rules.entry_counts(contest), by_category=rules.category_counts(contest),
        jury_size=len(rules.jurors(contest)), action_form=ActionForm(),
        accepting=rules.accepting(contest, timeutil.utcnow()),
        entered=rules.has_entries(contest),
    )


@bp.post("/writing/<int:contest_id>/clone")
@require("writing.manage")
def writing_contest_clone(contest_id: int):
    contest = contest_or_404(contest_id)
    return press_button(
        lambda: rules.clone_contest(contest, _("%(title)s (copy)", title=contest.title),
                                    timeutil.utcnow(), current_user.id),
        message=problem_message,
        done=_("A copy was made as a draft, with the same categories. Check its dates before "
               "opening it."),
        then=lambda clone: url_for("writing_console.writing_contest_edit",
                                   contest_id=clone.id if clone else contest.id))


_TRANSITIONS = {
    "open": (lambda c, now, actor: rules.open_contest(c, now, actor),
             _l("The contest is open.")),
    "draft": (lambda c, now, actor: rules.return_to_draft(c, actor),
              _l("The contest is a draft again.")),
    "close": (lambda c, now, actor: rules.close_contest(c, now, actor),
              _l("The contest is closed: no more entries are accepted.")),
    "judging": (lambda c, now, actor: rules.start_judging(c, actor),
                _l("Judging has started.")),
    "publish": (lambda c, now, actor: rules.publish_contest(c, actor),
                _l("The contest is published.")),
}


@bp.post("/writing/<int:contest_id>/status")
@require("writing.manage")
def writing_contest_status(contest_id: int):
    contest = contest_or_404(contest_id)
    transition = _TRANSITIONS.get(request.form.get("to", ""))
    if transition is None:
        abort(400)
    change, done = transition
    now = timeutil.utcnow()

    def press():  # noqa: ANN202
        return press_button(
            lambda: change(contest, now, current_user.id),
            message=problem_message, done=str(done),
            then=url_for("writing_console.writing_contest", contest_id=contest.id))

    ask = status_ask(contest, request.form.get("to", ""), now)
    return confirmations.guard(ask, press) if ask else press()



# --- categories ----------------------------------------------------------------------------


def _fill_category(form: CategoryForm, s: CategorySettings) -> None:
    for name in ("name", "medium", "description", "min_words", "max_words", "series_allowed",
                 "max_series_parts", "max_file_mb", "max_files", "file_required",
                 "link_required"):
        getattr(form, name).data = getattr(s, name)
    form.accepted_kinds.data = list(s.accepted_kinds)


def _category_from(form: CategoryForm) -> CategorySettings:
    return CategorySettings(
        name=form.name.data or "",
        medium=form.medium.data or "",
        description=form.description.data or "",
        min_words=form.min_words.data,
        max_words=form.max_words.data,
        series_allowed=bool(form.series_allowed.data),
        max_series_parts=form.max_series_parts.data,
        accepted_kinds=list(form.accepted_kinds.data or []),
        max_file_mb=form.max_file_mb.data,
        max_files=form.max_files.data if form.max_files.data is not None else 0,
        file_required=bool(form.file_required.data),
        link_required=bool(form.link_required.data),
    )


def _render_category_form(form: CategoryForm, contest: WritingContest,
                          category: Category | None, problems: list[str],
                          status: int = 200):  # noqa: ANN202
    request_limit_mb = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
    return render_template("writing/console/category_form.html", form=form, contest=contest,
                           category=category, problems=problems,
                           request_limit_mb=request_limit_mb), status



def _save_category(form: CategoryForm, contest: WritingContest,
                   category: Category | None):  # noqa: ANN202
    def act() -> None:
        if category is None:
            rules.add_category(contest, _category_from(form), current_user.id)
        else:
            rules.update_category(category, _category_from(form), current_user.id)

    return save_form(
        form, act, message=problem_message, fields=entry_aliases(form),
        render=lambda f, problems, status: _render_category_form(f, contest, category,
                                                                 problems, status),
        done=_("Category added.") if category is None else _("Category saved."),
        then=url_for("writing_console.writing_contest", contest_id=contest.id,
                     _anchor="categories"))


@bp.route("/writing/<int:contest_id>/categories/new", methods=["GET", "POST"])
@require("writing.manage")
def writing_category_new(contest_id: int):
    contest = contest_or_404(contest_id)
    return _save_category(CategoryForm(), contest, None)


@bp.route("/writing/<int:contest_id>/categories/<int:category_id>", methods=["GET", "POST"])
@require("writing.manage")
def writing_category_edit(contest_id: int, category_id: int):
    contest = contest_or_404(contest_id)
    category = category_or_404(contest, category_id)
    form = CategoryForm()
    if request.method == "GET":
        _fill_category(form, CategorySettings.of(category))
    return _save_category(form, contest, category)


@bp.post("/writing/<int:contest_id>/categories/<int:category_id>/remove")
@require("writing.manage")
def writing_category_remove(contest_id: int, category_id: int):
    contest = contest_or_404(contest_id)
    category = category_or_404(contest, category_id)
    return press_button(
        lambda: rules.remove_category(category, current_user.id),
        message=problem_message, done=_("Category removed."),
        then=url_for("writing_console.writing_contest", contest_id=contest.id,
                     _anchor="categories"))


# --- jury ----------------------------------------------------------------------------------


def _render_jury(contest: WritingContest, form: JurorForm, status: int = 200,
                 problems: list[str] | None = None):  # noqa: ANN202
    # The jury form has one field: whatever concerns the whole form is said next to it.
    form.email.errors = [*form.email.errors, *(problems or [])]
    return render_template("writing/console/jury.html", contest=contest,
                           members=rules.jurors(contest), form=form, action_form=ActionForm(),
                           judge_role=Role.JUDGE), status


@bp.get("/writing/<int:contest_id>/jury")
@require("writing.manage")
def writing_jury(contest_id: int):
    return _render_jury(contest_or_404(contest_id), JurorForm())


@bp.post("/writing/<int:contest_id>/jury")
@require("writing.manage")
def writing_jury_add(contest_id: int):
    contest = contest_or_404(contest_id)
    form = JurorForm()
    return save_form(
        form, lambda: rules.add_juror(contest, form.email.data, current_user.id),
        message=problem_message,
        render=lambda f, problems, status: _render_jury(contest, f, status, problems),
        done=lambda user: _("%(name)s is on the jury.", name=user.full_name),
        then=url_for("writing_console.writing_jury", contest_id=contest.id))


@bp.post("/writing/<int:contest_id>/jury/<int:user_id>/remove")
@require("writing.manage")
def writing_jury_remove(contest_id: int, user_id: int):
    contest = contest_or_404(contest_id)
    return press_button(
        lambda: rules.remove_juror(contest, user_id, current_user.id),
        message=problem_message, done=_("Removed from the jury."),
        then=url_for("writing_console.writing_jury", contest_id=contest.id))
