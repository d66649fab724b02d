"""Running it: readiness for a load balancer, and a request id on every log line.

* ``/readyz`` answers 200 when the database answers, Redis answers (when rate limits or the
  cache are kept there) and the schema is at the migrations' head; otherwise 503 with what is
  wrong, so a load balancer sends no traffic to a server that cannot serve it. ``/healthz``
  (contest.public.views) only says the process is up.
* Every request gets an id: the client's ``X-Request-ID`` when it is a short plain token (a
  proxy's), else a new one. It is sent back in ``X-Request-ID`` and written on every log line
  of the request (``[req <id>]``; ``[-]`` outside requests).
"""

from __future__ import annotations

import logging
import re
import secrets
from pathlib import Path

from flask import Flask, Response, current_app, g, has_request_context, jsonify, request
from sqlalchemy import text

from contest.config import ROOT
from contest.extensions import csrf, db

LOG_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
_TOKEN = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to each record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = (g.get("request_id", "-") if has_request_context() else "-")
        return True


def _redis_urls(config: dict) -> list[str]:
    urls = [config.get("RATELIMIT_STORAGE_URI", ""), config.get("CACHE_REDIS_URL") or ""]
    return [u for u in urls if u.startswith(("redis://", "rediss://"))]


def migration_heads() -> set[str]:
    """The head revisions of the migration scripts shipped with this code."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(Path(ROOT) / "migrations"))
    return set(ScriptDirectory.from_config(config).get_heads())


def readiness() -> tuple[bool, dict[str, str]]:
    """Each check's outcome ("ok" or what failed) and whether all passed."""
    checks: dict[str, str] = {}
    try:
        current = {row[0] for row in db.session.execute(
            text("SELECT version_num FROM alembic_version")).all()}
        checks["database"] = "ok"
        heads = current_app.extensions.get("migration_heads")
        if heads is None:
            heads = current_app.extensions["migration_heads"] = migration_heads()
        checks["migrations"] = "ok" if current == heads else \
            f"at {', '.join(sorted(current)) or 'none'}, code expects {', '.join(sorted(heads))}"
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        db.session.rollback()
        checks["database"] = f"unreachable: {type(exc).__name__}"
    finally:
        db.session.rollback()
    for url in _redis_urls(current_app.config):
        import redis

        try:
            redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1).ping()
            checks["redis"] = "ok"
        except redis.RedisError as exc:
            checks["redis"] = f"unreachable: {type(exc).__name__}"
    return all(v == "ok" for v in checks.values()), checks


def init_app(app: Flask) -> None:
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(RequestIdFilter())
            handler.setFormatter(logging.Formatter(LOG_FORMAT))

    @app.before_request
    def _request_id() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _TOKEN.match(incoming) else secrets.token_hex(8)

    @app.after_request
    def _send_request_id(response: Response) -> Response:
        if "request_id" in g:
            response.headers["X-Request-ID"] = g.request_id
        return response

    @app.get("/readyz")
    @csrf.exempt
    def readyz() -> Response:
        ok, checks = readiness()
        response = jsonify({"status": "ok" if ok else "not ready", "checks": checks})
        response.status_code = 200 if ok else 503
        response.headers["Cache-Control"] = "no-store"
        return response
