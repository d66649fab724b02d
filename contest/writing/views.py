"""The journalist's side of the writing contests: contests, entries, files, receipts, and the
anonymised page of an entry for blind review. Thin: parse, call the service, render."""

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
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms.fields.choices import SelectChoice

from contest.accounts.policy import can, require
from contest.errors import render_error
from contest.extensions import csrf, db
from contest.forms import OptionalReasonForm as ReasonForm
from contest.forms import choices
from contest.problems import Problem
from contest.writing import (
    access,
    checks,
    files,
    inputs,
    messages,
    notify,
    phases,
    service,
    storage,
    text,
)
from contest.writing.forms import COAUTHOR_ROWS, SERIES_ROWS, EntryForm
from contest.writing.models import Entry, EntryStatus, WritingContest

bp = Blueprint("writing", __name__, url_prefix="/writing")

STATUS_CLASSES = {
    EntryStatus.DRAFT: "badge-warn",
    EntryStatus.SUBMITTED: "badge-ok",
    EntryStatus.WITHDRAWN: "badge-muted",
    EntryStatus.DISQUALIFIED: "badge-muted",
}

# Room for the text fields of an entry form next to its files.
FORM_ALLOWANCE = 4 * 1024 * 1024


@bp.app_context_processor
def _helpers() -> dict:
    return {
        "entry_status_label": lambda status: messages.STATUS_LABELS.get(status, status),
        "medium_label": lambda medium: messages.MEDIUM_LABELS.get(medium, medium),
        "kind_labels": lambda kinds: ", ".join(
            files.KINDS[k].label for k in files.KINDS if k in (kinds or ())
        ),
        "receipt_display": notify.display_receipt,
        "describe_words": messages.describe_words,
        "phase_label": lambda phase: messages.PHASE_LABELS.get(phase, phase),
        "status_class": lambda status: STATUS_CLASSES.get(status, "badge-muted"),
    }


def _upload_root() -> str:
    return current_app.config["UPLOAD_ROOT"]


