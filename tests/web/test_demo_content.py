"""The demo loader's content: a past quiz round with published results and a contest being
judged, loaded twice without adding anything the second time."""

from __future__ import annotations

import re
import time

from sqlalchemy import func, select

from contest.accounts.identity import mask_name
from contest.accounts.models import User
from contest.demo import DEMO_PASSWORD
from contest.extensions import db
from contest.judging.models import Assignment, JudgingRound, JudgingRoundStatus, ScoreSheet
from contest.quiz.demo import PAST_TITLE
from contest.quiz.models import Attempt, AttemptStatus, Result, Round, RoundStatus
from contest.writing.demo import JUDGED_TITLE
from contest.writing.models import Entry, EntryStatus, WritingContest

DEMO_JUDGE_PHONE = "+84912000003"
DEMO_ENTRANT_PHONE = "+84912000005"


def count(model) -> int:  # noqa: ANN001
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def counts() -> dict[str, int]:
    db.session.expire_all()
    return {model.__name__: count(model)
            for model in (User, Attempt, Result, Entry, Assignment, ScoreSheet)}


def test_demo_content_is_loaded_once_with_results_and_judging(app):
    runner = app.test_cli_runner()
    started = time.perf_counter()
    first = runner.invoke(args=["demo", "load"])
    seconds = time.perf_counter() - started
    assert first.exit_code == 0, first.output
    print(f"demo load: {seconds:.2f} s")
    assert seconds < 30
    after_first = counts()
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    assert counts() == after_first
    assert f"quiz round already present: {PAST_TITLE}" in second.output
    assert f"writing contest already present: {JUDGED_TITLE}" in second.output

    # the past round: published, ranked, with prizes and the demo entrant among the entrants
    rnd = db.session.execute(select(Round).where(Round.title == PAST_TITLE)).scalar_one()
    assert rnd.status == RoundStatus.PUBLISHED and rnd.published_at is not None
    assert rnd.perfect_count is not None and rnd.closes_at < rnd.published_at
    rows = db.session.execute(
        select(Result).where(Result.round_id == rnd.id).order_by(Result.final_rank)
    ).scalars().all()
    assert 35 <= len(rows) <= 45
    assert all(r.final_rank is not None for r in rows)
    assert rows[0].final_rank == 1
    assert len({r.score for r in rows}) > 3  # scores vary
    assert sum(1 for r in rows if r.perfect) == rnd.perfect_count
    prizes = [r.prize for r in rows if r.prize]
    assert sorted(prizes) == sorted(["first"] + ["second"] * 2 + ["third"] * 3
                                    + ["consolation"] * 4)
    attempts = db.session.execute(
        select(Attempt).where(Attempt.round_id == rnd.id)).scalars().all()
    assert all(a.status == AttemptStatus.SUBMITTED for a in attempts)
    assert all(rnd.opens_at <= a.started_at and a.submitted_at <= rnd.closes_at
               for a in attempts)
    entrant = db.session.execute(
        select(User).where(User.phone == DEMO_ENTRANT_PHONE)).scalar_one()
    assert any(r.user_id == entrant.id for r in rows)
    own = app.test_client()
    response = own.post("/login", data={"identifier": DEMO_ENTRANT_PHONE,
                                        "password": DEMO_PASSWORD})
    assert response.status_code == 302
    rank = next(r.final_rank for r in rows if r.user_id == entrant.id)
    me = own.get(f"/rounds/{rnd.id}/me")
    assert me.status_code == 200 and str(rank) in me.get_data(as_text=True)

    # the public results page names people by masked names only, never by phone
    page = app.test_client().get(f"/rounds/{rnd.id}/results").get_data(as_text=True)
    top = db.session.get(User, rows[0].user_id)
    assert mask_name(top.full_name) in page
    assert top.full_name not in page
    assert not re.search(r"\+?84\d{9}", page)

    # the contest being judged: six entries, an open round with work left for the demo judge
    contest = db.session.execute(
        select(WritingContest).where(WritingContest.title == JUDGED_TITLE)).scalar_one()
    entries = db.session.execute(
        select(Entry).where(Entry.contest_id == contest.id)).scalars().all()
    assert len(entries) == 6 and all(e.status == EntryStatus.SUBMITTED for e in entries)
    assert all(e.receipt_code and e.anon_code for e in entries)
    assert len({e.category_id for e in entries}) == 2
    jr = db.session.execute(
        select(JudgingRound).where(JudgingRound.contest_id == contest.id)).scalar_one()
    assert jr.status == JudgingRoundStatus.OPEN and jr.judges_per_entry == 2
    judge = db.session.execute(select(User).where(User.phone == DEMO_JUDGE_PHONE)).scalar_one()
    mine = db.session.execute(
        select(Assignment).where(Assignment.round_id == jr.id,
                                 Assignment.judge_id == judge.id)).scalars().all()
    assert mine
    assert any(a.sheet is None for a in mine)  # left to score
    assert count(ScoreSheet) > 0
