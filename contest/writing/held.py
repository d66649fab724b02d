"""Files held back from judges, and the organizer's confirmation that releases them.

A file whose copy for judges could not be cleaned completely (see contest.writing.metadata.is_held)
is not served in blind review. Organizers see the held files of a contest on one page, with the
reason, the upload and the partly cleaned copy to check, and confirm each one after checking it;
the confirmation is recorded in the audit log and releases the file to judges.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest.accounts.policy import require
from contest.extensions import db
from contest.refusals import press_button
from contest.writing import files, messages, service, storage
from contest.writing.models import EntryFile, WritingContest

bp = Blueprint("writing_held", __name__, url_prefix="/organizer/writing/held")


@bp.get("/<int:contest_id>")
@require("writing.manage")
def held_list(contest_id: int):
    contest = db.session.get(WritingContest, contest_id)
    if contest is None:
        abort(404)
    rows = [
        {
            "entry": entry,
            "file": item,
            "name": storage.anonymised_name(entry, position, item),
            "label": files.KINDS[item.kind].label,
            "warning": messages.CLEAN_WARNINGS.get(item.clean_warning, item.clean_warning),
        }
        for entry, position, item in service.held_files(contest)
    ]
    return render_template("writing/held.html", contest=contest, rows=rows)


@bp.post("/files/<int:file_id>/confirm")
@require("writing.manage")
def confirm(file_id: int):
    item = db.session.get(EntryFile, file_id)
    if item is None:
        abort(404)
    return press_button(
        lambda: service.confirm_checked(item, current_user),
        message=messages.problem_message,
        done=_("The file was marked as checked; judges can now download it."),
        then=url_for("writing_held.held_list", contest_id=item.entry.contest_id))
