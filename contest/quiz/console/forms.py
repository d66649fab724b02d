"""Forms of the question bank screens: search, question editor, topics, import and export."""

from __future__ import annotations

import math
import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from contest.forms import choices
from contest.quiz import bank_common, bank_questions
from contest.quiz.items import (
    FALSE_LABEL,
    SUM_TOLERANCE,
    TRUE_LABEL,
    ParsedOption,
    ParsedQuestion,
    format_percent,
    normalize_fraction,
)
from contest.quiz.models import Question

OPTION_ROWS = 6
MORE_ROWS = 3
MAX_OPTION_ROWS = 26

KIND_LABELS = {
    "single": _l("Single choice"),
    "multiple": _l("Multiple answers"),
    "truefalse": _l("True / false"),
}
DIFFICULTY_LABELS = {
    "easy": _l("Easy"),
    "medium": _l("Medium"),
    "hard": _l("Hard"),
}
STATUS_LABELS = {
    "active": _l("Active"),
    "inactive": _l("Deactivated"),
    "all": _l("Active and deactivated"),
    "retired": _l("Earlier revisions"),
}
FORMAT_LABELS = {
    "gift": _l("GIFT (Moodle)"),
    "aiken": _l("Aiken"),
    "csv": _l("CSV table"),
    "xlsx": _l("Excel workbook (.xlsx)"),
}

_WEIGHT_RE = re.compile(r"^[-+]?\d+(?:[.,]\d+)?$")


def parse_weight(text: str | None) -> float | None:
    """A weight typed in percent ("50", "33,33", "-100 %") as a fraction; None if not a number."""
    value = (text or "").strip().removesuffix("%").strip()
    if not value:
        return 0.0
    if not _WEIGHT_RE.match(value):
        return None
    percent = float(value.replace(",", "."))
    if not math.isfinite(percent) or not -100.0 <= percent <= 100.0:
        return None
    return normalize_fraction(percent / 100.0)


