"""Text messages through a pluggable sender.

``SMS_SENDER`` names a class as ``module:Class``; it is built with the app config and must offer
``send(phone, text)``. The default writes to the log; a deployment plugs its gateway in.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from typing import Protocol

from flask import current_app

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
    return current_app.extensions.setdefault("sms_outbox", [])


def _sender() -> SmsSender:
    sender = current_app.extensions.get("sms_sender")
    if sender is None:
        module_name, _, class_name = current_app.config["SMS_SENDER"].partition(":")
        cls = getattr(importlib.import_module(module_name), class_name)
        sender = current_app.extensions["sms_sender"] = cls(current_app.config)
    return sender


def send_sms(phone: str, text: str) -> None:
    if current_app.config.get("CAPTURE_MESSAGES"):
        sms_outbox().append(SmsMessage(phone, text))
    _sender().send(phone, text)
