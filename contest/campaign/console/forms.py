"""Forms of the campaign console. They parse what was typed (choices, dates, files); every rule
about what may be saved lives in the campaign's service modules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from contest.campaign.labels import AUDIENCE_LABELS, CATEGORY_LABELS, KIND_LABELS, STATUS_LABELS
from contest.forms import choices

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
DATE_HINT = _l("Enter the date and time, e.g. 2026-03-02T10:00.")


class NewsForm(FlaskForm):
    title = StringField(_l("Title"))
    slug = StringField(_l("Web address"))
    kind = SelectField(_l("Kind"), choices=choices(KIND_LABELS.items()), default="news")
    summary = TextAreaField(_l("Summary"), render_kw={"rows": 2})
    body = TextAreaField(_l("Text (Markdown)"), render_kw={"rows": 14})
    image = FileField(_l("Picture"))
    image_alt = StringField(_l("What the picture shows"))
    pinned = BooleanField(_l("Pin to the top of the news"))
    status = SelectField(_l("Status"), choices=choices(STATUS_LABELS.items()), default="draft")
    publish_at = DateTimeLocalField(_l("Publish at (Vietnam time)"), format=DATETIME_FORMAT,
                                    validators=[Optional()])

    def validate_publish_at(self, field) -> None:  # noqa: ANN001
        # An unreadable date is a message next to the field, not a silent "no date".
        if field.raw_data and field.raw_data[0] and field.data is None:
            field.errors[:] = [DATE_HINT]


class MaterialForm(FlaskForm):
    title = StringField(_l("Title"))
    description = TextAreaField(_l("Description"), render_kw={"rows": 4})
    category = SelectField(_l("Category"), choices=choices(CATEGORY_LABELS.items()))
    audience = SelectField(_l("For"), choices=choices(AUDIENCE_LABELS.items()))
    upload = FileField(_l("File"))
    link_url = StringField(_l("Or a link"))
    thumbnail = FileField(_l("Thumbnail (PNG, JPEG or WebP)"))
    published = BooleanField(_l("Published in the library"))


class SettingsForm(FlaskForm):
    org_name_vi = StringField(_l("Organizing body (Vietnamese)"))
    org_name_en = StringField(_l("Organizing body (English)"))
    title_vi = StringField(_l("Campaign title (Vietnamese)"))
    title_en = StringField(_l("Campaign title (English)"))
    intro_vi = TextAreaField(_l("Introduction (Vietnamese)"), render_kw={"rows": 3})
    intro_en = TextAreaField(_l("Introduction (English)"), render_kw={"rows": 3})
    logo = FileField(_l("Logo (PNG, JPEG or WebP)"))
    address = StringField(_l("Address"))
    hotline = StringField(_l("Hotline"))
    email = StringField(_l("E-mail"))
    legal_basis_vi = TextAreaField(_l("Legal basis (Vietnamese)"), render_kw={"rows": 3})
    legal_basis_en = TextAreaField(_l("Legal basis (English)"), render_kw={"rows": 3})
    board_members = TextAreaField(_l("Organizing board, one member a line"),
                                  render_kw={"rows": 5})
    controller_vi = TextAreaField(_l("Personal data controller (Vietnamese)"),
                                  render_kw={"rows": 2})
    controller_en = TextAreaField(_l("Personal data controller (English)"),
                                  render_kw={"rows": 2})
    controller_contact = StringField(_l("Personal data contact e-mail"))
    footer_vi = TextAreaField(_l("Footer text (Vietnamese)"), render_kw={"rows": 2})
    footer_en = TextAreaField(_l("Footer text (English)"), render_kw={"rows": 2})
    period_from = DateField(_l("Campaign starts"), validators=[Optional()])
    period_to = DateField(_l("Campaign ends"), validators=[Optional()])


class RewardsForm(FlaskForm):
    """One reward text per prize, in the order the page lists the prizes."""

    rewards = FieldList(StringField(_l("Reward")))


class JuryCommentForm(FlaskForm):
    comment = TextAreaField(_l("The jury's public comment (Markdown)"), render_kw={"rows": 4})
