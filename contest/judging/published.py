"""What judging makes public: the prize list of a contest once its final round is published, and
each author's own placement with the comments the judges wrote for them.

Press awards announce their winners by name, so the public prize list names the authors and
co-authors as entered (with the pen name where the work carried one) and their outlets. Scores
stay confidential: the list gives tiers, not points. An author sees the rank of their own entry
in its category and the judges' comments meant for entrants, never a judge's name or the
private comments to the jury.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from contest.accounts.models import User
from contest.extensions import db
from contest.judging import common, rounds
from contest.judging.models import (
    Assignment,
    EntryResult,
    JudgingRound,
    JudgingRoundStatus,
    ScoreSheet,
    SheetStatus,
)
from contest.writing import service as writing
from contest.writing.models import Category, Entry, EntryStatus, WritingContest

PRIZE_TIERS = common.PRIZE_TIERS  # ("A", "B", "C", "KK"), best first


def final_round(contest: WritingContest) -> JudgingRound | None:
    """The contest's last published round that gives prizes (its final round), if any."""
    final = [r for r in rounds.contest_rounds(contest)
              if r.status == JudgingRoundStatus.PUBLISHED and rounds.awards_prizes(r)]
    return final[-1] if final else None


def names_of(entry: Entry, authors: dict[int, User] | None = None) -> list[str]:
    """The author and co-authors as entered, author first."""
    author = (authors or {}).get(entry.author_id) or db.session.get(User, entry.author_id)
    names = [author.full_name] if author is not None else []
    return names + [c.name for c in entry.coauthors]


@dataclass
class Winner:
    entry: Entry
    names: list[str]
    rank: int | None
    tied: bool


@dataclass
class Tier:
    code: str
    winners: list[Winner] = field(default_factory=list)


@dataclass
class CategoryPrizes:
    category: Category
    tiers: list[Tier]

    @property
    def empty(self) -> bool:
        return not any(t.winners for t in self.tiers)


def prize_list(contest: WritingContest) -> list[CategoryPrizes] | None:
    """Per category, every tier (best first, a tier may be empty) with its winners in rank order;
    None while no final round is published. Entries disqualified or withdrawn since are left
    out."""
    rnd = final_round(contest)
    if rnd is None:
        return None
    rows = db.session.execute(
        select(EntryResult, Entry).join(Entry, Entry.id == EntryResult.entry_id)
        .where(EntryResult.round_id == rnd.id, EntryResult.prize.is_not(None),
               Entry.status == EntryStatus.SUBMITTED)
        .order_by(EntryResult.rank, Entry.title, Entry.id)
    ).all()
    authors = {u.id: u for u in db.session.execute(
        select(User).where(User.id.in_({e.author_id for _r, e in rows}))).scalars()} \
        if rows else {}
    by_category: dict[int, dict[str, list[Winner]]] = defaultdict(lambda: defaultdict(list))
    for result, entry in rows:
        by_category[entry.category_id][result.prize].append(
            Winner(entry, names_of(entry, authors), result.rank, result.tied))
    return [CategoryPrizes(category, [Tier(code, by_category[category.id][code])
                                      for code in PRIZE_TIERS])
            for category in contest.categories]


# --- an author's own results ----------------------------------------------------------------


@dataclass
class Placement:
    """An entry's outcome in one published round."""

    round: JudgingRound
    gives_prizes: bool
    rank: int | None
    tied: bool
    prize: str | None
    advanced: bool
    # The comments the judges wrote for the entrant; anonymous, in no particular judge order.
    comments: list[str]


@dataclass
class EntryOutcome:
    entry: Entry
    contest: WritingContest
    placements: list[Placement]


def _entrant_comments(rnd: JudgingRound, entry: Entry) -> list[str]:
    texts = db.session.execute(
        select(ScoreSheet.entrant_comment).join(Assignment,
                                                Assignment.id == ScoreSheet.assignment_id)
        .where(Assignment.round_id == rnd.id, Assignment.entry_id == entry.id,
               ScoreSheet.status == SheetStatus.SUBMITTED)
    ).scalars()
    # Sorted by text, so that the order says nothing about which judge wrote what.
    return sorted(t.strip() for t in texts if t and t.strip())


def placements(entry: Entry) -> list[Placement]:
    """The entry's results in the published rounds of its contest, first round first."""
    found = []
    for rnd in rounds.contest_rounds(entry.contest):
        if rnd.status != JudgingRoundStatus.PUBLISHED:
            continue
        result = db.session.execute(
            select(EntryResult).where(EntryResult.round_id == rnd.id,
                                      EntryResult.entry_id == entry.id)
        ).scalar_one_or_none()
        if result is None:
            continue
        found.append(Placement(rnd, rounds.awards_prizes(rnd), result.rank, result.tied,
                               result.prize, result.advanced, _entrant_comments(rnd, entry)))
    return found


def my_results(user: User) -> list[EntryOutcome]:
    """The user's submitted entries (as author or linked co-author) that have a result in a
    published round."""
    outcomes = []
    for entry in writing.entries_of(user):
        if entry.status != EntryStatus.SUBMITTED:
            continue
        found = placements(entry)
        if found:
            outcomes.append(EntryOutcome(entry, entry.contest, found))
    return outcomes
