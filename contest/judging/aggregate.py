"""Turning judges' score sheets into entry scores, disagreement flags, rankings and reliability.

Everything here takes plain values (entry and judge ids of any hashable type, floats) and
returns plain values; the judging views load sheets from the database and call these.

* :func:`sheet_total` - one judge's weighted total for one entry on the rubric's scale.
* :func:`entry_scores` - one score per entry from its sheets: plain mean, trimmed mean, or
  mean of per-judge z-scores read back on the rubric's scale.
* :func:`disagreements` - entries whose judges are further apart than a threshold.
* :func:`rank_with_ties` - competition ranking (1, 2, 2, 4); ties are shown, never broken.
* :func:`alpha_interval` - Krippendorff's alpha (interval metric) for a set of sheets.
* :func:`judge_stats` - each judge's number of sheets, mean and spread, with the status the
  z-score method gives them, for the organizers' report.

Scores are compared after rounding to :data:`SCORE_DECIMALS` places, so float noise such
as 8.3 - 6.3 = 2.0000000000000004 never decides a flag or a rank.

Per category or per sub-panel figures (alpha in particular): filter the sheets first and
call the function once per group.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal, TypeAlias

__all__ = [
    "ALPHA_PACKAGE_MAX_CELLS",
    "MIN_JUDGES_FOR_TRIM",
    "MIN_SHEETS_FOR_Z",
    "SCORE_DECIMALS",
    "AlphaResult",
    "Criterion",
    "EntryScore",
    "JudgeStats",
    "Method",
    "Sheet",
    "alpha_interval",
    "disagreements",
    "entry_scores",
    "judge_stats",
    "rank_with_ties",
    "sheet_total",
]

Entry: TypeAlias = Hashable
Judge: TypeAlias = Hashable
Method: TypeAlias = Literal["mean", "trimmed", "zscore"]

SCORE_DECIMALS = 6
# Press-award practice trims only large juries: with 3 or 4 judges, dropping two sheets
# would leave the score resting on one or two people.
MIN_JUDGES_FOR_TRIM = 5
# A judge's mean and spread estimated from one or two sheets say nothing about how that
# judge uses the scale (with two sheets every z-score is -1 or +1).
MIN_SHEETS_FOR_Z = 3

# Spreads and z-score ranges below this count as zero: totals are rubric points, so
# anything smaller is rounding noise, not a judgement.
_EPSILON = 1e-9

# Cells (entries x distinct values^2) above which the krippendorff package's dense
# coincidence tensor gets too big (memory grows with that product; 5 million cells is
# about 0.2 s and 100 MB); above it the same statistic is computed in closed form.
ALPHA_PACKAGE_MAX_CELLS = 5_000_000


@dataclass(frozen=True)
class Criterion:
    """One rubric criterion: ``weight`` is its relative importance, ``max_points`` its top mark."""

    id: Hashable
    weight: float
    max_points: float

    @classmethod
    def points(cls, criterion_id: Hashable, max_points: float) -> Criterion:
        """A criterion of a points rubric: its weight is its maximum, so points simply add up."""
        return cls(id=criterion_id, weight=max_points, max_points=max_points)


@dataclass(frozen=True)
class Sheet:
    """One judge's total for one entry (see :func:`sheet_total`)."""

    entry: Entry
    judge: Judge
    total: float


@dataclass(frozen=True)
class EntryScore:
    """An entry's aggregated score.

    ``score`` is on the rubric's scale whatever the method. ``low``, ``high`` and ``range``
    (= high - low, rounded to :data:`SCORE_DECIMALS`) are always taken from the raw sheet
    totals, so a disagreement flag means the judges were that far apart on the rubric
    itself. ``method_used`` is the method actually applied, which differs from the one asked
    for when a fallback applied; ``notes`` say why, in plain words for the organizers. Notes
    may name judges, so under blind review show them to organizers only.
    """

    score: float
    n_judges: int
    low: float
    high: float
    range: float
    method_used: Method
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class JudgeStats:
    """How a judge used the scale: ``sd`` is the population standard deviation of their totals.

    ``status`` is "ok" (their sheets get z-scores), "too_few_sheets" (fewer than
    :data:`MIN_SHEETS_FOR_Z`: left out of z-scores) or "no_spread" (every total equal: left out
    of z-scores as well).
    """

    n_sheets: int
    mean: float
    sd: float
    status: Literal["ok", "too_few_sheets", "no_spread"]


