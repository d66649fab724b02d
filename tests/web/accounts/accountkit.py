"""Helpers shared by the account attack tests: clients with a chosen address and browser."""

from __future__ import annotations

import html
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from contest.accounts.models import LoginSession, User
from contest.extensions import db

ANDROID = ("Mozilla/5.0 (Linux; Android 10; SM-A105F) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/120.0.0.0 Mobile Safari/537.36")
WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/121.0.0.0 Safari/537.36")


def client_at(app: Flask, address: str = "203.0.113.7", agent: str = ANDROID,
              lang: str = "en") -> FlaskClient:
    c = app.test_client()
    c.environ_base.update(REMOTE_ADDR=address, HTTP_USER_AGENT=agent)
    c.set_cookie("lang", lang)
    return c


def sign_in(c: FlaskClient, user: User, password: str, remember: bool = False):  # noqa: ANN201
    data = {"identifier": user.email or user.phone, "password": password}
    if remember:
        data["remember"] = "y"
    return c.post("/login", data=data)


def text(response) -> str:  # noqa: ANN001
    return html.unescape(response.get_data(as_text=True))


def flashes(response) -> list[str]:  # noqa: ANN001
    return [m.strip() for m in
            re.findall(r'<p class="alert alert-\w+">(.*?)</p>', text(response), re.S)]


def field_error(response, name: str) -> str:  # noqa: ANN001
    match = re.search(rf'<p class="error" id="{name}-error">(.*?)</p>', text(response), re.S)
    return match.group(1).strip() if match else ""


def copy_cookies(source: FlaskClient, target: FlaskClient, *names: str) -> None:
    """What a thief does with cookies read off a shared computer or a captured request."""
    for name in names:
        cookie = source.get_cookie(name)
        assert cookie is not None, f"no {name} cookie to copy"
        target.set_cookie(name, cookie.value)


def opens_account(c: FlaskClient) -> bool:
    response = c.get("/account")
    return response.status_code == 200


def records(user_id: int) -> list[LoginSession]:
    db.session.expire_all()
    return list(db.session.execute(
        select(LoginSession).where(LoginSession.user_id == user_id).order_by(LoginSession.id)
    ).scalars())


def fresh_user(user_id: int) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


def mail_links(app: Flask, path: str, to: str | None = None) -> list[str]:
    found = []
    for msg in app.extensions.get("outbox", []):
        if to is None or msg["To"] == to:
            found += re.findall(rf"http://localhost({re.escape(path)}\S+)", msg.get_content())
    return found
