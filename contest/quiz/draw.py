"""Drawing the questions of a quiz attempt and shuffling their options.

Every function takes an explicit :class:`random.Random`, so an attempt can be
reproduced exactly from a stored seed: the same inputs and the same rng state
always give the same result.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

__all__ = [
    "DrawError",
    "check_quotas",
    "draw_fixed",
    "draw_questions",
    "shuffle_options",
]


class DrawError(ValueError):
    """The requested draw cannot be made from the given pool or list."""


def check_quotas(pool_sizes: Mapping[int, int], quotas: Mapping[int, int]) -> list[str]:
    """Return the problems with per-topic quotas, for the organizer's round form.

    ``pool_sizes`` maps topic id to the number of questions available in that
    topic; ``quotas`` maps topic id to how many questions each attempt draws
    from it. An empty list means the quotas can be drawn. Messages are short
    English diagnostics meant to be shown next to the form or logged.
    """
    problems: list[str] = []
    for topic_id in sorted(quotas):
        quota = quotas[topic_id]
        available = pool_sizes.get(topic_id, 0)
        if quota < 0:
            problems.append(f"topic {topic_id}: quota {quota} is negative")
        elif quota > available:
            problems.append(
                f"topic {topic_id}: quota {quota} exceeds the {available} question(s) available"
            )
    if quotas and all(quota <= 0 for quota in quotas.values()):
        problems.append("the quotas draw no question at all")
    elif not quotas:
        problems.append("no topic quota is set")
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
                raise DrawError(
                    f"question {question_id} is in both topic {previous} and topic {topic_id}"
                )

    drawn: list[int] = []
    # Topics and pools are sorted so the result depends only on the rng
    # state, not on the order in which the database returned the rows.
    for topic_id in sorted(quotas):
        quota = quotas[topic_id]
        pool = sorted(set(pool_by_topic.get(topic_id, ())))
        if quota < 0:
            raise DrawError(f"topic {topic_id}: quota {quota} is negative")
        if quota > len(pool):
            raise DrawError(
                f"topic {topic_id}: quota {quota} exceeds the {len(pool)} question(s) available"
            )
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
        raise DrawError("the fixed question list is empty")
    if len(set(ids)) != len(ids):
        raise DrawError("the fixed question list repeats a question")
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
            raise DrawError(f"question {qid} repeats an option")
    if shuffle:
        for qid in sorted(result):
            rng.shuffle(result[qid])
    return result
