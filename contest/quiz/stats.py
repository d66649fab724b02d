"""Item statistics of a quiz round, following the definitions of Moodle's quiz statistics.

* Facility index: the mean score on a question as a percentage of its
  maximum (0-100); high means easy.
* Discrimination index: 100 times the Pearson correlation, across attempts,
  between the score on the question and the score on the rest of the test
  (attempt total minus this question). Undefined (None) with fewer than two
  attempts or when either series does not vary.

Questions drawn at random appear in only some attempts; each question's
statistics use just the attempts that contain it.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "ItemStat",
    "discrimination_index",
    "facility_index",
    "item_statistics",
    "option_frequencies",
    "score_distribution",
]


@dataclass(frozen=True)
class ItemStat:
    """Statistics of one question over the attempts that contained it."""

    question_id: int
    attempts: int
    mean_score: float | None
    max_score: float
    facility: float | None
    discrimination: float | None


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def facility_index(scores: Sequence[float], max_score: float = 1.0) -> float | None:
    """Return 100 * mean(scores) / max_score, or None with no scores or no maximum."""
    if not scores or max_score <= 0:
        return None
    return 100.0 * _mean(scores) / max_score


def _pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson correlation, or None when it is undefined."""
    if len(xs) < 2:
        return None
    # Exact constancy check: a variance computed from floats may come out as
    # a tiny non-zero number and give a meaningless correlation.
    if min(xs) == max(xs) or min(ys) == max(ys):
        return None
    mean_x, mean_y = _mean(xs), _mean(ys)
    sxy = math.fsum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    sxx = math.fsum((x - mean_x) ** 2 for x in xs)
    syy = math.fsum((y - mean_y) ** 2 for y in ys)
    r = sxy / math.sqrt(sxx * syy)
    return max(-1.0, min(1.0, r))


def discrimination_index(
    question_scores: Sequence[float], total_scores: Sequence[float]
) -> float | None:
    """Return the discrimination index of a question, -100 .. 100, or None.

    ``question_scores[i]`` and ``total_scores[i]`` are the score on the
    question and the total score of attempt ``i``; the correlation is taken
    against the rest of the test, ``total - question``. Returns None when
    there are fewer than two attempts or either series is constant. Raises
    :class:`ValueError` when the two lists differ in length.
    """
    if len(question_scores) != len(total_scores):
        raise ValueError("question and total scores differ in length")
    # Rounding drops subtraction noise (e.g. 2.9999999999 for 3) that would
    # make a constant rest-of-test series look like it varies.
    rest = [round(total - own, 9) for own, total in zip(question_scores, total_scores, strict=True)]
    r = _pearson(list(question_scores), rest)
    return None if r is None else 100.0 * r


def option_frequencies(
    choices: Iterable[Collection[int]], option_ids: Iterable[int] | None = None
) -> dict[int, int]:
    """Count, per option, the attempts that chose it.

    ``choices`` holds one collection of chosen option ids per attempt that
    saw the question. With ``option_ids`` the result lists those options in
    that order, unchosen ones with 0, and a chosen id outside them raises
    :class:`ValueError`; without it, chosen options are listed in ascending id.
    """
    counts: dict[int, int] = {}
    for chosen in choices:
        for option_id in set(chosen):  # an attempt counts once per option
            counts[option_id] = counts.get(option_id, 0) + 1
    if option_ids is None:
        return dict(sorted(counts.items()))
    result = {option_id: 0 for option_id in option_ids}
    stray = counts.keys() - result.keys()
    if stray:
        raise ValueError(f"option(s) {sorted(stray)} are not options of the question")
    for option_id, count in counts.items():
        result[option_id] = count
    return result


def score_distribution(
    correct_counts: Iterable[int], max_correct: int | None = None
) -> dict[int, int]:
    """Map each number of correct answers k to the number of entrants with k.

    Keys are ascending. With ``max_correct`` every k in 0..max_correct is
    present (0 where nobody), and a count outside that range raises
    :class:`ValueError`.
    """
    counts: dict[int, int] = {}
    for k in correct_counts:
        if k < 0 or (max_correct is not None and k > max_correct):
            raise ValueError(f"correct count {k} is out of range")
        counts[k] = counts.get(k, 0) + 1
    if max_correct is not None:
        return {k: counts.get(k, 0) for k in range(max_correct + 1)}
    return dict(sorted(counts.items()))


def item_statistics(
    rows: Iterable[Mapping[int, float]],
    max_scores: Mapping[int, float] | None = None,
) -> list[ItemStat]:
    """Compute facility and discrimination for every question, by ascending id.

    Each row is one attempt and maps question id to the score earned on it;
    the attempt total is the sum of its row. ``max_scores`` gives each
    question's maximum (default 1 point); its questions are reported even
    when no attempt contained them.
    """
    rows = list(rows)
    max_scores = dict(max_scores or {})
    totals = [math.fsum(row.values()) for row in rows]
    question_ids = sorted(set(max_scores).union(*(row.keys() for row in rows)))
    stats: list[ItemStat] = []
    for question_id in question_ids:
        own: list[float] = []
        total: list[float] = []
        for row, row_total in zip(rows, totals, strict=True):
            if question_id in row:
                own.append(row[question_id])
                total.append(row_total)
        maximum = max_scores.get(question_id, 1.0)
        stats.append(
            ItemStat(
                question_id=question_id,
                attempts=len(own),
                mean_score=_mean(own) if own else None,
                max_score=maximum,
                facility=facility_index(own, maximum),
                discrimination=discrimination_index(own, total),
            )
        )
    return stats
