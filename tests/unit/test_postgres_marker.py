"""The ``postgres_only`` marker: without PostgreSQL a marked test is skipped with the reason, and
under REQUIRE_POSTGRES=1 (as in CI) it fails instead, so a job meant to run it cannot pass by
skipping it. Each case runs a small pytest session with the suite's own hooks."""

from __future__ import annotations

import pytest

MARKED = """
import pytest

@pytest.mark.postgres_only
def test_needs_postgres():
    pass

def test_plain():
    pass
"""


@pytest.fixture
def session(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    pytester.makeconftest("from tests.conftest import pytest_pyfunc_call, pytest_runtest_setup\n")
    pytester.makeini("[pytest]\nmarkers =\n    postgres_only: needs PostgreSQL\n")
    pytester.makepyfile(test_marked=MARKED)
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")  # only the hooks under test
    monkeypatch.delenv("REQUIRE_POSTGRES", raising=False)
    monkeypatch.delenv("TEST_DATABASE_URL", raising=False)

    def run(**env: str) -> pytest.RunResult:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return pytester.runpytest_inprocess("-rsf", "-p", "no:cacheprovider")

    return run


def test_skipped_with_the_reason_without_a_database_url(session):
    result = session()
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*needs PostgreSQL (TEST_DATABASE_URL is not set)*"])


def test_skipped_on_sqlite(session):
    result = session(TEST_DATABASE_URL="sqlite:///x.db")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*needs PostgreSQL (TEST_DATABASE_URL is sqlite, not*)*"])


def test_fails_when_postgres_is_required(session):
    result = session(TEST_DATABASE_URL="sqlite:///x.db", REQUIRE_POSTGRES="1")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is sqlite*"])


def test_runs_on_postgres(session):
    result = session(TEST_DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1/unused",
                     REQUIRE_POSTGRES="1")
    result.assert_outcomes(passed=2)
