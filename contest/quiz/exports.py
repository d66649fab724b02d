"""CSV files of a round's results for organizers: the full ranking and the statistics.

Every file is written by :mod:`contest.sheets` (byte-order mark first, formula-like text
neutralised); figures are passed as numbers so that a negative one stays a number.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from contest.extensions import db
from contest.quiz.item_report import ItemReport
from contest.quiz.models import Result, Round
from contest.quiz.review import review_row, review_select
from contest.quiz.units import UnitRow
from contest.sheets import csv_lines, csv_text


def _num(value: float | None, digits: int = 2) -> Decimal | None:
    # A Decimal keeps the fixed number of digits ("-0.30") and is written as a number.
    return None if value is None else Decimal(f"{value:.{digits}f}")


def items_csv(report: ItemReport) -> str:
    head = ["question_id", "external_id", "title", "kind", "attempts", "facility_pct",
            "discrimination", "blank"]
    return csv_text([head] + [
        [q.question_id, q.external_id, q.title or q.text[:80], q.kind, q.attempts,
         _num(q.facility), _num(q.discrimination), q.blank]
        for q in report.questions
    ])


def options_csv(report: ItemReport) -> str:
    head = ["question_id", "option_id", "position", "text", "fraction", "chosen", "chosen_pct"]
    return csv_text([head] + [
        [q.question_id, o.option_id, o.position, o.text, o.fraction, o.chosen,
         _num(o.share(q.attempts))]
        for q in report.questions for o in q.options
    ])


def distribution_csv(report: ItemReport) -> str:
    return csv_text([["correct_answers", "entrants"], *report.distribution.items()])


def units_csv(rows: Sequence[UnitRow]) -> str:
    head = ["unit_code", "unit", "belongs_to", "participants", "size", "rate_pct"]
    return csv_text([head] + [
        [r.code, r.name, r.parent, r.participants, r.size, _num(r.rate)]
        for r in rows
    ])


def ranking_csv(rnd: Round, chunk: int = 5000) -> Iterator[str]:
    """The full final ranking for organizers, streamed in pieces of ``chunk`` lines (no phone,
    e-mail or birth date)."""
    stmt = (
        review_select(rnd.perfect_count or 0)
        .where(Result.round_id == rnd.id, Result.final_rank.is_not(None))
        .order_by(Result.final_rank, Result.user_id)
        .execution_options(yield_per=chunk)
    )

    def rows() -> Iterator[Sequence[Any]]:
        yield ["rank", "tied", "entrant_id", "full_name", "unit", "score", "max_score",
               "prediction", "distance", "time_ms", "submitted_at", "prize"]
        for row in db.session.execute(stmt):
            r = review_row(row)
            yield [r.rank, int(r.tied), r.user_id, r.full_name, r.unit, r.score, r.max_score,
                   r.prediction, r.distance, r.time_ms, r.submitted_at.isoformat(), r.prize]

    batch: list[str] = []
    for line in csv_lines(rows()):
        batch.append(line)
        if len(batch) > chunk:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)
