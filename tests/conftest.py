"""Fixtures shared by every test: an app on a migrated database, clients, and accounts per role.

The database is SQLite in a temporary folder by default, or PostgreSQL when TEST_DATABASE_URL is
set. Either way the schema is built once per session by the migrations, as in production, and
every test starts from empty tables.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask, g, request_started, request_tearing_down
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from contest import create_app, timeutil
from contest.accounts import service
from contest.accounts.models import User, UserRole
from contest.extensions import db

PASSWORD = "correct horse battery"

# pytester runs small pytest sessions in the tests of the suite's own hooks
# (tests/unit/test_postgres_marker.py).
pytest_plugins = ["pytester"]


def _database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.exit("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set", returncode=3)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


# Where the ``clock`` fixture starts: 10:00 on 10 March 2026, Vietnam time (a Tuesday).
CLOCK_START = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)


class Clock:
    """The application's clock in a test: stands still until moved."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move forward by ``timedelta(**delta)``; returns the new time."""
        self.now += timedelta(**delta)
        return self.now

    def set(self, when: datetime) -> datetime:
        """Jump to ``when`` (timezone-aware)."""
        if when.tzinfo is None:
            raise ValueError("the clock keeps timezone-aware UTC times")
        self.now = when
        return when


@pytest.fixture
def clock() -> Iterator[Clock]:
    """Every ``contest.timeutil.utcnow()`` (services, column defaults, every thread) reads this
    clock, which starts at :data:`CLOCK_START` and moves only by ``advance`` or ``set``."""
    c = Clock(CLOCK_START)
    timeutil.set_source(c)
    yield c
    timeutil.reset_source()


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


def postgres_required() -> bool:
    """REQUIRE_POSTGRES=1 (set by CI): tests that need PostgreSQL fail instead of skipping."""
    return os.environ.get("REQUIRE_POSTGRES") == "1"


def postgres_missing() -> str | None:
    """Why tests marked ``postgres_only`` cannot run in this session, or None when they can."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return "TEST_DATABASE_URL is not set"
    if not is_postgres(url):
        return f"TEST_DATABASE_URL is {url.split(':', 1)[0]}, not PostgreSQL"
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # Before any fixture: a skipped test builds no app and touches no database.
    if item.get_closest_marker("postgres_only") and not postgres_required():
        if reason := postgres_missing():
            pytest.skip(f"needs PostgreSQL ({reason})")


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> None:
    # Failing here rather than in setup makes the test FAILED, not an ERROR.
    if pyfuncitem.get_closest_marker("postgres_only") and postgres_required():
        if reason := postgres_missing():
            pytest.fail(f"REQUIRE_POSTGRES=1 but {reason}", pytrace=False)


def test_config(url: str, instance: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "CAPTURE_MESSAGES": True,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "SERVER_NAME": None,
        "UPLOAD_ROOT": os.path.join(instance, "uploads"),
        # Tests read a page again after changing data; tests of the cache turn it on.
        "CACHE_TYPE": "NullCache",
    }


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Build the schema with the migrations once per session and hand out its URL."""
    url = _database_url(tmp_path_factory)
    if is_postgres(url):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    instance = str(tmp_path_factory.mktemp("instance"))
    app = create_app(test_config(url, instance))
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


@pytest.fixture
def app_config(database_url: str, tmp_path) -> dict:
    """Settings of the test app; a test may change them before asking for ``app``."""
    return test_config(database_url, str(tmp_path))


@pytest.fixture
def app(app_config: dict) -> Iterator[Flask]:
    app = create_app(app_config)
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


def _empty_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture(autouse=True)
def _own_request_state() -> Iterator[None]:
    """Give every request a clean ``g`` and drop its uncommitted work, as in production.

    The ``app`` fixture keeps an application context pushed so that tests can use the database
    directly, and Flask reuses that context for test requests: without this, the logged-in user,
    the locale and the CSRF token cached in ``g`` would leak from one request (and one client)
    to the next.
    """

    def start(sender, **extra) -> None:  # noqa: ANN001, ANN003
        for name in list(g):
            g.pop(name, None)

    def end(sender, **extra) -> None:  # noqa: ANN001, ANN003
        db.session.rollback()

    request_started.connect(start, weak=False)
    request_tearing_down.connect(end, weak=False)
    yield
    request_started.disconnect(start)
    request_tearing_down.disconnect(end)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


_counter = iter(range(10_000_000))


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Create an account directly in the database (roles, email, phone optional)."""

    def make(*roles: str, email: str | None = "auto", phone: str | None = "auto",
             full_name: str = "Nguyễn Thị Lan", birth_date: date = date(1995, 4, 12),
             password: str = PASSWORD, **fields) -> User:
        n = next(_counter)
        user = service.register(
            service.Registration(
                full_name=full_name,
                phone=f"+8491{n:07d}" if phone == "auto" else phone,
                password=password,
                birth_date=birth_date,
                consent_version="test",
                email=f"user{n}@example.org" if email == "auto" else email,
            ),
            app.config["PASSWORD_HASH_METHOD"],
        )
        for key, value in fields.items():
            setattr(user, key, value)
        for role in roles:
            user.role_rows.append(UserRole(role=role))
        db.session.commit()
        return user

    return make


def login(client: FlaskClient, user: User, password: str = PASSWORD) -> None:
    identifier = user.email or user.phone
    response = client.post("/login", data={"identifier": identifier, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


@pytest.fixture
def login_as(app: Flask, make_user: Callable[..., User]) -> Callable[..., FlaskClient]:
    """A fresh test client logged in as a new user holding ``roles`` (none = public entrant)."""

    def make(*roles: str, **fields) -> FlaskClient:
        user = make_user(*roles, **fields)
        c = app.test_client()
        login(c, user)
        c.user = user  # type: ignore[attr-defined]
        return c

    return make


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    if not match:
        match = re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no CSRF token in page"
    return match.group(1)
