"""Text messages, through the outbox (:mod:`contest.outbox`) and a pluggable sender.

:func:`send_sms` only queues the message in the caller's transaction; it leaves after the
commit. :func:`deliver_sms` is the transport the outbox calls. ``SMS_SENDER`` names the sender
class as ``module:Class``; it is built with the app config and must offer ``send(phone, text)``
(a sender whose ``send`` also takes ``key`` gets the outbox id, the same on every attempt, so a
gateway can drop a repeated request). It may raise
:class:`contest.outbox.errors.Undeliverable` for a refusal no retry can cure. The default writes
to the log; :mod:`contest.outbox.gateways` has an HTTP gateway and eSMS.vn. With
``CAPTURE_MESSAGES`` (tests) every delivered message is also kept in
``app.extensions["sms_outbox"]``.
"""

from __future__ import annotations

import importlib
import inspect
import logging
from dataclasses import dataclass
from typing import Any, Protocol

from flask import current_app

from contest.outbox.models import Kind
from contest.outbox.queue import enqueue

log = logging.getLogger("contest.sms")


class SmsSender(Protocol):
    def send(self, phone: str, text: str) -> None: ...


@dataclass
class SmsMessage:
    phone: str
    text: str


class LogSender:
    """Writes each message to the application log instead of sending it."""

    def __init__(self, config: dict) -> None:
        self.config = config

    def send(self, phone: str, text: str) -> None:
        log.info("sms to %s: %s", phone, text)


def sms_outbox() -> list[SmsMessage]:
    """Messages delivered while ``CAPTURE_MESSAGES`` is on (tests)."""
    return current_app.extensions.setdefault("sms_outbox", [])


def _sender() -> SmsSender:
    sender = current_app.extensions.get("sms_sender")
    if sender is None:
        module_name, _, class_name = current_app.config["SMS_SENDER"].partition(":")
        cls = getattr(importlib.import_module(module_name), class_name)
        sender = current_app.extensions["sms_sender"] = cls(current_app.config)
    return sender


def send_sms(phone: str, text: str) -> None:
    """Queue one text message; it is sent after the caller commits."""
    enqueue(Kind.SMS, phone, text)


def deliver_sms(message: Any) -> None:
    """Send one queued message now (``recipient``, ``body``, ``id``)."""
    sender = _sender()
    if "key" in inspect.signature(sender.send).parameters:
        sender.send(message.recipient, message.body,  # type: ignore[call-arg]
                    key=f"outbox-{message.id}")
    else:
        sender.send(message.recipient, message.body)
    if current_app.config.get("CAPTURE_MESSAGES"):
        sms_outbox().append(SmsMessage(message.recipient, message.body))
