"""Item statistics of a round from its attempts (facility, discrimination, answer frequencies).

They use the best attempt of each entrant who is not excluded (the attempt that counts, as
Moodle's "graded attempts"), so that an entrant with three tries weighs as much as one with one.
This is the one place of the results that reads attempts rather than ``quiz_results``.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select, text

from contest.extensions import db
from contest.quiz.board import process_cache
from contest.quiz.models import Attempt, Option, Question, Result, Round


@dataclass
class OptionStat:
    option_id: int
    position: int
    text: str
    fraction: float
    chosen: int

    def share(self, seen: int) -> float | None:
        return None if not seen else 100.0 * self.chosen / seen


@dataclass
class QuestionStat:
    """Moodle's facility and discrimination for one question, plus its answer frequencies."""

    question_id: int
    external_id: str | None
    title: str
    text: str
    kind: str
    attempts: int
    facility: float | None
    discrimination: float | None
    blank: int
    options: list[OptionStat] = field(default_factory=list)


@dataclass
class ItemReport:
    round_id: int
    attempts: int
    questions: list[QuestionStat]
    distribution: dict[int, int]  # k correct answers -> entrants
    max_correct: int


def _weighted_pearson(cells: Mapping[tuple[float, float], int]) -> float | None:
    n = sum(cells.values())
    xs = {x for x, _ in cells}
    ys = {y for _, y in cells}
    if n < 2 or len(xs) < 2 or len(ys) < 2:
        return None
    mx = math.fsum(c * x for (x, _), c in cells.items()) / n
    my = math.fsum(c * y for (_, y), c in cells.items()) / n
    sxy = math.fsum(c * (x - mx) * (y - my) for (x, y), c in cells.items())
    sxx = math.fsum(c * (x - mx) ** 2 for (x, _), c in cells.items())
    syy = math.fsum(c * (y - my) ** 2 for (_, y), c in cells.items())
    r = sxy / math.sqrt(sxx * syy)
    return max(-1.0, min(1.0, r))


