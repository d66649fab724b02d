"""Audit events are append-only: the ORM refuses to change or remove one (row by row or in
bulk), PostgreSQL refuses it for any SQL (a trigger), and walking every route of the
application, as every kind of user, never issues an UPDATE or DELETE on the table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import delete, event, select, text, update
from sqlalchemy.exc import DBAPIError

from contest import audit
from contest.accounts.models import Role
from contest.audit import AppendOnly, AuditEvent
from contest.extensions import db


def _rows() -> list[tuple]:
    db.session.expire_all()
    return [(e.id, e.at, e.actor_id, e.action, e.subject_type, e.subject_id, e.reason,
             e.details) for e in db.session.execute(select(AuditEvent).order_by(AuditEvent.id))
            .scalars()]


@pytest.fixture
def one_event(app, make_user):  # noqa: ANN001, ANN201
    organizer = make_user(Role.ORGANIZER, full_name="Ban tổ chức")
    ev = audit.record(organizer.id, "round.close", "quiz_round", 7, "đóng sớm", early=True)
    db.session.commit()
    return ev


def test_the_orm_refuses_to_change_an_event(one_event):
    before = _rows()
    one_event.reason = "viết lại"
    with pytest.raises(AppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEvent, one_event.id))
    with pytest.raises(AppendOnly):
        db.session.commit()
    db.session.rollback()
    assert _rows() == before


@pytest.mark.parametrize("statement", [
    lambda: update(AuditEvent).values(reason="x"),
    lambda: update(AuditEvent).where(AuditEvent.id > 0).values(actor_id=None),
    lambda: delete(AuditEvent),
])
def test_the_orm_refuses_bulk_changes(one_event, statement):
    before = _rows()
    with pytest.raises(AppendOnly):
        db.session.execute(statement())
    db.session.rollback()
    assert _rows() == before


def test_postgresql_refuses_any_sql_change(one_event):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the trigger is PostgreSQL's; SQLite relies on the ORM rule")
    before = _rows()
    for sql in ("UPDATE audit_events SET reason = 'x'", "DELETE FROM audit_events",
                "UPDATE audit_events SET details = '{}'"):
        with db.engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text(sql))
    assert _rows() == before


def test_no_module_writes_an_update_or_delete_of_events():
    """Outside contest/audit.py no code names the table in an UPDATE or DELETE."""
    root = Path(__file__).resolve().parents[2] / "contest"
    pattern = re.compile(r"(update|delete)\(\s*(audit\.)?AuditEvent|"
                         r"(UPDATE|DELETE FROM)\s+audit_events", re.I)
    offenders = [str(path) for path in root.rglob("*.py")
                 if path.name != "audit.py" and pattern.search(path.read_text("utf-8"))]
    assert offenders == []


@pytest.fixture
def demo(app):  # noqa: ANN001, ANN201
    from contest.demo import load_demo

    load_demo(lambda _line: None)
    return app


def _fill(rule) -> str | None:  # noqa: ANN001
    args = {}
    for name in rule.arguments:
        if rule.defaults and name in rule.defaults:
            continue
        converter = rule._converters[name]
        kind = type(converter).__name__
        if kind == "AnyConverter":
            args[name] = sorted(converter.items)[0] if hasattr(converter, "items") else "x"
        elif kind in ("IntegerConverter", "NumberConverter", "IdConverter"):
            args[name] = 1
        else:
            args[name] = "x"
    try:
        return rule.build(args, append_unknown=False)[1]
    except Exception:  # noqa: BLE001 - a value the rule cannot hold is not a request to make
        return None


def test_no_route_changes_or_removes_an_event(demo, login_as, one_event):
    """Every route, GET and POST (with and without a reason), as every kind of user."""
    changes: list[str] = []

    def watch(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001, PLR0913
        if re.match(r"\s*(UPDATE|DELETE\s+FROM)\s+\"?audit_events\b", statement, re.I):
            changes.append(statement)

    before = _rows()
    assert len(before) > 1
    clients = [demo.test_client(), login_as(), login_as(Role.JOURNALIST), login_as(Role.JUDGE),
               login_as(Role.ORGANIZER), login_as(Role.ADMIN)]
    event.listen(db.engine, "before_cursor_execute", watch)
    try:
        for rule in sorted(demo.url_map.iter_rules(), key=lambda r: r.rule):
            url = _fill(rule)
            if url is None or rule.endpoint == "static" or url == "/logout":
                continue
            for client in clients:
                if "GET" in rule.methods:
                    client.get(url)
                if "POST" in rule.methods:
                    client.post(url, data={"reason": "thử", "confirm": "y"})
    finally:
        event.remove(db.engine, "before_cursor_execute", watch)
    assert changes == []
    after = _rows()
    assert after[:len(before)] == before  # every event as it was; new ones only appended
