"""Issue 9.3: the time a login takes does not tell whether the account exists."""

from __future__ import annotations

import statistics
import time

import pytest

from contest.accounts import service
from tests.web.accounts.accountkit import client_at

# Costly enough that the hash, not the request's noise, sets the time of a login.
SLOW_HASH = "pbkdf2:sha256:100000"
ROUNDS = 9


@pytest.fixture
def app_config(app_config):
    # limits on, as in production: wrong passwords are counted for both kinds of account
    app_config.update(PASSWORD_HASH_METHOD=SLOW_HASH, RATELIMIT_ENABLED=True,
                      RATELIMIT_STORAGE_URI="memory://", RATELIMIT_LOGIN="10000 per minute")
    return app_config


def median_login_seconds(c, identifier: str) -> float:
    times = []
    for n in range(ROUNDS):
        start = time.perf_counter()
        response = c.post("/login", data={"identifier": identifier, "password": f"guess {n}"})
        times.append(time.perf_counter() - start)
        assert response.status_code == 400
    return statistics.median(times)


def test_unknown_and_known_accounts_cost_the_same(app, make_user):
    user = make_user(email="lan@example.org")
    app.config["LOGIN_MAX_FAILURES"] = 1000  # the guesses must not pause the account
    c = client_at(app)
    c.post("/login", data={"identifier": "warm@example.org", "password": "x"})  # warm up
    # interleaved, so that a slow moment of the machine hits both alike
    known, unknown = [], []
    for _ in range(2):
        known.append(median_login_seconds(c, user.email))
        unknown.append(median_login_seconds(c, "nobody@example.org"))
    ratio = statistics.median(unknown) / statistics.median(known)
    # Before the fix an unknown account took about 1/100 of the time of a known one.
    assert 0.6 < ratio < 1.6, (known, unknown)


def test_dummy_hash_uses_the_configured_method():
    assert service.dummy_hash(SLOW_HASH).startswith("pbkdf2:sha256:100000$")
    assert service.dummy_hash("scrypt").startswith("scrypt:")
