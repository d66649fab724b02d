"""Forms of the reports console: the dashboard's filters, the settings, coordinators."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from contest.params import whole_number


def optional_id(value: object) -> int | None:
    """A select's value: "" is no choice; anything but ASCII digits is refused."""
    if value in (None, "", "None"):
        return None
    if isinstance(value, int):
        return value
    return whole_number(str(value))


class FilterForm(FlaskForm):
    """The dashboard's filters, read from the query string (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])
    unit = SelectField(_l("Unit"), coerce=optional_id, validators=[Optional()])
    round = SelectField(_l("Quiz round"), coerce=optional_id, validators=[Optional()])
    contest = SelectField(_l("Writing contest"), coerce=optional_id, validators=[Optional()])


class SettingsForm(FlaskForm):
    organizing_body = StringField(_l("Organizing body"), validators=[
        DataRequired(_l("Name the organizing body.")), Length(max=300)])
    legal_basis = TextAreaField(_l("Legal basis (printed on the report's cover)"),
                                validators=[Optional(), Length(max=2000)],
                                render_kw={"rows": 3})
    age_bands = StringField(_l("Age bands: the lowest age of each band"),
                            validators=[DataRequired(_l("Give the age bands.")),
                                        Length(max=80)])
    signatory_name = StringField(_l("Signatory's name"), validators=[Optional(),
                                                                      Length(max=120)])
    signatory_title = StringField(_l("Signatory's title"), validators=[Optional(),
                                                                        Length(max=200)])
    place = StringField(_l("Place printed before the date (e.g. Nghệ An)"),
                        validators=[Optional(), Length(max=120)])
    number_suffix = StringField(_l("Certificate number suffix (e.g. GCN-BTC)"),
                                validators=[DataRequired(_l("Give the number suffix.")),
                                            Length(max=30)])
    participation_certificates = BooleanField(
        _l("Also give participation certificates to every entrant with a perfect score"))


class CoordinatorForm(FlaskForm):
    identifier = StringField(_l("Phone number or e-mail of the account"),
                             validators=[DataRequired(_l("Enter a phone number or e-mail.")),
                                         Length(max=254)])
    unit = SelectField(_l("Unit"), coerce=optional_id,
                       validators=[DataRequired(_l("Choose the unit."))])