@dataclass(frozen=True)
class AlphaResult:
    """Krippendorff's alpha for a set of sheets.

    ``alpha`` is None when it is undefined: fewer than two pairable values (no entry has two
    sheets) or no variation at all among them (zero expected disagreement). ``n_entries`` and
    ``n_judges`` count all entries and judges in the sheets; ``n_pairable_values`` counts the
    totals on entries with at least two sheets, the only ones alpha can use. ``computed_by``
    says which implementation produced the figure: "krippendorff" (the package) or
    "closed-form" (the same formula, used when the package's dense tensors would not fit).
    """

    alpha: float | None
    n_entries: int
    n_judges: int
    n_pairable_values: int
    computed_by: str = "krippendorff"


def sheet_total(
    points: Mapping[Hashable, float], criteria: Sequence[Criterion], scale: float
) -> float:
    """Weighted total of one score sheet, on a scale of 0 to ``scale``.

    total = scale x sum(weight_i x points_i / max_points_i) / sum(weight_i)

    Each criterion contributes the fraction of its maximum the judge gave, weighted; dividing
    by the sum of weights makes a perfect sheet read exactly ``scale``. For a points rubric
    such as the 10-point press scale (discovery 5, style and form 3, social meaning and
    impact 2), make each weight equal to the criterion's maximum (:meth:`Criterion.points`)
    and ``scale`` the sum of maxima: the total is then the plain sum of the points.
    Equal weights would instead make the three criteria count the same (a full "impact" 2/2
    would be worth as much as a full "discovery" 5/5), which is not what that scale means.

    The sum is computed in exact rational arithmetic and rounded once at the end, so a
    sheet of 4 + 2 + 1 reads 7.0, not 6.999999999999999.

    Raises ValueError for a criterion without points, points for an unknown criterion,
    points below 0 or above the maximum, a negative weight, a non-positive maximum, all
    weights zero, or a non-positive scale.
    """
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    ids = {criterion.id for criterion in criteria}
    unknown = [key for key in points if key not in ids]
    if unknown:
        raise ValueError(f"points for criteria not in the rubric: {unknown!r}")
    weighted = Fraction(0)
    weights = Fraction(0)
    for criterion in criteria:
        if criterion.id not in points:
            raise ValueError(f"no points for criterion {criterion.id!r}")
        if criterion.weight < 0:
            raise ValueError(f"negative weight for criterion {criterion.id!r}")
        if criterion.max_points <= 0:
            raise ValueError(f"max_points must be positive for criterion {criterion.id!r}")
        given = points[criterion.id]
        if not 0 <= given <= criterion.max_points:
            raise ValueError(
                f"{given} points for {criterion.id!r} is outside 0..{criterion.max_points}"
            )
        weight = Fraction(criterion.weight)
        weighted += weight * Fraction(given) / Fraction(criterion.max_points)
        weights += weight
    if weights == 0:
        raise ValueError("the rubric's weights add up to zero")
    return float(Fraction(scale) * weighted / weights)


def _group_by_entry(sheets: Iterable[Sheet]) -> dict[Entry, list[Sheet]]:
    """Group sheets by entry, rejecting a second sheet by the same judge or a non-finite total."""
    by_entry: dict[Entry, list[Sheet]] = defaultdict(list)
    seen: set[tuple[Entry, Judge]] = set()
    for sheet in sheets:
        if not math.isfinite(sheet.total):
            raise ValueError(f"non-finite total on {sheet!r}")
        key = (sheet.entry, sheet.judge)
        if key in seen:
            raise ValueError(
                f"judge {sheet.judge!r} has more than one sheet for entry {sheet.entry!r}"
            )
        seen.add(key)
        by_entry[sheet.entry].append(sheet)
    return dict(by_entry)