class QuestionSearchForm(FlaskForm):
    """The filters above the question list (a GET form)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)])
    topic = SelectField(_l("Topic (with its sub-topics)"), coerce=str, validate_choice=False)
    kind = SelectField(_l("Kind"), choices=choices([("", _l("Any kind")), *KIND_LABELS.items()]),
                       validate_choice=False)
    difficulty = SelectField(
        _l("Difficulty"),
        choices=choices([("", _l("Any difficulty")), *DIFFICULTY_LABELS.items(),
                         ("none", _l("Not set"))]),
        validate_choice=False)
    tag = StringField(_l("Tag"), validators=[Optional(), Length(max=100)])
    status = SelectField(_l("Status"), choices=choices(STATUS_LABELS.items()), default="active",
                         validate_choice=False)


class OptionForm(Form):
    """One option row of the question editor."""

    text = TextAreaField(_l("Text"), render_kw={"rows": 2})
    weight = StringField(_l("Weight (%)"), render_kw={"inputmode": "decimal"})
    feedback = StringField(_l("Feedback (optional)"))


class QuestionForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=choices(KIND_LABELS.items()), default="single")
    topic_id = SelectField(_l("Topic"), coerce=str,
                           validators=[DataRequired(_l("Choose a topic."))])
    title = StringField(_l("Short title (for the organizers)"),
                        validators=[Optional(), Length(max=bank_common.MAX_TITLE)])
    text = TextAreaField(_l("Question"), validators=[DataRequired(_l("Enter the question."))],
                         render_kw={"rows": 4})
    options = FieldList(FormField(OptionForm), min_entries=OPTION_ROWS,
                        max_entries=MAX_OPTION_ROWS)
    explanation = TextAreaField(_l("Explanation (shown with the correct answer)"),
                                render_kw={"rows": 4})
    source = StringField(_l("Source (law, article, document)"),
                         validators=[Optional(), Length(max=bank_common.MAX_SOURCE)])
    difficulty = SelectField(_l("Difficulty"),
                             choices=choices([("", _l("Not set")), *DIFFICULTY_LABELS.items()]))
    tags = StringField(_l("Tags (separated by commas)"),
                       validators=[Optional(), Length(max=bank_common.MAX_TAGS_TEXT - 2)])
    external_id = StringField(_l("Question ID (used to match imports)"),
                              validators=[Optional(), Length(max=bank_common.MAX_EXTERNAL_ID)])
    active = BooleanField(_l("Active: rounds may draw this question"), default=True)
    text_format = HiddenField(default="plain")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Problems of the option list as a whole (no correct option, weights that do not add
        # up), shown above the option rows.
        self.option_errors: list[str] = []

    def fill_from(self, question: Question) -> None:
        """Show a banked question in the form, with blank rows to spare."""
        self.kind.data = question.kind
        self.topic_id.data = str(question.topic_id)
        self.title.data = question.title
        self.text.data = question.text
        self.explanation.data = question.explanation
        self.source.data = question.source
        self.difficulty.data = question.difficulty
        self.tags.data = ", ".join(question.tags)
        self.external_id.data = question.external_id or ""
        self.active.data = question.active
        self.text_format.data = question.text_format
        while len(self.options.entries):
            self.options.pop_entry()
        rows = min(MAX_OPTION_ROWS, max(OPTION_ROWS, len(question.options) + 2))
        for index in range(rows):
            entry = self.options.append_entry()
            if index < len(question.options):
                option = question.options[index]
                entry.form.text.data = option.text
                entry.form.weight.data = format_percent(option.fraction)
                entry.form.feedback.data = option.feedback

    def add_rows(self, count: int = MORE_ROWS) -> None:
        for _index in range(count):
            if len(self.options.entries) >= MAX_OPTION_ROWS:
                break
            self.options.append_entry()

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        options_ok = self._check_options()
        # FieldList keeps the errors it saw while validating; add the ones found here.
        self.options.errors = [entry.form.errors for entry in self.options.entries
                               if entry.form.errors]
        return options_ok and ok

    def _rows(self) -> list[tuple[Any, str, float | None, str]]:
        """(subform, text, fraction, feedback) of the rows that hold anything."""
        rows = []
        for entry in self.options.entries:
            sub = entry.form
            text = (sub.text.data or "").strip()
            weight_text = (sub.weight.data or "").strip()
            feedback = (sub.feedback.data or "").strip()
            if text or weight_text or feedback:
                rows.append((sub, text, parse_weight(weight_text), feedback))
        return rows

    def _check_options(self) -> bool:
        kind = self.kind.data
        rows = self._rows()
        ok = True
        for sub, _text, fraction, _feedback in rows:
            if fraction is None:
                sub.weight.errors.append(_("Enter a number from -100 to 100."))
                ok = False
        if kind == "truefalse":
            return self._check_true_false(rows) and ok
        seen: set[str] = set()
        for sub, text, _fraction, _feedback in rows:
            if not text:
                sub.text.errors.append(
                    _("Enter the option, or clear the weight and feedback of this row."))
                ok = False
            elif text in seen:
                sub.text.errors.append(_("Another option has the same text."))
                ok = False
            seen.add(text)
        if not ok:
            return False
        fractions = [fraction or 0.0 for _sub, _text, fraction, _feedback in rows]
        if len(rows) < 2:
            self.option_errors.append(_("Give at least two options."))
        elif kind == "single":
            correct = sum(1 for f in fractions if abs(f - 1.0) < 1e-6)
            if correct == 0:
                self.option_errors.append(_("Give the correct option the weight 100."))
            elif correct > 1:
                self.option_errors.append(_(
                    "Only one option may have the weight 100 in a single-choice question; "
                    "choose “Multiple answers” for more than one correct option."))
        elif kind == "multiple":
            positive = math.fsum(f for f in fractions if f > 0)
            if positive <= 0:
                self.option_errors.append(_(
                    "Give the correct options positive weights that add up to 100."))
            elif abs(positive - 1.0) > SUM_TOLERANCE:
                self.option_errors.append(_(
                    "The positive weights must add up to 100; they add up to %(sum)s.",
                    sum=format_percent(positive)))
        if self.option_errors:
            self.form_errors.extend(self.option_errors)
            return False
        return True

    def _check_true_false(self, rows: list[tuple[Any, str, float | None, str]]) -> bool:
        labels = (TRUE_LABEL, FALSE_LABEL)
        entries = self.options.entries
        extra = [row for row in rows if row[0] not in (entries[0].form, entries[1].form)]
        problem = ""
        if extra:
            problem = _("A true/false question has only the two options %(true)s and "
                        "%(false)s: clear the other rows.", true=TRUE_LABEL, false=FALSE_LABEL)
        else:
            for index, label in enumerate(labels):
                text = (entries[index].form.text.data or "").strip()
                if text and text != label:
                    entries[index].form.text.errors.append(
                        _("Leave this empty or write %(label)s.", label=label))
                    return False
            fractions = [parse_weight(entries[i].form.weight.data) for i in range(2)]
            if sorted(f or 0.0 for f in fractions) != [0.0, 1.0]:
                problem = _("Give the weight 100 to the right answer (%(true)s or %(false)s) "
                            "and 0 to the other.", true=TRUE_LABEL, false=FALSE_LABEL)
        if problem:
            self.option_errors.append(problem)
            self.form_errors.append(problem)
            return False
        return True

    def to_parsed(self) -> ParsedQuestion:
        """The question as typed; call after :meth:`validate` succeeded."""
        if self.kind.data == "truefalse":
            entries = self.options.entries
            options = [
                ParsedOption(label, parse_weight(entries[i].form.weight.data) or 0.0,
                             (entries[i].form.feedback.data or "").strip())
                for i, label in enumerate((TRUE_LABEL, FALSE_LABEL))
            ]
        else:
            options = [ParsedOption(text, fraction or 0.0, feedback)
                       for _sub, text, fraction, feedback in self._rows()]
        return ParsedQuestion(
            kind=self.kind.data,
            text=(self.text.data or "").strip(),
            options=options,
            title=(self.title.data or "").strip(),
            explanation=(self.explanation.data or "").strip(),
            source=(self.source.data or "").strip(),
            difficulty=self.difficulty.data or "",
            tags=bank_questions.normalize_tags([self.tags.data or ""]),
            external_id=(self.external_id.data or "").strip(),
            text_format=self.text_format.data or "plain",
        )


class ActiveForm(FlaskForm):
    """The deactivate / activate button."""

    active = HiddenField()


class TopicForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name of the topic.")),
                                               Length(max=bank_common.MAX_TOPIC_NAME)])
    parent_id = SelectField(_l("Inside topic"), coerce=str, validators=[Optional()])


class ImportForm(FlaskForm):
    file = FileField(_l("Question file"), validators=[FileRequired(_l("Choose a file."))])
    format = SelectField(_l("Format"),
                         choices=choices([("", _l("From the file name (.gift, .txt, .aiken, "
                                                  ".csv, .xlsx)")), *FORMAT_LABELS.items()]))
    topic_id = SelectField(_l("Topic for questions the file gives no category"), coerce=str,
                           validators=[Optional()])
    new_topic = StringField(_l("…or a new topic (a path such as Laws/Elections)"),
                            validators=[Optional(), Length(max=bank_common.MAX_TOPIC_NAME * 3)])


class ImportTopicForm(FlaskForm):
    """The default topic of an upload, changed on its preview before anything is imported."""

    topic_id = SelectField(_l("Topic for questions the file gives no category"), coerce=str,
                           validators=[Optional()])
    new_topic = StringField(_l("…or a new topic (a path such as Laws/Elections)"),
                            validators=[Optional(), Length(max=bank_common.MAX_TOPIC_NAME * 3)])


class ImportCommitForm(FlaskForm):
    """The confirmation button under an import preview."""


class ExportForm(FlaskForm):
    """The export choices (a GET form: exporting changes nothing)."""

    class Meta:
        csrf = False

    format = SelectField(_l("Format"), choices=choices(FORMAT_LABELS.items()), default="gift")
    topic = SelectField(_l("Topic"), coerce=str, validators=[Optional()])
    inactive = BooleanField(_l("Also export deactivated questions"))