def time_left_text(left: timedelta | None) -> str:
    """'2 days 5 hours left', to the minute near the end; empty when there is no time left."""
    if left is None or left.total_seconds() <= 0:
        return ""
    minutes = int(left.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(num)d day", "%(num)d days", days))
    if hours or days:
        parts.append(ngettext("%(num)d hour", "%(num)d hours", hours))
    if not days:
        parts.append(ngettext("%(num)d minute", "%(num)d minutes", mins))
    return _("%(time)s left", time=" ".join(parts))


def _visible_contest_or_404(contest_id: int) -> WritingContest:
    contest = phases.get_visible_contest(contest_id)
    if contest is None:
        abort(404)
    return contest


def _entry_or_404(entry_id: int) -> Entry:
    """The entry, if the current user may see it; otherwise it does not exist for them."""
    entry = db.session.get(Entry, entry_id)
    if entry is None or not access.may_view(current_user, entry):
        abort(404)
    return entry


# --- contests ----------------------------------------------------------------------------------


@bp.get("/")
def contests():
    now = phases.utcnow()
    rows = [
        {
            "contest": c,
            "phase": phases.contest_phase(c, now),
            "left": time_left_text(phases.time_left(c, now))
            if phases.contest_phase(c, now) == phases.Phase.OPEN else "",
        }
        for c in phases.visible_contests()
    ]
    return render_template("writing/contests.html", rows=rows,
                           may_enter=can(current_user, "writing.submit"))


@bp.get("/contests/<int:contest_id>")
def contest(contest_id: int):
    item = _visible_contest_or_404(contest_id)
    now = phases.utcnow()
    return render_template(
        "writing/contest.html",
        contest=item,
        phase=phases.contest_phase(item, now),
        accepting=phases.accepting_changes(item, now),
        left=time_left_text(phases.time_left(item, now))
        if phases.contest_phase(item, now) == phases.Phase.OPEN else "",
        rules_html=text.render_markdown(item.rules or ""),
        may_enter=can(current_user, "writing.submit"),
        # Sections other domains add (the campaign site: prizes, criteria, judging calendar).
        sections=[s for s in (hook(item) for hook in
                              current_app.extensions.get("contest_page_sections", [])) if s],
    )


# --- the entry form ----------------------------------------------------------------------------


def _limit_request(contest: WritingContest) -> None:
    """Refuse an oversized upload before its body is read, then check the CSRF token.

    The global CSRF check would read the whole body first, so these views are exempt from it
    and run the same check here, after the size limit is set.
    """
    per_file = max((c.max_file_mb for c in contest.categories), default=1) * storage.MIB
    count = max((c.max_files for c in contest.categories), default=1)
    request.max_content_length = min(
        per_file * count + FORM_ALLOWANCE, current_app.config["MAX_CONTENT_LENGTH"]
    )
    if request.method == "POST":
        request.form  # noqa: B018 - parse now, inside the limit
        if current_app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()


def form_file_mb(contest: WritingContest) -> int:
    """The largest file the entry form takes in one request, in MB: the categories' per-file
    limit, unless the app's MAX_CONTENT_LENGTH is smaller (larger files go through the
    resumable uploader, :mod:`contest.writing.uploads_api`)."""
    per_file = max((c.max_file_mb for c in contest.categories), default=1)
    cap = (current_app.config["MAX_CONTENT_LENGTH"] - FORM_ALLOWANCE) // storage.MIB
    return max(1, min(per_file, cap))


def _too_large(contest: WritingContest):  # noqa: ANN202
    limit = form_file_mb(contest)
    per_file = max((c.max_file_mb for c in contest.categories), default=1)
    message = _("What you sent is larger than this form accepts (at most %(mb)s MB per file, "
                "one file at a time). Nothing was saved; go back and send a smaller file.",
                mb=limit)
    if per_file > limit:
        message += " " + _("Files of up to %(mb)s MB can be added on the entry's edit page "
                           "in a browser with JavaScript, which sends them in pieces.",
                           mb=per_file)
    return render_error(413, message)


def _category_choices(contest: WritingContest) -> list[SelectChoice]:
    pairs = [("", _("— choose —"))]
    for c in contest.categories:
        medium = str(messages.MEDIUM_LABELS.get(c.medium, c.medium))
        pairs.append((str(c.id), c.name if c.name == medium else f"{c.name} ({medium})"))
    return choices(pairs)


def _form_for(contest: WritingContest, entry: Entry | None) -> EntryForm:
    if request.method == "POST":
        form = EntryForm()
    elif entry is not None:
        form = EntryForm(formdata=None, data=_form_data(entry))
    else:
        form = EntryForm(formdata=None)
    form.category_id.choices = _category_choices(contest)
    # Helps the phone's file picker offer the right files; the server checks the content.
    extensions = sorted({ext for c in contest.categories for kind in (c.accepted_kinds or ())
                         if kind in files.KINDS for ext in files.KINDS[kind].extensions})
    form.files.render_kw = {"accept": ",".join(extensions)} if extensions else None
    return form


def _form_data(entry: Entry) -> dict[str, Any]:
    parts = [{"title": p.title, "published_on": p.published_on, "url": p.url}
             for p in entry.parts]
    coauthors = [{"name": c.name, "email": c.email} for c in entry.coauthors]
    return {
        "category_id": str(entry.category_id),
        "title": entry.title,
        "outlet": entry.outlet,
        "published_on": entry.published_on,
        "url": entry.url,
        "pen_name": entry.pen_name,
        "summary": entry.summary,
        "body_format": entry.body_format,
        "body_source": entry.body_source,
        "is_series": entry.is_series,
        "parts": parts + [{}] * (SERIES_ROWS - len(parts)),
        "coauthors": coauthors + [{}] * (COAUTHOR_ROWS - len(coauthors)),
        "has_prior_award": bool(entry.prior_award),
        "prior_award": entry.prior_award,
    }


def _input_from_form(form: EntryForm) -> inputs.EntryInput:
    form.validate()  # parsing only: the rules are the service's
    unreadable = set()
    for name in ("published_on",):
        if form[name].errors:
            unreadable.add(name)
    if any(row.form.published_on.errors for row in form.parts):
        unreadable.add("parts")
    category = form.category_id.data or ""
    uploads = [
        inputs.Upload(stream=f.stream, filename=f.filename or "")
        for f in request.files.getlist(form.files.name)
        if f and f.filename
    ]
    return inputs.EntryInput(
        category_id=int(category) if category.isdigit() else None,
        title=form.title.data or "",
        outlet=form.outlet.data or "",
        published_on=None if "published_on" in unreadable else form.published_on.data,
        url=form.url.data or "",
        pen_name=form.pen_name.data or "",
        summary=form.summary.data or "",
        body_format=form.body_format.data or "markdown",
        body_source=form.body_source.data or "",
        is_series=bool(form.is_series.data),
        parts=[
            inputs.PartInput(
                title=row.form.title.data or "",
                published_on=None if row.form.published_on.errors else row.form.published_on.data,
                url=row.form.url.data or "",
            )
            for row in form.parts
        ],
        coauthors=[
            inputs.CoauthorInput(name=row.form.name.data or "", email=row.form.email.data or "")
            for row in form.coauthors
        ],
        prior_award_declared=bool(form.has_prior_award.data),
        prior_award=form.prior_award.data or "",
        uploads=uploads,
        unreadable=frozenset(unreadable),
    )


# Where a problem's field is shown in the entry form.
FORM_FIELDS = {
    "category_id": "category_id",
    "title": "title",
    "outlet": "outlet",
    "published_on": "published_on",
    "url": "url",
    "pen_name": "pen_name",
    "summary": "summary",
    "body": "body_source",
    "prior_award": "prior_award",
    "files": "files",
    "reason": "reason",
}
ANCHORS = {**FORM_FIELDS, "parts": "parts", "coauthors": "coauthors", None: "form-errors"}


def _render_form(
    contest: WritingContest,
    form: EntryForm,
    entry: Entry | None,
    problems: list[Problem],
    status: int = 200,
    note: str | None = None,
):  # noqa: ANN202
    # WTForms' own parsing messages give way to the service's, in the reader's language.
    for f in form:
        f.errors = []
        for row in getattr(f, "entries", ()):
            for sub in row.form:
                sub.errors = []
    grouped = messages.field_messages(problems)
    for name, form_field in FORM_FIELDS.items():
        if name in grouped:
            form[form_field].errors = list(grouped[name])
    now = phases.utcnow()
    needs_reason = (
        entry is not None
        and access.is_organizer(current_user)
        and not (access.is_author(current_user, entry) and phases.accepting_changes(contest, now))
    )
    reason_required = needs_reason and not phases.accepting_changes(contest, now)
    action = (url_for("writing.edit_entry", entry_id=entry.id) if entry is not None
              else url_for("writing.new_entry", contest_id=contest.id))
    return render_template(
        "writing/entry_form.html",
        contest=contest,
        entry=entry,
        form=form,
        errors=grouped,
        field_labels=messages.FIELD_LABELS,
        anchors=ANCHORS,
        refused=status >= 400,
        action=action,
        needs_reason=needs_reason,
        reason_required=reason_required,
        left=time_left_text(phases.time_left(contest, now)),
        note=note,
        form_file_mb=form_file_mb(contest),
        chunk_bytes=current_app.config["UPLOAD_CHUNK_BYTES"],
    ), status


def _clean_warning(warning: str) -> str:
    return str(messages.CLEAN_WARNINGS.get(warning, warning)) if warning else ""


def _queue_receipt(result: inputs.SaveResult, submitted: bool) -> None:
    """Queue the receipt of a submission in the transaction that submits it."""
    if submitted:
        db.session.flush()
        notify.send_receipt(result.entry, url_for("writing.entry_detail",
                                                  entry_id=result.entry.id, _external=True))


def _after_save(result: inputs.SaveResult, submitted: bool, contest: WritingContest,
                form: EntryForm):  # noqa: ANN202
    entry = result.entry
    if submitted:
        flash(_("Your entry has been submitted. A receipt has been sent to your e-mail."),
              "success")
        return redirect(url_for("writing.receipt", entry_id=entry.id))
    if result.not_stored:
        # Show what was typed, with the reasons it was not stored; the rest is saved.
        note = _("Saved, except the changes marked below. Fix them and save again.")
        return _render_form(contest, form, entry, result.not_stored + result.problems, 200,
                            note=note)
    flash(_("Your changes are saved."), "success")
    if request.form.get("then") == "files":
        # The draft was saved to add files with the resumable uploader of its edit page.
        return redirect(url_for("writing.edit_entry", entry_id=entry.id) + "#files-section")
    return redirect(url_for("writing.entry_detail", entry_id=entry.id))


@bp.route("/contests/<int:contest_id>/entries/new", methods=["GET", "POST"])
@csrf.exempt
@require("writing.submit")
def new_entry(contest_id: int):
    contest = _visible_contest_or_404(contest_id)
    try:
        _limit_request(contest)
    except RequestEntityTooLarge:
        return _too_large(contest)
    form = _form_for(contest, None)
    if request.method == "GET":
        if not phases.accepting_changes(contest):
            flash(_("This contest does not take entries now."), "info")
            return redirect(url_for("writing.contest", contest_id=contest.id))
        return _render_form(contest, form, None, [])
    data = _input_from_form(form)
    submitting = request.form.get("action") == "submit"
    try:
        result = service.create_entry(contest, current_user, data,
                                      upload_root=_upload_root(), submit=submitting)
    except inputs.EntryRefused as refused:
        db.session.rollback()
        return _render_form(contest, form, None, refused.problems, 400,
                            note=_("Nothing was saved."))
    _queue_receipt(result, submitting)
    db.session.commit()
    return _after_save(result, submitting, contest, form)


@bp.route("/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@csrf.exempt
@login_required
def edit_entry(entry_id: int):
    entry = _entry_or_404(entry_id)
    if not access.may_edit(current_user, entry):
        abort(404 if not access.may_view(current_user, entry) else 403)
    contest = entry.contest
    try:
        _limit_request(contest)
    except RequestEntityTooLarge:
        return _too_large(contest)
    form = _form_for(contest, entry)
    if request.method == "GET":
        problems = []
        if entry.status in (EntryStatus.WITHDRAWN, EntryStatus.DISQUALIFIED) or (
            access.is_author(current_user, entry)
            and not access.is_organizer(current_user)
            and not phases.accepting_changes(contest)
        ):
            flash(messages.problem_message(
                Problem("entry_closed") if entry.status in (EntryStatus.WITHDRAWN,
                                                            EntryStatus.DISQUALIFIED)
                else Problem("deadline_passed", None,
                             {"closes_at": contest.submission_closes_at})), "info")
            return redirect(url_for("writing.entry_detail", entry_id=entry.id))
        return _render_form(contest, form, entry, problems)
    data = _input_from_form(form)
    submitting = request.form.get("action") == "submit"
    try:
        result = service.update_entry(entry, data, current_user, upload_root=_upload_root(),
                                      reason=form.reason.data or "", submit=submitting)
    except inputs.EntryRefused as refused:
        db.session.rollback()
        entry = _entry_or_404(entry_id)
        return _render_form(contest, form, entry, refused.problems, 400,
                            note=_("Nothing was changed."))
    _queue_receipt(result, submitting)
    db.session.commit()
    return _after_save(result, submitting, contest, form)


# --- an entry ----------------------------------------------------------------------------------


@bp.get("/entries")
@login_required
def my_entries():
    now = phases.utcnow()
    rows = [
        {
            "entry": e,
            "mine": e.author_id == current_user.id,
            "left": time_left_text(phases.time_left(e.contest, now)),
            "accepting": phases.accepting_changes(e.contest, now),
        }
        for e in service.entries_of(current_user)
    ]
    unconfirmed = bool(current_user.email) and current_user.email_verified_at is None
    return render_template("writing/my_entries.html", rows=rows, unconfirmed=unconfirmed,
                           may_enter=can(current_user, "writing.submit"))


def _render_entry(entry: Entry, problems: list[Problem] | None = None, status: int = 200):  # noqa: ANN202
    now = phases.utcnow()
    contest = entry.contest
    is_author = access.is_author(current_user, entry)
    accepting = phases.accepting_changes(contest, now)
    if problems is None and entry.status == EntryStatus.DRAFT:
        problems = checks.current_problems(entry, _upload_root(), now)
    open_entry = entry.status in (EntryStatus.DRAFT, EntryStatus.SUBMITTED)
    return render_template(
        "writing/entry.html",
        entry=entry,
        contest=contest,
        problems=[messages.problem_message(p) for p in problems or []],
        is_author=is_author,
        may_edit=open_entry and ((is_author and accepting) or access.is_organizer(current_user)),
        may_submit=is_author and accepting and entry.status == EntryStatus.DRAFT,
        may_withdraw=open_entry and ((is_author and accepting)
                                     or access.is_organizer(current_user)),
        left=time_left_text(phases.time_left(contest, now)),
        form=ReasonForm(formdata=None),
        clean_warning=_clean_warning,
        is_organizer=access.is_organizer(current_user),
    ), status


@bp.get("/entries/<int:entry_id>")
@login_required
def entry_detail(entry_id: int):
    return _render_entry(_entry_or_404(entry_id))


@bp.post("/entries/<int:entry_id>/submit")
@login_required
def submit(entry_id: int):
    entry = _entry_or_404(entry_id)
    try:
        service.submit_entry(entry, current_user, upload_root=_upload_root())
    except inputs.EntryRefused as refused:
        db.session.rollback()
        entry = _entry_or_404(entry_id)
        return _render_entry(entry, refused.problems, 400)
    notify.send_receipt(entry, url_for("writing.entry_detail", entry_id=entry.id,
                                       _external=True))
    db.session.commit()  # the submission and its receipt together
    flash(_("Your entry has been submitted. A receipt has been sent to your e-mail."), "success")
    return redirect(url_for("writing.receipt", entry_id=entry.id))


@bp.route("/entries/<int:entry_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(entry_id: int):
    entry = _entry_or_404(entry_id)
    if not access.may_edit(current_user, entry):
        abort(403)
    form = ReasonForm()
    problems: list[Problem] = []
    if form.validate_on_submit():
        try:
            service.withdraw_entry(entry, current_user, reason=form.reason.data or "")
        except inputs.EntryRefused as refused:
            db.session.rollback()
            entry = _entry_or_404(entry_id)
            problems = refused.problems
        else:
            db.session.commit()
            flash(_("The entry has been withdrawn."), "info")
            return redirect(url_for("writing.entry_detail", entry_id=entry.id))
    ask_reason = access.is_organizer(current_user) and not (
        access.is_author(current_user, entry) and phases.accepting_changes(entry.contest)
    )
    return render_template(
        "writing/withdraw.html", entry=entry, form=form, ask_reason=ask_reason,
        problems=[messages.problem_message(p) for p in problems],
    ), 400 if problems else 200


@bp.post("/entries/<int:entry_id>/files/<int:file_id>/remove")
@login_required
def remove_file(entry_id: int, file_id: int):
    entry = _entry_or_404(entry_id)
    if not access.may_edit(current_user, entry):
        abort(403)
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        removed = service.remove_file(entry, current_user, file_id, upload_root=_upload_root(),
                                      reason=form.reason.data or "")
    except inputs.EntryRefused as refused:
        db.session.rollback()
        for problem in refused.problems:
            flash(messages.problem_message(problem), "error")
        flash(_("The file was not removed."), "error")
    else:
        name = removed.original_name
        db.session.commit()
        flash(_("%(name)s has been removed.", name=name), "info")
    if phases.accepting_changes(entry.contest) or access.is_organizer(current_user):
        return redirect(url_for("writing.edit_entry", entry_id=entry_id))
    return redirect(url_for("writing.entry_detail", entry_id=entry_id))


def _send(path, kind: str, download_name: str) -> Response:  # noqa: ANN001
    if path is None or not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype=files.KINDS[kind].mimetype,
        as_attachment=True,
        download_name=download_name,
        conditional=True,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/entries/<int:entry_id>/files/<int:file_id>")
@login_required
def download(entry_id: int, file_id: int):
    entry = _entry_or_404(entry_id)
    if not access.may_view_file(current_user, entry):
        abort(404)
    item = next((f for f in entry.files if f.id == file_id), None)
    if item is None:
        abort(404)
    return _send(storage.file_path(_upload_root(), item), item.kind, item.original_name)


@bp.get("/entries/<int:entry_id>/receipt")
@login_required
def receipt(entry_id: int):
    entry = _entry_or_404(entry_id)
    if entry.receipt_code is None:
        abort(404)
    return render_template("writing/receipt.html", entry=entry, contest=entry.contest)


# --- the anonymised entry, for blind review ---------------------------------------------------


def _anonymised_or_404(contest_id: int, anon_code: str) -> Entry:
    entry = service.find_by_anon_code(contest_id, anon_code)
    if entry is None or not access.may_view_anonymised(current_user, entry):
        abort(404)
    return entry


@bp.get("/anon/<int:contest_id>/<anon_code>")
def anonymised(contest_id: int, anon_code: str):
    entry = _anonymised_or_404(contest_id, anon_code)
    organizer = access.is_organizer(current_user)
    items = []
    for position, item in enumerate(entry.files, start=1):
        available = storage.anonymised_source(_upload_root(), item, organizer) is not None
        items.append({
            "position": position,
            "name": storage.anonymised_name(entry, position, item),
            "label": files.KINDS[item.kind].label,
            "available": available,
            "warning": _clean_warning(item.clean_warning) if organizer else "",
            "cleaned": item.clean_name is not None,
            "held": storage.is_held(item),
        })
    return render_template("writing/anonymised.html", entry=entry, files=items,
                           organizer=organizer)


@bp.get("/anon/<int:contest_id>/<anon_code>/files/<int:position>")
def anonymised_file(contest_id: int, anon_code: str, position: int):
    entry = _anonymised_or_404(contest_id, anon_code)
    if not 1 <= position <= len(entry.files):
        abort(404)
    item = entry.files[position - 1]
    source = storage.anonymised_source(_upload_root(), item, access.is_organizer(current_user))
    return _send(source, item.kind, storage.anonymised_name(entry, position, item))
