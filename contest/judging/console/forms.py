"""Forms of the organizer console for judging.

They parse what was typed; numbers are taken as text so that "7,5" works and the service
(contest.judging) says what is wrong, next to the field.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from contest.forms import MultiCheckboxField, choices
from contest.judging.forms import TIER_LABELS

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
CRITERIA_ROWS = 8

AGGREGATION_LABELS = {
    "mean": _l("Mean of the judges' totals"),
    "trimmed": _l("Trimmed mean (highest and lowest dropped, from 5 judges)"),
    "zscore": _l("Per-judge z-scores, read back on the scale"),
}
PANEL_LABELS = {
    "none": _l("One panel for all entries"),
    "category": _l("A sub-panel per category"),
    "medium": _l("A sub-panel per type of media"),
}
ADVANCEMENT_LABELS = {
    "top_n": _l("The top N of each category"),
    "threshold": _l("Every entry scoring at least a threshold"),
}
ROUND_STATUS_LABELS = {
    "draft": _l("Draft"),
    "open": _l("Open for scoring"),
    "closed": _l("Closed"),
    "published": _l("Published"),
}
INVITATION_STATUS_LABELS = {
    "pending": _l("Waiting"),
    "accepted": _l("Accepted"),
    "expired": _l("Expired or withdrawn"),
}
SOURCE_LABELS = {
    "auto": _l("automatic"),
    "manual": _l("by hand"),
    "tiebreak": _l("tie-break"),
}


def _decimal(label, default: str = "", hint: str = "decimal"):  # noqa: ANN001, ANN202
    return StringField(label, default=default, render_kw={"inputmode": hint})


class CriterionRow(Form):
    """One criterion of the rubric editor; a row left empty is no criterion."""

    name = StringField(_l("Criterion"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("What the judges look for"), render_kw={"rows": 2})
    max_points = _decimal(_l("Most points"))
    weight = _decimal(_l("Weight"), default="1")
    levels = TextAreaField(_l("Levels (one a line, e.g. “5: new facts, never reported”)"),
                           render_kw={"rows": 3})

    def validate_levels(self, field: TextAreaField) -> None:
        if parse_levels(field.data)[1]:
            raise ValidationError(_l("Write each level as “points: text”, e.g. “5: new facts”."))


_LEVEL = re.compile(r"^\s*([+-]?\d+(?:[.,]\d+)?)\s*[:=–—-]\s*(.+?)\s*$")


def parse_levels(text: str | None) -> tuple[list[tuple[str, str]], list[str]]:
    """Lines "points: text" as (points, text) pairs, and the lines that do not read so."""
    pairs, bad = [], []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        match = _LEVEL.match(line)
        if match:
            pairs.append((match.group(1), match.group(2)))
        else:
            bad.append(line.strip())
    return pairs, bad


def levels_text(levels: list[dict]) -> str:
    return "\n".join(f"{lv.get('points', 0):g}: {lv.get('text', '')}" for lv in levels)


class RubricForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name.")),
                                               Length(max=200)])
    description = TextAreaField(_l("Description"), render_kw={"rows": 3})
    scale = _decimal(_l("Totals are out of"), default="10")
    criteria = FieldList(FormField(CriterionRow), min_entries=CRITERIA_ROWS,
                         max_entries=CRITERIA_ROWS)


class RoundForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name.")),
                                               Length(max=200)])
    template = SelectField(_l("Rubric"), choices=[], validate_choice=False)
    judges_per_entry = _decimal(_l("Judges per entry (K)"), default="3", hint="numeric")
    panels_by = SelectField(_l("Panels"), choices=choices(PANEL_LABELS.items()))
    opens_at = DateTimeLocalField(_l("Scoring opens (Vietnam time)"), format=DATETIME_FORMAT,
                                  validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Scoring closes (Vietnam time)"), format=DATETIME_FORMAT,
                                   validators=[Optional()])
    judges_see_others = BooleanField(
        _l("Judges see the other judges' scores of an entry after submitting their own"))
    aggregation = SelectField(_l("Entry score"), choices=choices(AGGREGATION_LABELS.items()))
    disagreement_threshold = _decimal(_l("Flag an entry when its judges' totals differ by "
                                         "more than"), default="3")
    advancement = SelectField(_l("Who advances to the next round"),
                              choices=choices(ADVANCEMENT_LABELS.items()))
    advancement_value = _decimal(_l("N, or the threshold"), default="5")
    prize_A = _decimal(_l("A prizes per category"), default="0", hint="numeric")
    prize_B = _decimal(_l("B prizes per category"), default="0", hint="numeric")
    prize_C = _decimal(_l("C prizes per category"), default="0", hint="numeric")
    prize_KK = _decimal(_l("Consolation prizes per category"), default="0", hint="numeric")


class TemplateForm(FlaskForm):
    template = SelectField(_l("Template"), choices=[], validate_choice=False)


class InviteForm(FlaskForm):
    email = StringField(_l("E-mail address"),
                        validators=[DataRequired(_l("Enter an e-mail address.")),
                                    Length(max=254)],
                        render_kw={"type": "email", "autocomplete": "off"})


class RoundJudgeForm(FlaskForm):
    judge = SelectField(_l("Jury member"), choices=[], validate_choice=False)
    panel = SelectField(_l("Sub-panel"), choices=[], validate_choice=False)
    max_load = IntegerField(_l("Entries at most (empty: no limit)"),
                            validators=[Optional(), NumberRange(min=0, max=10_000)],
                            render_kw={"inputmode": "numeric", "min": "0"})


class ConflictForm(FlaskForm):
    judge = SelectField(_l("Judge"), choices=[], validate_choice=False)
    entry_code = StringField(_l("Entry code"), validators=[Optional(), Length(max=20)])
    author_name = StringField(_l("Or an author's full name"),
                              validators=[Optional(), Length(max=120)])
    outlet = StringField(_l("Or a press outlet"), validators=[Optional(), Length(max=200)])
    reason = TextAreaField(_l("Reason"), validators=[
        DataRequired(_l("Give the reason.")),
        Length(max=500, message=_l("At most 500 characters."))], render_kw={"rows": 2})


class JudgeChoiceForm(FlaskForm):
    """Another judge for an entry: reassign (reason required) or add."""

    judge = SelectField(_l("Judge"), choices=[], validate_choice=False)
    source = SelectField(_l("Why"), choices=choices([
        ("tiebreak", _l("Tie-break: the judges disagree")), ("manual", _l("Other reason"))]))
    reason = TextAreaField(_l("Reason"), validators=[
        Optional(), Length(max=500, message=_l("At most 500 characters."))],
        render_kw={"rows": 2})


class ReassignForm(FlaskForm):
    judge = SelectField(_l("Judge"), choices=[], validate_choice=False)
    reason = TextAreaField(_l("Reason"), validators=[
        DataRequired(_l("Give the reason.")),
        Length(max=500, message=_l("At most 500 characters."))], render_kw={"rows": 2})


class ShortlistForm(FlaskForm):
    entries = MultiCheckboxField(_l("Entries that advance"), choices=[], validate_choice=False)
    reason = TextAreaField(_l("Reason for departing from the proposal"), validators=[
        Optional(), Length(max=500, message=_l("At most 500 characters."))],
        render_kw={"rows": 2})


class PrizeForm(FlaskForm):
    tier = SelectField(_l("Prize"), choices=choices([("", _l("No prize")), *TIER_LABELS.items()]))
    reason = TextAreaField(_l("Reason"), validators=[
        DataRequired(_l("Give the reason.")),
        Length(max=500, message=_l("At most 500 characters."))], render_kw={"rows": 2})


class ReopenForm(FlaskForm):
    closes_at = DateTimeLocalField(_l("Scoring closes (Vietnam time)"), format=DATETIME_FORMAT,
                                   validators=[Optional()])
    reason = TextAreaField(_l("Reason"), validators=[
        DataRequired(_l("Give the reason.")),
        Length(max=500, message=_l("At most 500 characters."))], render_kw={"rows": 2})
