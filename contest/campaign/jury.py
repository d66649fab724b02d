"""The jury's public comment on each prize-winning entry of a writing contest.

An organizer writes it on the campaign console once the prize-giving judging round has its
results (closed or published), in Markdown rendered and sanitised by
:func:`contest.writing.text.render_markdown` (nh3). The showcase shows it with the work, and
the showcase lists only the winners of a published final round, so a comment written before
the results are published stays unseen until then. These comments are written for the public;
the judges' comments meant for the entrant (score sheets) are never shown here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from contest import audit, timeutil
from contest.campaign.models import JuryComment
from contest.extensions import db
from contest.judging import rounds
from contest.judging.models import EntryResult, JudgingRound, JudgingRoundStatus
from contest.judging.published import PRIZE_TIERS, names_of
from contest.problems import Problem, Refused
from contest.writing.models import Entry, EntryStatus, WritingContest
from contest.writing.text import render_markdown

COMMENT_MAX = 3000
SUBJECT = "writing_entry"


@dataclass
class Winner:
    entry: Entry
    names: list[str]
    prize: str
    comment: JuryComment | None


@dataclass
class ContestWinners:
    contest: WritingContest
    round: JudgingRound
    winners: list[Winner] = field(default_factory=list)

    @property
    def published(self) -> bool:
        return self.round.status == JudgingRoundStatus.PUBLISHED


def results_round(contest: WritingContest) -> JudgingRound | None:
    """The contest's last prize-giving round that has results (closed or published)."""
    done = [r for r in rounds.contest_rounds(contest) if rounds.awards_prizes(r)
            and r.status in (JudgingRoundStatus.CLOSED, JudgingRoundStatus.PUBLISHED)]
    return done[-1] if done else None


def _prize_rows(rnd: JudgingRound) -> list[tuple[EntryResult, Entry]]:
    return list(db.session.execute(
        select(EntryResult, Entry).join(Entry, Entry.id == EntryResult.entry_id)
        .where(EntryResult.round_id == rnd.id, EntryResult.prize.is_not(None),
               Entry.status == EntryStatus.SUBMITTED)
        .order_by(EntryResult.rank, Entry.title, Entry.id)).tuples())


def comments_for(entry_ids: list[int]) -> dict[int, JuryComment]:
    if not entry_ids:
        return {}
    return {c.entry_id: c for c in db.session.execute(
        select(JuryComment).where(JuryComment.entry_id.in_(entry_ids))).scalars()}


def winners_to_comment() -> list[ContestWinners]:
    """Every contest whose prize-giving round has results, with its winners best prize first."""
    found = []
    for contest in db.session.execute(
            select(WritingContest).order_by(WritingContest.submission_closes_at.desc())).scalars():
        rnd = results_round(contest)
        if rnd is None:
            continue
        rows = _prize_rows(rnd)
        comments = comments_for([entry.id for _result, entry in rows])
        order = {code: i for i, code in enumerate(PRIZE_TIERS)}
        rows.sort(key=lambda row: (order.get(row[0].prize, len(order)),
                                   row[1].category.position, row[0].rank or 0))
        found.append(ContestWinners(contest, rnd, [
            Winner(entry, names_of(entry), result.prize, comments.get(entry.id))
            for result, entry in rows]))
    return found


def is_winner(entry: Entry) -> bool:
    rnd = results_round(entry.contest)
    if rnd is None or entry.status != EntryStatus.SUBMITTED:
        return False
    return db.session.execute(
        select(EntryResult.id).where(EntryResult.round_id == rnd.id,
                                     EntryResult.entry_id == entry.id,
                                     EntryResult.prize.is_not(None))).scalar() is not None


def set_comment(entry: Entry, source: str, *, actor_id: int | None) -> JuryComment | None:
    """Write, change or (with empty text) remove the jury's public comment on a winning entry.
    Refused for an entry that won no prize in the results, or a text over ``COMMENT_MAX``
    characters; nothing is changed then. Audited; the caller commits."""
    text = (source or "").strip()
    if not is_winner(entry):
        raise Refused(Problem("not_a_winner"))
    if len(text) > COMMENT_MAX:
        raise Refused(Problem("too_long", "comment", {"max": COMMENT_MAX}))
    comment = db.session.execute(
        select(JuryComment).where(JuryComment.entry_id == entry.id)).scalar_one_or_none()
    if not text:
        if comment is not None:
            db.session.delete(comment)
            audit.record(actor_id, "campaign.jury_comment_removed", SUBJECT, entry.id)
        return None
    html = render_markdown(text)
    if not html.strip():
        raise Refused(Problem("comment_empty", "comment"))
    if comment is None:
        comment = JuryComment(entry_id=entry.id)
        db.session.add(comment)
    comment.source, comment.html, comment.author_id = text, html, actor_id
    comment.updated_at = timeutil.utcnow()
    db.session.flush()
    audit.record(actor_id, "campaign.jury_comment_set", SUBJECT, entry.id, comment=text)
    return comment
