"""``/organizer/outbox``: the messages not sent yet (failed first, then waiting or being sent),
with their recipient, attempts and last error, and a button to send one again (or every failed
one). Organizers only: the page shows e-mail addresses and phone numbers. Message bodies are
never shown: they carry reset links and codes."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from contest import timeutil
from contest.accounts.policy import require
from contest.console import console_link
from contest.outbox import service
from contest.outbox.messages import problem_message
from contest.outbox.models import Status
from contest.params import whole_number
from contest.refusals import press_button

bp = Blueprint("outbox_console", __name__, url_prefix="/organizer")

console_link("outbox_console.outbox", _l("Outgoing messages"),
             _l("E-mails and SMS not sent yet: failed ones first, with the reason; send again."),
             order=95)

STATUS_LABELS = {
    Status.QUEUED: _l("waiting"),
    Status.SENDING: _l("being sent"),
    Status.SENT: _l("sent"),
    Status.FAILED: _l("failed"),
}


@bp.get("/outbox")
@require("outbox.manage")
def outbox():
    raw = request.args.get("status", "")
    status = Status(raw) if raw in {s.value for s in service.SHOWN_STATUSES} else None
    page = request.args.get("page", 1, type=whole_number)
    found = service.listing(status, page)
    return render_template("outbox/console.html", found=found, status=status,
                           counts=service.counts(), labels=STATUS_LABELS,
                           shown_statuses=service.SHOWN_STATUSES, now=timeutil.utcnow())


def _back() -> str:
    return url_for("outbox_console.outbox", status=request.args.get("status") or None)


@bp.post("/outbox/<int:message_id>/retry")
@require("outbox.manage")
def retry(message_id: int):
    return press_button(
        lambda: service.retry(message_id, current_user.id, timeutil.utcnow()),
        message=problem_message, done=_("The message is queued to be sent again now."),
        then=_back())


@bp.post("/outbox/retry-failed")
@require("outbox.manage")
def retry_failed():
    return press_button(
        lambda: service.retry_failed(current_user.id, timeutil.utcnow()),
        message=problem_message,
        done=lambda n: ngettext("%(num)d failed message is queued to be sent again now.",
                                "%(num)d failed messages are queued to be sent again now.", n),
        then=_back())
