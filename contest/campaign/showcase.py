"""What the showcase shows: the winning works of writing contests whose final round is
published (with the work itself and the jury's public comment, :mod:`contest.campaign.jury`),
and the prize winners of published quiz rounds.

Only what the contests' own public pages already show appears here: the prize list of
:func:`contest.judging.published.prize_list` (entries withdrawn or disqualified since are left
out there) and the masked quiz prize list of :func:`contest.quiz.leaderboard.prize_list`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from contest.campaign import jury
from contest.extensions import db
from contest.judging import published
from contest.judging.models import EntryResult
from contest.quiz.board import BoardRow
from contest.quiz.leaderboard import prize_list as quiz_prizes
from contest.quiz.models import Round, RoundStatus
from contest.quiz.rounds import public_rounds
from contest.writing.models import Entry, EntryFile, EntryStatus, WritingContest


@dataclass
class Work:
    entry: Entry
    names: list[str]
    prize: str
    category: str
    jury_comment: str  # sanitised HTML, "" when the organizers wrote none


@dataclass
class ContestShowcase:
    contest: WritingContest
    works: list[Work]


@dataclass
class RoundShowcase:
    round: Round
    tiers: list[tuple[str, list[BoardRow]]]


def writing_showcase() -> list[ContestShowcase]:
    """Every contest with a published final round, its prize winners best tier first."""
    found = []
    contests = db.session.execute(
        select(WritingContest).order_by(WritingContest.submission_closes_at.desc())).scalars()
    for contest in contests:
        prizes = published.prize_list(contest)
        if not prizes:
            continue
        winners = [(category, tier, winner) for category in prizes for tier in category.tiers
                   for winner in tier.winners]
        comments = jury.comments_for([winner.entry.id for _c, _t, winner in winners])
        works = [Work(winner.entry, winner.names, tier.code, category.category.name,
                      comments[winner.entry.id].html if winner.entry.id in comments else "")
                 for category, tier, winner in winners]
        if works:
            found.append(ContestShowcase(contest, works))
    return found


def quiz_showcase(limit: int = 10) -> list[RoundShowcase]:
    rounds = db.session.execute(
        public_rounds().where(Round.status == RoundStatus.PUBLISHED)
        .order_by(Round.published_at.desc()).limit(limit)).scalars()
    return [RoundShowcase(rnd, [t for t in quiz_prizes(rnd) if t[1]]) for rnd in rounds]


def showcased_entry(entry_id: int) -> Entry | None:
    """The entry if it is a prize winner of a published final round, still submitted."""
    entry = db.session.get(Entry, entry_id)
    if entry is None or entry.status != EntryStatus.SUBMITTED:
        return None
    rnd = published.final_round(entry.contest)
    if rnd is None:
        return None
    won = db.session.execute(
        select(EntryResult.id).where(EntryResult.round_id == rnd.id,
                                     EntryResult.entry_id == entry.id,
                                     EntryResult.prize.is_not(None))).scalar()
    return entry if won is not None else None


def showcased_file(entry_id: int, file_id: int) -> EntryFile | None:
    entry = showcased_entry(entry_id)
    if entry is None:
        return None
    return next((f for f in entry.files if f.id == file_id), None)
