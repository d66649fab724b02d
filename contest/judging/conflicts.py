"""Conflicts of interest: found (the judge wrote, co-wrote or works for the outlet of an entry)
or declared (an entry, an author by name, an outlet), and what they forbid: assignments and
opening the entry.

Only a confirmed declaration forbids anything. A judge's own declaration is recorded as pending
and changes nothing until an organizer confirms or dismisses it (contest.judging.declarations):
were it to take effect at once, a judge could declare names one by one and watch which entries
leave their list, learning who wrote them. What an organizer records is confirmed at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from contest import timeutil
from contest.accounts.models import Role, User
from contest.extensions import db
from contest.judging.common import (
    CHANGEABLE,
    OPEN_OR_CLOSED,
    actor_id_of,
    clean_reason,
    contest_event,
    normalise_name,
    refuse,
)
from contest.judging.jury import jury
from contest.judging.models import (
    Assignment,
    Conflict,
    ConflictStatus,
    JudgingRound,
    JudgingRoundStatus,
    RoundJudge,
    ScoreSheet,
    SheetStatus,
)
from contest.judging.rounds import (
    assignments_of,
    contest_rounds,
    drop_assignment,
    entry_order,
    excluded_entries,
    round_entries,
)
from contest.writing.models import ContestJuror, Entry, EntryStatus, WritingContest

AUTO_AUTHOR = "author"


AUTO_COAUTHOR = "coauthor"


AUTO_OUTLET = "outlet"


DECLARED_ENTRY = "declared_entry"


DECLARED_AUTHOR = "declared_author"


DECLARED_OUTLET = "declared_outlet"


@dataclass(frozen=True)
class ConflictReason:
    """Why a judge may not judge an entry: ``code`` is one of the AUTO_* or DECLARED_* names;
    ``conflict`` is the declaration for a declared conflict."""

    code: str
    conflict: Conflict | None = None


class ConflictFinder:
    """Authors of entries and declared conflicts, loaded once for many (judge, entry) pairs."""

    def __init__(self, contest_id: int, entries: Iterable[Entry]) -> None:
        entries = list(entries)
        author_ids = {e.author_id for e in entries}
        self.authors: dict[int, User] = {
            u.id: u for u in db.session.execute(
                select(User).where(User.id.in_(author_ids))).scalars()
        } if author_ids else {}
        self.declared: dict[int, list[Conflict]] = defaultdict(list)
        for c in db.session.execute(
                select(Conflict).where(Conflict.contest_id == contest_id,
                                       Conflict.status == ConflictStatus.CONFIRMED)).scalars():
            self.declared[c.judge_id].append(c)

    def reasons(self, judge: User, entry: Entry) -> list[ConflictReason]:
        found: list[ConflictReason] = []
        email = (judge.email or "").strip().lower()
        if entry.author_id == judge.id:
            found.append(ConflictReason(AUTO_AUTHOR))
        if any(c.user_id == judge.id or (email and (c.email or "").strip().lower() == email)
               for c in entry.coauthors):
            found.append(ConflictReason(AUTO_COAUTHOR))
        outlet = normalise_name(judge.outlet)
        if outlet and outlet == normalise_name(entry.outlet):
            found.append(ConflictReason(AUTO_OUTLET))
        author = self.authors.get(entry.author_id)
        names = {normalise_name(c.name) for c in entry.coauthors}
        if author is not None:
            names.add(normalise_name(author.full_name))
        for c in self.declared.get(judge.id, ()):
            if c.entry_id is not None:
                if c.entry_id == entry.id:
                    found.append(ConflictReason(DECLARED_ENTRY, c))
            elif c.author_name.strip():
                if normalise_name(c.author_name) in names:
                    found.append(ConflictReason(DECLARED_AUTHOR, c))
            elif c.outlet.strip() and normalise_name(c.outlet) == normalise_name(entry.outlet):
                found.append(ConflictReason(DECLARED_OUTLET, c))
        return found


def conflict_reasons(judge: User, entry: Entry) -> list[ConflictReason]:
    """Every reason ``judge`` may not judge ``entry``; empty when there is none."""
    return ConflictFinder(entry.contest_id, [entry]).reasons(judge, entry)


def is_conflicted(judge: User, entry: Entry) -> bool:
    return bool(conflict_reasons(judge, entry))


def _round_judge_users(rnd: JudgingRound) -> list[User]:
    """Judges seated on the round, and any other judge holding one of its assignments."""
    ids = set(db.session.execute(
        select(RoundJudge.judge_id).where(RoundJudge.round_id == rnd.id)).scalars())
    ids |= set(db.session.execute(
        select(Assignment.judge_id).where(Assignment.round_id == rnd.id)).scalars())
    if not ids:
        return []
    return list(db.session.execute(select(User).where(User.id.in_(ids))).scalars())


def conflicted_pairs(rnd: JudgingRound) -> set[tuple[int, int]]:
    """(judge id, entry id) of every judge of the round with a conflict with an entry of it."""
    entries = round_entries(rnd) + excluded_entries(rnd)
    judges = _round_judge_users(rnd)
    people = ConflictFinder(rnd.contest_id, entries)
    return {(j.id, e.id) for j in judges for e in entries if people.reasons(j, e)}


def contest_conflicts(contest: WritingContest) -> list[tuple[User, Entry, list[ConflictReason]]]:
    """Every conflict between a jury member (or a judge of a round) and a submitted entry."""
    entries = list(db.session.execute(
        select(Entry).where(Entry.contest_id == contest.id, Entry.status == EntryStatus.SUBMITTED)
        .options(selectinload(Entry.coauthors)).order_by(*entry_order())
    ).scalars())
    judges = {u.id: u for u in jury(contest)}
    for rnd in contest_rounds(contest):
        judges.update({u.id: u for u in _round_judge_users(rnd)})
    people = ConflictFinder(contest.id, entries)
    found = []
    for judge in sorted(judges.values(), key=lambda u: (u.full_name, u.id)):
        for entry in entries:
            if reasons := people.reasons(judge, entry):
                found.append((judge, entry, reasons))
    return found


def declared_conflicts(contest: WritingContest, status: str | None = None,
                       ) -> list[tuple[Conflict, User, Entry | None]]:
    """The contest's declarations (of one ``status`` if given), newest first, with the judge
    and, for a declaration about one entry, the entry."""
    stmt = (select(Conflict, User).join(User, User.id == Conflict.judge_id)
            .where(Conflict.contest_id == contest.id)
            .order_by(Conflict.declared_at.desc(), Conflict.id.desc()))
    if status is not None:
        stmt = stmt.where(Conflict.status == status)
    rows = db.session.execute(stmt).all()
    return [(c, u, db.session.get(Entry, c.entry_id) if c.entry_id else None) for c, u in rows]


def declare_conflict(judge: User, contest: WritingContest, entry: Entry | None = None,
                     author_name: str = "", outlet: str = "", reason: str = "", *,
                     actor: Any = None, now: datetime | None = None) -> Conflict:
    """Record a conflict of ``judge`` with one entry, an author (by full name, also matching
    co-authors) or an outlet. ``actor`` is who records it (the judge by default; an organizer
    may record what a judge told them).

    Declared by the judge, it is pending: nothing changes until an organizer confirms it
    (contest.judging.declarations). Recorded by someone else (an organizer), it is confirmed at
    once: the judge's matching assignments in rounds not yet closed are withdrawn, with any
    sheet, whose values the audit log keeps; their places are filled by assigning again.
    """
    now = now or timeutil.utcnow()
    actor_id = actor_id_of(actor) if actor is not None else judge.id
    pending = actor_id == judge.id
    reason = clean_reason(reason)
    author_name = " ".join((author_name or "").split())
    outlet = " ".join((outlet or "").split())
    targets = sum(1 for t in (entry, author_name, outlet) if t)
    if targets != 1:
        raise refuse("one_target")
    if entry is not None and entry.contest_id != contest.id:
        raise refuse("no_such_entry", "entry")
    if len(author_name) > 120:
        raise refuse("name_too_long", "author_name", max=120)
    if len(outlet) > 200:
        raise refuse("name_too_long", "outlet", max=200)
    if db.session.get(ContestJuror, (contest.id, judge.id)) is None:
        raise refuse("not_a_judge", "judge")
    for c in db.session.execute(select(Conflict).where(
            Conflict.contest_id == contest.id, Conflict.judge_id == judge.id)).scalars():
        if (c.entry_id == (entry.id if entry else None)
                and normalise_name(c.author_name) == normalise_name(author_name)
                and normalise_name(c.outlet) == normalise_name(outlet)):
            raise refuse("already_declared")
    conflict = Conflict(contest_id=contest.id, judge_id=judge.id,
                        entry_id=entry.id if entry else None, author_name=author_name,
                        outlet=outlet, reason=reason, declared_at=now,
                        status=ConflictStatus.PENDING if pending else ConflictStatus.CONFIRMED)
    if not pending:
        conflict.decided_by_id, conflict.decided_at = actor_id, now
    db.session.add(conflict)
    db.session.flush()
    removed = [] if pending else withdraw_conflicted(contest, judge.id, actor_id)
    contest_event(actor_id, "judging.conflict.declare", contest.id, reason, conflict=conflict.id,
                  judge=judge.id, entry=conflict.entry_id, author_name=author_name,
                  outlet=outlet, status=conflict.status,
                  withdrawn=[r["assignment"] for r in removed])
    return conflict


def withdraw_conflicted(contest: WritingContest, judge_id: int, actor_id: int | None,
                        ) -> list[dict[str, Any]]:
    """Withdraw the judge's assignments that a conflict now forbids, in every round of the
    contest not yet closed; returns what the audit log keeps of each."""
    removed: list[dict[str, Any]] = []
    for rnd in contest_rounds(contest):
        if rnd.status in CHANGEABLE:
            removed += drop_conflicted_assignments(rnd, actor_id, judge_id=judge_id)
    return removed


def record_conflict(contest: WritingContest, judge_id: Any, entry_code: str, author_name: str,
                    outlet: str, reason: str, actor: Any, now: datetime | None = None) -> Conflict:
    """What an organizer records from a judge's word: the judge by account id and the entry
    by its anonymised code (or an author or an outlet); see :func:`declare_conflict`."""
    judge = db.session.get(User, int(judge_id)) if str(judge_id or "").isdigit() else None
    if judge is None or db.session.get(ContestJuror, (contest.id, judge.id)) is None:
        raise refuse("not_a_judge", "judge")
    entry = None
    code = (entry_code or "").strip().upper()
    if code:
        entry = db.session.execute(select(Entry).where(
            Entry.contest_id == contest.id, Entry.anon_code == code)).scalar_one_or_none()
        if entry is None:
            raise refuse("no_such_entry_code", "entry_code")
    return declare_conflict(judge, contest, entry, author_name, outlet, reason, actor=actor,
                            now=now)


def remove_conflict(conflict: Conflict, actor: Any, reason: str) -> None:
    """Delete a declaration made in error (an organizer's decision, with its reason)."""
    reason = clean_reason(reason)
    contest_event(actor_id_of(actor), "judging.conflict.remove", conflict.contest_id, reason,
                  conflict=conflict.id, judge=conflict.judge_id, entry=conflict.entry_id,
                  author_name=conflict.author_name, outlet=conflict.outlet,
                  declared_reason=conflict.reason)
    db.session.delete(conflict)
    db.session.flush()


def judge_can_view_entry(judge: Any, entry: Entry, now: datetime) -> bool:
    """Whether ``judge`` may open ``entry`` (its blind page and cleaned files): they are
    assigned to it in a round that is open (from its opening time) or closed, they still hold
    the judge role, and they have no conflict with it. Published rounds no longer open it."""
    if not getattr(judge, "is_authenticated", False) or not judge.is_active:
        return False
    if not judge.has_role(Role.JUDGE) or entry.status != EntryStatus.SUBMITTED:
        return False
    rounds = db.session.execute(
        select(JudgingRound).join(Assignment, Assignment.round_id == JudgingRound.id)
        .where(Assignment.entry_id == entry.id, Assignment.judge_id == judge.id,
               JudgingRound.status.in_(OPEN_OR_CLOSED))
    ).scalars().all()
    live = [r for r in rounds if r.status == JudgingRoundStatus.CLOSED
            or r.opens_at is None or now >= r.opens_at]
    return bool(live) and not is_conflicted(judge, entry)


def judge_can_see_scores(judge: Any, entry: Entry, rnd: JudgingRound, now: datetime) -> bool:
    """Whether ``judge`` may see the other judges' submitted scores of ``entry`` in ``rnd``:
    only where the round lets judges see each other's scores, once their own sheet for the
    entry is submitted, and never with a conflict."""
    if not rnd.judges_see_others or not judge_can_view_entry(judge, entry, now):
        return False
    own = db.session.execute(
        select(ScoreSheet.status).join(Assignment, Assignment.id == ScoreSheet.assignment_id)
        .where(Assignment.round_id == rnd.id, Assignment.entry_id == entry.id,
               Assignment.judge_id == judge.id)
    ).scalar_one_or_none()
    return own == SheetStatus.SUBMITTED


def drop_conflicted_assignments(rnd: JudgingRound, actor_id: int | None,
                                judge_id: int | None = None) -> list[dict[str, Any]]:
    """Withdraw assignments of a round not yet closed that a conflict now forbids."""
    if rnd.status not in CHANGEABLE:
        return []
    pairs = conflicted_pairs(rnd)
    removed = []
    for a in assignments_of(rnd):
        if (a.judge_id, a.entry_id) in pairs and (judge_id is None or a.judge_id == judge_id):
            removed.append(drop_assignment(a, actor_id, "judging.assignment.conflict"))
    return removed
