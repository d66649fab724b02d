"""``flask --app wsgi outbox work|status|purge``: the delivery worker and its housekeeping."""

from __future__ import annotations

import signal
import threading
from datetime import timedelta

import click
from flask.cli import AppGroup
from sqlalchemy import delete

from contest import timeutil
from contest.extensions import db
from contest.outbox import service, worker
from contest.outbox.models import OutboxMessage, Status

outbox_cli = AppGroup("outbox", help="Deliver queued e-mail and SMS.")


@outbox_cli.command("work")
@click.option("--once", is_flag=True, help="Deliver what is due now, then stop.")
@click.option("--batch", default=20, show_default=True, type=click.IntRange(1, 500),
              help="Messages claimed at a time.")
@click.option("--idle", default=5.0, show_default=True, type=click.FloatRange(0.1, 600),
              help="Seconds to wait when nothing is due.")
def work(once: bool, batch: int, idle: float) -> None:
    """Deliver queued messages until stopped (SIGTERM or Ctrl-C end it after the current
    message). Several workers may run at once, on any server."""
    stop = threading.Event()

    def _stop(_signum, _frame) -> None:  # noqa: ANN001
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    totals = {"sent": 0, "retry": 0, "failed": 0}

    def report(counts: dict[str, int]) -> None:
        for key in totals:
            totals[key] += counts.get(key, 0)
        click.echo(f"{counts['sent']} sent, {counts['retry']} to retry, "
                   f"{counts['failed']} failed")

    try:
        worker.work(stop, idle_seconds=idle, limit=batch, once=once, report=report)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo(f"done: {totals['sent']} sent, {totals['retry']} to retry, "
               f"{totals['failed']} failed")


@outbox_cli.command("status")
def status() -> None:
    """How many messages are waiting, being sent, sent and failed."""
    counts = service.counts()
    click.echo(", ".join(f"{counts[s.value]} {s.value}" for s in Status))


@outbox_cli.command("purge")
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 3650),
              help="Delete sent messages older than this many days.")
def purge(days: int) -> None:
    """Delete sent messages older than DAYS (their bodies hold links and codes)."""
    cutoff = timeutil.utcnow() - timedelta(days=days)
    result = db.session.execute(delete(OutboxMessage).where(
        OutboxMessage.status == Status.SENT, OutboxMessage.sent_at < cutoff))
    db.session.commit()
    click.echo(f"{result.rowcount} sent messages deleted")
