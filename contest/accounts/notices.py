"""Messages that tell a person about a change to their account, each with a way to report it.

A notice goes to the e-mail address the account had before the change, or by SMS to its phone
when it has no address, in the account's language.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app, url_for
from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _

from contest.accounts import tokens
from contest.accounts.identity import mask_phone
from contest.accounts.models import User
from contest.mail import send_mail
from contest.sms import send_sms


def report_link(user: User, old_email: str | None) -> str:
    token = tokens.make_token(current_app.config["SECRET_KEY"], tokens.REPORT,
                              {"u": user.id, "old": old_email or ""})
    return url_for("accounts.report_change", token=token, _external=True)


def _locale(user: User) -> str:
    return user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]


def _deliver(user: User, email: str | None, subject: str, body: str, sms_text: str) -> None:
    if email:
        send_mail(email, subject, body)
    elif user.phone:
        send_sms(user.phone, sms_text)


def _masked_email(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:2]}•••@{domain}"


def password_changed(user: User) -> None:
    link = report_link(user, user.email)
    with force_locale(_locale(user)):
        _deliver(
            user, user.email, _("Your password was changed"),
            _("Hello %(name)s,\n\nThe password of your account was just changed, and every "
              "device signed in to it was logged out.\n\nIf you did not do this, open this link "
              "at once to report it:\n%(link)s", name=user.full_name, link=link),
            _("The password of your account was changed. Not you? Report it: %(link)s",
              link=link),
        )


def email_change_requested(user: User, old_email: str | None, new_email: str) -> None:
    link = report_link(user, old_email)
    with force_locale(_locale(user)):
        _deliver(
            user, old_email, _("Your e-mail address is being changed"),
            _("Hello %(name)s,\n\nSomeone signed in to your account asked to change its e-mail "
              "address to %(new)s. The change happens when that address is confirmed.\n\n"
              "If you did not ask for it, open this link to stop it and log out every device:\n"
              "%(link)s", name=user.full_name, new=_masked_email(new_email), link=link),
            _("Your account's e-mail is being changed to %(new)s. Not you? Report it: "
              "%(link)s", new=_masked_email(new_email), link=link),
        )


def email_removed(user: User, old_email: str) -> None:
    link = report_link(user, old_email)
    with force_locale(_locale(user)):
        _deliver(
            user, old_email, _("Your e-mail address was removed"),
            _("Hello %(name)s,\n\nThe e-mail address was removed from your account. If you did "
              "not do this, open this link to bring it back and log out every device:\n%(link)s",
              name=user.full_name, link=link),
            "",
        )


def account_locked(user: User, until: datetime) -> None:
    reset = url_for("accounts.reset_request", _external=True)
    with force_locale(_locale(user)):
        when = format_datetime(until, "short")
        _deliver(
            user, user.email, _("Log-in to your account is paused"),
            _("Hello %(name)s,\n\nThe wrong password was entered for your account many times, "
              "so log-in is paused until %(when)s. If it was not you, someone may be guessing "
              "your password: choose a new one here (this also lifts the pause):\n%(link)s",
              name=user.full_name, when=when, link=reset),
            _("Many wrong passwords were entered for your account (%(phone)s); log-in is paused "
              "until %(when)s. New password: %(link)s",
              phone=mask_phone(user.phone or ""), when=when, link=reset),
        )