def judge_stats(sheets: Iterable[Sheet]) -> dict[Judge, JudgeStats]:
    """Each judge's number of sheets, mean total, population SD and z-score status.

    The population SD (divide by n) is used because a judge's sheets in a round are all of
    that judge's scores there, not a sample of them; it is also what "standardise each
    judge's scores" means in most jury guides. (The sample SD would shrink every z-score of
    a judge with n sheets by sqrt((n - 1) / n), treating judges with fewer sheets unevenly.)
    """
    totals: dict[Judge, list[float]] = defaultdict(list)
    for sheet in sheets:
        totals[sheet.judge].append(sheet.total)
    stats: dict[Judge, JudgeStats] = {}
    for judge, values in totals.items():
        mean = statistics.fmean(values)
        sd = statistics.pstdev(values, mu=mean)
        if len(values) < MIN_SHEETS_FOR_Z:
            status: Literal["ok", "too_few_sheets", "no_spread"] = "too_few_sheets"
        elif max(values) - min(values) <= _EPSILON:
            status = "no_spread"
            sd = 0.0
        else:
            status = "ok"
        stats[judge] = JudgeStats(n_sheets=len(values), mean=mean, sd=sd, status=status)
    return stats


def entry_scores(
    sheets: Sequence[Sheet], method: Method = "mean"
) -> dict[Entry, EntryScore]:
    """Aggregate score sheets into one score per entry.

    ``method``:

    * ``"mean"`` - the mean of the entry's totals.
    * ``"trimmed"`` - with :data:`MIN_JUDGES_FOR_TRIM` (5) or more sheets, the mean after
      dropping one highest and one lowest total; with fewer, the plain mean, and the notes
      say so (``method_used`` is then "mean").
    * ``"zscore"`` - each total becomes z = (total - judge's mean) / judge's SD, using all of
      that judge's sheets in ``sheets`` and the population SD (see :func:`judge_stats`). An
      entry's value is the mean of its z-scores, mapped linearly onto the range of the raw
      means of the entries that have z-scores (lowest mean z -> lowest raw mean, highest ->
      highest) so it reads on the rubric's scale. When every such entry has the same mean z,
      each reads as the mean of those raw means. Special cases, each noted on the entries
      concerned:

      - a judge with fewer than 3 sheets is left out of the z-scores (their scale cannot be
        estimated); their totals still count in ``low``/``high``;
      - a judge who gave every entry the same total is left out of the z-scores too: their
        scale has no spread to divide by, and counting them as z = 0 would pull each of their
        entries towards the middle, against the order the other judges gave; their totals
        still count in ``low``/``high``;
      - an entry with no z-score left falls back to the mean of its raw totals
        (``method_used`` "mean").

    The result keeps the order in which entries first appear in ``sheets``. Raises
    ValueError for an unknown method, two sheets by one judge for one entry, or a
    non-finite total.
    """
    if method not in ("mean", "trimmed", "zscore"):
        raise ValueError(f"unknown aggregation method {method!r}")
    by_entry = _group_by_entry(sheets)
    if method == "zscore":
        return _zscore_scores(by_entry, judge_stats(sheets))
    return {
        entry: _plain_score(entry_sheets, trimmed=method == "trimmed")
        for entry, entry_sheets in by_entry.items()
    }


def _spread(entry_sheets: Sequence[Sheet]) -> tuple[float, float, float]:
    totals = [sheet.total for sheet in entry_sheets]
    low, high = min(totals), max(totals)
    return low, high, round(high - low, SCORE_DECIMALS)


