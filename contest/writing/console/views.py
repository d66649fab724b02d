"""Organizer screens of the writing contests.

Contests (create, edit, copy, open, close, judge, publish), their categories and jury, the
entries (search, detail, disqualify, reinstate, change after the deadline, audit history) and
the exports (XLSX, CSV, the files of a category as one ZIP). The rules are in
contest.writing.contests and contest.writing.service; these views parse, call and render.
"""

from __future__ import annotations

from datetime import timedelta
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
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from contest import confirmations, timeutil
from contest.accounts.models import Role, User
from contest.accounts.policy import require
from contest.audit import AuditEvent
from contest.console import console_link
from contest.extensions import db
from contest.forms import ActionForm, OptionalReasonForm, ReasonForm, choices
from contest.params import whole_number
from contest.refusals import flash_problems, place_problems, press_button, save_form
from contest.writing import access, checks, exports, inputs, service, storage
from contest.writing import contests as rules
from contest.writing import messages as entry_messages
from contest.writing.console.confirm import status_ask
from contest.writing.console.forms import (
    CONTEST_STATUS_LABELS,
    ENTRY_STATUS_LABELS,
    MEDIUM_LABELS,
    CategoryForm,
    ContestForm,
    JurorForm,
    WordCountForm,
)
from contest.writing.contests import (
    CategorySettings,
    ContestError,
    ContestSettings,
    Problem,
)
from contest.writing.files import KINDS
from contest.writing.forms import EntryForm
from contest.writing.models import (
    Category,
    ContestStatus,
    Entry,
    EntryFile,
    EntryStatus,
    WritingContest,
)

bp = Blueprint("writing_console", __name__, url_prefix="/organizer")

console_link("writing_console.writing_contests", _l("Writing contests"),
             _l("Set up writing contests, categories and juries; review entries, "
                "export them and download their files."), order=50)

PAGE_SIZE = 50
# Audit subjects under which changes of an entry are recorded.
ENTRY_SUBJECTS = ("entry", rules.ENTRY_SUBJECT)


# --- messages ------------------------------------------------------------------------------


