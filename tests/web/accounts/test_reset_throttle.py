"""Issue 9.4: reset messages are limited per phone and mailbox, whatever the client address,
and the answer never tells whether an account exists."""

from __future__ import annotations

import pytest

from tests.concurrency import together
from tests.web.accounts.accountkit import client_at, flashes

COOLDOWN = "Wait a minute before asking again"
SENT = "If an account matches"


@pytest.fixture
def app_config(app_config):
    app_config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                      RATELIMIT_RESET="1000 per minute")
    return app_config


def ask(app, identifier: str, address: str) -> list[str]:
    c = client_at(app, address=address)
    response = c.post("/reset", data={"identifier": identifier}, follow_redirects=True)
    assert response.status_code == 200
    return flashes(response)


def sent_sms(app) -> int:
    return len(app.extensions.get("sms_outbox", []))


def sent_mail(app) -> int:
    return len(app.extensions.get("outbox", []))


def test_one_code_per_phone_per_minute_from_any_address(app, make_user):
    user = make_user(email=None)
    assert any(SENT in f for f in ask(app, user.phone, "203.0.113.1"))
    for n in range(2, 6):
        assert any(COOLDOWN in f for f in ask(app, user.phone, f"203.0.113.{n}"))
    assert sent_sms(app) == 1


def test_one_link_per_mailbox_per_minute_even_by_phone_then_email(app, make_user):
    user = make_user(email="lan@example.org")
    ask(app, "LAN@example.org", "203.0.113.1")
    # the same mailbox, reached through the account's phone number
    assert any(COOLDOWN in f for f in ask(app, user.phone, "203.0.113.2"))
    assert sent_mail(app) == 1


def test_five_per_day(app, make_user):
    app.config["RATELIMIT_RESET_DESTINATION"] = "100 per minute;5 per day"
    user = make_user(email=None)
    for n in range(8):
        ask(app, user.phone, f"203.0.113.{n}")
    assert sent_sms(app) == 5


def test_unknown_and_known_get_the_same_answers(app, make_user):
    user = make_user(email=None)
    known = [ask(app, user.phone, "203.0.113.1"), ask(app, user.phone, "203.0.113.2")]
    unknown = [ask(app, "0987 654 321", "203.0.113.3"), ask(app, "0987654321", "203.0.113.4")]
    assert known == unknown
    assert any(COOLDOWN in f for f in unknown[1])


def test_concurrent_requests_do_not_slip_through(app, make_user):
    user = make_user(email=None)
    phone = user.phone

    def one(n: int) -> None:
        client_at(app, address=f"198.51.100.{n}").post("/reset", data={"identifier": phone})

    together(app, *[lambda n=n: one(n) for n in range(12)])
    assert sent_sms(app) == 1


def test_other_phones_are_not_held_up(app, make_user):
    first, second = make_user(email=None), make_user(email=None)
    ask(app, first.phone, "203.0.113.1")
    assert any(SENT in f for f in ask(app, second.phone, "203.0.113.1"))
    assert sent_sms(app) == 2
