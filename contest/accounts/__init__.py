"""Accounts: registration, sign-in, roles, e-mail verification, password reset, own data."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager

from contest.extensions import db


def init_app(app: Flask, login_manager: LoginManager) -> None:
    from contest.accounts.identity import display_phone, mask_name
    from contest.accounts.models import User

    app.jinja_env.globals.update(display_phone=display_phone, mask_name=mask_name)

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    # A remember-me cookie restores the account but sensitive pages still ask for the password.
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        ident, _, token = user_id.partition(":")
        if not ident.isdigit():
            return None
        user = db.session.get(User, int(ident))
        if user is None or user.session_token != token or not user.is_active:
            return None
        return user
