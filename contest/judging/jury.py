"""The jury of a contest and the judges seated on each round (on one sub-panel or all, with the
most entries each takes).
"""

from __future__ import annotations

from sqlalchemy import select

from contest.accounts.models import Role, User
from contest.extensions import db
from contest.judging.common import changeable, refuse, round_event
from contest.judging.models import Assignment, JudgingRound, RoundJudge, SheetStatus
from contest.judging.rounds import drop_assignment, panels
from contest.writing.models import ContestJuror, WritingContest


def jury(contest: WritingContest) -> list[User]:
    """Members of the contest's jury, by name."""
    return list(db.session.execute(
        select(User).join(ContestJuror, ContestJuror.user_id == User.id)
        .where(ContestJuror.contest_id == contest.id).order_by(User.full_name, User.id)
    ).scalars())


def may_judge(user: User, contest_id: int) -> bool:
    return (user.is_active and user.has_role(Role.JUDGE)
            and db.session.get(ContestJuror, (contest_id, user.id)) is not None)


def round_judges(rnd: JudgingRound) -> list[tuple[User, RoundJudge]]:
    return [tuple(row) for row in db.session.execute(
        select(User, RoundJudge).join(RoundJudge, RoundJudge.judge_id == User.id)
        .where(RoundJudge.round_id == rnd.id).order_by(User.full_name, User.id)
    ).all()]


def set_round_judge(rnd: JudgingRound, user: User | None, panel: str, max_load: int | None,
                    actor_id: int | None) -> RoundJudge:
    """Seat a jury member on the round (on one sub-panel, or on all with ``panel`` ""), or
    change their panel or the most entries they take (None: no limit)."""
    changeable(rnd)
    if user is None or not may_judge(user, rnd.contest_id):
        raise refuse("not_a_judge", "judge")
    if panel and panel not in {key for key, _c in panels(rnd)}:
        raise refuse("bad_choice", "panel")
    if max_load is not None and not 0 <= max_load <= 10_000:
        raise refuse("max_load_out_of_range", "max_load")
    row = db.session.get(RoundJudge, (rnd.id, user.id))
    old = None if row is None else {"panel": row.panel, "max_load": row.max_load}
    if row is None:
        row = RoundJudge(round_id=rnd.id, judge_id=user.id)
        db.session.add(row)
    row.panel, row.max_load = panel, max_load
    db.session.flush()
    round_event(actor_id, "judging.judge.set", rnd, judge=user.id, old=old,
                new={"panel": panel, "max_load": max_load})
    return row


def seat_jury(rnd: JudgingRound, actor_id: int | None) -> int:
    """Seat every jury member who may judge and is not on the round yet; returns how many."""
    changeable(rnd)
    contest = db.session.get(WritingContest, rnd.contest_id)
    seated = {row.judge_id for _u, row in round_judges(rnd)}
    added = 0
    for user in jury(contest):
        if user.id not in seated and may_judge(user, contest.id):
            set_round_judge(rnd, user, "", None, actor_id)
            added += 1
    return added


def remove_round_judge(rnd: JudgingRound, user_id: int, actor_id: int | None,
                       reason: str = "") -> int:
    """Take a judge off the round. Assignments they have not submitted go (their places are
    filled again by auto-assignment); submitted sheets stay and count. Returns how many went."""
    changeable(rnd)
    row = db.session.get(RoundJudge, (rnd.id, user_id))
    if row is None:
        raise refuse("not_on_round")
    removed = 0
    for a in db.session.execute(select(Assignment).where(
            Assignment.round_id == rnd.id, Assignment.judge_id == user_id)).scalars():
        if a.sheet is None or a.sheet.status != SheetStatus.SUBMITTED:
            drop_assignment(a, actor_id, "judging.assignment.remove", reason)
            removed += 1
    db.session.delete(row)
    db.session.flush()
    round_event(actor_id, "judging.judge.remove", rnd, reason, judge=user_id, removed=removed)
    return removed
