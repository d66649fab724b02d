"""The round's score matrix as a workbook, for the organizers' records.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from contest.judging.common import N_, untranslated
from contest.judging.models import Assignment, JudgingRound
from contest.judging.rounds import (
    assignments_of,
    criteria_of,
    excluded_entries,
    results_of,
    round_entries,
    users_by_id,
)
from contest.writing.models import Entry

MATRIX_HEADERS = {
    "code": N_("Code"), "category": N_("Category"), "title": N_("Title"),
    "judge": N_("Judge"), "status": N_("Sheet"), "total": N_("Total"),
    "score": N_("Entry score"), "rank": N_("Rank"), "tied": N_("Tied"),
    "flagged": N_("Judges disagree"), "n_judges": N_("Judges"), "low": N_("Lowest total"),
    "high": N_("Highest total"), "advanced": N_("Advances"), "prize": N_("Prize"),
    "scores": N_("Scores"), "results": N_("Results"), "yes": N_("yes"),
    "submitted": N_("submitted"), "draft": N_("draft"), "none": N_("not started"),
}


def score_matrix_xlsx(rnd: JudgingRound, translate: Callable[[str], str] = untranslated) -> bytes:
    """The round's scores as a workbook: one row per entry and judge with every criterion's
    points, the sheet's total and the entry's score and rank; a second sheet of results."""
    t = {k: translate(v) for k, v in MATRIX_HEADERS.items()}
    criteria = criteria_of(rnd)
    results = {r.entry_id: r for r in results_of(rnd)}

    def order(e: Entry) -> tuple[Any, ...]:
        rank = results[e.id].rank if e.id in results else None
        return (e.category.position, e.category_id, rank is None, rank or 0, e.id)

    entries = sorted(round_entries(rnd) + excluded_entries(rnd), key=order)
    by_entry: dict[int, list[Assignment]] = defaultdict(list)
    for a in assignments_of(rnd):
        by_entry[a.entry_id].append(a)
    users = users_by_id(a.judge_id for rows in by_entry.values() for a in rows)
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)

    def text(sheet: Any, value: Any) -> Any:
        if value is None or isinstance(value, int | float):
            return value
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", str(value)))
        cell.data_type = "s"  # a title starting with "=" stays text
        return cell

    def header(sheet: Any, labels: list[str]) -> None:
        row = []
        for label in labels:
            cell = WriteOnlyCell(sheet, value=label)
            cell.font = bold
            row.append(cell)
        sheet.append(row)

    scores = workbook.create_sheet(t["scores"][:31])
    scores.freeze_panes = "A2"
    header(scores, [t["code"], t["category"], t["title"], t["judge"], t["status"]]
           + [f"{c.name} (/{c.max_points:g})" for c in criteria]
           + [t["total"], t["score"], t["rank"]])
    for e in entries:
        r = results.get(e.id)
        for a in sorted(by_entry.get(e.id, []), key=lambda a: (users[a.judge_id].full_name,
                                                               a.judge_id)):
            sheet = a.sheet
            status = t["none"] if sheet is None else t[sheet.status]
            points = (sheet.points or {}) if sheet is not None else {}
            scores.append([text(scores, e.anon_code), text(scores, e.category.name),
                           text(scores, e.title), text(scores, users[a.judge_id].full_name),
                           status]
                          + [points.get(str(c.id)) for c in criteria]
                          + [sheet.total if sheet is not None else None,
                             r.score if r else None, r.rank if r else None])

    summary = workbook.create_sheet(t["results"][:31])
    summary.freeze_panes = "A2"
    header(summary, [t["code"], t["category"], t["title"], t["n_judges"], t["low"], t["high"],
                     t["score"], t["rank"], t["tied"], t["flagged"], t["advanced"], t["prize"]])
    for e in entries:
        r = results.get(e.id)
        if r is None:
            summary.append([text(summary, e.anon_code), text(summary, e.category.name),
                            text(summary, e.title)])
            continue
        summary.append([text(summary, e.anon_code), text(summary, e.category.name),
                        text(summary, e.title), r.n_judges, r.low, r.high, r.score, r.rank,
                        t["yes"] if r.tied else "", t["yes"] if r.flagged else "",
                        t["yes"] if r.advanced else "", r.prize or ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
