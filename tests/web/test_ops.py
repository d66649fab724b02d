"""Health, readiness and request ids."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text

from contest.extensions import db


def test_healthz_says_the_process_is_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_checks_the_database_and_the_migrations(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok" and body["checks"]["migrations"] == "ok"
    assert "redis" not in body["checks"]  # rate limits kept in memory in the tests
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_503_when_the_schema_is_behind(app, client):
    [current] = db.session.execute(text("SELECT version_num FROM alembic_version")).scalars()
    db.session.execute(text("UPDATE alembic_version SET version_num = 'old'"))
    db.session.commit()
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        body = response.get_json()
        assert body["status"] == "not ready"
        assert body["checks"]["migrations"].startswith("at old, code expects ")
    finally:
        db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": current})
        db.session.commit()


@pytest.fixture
def dead_redis(app_config):
    app_config["RATELIMIT_STORAGE_URI"] = "redis://127.0.0.1:1/0"


def test_readyz_is_503_when_redis_is_unreachable(dead_redis, client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["redis"].startswith("unreachable")


def test_every_response_has_a_request_id_and_every_log_line_too(app, client, caplog):
    @app.get("/_log_something")
    def log_something():
        logging.getLogger("contest.test").warning("something happened")
        return "ok"

    first = client.get("/_log_something").headers["X-Request-ID"]
    second = client.get("/_log_something").headers["X-Request-ID"]
    assert first != second and len(first) == 16

    from contest.ops import RequestIdFilter

    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.INFO):
        response = client.get("/_log_something", headers={"X-Request-ID": "proxy-abc-123"})
    assert response.headers["X-Request-ID"] == "proxy-abc-123"
    record = [r for r in caplog.records if r.getMessage() == "something happened"][-1]
    assert record.request_id == "proxy-abc-123"

    # A header that is not a short plain token is replaced, never echoed.
    odd = client.get("/_log_something", headers={"X-Request-ID": "<script>" * 20})
    assert "<" not in odd.headers["X-Request-ID"]
    assert len(odd.headers["X-Request-ID"]) == 16
