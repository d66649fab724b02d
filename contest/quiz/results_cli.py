"""Results from scripts.

``flask --app wsgi quiz finalize ROUND_ID`` ranks a closed round and proposes its prizes;
``flask --app wsgi quiz item-stats ROUND_ID DIRECTORY`` writes its item statistics as CSV files
(for rounds so large that computing them in a page would take long).

Plain commands, without a group of their own: they are added to the ``quiz`` group where the CLI
is set up.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from contest import timeutil
from contest.extensions import db
from contest.problems import Problem
from contest.quiz import exports, finalise, item_report, units
from contest.quiz.messages import problem_message
from contest.quiz.models import Round
from contest.quiz.rounds import Phase, phase


def _refusal(problem: Problem) -> str:
    """A refusal in English, as scripts and their logs expect."""
    with force_locale("en"):
        return problem_message(problem)


def _grace() -> float | None:
    grace = current_app.config.get("QUIZ_GRACE_SECONDS")
    return None if grace is None else float(grace)


@click.command("finalize")
@click.argument("round_id", type=int)
@click.option("--force", is_flag=True,
              help="Rank again even if already finalised (drops tie decisions; "
                   "refused once published).")
@with_appcontext
def finalize_command(round_id: int, force: bool) -> None:
    """Finalise ROUND_ID: close overdue attempts, count perfect entrants, rank, propose prizes.

    The ranking is recorded in the audit trail (``results.rank``, no actor) as from the console.
    """
    try:
        report = finalise.finalise(round_id, timeutil.utcnow(), force=force,
                                  grace_seconds=_grace())
    except LookupError as exc:
        raise click.ClickException(f"round {round_id} does not exist") from exc
    except finalise.ResultsError as exc:
        db.session.rollback()
        raise click.ClickException(_refusal(exc.problems[0])) from exc
    db.session.commit()
    if not report.done:
        click.echo(f"round {round_id} was already finalised "
                   f"(perfect count {report.perfect_count}); use --force to rank again")
        return
    click.echo(
        f"round {round_id}: {report.entrants} entrants, {report.ranked} ranked, "
        f"{report.perfect_count} with every answer right, "
        f"{report.conflicts} tie(s) across a prize boundary to decide, "
        f"{report.seconds:.2f} s"
    )


@click.command("item-stats")
@click.argument("round_id", type=int)
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def item_stats_command(round_id: int, directory: Path) -> None:
    """Write the item statistics of the closed round ROUND_ID as CSV files into DIRECTORY."""
    rnd = db.session.get(Round, round_id)
    if rnd is None:
        raise click.ClickException(f"round {round_id} does not exist")
    if phase(rnd, timeutil.utcnow()) not in (Phase.CLOSED, Phase.PUBLISHED):
        raise click.ClickException(_refusal(Problem("not_closed")))
    report = item_report.item_report(round_id)
    directory.mkdir(parents=True, exist_ok=True)
    parts = {
        "items": exports.items_csv(report),
        "options": exports.options_csv(report),
        "scores": exports.distribution_csv(report),
        "units": exports.units_csv(units.unit_participation(round_id)),
    }
    for part, text in parts.items():
        path = directory / f"round-{round_id}-{part}.csv"
        path.write_text(text, encoding="utf-8")  # byte-order mark included
        click.echo(path)
