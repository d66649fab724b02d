"""Signed, expiring tokens for e-mail verification and password reset links.

A reset token carries a fingerprint of the current password hash, so it stops working the
moment it has been used (or the password changed some other way): one link, one reset.
"""

from __future__ import annotations

import hashlib
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from contest.problems import Problem, Refused

VERIFY = "verify-email"
RESET = "reset-password"
ORGANIZER_RESET = "organizer-reset"
CHANGE_EMAIL = "change-email"
REPORT = "report-change"


class TokenError(Refused):
    """The token is tampered with, for another purpose, or expired (``expired`` tells which).

    Its problem is ``token.expired`` or ``token.invalid`` (messages in
    :mod:`contest.accounts.messages`); each view says what the link was for and what to do next.
    """

    def __init__(self, expired: bool) -> None:
        super().__init__(Problem("token.expired" if expired else "token.invalid"))
        self.expired = expired


def _serializer(secret: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=f"contest.{purpose}")


def password_fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def make_token(secret: str, purpose: str, payload: dict[str, Any]) -> str:
    return _serializer(secret, purpose).dumps(payload)


def read_token(secret: str, purpose: str, token: str, max_age: int) -> dict[str, Any]:
    try:
        data = _serializer(secret, purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise TokenError(expired=True) from exc
    except BadSignature as exc:
        raise TokenError(expired=False) from exc
    if not isinstance(data, dict):
        raise TokenError(expired=False)
    return data
