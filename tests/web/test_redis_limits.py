"""Rate limits kept in Redis, as on a deployment with several app servers."""

import os

import pytest

REDIS_URL = os.environ.get("TEST_REDIS_URL")


def _redis_or_skip():
    if not REDIS_URL:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail("REQUIRE_REDIS=1 but TEST_REDIS_URL is not set")
        pytest.skip("TEST_REDIS_URL not set: no Redis to test against")
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis at {REDIS_URL} is not reachable: {exc}")
        pytest.skip(f"Redis at {REDIS_URL} is not reachable")
    client.flushdb()
    return client


@pytest.fixture
def app_config(app_config):
    redis_client = _redis_or_skip()
    app_config.update(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=REDIS_URL,
        RATELIMIT_LOGIN="2 per minute",
    )
    app_config["_redis"] = redis_client
    return app_config


def test_login_limit_is_shared_through_redis(app, make_user):
    user = make_user()
    first_server = app.test_client()
    for _ in range(2):
        r = first_server.post("/login", data={"identifier": user.phone, "password": "wrong"})
        assert r.status_code == 400
    # Another client from the same address (as through a second app server) is limited too.
    r = app.test_client().post("/login", data={"identifier": user.phone, "password": "wrong"})
    assert r.status_code == 429
    assert app.config["_redis"].dbsize() > 0, "the limiter wrote nothing to Redis"


def test_reset_throttle_per_phone_is_shared_through_redis(app, make_user):
    """Two app servers, two client addresses, one phone: one code a minute in all."""
    user = make_user(email=None)
    for n in range(3):
        c = app.test_client()
        c.environ_base["REMOTE_ADDR"] = f"203.0.113.{n}"
        assert c.post("/reset", data={"identifier": user.phone}).status_code == 302
    assert len(app.extensions["sms_outbox"]) == 1
    assert app.config["_redis"].dbsize() > 0


def test_wrong_passwords_pause_the_account_across_servers(app, make_user):
    """Guesses spread over servers and addresses still add up for the one account."""
    app.config["RATELIMIT_LOGIN"] = "1000 per minute"
    user = make_user()
    for n in range(10):
        c = app.test_client()
        c.environ_base["REMOTE_ADDR"] = f"198.51.100.{n}"
        c.post("/login", data={"identifier": user.phone, "password": f"wrong {n}"})
    from contest.extensions import db

    db.session.expire_all()
    assert db.session.get(type(user), user.id).locked_until is not None
