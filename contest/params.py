"""Reading numbers from URLs, query strings and forms the way a person means them.

Python's ``int()`` accepts ``١٢`` (Arabic-Indic digits), ``+1``, ``-0``, ``1_000`` and numbers far
beyond what a database column holds; a request carrying such a value must get a clear answer
(the value ignored, a 400 or a 404), never a server error. Ids in paths and numbers in query
strings are plain ASCII digits within the range of a PostgreSQL ``integer``.
"""

from __future__ import annotations

import re

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


def refuse_nul_characters() -> None:
    """Before every request: a query string or form value holding a NUL character is refused
    with a 400. No person types one, PostgreSQL text cannot store one, and letting it reach a
    query would turn a crafted link into a server error instead of a clear answer."""
    from flask import abort, request

    for values in (request.args, request.form if request.mimetype in _FORM_TYPES else None):
        if values and any("\x00" in key or any("\x00" in v for v in values.getlist(key))
                          for key in values):
            abort(400)
    if "\x00" in request.path:
        abort(400)


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
