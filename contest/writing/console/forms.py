"""Forms of the organizer console for writing contests.

The forms parse what was typed; the rules (windows, guards, limits) live in
contest.writing.contests, whose problems the views place next to these fields.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from contest.forms import MultiCheckboxField, choices
from contest.writing import messages
from contest.writing.files import KINDS
from contest.writing.forms import EntryForm
from contest.writing.models import ContestStatus

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"

CONTEST_STATUS_LABELS = {
    ContestStatus.DRAFT: _l("Draft"),
    ContestStatus.OPEN: _l("Open"),
    ContestStatus.CLOSED: _l("Closed"),
    ContestStatus.JUDGING: _l("Judging"),
    ContestStatus.PUBLISHED: _l("Published"),
}

# Shared with the journalist's pages, so that both name media and statuses alike.
MEDIUM_LABELS = messages.MEDIUM_LABELS
ENTRY_STATUS_LABELS = messages.STATUS_LABELS


def _number(label, default=None, hint_min: int = 0):  # noqa: ANN001, ANN202
    return IntegerField(label, default=default, validators=[Optional()],
                        render_kw={"inputmode": "numeric", "min": str(hint_min)})


class ContestForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title.")),
                                                 Length(max=200)])
    rules = TextAreaField(_l("Rules"), render_kw={"rows": 8})
    submission_opens_at = DateTimeLocalField(
        _l("Entries open (Vietnam time)"), format=DATETIME_FORMAT,
        validators=[DataRequired(_l("Enter the date and time, e.g. 2026-03-09T08:00."))],
    )
    submission_closes_at = DateTimeLocalField(
        _l("Entries close (Vietnam time)"), format=DATETIME_FORMAT,
        validators=[DataRequired(_l("Enter the date and time, e.g. 2026-05-31T17:00."))],
    )
    publication_from = DateField(
        _l("Published from"), validators=[DataRequired(_l("Enter a date, e.g. 2025-01-01."))])
    publication_to = DateField(
        _l("Published until"), validators=[DataRequired(_l("Enter a date, e.g. 2026-04-30."))])
    max_entries_per_author = IntegerField(
        _l("Entries per author at most"), default=3,
        validators=[InputRequired(_l("Enter a whole number."))],
        render_kw={"inputmode": "numeric", "min": "1"},
    )
    code_prefix = StringField(_l("Prefix of the entry codes"), default="BC",
                              validators=[DataRequired(_l("Enter a prefix, e.g. BC."))])
    blind = BooleanField(_l("Blind judging (judges do not see who wrote an entry)"),
                         default=True)
    jury_may_enter = BooleanField(_l("Jury members may enter"), default=False)
    allow_prior_awards = BooleanField(_l("Works that already won an award may enter"),
                                      default=True)
    readers_vote = BooleanField(_l("Readers' vote (readers choose their favourite work in "
                                   "each category)"), default=False)
    # Required only when the vote is on; the contest rules say so next to the field.
    vote_opens_at = DateTimeLocalField(_l("Voting opens (Vietnam time)"),
                                       format=DATETIME_FORMAT, validators=[Optional()])
    vote_closes_at = DateTimeLocalField(_l("Voting closes (Vietnam time)"),
                                        format=DATETIME_FORMAT, validators=[Optional()])


class CategoryForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name.")),
                                               Length(max=200)])
    medium = SelectField(_l("Type of media"), choices=choices(MEDIUM_LABELS.items()))
    description = TextAreaField(_l("Description"), render_kw={"rows": 4})
    min_words = _number(_l("Words at least"), hint_min=1)
    max_words = _number(_l("Words at most"), hint_min=1)
    series_allowed = BooleanField(_l("Series of several parts allowed"), default=True)
    max_series_parts = IntegerField(
        _l("Parts of a series at most"), default=5,
        validators=[InputRequired(_l("Enter a whole number."))],
        render_kw={"inputmode": "numeric", "min": "1"},
    )
    accepted_kinds = MultiCheckboxField(
        _l("Files accepted"), choices=choices((k.name, k.label) for k in KINDS.values()),
    )
    max_file_mb = IntegerField(
        _l("Largest file (MB)"), default=20,
        validators=[InputRequired(_l("Enter a whole number."))],
        render_kw={"inputmode": "numeric", "min": "1"},
    )
    max_files = IntegerField(
        _l("Files per entry at most"), default=5,
        validators=[Optional()], render_kw={"inputmode": "numeric", "min": "0"},
    )
    file_required = BooleanField(_l("A file is required"), default=False)
    link_required = BooleanField(_l("A link to the published work is required"), default=False)


class JurorForm(FlaskForm):
    email = StringField(_l("E-mail of the account"),
                        validators=[DataRequired(_l("Enter an e-mail address."))],
                        render_kw={"type": "email", "autocomplete": "off"})



class WordCountForm(FlaskForm):
    """An organizer's word count for an entry; the number and the reason are checked by
    contest.writing.service.override_word_count, so that a refusal names both."""

    words = StringField(_l("Words"), render_kw={"inputmode": "numeric", "autocomplete": "off"})
    reason = TextAreaField(_l("Reason"), render_kw={"rows": 2})


class OrganizerEntryForm(EntryForm):
    """The entry form as an organizer changes an entry: every change needs a reason, which the
    audit trail keeps."""

    reason = StringField(_l("Reason for the change"),
                         validators=[DataRequired(_l("Give the reason for the change."))])
