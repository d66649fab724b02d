"""Aggregation: each entry's score by the round's method from the submitted sheets that count,
the judges' spread and disagreement flag, ranks per category with ties kept, and the
reliability figure (Krippendorff's alpha).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from contest import timeutil
from contest.accounts.models import User
from contest.extensions import db
from contest.judging import aggregate as agg
from contest.judging.common import OPEN_OR_CLOSED, lock_round, not_published, refuse, round_event
from contest.judging.conflicts import conflicted_pairs
from contest.judging.models import EntryResult, JudgingRound, SheetStatus
from contest.judging.rounds import assignments_of, results_of, round_entries, shortlist_confirmed
from contest.judging.sheets import total_of
from contest.writing.models import Category, Entry, WritingContest


def counted_sheets(rnd: JudgingRound, category_id: int | None = None) -> list[agg.Sheet]:
    """The submitted sheets that count: entries still judged in the round, no conflict."""
    entries = {e.id: e for e in round_entries(rnd)
               if category_id is None or e.category_id == category_id}
    conflicts = conflicted_pairs(rnd)
    found = []
    for a in assignments_of(rnd):
        sheet = a.sheet
        if (a.entry_id in entries and sheet is not None
                and sheet.status == SheetStatus.SUBMITTED
                and (a.judge_id, a.entry_id) not in conflicts):
            total = sheet.total
            if total is None:
                total = total_of(rnd, {k: float(v) for k, v in (sheet.points or {}).items()})
            if total is not None:
                found.append(agg.Sheet(a.entry_id, a.judge_id, total))
    return found


def live_scores(rnd: JudgingRound) -> dict[int, agg.EntryScore]:
    """Entry scores from the sheets submitted so far, by the round's method (nothing stored)."""
    return agg.entry_scores(counted_sheets(rnd), rnd.aggregation)


def flagged_entries(rnd: JudgingRound) -> list[tuple[Entry, agg.EntryScore]]:
    """Entries whose judges are further apart than the round's threshold, from the sheets
    submitted so far."""
    scores = live_scores(rnd)
    entries = {e.id: e for e in round_entries(rnd)}
    return [(entries[e], scores[e])
            for e in agg.disagreements(scores, rnd.disagreement_threshold) if e in entries]


def aggregate(rnd: JudgingRound, actor_id: int | None = None,
              now: datetime | None = None) -> list[EntryResult]:
    """Compute and store every entry's score (the round's method), judges' spread and
    disagreement flag, and its rank within its category with ties kept as ties.

    Prizes and shortlist marks of an earlier computation are cleared (the audit log keeps
    them). Refused once the shortlist is confirmed or the round is published.
    """
    now = now or timeutil.utcnow()
    lock_round(rnd)
    not_published(rnd)
    if rnd.status not in OPEN_OR_CLOSED:
        raise refuse("round_not_open")
    if shortlist_confirmed(rnd):
        raise refuse("shortlist_confirmed")
    entries = round_entries(rnd)
    scores = agg.entry_scores(counted_sheets(rnd), rnd.aggregation)
    flagged = set(agg.disagreements(scores, rnd.disagreement_threshold))
    ranks: dict[int, tuple[int, bool]] = {}
    by_category: dict[int, dict[int, agg.EntryScore]] = defaultdict(dict)
    for e in entries:
        if e.id in scores:
            by_category[e.category_id][e.id] = scores[e.id]
    for category_scores in by_category.values():
        for rank, group in agg.rank_with_ties(category_scores):
            for entry_id in group:
                ranks[entry_id] = (rank, len(group) > 1)
    existing = {r.entry_id: r for r in results_of(rnd)}
    cleared = {str(r.entry_id): r.prize for r in existing.values() if r.prize}
    live = {e.id for e in entries}
    for entry_id, row in existing.items():
        if entry_id not in live:
            db.session.delete(row)
    stored = []
    for e in entries:
        row = existing.get(e.id)
        if row is None:
            row = EntryResult(round_id=rnd.id, entry_id=e.id)
            db.session.add(row)
        s = scores.get(e.id)
        rank, tied = ranks.get(e.id, (None, False))
        row.score = round(s.score, agg.SCORE_DECIMALS) if s else None
        row.n_judges = s.n_judges if s else 0
        row.low, row.high = (s.low, s.high) if s else (None, None)
        row.flagged = e.id in flagged
        row.rank, row.tied = rank, tied
        row.prize, row.advanced, row.notes = None, False, ""
        stored.append(row)
    rnd.aggregated_at = now
    db.session.flush()
    round_event(actor_id, "judging.aggregate", rnd, method=rnd.aggregation,
                threshold=rnd.disagreement_threshold, prizes_cleared=cleared,
                results={str(r.entry_id): [r.score, r.rank, r.n_judges] for r in stored},
                flagged=sorted(flagged))
    return stored


def alpha(rnd: JudgingRound, category: Category | int | None = None) -> agg.AlphaResult:
    """Krippendorff's alpha (interval) of the round's submitted totals, for the whole round or
    one category, with the numbers of entries, judges and paired values it rests on."""
    category_id = category.id if isinstance(category, Category) else category
    return agg.alpha_interval(counted_sheets(rnd, category_id))


@dataclass
class ResultRow:
    result: EntryResult
    entry: Entry


@dataclass
class CategoryResults:
    category: Category
    rows: list[ResultRow]


def results_by_category(rnd: JudgingRound) -> list[CategoryResults]:
    """Stored results, category by category, in rank order (unscored entries last)."""
    contest = db.session.get(WritingContest, rnd.contest_id)
    entries = {e.id: e for e in db.session.execute(
        select(Entry).join(EntryResult, EntryResult.entry_id == Entry.id)
        .where(EntryResult.round_id == rnd.id)).scalars()}
    grouped: dict[int, list[ResultRow]] = defaultdict(list)
    for r in results_of(rnd):
        grouped[entries[r.entry_id].category_id].append(ResultRow(r, entries[r.entry_id]))
    found = []
    for category in contest.categories:
        rows = sorted(grouped.get(category.id, []),
                      key=lambda row: (row.result.rank is None, row.result.rank or 0,
                                       row.entry.id))
        if rows:
            found.append(CategoryResults(category, rows))
    return found


def require_results(rnd: JudgingRound) -> None:
    if rnd.aggregated_at is None:
        raise refuse("not_aggregated")


@dataclass
class LeftOutJudge:
    """A judge whose sheets do not enter the z-scores, and why ("too_few_sheets" or
    "no_spread"), with the number of their sheets and (for "no_spread") the one total given."""

    judge: User
    reason: str
    n_sheets: int
    total: float


def left_out_judges(rnd: JudgingRound) -> list[LeftOutJudge]:
    """The judges left out of the z-average of a round aggregated by z-score (see
    :func:`contest.judging.aggregate.entry_scores`), from the submitted sheets that count, in
    name order; empty for the other methods."""
    if rnd.aggregation != "zscore":
        return []
    stats = agg.judge_stats(counted_sheets(rnd))
    out = [judge_id for judge_id, s in stats.items() if s.status != "ok"]
    if not out:
        return []
    users = {u.id: u for u in db.session.execute(
        select(User).where(User.id.in_(out))).scalars()}
    found = [LeftOutJudge(users[j], stats[j].status, stats[j].n_sheets, stats[j].mean)
             for j in out if j in users]
    return sorted(found, key=lambda x: (x.judge.full_name, x.judge.id))
