"""Language and time-zone choice, and the template helpers that format for the reader."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, current_app, g, request
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    get_locale,
    get_translations,
    ngettext,
)
from flask_login import current_user

LANG_COOKIE = "lang"
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


def select_locale() -> str:
    """The account's language, else the remembered cookie, else Vietnamese."""
    languages = current_app.config["LANGUAGES"]
    if getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def _datetime(value: datetime | None, fmt: str = "short") -> str:
    return "" if value is None else format_datetime(value, fmt)


def _date(value: date | None, fmt: str = "short") -> str:
    return "" if value is None else format_date(value, fmt)


def file_size(value: int | None) -> str:
    """A file's size for the reader: "614 bytes", "1,2 KB", "3,5 MB" (1 KB = 1,024 bytes), with
    the reader's decimal mark; replaces Jinja's ``filesizeformat``, whose units are English."""
    if value is None:
        return ""
    size = int(value)
    if size < 1024:
        return ngettext("%(num)d byte", "%(num)d bytes", size)
    amount = float(size)
    for unit in ("KB", "MB", "GB"):
        amount /= 1024
        if amount < 1024 or unit == "GB":
            break
    return f"{format_decimal(round(amount, 1), format='#,##0.#')} {unit}"


def field_attrs(field: object, hint: object = None) -> dict[str, str]:
    """ARIA attributes tying a form input to its hint and error message."""
    ident = field.id  # type: ignore[attr-defined]
    described = []
    if hint:
        described.append(f"{ident}-hint")
    attrs = {}
    if field.errors:  # type: ignore[attr-defined]
        described.append(f"{ident}-error")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return attrs


def _translations():  # noqa: ANN202 - babel's Translations or NullTranslations
    """The catalogue of the current language, looked up once per language in a request (a
    page calls ``_()`` dozens of times; Flask-Babel finds the catalogue anew for each call).
    The entry is keyed by the locale object Flask-Babel keeps for the request, so
    ``force_locale`` and ``refresh`` still switch the language."""
    store = g._get_current_object().__dict__
    locale = getattr(store.get("_flask_babel"), "babel_locale", None)
    memo = store.get("_i18n_catalogue")
    if memo is not None and locale is not None and memo[0] is locale:
        return memo[1]
    memo = store["_i18n_catalogue"] = (get_locale(), get_translations())
    return memo[1]


def init_app(app: Flask) -> None:
    # The same callables as Flask-Babel installs, reading the per-request catalogue.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals["field_attrs"] = field_attrs
    app.jinja_env.filters["datetime"] = _datetime
    app.jinja_env.filters["date"] = _date
    app.jinja_env.filters["filesizeformat"] = file_size

    @app.context_processor
    def _language() -> dict:
        return {
            "current_locale": str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"]),
            "language_names": LANGUAGE_NAMES,
        }
