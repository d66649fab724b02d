"""Delivery inside the application process, started by the commit that queued messages.

``OUTBOX_DELIVERY`` chooses how queued messages leave:

- ``worker``: nothing here; ``flask --app wsgi outbox work`` (one or more, any server) delivers.
  The default on PostgreSQL.
- ``thread``: a commit that queued messages wakes one background thread of this process, which
  delivers every due message (retries included, polling every ``OUTBOX_POLL_SECONDS``). The
  request never waits. The default on SQLite, so ``make run`` needs no worker.
- ``sync``: the messages a commit queued are delivered right after it, in the committing
  thread. Only for tests (the default with ``CAPTURE_MESSAGES``): the test reads the captured
  message as soon as the response or the commit returns.

Either way a message is delivered only after the commit that wrote it; a rollback sends nothing.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from contest.outbox import worker
from contest.outbox.queue import take_committed_ids

log = logging.getLogger("contest.outbox")

MODES = ("worker", "thread", "sync")


def delivery_mode(config: dict[str, Any]) -> str:
    """The mode the settings ask for, or the default for this database and test setting."""
    mode = (config.get("OUTBOX_DELIVERY") or "").strip().lower()
    if mode:
        if mode not in MODES:
            raise ValueError(f"OUTBOX_DELIVERY must be one of {', '.join(MODES)}, not {mode!r}")
        return mode
    if config.get("CAPTURE_MESSAGES"):
        return "sync"
    if str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite"):
        return "thread"
    return "worker"


class Courier:
    """The background thread of ``thread`` mode, one per process (started again after a fork)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.wake = threading.Event()
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None
        self.pid = 0

    def nudge(self) -> None:
        if self.thread is None or self.pid != os.getpid() or not self.thread.is_alive():
            self.pid = os.getpid()
            self.thread = threading.Thread(target=self._run, name="outbox-courier", daemon=True)
            self.thread.start()
        self.wake.set()

    def _run(self) -> None:
        poll = self.app.config["OUTBOX_POLL_SECONDS"]
        while not self.stop.is_set():
            self.wake.clear()
            with self.app.app_context():
                try:
                    while worker.run_once()["claimed"]:
                        pass
                except Exception:  # noqa: BLE001 - keep the courier alive; it tries again
                    log.exception("outbox: in-process delivery failed; trying again later")
            self.wake.wait(poll)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    ids = take_committed_ids(session)
    if not ids or not has_app_context():
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    mode = app.extensions.get("outbox_mode", "worker")
    if mode == "sync":
        try:
            worker.run_once(ids=ids)
        except Exception:  # noqa: BLE001 - the change is committed; the worker retries
            log.exception("outbox: delivery after commit failed; left for the worker")
    elif mode == "thread":
        app.extensions["outbox_courier"].nudge()


def init_app(app: Flask) -> None:
    mode = delivery_mode(app.config)
    app.extensions["outbox_mode"] = mode
    if mode == "thread":
        app.extensions["outbox_courier"] = Courier(app)
