"""Outgoing mail, through the outbox (:mod:`contest.outbox`).

:func:`send_mail` only queues the message in the caller's transaction; it leaves after the
commit. :func:`deliver_mail` is the transport the outbox calls: SMTP when ``MAIL_SERVER`` is
set, else the application log. With ``CAPTURE_MESSAGES`` (tests) every delivered message is also
kept in ``app.extensions["outbox"]``.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any

from flask import current_app

from contest.outbox.models import Kind
from contest.outbox.queue import enqueue

log = logging.getLogger("contest.mail")


def outbox() -> list[EmailMessage]:
    """Messages delivered while ``CAPTURE_MESSAGES`` is on (tests)."""
    return current_app.extensions.setdefault("outbox", [])


def send_mail(to: str, subject: str, body: str) -> None:
    """Queue one plain-text message to one address; it is sent after the caller commits."""
    enqueue(Kind.MAIL, to, body, subject=subject)


def message_id(message: Any, sender: str) -> str:
    """The same Message-ID on every attempt of one queued message (so a copy sent twice reads
    as one), different for any other message, even one with the same outbox id."""
    digest = hashlib.sha256("\x00".join(
        (str(message.id), message.recipient, message.subject, message.body)).encode()).hexdigest()
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return f"<outbox-{message.id}.{digest[:16]}@{domain}>"


def deliver_mail(message: Any) -> None:
    """Send one queued message now (``recipient``, ``subject``, ``body``, ``id``)."""
    cfg = current_app.config
    msg = EmailMessage()
    msg["From"] = cfg["MAIL_SENDER"]
    msg["To"] = message.recipient
    msg["Subject"] = message.subject
    msg["Message-ID"] = message_id(message, cfg["MAIL_SENDER"])
    msg.set_content(message.body)
    if not cfg.get("MAIL_SERVER"):
        log.info("mail to %s: %s\n%s", message.recipient, message.subject, message.body)
    else:
        _smtp_send(msg, cfg)
    if cfg.get("CAPTURE_MESSAGES"):
        outbox().append(msg)


def _smtp_send(msg: EmailMessage, cfg: Any) -> None:
    if cfg["MAIL_USE_SSL"]:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            cfg["MAIL_SERVER"], cfg["MAIL_PORT"], context=ssl.create_default_context(), timeout=20
        )
    else:
        smtp = smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=20)
    with smtp:
        if cfg["MAIL_USE_TLS"] and not cfg["MAIL_USE_SSL"]:
            smtp.starttls(context=ssl.create_default_context())
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        smtp.send_message(msg)
