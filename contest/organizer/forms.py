"""Forms of the organizer console."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from contest.accounts.models import UnitKind
from contest.forms import choices

UNIT_KIND_LABELS = {
    UnitKind.PROVINCE: _l("Province"),
    UnitKind.AGENCY: _l("Provincial agency"),
    UnitKind.DISTRICT: _l("District"),
    UnitKind.COMMUNE: _l("Commune"),
    UnitKind.WARD: _l("Ward"),
    UnitKind.SCHOOL: _l("School"),
    UnitKind.ENTERPRISE: _l("Enterprise"),
    UnitKind.OTHER: _l("Other"),
}


class UnitForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(_l("Enter a short code.")), Length(max=32),
                    Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Use letters, digits, - _ . only."))],
    )
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name.")),
                                               Length(max=200)])
    kind = SelectField(_l("Kind"), choices=choices(UNIT_KIND_LABELS.items()))
    parent_id = SelectField(_l("Belongs to"), coerce=str, validators=[Optional()])
    size = IntegerField(
        _l("Number of people (for participation rates)"),
        validators=[Optional(), NumberRange(min=0, message=_l("Enter 0 or more."))],
    )
    active = BooleanField(_l("Shown at registration"), default=True)
