"""Forms of the quizzes: the organizer's round form and the reading of a posted quiz paper."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from contest.forms import MultiCheckboxField, choices
from contest.quiz.attempts import MAX_PREDICTION, UNSET
from contest.quiz.rounds import PROFILE_FIELDS

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
_GROUPED = re.compile(r"^\d{1,3}(?:[.,\s]\d{3})+$")

PROFILE_FIELD_LABELS = {
    "unit_id": _l("Unit"),
    "gender": _l("Gender"),
    "ethnicity": _l("Ethnicity"),
    "birth_date": _l("Date of birth"),
    "email": _l("E-mail"),
    "citizen_id": _l("Citizen ID number"),
    "phone": _l("Phone"),
}

PRIZE_LABELS = {
    "first": _l("First prize"),
    "second": _l("Second prize"),
    "third": _l("Third prize"),
    "consolation": _l("Consolation prize"),
}

SCORING_LABELS = {
    "all_or_nothing": _l("All or nothing: full marks only for exactly the correct options"),
    "partial": _l("Partial credit: the weights of the chosen options, never below zero"),
}


class QuotaRow(Form):
    topic_id = SelectField(_l("Topic"), coerce=str, validate_choice=False)
    count = IntegerField(
        _l("Questions"),
        validators=[Optional(), NumberRange(min=1, max=200, message=_l("Enter 1 to 200."))],
    )


class PrizeRow(Form):
    name = StringField(
        _l("Prize"),
        validators=[Optional(), Length(max=20),
                    Regexp(r"^[a-z0-9_-]*$", message=_l("Use a-z, 0-9, - and _ only."))],
    )
    places = IntegerField(
        _l("Places"),
        validators=[Optional(), NumberRange(min=0, max=1000, message=_l("Enter 0 to 1000."))],
    )


class RoundForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title.")),
                                                 Length(max=200)])
    rules = TextAreaField(_l("Rules shown to entrants"), validators=[Optional()])
    opens_at = DateTimeLocalField(
        _l("Opens at (Vietnam time)"), format=DATETIME_FORMAT,
        validators=[DataRequired(_l("Enter the date and time, e.g. 2026-03-02T10:00."))],
    )
    closes_at = DateTimeLocalField(
        _l("Closes at (Vietnam time)"), format=DATETIME_FORMAT,
        validators=[DataRequired(_l("Enter the date and time, e.g. 2026-03-09T09:00."))],
    )
    selection = RadioField(
        _l("Questions"),
        choices=choices([("quota", _l("Draw at random by topic quotas")),
                         ("fixed", _l("A fixed list of questions"))]),
        default="quota",
    )
    quotas = FieldList(FormField(QuotaRow), min_entries=0)
    fixed_ids = StringField(
        _l("Question numbers of the fixed list"),
        validators=[Optional(), Regexp(r"^[\d,;\s]*$",
                                       message=_l("Use question numbers separated by commas."))],
    )
    allow_exposed = BooleanField(
        _l("Allow questions whose correct answers earlier rounds published"), default=False)
    shuffle_questions = BooleanField(_l("Shuffle the questions"), default=True)
    shuffle_options = BooleanField(_l("Shuffle the options of each question"), default=True)
    time_limit_minutes = IntegerField(
        _l("Time limit (minutes)"), default=20,
        validators=[InputRequired(_l("Enter the time limit.")),
                    NumberRange(min=1, max=600, message=_l("Enter 1 to 600 minutes."))],
    )
    attempts_allowed = IntegerField(
        _l("Attempts allowed (the best counts)"), default=1,
        validators=[InputRequired(_l("Enter the number of attempts.")),
                    NumberRange(min=1, max=100, message=_l("Enter 1 to 100."))],
    )
    multi_scoring = SelectField(_l("Scoring of multiple-answer questions"),
                                choices=choices(SCORING_LABELS.items()), default="all_or_nothing")
    prediction_enabled = BooleanField(_l("Ask the prediction question (tie-break)"),
                                      default=True)
    prediction_text = TextAreaField(_l("Wording of the prediction question"),
                                    validators=[Optional(), Length(max=1000)])
    min_age = IntegerField(
        _l("Minimum age on the opening day"),
        validators=[Optional(), NumberRange(min=0, max=120, message=_l("Enter 0 to 120."))],
    )
    required_fields = MultiCheckboxField(_l("Profile details entrants must have filled in"),
                                         choices=choices((f, PROFILE_FIELD_LABELS[f])
                                                         for f in PROFILE_FIELDS))
    prizes = FieldList(FormField(PrizeRow), min_entries=0)

    def quota_values(self) -> dict[int, int]:
        """Topic id → count from the filled-in rows (a topic chosen twice adds up)."""
        quotas: dict[int, int] = {}
        for row in self.quotas:
            topic, count = row.form.topic_id.data, row.form.count.data
            if topic and count:
                quotas[int(topic)] = quotas.get(int(topic), 0) + count
        return quotas

    def fixed_values(self) -> list[int]:
        return [int(n) for n in re.findall(r"\d+", self.fixed_ids.data or "")]

    def prize_values(self) -> list[tuple[str, int]]:
        return [(row.form.name.data.strip(), row.form.places.data or 0)
                for row in self.prizes if row.form.name.data and row.form.name.data.strip()]

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        return self._validate_quota_rows() and valid

    def _validate_quota_rows(self) -> bool:
        """Each row needs both a topic and a count, or neither."""
        ok = True
        for row in self.quotas:
            topic, count = row.form.topic_id.data, row.form.count.data
            if topic and not count and not row.form.count.errors:
                row.form.count.errors.append(_l("Enter how many questions."))
                ok = False
            elif count and not topic:
                row.form.topic_id.errors.append(_l("Choose a topic."))
                ok = False
        return ok


class ExtendForm(FlaskForm):
    closes_at = DateTimeLocalField(
        _l("New close time (Vietnam time)"), format=DATETIME_FORMAT,
        validators=[DataRequired(_l("Enter the date and time, e.g. 2026-03-09T21:00."))],
    )


@dataclass
class PaperInput:
    """What a posted quiz page carries: answers (question id → chosen positions) of the
    questions shown on that page, and the prediction (UNSET when the page had no such field)."""

    changes: dict[int, list[int]] = field(default_factory=dict)
    prediction: Any = UNSET
    prediction_error: bool = False
    malformed: bool = False


def read_paper(form: MultiDict) -> PaperInput:
    """Read a posted page of the paper.

    Each page lists its question ids in ``shown`` so that a question left without a choice
    (an unticked checkbox sends nothing) is cleared rather than ignored.
    """
    result = PaperInput()
    for raw in form.getlist("shown"):
        if not raw.isdigit():
            result.malformed = True
            continue
        positions = form.getlist(f"q{raw}")
        if not all(p.isdigit() for p in positions):
            result.malformed = True
            continue
        result.changes[int(raw)] = [int(p) for p in positions]
    if "prediction" in form:
        try:
            result.prediction = parse_prediction(form.get("prediction"))
        except ValueError:
            result.prediction_error = True
    return result


def parse_prediction(raw: object) -> int | None:
    """A prediction as typed: a whole number ≥ 0, thousands may be grouped ("1.250");
    empty means none. Raises ValueError otherwise."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw).strip()
        if _GROUPED.match(text):  # "1.250" or "1 250": thousands written the Vietnamese way
            text = re.sub(r"[.,\s]", "", text)
        if not text:
            return None
        if not (text.isascii() and text.isdigit()):
            raise ValueError(raw)
        value = int(text)
    if not 0 <= value <= MAX_PREDICTION:
        raise ValueError(raw)
    return value
