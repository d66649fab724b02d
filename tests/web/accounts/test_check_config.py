"""Issues 9.6 and 9.8: `flask check-config` and the production limiter storage."""

from __future__ import annotations

import logging

import pytest

from contest import create_app
from contest.extensions import db

GOOD = {
    "APP_ENV": "production",
    "SECRET_KEY": "k" * 48,
    "SECRET_KEY_FROM_ENV": True,
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    "MAIL_SERVER": "smtp.example.org",
    "SMS_SENDER": "contest.outbox.gateways:EsmsGateway",
    "ESMS_API_KEY": "api-key",
    "ESMS_SECRET_KEY": "secret-key",
    "ESMS_BRANDNAME": "BTC-TINH",
    "SESSION_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_SECURE": True,
}


def run_check(app_config: dict, **changes):
    app = create_app({**app_config, **GOOD, **changes})
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["check-config"])
        db.engine.dispose()
    return result


def test_a_complete_production_setup_passes(app_config):
    result = run_check(app_config)
    assert result.exit_code == 0, result.output
    assert "ERROR" not in result.output
    assert "the database is at the migration head" in result.output


@pytest.mark.parametrize(
    ("changes", "reported"),
    [
        ({"SECRET_KEY_FROM_ENV": False}, "SECRET_KEY is missing, generated"),
        ({"SECRET_KEY": "short"}, "shorter than 32 characters"),
        ({"RATELIMIT_STORAGE_URI": "memory://"}, "RATELIMIT_STORAGE_URI is memory://"),
        ({"MAIL_SERVER": ""}, "MAIL_SERVER is empty"),
        ({"SMS_SENDER": "contest.sms:LogSender"}, "SMS_SENDER is the log writer"),
        ({"SESSION_COOKIE_SECURE": False}, "SESSION_COOKIE_SECURE is off"),
        ({"REMEMBER_COOKIE_SECURE": False}, "SESSION_COOKIE_SECURE is off"),
        ({"DEBUG": True}, "debug mode is on"),
        ({"ESMS_SECRET_KEY": ""}, "the SMS gateway EsmsGateway is not configured"),
        ({"SMS_SENDER": "province_gateway.sms:Sender"}, "cannot be loaded"),
    ],
)
def test_each_gap_fails_the_check(app_config, changes, reported):
    result = run_check(app_config, **changes)
    assert result.exit_code == 1
    assert any(line.startswith("ERROR") and reported in line
               for line in result.output.splitlines()), result.output
    assert "1 error(s)" in result.output


def test_upload_folder_not_writable(app_config, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run_check(app_config, UPLOAD_ROOT=str(blocker / "uploads"))
    assert result.exit_code == 1
    assert "is not writable" in result.output


def test_database_behind_the_migrations(app_config, tmp_path):
    result = run_check(app_config, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'empty.db'}")
    assert result.exit_code == 1
    assert "not at the migration head" in result.output


def test_development_findings_are_warnings(app_config):
    result = run_check(app_config, APP_ENV="development", MAIL_SERVER="",
                       RATELIMIT_STORAGE_URI="memory://")
    assert result.exit_code == 0, result.output
    assert "WARNING  MAIL_SERVER is empty" in result.output


def test_production_with_memory_limits_logs_an_error(app_config, caplog):
    with caplog.at_level(logging.ERROR):
        create_app({**app_config, **GOOD, "RATELIMIT_STORAGE_URI": "memory://"})
    assert any("memory:// in production" in r.getMessage() for r in caplog.records)
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        create_app({**app_config, **GOOD})
    assert not any("memory://" in r.getMessage() for r in caplog.records)


def test_messages_nobody_delivers_fail_the_check(app_config):
    """A message queued long ago and never sent means no outbox worker runs."""
    from datetime import timedelta

    from contest.outbox.models import OutboxMessage, Status
    from contest.timeutil import utcnow

    # Production delivery: queued messages wait for a worker (none runs here).
    app = create_app({**app_config, **GOOD, "OUTBOX_DELIVERY": "worker"})
    with app.app_context():
        long_ago = utcnow() - timedelta(hours=1)
        db.session.add_all([
            OutboxMessage(kind="mail", recipient="a@example.org", subject="Mã", body="...",
                          status=Status.QUEUED, next_attempt_at=long_ago, created_at=long_ago),
            OutboxMessage(kind="sms", recipient="0912345678", body="...",
                          status=Status.FAILED, next_attempt_at=long_ago, created_at=long_ago),
        ])
        db.session.commit()
        result = app.test_cli_runner().invoke(args=["check-config"])
        db.session.query(OutboxMessage).delete()
        db.session.commit()
        db.engine.dispose()
    assert result.exit_code == 1, result.output
    assert any(line.startswith("ERROR") and "1 e-mail/SMS message(s) have waited" in line
               for line in result.output.splitlines()), result.output
    assert "1 e-mail/SMS message(s) failed" in result.output