def problem_message(problem: Any) -> str:
    """The reader's-language sentence for a problem of the contest rules or of an entry."""
    p = dict(problem.params or {})

    messages = {
        # contests, categories, jury
        "title_missing": lambda: _("Enter a title."),
        "title_too_long": lambda: _("The title can have at most %(max)d characters.",
                                    max=p["max"]),
        "closes_before_opens": lambda: _("Entries must close after they open."),
        "publication_order": lambda: _("The end of the publication period must not be before "
                                       "its start."),
        "publication_after_close": lambda: _("The publication period must start before entries "
                                             "close."),
        "cap_out_of_range": lambda: _("Allow from 1 to %(max)d entries per author.",
                                      max=p["max"]),
        "bad_code_prefix": lambda: _("Use 1 to 8 capital letters or digits, e.g. BC."),
        "vote_opens_missing": lambda: _("Enter when the readers' vote opens, e.g. "
                                        "2026-06-01T08:00."),
        "vote_closes_missing": lambda: _("Enter when the readers' vote closes, e.g. "
                                         "2026-06-15T17:00."),
        "vote_closes_before_opens": lambda: _("The readers' vote must close after it opens."),
        "vote_started": lambda: _("The readers' vote has opened: it stays on and its opening "
                                  "time can no longer change."),
        "vote_close_fixed": lambda: _("The end of the readers' vote can move only while it is "
                                      "still ahead, and not into the past."),
        "locked_after_close": lambda: _("The contest is closed: only its title, rules text and "
                                        "(until judging starts) blind judging can change."),
        "blind_locked": lambda: _("Judging has started: blind judging can no longer be "
                                  "switched."),
        "close_in_past": lambda: _("The closing time has passed. Use “Close now” to close the "
                                   "contest."),
        "window_shortened": lambda: _("Journalists have entered already: entries may open "
                                      "earlier or close later, but not open later or close "
                                      "earlier."),
        "publication_narrowed": lambda: _("Journalists have entered already: the publication "
                                          "period may only grow."),
        "prefix_fixed": lambda: _("Entries already have codes with this prefix: it can no "
                                  "longer change."),
        "jurors_have_entries": lambda: _("Some jury members have entered this contest. Remove "
                                         "them from the jury, or their entries, first."),
        "not_draft": lambda: _("Only a draft can be opened."),
        "not_open": lambda: _("The contest is not open."),
        "not_closed": lambda: _("Close the contest before judging starts."),
        "not_judging": lambda: _("Only a contest being judged can be published."),
        "no_categories": lambda: _("Add at least one category before opening the contest."),
        "close_passed": lambda: _("The closing time has passed. Move it later before opening "
                                  "the contest."),
        "entries_exist": lambda: _("Journalists have entered already: the contest cannot go "
                                   "back to draft."),
        "not_started": lambda: _("Entries have not opened yet. Take the contest back to draft "
                                 "instead of closing it."),
        "no_entries": lambda: _("No entry was submitted: there is nothing to judge."),
        "name_missing": lambda: _("Enter the name."),
        "name_too_long": lambda: _("The name can have at most %(max)d characters.",
                                   max=p["max"]),
        "name_taken": lambda: _("Another category of this contest has this name."),
        "bad_medium": lambda: _("Choose a medium."),
        "words_not_positive": lambda: _("Enter a number from 1, or leave it empty for no "
                                        "limit."),
        "words_order": lambda: _("The most words must not be fewer than the fewest."),
        "parts_out_of_range": lambda: _("Allow from 1 to %(max)d parts.", max=p["max"]),
        "bad_kinds": lambda: _("Unknown kinds of file: %(kinds)s.", kinds=p["kinds"]),
        "file_mb_out_of_range": lambda: _("Enter 1 to %(max)d MB.", max=p["max"]),
        "files_out_of_range": lambda: _("Allow from 0 to %(max)d files.", max=p["max"]),
        "file_required_without_kinds": lambda: _("A file is required: tick at least one kind "
                                                 "of file."),
        "file_required_without_files": lambda: _("A file is required: allow at least one file "
                                                 "per entry."),
        "categories_locked": lambda: _("The contest is closed: its categories can no longer "
                                       "change."),
        "category_has_entries": lambda: _("This category has %(count)d entries: it cannot be "
                                          "removed.", count=p["count"]),
        "last_category": lambda: _("An open contest keeps at least one category."),
        "jury_locked": lambda: _("The results are published: the jury can no longer change."),
        "no_such_user": lambda: _("No account has this e-mail address."),
        "already_juror": lambda: _("This person is already on the jury."),
        "juror_has_entries": lambda: _("This person has entered the contest, and jury members "
                                       "may not enter."),
        "not_juror": lambda: _("This person is not on the jury."),
        "not_disqualified": lambda: _("The entry is not disqualified."),
    }
    make = messages.get(problem.code)
    if make is None:
        # Problems of entries (eligibility, the entry service) have their shared messages.
        return entry_messages.problem_message(problem)
    return make()


# Fields of the entry service's problems that have another name in the entry form.
_ENTRY_FIELDS = {"body": "body_source", "word_count": "body_source"}


def _entry_aliases(form: Any) -> dict[str, Any]:
    return {name: getattr(form, target) for name, target in _ENTRY_FIELDS.items()
            if hasattr(form, target)}


def _place(form: Any, problems: list[Any]) -> list[str]:
    """Put each problem next to its field; return the messages that concern the whole form."""
    return place_problems(problems, problem_message, form, _entry_aliases(form))


@bp.app_context_processor
def _writing_helpers() -> dict:
    return {"contest_status_labels": CONTEST_STATUS_LABELS,
            "entry_status_labels": ENTRY_STATUS_LABELS, "medium_labels": MEDIUM_LABELS,
            "file_kinds": KINDS, "clean_warnings": entry_messages.CLEAN_WARNINGS}


# --- lookups -------------------------------------------------------------------------------


def _contest_or_404(contest_id: int) -> WritingContest:
    contest = db.session.get(WritingContest, contest_id)
    if contest is None:
        abort(404)
    return contest


def _category_or_404(contest: WritingContest, category_id: int) -> Category:
    category = db.session.get(Category, category_id)
    if category is None or category.contest_id != contest.id:
        abort(404)
    return category


def _entry_or_404(entry_id: int) -> Entry:
    entry = db.session.get(Entry, entry_id)
    if entry is None:
        abort(404)
    return entry


def _upload_root() -> str:
    return current_app.config["UPLOAD_ROOT"]


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
        form, act, message=problem_message, fields=_entry_aliases(form),
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
        return _render_contest_form(form, None, [])
    return _save_contest(form, None)


@bp.route("/writing/<int:contest_id>/edit", methods=["GET", "POST"])
@require("writing.manage")
def writing_contest_edit(contest_id: int):
    contest = _contest_or_404(contest_id)
    form = ContestForm()
    if request.method == "GET":
        _fill_contest(form, ContestSettings.of(contest))
        return _render_contest_form(form, contest, [])
    return _save_contest(form, contest)


