"""Demo quiz content: the starter bank and demo rounds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from contest.extensions import db
from contest.quiz import rounds
from contest.quiz.models import Question, Round, RoundStatus, Topic
from contest.timeutil import utcnow

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
    try:
        from contest.quiz import bank
    except ImportError:  # a tree without the question bank module: rounds only
        bank = None
    loader = getattr(bank, "load_starter_bank", None)
    if loader is not None:
        echo(f"question bank: {loader()} starter question(s) added")
    db.session.flush()
    now = utcnow().replace(second=0, microsecond=0)
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
