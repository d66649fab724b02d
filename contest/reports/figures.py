"""The campaign's figures, each from one SQL aggregate (GROUP BY in the database, never every row
loaded into Python): registrations by week, entrants and attempts per round, participation by
unit rolled up through the unit tree, gender, age bands and ethnicity, and the writing contests.

Quiz participation is read from ``quiz_results`` (one row per entrant and round, indexed by
round and unit): a participant is counted under the unit their result was recorded with, in
the rounds and date range asked for (by submission time, Vietnam calendar). Excluded results
are left out. Only the unit table (hundreds of rows) is read whole, to walk the tree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, case, distinct, func, literal, select

from contest.accounts.identity import mask_name
from contest.accounts.models import Unit, User
from contest.extensions import db
from contest.judging.models import (
    Assignment,
    EntryResult,
    JudgingRound,
    JudgingRoundStatus,
    ScoreSheet,
    SheetStatus,
)
from contest.quiz.models import Result, Round, RoundStatus
from contest.timeutil import LOCAL_TZ, local_today
from contest.writing.models import Category, Entry, EntryStatus, WritingContest

# Groups smaller than this are shown as "<5" in anything shared outside the console.
SMALL_GROUP = 5
PARTICIPANT_LIST_LIMIT = 1000
UNKNOWN = ""  # the key of rows whose value was not given


@dataclass(frozen=True)
class Filters:
    """What the reader asked for. Dates are inclusive days of the Vietnam calendar."""

    start: date | None = None
    end: date | None = None
    unit_id: int | None = None
    round_id: int | None = None
    contest_id: int | None = None
    age_bands: tuple[int, ...] = (14, 18, 25, 35, 45, 60)


@dataclass(frozen=True)
class UnitNode:
    id: int
    name: str
    kind: str
    parent_id: int | None
    size: int | None


class UnitTree:
    """Every unit with its children; small enough to hold whole (hundreds of rows)."""

    def __init__(self, nodes: Iterable[UnitNode]) -> None:
        self.nodes = {n.id: n for n in nodes}
        self.children: dict[int | None, list[int]] = defaultdict(list)
        for node in sorted(self.nodes.values(), key=lambda n: (n.kind, n.name)):
            parent = node.parent_id if node.parent_id in self.nodes else None
            self.children[parent].append(node.id)

    @classmethod
    def load(cls) -> UnitTree:
        rows = db.session.execute(select(Unit.id, Unit.name, Unit.kind, Unit.parent_id,
                                         Unit.size)).all()
        return cls(UnitNode(*row) for row in rows)

    def subtree(self, unit_id: int) -> set[int]:
        found, stack = set(), [unit_id]
        while stack:
            current = stack.pop()
            if current in found or current not in self.nodes:
                continue
            found.add(current)
            stack.extend(self.children.get(current, []))
        return found

    def walk(self, roots: Sequence[int] | None = None) -> list[tuple[UnitNode, int]]:
        """Units depth first with their depth, from ``roots`` (default: the top units)."""
        out: list[tuple[UnitNode, int]] = []
        stack = [(r, 0) for r in reversed(roots if roots is not None else self.children[None])]
        seen: set[int] = set()
        while stack:
            unit_id, depth = stack.pop()
            if unit_id in seen:
                continue
            seen.add(unit_id)
            out.append((self.nodes[unit_id], depth))
            stack.extend((c, depth + 1) for c in reversed(self.children.get(unit_id, [])))
        return out


@dataclass
class Row:
    """One line of a breakdown: a label, a count, and where known a share or a rate."""

    key: Any
    label: str
    count: int
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class UnitRow:
    unit: UnitNode
    depth: int
    own: int  # participants recorded with this unit itself
    total: int  # this unit and every unit under it
    size: int | None  # known population of the unit and its sub-units

    @property
    def rate(self) -> float | None:
        return self.total / self.size if self.size else None


@dataclass
class RoundRow:
    id: int
    title: str
    status: str
    entrants: int
    attempts: int
    perfect: int


@dataclass
class JudgingProgress:
    contest: str
    round: str
    assigned: int
    submitted: int

    @property
    def share(self) -> float | None:
        return self.submitted / self.assigned if self.assigned else None


@dataclass
class Winner:
    event: str
    prize: str
    name: str
    unit: str
    work: str = ""
    rank: int | None = None


@dataclass
class Report:
    filters: Filters
    start: date
    end: date
    unit_label: str
    registrations: list[Row]
    rounds: list[RoundRow]
    participants: int
    units: list[UnitRow]
    gender: list[Row]
    age: list[Row]
    ethnicity: list[Row]
    entries_by_contest: list[Row]
    entries_by_category: list[Row]
    entries_by_medium: list[Row]
    entries_by_outlet: list[Row]
    judging: list[JudgingProgress]
    prizes_by_category: list[Row]
    quiz_winners: list[Winner]
    writing_winners: list[Winner]

    @property
    def entries(self) -> int:
        return sum(r.count for r in self.entries_by_contest)

    @property
    def empty(self) -> bool:
        return not (self.participants or self.entries or
                    any(r.count for r in self.registrations))


class Scope:
    """The units a reader may see: every unit (organizers), or one unit's subtree."""

    def __init__(self, tree: UnitTree, root: int | None = None, everything: bool = True) -> None:
        self.tree = tree
        self.root = root
        self.everything = everything and root is None
        self.unit_ids: set[int] = set(tree.nodes) if self.everything else \
            (tree.subtree(root) if root is not None else set())

    def allows(self, unit_id: int) -> bool:
        return unit_id in self.unit_ids


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """UTC instants of the first moment of ``start`` and the first moment after ``end``."""
    first = datetime.combine(start, time(0), LOCAL_TZ).astimezone(UTC)
    after = datetime.combine(end + timedelta(days=1), time(0), LOCAL_TZ).astimezone(UTC)
    return first, after


