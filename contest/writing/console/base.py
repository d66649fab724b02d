"""The writing console's blueprint and what its screens share: finding the row a URL names,
the upload folder, the entry form's field names and the labels its templates use.

The screens are split by concern (contests.py: contests, categories and the jury; entries.py;
exports.py; words.py; confirm.py asks before the disruptive moves); each module adds its routes
to the one blueprint defined here, so endpoint names stay ``writing_console.*``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app
from flask_babel import lazy_gettext as _l

from contest.console import console_link
from contest.extensions import db
from contest.writing import messages
from contest.writing.console.forms import (
    CONTEST_STATUS_LABELS,
    ENTRY_STATUS_LABELS,
    MEDIUM_LABELS,
)
from contest.writing.files import KINDS
from contest.writing.models import Category, Entry, WritingContest

bp = Blueprint("writing_console", __name__, url_prefix="/organizer")

console_link("writing_console.writing_contests", _l("Writing contests"),
             _l("Set up writing contests, categories and juries; review entries, "
                "export them and download their files."), order=50)

# Fields of the entry service's problems that have another name in the entry form.
_ENTRY_FIELDS = {"body": "body_source", "word_count": "body_source"}


def entry_aliases(form: Any) -> dict[str, Any]:
    """The form fields that stand for the entry service's problem fields of another name."""
    return {name: getattr(form, target) for name, target in _ENTRY_FIELDS.items()
            if hasattr(form, target)}


@bp.app_context_processor
def _writing_helpers() -> dict:
    return {"contest_status_labels": CONTEST_STATUS_LABELS,
            "entry_status_labels": ENTRY_STATUS_LABELS, "medium_labels": MEDIUM_LABELS,
            "file_kinds": KINDS, "clean_warnings": messages.CLEAN_WARNINGS}


def contest_or_404(contest_id: int) -> WritingContest:
    contest = db.session.get(WritingContest, contest_id)
    if contest is None:
        abort(404)
    return contest


def category_or_404(contest: WritingContest, category_id: int) -> Category:
    category = db.session.get(Category, category_id)
    if category is None or category.contest_id != contest.id:
        abort(404)
    return category


def entry_or_404(entry_id: int) -> Entry:
    entry = db.session.get(Entry, entry_id)
    if entry is None:
        abort(404)
    return entry


def upload_root() -> str:
    return current_app.config["UPLOAD_ROOT"]