@dataclass
class _Tally:
    """What the item statistics need, summed over the attempts."""

    attempts: int = 0
    max_correct: int = 0
    # question -> (score on it, attempt total) -> attempts
    cells: dict[int, Counter[tuple[float, float]]] = field(
        default_factory=lambda: defaultdict(Counter))
    chosen: dict[int, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    answered: Counter[int] = field(default_factory=Counter)
    distribution: Counter[int] = field(default_factory=Counter)


def _tally_streaming(round_id: int, chunk: int) -> _Tally:
    """Sum the best attempts in Python, ``chunk`` rows at a time (``yield_per``)."""
    tally = _Tally()
    cells, chosen, answered = tally.cells, tally.chosen, tally.answered
    rows = db.session.execute(
        select(Attempt.item_scores, Attempt.answers, Attempt.correct_count, Attempt.score)
        .join(Result, Result.best_attempt_id == Attempt.id)
        .where(Result.round_id == round_id, Result.excluded.is_(False))
        .execution_options(yield_per=chunk)
    )
    for item_scores, answers, correct, score in rows:
        tally.attempts += 1
        item_scores = item_scores or {}
        answers = answers or {}
        total = math.fsum(item_scores.values()) if score is None else score
        for key, x in item_scores.items():
            q = int(key)
            cells[q][(x, total)] += 1
            picked = answers.get(key)
            if picked:
                answered[q] += 1
                counts = chosen[q]
                for option_id in set(picked):
                    counts[option_id] += 1
        if correct is None:
            correct = sum(1 for v in item_scores.values() if v >= 1.0)
        tally.distribution[correct] += 1
        tally.max_correct = max(tally.max_correct, len(item_scores), correct)
    return tally


# The same sums made by PostgreSQL, which reads the JSON columns many times faster than Python.
_PG_CELLS = """
SELECT e.key, (e.value::text)::float8, a.score, count(*)
FROM quiz_results r JOIN quiz_attempts a ON a.id = r.best_attempt_id
CROSS JOIN LATERAL json_each(a.item_scores) e
WHERE r.round_id = :round_id AND NOT r.excluded
GROUP BY 1, 2, 3
"""


_PG_CHOSEN = """
SELECT e.key, o.value, count(*)
FROM quiz_results r JOIN quiz_attempts a ON a.id = r.best_attempt_id
CROSS JOIN LATERAL json_each(a.answers) e
CROSS JOIN LATERAL json_array_elements_text(
    CASE WHEN json_typeof(e.value) = 'array' THEN e.value ELSE '[]'::json END) o
WHERE r.round_id = :round_id AND NOT r.excluded
GROUP BY 1, 2
"""


_PG_ANSWERED = """
SELECT e.key, count(*)
FROM quiz_results r JOIN quiz_attempts a ON a.id = r.best_attempt_id
CROSS JOIN LATERAL json_each(a.answers) e
WHERE r.round_id = :round_id AND NOT r.excluded
  AND json_array_length(
      CASE WHEN json_typeof(e.value) = 'array' THEN e.value ELSE '[]'::json END) > 0
GROUP BY 1
"""


_PG_DISTRIBUTION = """
SELECT a.correct_count, count(*), max((SELECT count(*) FROM json_object_keys(a.item_scores)))
FROM quiz_results r JOIN quiz_attempts a ON a.id = r.best_attempt_id
WHERE r.round_id = :round_id AND NOT r.excluded
GROUP BY 1
"""


def _tally_in_database(round_id: int) -> _Tally:
    tally = _Tally()
    params = {"round_id": round_id}

    def rows(sql: str):  # noqa: ANN202
        return db.session.execute(text(sql), params).all()

    for key, x, total, n in rows(_PG_CELLS):
        tally.cells[int(key)][(x, total)] += n
    for key, option_id, n in rows(_PG_CHOSEN):
        tally.chosen[int(key)][int(option_id)] += n
    for key, n in rows(_PG_ANSWERED):
        tally.answered[int(key)] += n
    for correct, n, questions in rows(_PG_DISTRIBUTION):
        tally.attempts += n
        tally.distribution[correct or 0] += n
        tally.max_correct = max(tally.max_correct, questions or 0, correct or 0)
    return tally


def item_report(round_id: int, *, chunk: int = 2000,
                in_database: bool | None = None) -> ItemReport:
    """Item statistics over the best attempt of every entrant not excluded.

    Per question only a small table of (score on it, attempt total) -> count is kept, so memory
    does not grow with the number of attempts, and Moodle's definitions are computed exactly
    from it: facility = mean score as a percentage of the maximum (1 point), discrimination =
    100 x correlation with the rest of the test (total minus the question). A question drawn at
    random counts only the attempts that contained it. On PostgreSQL the sums are made by the
    database (``in_database``, the default there); elsewhere the attempts are streamed
    ``chunk`` at a time. The report of a ranked round is kept in the process until the round is
    ranked again.
    """
    if in_database is None:
        in_database = db.session.get_bind().dialect.name == "postgresql"
    stamp = db.session.execute(
        select(Round.finalized_at).where(Round.id == round_id)
    ).scalar_one_or_none()
    cache = process_cache("items")
    key = (round_id, stamp, in_database)
    if stamp is not None and key in cache:
        return cache[key]
    tally = _tally_in_database(round_id) if in_database else _tally_streaming(round_id, chunk)
    cells: dict[int, Counter[tuple[float, float]]] = defaultdict(Counter)
    for q, table in tally.cells.items():
        for (x, total), n in table.items():
            # Rounding drops subtraction noise that would split equal rest-of-test scores.
            cells[q][(x, round(total - x, 9))] += n
    chosen = tally.chosen

    ids = sorted(cells)
    questions = {q.id: q for q in db.session.execute(
        select(Question).where(Question.id.in_(ids or [0]))
    ).scalars()}
    options: dict[int, list[Option]] = defaultdict(list)
    for opt in db.session.execute(
        select(Option).where(Option.question_id.in_(ids or [0])).order_by(Option.position)
    ).scalars():
        options[opt.question_id].append(opt)

    stats: list[QuestionStat] = []
    for q in ids:
        table = cells[q]
        n = sum(table.values())
        mean = math.fsum(c * x for (x, _), c in table.items()) / n if n else None
        question = questions.get(q)
        stat = QuestionStat(
            question_id=q,
            external_id=question.external_id if question else None,
            title=question.title if question else "",
            text=question.text if question else "",
            kind=question.kind if question else "",
            attempts=n,
            facility=None if mean is None else 100.0 * mean,
            discrimination=None if (r := _weighted_pearson(table)) is None else 100.0 * r,
            blank=n - tally.answered[q],
        )
        known = set()
        for opt in options.get(q, []):
            known.add(opt.id)
            stat.options.append(OptionStat(opt.id, opt.position, opt.text, opt.fraction,
                                           chosen[q].get(opt.id, 0)))
        for stray in sorted(set(chosen[q]) - known):
            stat.options.append(OptionStat(stray, 0, "", 0.0, chosen[q][stray]))
        stats.append(stat)
    dist = {k: tally.distribution.get(k, 0) for k in range(tally.max_correct + 1)}
    report = ItemReport(round_id, tally.attempts, stats, dist, tally.max_correct)
    if stamp is not None:
        # Attempts of a ranked round no longer change; a re-ranking gives a new stamp.
        if len(cache) > 50:
            cache.clear()
        cache[key] = report
    return report
