"""The round's score matrix as a workbook, for the organizers' records (written by
:mod:`contest.sheets`: titles, names and criteria are always text, never formulas).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

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
from contest.sheets import Sheet, xlsx_bytes
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
    score_rows: list[list[Any]] = []
    result_rows: list[list[Any]] = []
    for e in entries:
        r = results.get(e.id)
        for a in sorted(by_entry.get(e.id, []), key=lambda a: (users[a.judge_id].full_name,
                                                               a.judge_id)):
            sheet = a.sheet
            status = t["none"] if sheet is None else t[sheet.status]
            points = (sheet.points or {}) if sheet is not None else {}
            score_rows.append([e.anon_code, e.category.name, e.title,
                               users[a.judge_id].full_name, status]
                              + [points.get(str(c.id)) for c in criteria]
                              + [sheet.total if sheet is not None else None,
                                 r.score if r else None, r.rank if r else None])
        if r is None:
            result_rows.append([e.anon_code, e.category.name, e.title])
            continue
        result_rows.append([e.anon_code, e.category.name, e.title, r.n_judges, r.low, r.high,
                            r.score, r.rank, t["yes"] if r.tied else "",
                            t["yes"] if r.flagged else "", t["yes"] if r.advanced else "",
                            r.prize])
    return xlsx_bytes([
        Sheet(t["scores"], [t["code"], t["category"], t["title"], t["judge"], t["status"]]
              + [f"{c.name} (/{c.max_points:g})" for c in criteria]
              + [t["total"], t["score"], t["rank"]], score_rows),
        Sheet(t["results"], [t["code"], t["category"], t["title"], t["n_judges"], t["low"],
                             t["high"], t["score"], t["rank"], t["tied"], t["flagged"],
                             t["advanced"], t["prize"]], result_rows),
    ])
