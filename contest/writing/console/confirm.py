"""The confirmations of a writing contest's disruptive moves: closing before the deadline and
publishing the results (see :mod:`contest.confirmations`)."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _

from contest import confirmations
from contest.writing import contests as rules
from contest.writing.models import EntryStatus, WritingContest


def status_ask(contest: WritingContest, to: str, now: datetime) -> confirmations.Ask | None:
    """The confirmation that closing early and publishing need; None for the other moves."""
    base = {"action_url": url_for("writing_console.writing_contest_status",
                                  contest_id=contest.id),
            "cancel_url": url_for("writing_console.writing_contest", contest_id=contest.id),
            "hidden": {"to": to}}
    if (to == "close" and contest.status == "open"
            and contest.submission_opens_at < now < contest.submission_closes_at):
        drafts = rules.entry_counts(contest).get(EntryStatus.DRAFT, 0)
        return confirmations.Ask(
            title=_("Close “%(title)s” before its deadline?", title=contest.title),
            button=_("Close the contest now"),
            consequences=[
                _("Entries were announced to be accepted until %(when)s; no entry is accepted "
                  "after you confirm.", when=format_datetime(contest.submission_closes_at,
                                                             "short")),
                ngettext("%(num)d entry is still a draft: its author can no longer submit it.",
                         "%(num)d entries are still drafts: their authors can no longer "
                         "submit them.", drafts),
            ],
            undo=_("It cannot be undone: the deadline is moved to now and a closed contest "
                   "does not open again."), **base)
    if to == "publish" and contest.status == "judging":
        return confirmations.Ask(
            title=_("Publish the results of “%(title)s”?", title=contest.title),
            button=_("Publish the results"), kind=confirmations.TICK,
            statement=_("I have checked the prizes of every category and they are final."),
            consequences=[_("The contest is marked as published: its outcome is final and "
                            "public.")],
            undo=_("It cannot be undone: published results are announced to the public and "
                   "are not withdrawn."), **base)
    return None
