"""Issue 9.6: wrong passwords pause the account itself, whatever address they come from."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from contest.extensions import db
from contest.timeutil import utcnow
from tests.concurrency import together
from tests.conftest import PASSWORD
from tests.web.accounts.accountkit import client_at, field_error, fresh_user, sign_in

WRONG = "The phone number, e-mail or password is wrong."


@pytest.fixture
def app_config(app_config):
    # The counts live in the rate-limit storage, as the route limits do; every guess below
    # comes from another address, so the per-address login limit never applies.
    app_config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    return app_config


def guess(app, identifier: str, n: int):
    c = client_at(app, address=f"198.51.{n // 250}.{n % 250 + 1}")
    return c.post("/login", data={"identifier": identifier, "password": f"guess number {n}"})


def test_ten_wrong_passwords_from_ten_addresses_pause_the_account(app, make_user):
    user = make_user(email="lan@example.org", locale="en")
    for n in range(10):
        assert guess(app, user.email, n).status_code == 400
    after = fresh_user(user.id)
    assert after.locked_until is not None
    assert timedelta(minutes=14) < after.locked_until - utcnow() <= timedelta(minutes=15)

    # even the right password is refused now, with the same words as a wrong one
    c = client_at(app)
    response = sign_in(c, user, PASSWORD)
    assert response.status_code == 400
    assert field_error(response, "password") == WRONG

    # the owner is told once, with the way out
    [notice] = [m for m in app.extensions["outbox"] if m["To"] == "lan@example.org"]
    assert notice["Subject"] == "Log-in to your account is paused"
    assert "/reset" in notice.get_content()


def test_the_pause_ends(app, make_user):
    user = make_user()
    for n in range(10):
        guess(app, user.email, n)
    locked = fresh_user(user.id)
    locked.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert sign_in(client_at(app), user, PASSWORD).status_code == 302
    assert fresh_user(user.id).locked_until is None


def test_a_reset_lifts_the_pause(app, make_user):
    user = make_user(email="lan@example.org")
    for n in range(10):
        guess(app, user.email, n)
    client_at(app).post("/reset", data={"identifier": "lan@example.org"})
    link = re.findall(r"http://localhost(/reset/reset-password/\S+)",
                      app.extensions["outbox"][-1].get_content())[0]
    new = "mưa rào tháng sáu"
    client_at(app).post(link, data={"password": new, "confirm": new})
    assert sign_in(client_at(app), user, new).status_code == 302


def test_phone_only_account_is_told_by_sms(app, make_user):
    user = make_user(email=None, locale="en")
    for n in range(10):
        guess(app, user.phone, n)
    [message] = app.extensions["sms_outbox"]
    assert message.phone == user.phone and "paused" in message.text


def test_a_right_password_clears_the_count(app, make_user):
    user = make_user()
    for n in range(9):
        guess(app, user.email, n)
    assert sign_in(client_at(app), user, PASSWORD).status_code == 302
    for n in range(9):
        guess(app, user.email, n)
    assert fresh_user(user.id).locked_until is None


def test_unknown_account_answers_alike(app, make_user):
    for n in range(11):
        response = guess(app, "nobody@example.org", n)
        assert response.status_code == 400
        assert field_error(response, "password") == WRONG
    assert app.extensions.get("outbox", []) == []


def test_concurrent_guesses_are_all_counted(app, make_user):
    user = make_user(email="lan@example.org")
    email = user.email

    together(app, *[lambda n=n: guess(app, email, n) for n in range(10)])
    # ten at once: each counted, exactly one of them the tenth
    assert fresh_user(user.id).locked_until is not None
    notices = [m for m in app.extensions["outbox"] if m["To"] == "lan@example.org"]
    assert len(notices) == 1
