"""Command-line tools: ``flask --app wsgi users|units|demo ...``."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from contest.accounts import service
from contest.accounts.identity import normalize_email, password_problems
from contest.accounts.models import Role, User, UserRole
from contest.accounts.units import DEFAULT_FILE, UnitFileError, load_units, parse_units
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
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"{created} created, {updated} updated")


@demo_cli.command("load")
def demo_load() -> None:
    """Load demo units, accounts and questions (idempotent) and print the accounts."""
    from contest.demo import load_demo

    load_demo(click.echo)


def init_app(app: Flask) -> None:
    from contest.quiz.cli import questions_cli
    from contest.quiz.commands import quiz_cli

    for group in (users_cli, units_cli, demo_cli, questions_cli, quiz_cli):
        app.cli.add_command(group)
