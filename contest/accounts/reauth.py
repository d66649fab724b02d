"""Fresh password entry before sensitive actions.

A password typed at log-in (or on the confirmation page) makes the session fresh for
``REAUTH_MAX_AGE`` seconds. A session restored from a remember-me cookie is never fresh, and a
stale one is sent to the confirmation page, which brings the person back where they were.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_fresh

from contest import timeutil

F = TypeVar("F", bound=Callable[..., Any])

AUTH_AT = "auth_at"


def mark_fresh() -> None:
    """Record that the password was typed just now in this session."""
    from contest.extensions import login_manager

    session["_fresh"] = True
    session[AUTH_AT] = timeutil.utcnow().timestamp()
    # Flask-Login marks a session stale whenever this browser fingerprint differs from the
    # stored one; a session restored from a remember-me cookie has none stored yet.
    session["_id"] = login_manager._session_identifier_generator()


def is_fresh() -> bool:
    if not login_fresh():
        return False
    typed_at = session.get(AUTH_AT)
    if not isinstance(typed_at, int | float):
        return False
    return 0 <= timeutil.utcnow().timestamp() - typed_at <= current_app.config["REAUTH_MAX_AGE"]


def _come_back_to() -> str:
    """Where to return after confirming: this page for a GET, the page the form was on for a
    POST (its input is not replayed: a state change is never made by a redirect)."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/"):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return url_for("accounts.profile")


def ask_password():  # noqa: ANN201
    """The response that sends the person to confirm their password, then back."""
    flash(_("For your security, enter your password again to continue."), "info")
    return redirect(url_for("accounts.confirm_password", next=_come_back_to()))


def fresh_required(view: F) -> F:
    """View decorator: log in first, then a fresh password entry (see :func:`is_fresh`)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        from contest.extensions import login_manager

        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not is_fresh():
            return ask_password()
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]
