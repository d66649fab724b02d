"""Finalising a round, exclusions, prize conflicts and publication, live ranks and keyset pages.

Every tie-break level is checked through the whole finalise path (SQL window ranking and bulk
update), and the SQL order is compared with the pure ranking of :mod:`contest.quiz.ranking`.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from contest.audit import AuditEvent
from contest.extensions import db
from contest.quiz import board, exclusions, leaderboard, publication, review, units
from contest.quiz import finalise as finalising
from contest.quiz import prizes as prize_decisions
from contest.quiz import ranks as rank_queries
from contest.quiz.board import PRIZE_UNDECIDED
from contest.quiz.finalise import ResultsError
from contest.quiz.models import Attempt, AttemptStatus, Result, Round, RoundStatus
from contest.quiz.ranking import EntrantResult, rank_entrants
from contest.quiz.results_cli import finalize_command
from contest.timeutil import utcnow
from tests.web.quiz.resultkit import (  # noqa: F401
    add_result,
    finalise,
    fresh_request_globals,
    make_entrant,
    make_round,
    make_unit,
    prizes,
    ranks,
    result_of,
)


def _at(rnd: Round, minutes: int):  # noqa: ANN202
    return rnd.opens_at + timedelta(minutes=minutes)


@pytest.fixture
def field(app):
    """A closed round with one entrant per tie-break situation (C = 3 perfect entrants).

    Expected final order:
      1 ann   10/10, predicted 3 (off by 0)
      2 binh  10/10, predicted 5 (off by 2), fast
      3 chi   10/10, no prediction, fastest of all
      4 em     9/10, predicted 2 (off by 1), 150 s, submitted first
      5 phuong 9/10, predicted 4 (off by 1), 150 s, submitted later  } tied: equal on every key
      5 giang  9/10, predicted 4 (off by 1), 150 s, same submission  }
      7 dung   9/10, predicted 3 (off by 0), 200 s  -> wait: off by 0 beats off by 1
    """
    rnd = make_round("closed", tiers=[["first", 1], ["second", 2], ["third", 2]])
    people = {}
    for key, name in [("ann", "Nguyễn Thị An"), ("binh", "Trần Văn Bình"),
                      ("chi", "Lê Thị Chi"), ("dung", "Phạm Văn Dũng"), ("em", "Hoàng Thị Em"),
                      ("phuong", "Vũ Thị Phương"), ("giang", "Đỗ Văn Giang"),
                      ("hai", "Bùi Văn Hải"), ("khoa", "Ngô Văn Khoa")]:
        people[key] = make_entrant(name)
    add_result(rnd, people["ann"], 10, prediction=3, time_ms=400_000, submitted_at=_at(rnd, 5))
    add_result(rnd, people["binh"], 10, prediction=5, time_ms=100_000, submitted_at=_at(rnd, 6))
    add_result(rnd, people["chi"], 10, prediction=None, time_ms=50_000, submitted_at=_at(rnd, 7))
    add_result(rnd, people["dung"], 9, prediction=3, time_ms=200_000, submitted_at=_at(rnd, 8))
    add_result(rnd, people["em"], 9, prediction=2, time_ms=150_000, submitted_at=_at(rnd, 9))
    add_result(rnd, people["phuong"], 9, prediction=4, time_ms=150_000,
               submitted_at=_at(rnd, 10))
    add_result(rnd, people["giang"], 9, prediction=4, time_ms=150_000,
               submitted_at=_at(rnd, 10))
    add_result(rnd, people["hai"], 9, prediction=None, time_ms=10_000, submitted_at=_at(rnd, 1))
    add_result(rnd, people["khoa"], 4, prediction=3, time_ms=10_000, submitted_at=_at(rnd, 1))
    return rnd, people


def test_every_tie_break_level_through_the_finalise_path(field):
    rnd, p = field
    report = finalise(rnd)
    assert report.done and report.perfect_count == 3 and report.ranked == 9
    got = ranks(rnd)
    expected = {
        "ann": (1, False),    # score, then distance 0
        "binh": (2, False),   # distance 2 beats no prediction despite being slower
        "chi": (3, False),    # no prediction comes last among 10/10
        "dung": (4, False),   # 9/10 with distance 0 beats distance 1 although slower
        "em": (5, False),     # distance 1, time 150 s, earliest submission
        "phuong": (6, True),  # equal on every key with giang: shared rank
        "giang": (6, True),
        "hai": (8, False),    # 9/10, no prediction: after all predictions, whatever the time
        "khoa": (9, False),   # lower score: last, whatever the prediction and time
    }
    assert {k: got[u.id] for k, u in p.items()} == expected
    rnd = db.session.get(Round, rnd.id)
    assert rnd.perfect_count == 3 and rnd.finalized_at is not None


def test_time_breaks_ties_of_equal_distance_and_submission_breaks_equal_time(app):
    rnd = make_round("closed", tiers=[])
    a, b, c, d = (make_entrant(n) for n in ("Lò Văn A", "Lò Văn B", "Lò Văn C", "Lò Văn D"))
    # C = 0 perfect: predictions 2 and -> distance 2 for both a and b.
    add_result(rnd, a, 8, prediction=2, time_ms=90_000, submitted_at=_at(rnd, 30))
    add_result(rnd, b, 8, prediction=2, time_ms=80_000, submitted_at=_at(rnd, 40))
    add_result(rnd, c, 8, prediction=2, time_ms=80_000, submitted_at=_at(rnd, 20))
    add_result(rnd, d, 8, prediction=2, time_ms=80_000, submitted_at=_at(rnd, 20))
    finalise(rnd)
    got = ranks(rnd)
    assert got[c.id] == (1, True) and got[d.id] == (1, True)   # equal on all four keys
    assert got[b.id] == (3, False)                             # same time, later submission
    assert got[a.id] == (4, False)                             # slower


def test_prediction_above_and_below_the_true_count_are_equally_far(app):
    rnd = make_round("closed", tiers=[])
    perfect = [make_entrant(f"Hà Thị P{i}") for i in range(4)]
    for i, user in enumerate(perfect):
        add_result(rnd, user, 10, prediction=100, time_ms=60_000 + i)
    low, high = make_entrant("Mai Văn Thấp"), make_entrant("Mai Văn Cao")
    add_result(rnd, low, 7, prediction=1, time_ms=70_000, submitted_at=_at(rnd, 3))
    add_result(rnd, high, 7, prediction=7, time_ms=70_000, submitted_at=_at(rnd, 3))
    finalise(rnd)
    got = ranks(rnd)
    assert got[low.id] == got[high.id] == (5, True)


def test_sql_ranking_matches_the_pure_ranking(app):
    rng = random.Random(7)
    rnd = make_round("closed", tiers=[])
    users = [make_entrant(f"Người Thi {i}") for i in range(120)]
    entrants = []
    for user in users:
        score = rng.choice([10, 10, 9, 9, 8, 5])
        prediction = rng.choice([None, 10, 20, 25, 30, 31, 40])
        time_ms = rng.choice([60_000, 61_000, 90_000])
        submitted = _at(rnd, rng.choice([1, 2, 3]))
        excluded = rng.random() < 0.1
        add_result(rnd, user, score, prediction=prediction, time_ms=time_ms,
                   submitted_at=submitted, excluded=excluded, reason="x" if excluded else "")
        if not excluded:
            entrants.append(EntrantResult(user.id, 0, float(score), 10.0, time_ms, submitted,
                                          prediction))
    finalise(rnd)
    c = sum(1 for e in entrants if e.score == 10.0)
    assert db.session.get(Round, rnd.id).perfect_count == c
    expected = {r.result.entrant_id: (r.rank, r.tied) for r in rank_entrants(entrants, c)}
    got = {uid: v for uid, v in ranks(rnd).items() if v[0] is not None}
    assert got == expected
    excluded_ids = {u.id for u in users} - set(expected)
    assert all(ranks(rnd)[uid] == (None, False) for uid in excluded_ids)


def test_finalise_is_idempotent_and_refused_before_the_close(field, app):
    rnd, p = field
    first = finalise(rnd)
    stamp = db.session.get(Round, rnd.id).finalized_at
    again = finalise(rnd)
    assert first.done and not again.done
    assert db.session.get(Round, rnd.id).finalized_at == stamp
    running = make_round("running", title="Tuần 2")
    with pytest.raises(ResultsError) as err:
        finalising.finalise(running.id, utcnow())
    assert err.value.code == "not_closed"


def test_finalise_waits_for_the_submission_grace(app):
    rnd = make_round("closed")
    rnd.closes_at = utcnow() - timedelta(seconds=3)
    db.session.commit()
    with pytest.raises(ResultsError) as err:
        finalising.finalise(rnd.id, utcnow(), grace_seconds=10)
    assert err.value.code == "settling"
    assert finalising.ensure_finalised(rnd, utcnow(), grace_seconds=10) is False
    assert finalising.ensure_finalised(rnd, utcnow(), grace_seconds=0) is True


def test_large_rounds_are_not_ranked_inside_a_request(app):
    rnd = make_round("closed")
    for i in range(3):
        add_result(rnd, make_entrant(f"Đông Văn {i}"), 5)
    assert finalising.ensure_finalised(rnd, utcnow(), limit=2) is False
    assert db.session.get(Round, rnd.id).finalized_at is None
    assert finalising.ensure_finalised(rnd, utcnow(), limit=3) is True


def test_finalise_closes_overdue_attempts_first(app, monkeypatch):
    calls = []
    real = finalising.close_overdue

    def spy(now, round_id=None, **kw):  # noqa: ANN001, ANN202
        calls.append((now, round_id))
        return real(now, round_id, **kw)

    monkeypatch.setattr(finalising, "close_overdue", spy)
    rnd = make_round("closed")
    add_result(rnd, make_entrant(), 5)
    now = utcnow()
    finalising.finalise(rnd.id, now)
    assert calls == [(now, rnd.id)]


def test_an_attempt_left_open_is_scored_and_ranked_by_finalise(app):
    from contest.quiz.models import Option, Question, Topic
    from tests.web.quiz.resultkit import make_entrant as entrant

    rnd = make_round("closed", tiers=[["first", 1]])
    topic = Topic(name="Luật")
    db.session.add(topic)
    db.session.flush()
    q = Question(topic_id=topic.id, kind="single", text="Luật có bao nhiêu chương?")
    q.options = [Option(position=0, text="6", fraction=1.0),
                 Option(position=1, text="5", fraction=0.0)]
    db.session.add(q)
    db.session.flush()
    right = q.options[0].id
    early, late = entrant("Tạ Thị Sớm"), entrant("Tạ Văn Muộn")
    add_result(rnd, early, 0, max_score=1, prediction=1, time_ms=30_000)
    started = rnd.closes_at - timedelta(minutes=3)
    db.session.add(Attempt(round_id=rnd.id, user_id=late.id, number=1,
                           status=AttemptStatus.OPEN, started_at=started,
                           deadline_at=started + timedelta(minutes=20),
                           draw=[[q.id, [o.id for o in q.options]]],
                           answers={str(q.id): [right]}, prediction=1))
    db.session.commit()
    report = finalise(rnd)
    assert report.ranked == 2 and report.perfect_count == 1
    assert result_of(rnd, late).final_rank == 1
    assert prizes(rnd)[late.id] == "first"


def test_exclusion_reranks_recounts_and_keeps_the_reason(field):
    rnd, p = field
    finalise(rnd)
    organizer = make_entrant("Ban Tổ Chức")
    exclusions.exclude(rnd.id, p["ann"].id, "Nhiều tài khoản", organizer.id, utcnow())
    db.session.commit()
    rnd = db.session.get(Round, rnd.id)
    assert rnd.perfect_count == 2  # excluded perfect entrants no longer count in C
    got = ranks(rnd)
    assert got[p["ann"].id] == (None, False)
    # C = 2: binh (predicted 5) is off by 3, chi has none; em (2) is exact now, dung (3) off by 1
    assert got[p["binh"].id] == (1, False)
    assert got[p["chi"].id] == (2, False)
    assert got[p["em"].id] == (3, False)
    assert got[p["dung"].id] == (4, False)
    mine = rank_queries.standing(rnd, p["ann"].id, utcnow())
    assert mine.excluded and mine.rank is None and mine.exclusion_reason == "Nhiều tài khoản"
    events = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "results.exclude")
    ).scalars().all()
    assert len(events) == 1 and events[0].reason == "Nhiều tài khoản"
    assert events[0].details["user_id"] == p["ann"].id
    assert [r.user_id for r in review.excluded_rows(rnd)] == [p["ann"].id]

    exclusions.reinstate(rnd.id, p["ann"].id, organizer.id, utcnow(), "Đã xác minh")
    db.session.commit()
    assert ranks(rnd)[p["ann"].id] == (1, False)
    assert db.session.get(Round, rnd.id).perfect_count == 3


def test_exclusion_needs_a_reason_and_a_closed_unpublished_round(field):
    rnd, p = field
    with pytest.raises(ResultsError) as err:
        exclusions.exclude(rnd.id, p["ann"].id, "lý do", None, utcnow())
    assert err.value.code == "not_finalised"
    finalise(rnd)
    with pytest.raises(ResultsError) as err:
        exclusions.exclude(rnd.id, p["ann"].id, "   ", None, utcnow())
    assert err.value.code == "reason_required"
    stranger = make_entrant("Người Lạ")
    with pytest.raises(ResultsError) as err:
        exclusions.exclude(rnd.id, stranger.id, "lý do", None, utcnow())
    assert err.value.code == "no_result"


def test_prizes_are_proposed_in_rank_order_with_a_conflict_for_a_straddling_tie(field):
    rnd, p = field
    report = finalise(rnd)
    got = prizes(rnd)
    # first 1, second 2, third 2: places 1..5; phuong and giang (tied at 6) are past place 5.
    assert got[p["ann"].id] == "first"
    assert got[p["binh"].id] == got[p["chi"].id] == "second"
    assert got[p["dung"].id] == got[p["em"].id] == "third"
    assert got[p["phuong"].id] is None and report.conflicts == 0

    rnd = db.session.get(Round, rnd.id)
    rnd.prize_tiers = [["first", 1], ["second", 2], ["third", 3]]
    db.session.commit()
    report = finalise(rnd, force=True)
    assert report.conflicts == 1
    got = prizes(rnd)
    assert got[p["phuong"].id] == got[p["giang"].id] == PRIZE_UNDECIDED
    review = prize_decisions.prize_review(rnd)
    (conflict,) = review.conflicts
    assert conflict.rank == 6 and conflict.slots == (("third", 1),) and not conflict.decided
    assert {m.user_id for m in conflict.members} == {p["phuong"].id, p["giang"].id}
    assert review.undecided

    with pytest.raises(ResultsError) as err:
        publication.publish(rnd.id, None, utcnow())
    assert err.value.code == "undecided"

    with pytest.raises(ResultsError) as err:
        prize_decisions.resolve_conflict(rnd.id, 6, {p["phuong"].id: "third"}, None, utcnow())
    assert err.value.code == "bad_decision"
    prize_decisions.resolve_conflict(rnd.id, 6, {p["phuong"].id: "third", p["giang"].id: None},
                             None, utcnow(), note="bốc thăm")
    db.session.commit()
    got = prizes(rnd)
    assert got[p["phuong"].id] == "third" and got[p["giang"].id] is None
    assert prize_decisions.prize_review(rnd).conflicts[0].decided

    # "give all": both get the tier, once a place is added to it with a reason
    with pytest.raises(ResultsError) as err:
        prize_decisions.resolve_conflict(
            rnd.id, 6, {p["phuong"].id: "third", p["giang"].id: "third"}, None, utcnow())
    assert err.value.code == "tier_overfilled"
    db.session.rollback()
    prize_decisions.add_places(rnd.id, "third", 1, "Hai người ngang nhau", None, utcnow())
    prize_decisions.resolve_conflict(rnd.id, 6, {p["phuong"].id: "third", p["giang"].id: "third"},
                             None, utcnow())
    db.session.commit()
    assert prizes(rnd)[p["giang"].id] == "third"
    winners = prize_decisions.prize_review(rnd).winners["third"]
    assert [w.user_id for w in winners][-2:] == sorted([p["phuong"].id, p["giang"].id])

    organizer = make_entrant("Ban Tổ Chức")
    published = publication.publish(rnd.id, organizer.id, utcnow())
    db.session.commit()
    assert published.status == RoundStatus.PUBLISHED and published.published_at is not None
    actions = db.session.execute(select(AuditEvent.action).order_by(AuditEvent.id)).scalars()
    assert [a for a in actions if a != "results.rank"] == [
        "results.resolve_tie", "results.add_places", "results.resolve_tie", "results.publish"]
    tiers = dict(leaderboard.prize_list(published))
    assert [w.name for w in tiers["first"]] == ["Nguyễn T. A."]
    assert len(tiers["third"]) == 4

    with pytest.raises(ResultsError) as err:
        exclusions.exclude(rnd.id, p["ann"].id, "muộn", None, utcnow())
    assert err.value.code == "published"
    with pytest.raises(ResultsError):
        finalising.finalise(rnd.id, utcnow(), force=True)


def test_a_tie_across_the_first_boundary_is_a_conflict_and_an_exclusion_resets_it(app):
    rnd = make_round("closed", tiers=[["first", 1], ["second", 1]])
    a, b, c = (make_entrant(n) for n in ("Kim Văn A", "Kim Văn B", "Kim Văn C"))
    for user in (a, b):
        add_result(rnd, user, 10, prediction=2, time_ms=60_000, submitted_at=_at(rnd, 1))
    add_result(rnd, c, 9, prediction=2, time_ms=60_000)
    finalise(rnd)
    (conflict,) = prize_decisions.prize_review(rnd).conflicts
    assert conflict.slots == (("first", 1), ("second", 1))
    assert prizes(rnd)[c.id] is None  # the tie uses up both places
    prize_decisions.add_places(rnd.id, "first", 1, "Đồng giải nhất", None, utcnow())
    prize_decisions.resolve_conflict(rnd.id, 1, {a.id: "first", b.id: "first"}, None, utcnow())
    db.session.commit()
    exclusions.exclude(rnd.id, b.id, "Khai sai thông tin", None, utcnow())
    db.session.commit()
    got = prizes(rnd)
    assert got == {a.id: "first", b.id: None, c.id: "second"}
    assert prize_decisions.prize_review(rnd).conflicts == []


def test_excluded_entrants_take_no_prize_place(app):
    rnd = make_round("closed", tiers=[["first", 1], ["second", 1]])
    a, b, c = (make_entrant(n) for n in ("Kha Văn A", "Kha Văn B", "Kha Văn C"))
    add_result(rnd, a, 10, prediction=0, excluded=True, reason="Gian lận")
    add_result(rnd, b, 9, prediction=0)
    add_result(rnd, c, 8, prediction=0)
    finalise(rnd)
    assert prizes(rnd) == {a.id: None, b.id: "first", c.id: "second"}
    assert ranks(rnd)[b.id] == (1, False)


def test_cli_finalize(app, field):
    rnd, _ = field
    runner = CliRunner()
    out = runner.invoke(finalize_command, [str(rnd.id)], obj=_script_info(app))
    assert out.exit_code == 0, out.output
    assert "9 ranked" in out.output and "3 with every answer right" in out.output
    again = runner.invoke(finalize_command, [str(rnd.id)], obj=_script_info(app))
    assert again.exit_code == 0 and "already finalised" in again.output
    missing = runner.invoke(finalize_command, ["999999"], obj=_script_info(app))
    assert missing.exit_code != 0 and "does not exist" in missing.output


def _rank_events(round_id: int) -> list[AuditEvent]:
    return list(db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "results.rank",
                                 AuditEvent.subject_id == str(round_id))
        .order_by(AuditEvent.id)
    ).scalars())


def test_cli_and_console_leave_the_same_audit_trail(app, field, login_as):
    rnd, _ = field
    db.session.commit()
    out = CliRunner().invoke(finalize_command, [str(rnd.id)], obj=_script_info(app))
    assert out.exit_code == 0, out.output
    [by_script] = _rank_events(rnd.id)
    assert by_script.actor_id is None and by_script.subject_type == "quiz_round"
    assert by_script.details["ranked"] == 9 and by_script.details["perfect_count"] == 3

    organizer = login_as("organizer")
    response = organizer.post(f"/organizer/results/{rnd.id}/finalise", data={"confirm": "yes"})
    assert response.status_code == 302
    by_script, by_page = _rank_events(rnd.id)
    assert by_page.actor_id == organizer.user.id
    assert by_page.details == {**by_script.details, "forced": True}


def test_cli_refusals_are_plain_english_and_record_nothing(app):
    running = make_round("running", title="Đang chạy")
    db.session.commit()
    out = CliRunner().invoke(finalize_command, [str(running.id)], obj=_script_info(app))
    assert out.exit_code != 0 and "The round has not closed yet." in out.output
    assert _rank_events(running.id) == []


def test_cli_item_stats(app, tmp_path):
    from contest.quiz.results_cli import item_stats_command

    rnd = make_round("closed")
    add_result(rnd, make_entrant("Kiều Thị Số"), 1.0, max_score=1, item_scores={"7": 1.0},
               answers={"7": [70]})
    out = CliRunner().invoke(item_stats_command, [str(rnd.id), str(tmp_path / "csv")],
                             obj=_script_info(app))
    assert out.exit_code == 0, out.output
    names = sorted(p.name for p in (tmp_path / "csv").iterdir())
    assert names == [f"round-{rnd.id}-{part}.csv" for part in ("items", "options", "scores",
                                                               "units")]
    items = (tmp_path / "csv" / f"round-{rnd.id}-items.csv").read_text(encoding="utf-8-sig")
    assert items.splitlines()[1].startswith("7,,") and ",1,100.00," in items
    running = make_round("running", title="Đang chạy")
    refused = CliRunner().invoke(item_stats_command, [str(running.id), str(tmp_path)],
                                 obj=_script_info(app))
    assert refused.exit_code != 0 and "not closed" in refused.output


def _script_info(app):  # noqa: ANN001, ANN202
    from flask.cli import ScriptInfo

    return ScriptInfo(create_app=lambda: app)


# --------------------------------------------------------------------------- live order


def _live_field(n: int, seed: int = 3):  # noqa: ANN202
    rng = random.Random(seed)
    rnd = make_round("running", tiers=[])
    expected = []
    for i in range(n):
        user = make_entrant(f"Trịnh Văn {i}")
        score = float(rng.choice([10, 9, 9, 8, 7, 7, 5]))
        time_ms = rng.choice([60_000, 61_000, 62_000, 90_000])
        submitted = _at(rnd, rng.choice([1, 2]))
        add_result(rnd, user, score, time_ms=time_ms, submitted_at=submitted, prediction=1)
        expected.append(EntrantResult(user.id, 0, score, 10.0, time_ms, submitted, 1))
    ranked = rank_entrants(expected, None)
    return rnd, ranked


@pytest.mark.parametrize("options", [{}, {"every": 5, "exact_top": 0}])
def test_live_rank_matches_the_pure_live_order(app, options):
    rnd, ranked = _live_field(60)
    for entry in ranked:
        assert rank_queries.live_rank(rnd.id, entry.result.entrant_id, **options) == entry.rank
    assert rank_queries.live_rank(rnd.id, 10**9, **options) is None


def test_live_rank_from_a_stale_snapshot_counts_the_neighbourhood_fresh(app):
    rnd, ranked = _live_field(40)
    options = {"every": 5, "exact_top": 0, "ttl": 3600}
    last = ranked[-1].result.entrant_id
    before = rank_queries.live_rank(rnd.id, last, **options)
    # A newcomer just above the last entrant: within its fence interval, so counted at once.
    newcomer = make_entrant("Người Mới")
    worst = ranked[-1].result
    add_result(rnd, newcomer, worst.score, time_ms=worst.time_ms - 1,
               submitted_at=worst.submitted_at)
    assert rank_queries.live_rank(rnd.id, last, **options) == before + 1
    board.clear_rank_cache(rnd.id)
    assert rank_queries.live_rank(rnd.id, last, **options) == before + 1


@pytest.mark.parametrize("options", [{}, {"every": 4, "exact_top": 0}])
def test_keyset_pages_walk_the_whole_board_both_ways(app, options):
    rnd, ranked = _live_field(53)
    expected = [(e.result.entrant_id, e.rank) for e in ranked]
    seen, page = [], leaderboard.live_page(rnd.id, per_page=5, **options)
    pages = [page]
    while True:
        seen += [(r.user_id, r.rank) for r in page.rows]
        if page.next_page:
            page = leaderboard.live_page(rnd.id, page=page.next_page, per_page=5, **options)
        elif page.next_cursor:
            page = leaderboard.live_page(rnd.id, after=board.LiveKey.decode(page.next_cursor),
                                     per_page=5, **options)
        else:
            break
        pages.append(page)
    assert seen == expected
    assert [p.page for p in pages[:5]] == [1, 2, 3, 4, 5] and pages[5].page is None
    # ties continue across page edges and stay flagged
    tied = {e.result.entrant_id for e in ranked if e.tied}
    assert {r.user_id for p in pages for r in p.rows if r.tied} == tied
    # and back again
    back = pages[-1]
    collected = [(r.user_id, r.rank) for r in back.rows]
    while back.prev_cursor or back.prev_page:
        if back.prev_cursor:
            back = leaderboard.live_page(rnd.id, before=board.LiveKey.decode(back.prev_cursor),
                                     per_page=5, **options)
        else:
            back = leaderboard.live_page(rnd.id, page=back.prev_page, per_page=5, **options)
        collected = [(r.user_id, r.rank) for r in back.rows] + collected
    assert collected == expected


def test_a_page_can_start_at_the_readers_own_line(app):
    rnd, ranked = _live_field(30)
    target = ranked[17].result
    key = board.LiveKey(target.score, target.time_ms, target.submitted_at, target.entrant_id)
    page = leaderboard.live_page(rnd.id, start=key, per_page=5)
    assert page.rows[0].user_id == target.entrant_id
    assert page.rows[0].rank == ranked[17].rank
    assert page.prev_cursor or page.prev_page


def test_cursors_round_trip_and_reject_garbage():
    from datetime import UTC, datetime

    key = board.LiveKey(9.5, 1234, datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC), 42)
    assert board.LiveKey.decode(key.encode()) == key
    assert board.FinalCursor.decode("12_34") == board.FinalCursor(12, 34)
    for bad in ["", "1_2_3", "nan_1_2_3", "x_1_2_3", "1_-1_2_3", "0_1"]:
        with pytest.raises(ValueError):
            board.LiveKey.decode(bad)
    for bad in ["", "0_1", "a_b", "1_2_3"]:
        with pytest.raises(ValueError):
            board.FinalCursor.decode(bad)


def test_final_pages_follow_the_final_rank(field):
    rnd, p = field
    finalise(rnd)
    rnd = db.session.get(Round, rnd.id)
    order = []
    page = leaderboard.final_page(rnd, per_page=2)
    while True:
        order += [(r.rank, r.user_id) for r in page.rows]
        if page.next_page:
            page = leaderboard.final_page(rnd, page=page.next_page, per_page=2)
        elif page.next_cursor:
            page = leaderboard.final_page(rnd, after=board.FinalCursor.decode(page.next_cursor),
                                      per_page=2)
        else:
            break
    expected = sorted((r, uid) for uid, (r, _) in ranks(rnd).items() if r is not None)
    assert order == expected
    back = page
    collected = [(r.rank, r.user_id) for r in back.rows]
    while back.prev_cursor or back.prev_page:
        if back.prev_cursor:
            back = leaderboard.final_page(rnd, before=board.FinalCursor.decode(back.prev_cursor),
                                      per_page=2)
        else:
            back = leaderboard.final_page(rnd, page=back.prev_page, per_page=2)
        collected = [(r.rank, r.user_id) for r in back.rows] + collected
    assert collected == expected
    tail = leaderboard.final_page(rnd, per_page=2, after=board.FinalCursor(6, min(
        uid for uid, (r, _) in ranks(rnd).items() if r == 6)))
    assert [r.rank for r in tail.rows] == [6, 8] and tail.rows[0].tied
    deep = leaderboard.final_page(rnd, from_rank=6, per_page=2)
    assert [r.rank for r in deep.rows] == [6, 6]
    assert all(r.tied for r in deep.rows) and deep.rows[0].distance == 1


def test_standing_live_then_final(field):
    rnd, p = field
    rnd.closes_at = utcnow() + timedelta(days=1)
    db.session.commit()
    live = rank_queries.standing(rnd, p["hai"].id, utcnow())
    # live order ignores predictions: hai (9/10 in 10 s) is right behind the three 10/10
    assert live.rank == 4 and not live.final and live.entrants == 9
    rnd.closes_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    finalise(rnd)
    final = rank_queries.standing(rnd, p["hai"].id, utcnow())
    assert final.rank == 8 and final.final and not final.published and final.prize is None
    assert rank_queries.standing(rnd, make_entrant("Không Thi").id, utcnow()) is None


def test_standing_has_no_live_rank_between_the_close_and_the_ranking(app):
    rnd = make_round("closed")
    user = make_entrant("Chu Thị Chờ")
    add_result(rnd, user, 7, prediction=2)
    mine = rank_queries.standing(rnd, user.id, utcnow())
    assert mine.rank is None and not mine.final and mine.score == 7


def test_unit_participation_counts_and_rates(app):
    district = make_unit("KS", "Huyện Kỳ Sơn")
    a = make_unit("MX", "Xã Mường Xén", size=10, parent=district)
    b = make_unit("NC", "Xã Na Ngoi", size=None, parent=district)
    c = make_unit("BL", "Xã Bảo Nam", size=4)
    rnd = make_round("closed")
    for i in range(3):
        add_result(rnd, make_entrant(f"A {i}", unit=a), 5)
    for i in range(4):
        add_result(rnd, make_entrant(f"B {i}", unit=b), 5)
    add_result(rnd, make_entrant("C 0", unit=c), 5)
    add_result(rnd, make_entrant("C 1", unit=c), 5, excluded=True, reason="trùng")
    add_result(rnd, make_entrant("Không đơn vị"), 5)
    rows = units.unit_participation(rnd.id)
    assert [(r.code, r.participants) for r in rows] == [("NC", 4), ("MX", 3), ("BL", 1),
                                                        (None, 1)]
    by_code = {r.code: r for r in rows}
    assert by_code["MX"].rate == pytest.approx(30.0) and by_code["MX"].parent == "Huyện Kỳ Sơn"
    assert by_code["NC"].rate is None and by_code["BL"].rate == pytest.approx(25.0)
    by_rate = units.unit_participation(rnd.id, order="rate")
    assert [r.code for r in by_rate][:2] == ["MX", "BL"]


def test_finalise_writes_ranks_in_bulk(field, app):
    """No ORM flush per row: the ranks are written by a handful of statements."""
    from sqlalchemy import event

    rnd, _ = field
    statements = []

    def count(conn, cursor, statement, *args):  # noqa: ANN001, ANN202
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        finalise(rnd)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    updates = [s for s in statements if s.lstrip().upper().startswith("UPDATE QUIZ_RESULTS")]
    assert 1 <= len(updates) <= 8
    assert db.session.execute(
        select(func.count()).select_from(Result).where(Result.final_rank.is_not(None))
    ).scalar_one() == 9
