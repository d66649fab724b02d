"""Counting SQL statements per request, for the benchmarks only.

With ``SQL_COUNT_HEADER=1`` in the environment (``bench/quiz_flow.py`` sets it), every response
carries ``X-SQL-Statements`` (statements sent through SQLAlchemy while the request ran) and
``X-DB-Checkouts`` (connections taken from the pool). Off by default: the header tells an
outsider how much work a page costs, so production never sends it.
"""

from __future__ import annotations

import os

from flask import Flask, Response, g, has_request_context
from sqlalchemy import event

from contest.extensions import db

ENV = "SQL_COUNT_HEADER"


def _count(name: str) -> None:
    if has_request_context():
        setattr(g, name, g.get(name, 0) + 1)


def init_app(app: Flask) -> None:
    if os.environ.get(ENV) != "1" and not app.config.get(ENV):
        return

    def _statement(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001, ARG001
        _count("_sql_statements")

    def _checkout(dbapi_connection, connection_record, connection_proxy) -> None:  # noqa: ANN001, ARG001
        _count("_db_checkouts")

    with app.app_context():  # this app's engines only (no connection is made here)
        for engine in db.engines.values():
            event.listen(engine, "before_cursor_execute", _statement)
            event.listen(engine.pool, "checkout", _checkout)

    @app.after_request
    def _header(response: Response) -> Response:
        response.headers["X-SQL-Statements"] = str(g.get("_sql_statements", 0))
        response.headers["X-DB-Checkouts"] = str(g.get("_db_checkouts", 0))
        return response