def _plain_score(entry_sheets: Sequence[Sheet], *, trimmed: bool) -> EntryScore:
    totals = sorted(sheet.total for sheet in entry_sheets)
    low, high, spread = _spread(entry_sheets)
    n = len(totals)
    notes: tuple[str, ...] = ()
    method_used: Method = "mean"
    if trimmed and n >= MIN_JUDGES_FOR_TRIM:
        kept = totals[1:-1]
        method_used = "trimmed"
        notes = (f"highest ({totals[-1]:g}) and lowest ({totals[0]:g}) totals dropped",)
    else:
        kept = totals
        if trimmed:
            notes = (
                f"only {n} judges (a trimmed mean needs {MIN_JUDGES_FOR_TRIM}): plain mean used",
            )
    return EntryScore(
        score=statistics.fmean(kept),
        n_judges=n,
        low=low,
        high=high,
        range=spread,
        method_used=method_used,
        notes=notes,
    )


def _zscore_scores(
    by_entry: Mapping[Entry, Sequence[Sheet]], stats: Mapping[Judge, JudgeStats]
) -> dict[Entry, EntryScore]:
    mean_z: dict[Entry, float] = {}
    raw_mean: dict[Entry, float] = {}
    notes: dict[Entry, list[str]] = {}
    for entry, entry_sheets in by_entry.items():
        raw_mean[entry] = statistics.fmean(sheet.total for sheet in entry_sheets)
        entry_notes: list[str] = []
        zs: list[float] = []
        for sheet in entry_sheets:
            judge = stats[sheet.judge]
            if judge.status == "too_few_sheets":
                entry_notes.append(
                    f"judge {sheet.judge!r} left out of the z-scores: only {judge.n_sheets} "
                    f"sheet(s), {MIN_SHEETS_FOR_Z} needed"
                )
            elif judge.status == "no_spread":
                entry_notes.append(
                    f"judge {sheet.judge!r} left out of the z-scores: gave every entry "
                    f"{judge.mean:g}"
                )
            else:
                zs.append((sheet.total - judge.mean) / judge.sd)
        if zs:
            mean_z[entry] = statistics.fmean(zs)
        else:
            entry_notes.append("no judge of this entry has usable z-scores: raw mean used")
        notes[entry] = entry_notes

    z_low = z_high = raw_low = raw_high = centre = 0.0
    flat = False
    if mean_z:
        z_low, z_high = min(mean_z.values()), max(mean_z.values())
        raw_low = min(raw_mean[entry] for entry in mean_z)
        raw_high = max(raw_mean[entry] for entry in mean_z)
        flat = z_high - z_low <= _EPSILON
        if flat:
            centre = statistics.fmean(raw_mean[entry] for entry in mean_z)
            for entry in mean_z:
                notes[entry].append(
                    "every entry has the same mean z-score: reads as the mean of the raw means"
                )

    result: dict[Entry, EntryScore] = {}
    for entry, entry_sheets in by_entry.items():
        low, high, spread = _spread(entry_sheets)
        method_used: Method = "zscore"
        if entry not in mean_z:
            score = raw_mean[entry]
            method_used = "mean"
        elif flat:
            score = centre
        else:
            share = (mean_z[entry] - z_low) / (z_high - z_low)
            score = raw_low + share * (raw_high - raw_low)
        result[entry] = EntryScore(
            score=score,
            n_judges=len(entry_sheets),
            low=low,
            high=high,
            range=spread,
            method_used=method_used,
            notes=tuple(notes[entry]),
        )
    return result


def disagreements(scores: Mapping[Entry, EntryScore], threshold: float) -> list[Entry]:
    """Entries whose judges' totals span more than ``threshold`` (high - low > threshold).

    A range exactly equal to the threshold is not flagged; both sides are rounded to
    :data:`SCORE_DECIMALS` first. Entries come in the order of ``scores``.
    """
    limit = round(threshold, SCORE_DECIMALS)
    return [
        entry for entry, score in scores.items() if round(score.range, SCORE_DECIMALS) > limit
    ]


