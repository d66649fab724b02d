"""Forms and form pieces every domain shares: a bare button, a reason, checkbox lists, choices."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

REASON_MAX = 500


class ActionForm(FlaskForm):
    """A button that changes state: only the CSRF token."""


class ReasonForm(FlaskForm):
    """A state change that needs a reason, recorded in the audit trail (and shown to the person
    it concerns where the change says so)."""

    reason = TextAreaField(_l("Reason"), validators=[
        DataRequired(_l("Give the reason.")),
        Length(max=REASON_MAX, message=_l("At most 500 characters.")),
    ], render_kw={"rows": 3})


class OptionalReasonForm(FlaskForm):
    """A state change where a reason may be given; the service decides whether it must be."""

    reason = TextAreaField(_l("Reason"), validators=[
        Optional(), Length(max=REASON_MAX, message=_l("At most 500 characters.")),
    ], render_kw={"rows": 2})


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes (works without JavaScript)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def choices(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """Select choices from (value, label) pairs: the ``SelectChoice`` objects WTForms 3.3 asks
    for (it warns about plain pairs). The forms of contest/ build their choices with it."""
    return [SelectChoice(value, label) for value, label in pairs]
