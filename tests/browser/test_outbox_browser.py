"""An organizer finds a message the mail server would not take and sends it again, in Chromium
at phone and desktop widths (real CSRF tokens)."""

from __future__ import annotations

import socket
from datetime import timedelta

from sqlalchemy import select

from contest import timeutil
from contest.extensions import db
from contest.mail import send_mail
from contest.outbox import worker
from contest.outbox.models import OutboxMessage
from tests.conftest import PASSWORD


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_organizer_sends_a_failed_message_again(app, live_server, page, visit_check,
                                                   make_user):
    if page is None:
        return
    organizer = make_user("organizer", email="to.chuc@example.org")
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_closed_port(), MAIL_USE_TLS=False,
                      OUTBOX_MAX_ATTEMPTS=1)
    send_mail("nguyen.thi.lan.nguoi.du.thi@example.org", "Xác nhận địa chỉ e-mail", "link")
    db.session.commit()  # the one attempt fails: the SMTP port refuses
    worker.run_once(now=timeutil.utcnow() + timedelta(minutes=1))
    page.goto(live_server("/login"))
    page.fill("#identifier", organizer.email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.locator("main form button[type=submit]").click()
    page.goto(live_server("/organizer/outbox"))
    assert "nguyen.thi.lan.nguoi.du.thi@example.org" in page.inner_text("main")
    visit_check(page, "failed")
    app.config["MAIL_SERVER"] = ""
    with page.expect_navigation(wait_until="load"):
        page.locator("main li.outbox-message button[type=submit]").click()
    visit_check(page, "sent-again")
    db.session.expire_all()
    [message] = db.session.execute(select(OutboxMessage)).scalars()
    assert message.status == "sent"
    assert [m["To"] for m in live_server.outbox] == ["nguyen.thi.lan.nguoi.du.thi@example.org"]
