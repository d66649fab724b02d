"""Time judge assignment and score aggregation at the size of a national press award.

    .venv/bin/python bench/judging.py             # 5 runs of each measurement
    .venv/bin/python bench/judging.py --runs 9 --seed 7

Assignment: 1,000 entries x 40 judges, K = 3, each (judge, entry) pair conflicted with
probability 5 % (target: 5 s); then the same panel skewed so that loads cannot be even
(30 % of the entries may only go to 5 judges), and the same panel with load caps adding up
to fewer places than it needs, so that some places must stay empty.
Aggregation: the 3,000 sheets of the first assignment, totals on the 10-point press rubric
(discovery 5, form 3, impact 2, half points) with a lenient or harsh streak per judge; timed
together are the mean, trimmed and z-score aggregations, disagreement flags, ranking and
Krippendorff's alpha (target: 2 s). A last line times alpha alone on weighted totals with
thousands of distinct values, where alpha is computed in closed form rather than by the
krippendorff package. No database. Prints min and median over the runs.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from contest.judging.aggregate import (  # noqa: E402 - needs the path above
    AlphaResult,
    Criterion,
    Method,
    Sheet,
    alpha_interval,
    disagreements,
    entry_scores,
    rank_with_ties,
    sheet_total,
)
from contest.judging.assign import assign, balance_report  # noqa: E402

ENTRIES, JUDGES, K, CONFLICT_RATE = 1000, 40, 3, 0.05
ASSIGN_TARGET_S, AGGREGATE_TARGET_S = 5.0, 2.0
PRESS = [
    Criterion.points("discovery", 5),
    Criterion.points("form", 3),
    Criterion.points("impact", 2),
]

T = TypeVar("T")


def timed(action: Callable[[], T], runs: int) -> tuple[list[float], T]:
    """Run ``action`` ``runs`` times; return each run's wall-clock seconds and the last result."""
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        result = action()
        seconds.append(time.perf_counter() - start)
    return seconds, result


def report(label: str, seconds: list[float], target: float | None = None) -> None:
    median = statistics.median(seconds)
    line = f"{label:<58} min {min(seconds):6.3f} s   median {median:6.3f} s"
    if target is not None:
        line += f"   (target {target:g} s: {'ok' if median <= target else 'MISSED'})"
    print(line)


def half_points(rng: random.Random, top: int, quality: float, streak: float) -> float:
    """A judge's mark for one criterion: the entry's quality, the judge's streak, some noise."""
    raw = top * quality + streak * top / 10 + rng.gauss(0, top / 8)
    return min(top, max(0, round(raw * 2) / 2))


def make_sheets(rng: random.Random, judges_by_entry: dict[int, tuple[str, ...]]) -> list[Sheet]:
    quality = {entry: rng.betavariate(4, 3) for entry in judges_by_entry}
    streak = {judge: rng.gauss(0, 1.2) for judges in judges_by_entry.values() for judge in judges}
    sheets = []
    for entry, judges in judges_by_entry.items():
        for judge in judges:
            points = {
                c.id: half_points(rng, int(c.max_points), quality[entry], streak[judge])
                for c in PRESS
            }
            sheets.append(Sheet(entry, judge, sheet_total(points, PRESS, 10)))
    return sheets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    entries = list(range(ENTRIES))
    judges = [f"judge-{i:02d}" for i in range(JUDGES)]
    conflicts = {(j, e) for j in judges for e in entries if rng.random() < CONFLICT_RATE}
    print(
        f"{ENTRIES} entries x {JUDGES} judges, K = {K}, {len(conflicts)} conflicts "
        f"({len(conflicts) / (ENTRIES * JUDGES):.1%}), {args.runs} runs"
    )

    seconds, result = timed(lambda: assign(entries, judges, K, conflicts), args.runs)
    report("assign, 5 % random conflicts", seconds, ASSIGN_TARGET_S)
    low, high = balance_report(result)
    print(f"  complete: {result.complete}, loads {low}..{high}")

    # The same panel where 30 % of the entries may only go to 5 of the judges (say, entries
    # from the outlet the other judges work for): loads cannot be even.
    few = set(judges[:5])
    block = set(rng.sample(entries, ENTRIES * 3 // 10))
    skewed = {(j, e) for j, e in conflicts if not (j in few and e in block)}
    skewed |= {(j, e) for j in judges if j not in few for e in block}
    seconds, lopsided = timed(lambda: assign(entries, judges, K, skewed), args.runs)
    report("assign, skewed panel (loads cannot be even)", seconds, ASSIGN_TARGET_S)
    low, high = balance_report(lopsided)
    print(f"  complete: {lopsided.complete}, loads {low}..{high}")

    # The first panel with caps of 50 to 78 entries per judge (about 2,560 places for the
    # 3,000 needed): the largest assignment is found and the empty places are spread.
    # The caps come from their own generator so the figures below stay as they were.
    caps = random.Random(args.seed + 1)
    capacity = {j: caps.randint(50, 78) for j in judges}
    seconds, capped = timed(
        lambda: assign(entries, judges, K, conflicts, capacity=capacity), args.runs
    )
    report("assign, capped panel (places must stay empty)", seconds, ASSIGN_TARGET_S)
    low, high = balance_report(capped)
    counts = sorted({len(js) for js in capped.judges_by_entry.values()})
    print(
        f"  {sum(capacity.values())} places for {K * ENTRIES}: {len(capped.unassignable)} "
        f"entries short, judges per entry {counts}, loads {low}..{high}"
    )

    sheets = make_sheets(rng, result.judges_by_entry)
    methods: tuple[Method, ...] = ("mean", "trimmed", "zscore")

    def aggregate_all() -> tuple[dict[str, int], AlphaResult]:
        flagged = {}
        for method in methods:
            scores = entry_scores(sheets, method)
            rank_with_ties(scores)
            flagged[method] = len(disagreements(scores, 3.0))
        return flagged, alpha_interval(sheets)

    seconds, (flagged, alpha) = timed(aggregate_all, args.runs)
    report(
        f"aggregate {len(sheets)} sheets: 3 methods + flags + ranks + alpha",
        seconds,
        AGGREGATE_TARGET_S,
    )
    print(
        f"  alpha {alpha.alpha:.3f} ({alpha.computed_by}), "
        f"{flagged['mean']} entries flagged at range > 3"
    )

    # Weighted totals (criteria weighted 3, 2, 1 on a 100-point scale) take hundreds of
    # distinct values: the krippendorff package's dense tensor would not fit.
    weighted = [Criterion("discovery", 3, 5), Criterion("form", 2, 3), Criterion("impact", 1, 2)]
    spread = []
    for sheet in sheets:
        points = {c.id: rng.uniform(0, c.max_points) for c in weighted}
        spread.append(Sheet(sheet.entry, sheet.judge, sheet_total(points, weighted, 100)))
    seconds, alpha = timed(lambda: alpha_interval(spread), args.runs)
    report(f"alpha alone, {len({s.total for s in spread})} distinct totals", seconds)
    print(f"  alpha {alpha.alpha:.3f}, computed by {alpha.computed_by}")


if __name__ == "__main__":
    main()