def campaign_start() -> date:
    """The first day anything happened: the first account or the first round's opening."""
    firsts = [db.session.execute(select(func.min(User.created_at))).scalar_one(),
              db.session.execute(select(func.min(Round.opens_at))).scalar_one()]
    known = [f.astimezone(LOCAL_TZ).date() for f in firsts if f is not None]
    return min(known) if known else local_today()


def age_band_labels(bands: Sequence[int]) -> list[str]:
    labels = []
    for i, low in enumerate(bands):
        labels.append(f"{low}–{bands[i + 1] - 1}" if i + 1 < len(bands) else f"{low}+")
    return labels


def _age_case(bands: Sequence[int], on: date) -> Any:
    """The band index of ``users.birth_date`` on the day ``on``; -1 under the lowest band."""

    def born_by(age: int) -> date:
        try:
            return on.replace(year=on.year - age)
        except ValueError:  # 29 February
            return on.replace(year=on.year - age, day=28)

    whens = [(User.birth_date <= born_by(low), i) for i, low in reversed(list(enumerate(bands)))]
    return case(*whens, else_=-1)


def _week_expr(column: Any) -> Any:
    """The Monday (Vietnam calendar) of the week of a UTC timestamp column."""
    if db.engine.dialect.name == "postgresql":
        return func.date(func.date_trunc("week", func.timezone("Asia/Ho_Chi_Minh", column)))
    return func.date(column, "+7 hours", "-6 days", "weekday 1")


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


