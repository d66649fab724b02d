"""Scoring of quiz answers.

Each option of a question carries a weight in [-1, 1] (a GIFT fraction: 1 is
100 %, -0.5 is -50 %). Question kinds:

* ``"single"`` and ``"truefalse"``: at most one option may be chosen; the
  question earns ``points`` times the chosen option's weight, never below 0.
* ``"multiple"``: any number of options may be chosen, scored by the method:

  - ``"all_or_nothing"`` (default): full points only when the chosen set is
    exactly the set of options with a positive weight, otherwise 0;
  - ``"partial"``: the sum of the chosen options' weights, clamped to
    [0, 1], times ``points``. A question never scores below zero.

Tampering policy: a chosen option id that does not belong to the question, a
repeated option id, several options on a single-answer question, or an answer
to a question that is not part of the attempt raise :class:`ValueError`, so
the server can reject the submission instead of silently scoring it.

Scores are rounded to :data:`SCORE_DECIMALS` places so that equal results
compare equal: ranking relies on exact equality to detect ties.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

__all__ = [
    "ALL_OR_NOTHING",
    "KINDS",
    "METHODS",
    "PARTIAL",
    "SCORE_DECIMALS",
    "AttemptScore",
    "ItemKey",
    "check_weights",
    "is_fully_correct",
    "score_attempt",
    "score_question",
]

KINDS = ("single", "multiple", "truefalse")
ALL_OR_NOTHING = "all_or_nothing"
PARTIAL = "partial"
METHODS = (ALL_OR_NOTHING, PARTIAL)
SCORE_DECIMALS = 6

# GIFT thirds are written as 33.33333 %, so three of them sum to 0.9999999;
# within this distance of 0 or 1 a fraction is treated as exactly 0 or 1.
_TOLERANCE = 1e-6


@dataclass(frozen=True)
class ItemKey:
    """The answer key of one question in an attempt.

    ``weights`` maps each option id of the question to its fraction.
    """

    question_id: int
    kind: str
    weights: Mapping[int, float]
    points: float = 1.0


@dataclass(frozen=True)
class AttemptScore:
    """The score of a whole attempt.

    ``correct_count`` counts the questions that earned their full mark;
    ``per_question`` maps question id to the points earned on it.
    """

    score: float
    max_score: float
    correct_count: int
    per_question: dict[int, float] = field(default_factory=dict)


def check_weights(kind: str, weights: Mapping[int, float]) -> list[str]:
    """Return the problems with a question's answer key, e.g. after a GIFT import.

    An empty list means the key is consistent: a single-answer question has an
    option worth 100 %, a true/false question has exactly two options worth
    100 % and 0 %, and the positive weights of a multiple-answer question sum
    to 100 %.
    """
    problems: list[str] = []
    if kind not in KINDS:
        return [f"unknown question kind {kind!r}"]
    if not weights:
        return ["the question has no options"]
    for option_id, weight in weights.items():
        if not (math.isfinite(weight) and -1.0 <= weight <= 1.0):
            problems.append(f"option {option_id}: weight {weight} is outside [-1, 1]")
    if problems:
        return problems
    values = list(weights.values())
    if kind == "truefalse":
        if sorted(values) != [0.0, 1.0]:
            problems.append("a true/false question needs one option at 100 % and one at 0 %")
    elif kind == "single":
        if max(values) < 1.0 - _TOLERANCE:
            problems.append("no option is worth 100 %")
    else:
        positive = math.fsum(w for w in values if w > 0)
        if positive == 0:
            problems.append("no option has a positive weight")
        elif abs(positive - 1.0) > _TOLERANCE:
            problems.append(f"the positive weights sum to {positive:.7g}, not 1")
    return problems


def _validate(
    kind: str, weights: Mapping[int, float], chosen: Collection[int], method: str
) -> set[int]:
    """Check the arguments shared by the scoring functions; return the chosen set."""
    if kind not in KINDS:
        raise ValueError(f"unknown question kind {kind!r}")
    if method not in METHODS:
        raise ValueError(f"unknown scoring method {method!r}")
    if not weights:
        raise ValueError("the question has no options")
    for option_id, weight in weights.items():
        if not (math.isfinite(weight) and -1.0 <= weight <= 1.0):
            raise ValueError(f"option {option_id}: weight {weight} is outside [-1, 1]")
    chosen_list = list(chosen)
    chosen_set = set(chosen_list)
    if len(chosen_set) != len(chosen_list):
        raise ValueError("an option is chosen more than once")
    unknown = chosen_set - weights.keys()
    if unknown:
        raise ValueError(f"option(s) {sorted(unknown)} do not belong to the question")
    if kind != "multiple" and len(chosen_set) > 1:
        raise ValueError(f"a {kind} question accepts at most one option")
    return chosen_set


def _snap(fraction: float) -> float:
    """Clamp a fraction to [0, 1], absorbing rounding noise at both ends."""
    if fraction <= _TOLERANCE:
        return 0.0
    if fraction >= 1.0 - _TOLERANCE:
        return 1.0
    return fraction


def _fraction(kind: str, weights: Mapping[int, float], chosen: set[int], method: str) -> float:
    """Return the share of the question's points earned, in [0, 1]."""
    if not chosen:
        return 0.0
    if kind != "multiple":
        (option_id,) = chosen
        return _snap(weights[option_id])
    if method == ALL_OR_NOTHING:
        correct = {option_id for option_id, weight in weights.items() if weight > 0}
        return 1.0 if chosen == correct else 0.0
    return _snap(math.fsum(weights[option_id] for option_id in chosen))


