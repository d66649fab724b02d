"""Pages of the public leaderboards: the live order while a round runs, the final ranking and
the prize winners once it is published. Names are masked; no contact data.

Pages are keyset pages over the indexes of ``quiz_results`` (see :mod:`contest.quiz.board`), so
a deep page costs what the first one does.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, tuple_

from contest.extensions import db
from contest.quiz.board import (
    LIVE_ORDER,
    NUMBERED_PAGES,
    PRIZE_UNDECIDED,
    BoardPage,
    BoardRow,
    FinalCursor,
    LiveKey,
    board_row,
    board_select,
    final_row,
    final_select,
    key_of,
    prize_tiers,
    ranked_count,
)
from contest.quiz.models import Result, Round
from contest.quiz.ranks import FENCE_EVERY, FENCE_TTL, count_ahead, fences

# --------------------------------------------------------------------------- links between pages


def _linked_page(kind: str, board: list[BoardRow], per_page: int, total: int,
                 number: int | None, position: int, *, has_next: bool,
                 has_prev: bool) -> BoardPage:
    """The page with its links: page numbers within the numbered pages, cursors beyond.

    ``position`` is the number of rows listed before the page's first row.
    """
    next_page = next_cursor = prev_page = prev_cursor = None
    if has_next:
        if number is not None and number < NUMBERED_PAGES:
            next_page = number + 1
        else:
            next_cursor = board[-1].cursor
    if has_prev:
        if number is not None:
            prev_page = number - 1
        elif position <= NUMBERED_PAGES * per_page and position % per_page == 0:
            prev_page = position // per_page
        else:
            prev_cursor = board[0].cursor
    return BoardPage(kind, board, per_page, total, page=number, next_page=next_page,
                     next_cursor=next_cursor, prev_page=prev_page, prev_cursor=prev_cursor)


# --------------------------------------------------------------------------- live pages


_LIVE_ORDER_REVERSED = (
    Result.score.asc(),
    Result.time_ms.desc(),
    Result.submitted_at.desc(),
    Result.user_id.desc(),
)


def _rows_after(round_id: int, key: LiveKey, limit: int, inclusive: bool = False) -> list[Any]:
    """Up to ``limit`` rows after ``key`` in the live order, as two index range scans."""
    tail = tuple_(Result.time_ms, Result.submitted_at, Result.user_id)
    mark = tuple_(key.time_ms, key.submitted_at, key.user_id)
    rows = db.session.execute(
        board_select()
        .where(
            Result.round_id == round_id,
            Result.score == key.score,
            tail >= mark if inclusive else tail > mark,
        )
        .order_by(*LIVE_ORDER)
        .limit(limit)
    ).all()
    if len(rows) < limit:
        rows += db.session.execute(
            board_select()
            .where(Result.round_id == round_id, Result.score < key.score)
            .order_by(*LIVE_ORDER)
            .limit(limit - len(rows))
        ).all()
    return rows


def _rows_before(round_id: int, key: LiveKey, limit: int) -> list[Any]:
    """Up to ``limit`` rows just before ``key`` in the live order, returned in live order."""
    tail = tuple_(Result.time_ms, Result.submitted_at, Result.user_id)
    mark = tuple_(key.time_ms, key.submitted_at, key.user_id)
    rows = db.session.execute(
        board_select()
        .where(Result.round_id == round_id, Result.score == key.score, tail < mark)
        .order_by(*_LIVE_ORDER_REVERSED)
        .limit(limit)
    ).all()
    if len(rows) < limit:
        rows += db.session.execute(
            board_select()
            .where(Result.round_id == round_id, Result.score > key.score)
            .order_by(*_LIVE_ORDER_REVERSED)
            .limit(limit - len(rows))
        ).all()
    return rows[::-1]


def _number_rows(rows: Sequence[Any], keys: Sequence[LiveKey], first_rank: int,
                 first_position: int, tied_before: bool, tied_after: bool) -> list[BoardRow]:
    """Rank the rows of a live page: equal keys share a rank, otherwise rank = 1 + position.

    ``tied_before``/``tied_after`` say whether the first/last row's tie goes on beyond the page.
    """
    ranks: list[int] = []
    for i, key in enumerate(keys):
        if i == 0:
            ranks.append(first_rank)
        elif key.order == keys[i - 1].order:
            ranks.append(ranks[-1])
        else:
            ranks.append(first_position + i + 1)
    counts = Counter(ranks)
    last = len(rows) - 1
    return [
        board_row(row, ranks[i], keys[i].encode(),
                  tied=counts[ranks[i]] > 1 or (i == 0 and tied_before) or
                  (i == last and tied_after))
        for i, row in enumerate(rows)
    ]


def _tied_before(round_id: int, key: LiveKey) -> int:
    """Entrants tied with ``key`` but listed before it (lower id)."""
    return db.session.execute(
        select(func.count())
        .select_from(Result)
        .where(
            Result.round_id == round_id,
            Result.score == key.score,
            Result.time_ms == key.time_ms,
            Result.submitted_at == key.submitted_at,
            Result.user_id < key.user_id,
        )
    ).scalar_one()


def live_page(
    round_id: int,
    *,
    page: int | None = None,
    after: LiveKey | None = None,
    before: LiveKey | None = None,
    start: LiveKey | None = None,
    per_page: int = 50,
    **options: Any,
) -> BoardPage:
    """A page of the live leaderboard.

    Give a ``page`` number (1 .. :data:`NUMBERED_PAGES`, by OFFSET) or a cursor: ``after`` (the
    last row of the previous page), ``before`` (the first row of the next page) or ``start``
    (this row first, e.g. the reader's own line). Rows come from one range of
    ``ix_quiz_results_live`` (two where the page crosses a score), plus one indexed count for
    the rank of the first row, so a deep page costs what the first one does.
    """
    snapshot = fences(round_id, options.get("every", FENCE_EVERY),
                       options.get("ttl", FENCE_TTL))
    number: int | None = None
    prev_key: LiveKey | None = None  # the row just before the page, when there is one
    next_key: LiveKey | None = None  # the row just after it
    if before is not None:
        got = _rows_before(round_id, before, per_page + 1)
        if len(got) > per_page:
            prev_key, got = key_of(got[0]), got[1:]
        rows, next_key = got, before
    else:
        if after is not None:
            got = _rows_after(round_id, after, per_page + 1)
            prev_key = after
        elif start is not None:
            got = _rows_after(round_id, start, per_page + 1, inclusive=True)
            if got:
                previous = _rows_before(round_id, key_of(got[0]), 1)
                prev_key = key_of(previous[0]) if previous else None
        else:
            number = max(1, min(page or 1, NUMBERED_PAGES))
            offset = (number - 1) * per_page
            got = db.session.execute(
                board_select()
                .where(Result.round_id == round_id)
                .order_by(*LIVE_ORDER)
                .offset(max(0, offset - 1))
                .limit(per_page + (2 if offset else 1))
            ).all()
            if offset and got:
                prev_key, got = key_of(got[0]), got[1:]
        if len(got) > per_page:
            next_key = key_of(got[per_page])
        rows = got[:per_page]
    if not rows:
        return BoardPage("live", [], per_page, snapshot.total, page=number)

    keys = [key_of(row) for row in rows]
    first, last = keys[0], keys[-1]
    tied_before = prev_key is not None and prev_key.order == first.order
    tied_after = next_key is not None and next_key.order == last.order
    if number is not None:
        position = (number - 1) * per_page
        ahead = 0 if prev_key is None else count_ahead(round_id, first, **options)
    else:
        ahead = 0 if prev_key is None else count_ahead(round_id, first, **options)
        position = ahead + (_tied_before(round_id, first) if tied_before else 0)
        if position < NUMBERED_PAGES * per_page and position % per_page == 0:
            number = position // per_page + 1  # a cursor that lands on a numbered page
    board = _number_rows(rows, keys, ahead + 1, position, tied_before, tied_after)

    return _linked_page("live", board, per_page, snapshot.total, number, position,
                        has_next=next_key is not None, has_prev=prev_key is not None)


# --------------------------------------------------------------------------- final pages


def _final_rows(base: Any, condition: Any, need: int, descending: bool = False) -> list[Any]:
    """At least ``need`` + 1 rows (fewer at the end) of the final order from ``condition``,
    sorted by (rank, entrant id).

    The scan is ordered by the rank alone, which ``ix_quiz_results_final`` gives without a sort
    whatever the planner's statistics say; the order inside a tied group is then made in Python,
    after reading the whole group at the far edge when the limit may have cut it.
    """
    order = Result.final_rank.desc() if descending else Result.final_rank
    rows = db.session.execute(base.where(condition).order_by(order).limit(need + 1)).all()
    if len(rows) > need:
        edge = rows[-1].final_rank
        inside = sum(1 for r in rows if r.final_rank != edge)
        if inside < need:
            seen = {r.user_id for r in rows}
            rows += [r for r in db.session.execute(
                base.where(condition, Result.final_rank == edge)
            ).all() if r.user_id not in seen]
    rows.sort(key=lambda r: (r.final_rank, r.user_id))
    return rows


def final_page(
    rnd: Round,
    *,
    page: int | None = None,
    after: FinalCursor | None = None,
    before: FinalCursor | None = None,
    from_rank: int | None = None,
    per_page: int = 50,
) -> BoardPage:
    """A page of the final ranking (excluded entrants left out), through ``ix_quiz_results_final``.

    Numbered pages for the first :data:`NUMBERED_PAGES`, cursors beyond (``after`` the last row
    of the previous page, ``before`` the first row of the next); ``from_rank`` starts at the
    first entrant with that rank or worse.
    """
    base = final_select(rnd.perfect_count or 0).where(
        Result.round_id == rnd.id, Result.final_rank.is_not(None)
    )
    pair = tuple_(Result.final_rank, Result.user_id)
    number: int | None = None
    has_prev = False
    if before is not None:
        got = _final_rows(base, pair < tuple_(before.rank, before.user_id), per_page,
                          descending=True)
        has_prev = len(got) > per_page
        rows, has_next = got[-per_page:], True
    else:
        if after is not None:
            got = _final_rows(base, pair > tuple_(after.rank, after.user_id), per_page)
            has_prev = True
        elif from_rank is not None:
            got = _final_rows(base, Result.final_rank >= from_rank, per_page)
            has_prev = from_rank > 1
        else:
            number = max(1, min(page or 1, NUMBERED_PAGES))
            skip = (number - 1) * per_page
            got = _final_rows(base, Result.final_rank.is_not(None), skip + per_page)[skip:]
            has_prev = number > 1
        has_next = len(got) > per_page
        rows = got[:per_page]
    total = ranked_count(rnd)
    if not rows:
        return BoardPage("final", [], per_page, total, page=number)
    board = [final_row(r) for r in rows]
    first = board[0]

    if number is not None:
        position = (number - 1) * per_page
    else:
        # Competition ranks: rank - 1 entrants are strictly ahead, then the tied of lower id.
        position = first.rank - 1
        if first.tied:
            position += db.session.execute(
                select(func.count()).select_from(Result)
                .where(Result.round_id == rnd.id, Result.final_rank == first.rank,
                       Result.user_id < first.user_id)
            ).scalar_one()
        has_prev = position > 0
        if position < NUMBERED_PAGES * per_page and position % per_page == 0:
            number = position // per_page + 1

    return _linked_page("final", board, per_page, total, number, position,
                        has_next=has_next, has_prev=has_prev)


def prize_list(rnd: Round) -> list[tuple[str, list[BoardRow]]]:
    """Prize winners per tier in tier order, masked for the public."""
    rows = db.session.execute(
        final_select(rnd.perfect_count or 0)
        .where(Result.round_id == rnd.id, Result.prize.is_not(None),
               Result.prize != PRIZE_UNDECIDED, Result.final_rank.is_not(None))
        .order_by(Result.final_rank, Result.user_id)
    ).all()
    by_tier: dict[str, list[BoardRow]] = defaultdict(list)
    for row in rows:
        by_tier[row.prize].append(final_row(row))
    return [(name, by_tier.get(name, [])) for name, _ in prize_tiers(rnd)]
