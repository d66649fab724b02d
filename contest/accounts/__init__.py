"""Accounts: registration, sign-in, roles, e-mail verification, password reset, own data."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, g, request
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user

from contest.extensions import db


def init_app(app: Flask, login_manager: LoginManager) -> None:
    from contest.accounts import sessions
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
        # The session (or remember-me cookie) names a sign-in record; without a live one,
        # a copied cookie opens nothing.
        found = sessions.resolve(user_id)
        if found is None:
            return None
        user, row = found
        g.login_session = row
        return user

    @app.before_request
    def _note_device_seen() -> None:
        # Load the account before the view runs, so that the note below is committed on its
        # own and never together with half of a view's work.
        if request.endpoint == "static" or not current_user.is_authenticated:
            return
        if getattr(app.view_functions.get(request.endpoint or ""), "not_a_visit", False):
            return
        row = g.get("login_session")
        if row is not None and sessions.needs_touch(row, timedelta(minutes=1)):
            sessions.touch(row, request.remote_addr or "")
            # The account and its sign-in record stay as loaded: the note changed neither.
            session = db.session()
            session.expire_on_commit = False
            try:
                session.commit()
            finally:
                session.expire_on_commit = True
