"""The outbox: messages leave only after the commit that queued them, failures are tried again
with growing pauses and then wait for an organizer, who can send them again."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from sqlalchemy import select

from contest import timeutil
from contest.audit import AuditEvent
from contest.extensions import db
from contest.mail import send_mail
from contest.outbox import worker
from contest.outbox.models import OutboxMessage
from contest.sms import send_sms


def rows() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def captured(app) -> list:  # noqa: ANN001
    return app.extensions.setdefault("outbox", [])


def closed_port() -> int:
    """A local port nothing listens on: SMTP to it is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_message_leaves_only_after_the_commit(app):
    send_mail("lan@example.org", "Chào", "Nội dung")
    send_sms("+84912345678", "Mã 123456")
    assert captured(app) == [] and app.extensions.get("sms_outbox", []) == []
    db.session.commit()
    [mail] = captured(app)
    assert mail["To"] == "lan@example.org" and mail.get_content().strip() == "Nội dung"
    [sms] = app.extensions["sms_outbox"]
    assert (sms.phone, sms.text) == ("+84912345678", "Mã 123456")
    assert [(m.kind, m.status, m.attempts) for m in rows()] == [("mail", "sent", 1),
                                                                ("sms", "sent", 1)]
    assert all(m.sent_at is not None for m in rows())


def test_a_rolled_back_message_is_never_sent(app):
    send_mail("lan@example.org", "Huỷ", "không gửi")
    db.session.rollback()
    assert rows() == []
    # The next transaction delivers its own message and nothing of the rolled-back one.
    send_mail("hoa@example.org", "Gửi", "có gửi")
    db.session.commit()
    assert [m["To"] for m in captured(app)] == ["hoa@example.org"]
    assert [m.recipient for m in rows()] == ["hoa@example.org"]


def test_a_rolled_back_savepoint_sends_nothing_and_the_outer_commit_sends_the_rest(app):
    send_mail("outer@example.org", "Giữ", "giữ")
    savepoint = db.session.begin_nested()
    send_mail("inner@example.org", "Bỏ", "bỏ")
    db.session.flush()
    savepoint.rollback()
    db.session.commit()
    assert [m["To"] for m in captured(app)] == ["outer@example.org"]
    assert [m.recipient for m in rows()] == ["outer@example.org"]


def test_a_refused_registration_queues_no_mail(app, client, make_user):
    make_user(email="taken@example.org")
    captured(app).clear()
    response = client.post("/register", data={
        "full_name": "Lò Thị Mai", "phone": "0987000111", "email": "taken@example.org",
        "password": "correct horse battery", "confirm": "correct horse battery",
        "birth_date": "1990-01-02", "consent": "y"})
    assert response.status_code == 400
    assert captured(app) == [] and rows() == []


def test_the_same_message_id_on_every_attempt(app):
    from contest.mail import message_id

    send_mail("lan@example.org", "A", "x")
    send_mail("lan@example.org", "A", "y")
    db.session.commit()
    first, second = captured(app)
    assert first["Message-ID"] != second["Message-ID"]
    [row, _other] = rows()
    assert first["Message-ID"] == message_id(row, app.config["MAIL_SENDER"])


def test_backoff_doubles_up_to_its_cap():
    assert [worker.backoff(n, 60, 600).total_seconds() for n in range(1, 7)] == \
        [60, 120, 240, 480, 600, 600]


@pytest.fixture
def failing_smtp(app_config):
    app_config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=closed_port(), MAIL_USE_TLS=False,
                      OUTBOX_DELIVERY="worker", OUTBOX_MAX_ATTEMPTS=3,
                      OUTBOX_BACKOFF_SECONDS=60, OUTBOX_BACKOFF_MAX_SECONDS=3600)
    return app_config


def test_a_failure_is_tried_again_with_growing_pauses_then_fails(failing_smtp, app):
    send_mail("lan@example.org", "Chào", "x")
    db.session.commit()
    assert [m.status for m in rows()] == ["queued"]  # worker mode: nothing sent in-process
    t0 = timeutil.utcnow()
    assert worker.run_once(now=t0, clock=lambda: t0)["retry"] == 1
    [m] = rows()
    assert (m.status, m.attempts, m.next_attempt_at) == ("queued", 1, t0 + timedelta(seconds=60))
    assert "ConnectionRefusedError" in m.last_error
    # Not due yet: nothing is claimed.
    assert worker.run_once(now=t0 + timedelta(seconds=59))["claimed"] == 0
    t1 = t0 + timedelta(seconds=61)
    assert worker.run_once(now=t1, clock=lambda: t1)["retry"] == 1
    [m] = rows()
    assert (m.status, m.attempts, m.next_attempt_at) == ("queued", 2,
                                                         t1 + timedelta(seconds=120))
    t2 = t1 + timedelta(seconds=121)
    assert worker.run_once(now=t2, clock=lambda: t2)["failed"] == 1
    [m] = rows()
    assert (m.status, m.attempts) == ("failed", 3)
    # A failed message is never claimed again by itself.
    assert worker.run_once(now=t2 + timedelta(days=1))["claimed"] == 0
    assert captured(app) == []


def test_a_worker_that_died_leaves_its_messages_to_another_after_the_lease(app_config, app):
    app.extensions["outbox_mode"] = "worker"
    send_mail("lan@example.org", "Chào", "x")
    db.session.commit()
    now = timeutil.utcnow()
    with worker.new_session() as session:
        [claimed] = worker.claim(session, now, lease_seconds=300)  # and never delivered
    assert worker.run_once(now=now + timedelta(seconds=299))["claimed"] == 0
    assert worker.run_once(now=now + timedelta(seconds=301))["sent"] == 1
    assert [(m.status, m.attempts) for m in rows()] == [("sent", 2)]
    assert claimed.attempts == 1


