"""Helpers of the judging tests: a closed contest with entries, a jury of judges, a round scored
with the press-award template, and points that add up to a chosen total."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from contest.accounts.models import Role, User
from contest.audit import AuditEvent
from contest.extensions import db
from contest.judging import jury, lifecycle, rubrics, sheets
from contest.judging.models import Assignment, JudgingRound, ScoreSheet
from contest.writing.models import Category, ContestJuror, Entry, WritingContest
from tests.web.writing.organizer_kit import make_contest, make_entry, now

__all__ = ["Scene", "events", "make_entry", "now", "points_for", "scene"]


def events(action: str | None = None) -> list[AuditEvent]:
    db.session.expire_all()
    stmt = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return list(db.session.execute(stmt).scalars())


@dataclass
class Scene:
    app: object
    make_user: object
    contest: WritingContest
    categories: list[Category]
    organizer: User
    judges: list[User] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    authors: list[User] = field(default_factory=list)

    def judge(self, name: str = "Giám khảo", **fields) -> User:
        user = self.make_user(Role.JUDGE, full_name=name, **fields)
        db.session.add(ContestJuror(contest_id=self.contest.id, user_id=user.id))
        db.session.commit()
        self.judges.append(user)
        return user

    def entry(self, category: int = 0, author: User | None = None, **fields) -> Entry:
        if author is None:
            author = self.make_user(Role.JOURNALIST, full_name=f"Tác giả {len(self.entries)}")
            self.authors.append(author)
        entry = make_entry(self.app, self.contest, self.categories[category], author, **fields)
        self.entries.append(entry)
        return entry

    def round(self, **settings) -> JudgingRound:
        rubrics.seed_templates()
        template = rubrics.templates()[0]
        data = lifecycle.RoundInput(name=settings.pop("name", "Sơ khảo"), **settings)
        rnd = lifecycle.create_round(self.contest, data, template, self.organizer.id)
        db.session.commit()
        return rnd

    def seat(self, rnd: JudgingRound, judges: list[User] | None = None, panel: str = "",
             max_load: int | None = None) -> None:
        for judge in judges if judges is not None else self.judges:
            jury.set_round_judge(rnd, judge, panel, max_load, self.organizer.id)
        db.session.commit()

    def open(self, rnd: JudgingRound) -> None:
        lifecycle.open_round(rnd, self.organizer.id, now())
        db.session.commit()

    def assignment(self, rnd: JudgingRound, entry: Entry, judge: User) -> Assignment:
        return db.session.execute(select(Assignment).where(
            Assignment.round_id == rnd.id, Assignment.entry_id == entry.id,
            Assignment.judge_id == judge.id)).scalar_one()

    def score(self, rnd: JudgingRound, entry: Entry, judge: User, total: float,
              submit: bool = True) -> ScoreSheet:
        a = self.assignment(rnd, entry, judge)
        sheet = sheets.save_sheet(a, points_for(rnd, total), "", "", submit, judge, now())
        db.session.commit()
        return sheet


def points_for(rnd: JudgingRound, total: float) -> dict[str, float]:
    """Points on the press-award rubric (5, 3, 2) adding up to ``total``."""
    points, left = {}, total
    for criterion in rnd.rubric.criteria:
        given = min(criterion.max_points, left)
        points[str(criterion.id)] = given
        left -= given
    assert abs(left) < 1e-9, f"{total} does not fit the rubric"
    return points


def scene(app, make_user, categories: int = 2, **contest_settings) -> Scene:
    """A contest closed to entries with ``categories`` categories and an organizer."""
    contest = make_contest(status="closed", opens=timedelta(days=-30), closes=timedelta(days=-1),
                           categories=categories, **contest_settings)
    organizer = make_user(Role.ORGANIZER, full_name="Ban tổ chức")
    return Scene(app, make_user, contest, list(contest.categories), organizer)
