"""``flask --app wsgi quiz ...``: round maintenance from scripts and cron."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from contest import timeutil
from contest.extensions import db

quiz_cli = AppGroup("quiz", help="Quiz rounds and attempts.")

BATCH = 500


@quiz_cli.command("close-overdue")
@click.option("--round", "round_id", type=int, default=None, help="Only this round's attempts.")
def close_overdue_command(round_id: int | None) -> None:
    """Score attempts left open past their deadline (run it from cron every minute)."""
    from contest.quiz.attempts import close_overdue

    grace = current_app.config["QUIZ_GRACE_SECONDS"]
    total = 0
    while True:
        # One clock reading per batch; each batch is its own unit of work.
        done = close_overdue(timeutil.utcnow(), round_id, grace_seconds=grace, limit=BATCH)
        db.session.commit()
        total += done
        if done < BATCH:
            break
    click.echo(f"{total} overdue attempt(s) scored")


def _register_results_commands() -> None:
    from contest.quiz.results_cli import finalize_command, item_stats_command

    quiz_cli.add_command(finalize_command)
    quiz_cli.add_command(item_stats_command)


_register_results_commands()
