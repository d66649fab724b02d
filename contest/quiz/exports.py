"""CSV files of a round's results for organizers: the full ranking and the statistics."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from contest.extensions import db
from contest.quiz.item_report import ItemReport
from contest.quiz.models import Result, Round
from contest.quiz.review import review_row, review_select
from contest.quiz.units import UnitRow


def _csv(rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows(rows)
    return out.getvalue()


def _num(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def items_csv(report: ItemReport) -> str:
    head = ["question_id", "external_id", "title", "kind", "attempts", "facility_pct",
            "discrimination", "blank"]
    return _csv([head] + [
        [q.question_id, q.external_id or "", q.title or q.text[:80], q.kind, q.attempts,
         _num(q.facility), _num(q.discrimination), q.blank]
        for q in report.questions
    ])


def options_csv(report: ItemReport) -> str:
    head = ["question_id", "option_id", "position", "text", "fraction", "chosen", "chosen_pct"]
    return _csv([head] + [
        [q.question_id, o.option_id, o.position, o.text, o.fraction, o.chosen,
         _num(o.share(q.attempts))]
        for q in report.questions for o in q.options
    ])


def distribution_csv(report: ItemReport) -> str:
    return _csv([["correct_answers", "entrants"]] + [[k, n] for k, n in
                                                     report.distribution.items()])


def units_csv(rows: Sequence[UnitRow]) -> str:
    head = ["unit_code", "unit", "belongs_to", "participants", "size", "rate_pct"]
    return _csv([head] + [
        [r.code or "", r.name or "", r.parent or "", r.participants,
         "" if r.size is None else r.size, _num(r.rate)]
        for r in rows
    ])


def ranking_csv(rnd: Round, chunk: int = 5000) -> Iterator[str]:
    """The full final ranking for organizers, streamed (no phone, e-mail or birth date)."""
    yield _csv([["rank", "tied", "entrant_id", "full_name", "unit", "score", "max_score",
                 "prediction", "distance", "time_ms", "submitted_at", "prize"]])
    stmt = (
        review_select(rnd.perfect_count or 0)
        .where(Result.round_id == rnd.id, Result.final_rank.is_not(None))
        .order_by(Result.final_rank, Result.user_id)
        .execution_options(yield_per=chunk)
    )
    batch: list[list[Any]] = []
    for row in db.session.execute(stmt):
        r = review_row(row)
        batch.append([r.rank, int(r.tied), r.user_id, r.full_name, r.unit or "", r.score,
                      r.max_score, "" if r.prediction is None else r.prediction,
                      "" if r.distance is None else r.distance, r.time_ms,
                      r.submitted_at.isoformat(), r.prize or ""])
        if len(batch) >= chunk:
            yield _csv(batch)
            batch = []
    if batch:
        yield _csv(batch)
