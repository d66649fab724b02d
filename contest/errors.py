"""Error pages in the reader's language, for people and for the JSON API."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from contest.extensions import db


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


def init_app(app: Flask) -> None:
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
