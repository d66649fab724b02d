"""Demo quiz content: the starter bank, a running and a draft round, and a past round with
published results."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from contest import timeutil
from contest.accounts.models import User
from contest.accounts.units import DEFAULT_FILE, parse_units
from contest.demo_accounts import DemoAccount, ensure_accounts, organizer
from contest.extensions import db
from contest.quiz import attempts, finalise, publication, rounds
from contest.quiz.models import Attempt, Question, Round, RoundStatus, Topic

RUNNING_TITLE = "Tuần 1: Bình đẳng giới trong chính trị"
UPCOMING_TITLE = "Tuần 2: Phụ nữ tham gia bầu cử"
RULES = (
    "Mỗi lượt thi gồm 10 câu hỏi chọn ngẫu nhiên, làm trong 15 phút. Mỗi người được thi tối đa "
    "3 lượt, lượt có kết quả cao nhất được tính. Xếp hạng theo điểm, rồi độ chính xác của câu "
    "dự đoán, rồi thời gian làm bài."
)
QUESTIONS = 10


def _quotas(total: int) -> dict[int, int]:
    """Spread ``total`` questions over the leaf topics that have questions, as evenly as the
    pool allows."""
    live = db.session.execute(
        select(Question.topic_id).where(Question.active.is_(True), Question.retired.is_(False))
    ).scalars().all()
    sizes: dict[int, int] = {}
    for topic_id in live:
        sizes[topic_id] = sizes.get(topic_id, 0) + 1
    parents = {t.parent_id for t in db.session.execute(select(Topic)).scalars()}
    topics = sorted(t for t in sizes if t not in parents) or sorted(sizes)
    quotas: dict[int, int] = {}
    left = min(total, sum(sizes[t] for t in topics))
    while left > 0:
        for topic_id in topics:
            if left and quotas.get(topic_id, 0) < sizes[topic_id]:
                quotas[topic_id] = quotas.get(topic_id, 0) + 1
                left -= 1
    return quotas


def load(echo: Callable[[str], None]) -> None:
    """Load the starter bank and the demo rounds; idempotent (rounds are found by title)."""
    from contest.quiz.bank_import import load_starter_bank

    echo(f"question bank: {load_starter_bank()} starter question(s) added")
    db.session.flush()
    now = timeutil.utcnow().replace(second=0, microsecond=0)
    quotas = _quotas(QUESTIONS)
    if not quotas:
        echo("quiz rounds: the question bank is empty, no demo round created")
        return
    for title, opens, status in (
        (RUNNING_TITLE, now - timedelta(hours=1), RoundStatus.OPEN),
        (UPCOMING_TITLE, now + timedelta(days=7), RoundStatus.DRAFT),
    ):
        if db.session.execute(select(Round.id).where(Round.title == title)).first():
            echo(f"quiz round already present: {title}")
            continue
        rnd = rounds.create_round(rounds.RoundRules(
            title=title, rules=RULES, opens_at=opens, closes_at=opens + timedelta(days=7),
            quotas=quotas, time_limit_seconds=15 * 60, attempts_allowed=3,
            prediction_enabled=True, required_fields=["unit_id"],
        ))
        if status == RoundStatus.OPEN:
            rounds.open_round(rnd, now)
        echo(f"quiz round created: {title} ({status})")


# --- a past round with published results ----------------------------------------------------

PAST_TITLE = "Tuần 0: Làm quen với Luật Bình đẳng giới"
PAST_RULES = (
    "Vòng làm quen: 10 câu hỏi về Luật Bình đẳng giới, làm trong 15 phút, tối đa 3 lượt. "
    "Giải: 1 giải Nhất, 2 giải Nhì, 3 giải Ba và 4 giải Khuyến khích."
)
PAST_PRIZE_TIERS = [("first", 1), ("second", 2), ("third", 3), ("consolation", 4)]
DEMO_ENTRANT_PHONE = "+84912000005"  # the entrant account of contest.demo_accounts.DEMO_ACCOUNTS
ENTRANT_COUNT = 39  # plus the demo entrant: 40 people in the past round
ENTRANT_PHONES = [f"+849130000{n:02d}" for n in range(1, ENTRANT_COUNT + 1)]
SEED = 20250

_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ",
           "Ngô", "Dương", "Lý", "Lô", "Vi", "Lương", "Quán", "Hà", "Cao"]
_FEMALE = ["Lan", "Hương", "Mai", "Hoa", "Thảo", "Ngọc", "Trang", "Linh", "Huyền", "Yến", "Nhung",
           "Phương", "Hằng", "Thủy", "Vân", "Dung", "Loan", "Hạnh", "Oanh", "Quỳnh"]
_FEMALE_MIDDLE = ["Thị", "Thị", "Thị Thu", "Thị Minh", "Thị Thanh", "Ngọc", "Thị Kim"]
_MALE = ["Hùng", "Minh", "Tuấn", "Dũng", "Nam", "Quang", "Sơn", "Hải", "Long", "Thắng", "Bình",
         "Cường", "Đức", "Phong", "Trung"]
_MALE_MIDDLE = ["Văn", "Văn", "Đức", "Hữu", "Minh", "Quốc", "Công"]
_HIGHLAND = {"X-MUONGXEN", "X-TUONGDUONG", "X-CONCUONG", "X-QUYCHAU", "X-QUEPHONG",
             "TH-KYSON"}
_HIGHLAND_ETHNICITIES = ["Thái", "Thái", "Mông", "Khơ Mú", "Kinh"]


def demo_entrants() -> list[DemoAccount]:
    """The demo entrants of the past round, always the same (a seeded generator)."""
    rng = random.Random(SEED)
    units = [u.code for u in parse_units(DEFAULT_FILE.read_text(encoding="utf-8"))
             if u.kind != "province"]
    people = []
    for number, phone in enumerate(ENTRANT_PHONES):
        draw = rng.random()
        gender = "female" if draw < 0.55 else "male" if draw < 0.93 else \
            rng.choice(["other", "undisclosed"])
        if gender == "male" or (gender != "female" and rng.random() < 0.5):
            name = f"{rng.choice(_FAMILY)} {rng.choice(_MALE_MIDDLE)} {rng.choice(_MALE)}"
        else:
            name = f"{rng.choice(_FAMILY)} {rng.choice(_FEMALE_MIDDLE)} {rng.choice(_FEMALE)}"
        unit = units[number % len(units)]
        birth = date(rng.randint(1962, 2008), rng.randint(1, 12), rng.randint(1, 28))
        ethnicity = rng.choice(_HIGHLAND_ETHNICITIES) if unit in _HIGHLAND else "Kinh"
        people.append(DemoAccount(name, phone, None, (), unit, gender, birth,
                                  ethnicity=ethnicity))
    return people


@dataclass
class _Plan:
    """What one entrant does: the number of right answers of each attempt, and a prediction."""

    user: User
    correct: list[int]
    prediction: int = 0


def _key_positions(shown: list[int], fractions: dict[int, float], kind: str) -> list[int]:
    if kind == "multiple":
        return [p for p, oid in enumerate(shown) if fractions.get(oid, 0) > 0]
    return [p for p, oid in enumerate(shown) if fractions.get(oid, 0) >= 1 - 1e-6][:1]


def _answers(attempt: Attempt, right: int, rng: random.Random) -> dict[int, list[int]]:
    """Answers to the attempt's paper with exactly ``right`` of them correct."""
    ids = [qid for qid, _ in attempt.draw]
    questions = {
        q.id: q for q in db.session.execute(
            select(Question).where(Question.id.in_(ids)).options(selectinload(Question.options))
        ).scalars()
    }
    good = set(rng.sample(range(len(ids)), min(right, len(ids))))
    changes: dict[int, list[int]] = {}
    for index, (qid, shown) in enumerate(attempt.draw):
        question = questions[qid]
        fractions = {o.id: o.fraction for o in question.options}
        key = _key_positions(shown, fractions, question.kind)
        if index in good and key:
            changes[qid] = key
        else:
            wrong = [p for p, oid in enumerate(shown) if fractions.get(oid, 0) <= 0]
            if wrong:
                changes[qid] = [rng.choice(wrong)]
    return changes


