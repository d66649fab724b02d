"""Drawing the questions of a quiz attempt and shuffling their options.

Every function takes an explicit :class:`random.Random`, so an attempt can be
reproduced exactly from a stored seed: the same inputs and the same rng state
always give the same result.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from contest.problems import Problem, Refused

__all__ = [
    "DrawError",
    "check_quotas",
    "draw_fixed",
    "draw_questions",
    "shuffle_options",
]


class DrawError(Refused):
    """The requested draw cannot be made from the given pool or list. Its problem's code
    (``draw_…``) has its message in :mod:`contest.quiz.messages`."""

    def __init__(self, problem_code: str, /, **params: Any) -> None:
        super().__init__(Problem(problem_code, None, params))


def check_quotas(pool_sizes: Mapping[int, int], quotas: Mapping[int, int]) -> list[Problem]:
    """Return the problems with per-topic quotas, for the organizer's round form.

    ``pool_sizes`` maps topic id to the number of questions available in that
    topic; ``quotas`` maps topic id to how many questions each attempt draws
    from it. An empty list means the quotas can be drawn. The codes are those
    :class:`DrawError` raises, plus ``draw_no_quota`` and ``draw_nothing``.
    """
    problems: list[Problem] = []
    for topic_id in sorted(quotas):
        quota = quotas[topic_id]
        available = pool_sizes.get(topic_id, 0)
        if quota < 0:
            problems.append(Problem("draw_quota_negative", None,
                                    {"topic": topic_id, "quota": quota}))
        elif quota > available:
            problems.append(Problem("draw_quota_short", None,
                                    {"topic": topic_id, "quota": quota, "available": available}))
    if quotas and all(quota <= 0 for quota in quotas.values()):
        problems.append(Problem("draw_nothing"))
    elif not quotas:
        problems.append(Problem("draw_no_quota"))
    return problems


def draw_questions(
    pool_by_topic: Mapping[int, Sequence[int]],
    quotas: Mapping[int, int],
    rng: random.Random,
    *,
    shuffle: bool = True,
) -> list[int]:
    """Draw question ids for one attempt, honouring the per-topic quotas.

    ``pool_by_topic`` maps topic id to the question ids of that topic;
    ``quotas`` maps topic id to the number of questions to draw from it
    (topics without a quota contribute nothing). With ``shuffle`` the drawn
    questions are mixed across topics; without it they stay grouped by
    ascending topic id, each group in ascending question id order.

    Raises :class:`DrawError` when a quota is negative or larger than its
    topic's pool, or when a question id is listed under two topics (which
    could otherwise put the same question twice in one attempt).
    """
    owner: dict[int, int] = {}
    for topic_id in sorted(pool_by_topic):
        for question_id in pool_by_topic[topic_id]:
            previous = owner.setdefault(question_id, topic_id)
            if previous != topic_id:
                raise DrawError("draw_overlap", question=question_id, first=previous,
                                second=topic_id)

    drawn: list[int] = []
    # Topics and pools are sorted so the result depends only on the rng
    # state, not on the order in which the database returned the rows.
    for topic_id in sorted(quotas):
        quota = quotas[topic_id]
        pool = sorted(set(pool_by_topic.get(topic_id, ())))
        if quota < 0:
            raise DrawError("draw_quota_negative", topic=topic_id, quota=quota)
        if quota > len(pool):
            raise DrawError("draw_quota_short", topic=topic_id, quota=quota,
                            available=len(pool))
        picked = rng.sample(pool, quota)
        drawn.extend(picked if shuffle else sorted(picked))
    if shuffle:
        rng.shuffle(drawn)
    return drawn


def draw_fixed(question_ids: Sequence[int], shuffle: bool, rng: random.Random) -> list[int]:
    """Return a round's fixed question list for one attempt, shuffled if asked.

    Without ``shuffle`` the organizer's order is kept. Raises
    :class:`DrawError` on an empty list or a repeated question id.
    """
    ids = list(question_ids)
    if not ids:
        raise DrawError("draw_fixed_empty")
    if len(set(ids)) != len(ids):
        raise DrawError("draw_fixed_repeats")
    if shuffle:
        rng.shuffle(ids)
    return ids


def shuffle_options(
    option_ids_by_question: Mapping[int, Sequence[int]],
    shuffle: bool,
    rng: random.Random,
) -> dict[int, list[int]]:
    """Return the option order to display for each question.

    The result keeps the questions in the input order. Without ``shuffle``
    each question keeps its authored option order. With it, questions consume
    the rng in ascending id order so the outcome does not depend on the order
    of the mapping. Raises :class:`DrawError` when a question repeats an option.
    """
    result = {qid: list(options) for qid, options in option_ids_by_question.items()}
    for qid, options in result.items():
        if len(set(options)) != len(options):
            raise DrawError("draw_option_repeats", question=qid)
    if shuffle:
        for qid in sorted(result):
            rng.shuffle(result[qid])
    return result
