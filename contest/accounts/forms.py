"""Account forms. Every check runs on the server and speaks the reader's language."""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from contest.accounts.identity import normalize_phone, password_problems
from contest.accounts.models import Gender
from contest.forms import choices
from contest.timeutil import local_today

PASSWORD_MESSAGES = {
    "too_short": _l("Use at least 8 characters."),
    "too_long": _l("Use at most 200 characters."),
    "too_common": _l("This is one of the most used or leaked passwords. Choose another."),
    "is_phone": _l("Do not use your phone number in your password."),
    "is_name": _l("Do not use your name in your password."),
    "is_birth_date": _l("Do not use your date of birth in your password."),
    "is_personal": _l("This password is built on your name, phone or date of birth. "
                      "Choose another."),
    "is_pattern": _l("Keyboard rows, sequences and repeated characters are easy to guess. "
                     "Choose another."),
    "is_date": _l("Dates are easy to guess. Add a few words that mean something only to you."),
    "too_guessable": _l("This password is too easy to guess. A few unrelated words are "
                        "stronger."),
}

GENDER_CHOICES = choices([
    ("", _l("— choose —")),
    (Gender.FEMALE.value, _l("Female")),
    (Gender.MALE.value, _l("Male")),
    (Gender.OTHER.value, _l("Other")),
    (Gender.UNDISCLOSED.value, _l("Prefer not to say")),
])

REGISTRATION_MIN_AGE = 14
GUARDIAN_AGE = 16  # Decree 13/2023: a child's data needs a parent's or guardian's consent too


@cache
def ethnicities() -> list[str]:
    path = Path(__file__).resolve().parent.parent / "data" / "ethnicities.txt"
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def ethnicity_choices() -> list[SelectChoice]:
    return choices([("", _l("— choose —"))] + [(e, e) for e in ethnicities()])


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _check_password(form: FlaskForm, field: PasswordField) -> None:
    """Refuse a weak password, judged also against the person's own details: those typed in
    the form (registration), else those of the account (``form.person``, set by the view)."""
    person = getattr(form, "person", None)
    phone = normalize_phone(form.phone.data) if hasattr(form, "phone") and form.phone.data else None
    name = form.full_name.data if hasattr(form, "full_name") else ""
    born = form.birth_date.data if hasattr(form, "birth_date") else None
    if person is not None:
        phone = phone or person.phone
        name = name or person.full_name
        born = born or person.birth_date
    problems = password_problems(field.data or "", phone=phone, name=name or "",
                                 birth_date=born if isinstance(born, date) else None)
    if problems:
        raise ValidationError(PASSWORD_MESSAGES[problems[0]])


def _check_phone(form: FlaskForm, field: TelField) -> None:
    if normalize_phone(field.data or "") is None:
        raise ValidationError(
            _l("Enter a Vietnamese mobile number, for example 0912 345 678 or +84 912 345 678.")
        )


def _check_citizen_id(form: FlaskForm, field: StringField) -> None:
    value = (field.data or "").strip()
    if value and not (value.isascii() and value.isdigit() and len(value) in (9, 12)):
        raise ValidationError(_l("A citizen ID number has 12 digits (old ID cards: 9)."))


