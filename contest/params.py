"""Reading numbers from URLs, query strings and forms the way a person means them.

Python's ``int()`` accepts ``١٢`` (Arabic-Indic digits), ``+1``, ``-0``, ``1_000`` and numbers far
beyond what a database column holds; a request carrying such a value must get a clear answer
(the value ignored, a 400 or a 404), never a server error. Ids in paths and numbers in query
strings are plain ASCII digits within the range of a PostgreSQL ``integer``.
"""

from __future__ import annotations

import re

from flask import Request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

# The largest value of PostgreSQL's (and SQLite's) 32-bit integer columns.
MAX_ID = 2_147_483_647
_DIGITS = re.compile(r"[0-9]{1,10}")


def whole_number(text: str) -> int:
    """A non-negative whole number written in ASCII digits, at most ``MAX_ID``.

    For ``request.args.get(name, type=whole_number)``: anything else raises ValueError, which
    Werkzeug turns into the default value.
    """
    if not isinstance(text, str) or not _DIGITS.fullmatch(text):
        raise ValueError(f"not a whole number: {text!r}")
    value = int(text)
    if value > MAX_ID:
        raise ValueError(f"too large: {text!r}")
    return value


class IdConverter(IntegerConverter):
    """``<int:...>`` in routes: ASCII digits only, no larger than a database id can be, so an
    out-of-range id is a 404 like any other unknown id."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002, ANN001, ANN002, ANN003
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _holds_nul(values) -> bool:  # noqa: ANN001 - a MultiDict of str
    return any("\x00" in key or any("\x00" in v for v in values.getlist(key)) for key in values)


def refuse_nul_characters() -> None:
    """Before every request: a path or query string holding a NUL character is refused with a
    400. No person types one, PostgreSQL text cannot store one, and letting it reach a query
    would turn a crafted link into a server error instead of a clear answer. Form values get the
    same check from ``ContestRequest`` when the form is parsed, so that an upload view can set
    its own size limit before the body is read."""
    from flask import abort, request

    if "\x00" in request.path or _holds_nul(request.args):
        abort(400)


class ContestRequest(Request):
    """The application's request: a form value or field name holding a NUL character is a 400
    as the form is parsed, whichever code reads it first."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        if _holds_nul(self.form):
            raise BadRequest("A form value holds a NUL character.")