def exhaust(app) -> OutboxMessage:  # noqa: ANN001
    """Queue one mail and let every attempt fail (the SMTP server refuses connections)."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=closed_port(), MAIL_USE_TLS=False,
                      OUTBOX_MAX_ATTEMPTS=2)
    send_mail("lan@example.org", "Đặt lại mật khẩu", "secret-link-123")
    db.session.commit()  # sync mode: the first attempt fails right after the commit
    later = timeutil.utcnow() + timedelta(hours=2)
    worker.run_once(now=later, clock=lambda: later)
    [m] = rows()
    assert (m.status, m.attempts) == ("failed", 2)
    return m


def test_an_organizer_sees_failed_messages_and_sends_one_again(app, login_as):
    message = exhaust(app)
    organizer = login_as("organizer")
    page = organizer.get("/organizer/outbox").get_data(as_text=True)
    assert "lan@example.org" in page and "Đặt lại mật khẩu" in page
    assert "ConnectionRefusedError" in page
    assert "secret-link-123" not in page  # bodies hold links and codes: never shown
    assert "lan@example.org" in organizer.get("/organizer/outbox?status=failed").get_data(
        as_text=True)
    assert "lan@example.org" not in organizer.get("/organizer/outbox?status=queued").get_data(
        as_text=True)
    # The operator mends the mail settings; the organizer sends the message again.
    app.config["MAIL_SERVER"] = ""
    response = organizer.post(f"/organizer/outbox/{message.id}/retry")
    assert response.status_code == 302
    [mail] = captured(app)
    assert mail["To"] == "lan@example.org"
    [m] = rows()
    assert (m.status, m.attempts) == ("sent", 1)
    [event] = db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "outbox.retry")).scalars()
    assert event.actor_id == organizer.user.id and event.subject_id == str(message.id)
    assert event.details["status"] == "failed" and event.details["attempts"] == 2
    # Sending it again once sent is refused and changes nothing.
    response = organizer.post(f"/organizer/outbox/{message.id}/retry", follow_redirects=True)
    assert "already been sent" in response.get_data(as_text=True) or \
        "đã được gửi" in response.get_data(as_text=True)
    assert len(captured(app)) == 1
    assert db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "outbox.retry")).scalars().all() == [event]


def test_every_failed_message_can_be_sent_again_at_once(app, login_as):
    exhaust(app)
    organizer = login_as("organizer")
    app.config["MAIL_SERVER"] = ""
    assert organizer.post("/organizer/outbox/retry-failed").status_code == 302
    assert [m.status for m in rows()] == ["sent"]
    response = organizer.post("/organizer/outbox/retry-failed", follow_redirects=True)
    assert "No message has failed" in response.get_data(as_text=True) or \
        "Không có tin nào" in response.get_data(as_text=True)


def test_the_outbox_page_is_for_organizers_only(app, login_as, client):
    exhaust(app)
    [m] = rows()
    for who in (login_as("judge"), login_as("journalist"), login_as("unit_coordinator"),
                login_as()):
        assert who.get("/organizer/outbox").status_code == 403
        assert who.post(f"/organizer/outbox/{m.id}/retry").status_code == 403
    assert client.get("/organizer/outbox").status_code in (302, 401)
    assert [x.status for x in rows()] == ["failed"]


def test_an_unknown_message_is_refused(app, login_as):
    organizer = login_as("organizer")
    response = organizer.post("/organizer/outbox/999999/retry", follow_redirects=True)
    assert response.status_code == 200
    assert "There is no such message" in response.get_data(as_text=True) or \
        "Không có tin" in response.get_data(as_text=True)


def test_the_worker_command_delivers_what_is_due(app_config, app):
    app.extensions["outbox_mode"] = "worker"
    send_mail("lan@example.org", "A", "x")
    send_sms("+84912345678", "B")
    db.session.commit()
    assert captured(app) == []
    runner = app.test_cli_runner()
    result = runner.invoke(args=["outbox", "status"])
    assert "2 queued" in result.output
    result = runner.invoke(args=["outbox", "work", "--once"])
    assert result.exit_code == 0, result.output
    assert "done: 2 sent, 0 to retry, 0 failed" in result.output
    assert [m.status for m in rows()] == ["sent", "sent"]
    assert len(captured(app)) == 1 and len(app.extensions["sms_outbox"]) == 1
    # purge keeps recent sent messages and deletes old ones
    assert "0 sent messages deleted" in runner.invoke(args=["outbox", "purge"]).output
    for m in rows():
        m.sent_at = timeutil.utcnow() - timedelta(days=40)
    db.session.commit()
    assert "2 sent messages deleted" in runner.invoke(args=["outbox", "purge"]).output
    assert rows() == []


def test_thread_mode_delivers_in_the_background_after_the_commit(app_config):
    import time

    from contest import create_app

    app_config["OUTBOX_DELIVERY"] = "thread"
    app = create_app(app_config)
    with app.app_context():
        try:
            send_mail("lan@example.org", "Nền", "x")
            db.session.rollback()
            send_mail("hoa@example.org", "Nền", "y")
            db.session.commit()
            deadline = time.monotonic() + 10
            # The courier records "sent" just after the capture; wait for the record.
            while [m.status for m in rows()] != ["sent"] and time.monotonic() < deadline:
                time.sleep(0.02)
            assert [m["To"] for m in captured(app)] == ["hoa@example.org"]
            assert [(m.recipient, m.status) for m in rows()] == [("hoa@example.org", "sent")]
        finally:
            app.extensions["outbox_courier"].stop.set()
            app.extensions["outbox_courier"].wake.set()
            db.session.execute(OutboxMessage.__table__.delete())
            db.session.commit()
            db.session.remove()

