"""Outgoing mail: written to the application log by default, sent by SMTP when MAIL_SERVER is set.

With ``CAPTURE_MESSAGES`` (tests) every message is also kept in ``app.extensions["outbox"]``.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger("contest.mail")


def outbox() -> list[EmailMessage]:
    return current_app.extensions.setdefault("outbox", [])


def send_mail(to: str, subject: str, body: str) -> None:
    """Send one plain-text message to one address."""
    cfg = current_app.config
    msg = EmailMessage()
    msg["From"] = cfg["MAIL_SENDER"]
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    if cfg.get("CAPTURE_MESSAGES"):
        outbox().append(msg)
    if not cfg.get("MAIL_SERVER"):
        log.info("mail to %s: %s\n%s", to, subject, body)
        return
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