class RegisterForm(FlaskForm):
    full_name = StringField(
        _l("Full name"),
        validators=[DataRequired(_l("Enter your full name.")), Length(2, 120)],
        render_kw={"autocomplete": "name"},
    )
    phone = TelField(
        _l("Mobile phone"),
        validators=[DataRequired(_l("Enter your mobile phone number.")), _check_phone],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
    email = EmailField(
        _l("E-mail (optional for entrants)"),
        validators=[Optional(), Email(_l("Enter a valid e-mail address.")), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Choose a password.")), _check_password],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[EqualTo("password", _l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    birth_date = DateField(
        _l("Date of birth"),
        validators=[DataRequired(_l("Enter your date of birth as day, month and year."))],
        render_kw={"autocomplete": "bday"},
    )
    gender = SelectField(_l("Gender"), choices=GENDER_CHOICES, validators=[Optional()])
    unit_id = SelectField(_l("Unit (commune, ward, agency or school)"), coerce=str,
                          validators=[Optional()])
    ethnicity = SelectField(_l("Ethnicity"), validators=[Optional()])
    citizen_id = StringField(
        _l("Citizen ID number (optional)"),
        validators=[Optional(), _check_citizen_id],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    as_journalist = BooleanField(_l("I am a journalist and want to enter writing contests"))
    outlet = StringField(_l("Newspaper, station or site you work for"),
                         validators=[Optional(), Length(max=200)])
    guardian_consent = BooleanField(
        _l("I am under 16 and my parent or guardian agrees to this registration")
    )
    consent = BooleanField(
        _l("I have read the personal data notice and agree to the processing of my personal "
           "data as it describes (Decree 13/2023/NĐ-CP)"),
        validators=[DataRequired(_l("You must agree to the personal data notice to register."))],
    )

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.ethnicity.choices = ethnicity_choices()

    def validate(self, extra_validators=None) -> bool:  # noqa: ANN001
        valid = super().validate(extra_validators)
        # Not an inline validate_email: Optional() ends the e-mail field's chain when it is empty.
        if self.as_journalist.data and not (self.email.data or "").strip():
            self.email.errors.append(_l("Journalists must give an e-mail address."))
            return False
        return valid

    def validate_birth_date(self, field: DateField) -> None:
        today = local_today()
        if field.data > today or field.data.year < 1900:
            raise ValidationError(_l("Enter a real date of birth."))
        if age_on(field.data, today) < REGISTRATION_MIN_AGE:
            raise ValidationError(
                _l("You must be at least %(age)d years old to register.", age=REGISTRATION_MIN_AGE)
            )

    def validate_guardian_consent(self, field: BooleanField) -> None:
        born = self.birth_date.data
        if born and age_on(born, local_today()) < GUARDIAN_AGE and not field.data:
            raise ValidationError(
                _l("Entrants under 16 need the agreement of a parent or guardian.")
            )


class LoginForm(FlaskForm):
    identifier = StringField(
        _l("Phone number or e-mail"),
        validators=[DataRequired(_l("Enter your phone number or e-mail."))],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Remember me on this device"))
    next = HiddenField()


class ConfirmPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class ResetRequestForm(FlaskForm):
    identifier = StringField(
        _l("Phone number or e-mail"),
        validators=[DataRequired(_l("Enter your phone number or e-mail."))],
        render_kw={"autocomplete": "username"},
    )


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Choose a password.")), _check_password],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[EqualTo("password", _l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


class ResetCodeForm(NewPasswordForm):
    phone = TelField(
        _l("Mobile phone"),
        validators=[DataRequired(_l("Enter your mobile phone number.")), _check_phone],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
    code = StringField(
        _l("Code from the text message"),
        validators=[DataRequired(_l("Enter the six-digit code.")), Length(6, 6,
                    _l("The code has six digits."))],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"},
    )


class ProfileForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        validators=[Optional(), Email(_l("Enter a valid e-mail address.")), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    gender = SelectField(_l("Gender"), choices=GENDER_CHOICES, validators=[Optional()])
    unit_id = SelectField(_l("Unit (commune, ward, agency or school)"), coerce=str,
                          validators=[Optional()])
    ethnicity = SelectField(_l("Ethnicity"), validators=[Optional()])
    outlet = StringField(_l("Newspaper, station or site you work for"),
                         validators=[Optional(), Length(max=200)])
    locale = SelectField(_l("Language"), choices=choices([("vi", "Tiếng Việt"), ("en", "English")]))

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.ethnicity.choices = ethnicity_choices()


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(_l("Enter your password to confirm."))],
        render_kw={"autocomplete": "current-password"},
    )
    confirm = BooleanField(
        _l("I understand that my name and contact details will be erased for good"),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )


class RoleForm(FlaskForm):
    role = HiddenField(validators=[DataRequired()])
    action = HiddenField(validators=[DataRequired()])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=300)])


class IssueResetLinkForm(FlaskForm):
    checked = BooleanField(
        _l("I have checked this person's identity (citizen ID card seen, or a call to the "
           "registered phone number)"),
        validators=[DataRequired(_l("Confirm that you checked the person's identity."))],
    )
    note = TextAreaField(_l("How identity was checked"),
                         validators=[DataRequired(_l("Say how you checked.")), Length(max=300)])
