"""Command-line tools: ``flask --app wsgi users|units|demo ...``."""

from __future__ import annotations

import importlib
import os
import tempfile
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from contest.accounts import service
from contest.accounts.identity import normalize_email, password_problems
from contest.accounts.messages import english
from contest.accounts.models import Role, User, UserRole
from contest.accounts.units import DEFAULT_FILE, UnitFileError, load_units, parse_units
from contest.config import Finding, check_settings
from contest.extensions import db

users_cli = AppGroup("users", help="Manage accounts.")
units_cli = AppGroup("units", help="Manage administrative units.")
demo_cli = AppGroup("demo", help="Demo content for a local installation.")


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--name", default="Administrator", help="Full name of the account.")
def create_admin(email: str, name: str) -> None:
    """Create an administrator, or make an existing account with EMAIL one.

    The password is read from ADMIN_PASSWORD when set (for scripts), else prompted.
    """
    address = normalize_email(email)
    if not address or "@" not in address:
        raise click.BadParameter("not an e-mail address", param_hint="EMAIL")
    user = db.session.execute(select(User).where(User.email == address)).scalar_one_or_none()
    if user is None:
        password = os.environ.get("ADMIN_PASSWORD") or click.prompt(
            "Password", hide_input=True, confirmation_prompt=True
        )
        if problems := password_problems(password):
            raise click.ClickException(f"password refused: {', '.join(problems)}")
        user = User(full_name=name, email=address, consent_version="admin-cli")
        service.set_password(user, password, current_app.config["PASSWORD_HASH_METHOD"])
        db.session.add(user)
    if Role.ADMIN not in user.roles:
        user.role_rows.append(UserRole(role=Role.ADMIN))
    db.session.commit()
    click.echo(f"{address} is an administrator.")


@units_cli.command("load")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False))
def units_load(path: str | None) -> None:
    """Create or update units from a CSV file (default: the shipped list)."""
    try:
        text = Path(path or DEFAULT_FILE).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise click.ClickException("the file is not UTF-8 text; save it as CSV UTF-8") from exc
    try:
        created, updated = load_units(parse_units(text))
    except UnitFileError as exc:
        raise click.ClickException(english(exc.problems[0])) from exc
    db.session.commit()
    click.echo(f"{created} created, {updated} updated")


@demo_cli.command("load")
def demo_load() -> None:
    """Load demo units, accounts and questions (idempotent) and print the accounts."""
    from contest.demo import load_demo

    load_demo(click.echo)


def _upload_folder_finding(path: str) -> Finding:
    try:
        Path(path).mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path):
            pass
    except OSError as exc:
        return Finding("error", f"the upload folder {path} is not writable: {exc.strerror}")
    return Finding("ok", f"the upload folder {path} is writable")


def _migration_finding() -> Finding:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    heads = set(script.get_heads())
    try:
        with db.engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    except SQLAlchemyError as exc:
        return Finding("error", f"the database cannot be reached: {exc.__class__.__name__}")
    if current != heads:
        return Finding("error", f"the database is at {', '.join(sorted(current)) or 'no revision'}"
                       f", not at the migration head {', '.join(sorted(heads))}: run "
                       "`flask --app wsgi db upgrade`")
    return Finding("ok", "the database is at the migration head")


def _sms_gateway_finding(config: dict, level: str) -> Finding | None:
    """Whether the configured SMS gateway can be built from its settings (the log writer is
    reported by :func:`check_settings`)."""
    from contest.config import DEFAULT_SMS_SENDER

    spec = str(config.get("SMS_SENDER") or DEFAULT_SMS_SENDER)
    if spec == DEFAULT_SMS_SENDER:
        return None
    module_name, _, class_name = spec.partition(":")
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError, ValueError):
        return Finding(level, f"SMS_SENDER {spec} cannot be loaded: no such module or class")
    try:
        cls(dict(config))
    except (KeyError, ValueError, TypeError) as exc:
        return Finding(level, f"the SMS gateway {class_name} is not configured: {exc}")
    return Finding("ok", f"the SMS gateway {class_name} is configured")


# A message still queued this long after it was due means no worker is delivering.
OUTBOX_STALE_MINUTES = 10


def _outbox_findings(level: str) -> list[Finding]:
    from datetime import timedelta

    from sqlalchemy import func

    from contest.outbox.models import OutboxMessage, Status
    from contest.timeutil import utcnow

    cutoff = utcnow() - timedelta(minutes=OUTBOX_STALE_MINUTES)
    try:
        stale = db.session.execute(select(func.count()).where(
            OutboxMessage.status == Status.QUEUED,
            OutboxMessage.next_attempt_at < cutoff)).scalar_one()
        failed = db.session.execute(select(func.count()).where(
            OutboxMessage.status == Status.FAILED)).scalar_one()
    except SQLAlchemyError:
        db.session.rollback()
        return []  # the database finding already says what is wrong
    found = []
    if stale:
        found.append(Finding(level, f"{stale} e-mail/SMS message(s) have waited more than "
                                    f"{OUTBOX_STALE_MINUTES} minutes: is an outbox worker "
                                    "running? (`flask --app wsgi outbox work`, deploy/systemd)"))
    else:
        found.append(Finding("ok", "no e-mail or SMS message is overdue"))
    if failed:
        found.append(Finding("warning", f"{failed} e-mail/SMS message(s) failed: an organizer "
                                        "can send them again at /organizer/outbox"))
    return found


@click.command("check-config")
def check_config() -> None:
    """Check the settings a production deployment needs; exit 1 on any error."""
    app = current_app
    level = "error" if app.config.get("APP_ENV") == "production" else "warning"
    findings = check_settings(app.config, debug=app.debug)
    sms = _sms_gateway_finding(app.config, level)
    if sms is not None:
        findings.append(sms)
    findings.append(_upload_folder_finding(app.config["UPLOAD_ROOT"]))
    findings.append(_migration_finding())
    findings.extend(_outbox_findings(level))
    click.echo(f"APP_ENV={app.config['APP_ENV']}")
    for finding in findings:
        click.echo(f"{finding.level.upper():8} {finding.message}")
    errors = sum(f.level == "error" for f in findings)
    if errors:
        raise click.ClickException(f"{errors} error(s): fix them before serving requests")
    click.echo("no errors")


def init_app(app: Flask) -> None:
    from contest.outbox.cli import outbox_cli
    from contest.quiz.cli import questions_cli
    from contest.quiz.commands import quiz_cli
    from contest.writing.commands import writing_cli

    for group in (users_cli, units_cli, demo_cli, questions_cli, quiz_cli, outbox_cli,
                  writing_cli):
        app.cli.add_command(group)
    app.cli.add_command(check_config)
