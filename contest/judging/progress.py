"""How far a round's judges and entries are, and the reminder e-mailed to judges with sheets
still to submit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import force_locale, format_datetime, ngettext
from flask_babel import gettext as _

from contest.accounts.models import User
from contest.extensions import db
from contest.judging.common import actor_id_of, refuse, round_event
from contest.judging.jury import round_judges
from contest.judging.models import Assignment, JudgingRound, JudgingRoundStatus, SheetStatus
from contest.judging.rounds import assignments_of, panel_of, round_entries, users_by_id
from contest.mail import send_mail
from contest.writing.models import Entry, WritingContest


@dataclass
class JudgeProgress:
    judge: User
    panel: str | None  # None: holds assignments without sitting on the round any more
    max_load: int | None
    assigned: int = 0
    submitted: int = 0
    drafts: int = 0

    @property
    def open(self) -> int:
        return self.assigned - self.submitted


@dataclass
class EntryProgress:
    entry: Entry
    panel: str
    needed: int
    rows: list[tuple[User, Assignment]] = field(default_factory=list)

    @property
    def submitted(self) -> int:
        return sum(1 for _u, a in self.rows
                   if a.sheet is not None and a.sheet.status == SheetStatus.SUBMITTED)


def progress(rnd: JudgingRound) -> tuple[list[JudgeProgress], list[EntryProgress]]:
    """How far each judge and each entry of the round are."""
    entries = round_entries(rnd)
    live = {e.id for e in entries}
    rows = [a for a in assignments_of(rnd) if a.entry_id in live]
    seated = {row.judge_id: row for _u, row in round_judges(rnd)}
    users = users_by_id(set(seated) | {a.judge_id for a in rows})
    judges = {j: JudgeProgress(users[j], seated[j].panel if j in seated else None,
                               seated[j].max_load if j in seated else None)
              for j in users}
    by_entry = {e.id: EntryProgress(e, panel_of(rnd, e), rnd.judges_per_entry) for e in entries}
    for a in rows:
        p = judges[a.judge_id]
        p.assigned += 1
        if a.sheet is not None:
            if a.sheet.status == SheetStatus.SUBMITTED:
                p.submitted += 1
            else:
                p.drafts += 1
        by_entry[a.entry_id].rows.append((users[a.judge_id], a))
    ordered = sorted(judges.values(), key=lambda p: (p.judge.full_name, p.judge.id))
    return ordered, list(by_entry.values())


def judges_with_open_sheets(rnd: JudgingRound) -> list[tuple[User, int]]:
    """Judges of the round with sheets still to submit, and how many each."""
    judge_rows, _entries = progress(rnd)
    return [(p.judge, p.open) for p in judge_rows if p.open > 0]


def send_reminders(rnd: JudgingRound, link: str, actor: Any, now: datetime) -> int:
    """E-mail every judge with sheets to submit one reminder with their count and ``link`` (the
    judge's page of the round); returns how many were sent. Only while the round is open."""
    if rnd.status != JudgingRoundStatus.OPEN:
        raise refuse("round_not_open")
    contest = db.session.get(WritingContest, rnd.contest_id)
    sent = []
    for judge, count in judges_with_open_sheets(rnd):
        if not judge.email or not judge.is_active:
            continue
        with force_locale(judge.locale or "vi"):
            deadline = (_("The round closes at %(when)s.",
                          when=format_datetime(rnd.closes_at, "short"))
                        if rnd.closes_at else "")
            send_mail(
                judge.email,
                _("Reminder: %(contest)s, %(round)s", contest=contest.title, round=rnd.name),
                ngettext("Hello %(name)s,\n\nYou have %(num)d score sheet to submit in "
                         "“%(round)s” of “%(contest)s”.",
                         "Hello %(name)s,\n\nYou have %(num)d score sheets to submit in "
                         "“%(round)s” of “%(contest)s”.", count,
                         name=judge.full_name, round=rnd.name, contest=contest.title)
                + (" " + deadline if deadline else "") + "\n\n" + link + "\n",
            )
        sent.append([judge.id, count])
    round_event(actor_id_of(actor), "judging.reminders", rnd, judges=sent, at=now.isoformat())
    return len(sent)
