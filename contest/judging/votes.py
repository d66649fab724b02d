"""The readers' vote (giải do bạn đọc bình chọn): an optional prize of a writing contest.

Rules:

- The vote runs inside the contest's window (``vote_opens_at`` ≤ now < ``vote_closes_at``, the
  server clock) when the contest has ``readers_vote``.
- Who votes: any account with a confirmed e-mail address. Phone numbers are not confirmed by
  the platform, so an unconfirmed account could be made at will; a confirmed mailbox is the one
  proof of a person the platform has. Jury members of the contest do not vote, and nobody votes
  for an entry they wrote or co-wrote.
- One vote per account and category, for a submitted entry (not withdrawn or disqualified). A
  vote is final: a second vote in the same category is refused (the table's unique constraint
  holds this even under two simultaneous requests).
- Counts stay hidden until the window closes; then the entry with the most votes in each
  category is the readers' choice, all of them when several share the most votes. Votes for an
  entry withdrawn or disqualified since are not counted.
- The ballot shows published works: title, outlet, publication date and the link to the work,
  never an author's name. In a blind contest, while it is being judged, the ballot and the
  counts are not shown and no vote is taken, so that the platform never pairs a title with its
  outlet while judges score it anonymously; organizers hold a blind contest's vote before
  judging starts or after its results are published.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from contest.accounts.models import User
from contest.extensions import db
from contest.judging import published
from contest.judging.models import ReaderVote
from contest.problems import Problem, Refused
from contest.writing.models import (
    Category,
    Coauthor,
    ContestJuror,
    ContestStatus,
    Entry,
    EntryStatus,
    WritingContest,
)

# The states of a contest's vote.
NONE = "none"  # the contest has no readers' vote
UPCOMING = "upcoming"
OPEN = "open"
CLOSED = "closed"


def window_state(contest: WritingContest, now: datetime) -> str:
    if not contest.readers_vote or contest.vote_opens_at is None \
            or contest.vote_closes_at is None:
        return NONE
    if now < contest.vote_opens_at:
        return UPCOMING
    if now < contest.vote_closes_at:
        return OPEN
    return CLOSED


def paused_for_blind_judging(contest: WritingContest) -> bool:
    """Whether a blind contest is being judged: its ballot and counts are not shown then."""
    return (contest.blind and contest.status == ContestStatus.JUDGING
            and published.final_round(contest) is None)


def voter_problem(user: Any, contest: WritingContest) -> Problem | None:
    """Why ``user`` may not vote in the contest at all, or None."""
    if not getattr(user, "is_authenticated", False):
        return Problem("vote_login")
    if not user.is_active:
        return Problem("vote_inactive")
    if not user.email or user.email_verified_at is None:
        return Problem("vote_email_unconfirmed")
    if db.session.get(ContestJuror, (contest.id, user.id)) is not None:
        return Problem("vote_jury")
    return None


@dataclass
class BallotCategory:
    category: Category
    entries: list[Entry]
    voted_for: int | None = None  # the entry id the user voted for here
    counts: dict[int, int] = field(default_factory=dict)  # only once the vote has closed


def _eligible_entries(contest: WritingContest) -> dict[int, list[Entry]]:
    grouped: dict[int, list[Entry]] = {c.id: [] for c in contest.categories}
    for entry in db.session.execute(
        select(Entry).where(Entry.contest_id == contest.id,
                            Entry.status == EntryStatus.SUBMITTED)
        .order_by(Entry.title, Entry.id)
    ).scalars():
        grouped.setdefault(entry.category_id, []).append(entry)
    return grouped


def my_votes(user: Any, contest: WritingContest) -> dict[int, int]:
    """{category id: entry id} of the user's votes in the contest."""
    if not getattr(user, "is_authenticated", False):
        return {}
    return dict(db.session.execute(
        select(ReaderVote.category_id, ReaderVote.entry_id)
        .where(ReaderVote.contest_id == contest.id, ReaderVote.user_id == user.id)
    ).all())


