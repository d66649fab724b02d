"""Error pages in the reader's language, for people and for the JSON API."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from contest.extensions import db
from contest.i18n import LANG_COOKIE


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood. Go back, reload the "
                                  "page and try again.")),
        403: (_("Not allowed"), _("Your account does not have access to this page.")),
        404: (_("Page not found"), _("There is no page at this address. Check the link or go "
                                     "to the home page.")),
        405: (_("Not allowed"), _("This address does not accept that kind of request.")),
        413: (_("File too large"), _("What you sent is larger than the limit. Make the file "
                                     "smaller and try again.")),
        429: (_("Too many attempts"), _("You have tried too often in a short time. Wait a few "
                                        "minutes and try again.")),
        500: (_("Something went wrong"), _("An error occurred on our side. Nothing was saved "
                                           "from this request. Try again in a moment.")),
    }


def render_error(code: int, detail: str | None = None):  # noqa: ANN201
    title, message = _messages().get(code, _messages()[500])
    if detail:
        message = detail
    if request.path.startswith("/api/"):
        return {"error": title, "message": message, "status": code}, code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def unavailable(limits: bool = False):  # noqa: ANN201
    """503 while the database does not answer (a restart, a failover, a full pool): a page that
    reads nothing from the database, and Retry-After for clients that honour it. The language
    comes from the cookie alone (the account's own setting is in the database).

    With ``limits``: Redis (the rate limiter's storage, the shared cache) does not answer.
    Routes that count attempts (log-in, registration, resets) then refuse with this page rather
    than run without their limits and account locks; pages that need neither go on working."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001, S110 - the connection is gone; the pool replaces it
        pass
    chosen = request.cookies.get(LANG_COOKIE)
    lang = chosen if chosen in current_app.config["LANGUAGES"] else \
        current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(lang):
        title = _("Busy for a moment")
        message = _("The site cannot reach its database for a moment. Nothing was saved from "
                    "this request; what you saved before is kept. Try again in a minute.")
        if limits:
            message = _("This part of the site is paused for a moment. Nothing was saved from "
                        "this request. Try again in a minute.")
        headers = {"Retry-After": "30", "Cache-Control": "no-store"}
        if request.path.startswith("/api/"):
            return {"error": title, "message": message, "status": 503}, 503, headers
        # Straight from the Jinja environment: the context processors of render_template may
        # read the database (the signed-in account, the campaign's settings).
        page = current_app.jinja_env.get_template("errors/unavailable.html").render(
            title=title, message=message, lang=lang)
    return page, 503, headers


def init_app(app: Flask) -> None:
    app.register_error_handler(OperationalError, lambda _error: unavailable())
    app.register_error_handler(InterfaceError, lambda _error: unavailable())
    app.register_error_handler(PoolTimeout, lambda _error: unavailable())
    try:
        from redis.exceptions import ConnectionError as RedisDown
        from redis.exceptions import TimeoutError as RedisSlow
    except ImportError:  # pragma: no cover - redis comes with the limiter's storage
        pass
    else:
        app.register_error_handler(RedisDown, lambda _error: unavailable(limits=True))
        app.register_error_handler(RedisSlow, lambda _error: unavailable(limits=True))

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):  # noqa: ANN202
        return render_error(400, _("This form has expired or was sent from another page. "
                                   "Reload the page and send it again."))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):  # noqa: ANN202
        code = error.code or 500
        if code not in _messages():
            return error
        return render_error(code)

    @app.errorhandler(500)
    def _server(error: Exception):  # noqa: ANN202
        db.session.rollback()
        return render_error(500)