@bp.get("/writing/<int:contest_id>")
@require("writing.manage")
def writing_contest(contest_id: int):
    contest = _contest_or_404(contest_id)
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
    contest = _contest_or_404(contest_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    clone = rules.clone_contest(contest, _("%(title)s (copy)", title=contest.title),
                                timeutil.utcnow(), current_user.id)
    db.session.commit()
    flash(_("A copy was made as a draft, with the same categories. Check its dates before "
            "opening it."), "success")
    return redirect(url_for("writing_console.writing_contest_edit", contest_id=clone.id))


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
    contest = _contest_or_404(contest_id)
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


@bp.route("/writing/<int:contest_id>/categories/new", methods=["GET", "POST"])
@require("writing.manage")
def writing_category_new(contest_id: int):
    contest = _contest_or_404(contest_id)
    form = CategoryForm()
    if request.method == "GET":
        return _render_category_form(form, contest, None, [])
    if not form.validate_on_submit():
        return _render_category_form(form, contest, None, [], 400)
    try:
        rules.add_category(contest, _category_from(form), current_user.id)
    except ContestError as exc:
        db.session.rollback()
        return _render_category_form(form, contest, None, _place(form, exc.problems), 400)
    db.session.commit()
    flash(_("Category added."), "success")
    return redirect(url_for("writing_console.writing_contest", contest_id=contest.id,
                            _anchor="categories"))


@bp.route("/writing/<int:contest_id>/categories/<int:category_id>", methods=["GET", "POST"])
@require("writing.manage")
def writing_category_edit(contest_id: int, category_id: int):
    contest = _contest_or_404(contest_id)
    category = _category_or_404(contest, category_id)
    form = CategoryForm()
    if request.method == "GET":
        _fill_category(form, CategorySettings.of(category))
        return _render_category_form(form, contest, category, [])
    if not form.validate_on_submit():
        return _render_category_form(form, contest, category, [], 400)
    try:
        rules.update_category(category, _category_from(form), current_user.id)
    except ContestError as exc:
        db.session.rollback()
        return _render_category_form(form, contest, category, _place(form, exc.problems), 400)
    db.session.commit()
    flash(_("Category saved."), "success")
    return redirect(url_for("writing_console.writing_contest", contest_id=contest.id,
                            _anchor="categories"))


@bp.post("/writing/<int:contest_id>/categories/<int:category_id>/remove")
@require("writing.manage")
def writing_category_remove(contest_id: int, category_id: int):
    contest = _contest_or_404(contest_id)
    category = _category_or_404(contest, category_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        rules.remove_category(category, current_user.id)
    except ContestError as exc:
        db.session.rollback()
        flash_problems(exc.problems, problem_message)
    else:
        db.session.commit()
        flash(_("Category removed."), "success")
    return redirect(url_for("writing_console.writing_contest", contest_id=contest.id,
                            _anchor="categories"))


# --- jury ----------------------------------------------------------------------------------


def _render_jury(contest: WritingContest, form: JurorForm, status: int = 200):  # noqa: ANN202
    return render_template("writing/console/jury.html", contest=contest,
                           members=rules.jurors(contest), form=form, action_form=ActionForm(),
                           judge_role=Role.JUDGE), status


@bp.get("/writing/<int:contest_id>/jury")
@require("writing.manage")
def writing_jury(contest_id: int):
    return _render_jury(_contest_or_404(contest_id), JurorForm())


@bp.post("/writing/<int:contest_id>/jury")
@require("writing.manage")
def writing_jury_add(contest_id: int):
    contest = _contest_or_404(contest_id)
    form = JurorForm()
    if not form.validate_on_submit():
        return _render_jury(contest, form, 400)
    try:
        user = rules.add_juror(contest, form.email.data, current_user.id)
    except ContestError as exc:
        db.session.rollback()
        for message in _place(form, exc.problems):
            form.email.errors.append(message)
        return _render_jury(contest, form, 400)
    db.session.commit()
    flash(_("%(name)s is on the jury.", name=user.full_name), "success")
    return redirect(url_for("writing_console.writing_jury", contest_id=contest.id))


@bp.post("/writing/<int:contest_id>/jury/<int:user_id>/remove")
@require("writing.manage")
def writing_jury_remove(contest_id: int, user_id: int):
    contest = _contest_or_404(contest_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        rules.remove_juror(contest, user_id, current_user.id)
    except ContestError as exc:
        db.session.rollback()
        flash_problems(exc.problems, problem_message)
    else:
        db.session.commit()
        flash(_("Removed from the jury."), "success")
    return redirect(url_for("writing_console.writing_jury", contest_id=contest.id))


# --- entries -------------------------------------------------------------------------------


def _filters(contest: WritingContest) -> dict[str, Any]:
    """The category, status and search of the entry list, as given in the query string."""
    category_id = request.args.get("category", type=whole_number)
    if category_id and all(c.id != category_id for c in contest.categories):
        category_id = None
    status = request.args.get("status", "")
    if status not in set(EntryStatus):
        status = ""
    return {"category": category_id, "status": status,
            "q": request.args.get("q", "").strip()[:200]}


@bp.get("/writing/<int:contest_id>/entries")
@require("writing.manage")
def writing_entries(contest_id: int):
    contest = _contest_or_404(contest_id)
    filters = _filters(contest)
    stmt = rules.entry_search(contest.id, category_id=filters["category"],
                              status=filters["status"] or None, query=filters["q"])
    total = db.session.execute(
        stmt.with_only_columns(func.count(Entry.id)).order_by(None)
    ).scalar_one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(request.args.get("page", 1, type=whole_number), 1), pages)
    rows = db.session.execute(stmt.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    args = {k: v for k, v in filters.items() if v}
    return render_template("writing/console/entries.html", contest=contest, rows=rows,
                           filters=filters, args=args, total=total, page=page, pages=pages)


@bp.get("/writing/entries/<int:entry_id>")
@require("writing.manage")
def writing_entry(entry_id: int):
    entry = _entry_or_404(entry_id)
    author = db.session.get(User, entry.author_id)
    problems = []
    if entry.status in (EntryStatus.DRAFT, EntryStatus.SUBMITTED):
        problems = [problem_message(p) for p in checks.current_problems(entry, _upload_root())
                    if p.code not in checks.WINDOW_CODES]
    return render_template(
        "writing/console/entry.html", entry=entry, contest=entry.contest, author=author,
        problems=problems, disqualify_form=ReasonForm(), reinstate_form=OptionalReasonForm(),
        words_form=WordCountForm(),
        history=_history(entry)[-5:], action_labels=ACTION_LABELS,
    )


@bp.get("/writing/entries/<int:entry_id>/files/<int:file_id>")
@require("writing.manage")
def writing_entry_file(entry_id: int, file_id: int):
    entry = _entry_or_404(entry_id)
    if not access.may_view_file(current_user, entry):
        abort(404)
    entry_file = db.session.get(EntryFile, file_id)
    if entry_file is None or entry_file.entry_id != entry.id:
        abort(404)
    clean = request.args.get("clean") == "1"
    path = storage.file_path(_upload_root(), entry_file, clean=clean)
    if path is None or not path.is_file():
        abort(404)
    kind = KINDS.get(entry_file.kind)
    name = entry_file.original_name
    if clean and entry.anon_code:
        name = storage.anonymised_name(entry, entry.files.index(entry_file) + 1, entry_file)
    return send_file(path, mimetype=kind.mimetype if kind else "application/octet-stream",
                     as_attachment=True, download_name=name, max_age=0)


def _reason_errors(form: Any) -> None:
    for error in form.reason.errors:
        flash(error, "error")


@bp.post("/writing/entries/<int:entry_id>/disqualify")
@require("writing.manage")
def writing_entry_disqualify(entry_id: int):
    entry = _entry_or_404(entry_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        _reason_errors(form)
        return redirect(url_for("writing_console.writing_entry", entry_id=entry.id,
                                _anchor="disqualify"))
    try:
        service.disqualify_entry(entry, current_user, form.reason.data)
    except inputs.EntryRefused as exc:
        db.session.rollback()
        flash_problems(exc.problems, problem_message)
    else:
        db.session.commit()
        flash(_("The entry is disqualified. Its author sees the reason."), "success")
    return redirect(url_for("writing_console.writing_entry", entry_id=entry.id))


@bp.post("/writing/entries/<int:entry_id>/reinstate")
@require("writing.manage")
def writing_entry_reinstate(entry_id: int):
    entry = _entry_or_404(entry_id)
    form = OptionalReasonForm()
    if not form.validate_on_submit():
        _reason_errors(form)
        return redirect(url_for("writing_console.writing_entry", entry_id=entry.id))
    try:
        rules.reinstate_entry(entry, form.reason.data or "", current_user.id)
    except ContestError as exc:
        db.session.rollback()
        flash_problems(exc.problems, problem_message)
    else:
        db.session.commit()
        flash(_("The entry is reinstated."), "success")
    return redirect(url_for("writing_console.writing_entry", entry_id=entry.id))


# --- changing an entry ---------------------------------------------------------------------


def _editable(entry: Entry) -> bool:
    return entry.status in (EntryStatus.DRAFT, EntryStatus.SUBMITTED)


def _fill_entry_form(form: EntryForm, entry: Entry) -> None:
    form.category_id.data = str(entry.category_id)
    form.title.data = entry.title
    form.outlet.data = entry.outlet
    form.published_on.data = entry.published_on
    form.url.data = entry.url
    form.pen_name.data = entry.pen_name
    form.summary.data = entry.summary
    form.body_format.data = entry.body_format
    form.body_source.data = entry.body_source
    form.is_series.data = entry.is_series
    for row, part in zip(form.parts, entry.parts, strict=False):
        row.form.title.data = part.title
        row.form.published_on.data = part.published_on
        row.form.url.data = part.url
    for row, person in zip(form.coauthors, entry.coauthors, strict=False):
        row.form.name.data = person.name
        row.form.email.data = person.email
    form.has_prior_award.data = bool(entry.prior_award.strip())
    form.prior_award.data = entry.prior_award


def _input_from(form: EntryForm) -> inputs.EntryInput:
    unreadable = set()
    if form.published_on.raw_data and form.published_on.raw_data[0] and \
            form.published_on.data is None:
        unreadable.add("published_on")
    parts = []
    for row in form.parts:
        if row.form.published_on.raw_data and row.form.published_on.raw_data[0] and \
                row.form.published_on.data is None:
            unreadable.add("parts")
        parts.append(inputs.PartInput(row.form.title.data or "", row.form.published_on.data,
                                       row.form.url.data or ""))
    try:
        category_id = int(form.category_id.data)
    except (TypeError, ValueError):
        category_id = None
    uploads = [inputs.Upload(f.stream, f.filename or "")
               for f in (form.files.data or []) if getattr(f, "filename", "")]
    return inputs.EntryInput(
        category_id=category_id,
        title=form.title.data or "",
        outlet=form.outlet.data or "",
        published_on=form.published_on.data,
        url=form.url.data or "",
        pen_name=form.pen_name.data or "",
        summary=form.summary.data or "",
        body_format=form.body_format.data or "markdown",
        body_source=form.body_source.data or "",
        is_series=bool(form.is_series.data),
        parts=parts if form.is_series.data else [],
        coauthors=[inputs.CoauthorInput(row.form.name.data or "", row.form.email.data or "")
                   for row in form.coauthors],
        prior_award_declared=bool(form.has_prior_award.data),
        prior_award=form.prior_award.data or "",
        uploads=uploads,
        unreadable=frozenset(unreadable),
    )


def _render_entry_form(form: EntryForm, entry: Entry, problems: list[str],
                       status: int = 200):  # noqa: ANN202
    return render_template("writing/console/entry_form.html", form=form, entry=entry,
                           contest=entry.contest, problems=problems,
                           remove_form=ReasonForm(prefix="remove")), status


@bp.route("/writing/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@require("writing.manage")
def writing_entry_edit(entry_id: int):
    entry = _entry_or_404(entry_id)
    if not _editable(entry):
        flash(problem_message(Problem("entry_closed")), "error")
        return redirect(url_for("writing_console.writing_entry", entry_id=entry.id))
    form = EntryForm()
    form.category_id.choices = choices((str(c.id), c.name) for c in entry.contest.categories)
    if request.method == "GET":
        _fill_entry_form(form, entry)
        return _render_entry_form(form, entry, [])
    # Every change by an organizer needs a reason, which the audit log keeps.
    reason = (form.reason.data or "").strip()
    if not form.validate_on_submit() or not reason:
        if not reason:
            form.reason.errors = [*form.reason.errors, _("Give the reason for the change.")]
        return _render_entry_form(form, entry, [], 400)
    try:
        result = service.update_entry(entry, _input_from(form), current_user,
                                      upload_root=_upload_root(), reason=reason)
    except inputs.EntryRefused as exc:
        db.session.rollback()
        return _render_entry_form(form, entry, _place(form, exc.problems), 400)
    db.session.commit()
    flash(_("The entry is changed. The change and its reason are in the entry's history."),
          "success")
    for problem in result.not_stored:
        flash(problem_message(problem), "error")
    return redirect(url_for("writing_console.writing_entry", entry_id=entry.id))


@bp.post("/writing/entries/<int:entry_id>/files/<int:file_id>/remove")
@require("writing.manage")
def writing_entry_file_remove(entry_id: int, file_id: int):
    entry = _entry_or_404(entry_id)
    form = ReasonForm(prefix="remove")
    if not form.validate_on_submit():
        _reason_errors(form)
        return redirect(url_for("writing_console.writing_entry_edit", entry_id=entry.id))
    try:
        service.remove_file(entry, current_user, file_id, upload_root=_upload_root(),
                            reason=form.reason.data)
    except inputs.EntryRefused as exc:
        db.session.rollback()
        flash_problems(exc.problems, problem_message)
    else:
        db.session.commit()
        flash(_("The file is removed."), "success")
    return redirect(url_for("writing_console.writing_entry_edit", entry_id=entry.id))


# --- history -------------------------------------------------------------------------------

ACTION_LABELS = {
    "writing.entry.update": _l("Changed by an organizer"),
    "writing.entry.withdraw": _l("Withdrawn by an organizer"),
    "writing.entry.disqualify": _l("Disqualified"),
    "writing.entry.reinstate": _l("Reinstated"),
    "writing.entry.remove_file": _l("File removed by an organizer"),
    "writing.entry.word_override": _l("Word count set by an organizer"),
    "entry.update": _l("Changed by an organizer"),
    "entry.disqualify": _l("Disqualified"),
    "entry.reinstate": _l("Reinstated"),
}


def _history(entry: Entry) -> list[tuple[AuditEvent, User | None]]:
    return [tuple(row) for row in db.session.execute(
        select(AuditEvent, User).outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.subject_type.in_(ENTRY_SUBJECTS),
               AuditEvent.subject_id == str(entry.id))
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()]


def _short(value: Any, limit: int = 300) -> str:
    if value is None or value == "" or value == []:
        return "—"
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


@bp.get("/writing/entries/<int:entry_id>/history")
@require("writing.manage")
def writing_entry_history(entry_id: int):
    entry = _entry_or_404(entry_id)
    return render_template("writing/console/history.html", entry=entry,
                           contest=entry.contest, events=_history(entry),
                           action_labels=ACTION_LABELS, short=_short)


# --- exports -------------------------------------------------------------------------------


def _export_name(contest: WritingContest, ext: str) -> str:
    stamp = timeutil.to_local(timeutil.utcnow()).strftime("%Y%m%d-%H%M")
    return f"{contest.code_prefix}-{contest.id}-entries-{stamp}.{ext}"


def _export_rows(contest: WritingContest) -> tuple[list[exports.ExportRow], bool]:
    filters = _filters(contest)
    rows = exports.entry_rows(contest.id, category_id=filters["category"],
                              status=filters["status"] or None, translate=_)
    return rows, access.is_organizer(current_user)


@bp.get("/writing/<int:contest_id>/entries.csv")
@require("writing.manage")
def writing_entries_csv(contest_id: int):
    contest = _contest_or_404(contest_id)
    rows, include_phone = _export_rows(contest)
    body = exports.entries_csv(rows, include_phone, translate=_)
    return Response(stream_with_context(body), mimetype="text/csv",
                    headers={"Content-Disposition":
                             exports.attachment_header(_export_name(contest, "csv"))})


@bp.get("/writing/<int:contest_id>/entries.xlsx")
@require("writing.manage")
def writing_entries_xlsx(contest_id: int):
    contest = _contest_or_404(contest_id)
    rows, include_phone = _export_rows(contest)
    data = exports.entries_xlsx(rows, include_phone, translate=_, sheet_title=_("Entries"))
    return Response(
        data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": exports.attachment_header(_export_name(contest, "xlsx"))},
    )


@bp.get("/writing/<int:contest_id>/categories/<int:category_id>/files.zip")
@require("writing.manage")
def writing_category_zip(contest_id: int, category_id: int):
    contest = _contest_or_404(contest_id)
    category = _category_or_404(contest, category_id)
    chunks = exports.stream_category_zip(category, _upload_root(), translate=_)
    name = f"{contest.code_prefix}-{category.name}.zip"
    response = Response(stream_with_context(chunks), mimetype="application/zip",
                        headers={"Content-Disposition": exports.attachment_header(name)})
    # The archive is written while it is sent; proxies should pass it on as it comes.
    response.headers["X-Accel-Buffering"] = "no"
    return response
