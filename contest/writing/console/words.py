"""The organizer's word count override of an entry (a scanned document, a wrong count).

Its one route joins the writing console's blueprint; the rule and the audit record are in
contest.writing.service.override_word_count.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest.accounts.policy import require
from contest.refusals import press_button
from contest.writing import service
from contest.writing.console.base import bp, entry_or_404
from contest.writing.console.forms import WordCountForm
from contest.writing.messages import problem_message


def _whole_number(value: str | None) -> int | None:
    """ASCII digits as a number (at most 9 of them); anything else is no number."""
    value = (value or "").strip()
    if not value or len(value) > 9 or not (value.isascii() and value.isdigit()):
        return None
    return int(value)


@bp.post("/writing/entries/<int:entry_id>/words")
@require("writing.manage")
def writing_entry_words(entry_id: int):
    entry = entry_or_404(entry_id)
    form = WordCountForm()
    # The form checks only the CSRF token; the service checks the number and the reason.
    return press_button(
        lambda: service.override_word_count(entry, current_user, _whole_number(form.words.data),
                                            form.reason.data or ""),
        form=form, message=problem_message,
        done=lambda _result: _("The word count is set to %(words)s.",
                               words=entry.word_override),
        then=url_for("writing_console.writing_entry", entry_id=entry.id,
                     _anchor="word-override"))
