"""Demo judging: a preliminary round of the closed demo writing contest, scored in part.

Three demo judges sit on the contest's jury; each entry gets two of them (auto-assigned) and the
round is open, with a few sheets submitted, one saved as a draft and the rest left to do, so the
judge's desk and the organizer's progress page both have something to show.

Idempotent: the round is looked up by its name in the contest.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta

from flask_babel import force_locale, gettext
from sqlalchemy import select

from contest import timeutil
from contest.accounts.models import Role, User
from contest.audit import AuditEvent
from contest.demo_accounts import DemoAccount, ensure_accounts, organizer
from contest.extensions import db
from contest.judging import assignments, jury, lifecycle, rounds, rubrics, sheets
from contest.judging.models import Assignment, JudgingRound, Rubric
from contest.writing import contests
from contest.writing.models import ContestJuror, WritingContest

ROUND_NAME = "Vòng sơ khảo"
DEMO_JUDGE_PHONE = "+84912000003"  # the judge of contest.demo_accounts.DEMO_ACCOUNTS
DEMO_JUDGES = [
    DemoAccount("Đặng Thị Minh Châu", "+84912000021", "giamkhao2@demo.binhdang.vn",
                (Role.JUDGE,), "SVHTTDL", "female", date(1972, 2, 14)),
    DemoAccount("Hồ Sỹ Bình", "+84912000022", "giamkhao3@demo.binhdang.vn", (Role.JUDGE,),
                "STP", "male", date(1968, 10, 30)),
]
# How many of their sheets each judge has submitted, and saved as a draft; the rest are open.
PROGRESS = {DEMO_JUDGE_PHONE: (1, 1), "+84912000021": (3, 0), "+84912000022": (1, 1)}
COMMENTS = [
    "Đề tài có phát hiện mới, nhân vật sinh động.",
    "Bố cục chặt chẽ, số liệu cần dẫn nguồn rõ hơn.",
    "Tác phẩm có sức lan tỏa, ngôn ngữ còn dài dòng ở phần giữa.",
    "Góc nhìn quen thuộc nhưng có chi tiết đắt giá.",
]


def _press_template() -> Rubric | None:
    """The shipped press-award template (created once per installation, in Vietnamese)."""
    with force_locale("vi"):
        rubrics.seed_templates(gettext)
    seeded = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "judging.rubric.seed",
                                 AuditEvent.subject_id == rubrics.PRESS_AWARD_KEY)
        .order_by(AuditEvent.id).limit(1)
    ).scalar_one_or_none()
    rubric_id = (seeded.details or {}).get("rubric") if seeded else None
    return db.session.get(Rubric, rubric_id) if rubric_id else None


def _score(rnd: JudgingRound, judges: list[User], now: datetime,
           echo: Callable[[str], None]) -> None:
    rng = random.Random(7)
    criteria = rounds.criteria_of(rnd)
    submitted = drafts = 0
    for judge in judges:
        done, draft = PROGRESS.get(judge.phone, (0, 0))
        mine = list(db.session.execute(
            select(Assignment).where(Assignment.round_id == rnd.id,
                                     Assignment.judge_id == judge.id).order_by(Assignment.id)
        ).scalars())
        for number, assignment in enumerate(mine[:done + draft]):
            points = {str(c.id): round(rng.uniform(0.45, 0.95) * c.max_points * 2) / 2
                      for c in criteria}
            final = number < done
            if not final:  # a draft: the last criterion still to score
                points.pop(str(criteria[-1].id), None)
            sheets.save_sheet(assignment, points, rng.choice(COMMENTS), "", final, judge, now)
            submitted += final
            drafts += not final
    echo(f"  {submitted} sheets submitted, {drafts} saved as drafts, the rest left to score")


def load(echo: Callable[[str], None], contest: WritingContest) -> None:
    """An open preliminary round with K=2 on ``contest`` (closed to entries), partly scored."""
    existing = db.session.execute(
        select(JudgingRound).where(JudgingRound.contest_id == contest.id,
                                   JudgingRound.name == ROUND_NAME)
    ).scalar_one_or_none()
    if existing is not None:
        echo(f"judging round already present: {ROUND_NAME} ({existing.status})")
        return
    template = _press_template()
    if template is None or not template.criteria:
        echo("judging round: the press-award rubric template was removed, no round created")
        return
    judges = [u for u in db.session.execute(
        select(User).where(User.phone == DEMO_JUDGE_PHONE)).scalars()]
    judges += ensure_accounts(DEMO_JUDGES, "demo judges", echo)
    actor = organizer()
    actor_id = actor.id if actor else None
    for judge in judges:
        if db.session.get(ContestJuror, (contest.id, judge.id)) is None:
            contests.add_juror(contest, judge.email, actor_id)
    now = timeutil.utcnow().replace(microsecond=0)
    rnd = lifecycle.create_round(contest, lifecycle.RoundInput(
        name=ROUND_NAME, judges_per_entry=2, opens_at=now, closes_at=now + timedelta(days=21),
        advancement="top_n", advancement_value=4,
    ), template, actor_id)
    jury.seat_jury(rnd, actor_id)
    assigned = assignments.auto_assign(rnd, actor_id)
    lifecycle.open_round(rnd, actor_id, now)
    echo(f"judging round created: {ROUND_NAME} (K=2, {len(judges)} judges, "
         f"{len(assigned.created)} assignments, open until {rnd.closes_at:%Y-%m-%d})")
    if assigned.shortfalls:
        echo(f"  note: {len(assigned.shortfalls)} entries have fewer than 2 judges")
    _score(rnd, judges, now, echo)
