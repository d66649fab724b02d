"""Forms of the judge's pages and of the readers' vote.

The scoring form is built when the page is asked for, from the round's rubric: one field per
criterion. Points are taken as text so that "7,5" (the Vietnamese decimal comma) works; the
rules (a number from 0 to the criterion's maximum, all of them to submit) are
contest.judging.sheets's, whose problems the view puts next to the fields.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import Optional

from contest.forms import choices
from contest.judging.models import Criterion, ScoreSheet

TIER_LABELS = {
    "A": _l("A prize"),
    "B": _l("B prize"),
    "C": _l("C prize"),
    "KK": _l("Consolation prize"),
}

SHEET_STATE_LABELS = {
    "not_started": _l("Not started"),
    "draft": _l("Draft saved"),
    "submitted": _l("Sheet submitted"),
}

ROUND_STATE_LABELS = {
    "upcoming": _l("Not open yet"),
    "open": _l("Open for scoring"),
    "closed": _l("Closed"),
    "published": _l("Results published"),
}


def points_field_name(criterion: Criterion) -> str:
    return f"points-{criterion.id}"


def points_text(value: Any) -> str:
    """Points as the reader writes them ("4,5" in Vietnamese, "4.5" in English), without
    thousands separators so that the text reads back as the same number."""
    if value is None:
        return ""
    return format_decimal(float(value), format="0.###")


class _ScoreFormBase(FlaskForm):
    private_comment = TextAreaField(
        _l("Comment for the jury (private)"), validators=[Optional()], render_kw={"rows": 4})
    entrant_comment = TextAreaField(
        _l("Comment for the entrant (optional)"), validators=[Optional()],
        render_kw={"rows": 4})

    criteria: Sequence[Criterion] = ()

    def points_fields(self) -> list[tuple[Criterion, Any]]:
        return [(c, self[points_field_name(c)]) for c in self.criteria]

    def points(self) -> dict[str, str]:
        """{criterion id: the text typed} for the service to check."""
        return {str(c.id): (self[points_field_name(c)].data or "").strip()
                for c in self.criteria}


def score_form(criteria: Sequence[Criterion], sheet: ScoreSheet | None = None,
               **kwargs: Any) -> _ScoreFormBase:
    """The scoring form of a rubric, filled from ``sheet`` when the request brings no data."""

    class ScoreForm(_ScoreFormBase):
        pass

    for c in criteria:
        setattr(ScoreForm, points_field_name(c), StringField(
            c.name, validators=[Optional()],
            render_kw={"inputmode": "decimal", "autocomplete": "off", "class": "points"}))
    ScoreForm.criteria = tuple(criteria)
    data: dict[str, Any] = {}
    if sheet is not None:
        saved = sheet.points or {}
        data = {points_field_name(c): points_text(saved.get(str(c.id))) for c in criteria}
        data["private_comment"] = sheet.private_comment
        data["entrant_comment"] = sheet.entrant_comment
    return ScoreForm(data=data, **kwargs)



CONFLICT_KINDS = {
    "entry": _l("An entry in my list"),
    "author": _l("An author (by full name)"),
    "outlet": _l("An outlet (newspaper, station, website)"),
}


class ConflictForm(FlaskForm):
    kind = RadioField(_l("The conflict is with"),
                      choices=choices(CONFLICT_KINDS.items()),
                      default="entry")
    entry_id = RadioField(_l("Entry"), choices=[], validate_choice=False,
                          validators=[Optional()])
    author_name = StringField(_l("Author's full name"), validators=[Optional()],
                              render_kw={"autocomplete": "off", "maxlength": 120})
    outlet = StringField(_l("Outlet"), validators=[Optional()],
                         render_kw={"autocomplete": "off", "maxlength": 200})
    reason = TextAreaField(_l("Reason"), render_kw={"rows": 3, "maxlength": 500})