def score_question(
    kind: str,
    weights: Mapping[int, float],
    chosen: Collection[int],
    method: str = ALL_OR_NOTHING,
    points: float = 1.0,
) -> float:
    """Return the points earned on one question (0 .. ``points``).

    ``weights`` maps option id to fraction, ``chosen`` holds the option ids the
    entrant selected (empty when unanswered). ``method`` only changes how
    ``"multiple"`` questions are scored. Raises :class:`ValueError` on an
    unknown kind or method, a weight outside [-1, 1], a negative ``points``,
    or a tampered answer (see the module docstring).
    """
    if not (math.isfinite(points) and points >= 0):
        raise ValueError(f"points must be a non-negative number, not {points}")
    chosen_set = _validate(kind, weights, chosen, method)
    return round(points * _fraction(kind, weights, chosen_set, method), SCORE_DECIMALS)


def is_fully_correct(
    kind: str,
    weights: Mapping[int, float],
    chosen: Collection[int],
    method: str = ALL_OR_NOTHING,
) -> bool:
    """Return whether the answer earns the question's full mark under ``method``.

    Validation and errors are the same as for :func:`score_question`.
    """
    chosen_set = _validate(kind, weights, chosen, method)
    return _fraction(kind, weights, chosen_set, method) == 1.0


def score_attempt(
    items: Sequence[ItemKey],
    answers: Mapping[int, Collection[int]],
    method: str = ALL_OR_NOTHING,
) -> AttemptScore:
    """Score a whole attempt.

    ``items`` are the questions drawn for the attempt, ``answers`` maps
    question id to the chosen option ids; a question missing from ``answers``
    counts as unanswered. Raises :class:`ValueError` when ``items`` repeats a
    question, when ``answers`` names a question outside the attempt, or on any
    error :func:`score_question` raises.
    """
    item_ids = [item.question_id for item in items]
    if len(set(item_ids)) != len(item_ids):
        raise ValueError("the attempt lists a question more than once")
    stray = answers.keys() - set(item_ids)
    if stray:
        raise ValueError(f"answer(s) to question(s) {sorted(stray)} outside the attempt")

    per_question: dict[int, float] = {}
    correct_count = 0
    for item in items:
        chosen = answers.get(item.question_id, ())
        per_question[item.question_id] = score_question(
            item.kind, item.weights, chosen, method, item.points
        )
        if is_fully_correct(item.kind, item.weights, chosen, method):
            correct_count += 1
    return AttemptScore(
        score=round(math.fsum(per_question.values()), SCORE_DECIMALS),
        max_score=round(math.fsum(item.points for item in items), SCORE_DECIMALS),
        correct_count=correct_count,
        per_question=per_question,
    )