def rank_with_ties(scores: Mapping[Entry, EntryScore]) -> list[tuple[int, list[Entry]]]:
    """Rank entries by score, highest first, with competition ranking (1, 2, 2, 4).

    Scores equal after rounding to :data:`SCORE_DECIMALS` share a rank and are returned
    together: a tie is shown as a tie for the organizers (or a tie-break judge) to settle,
    never broken silently. Within a tie, entries keep the order of ``scores``.
    """
    # sorted() is stable, so tied entries keep the caller's order.
    ordered = sorted(scores.items(), key=lambda item: -round(item[1].score, SCORE_DECIMALS))
    ranking: list[tuple[int, list[Entry]]] = []
    previous: float | None = None
    for position, (entry, score) in enumerate(ordered, start=1):
        value = round(score.score, SCORE_DECIMALS)
        if value == previous:
            ranking[-1][1].append(entry)
        else:
            ranking.append((position, [entry]))
            previous = value
    return ranking


def alpha_interval(
    sheets: Sequence[Sheet], *, max_cells: int = ALPHA_PACKAGE_MAX_CELLS
) -> AlphaResult:
    """Krippendorff's alpha with the interval metric for a set of sheets.

    alpha = 1 - D_o / D_e, observed over expected disagreement with squared differences;
    entries not scored by every judge are simply missing cells. The reliability data given
    to the ``krippendorff`` package has judges as rows and entries as columns, NaN where a
    judge did not score an entry. Totals are rounded to :data:`SCORE_DECIMALS` first, so
    float noise does not create distinct values.

    The package builds a dense entries x values x values tensor, which does not fit in
    memory for weighted totals with hundreds of distinct values; when entries x values^2
    exceeds ``max_cells`` the same formula is evaluated in closed form
    (``computed_by="closed-form"``); the unit tests check both give the same figure.
    Entries with a single sheet carry no pairable value and are left out of the
    computation (they do not change alpha); they still count in ``n_entries``.
    """
    import krippendorff
    import numpy as np
    by_entry = _group_by_entry(sheets)
    judges = list(dict.fromkeys(sheet.judge for sheet in sheets))
    n_entries, n_judges = len(by_entry), len(judges)
    pairable = [
        [(sheet.judge, round(sheet.total, SCORE_DECIMALS)) for sheet in entry_sheets]
        for entry_sheets in by_entry.values()
        if len(entry_sheets) >= 2
    ]
    n_pairable = sum(len(unit) for unit in pairable)
    values = {value for unit in pairable for _, value in unit}
    if n_pairable < 2 or len(values) < 2:
        return AlphaResult(None, n_entries, n_judges, n_pairable)

    if len(pairable) * len(values) ** 2 > max_cells:
        alpha = _alpha_interval_closed_form([[value for _, value in unit] for unit in pairable])
        return AlphaResult(alpha, n_entries, n_judges, n_pairable, computed_by="closed-form")

    row = {judge: i for i, judge in enumerate(judges)}
    data = np.full((n_judges, len(pairable)), np.nan)
    for column, unit in enumerate(pairable):
        for judge, value in unit:
            data[row[judge], column] = value
    alpha = float(krippendorff.alpha(reliability_data=data, level_of_measurement="interval"))
    return AlphaResult(alpha, n_entries, n_judges, n_pairable)


def _alpha_interval_closed_form(units: Sequence[Sequence[float]]) -> float:
    """Interval alpha from per-unit sums, without a coincidence matrix.

    With n pairable values, m_u values in unit u and the squared difference as metric:
    sum over the coincidence matrix of o_ck (c - k)^2 = sum_u 2 m_u SS_u / (m_u - 1), and
    sum of n_c n_k (c - k)^2 = 2 n SS, where SS_u and SS are sums of squared deviations from
    the unit's and the overall mean; so alpha = 1 - (n - 1) sum_u [m_u SS_u / (m_u - 1)] /
    (n SS). Deviations are taken from means, not as raw sums of squares, for accuracy.
    """
    import numpy as np
    flat = np.fromiter((value for unit in units for value in unit), dtype=float)
    n = flat.size
    total_ss = float(((flat - flat.mean()) ** 2).sum())
    within = 0.0
    for unit in units:
        array = np.asarray(unit, dtype=float)
        m = array.size
        within += m * float(((array - array.mean()) ** 2).sum()) / (m - 1)
    return 1.0 - (n - 1) * within / (n * total_ss)
