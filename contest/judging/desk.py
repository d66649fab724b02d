"""The judge's side of judging: what a judge sees and may open.

A judge sees only their own assignments, in rounds that have opened, without entries they have a
conflict with or that are no longer judged. In a blind contest what a judge sees of an entry is
its anonymised code, category, title, summary, text and cleaned files: never the author, the
co-authors, the pen name, the outlet, the link, the publication date or the receipt code.

Every rule of access goes through :func:`contest.judging.conflicts.judge_can_view_entry`, so
the judge's pages and the anonymised pages of contest.writing answer alike (see
:func:`may_view_entry`, which the application registers as contest.writing.access's hook).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from contest import timeutil
from contest.accounts.models import User
from contest.extensions import db
from contest.judging import common, conflicts, rounds, sheets
from contest.judging.models import (
    Assignment,
    Conflict,
    Invitation,
    JudgingRound,
    JudgingRoundStatus,
    RoundJudge,
    ScoreSheet,
    SheetStatus,
)
from contest.problems import Problem, Refused
from contest.writing import files as writing_files
from contest.writing import storage as writing_storage
from contest.writing.models import ContestJuror, Entry, WritingContest

# A sheet's state as the judge's list shows it.
NOT_STARTED = "not_started"
DRAFT = SheetStatus.DRAFT.value
SUBMITTED = SheetStatus.SUBMITTED.value

# A round's state as the judge sees it.
UPCOMING = "upcoming"  # a draft round, or an open one before its opening time
OPEN = "open"  # scores are taken now
CLOSED = "closed"  # scoring has stopped; sheets can be read, not changed
PUBLISHED = "published"


def may_view_entry(user: Any, entry: Entry) -> bool:
    """Whether ``user`` may open ``entry`` as a judge, now (server clock). The hook that
    contest.writing.access.judge_may_view calls for the anonymised page and its files
    (registered by create_app, so that writing never imports judging)."""
    return conflicts.judge_can_view_entry(user, entry, timeutil.utcnow())


def sheet_state(assignment: Assignment) -> str:
    sheet = assignment.sheet
    if sheet is None:
        return NOT_STARTED
    return SUBMITTED if sheet.status == SheetStatus.SUBMITTED else DRAFT


def round_state(rnd: JudgingRound, now: datetime) -> str:
    if rnd.status == JudgingRoundStatus.PUBLISHED:
        return PUBLISHED
    if rnd.status == JudgingRoundStatus.CLOSED:
        return CLOSED
    if rnd.status == JudgingRoundStatus.OPEN and (rnd.opens_at is None or now >= rnd.opens_at):
        return OPEN
    return UPCOMING


@dataclass
class SheetRow:
    assignment: Assignment
    entry: Entry
    state: str

    @property
    def total(self) -> float | None:
        sheet = self.assignment.sheet
        return sheet.total if sheet is not None else None


@dataclass
class RoundDesk:
    """One round as a judge sees it: their sheets (only once the round has opened)."""

    round: JudgingRound
    state: str
    accepting: bool
    assigned: int
    submitted: int
    rows: list[SheetRow] = field(default_factory=list)

    def next_to_score(self, assignment_id: int) -> SheetRow | None:
        """The first sheet not yet submitted after this one in the list (wrapping round)."""
        ids = [r.assignment.id for r in self.rows]
        at = ids.index(assignment_id) if assignment_id in ids else -1
        later = self.rows[at + 1:] + self.rows[:max(at, 0)]
        return next((r for r in later if r.state != SUBMITTED), None)


@dataclass
class ContestDesk:
    contest: WritingContest
    rounds: list[RoundDesk]


def _entries(ids: set[int]) -> dict[int, Entry]:
    if not ids:
        return {}
    return {e.id: e for e in db.session.execute(select(Entry).where(Entry.id.in_(ids))).scalars()}


def round_desk(judge: User, rnd: JudgingRound, now: datetime) -> RoundDesk:
    """The judge's assignments in a round, with their sheets' states. Entries are listed only
    while the judge may open them (the round has opened and is not published)."""
    state = round_state(rnd, now)
    mine = sheets.judge_assignments(judge, rnd)
    submitted = sum(1 for a in mine if sheet_state(a) == SUBMITTED)
    desk = RoundDesk(rnd, state, common.accepting_scores(rnd, now), len(mine), submitted)
    if state in (OPEN, CLOSED):
        entries = _entries({a.entry_id for a in mine})
        desk.rows = [SheetRow(a, entries[a.entry_id], sheet_state(a)) for a in mine
                     if conflicts.judge_can_view_entry(judge, entries[a.entry_id], now)]
        desk.assigned = len(desk.rows)
        desk.submitted = sum(1 for r in desk.rows if r.state == SUBMITTED)
    return desk


def _judge_contests(judge: User) -> list[WritingContest]:
    juror = select(ContestJuror.contest_id).where(ContestJuror.user_id == judge.id)
    seated = select(JudgingRound.contest_id).join(
        RoundJudge, RoundJudge.round_id == JudgingRound.id).where(RoundJudge.judge_id == judge.id)
    assigned = select(JudgingRound.contest_id).join(
        Assignment, Assignment.round_id == JudgingRound.id).where(Assignment.judge_id == judge.id)
    return list(db.session.execute(
        select(WritingContest).where(WritingContest.id.in_(juror.union(seated, assigned)))
        .order_by(WritingContest.submission_closes_at.desc(), WritingContest.id.desc())
    ).scalars())


def _judge_rounds(judge: User, contest: WritingContest) -> list[JudgingRound]:
    """Rounds of the contest the judge sits on or holds an assignment in."""
    seated = select(RoundJudge.round_id).where(RoundJudge.judge_id == judge.id)
    assigned = select(Assignment.round_id).where(Assignment.judge_id == judge.id)
    return list(db.session.execute(
        select(JudgingRound).where(JudgingRound.contest_id == contest.id,
                                   JudgingRound.id.in_(seated.union(assigned)))
        .order_by(JudgingRound.position)
    ).scalars())


def dashboard(judge: User, now: datetime) -> list[ContestDesk]:
    """Every contest the judge is on the jury of, with the rounds they judge in."""
    return [ContestDesk(c, [round_desk(judge, r, now) for r in _judge_rounds(judge, c)])
            for c in _judge_contests(judge)]


def judge_round(judge: User, round_id: int, now: datetime) -> RoundDesk | None:
    """One round of the judge's, or None when they neither sit on it nor hold one of its
    assignments (so that round ids reveal nothing)."""
    rnd = db.session.get(JudgingRound, round_id)
    if rnd is None:
        return None
    contest = db.session.get(WritingContest, rnd.contest_id)
    if rnd.id not in {r.id for r in _judge_rounds(judge, contest)}:
        return None
    return round_desk(judge, rnd, now)


def pending_invitations(user: User, now: datetime) -> list[tuple[Invitation, WritingContest]]:
    """Invitations to a jury waiting for the user's confirmed e-mail address. Their links are
    only in the e-mails (the tokens are stored hashed)."""
    if not user.email or user.email_verified_at is None:
        return []
    return [tuple(row) for row in db.session.execute(
        select(Invitation, WritingContest)
        .join(WritingContest, WritingContest.id == Invitation.contest_id)
        .where(func.lower(Invitation.email) == user.email.strip().lower(),
               Invitation.accepted_at.is_(None), Invitation.expires_at > now)
        .order_by(Invitation.expires_at)
    ).all()]


# --- one assignment ------------------------------------------------------------------------


def open_assignment(judge: User, assignment_id: int, now: datetime) -> Assignment | None:
    """The judge's assignment if they may open it now; None otherwise (not theirs, the round has
    not opened or is published, the entry is withdrawn or disqualified, or a conflict)."""
    a = db.session.get(Assignment, assignment_id)
    if a is None or a.judge_id != judge.id:
        return None
    rnd = db.session.get(JudgingRound, a.round_id)
    if round_state(rnd, now) not in (OPEN, CLOSED):
        return None
    entry = db.session.get(Entry, a.entry_id)
    if entry is None or not conflicts.judge_can_view_entry(judge, entry, now):
        return None
    if a.id not in {x.id for x in sheets.judge_assignments(judge, rnd)}:
        return None
    return a


@dataclass
class FileLink:
    position: int
    name: str
    kind_label: str
    available: bool


@dataclass
class EntryFacts:
    """What a judge is shown of an entry. The identity fields stay empty in a blind contest."""

    entry_id: int
    contest_id: int
    code: str
    category: str
    medium: str
    title: str
    summary: str
    body_html: str
    word_count: int | None
    is_series: bool
    parts: list[tuple[str, Any]]
    files: list[FileLink]
    blind: bool
    author: str = ""
    coauthors: list[str] = field(default_factory=list)
    pen_name: str = ""
    outlet: str = ""
    url: str = ""
    published_on: Any = None
    prior_award: str = ""


def entry_facts(entry: Entry, upload_root: str | Path) -> EntryFacts:
    """The entry as its judges see it; files are named by the anonymised code and served from
    the cleaned copies (see contest.writing.storage.anonymised_source)."""
    contest = entry.contest
    file_links = [
        FileLink(position, writing_storage.anonymised_name(entry, position, item),
                 str(writing_files.KINDS[item.kind].label),
                 writing_storage.anonymised_source(upload_root, item, False) is not None)
        for position, item in enumerate(entry.files, start=1)
    ]
    facts = EntryFacts(
        entry_id=entry.id, contest_id=entry.contest_id, code=entry.anon_code or "",
        category=entry.category.name, medium=entry.category.medium, title=entry.title,
        summary=entry.summary, body_html=entry.body_html, word_count=entry.rule_word_count,
        is_series=entry.is_series, parts=[(p.title, p.published_on) for p in entry.parts],
        files=file_links, blind=contest.blind,
    )
    if not contest.blind:
        author = db.session.get(User, entry.author_id)
        facts.author = author.full_name if author is not None else ""
        facts.coauthors = [c.name for c in entry.coauthors]
        facts.pen_name = entry.pen_name
        facts.outlet = entry.outlet
        facts.url = entry.url
        facts.published_on = entry.published_on
        facts.prior_award = entry.prior_award
    return facts


@dataclass
class FellowTotal:
    judge_name: str
    total: float | None


def fellow_totals(judge: User, assignment: Assignment, now: datetime) -> list[FellowTotal] | None:
    """The other judges' submitted totals for the assignment's entry in its round, where the
    round shows them (``judges_see_others``), once the judge's own sheet is submitted; None
    when the judge may not see them. Judges are named: the jury knows its members."""
    rnd = db.session.get(JudgingRound, assignment.round_id)
    entry = db.session.get(Entry, assignment.entry_id)
    if not conflicts.judge_can_see_scores(judge, entry, rnd, now):
        return None
    rows = db.session.execute(
        select(User, ScoreSheet).join(Assignment, Assignment.judge_id == User.id)
        .join(ScoreSheet, ScoreSheet.assignment_id == Assignment.id)
        .where(Assignment.round_id == rnd.id, Assignment.entry_id == entry.id,
               Assignment.judge_id != judge.id, ScoreSheet.status == SheetStatus.SUBMITTED)
        .order_by(User.full_name, User.id)
    ).all()
    return [FellowTotal(user.full_name, sheet.total) for user, sheet in rows
            if not conflicts.is_conflicted(user, entry)]


# --- conflicts -----------------------------------------------------------------------------


def juror_contest(judge: User, contest_id: int) -> WritingContest | None:
    """The contest if the judge is on its jury (else None: the page does not exist for them)."""
    contest = db.session.get(WritingContest, contest_id)
    if contest is None or db.session.get(ContestJuror, (contest.id, judge.id)) is None:
        return None
    return contest


def conflict_entry_choices(judge: User, contest: WritingContest, now: datetime) -> list[Entry]:
    """Entries the judge may declare a conflict with by name: those of their assignments they
    can open now (a judge learns of no other entry here)."""
    seen: dict[int, Entry] = {}
    for rnd in rounds.contest_rounds(contest):
        desk = round_desk(judge, rnd, now)
        for row in desk.rows:
            seen.setdefault(row.entry.id, row.entry)
    return sorted(seen.values(), key=lambda e: (e.anon_code or "", e.id))


def declare_own_conflict(judge: User, contest: WritingContest, kind: str, entry_id: str,
                         author_name: str, outlet: str, reason: str, now: datetime) -> Any:
    """A judge's own declaration: of ``kind`` "entry" (one of :func:`conflict_entry_choices`,
    by id), "author" (a full name) or "outlet"; see contest.judging.conflicts.declare_conflict.
    """
    if kind == "entry":
        allowed = {str(e.id): e for e in conflict_entry_choices(judge, contest, now)}
        entry = allowed.get((entry_id or "").strip())
        if entry is None:
            raise Refused(Problem("entry_missing", "entry"))
        return conflicts.declare_conflict(judge, contest, entry=entry, reason=reason, now=now)
    if kind == "author":
        if not (author_name or "").strip():
            raise Refused(Problem("author_name_missing", "author_name"))
        return conflicts.declare_conflict(judge, contest, author_name=author_name, reason=reason,
                                          now=now)
    if not (outlet or "").strip():
        raise Refused(Problem("outlet_missing", "outlet"))
    return conflicts.declare_conflict(judge, contest, outlet=outlet, reason=reason, now=now)


def declare_entry_conflict(judge: User, assignment: Any, reason: str, now: datetime) -> Any:
    """A judge's declaration about the entry of one of their assignments, from its score sheet
    page (the entry known by its code). Pending, like every declaration of a judge: the entry
    stays in their list until an organizer decides."""
    entry = db.session.get(Entry, assignment.entry_id)
    contest = db.session.get(WritingContest, entry.contest_id)
    return conflicts.declare_conflict(judge, contest, entry=entry, reason=reason, now=now)


def entry_declaration(judge: User, entry: Entry) -> Any:
    """The judge's latest declaration about this one entry, if any (for its sheet page)."""
    return db.session.execute(
        select(Conflict).where(Conflict.judge_id == judge.id, Conflict.entry_id == entry.id)
        .order_by(Conflict.id.desc()).limit(1)).scalar_one_or_none()


def own_conflicts(judge: User, contest: WritingContest) -> list[tuple[Any, Entry | None]]:
    """The judge's own declarations in the contest, newest first, with the entry of each
    declaration made about one entry (shown by its code only)."""
    return [(c, entry) for c, user, entry in conflicts.declared_conflicts(contest)
            if user.id == judge.id]
