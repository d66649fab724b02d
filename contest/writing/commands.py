"""``flask --app wsgi writing ...``: upkeep of the writing contests from scripts and cron."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from contest.writing import chunks

writing_cli = AppGroup("writing", help="Writing contests and their files.")


@writing_cli.command("sweep-uploads")
@click.option("--hours", type=float, default=None,
              help="Age after which an untouched upload goes (default UPLOAD_PARTIAL_HOURS).")
def sweep_uploads_command(hours: float | None) -> None:
    """Remove resumable uploads left unfinished (run it from cron, e.g. hourly)."""
    age = current_app.config["UPLOAD_PARTIAL_HOURS"] if hours is None else hours
    removed = chunks.sweep(current_app.config["UPLOAD_ROOT"], age)
    click.echo(f"{removed} unfinished upload(s) removed")
