"""What the prizes are worth, and what a reader learns about them before taking part.

Organizers word each prize's reward on the campaign console ("3.000.000 đồng và Giấy chứng
nhận"): per tier of a quiz round (``Round.prize_rewards``) and per prize level A/B/C/KK of a
writing contest (``WritingContest.prize_rewards``, the same in every category). The contest page
shows them with the categories, the criteria of the prize-giving judging round with each one's
share of the total (its weight times its maximum, as score sheets add points up) and the
judging calendar (:func:`contest_prizes`, drawn by ``templates/campaign/_contest_prizes.html``
through the ``contest_page_sections`` hook the writing views ask).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from contest import audit
from contest.judging import common, rounds
from contest.judging.models import JudgingRound, JudgingRoundStatus
from contest.problems import Problem, Refused
from contest.quiz.models import Round
from contest.writing.models import Category, WritingContest

REWARD_MAX = 200
PRIZE_LEVELS = common.PRIZE_TIERS  # ("A", "B", "C", "KK"), best first


def _checked(names: list[str], texts: list[str]) -> dict[str, str]:
    """The rewards by prize name, blanks left out; ``Refused`` names the row that is too long
    (``rewards-<i>``)."""
    if len(texts) != len(names):
        raise Refused(Problem("prizes_changed"))
    problems = []
    rewards = {}
    for index, (name, raw) in enumerate(zip(names, texts, strict=True)):
        text = " ".join((raw or "").split())  # one line: newlines and runs of spaces folded
        if len(text) > REWARD_MAX:
            problems.append(Problem("too_long", f"rewards-{index}", {"max": REWARD_MAX}))
        elif text:
            rewards[name] = text
    if problems:
        raise Refused(*problems)
    return rewards


def round_prize_names(rnd: Round) -> list[str]:
    return [name for name, _places, _reward in rnd.prize_table()]


def set_round_rewards(rnd: Round, texts: list[str], *, actor_id: int | None) -> Round:
    """Word the rewards of a quiz round's tiers, one text per tier in the round's order (an
    empty text removes the reward). Refused when the round's tiers changed since the form was
    drawn or a text is longer than ``REWARD_MAX``; the caller commits."""
    rewards = _checked(round_prize_names(rnd), texts)
    rnd.prize_rewards = rewards
    audit.record(actor_id, "campaign.round_rewards_set", "quiz_round", rnd.id, rewards=rewards)
    return rnd


def set_contest_rewards(contest: WritingContest, texts: list[str], *,
                        actor_id: int | None) -> WritingContest:
    """Word the rewards of a writing contest's prize levels, one text for each of A, B, C and KK
    in that order (an empty text removes the reward); the caller commits."""
    rewards = _checked(list(PRIZE_LEVELS), texts)
    contest.prize_rewards = rewards
    audit.record(actor_id, "campaign.contest_rewards_set", "writing_contest", contest.id,
                 rewards=rewards)
    return contest


# --- what the contest page shows ------------------------------------------------------------


@dataclass
class Level:
    code: str
    places: int | None  # per category, from the prize-giving round; None while there is none
    reward: str


@dataclass
class CriterionShare:
    name: str
    description: str
    share: float  # percent of the total
    max_points: float


@dataclass
class CalendarRow:
    name: str
    opens_at: datetime | None
    closes_at: datetime | None
    published_at: datetime | None


@dataclass
class ContestPrizes:
    categories: list[Category]
    levels: list[Level]
    criteria: list[CriterionShare]
    rubric_name: str
    calendar: list[CalendarRow]

    @property
    def empty(self) -> bool:
        return not (any(level.reward or level.places for level in self.levels)
                    or self.criteria or self.calendar)


def prize_round(contest: WritingContest) -> JudgingRound | None:
    """The round that gives the contest's prizes (its last round with prize counts), whatever
    its state, so that readers learn the criteria before judging starts."""
    giving = [r for r in rounds.contest_rounds(contest) if rounds.awards_prizes(r)]
    return giving[-1] if giving else None


def contest_prizes(contest: WritingContest) -> ContestPrizes:
    """The prize levels (places per category and reward), the criteria of the prize-giving
    round with each one's share of the total, and the dates of every judging round."""
    all_rounds = rounds.contest_rounds(contest)
    final = prize_round(contest)
    counts = (final.prize_counts or {}) if final is not None else {}
    rewards = contest.prize_rewards or {}
    levels = []
    for code in PRIZE_LEVELS:
        places = int(counts.get(code) or 0) if final is not None else None
        reward = rewards.get(code, "")
        if places or (final is None and reward):
            levels.append(Level(code, places, reward))
    criteria = []
    rubric_name = ""
    if final is not None and final.rubric is not None:
        rubric_name = final.rubric.name
        # A sheet's total multiplies each criterion's points by its weight
        # (contest.judging.sheets), so a criterion's share is weight x maximum over the sum.
        parts = [(c, c.weight * c.max_points) for c in rounds.criteria_of(final)]
        total = sum(part for _c, part in parts) or 1
        criteria = [CriterionShare(c.name, c.description, 100 * part / total, c.max_points)
                    for c, part in parts]
    calendar = [CalendarRow(r.name, r.opens_at, r.closes_at,
                            r.published_at if r.status == JudgingRoundStatus.PUBLISHED else None)
                for r in all_rounds if r.opens_at or r.closes_at
                or r.status == JudgingRoundStatus.PUBLISHED]
    return ContestPrizes(list(contest.categories), levels, criteria, rubric_name, calendar)


def top_reward_of_round(rnd: Round) -> tuple[str, str] | None:
    """The best tier that has a reward, for the home page's short line."""
    for name, places, reward in rnd.prize_table():
        if reward and places:
            return name, reward
    return None


def top_reward_of_contest(contest: WritingContest) -> tuple[str, str] | None:
    """The best level that has a reward and, once a judging round gives prizes, places."""
    rewards = contest.prize_rewards or {}
    if not rewards:
        return None
    final = prize_round(contest)
    counts = (final.prize_counts or {}) if final is not None else None
    for code in PRIZE_LEVELS:
        if rewards.get(code) and (counts is None or int(counts.get(code) or 0) > 0):
            return code, rewards[code]
    return None
