"""Forms of the journalist's side of the writing contests.

The forms only parse what was typed (dates, choices, uploaded files); every rule about what an
entry may contain lives in contest.writing.inputs, checks and eligibility, so the organizer console
applies the same rules.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    Form,
    FormField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import Optional

from contest.forms import choices

SERIES_ROWS = 5
COAUTHOR_ROWS = 3


class SeriesPartForm(Form):
    title = StringField(_l("Title of the part"), validators=[Optional()])
    published_on = DateField(_l("Published on"), validators=[Optional()],
                             render_kw={"autocomplete": "off"})
    url = URLField(_l("Link"), validators=[Optional()])


class CoauthorForm(Form):
    name = StringField(_l("Co-author's name"), validators=[Optional()])
    email = EmailField(_l("Co-author's e-mail"), validators=[Optional()])


class EntryForm(FlaskForm):
    category_id = SelectField(_l("Category"), choices=[])
    title = StringField(_l("Title"))
    outlet = StringField(_l("Published by (newspaper, station, website)"))
    published_on = DateField(_l("Publication date"), validators=[Optional()])
    url = URLField(_l("Link to the published work"), validators=[Optional()])
    pen_name = StringField(_l("Pen name (if the work was published under one)"))
    summary = TextAreaField(_l("Summary"), render_kw={"rows": 4})
    body_format = RadioField(
        _l("Format of the text"),
        choices=choices([("markdown", _l("Plain text or Markdown")), ("html", _l("HTML"))]),
        default="markdown",
    )
    body_source = TextAreaField(_l("Text of the work"), render_kw={"rows": 14})
    is_series = BooleanField(_l("This entry is a series of several parts"))
    parts = FieldList(FormField(SeriesPartForm), min_entries=SERIES_ROWS,
                      max_entries=SERIES_ROWS)
    coauthors = FieldList(FormField(CoauthorForm), min_entries=COAUTHOR_ROWS,
                          max_entries=COAUTHOR_ROWS)
    has_prior_award = BooleanField(_l("This work has already won another award"))
    prior_award = StringField(_l("Which award, given by whom and when"))
    files = MultipleFileField(_l("Add files"))
    # Asked of organizers who change an entry after the deadline.
    reason = StringField(_l("Reason for the change"))