def counts(contest: WritingContest, now: datetime) -> dict[int, int] | None:
    """{entry id: votes} for entries still submitted; None until the window has closed."""
    if window_state(contest, now) != CLOSED:
        return None
    rows = db.session.execute(
        select(ReaderVote.entry_id, func.count(ReaderVote.id))
        .join(Entry, Entry.id == ReaderVote.entry_id)
        .where(ReaderVote.contest_id == contest.id, Entry.status == EntryStatus.SUBMITTED,
               Entry.category_id == ReaderVote.category_id)
        .group_by(ReaderVote.entry_id)
    ).all()
    return Counter(dict(rows))


def ballot(contest: WritingContest, user: Any, now: datetime) -> list[BallotCategory]:
    """The works to vote for, category by category, with the user's votes; with the counts
    once the vote has closed (most votes first). Empty while a blind contest is judged."""
    if window_state(contest, now) == NONE or paused_for_blind_judging(contest):
        return []
    mine = my_votes(user, contest)
    tally = counts(contest, now)
    grouped = _eligible_entries(contest)
    found = []
    for category in contest.categories:
        entries = grouped.get(category.id, [])
        item = BallotCategory(category, entries, mine.get(category.id))
        if tally is not None:
            item.counts = {e.id: tally.get(e.id, 0) for e in entries}
            item.entries = sorted(entries, key=lambda e: -item.counts[e.id])
        found.append(item)
    return found


def _own_entry(user: User, entry: Entry) -> bool:
    if entry.author_id == user.id:
        return True
    return db.session.execute(
        select(Coauthor.id).where(Coauthor.entry_id == entry.id, Coauthor.user_id == user.id)
    ).first() is not None


def cast(user: Any, contest: WritingContest, entry_id: Any, now: datetime) -> ReaderVote:
    """Record the user's vote for an entry in its category. Raises Refused, recording
    nothing, when the vote is not open, the user may not vote, the entry is not one of the
    ballot's, it is their own, or they have voted in the category already. Call it in a unit
    of work of its own: a vote that loses a race to another is rolled back with it."""
    state = window_state(contest, now)
    if state == NONE:
        raise Refused(Problem("vote_none"))
    if state == UPCOMING:
        raise Refused(Problem("vote_not_open_yet"))
    if state == CLOSED:
        raise Refused(Problem("vote_closed"))
    if paused_for_blind_judging(contest):
        raise Refused(Problem("vote_paused"))
    if problem := voter_problem(user, contest):
        raise Refused(problem)
    try:
        ident = int(entry_id)
    except (TypeError, ValueError):
        raise Refused(Problem("vote_no_choice")) from None
    entry = db.session.get(Entry, ident)
    if entry is None or entry.contest_id != contest.id or entry.status != EntryStatus.SUBMITTED:
        raise Refused(Problem("vote_not_on_ballot"))
    if _own_entry(user, entry):
        raise Refused(Problem("vote_own_entry"))
    if entry.category_id in my_votes(user, contest):
        raise Refused(Problem("vote_already_cast"))
    vote = ReaderVote(contest_id=contest.id, category_id=entry.category_id, entry_id=entry.id,
                      user_id=user.id, created_at=now)
    db.session.add(vote)
    try:
        db.session.flush()
    except IntegrityError:
        # The same account voted in this category from another request a moment ago; the unit
        # of work, which holds nothing but this vote, is rolled back.
        db.session.rollback()
        raise Refused(Problem("vote_already_cast")) from None
    return vote


@dataclass
class ReadersChoice:
    category: Category
    votes: int
    entries: list[Entry]  # several when tied; empty when nobody voted in the category
    # The authors of each, as the prize list names them (see contest.judging.published).
    names: dict[int, list[str]] = field(default_factory=dict)


def readers_choice(contest: WritingContest, now: datetime) -> list[ReadersChoice] | None:
    """Per category, the entries with the most votes (ties kept); None until the vote closes,
    or when the contest has none."""
    tally = counts(contest, now)
    if tally is None:
        return None
    grouped = _eligible_entries(contest)
    found = []
    for category in contest.categories:
        entries = grouped.get(category.id, [])
        top = max((tally.get(e.id, 0) for e in entries), default=0)
        winners = [e for e in entries if top > 0 and tally.get(e.id, 0) == top]
        found.append(ReadersChoice(category, top, winners,
                                   {e.id: published.names_of(e) for e in winners}))
    return found
