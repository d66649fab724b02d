"""The writing console's entry screens: the list and search of a contest's entries, an entry's
page and files, disqualifying and reinstating it, changing it after the deadline (with a
reason) and its history.

The rules are in contest.writing.service and contest.writing.contests; these views parse, call
and render.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from contest.accounts.models import User
from contest.accounts.policy import require
from contest.audit import AuditEvent
from contest.extensions import db
from contest.forms import OptionalReasonForm, ReasonForm, choices
from contest.params import whole_number
from contest.problems import Problem
from contest.refusals import press_button, save_form
from contest.writing import access, checks, inputs, service, storage
from contest.writing import contests as rules
from contest.writing.console.base import (
    bp,
    contest_or_404,
    entry_aliases,
    entry_or_404,
    upload_root,
)
from contest.writing.console.forms import OrganizerEntryForm, WordCountForm
from contest.writing.files import KINDS
from contest.writing.messages import problem_message
from contest.writing.models import Entry, EntryFile, EntryStatus, WritingContest

PAGE_SIZE = 50
# Audit subjects under which changes of an entry are recorded.
ENTRY_SUBJECTS = ("entry", rules.ENTRY_SUBJECT)


# --- entries -------------------------------------------------------------------------------


def entry_filters(contest: WritingContest) -> dict[str, Any]:
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
    contest = contest_or_404(contest_id)
    filters = entry_filters(contest)
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
    entry = entry_or_404(entry_id)
    author = db.session.get(User, entry.author_id)
    problems = []
    if entry.status in (EntryStatus.DRAFT, EntryStatus.SUBMITTED):
        problems = [problem_message(p) for p in checks.current_problems(entry, upload_root())
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
    entry = entry_or_404(entry_id)
    if not access.may_view_file(current_user, entry):
        abort(404)
    entry_file = db.session.get(EntryFile, file_id)
    if entry_file is None or entry_file.entry_id != entry.id:
        abort(404)
    clean = request.args.get("clean") == "1"
    path = storage.file_path(upload_root(), entry_file, clean=clean)
    if path is None or not path.is_file():
        abort(404)
    kind = KINDS.get(entry_file.kind)
    name = entry_file.original_name
    if clean and entry.anon_code:
        name = storage.anonymised_name(entry, entry.files.index(entry_file) + 1, entry_file)
    return send_file(path, mimetype=kind.mimetype if kind else "application/octet-stream",
                     as_attachment=True, download_name=name, max_age=0)



@bp.post("/writing/entries/<int:entry_id>/disqualify")
@require("writing.manage")
def writing_entry_disqualify(entry_id: int):
    entry = entry_or_404(entry_id)
    form = ReasonForm()
    return press_button(
        lambda: service.disqualify_entry(entry, current_user, form.reason.data),
        form=form, message=problem_message,
        done=_("The entry is disqualified. Its author sees the reason."),
        then=url_for("writing_console.writing_entry", entry_id=entry.id))


@bp.post("/writing/entries/<int:entry_id>/reinstate")
@require("writing.manage")
def writing_entry_reinstate(entry_id: int):
    entry = entry_or_404(entry_id)
    form = OptionalReasonForm()
    return press_button(
        lambda: rules.reinstate_entry(entry, form.reason.data or "", current_user.id),
        form=form, message=problem_message, done=_("The entry is reinstated."),
        then=url_for("writing_console.writing_entry", entry_id=entry.id))


# --- changing an entry ---------------------------------------------------------------------


def _editable(entry: Entry) -> bool:
    return entry.status in (EntryStatus.DRAFT, EntryStatus.SUBMITTED)


def _fill_entry_form(form: OrganizerEntryForm, entry: Entry) -> None:
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


def _input_from(form: OrganizerEntryForm) -> inputs.EntryInput:
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


def _render_entry_form(form: OrganizerEntryForm, entry: Entry, problems: list[str],
                       status: int = 200):  # noqa: ANN202
    return render_template("writing/console/entry_form.html", form=form, entry=entry,
                           contest=entry.contest, problems=problems,
                           remove_form=ReasonForm(prefix="remove")), status


@bp.route("/writing/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@require("writing.manage")
def writing_entry_edit(entry_id: int):
    entry = entry_or_404(entry_id)
    if not _editable(entry):
        flash(problem_message(Problem("entry_closed")), "error")
        return redirect(url_for("writing_console.writing_entry", entry_id=entry.id))
    form = OrganizerEntryForm()
    form.category_id.choices = choices((str(c.id), c.name) for c in entry.contest.categories)
    if request.method == "GET":
        _fill_entry_form(form, entry)
    return save_form(
        form, lambda: service.update_entry(entry, _input_from(form), current_user,
                                           upload_root=upload_root(),
                                           reason=form.reason.data.strip()),
        message=problem_message, fields=entry_aliases(form),
        render=lambda f, problems, status: _render_entry_form(f, entry, problems, status),
        done=_("The entry is changed. The change and its reason are in the entry's history."),
        warnings=lambda result: result.not_stored,
        then=url_for("writing_console.writing_entry", entry_id=entry.id))


@bp.post("/writing/entries/<int:entry_id>/files/<int:file_id>/remove")
@require("writing.manage")
def writing_entry_file_remove(entry_id: int, file_id: int):
    entry = entry_or_404(entry_id)
    form = ReasonForm(prefix="remove")
    return press_button(
        lambda: service.remove_file(entry, current_user, file_id, upload_root=upload_root(),
                                    reason=form.reason.data),
        form=form, message=problem_message, done=_("The file is removed."),
        then=url_for("writing_console.writing_entry_edit", entry_id=entry.id))


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
    entry = entry_or_404(entry_id)
    return render_template("writing/console/history.html", entry=entry,
                           contest=entry.contest, events=_history(entry),
                           action_labels=ACTION_LABELS, short=_short)