class Reader:
    """Runs the aggregates of one report for one scope and filters."""

    def __init__(self, scope: Scope, filters: Filters) -> None:
        self.scope = scope
        self.filters = filters
        self.start = filters.start or campaign_start()
        self.end = filters.end or local_today()
        self.first, self.after = _bounds(self.start, self.end)
        units = scope.unit_ids
        if filters.unit_id is not None:
            units = units & scope.tree.subtree(filters.unit_id)
        self.units: set[int] | None = None if scope.everything and filters.unit_id is None \
            else units
        self._people_rows: list[tuple[Any, Any, Any, int]] | None = None

    # --- the filtered bases ------------------------------------------------------------------

    def _results(self, stmt: Select) -> Select:
        stmt = stmt.where(Result.excluded.is_(False), Result.submitted_at >= self.first,
                          Result.submitted_at < self.after)
        if self.filters.round_id is not None:
            stmt = stmt.where(Result.round_id == self.filters.round_id)
        if self.units is not None:
            stmt = stmt.where(Result.unit_id.in_(self.units or {0}))
        return stmt

    def _entries(self, stmt: Select) -> Select:
        stmt = stmt.where(Entry.status == EntryStatus.SUBMITTED,
                          Entry.submitted_at >= self.first, Entry.submitted_at < self.after)
        if self.filters.contest_id is not None:
            stmt = stmt.where(Entry.contest_id == self.filters.contest_id)
        if self.units is not None:
            stmt = stmt.join(User, User.id == Entry.author_id) \
                .where(User.unit_id.in_(self.units or {0}))
        return stmt

    # --- quiz ---------------------------------------------------------------------------------

    def registrations(self) -> list[Row]:
        week = _week_expr(User.created_at).label("week")
        stmt = select(week, func.count()).where(User.created_at >= self.first,
                                                User.created_at < self.after)
        if self.units is not None:
            stmt = stmt.where(User.unit_id.in_(self.units or {0}))
        rows = db.session.execute(stmt.group_by(week).order_by(week)).all()
        return [Row(_as_date(w), _as_date(w).isoformat(), n) for w, n in rows]

    def rounds(self) -> list[RoundRow]:
        listed = db.session.execute(
            select(Round.id, Round.title, Round.status).where(Round.status != RoundStatus.DRAFT)
            .order_by(Round.opens_at, Round.id)).all()
        stmt = self._results(select(
            Result.round_id, func.count(), func.coalesce(func.sum(Result.attempts_count), 0),
            func.coalesce(func.sum(case((Result.perfect.is_(True), 1), else_=0)), 0),
        )).group_by(Result.round_id)
        figures = {r[0]: r[1:] for r in db.session.execute(stmt).all()}
        out = []
        for rid, title, status in listed:
            if self.filters.round_id is not None and rid != self.filters.round_id:
                continue
            n, attempts, perfect = figures.get(rid, (0, 0, 0))
            out.append(RoundRow(rid, title, status, int(n), int(attempts), int(perfect)))
        return out

    def participants(self) -> int:
        return sum(n for *_keys, n in self._people())

    def _people(self) -> list[tuple[Any, Any, Any, int]]:
        """(gender, age band, ethnicity, people) over the distinct participants: one pass over
        the results for the total and all three breakdowns (kept for the report's lifetime)."""
        if self._people_rows is None:
            bands = list(self.filters.age_bands)
            participants = self._results(select(Result.user_id).distinct()).subquery()
            gender = func.coalesce(User.gender, literal(UNKNOWN)).label("gender")
            age = case((User.birth_date.is_(None), -2),
                       else_=_age_case(bands, self.end)).label("age")
            ethnicity = func.coalesce(User.ethnicity, literal(UNKNOWN)).label("ethnicity")
            stmt = (select(gender, age, ethnicity, func.count())
                    .select_from(participants)
                    .join(User, User.id == participants.c.user_id)
                    .group_by(gender, age, ethnicity))
            self._people_rows = [(g, a, e, int(n)) for g, a, e, n in db.session.execute(stmt)]
        return self._people_rows

    def _by_user_column(self, position: int) -> list[tuple[Any, int]]:
        counts: dict[Any, int] = {}
        for row in self._people():
            counts[row[position]] = counts.get(row[position], 0) + row[3]
        return list(counts.items())

    def units_rolled_up(self) -> list[UnitRow]:
        stmt = self._results(select(Result.unit_id, func.count(distinct(Result.user_id)))) \
            .group_by(Result.unit_id)
        own = {u: int(n) for u, n in db.session.execute(stmt).all()}
        tree = self.scope.tree
        if self.filters.unit_id is not None:
            roots = [self.filters.unit_id]
        elif self.scope.everything:
            roots = None
        else:
            roots = [self.scope.root] if self.scope.root is not None else []
        walked = tree.walk(roots)
        totals: dict[int, int] = {}
        sizes: dict[int, int | None] = {}
        for node, _depth in reversed(walked):
            kids = tree.children.get(node.id, [])
            totals[node.id] = own.get(node.id, 0) + sum(totals.get(k, 0) for k in kids)
            known = [sizes.get(k) for k in kids if sizes.get(k)]
            sizes[node.id] = node.size if node.size else (sum(known) if known else None)
        return [UnitRow(node, depth, own.get(node.id, 0), totals[node.id], sizes[node.id])
                for node, depth in walked]

    def gender(self) -> list[Row]:
        found = dict(self._by_user_column(0))
        order = ["female", "male", "other", "undisclosed", UNKNOWN]
        return [Row(k, k, found.get(k, 0)) for k in order if k in found or k in order[:2]]

    def age(self) -> list[Row]:
        bands = list(self.filters.age_bands)
        found = dict(self._by_user_column(1))
        labels = age_band_labels(bands)
        rows = [Row(i, labels[i], found.get(i, 0)) for i in range(len(bands))]
        if found.get(-1):
            rows.insert(0, Row(-1, f"<{bands[0]}", found[-1]))
        if found.get(-2):
            rows.append(Row(-2, UNKNOWN, found[-2]))
        return rows

    def ethnicity(self) -> list[Row]:
        found = self._by_user_column(2)
        found.sort(key=lambda kv: (-kv[1], str(kv[0])))
        return [Row(k, k, n) for k, n in found]

    def participant_list(self) -> list[dict[str, Any]]:
        """Participants with masked names, for a unit's own report (no contact data)."""
        stmt = self._results(select(
            User.full_name, Unit.name, func.count(Result.id), func.max(Result.score),
        ).join(User, User.id == Result.user_id).join(Unit, Unit.id == Result.unit_id,
                                                      isouter=True))
        stmt = stmt.group_by(User.id, User.full_name, Unit.name) \
            .order_by(Unit.name, User.full_name).limit(PARTICIPANT_LIST_LIMIT)
        return [{"name": mask_name(name or ""), "unit": unit or "", "rounds": int(n),
                 "best": float(best or 0)} for name, unit, n, best in db.session.execute(stmt)]

    # --- writing ------------------------------------------------------------------------------

    def _entries_by(self, *columns: Any, joins: Sequence[Any] = ()) -> list[tuple]:
        stmt = select(*columns, func.count(Entry.id)).select_from(Entry)
        for target, on in joins:
            stmt = stmt.join(target, on)
        stmt = self._entries(stmt).group_by(*columns)
        return db.session.execute(stmt).all()

    def writing(self) -> dict[str, list[Row]]:
        contests = self._entries_by(WritingContest.id, WritingContest.title,
                                    joins=[(WritingContest, WritingContest.id == Entry.contest_id)])
        categories = self._entries_by(
            Category.id, WritingContest.title, Category.name,
            joins=[(Category, Category.id == Entry.category_id),
                   (WritingContest, WritingContest.id == Entry.contest_id)])
        media = self._entries_by(Category.medium,
                                 joins=[(Category, Category.id == Entry.category_id)])
        outlets = self._entries_by(Entry.outlet)
        return {
            "contest": sorted((Row(i, t, n) for i, t, n in contests), key=lambda r: r.label),
            "category": sorted((Row(i, f"{t} · {c}", n) for i, t, c, n in categories),
                               key=lambda r: r.label),
            "medium": sorted((Row(m, m, n) for m, n in media), key=lambda r: -r.count),
            "outlet": sorted((Row(o or UNKNOWN, o or UNKNOWN, n) for o, n in outlets),
                             key=lambda r: (-r.count, r.label)),
        }

    def judging(self) -> list[JudgingProgress]:
        submitted = func.sum(case((ScoreSheet.status == SheetStatus.SUBMITTED, 1), else_=0))
        stmt = (select(WritingContest.title, JudgingRound.name, func.count(Assignment.id),
                       func.coalesce(submitted, 0))
                .select_from(JudgingRound)
                .join(WritingContest, WritingContest.id == JudgingRound.contest_id)
                .join(Assignment, Assignment.round_id == JudgingRound.id)
                .join(ScoreSheet, ScoreSheet.assignment_id == Assignment.id, isouter=True)
                .group_by(JudgingRound.id, WritingContest.title, JudgingRound.name,
                          JudgingRound.position)
                .order_by(WritingContest.title, JudgingRound.position))
        if self.filters.contest_id is not None:
            stmt = stmt.where(JudgingRound.contest_id == self.filters.contest_id)
        return [JudgingProgress(c, r, int(a), int(s)) for c, r, a, s in db.session.execute(stmt)]

    def _published_prizes(self, stmt: Select) -> Select:
        stmt = stmt.where(JudgingRound.status == JudgingRoundStatus.PUBLISHED,
                          EntryResult.prize.is_not(None), Entry.status == EntryStatus.SUBMITTED)
        if self.filters.contest_id is not None:
            stmt = stmt.where(Entry.contest_id == self.filters.contest_id)
        if self.units is not None:
            stmt = stmt.join(User, User.id == Entry.author_id) \
                .where(User.unit_id.in_(self.units or {0}))
        return stmt

    def prizes_by_category(self) -> list[Row]:
        stmt = self._published_prizes(
            select(Category.name, EntryResult.prize, func.count())
            .select_from(EntryResult)
            .join(JudgingRound, JudgingRound.id == EntryResult.round_id)
            .join(Entry, Entry.id == EntryResult.entry_id)
            .join(Category, Category.id == Entry.category_id)
        ).group_by(Category.name, EntryResult.prize).order_by(Category.name, EntryResult.prize)
        return [Row((c, p), f"{c} · {p}", int(n)) for c, p, n in db.session.execute(stmt)]

    def quiz_winners(self) -> list[Winner]:
        stmt = (select(Round.title, Result.prize, User.full_name, Unit.name, Result.final_rank)
                .select_from(Result)
                .join(Round, Round.id == Result.round_id)
                .join(User, User.id == Result.user_id)
                .join(Unit, Unit.id == Result.unit_id, isouter=True)
                .where(Round.status == RoundStatus.PUBLISHED, Result.prize.is_not(None),
                       Result.prize != "?", Result.excluded.is_(False))
                .order_by(Round.opens_at, Round.id, Result.final_rank, Result.id))
        if self.filters.round_id is not None:
            stmt = stmt.where(Result.round_id == self.filters.round_id)
        if self.units is not None:
            stmt = stmt.where(Result.unit_id.in_(self.units or {0}))
        return [Winner(t, p, n or "", u or "", rank=r) for t, p, n, u, r in
                db.session.execute(stmt)]

    def writing_winners(self) -> list[Winner]:
        author = User.__table__.alias("author")
        stmt = self._published_prizes(
            select(WritingContest.title, EntryResult.prize, author.c.full_name, Entry.title,
                   Category.name, EntryResult.rank)
            .select_from(EntryResult)
            .join(JudgingRound, JudgingRound.id == EntryResult.round_id)
            .join(Entry, Entry.id == EntryResult.entry_id)
            .join(Category, Category.id == Entry.category_id)
            .join(WritingContest, WritingContest.id == Entry.contest_id)
            .join(author, author.c.id == Entry.author_id)
        ).order_by(WritingContest.title, Category.name, EntryResult.rank, Entry.id)
        return [Winner(f"{t} · {c}", p, n or "", "", work=w, rank=r)
                for t, p, n, w, c, r in db.session.execute(stmt)]

    # --- the whole report ---------------------------------------------------------------------

    def report(self) -> Report:
        writing = self.writing()
        if self.filters.unit_id is not None and self.filters.unit_id in self.scope.tree.nodes:
            unit_label = self.scope.tree.nodes[self.filters.unit_id].name
        elif self.scope.root is not None and self.scope.root in self.scope.tree.nodes:
            unit_label = self.scope.tree.nodes[self.scope.root].name
        else:
            unit_label = ""
        return Report(
            filters=self.filters, start=self.start, end=self.end, unit_label=unit_label,
            registrations=self.registrations(), rounds=self.rounds(),
            participants=self.participants(), units=self.units_rolled_up(),
            gender=self.gender(), age=self.age(), ethnicity=self.ethnicity(),
            entries_by_contest=writing["contest"], entries_by_category=writing["category"],
            entries_by_medium=writing["medium"], entries_by_outlet=writing["outlet"],
            judging=self.judging(), prizes_by_category=self.prizes_by_category(),
            quiz_winners=self.quiz_winners(), writing_winners=self.writing_winners(),
        )


def shown(count: int, shared: bool) -> str:
    """A count as printed: groups of 1–4 people are "<5" in what leaves the console."""
    if shared and 0 < count < SMALL_GROUP:
        return f"<{SMALL_GROUP}"
    return f"{count:,}".replace(",", ".")


def share_text(part: int, whole: int, shared: bool) -> str:
    if not whole or (shared and 0 < part < SMALL_GROUP):
        return "—"
    return f"{100 * part / whole:.1f}%".replace(".", ",")