def _take_part(rnd: Round, plans: list[_Plan], rng: random.Random) -> int:
    """Every planned attempt, started and submitted through the attempts service at times
    spread over the round's week; returns how many attempts were made."""
    made = 0
    span = (rnd.closes_at - rnd.opens_at - timedelta(hours=3)) / len(plans)
    for number, plan in enumerate(plans):
        at = rnd.opens_at + span * number + timedelta(minutes=rng.randint(5, 90),
                                                      seconds=number)
        for right in plan.correct:
            attempt = attempts.start_attempt(rnd, plan.user, at,
                                             rng=random.Random(rng.getrandbits(64)))
            took = timedelta(seconds=rng.randint(170, rnd.time_limit_seconds - 30))
            attempts.submit(attempt, at + took, changes=_answers(attempt, right, rng),
                            prediction=plan.prediction)
            made += 1
            at += took + timedelta(minutes=rng.randint(10, 40))
    return made


def load_past_round(echo: Callable[[str], None]) -> None:
    """A round that ran last week, taken by 40 demo entrants, finalised and published.

    Attempts go through the attempts service with the clock of the time they were made; the
    round is opened with a close time ahead (opening is refused once the close has passed) and
    its close is then set to a week ago, before anyone started it.
    """
    existing = db.session.execute(
        select(Round).where(Round.title == PAST_TITLE)
    ).scalar_one_or_none()
    if existing is not None:
        echo(f"quiz round already present: {PAST_TITLE} ({existing.status})")
        return
    quotas = _quotas(QUESTIONS)
    if not quotas:
        echo("quiz rounds: the question bank is empty, no past round created")
        return
    now = timeutil.utcnow().replace(second=0, microsecond=0)
    opens, closes = now - timedelta(days=14), now - timedelta(days=7)
    people = ensure_accounts(demo_entrants(), "quiz demo entrants", echo)
    demo_entrant = db.session.execute(
        select(User).where(User.phone == DEMO_ENTRANT_PHONE)
    ).scalar_one_or_none()
    if demo_entrant is not None:
        people.insert(0, demo_entrant)

    rules = rounds.RoundRules(
        title=PAST_TITLE, rules=PAST_RULES, opens_at=opens, closes_at=now + timedelta(hours=1),
        quotas=quotas, time_limit_seconds=15 * 60, attempts_allowed=3, prediction_enabled=True,
        required_fields=["unit_id"], prize_tiers=PAST_PRIZE_TIERS,
    )
    rnd = rounds.create_round(rules)
    rounds.open_round(rnd, now)
    rules.closes_at = closes
    rounds.update_round(rnd, rules)

    rng = random.Random(SEED)
    plans = []
    for user in people:
        level = rng.uniform(3.0, 10.4)
        tries = 2 if rng.random() < 0.35 else 1
        plans.append(_Plan(user, [max(1, min(QUESTIONS, round(rng.gauss(level, 1.2))))
                                  for _ in range(tries)]))
    # Predictions scatter around the true number of entrants with a perfect best attempt.
    perfect = sum(1 for p in plans if QUESTIONS in p.correct)
    for plan in plans:
        plan.prediction = max(0, perfect + rng.choice([-4, -2, -1, 0, 0, 1, 1, 2, 3, 5]))
    made = _take_part(rnd, plans, rng)

    report = finalise.finalise(rnd.id, now)
    echo(f"quiz round created: {PAST_TITLE} ({len(plans)} entrants, {made} attempts, "
         f"{report.perfect_count} perfect)")
    if report.conflicts:
        # Settling a tie at a prize boundary is the organizers' decision (prizes.resolve_conflict
        # takes their choice; there is no automatic rule), so the round stays unpublished.
        echo(f"  note: {report.conflicts} tie(s) at a prize boundary; the organizer decides "
             "them in the results review, then publishes")
        return
    actor = organizer()
    publication.publish(rnd.id, actor.id if actor else None, now)
    echo(f"  results published with prizes {', '.join(f'{n} {t}' for t, n in PAST_PRIZE_TIERS)}")
