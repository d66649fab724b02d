"""The rules of judging, through the modules of contest.judging: invitations, conflicts, assignment,
score sheets and their audit, aggregation with hand-computed numbers, shortlists, prizes,
publication and the score matrix."""

from __future__ import annotations

import io
import math
import statistics
from collections import Counter
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from contest.accounts.models import Role, User
from contest.extensions import db
from contest.judging import (
    assignments,
    awards,
    conflicts,
    invitations,
    lifecycle,
    matrix,
    progress,
    results,
    rounds,
    rubrics,
    sheets,
)
from contest.judging.models import (
    Assignment,
    Conflict,
    EntryResult,
    Invitation,
    JudgingRound,
    JudgingRoundStatus,
    RoundEntry,
    ScoreSheet,
)
from contest.problems import Refused
from contest.writing.models import Coauthor, ContestJuror, ContestStatus, EntryStatus
from tests.concurrency import together
from tests.web.judging.judgingkit import events, now, points_for, scene

SECRET = "test-secret-key"


@pytest.fixture
def s(app, make_user):
    return scene(app, make_user)


def codes(exc: pytest.ExceptionInfo) -> list[str]:
    return [p.code for p in exc.value.problems]


def count(model) -> int:  # noqa: ANN001
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


# --- rubrics -------------------------------------------------------------------------------


def test_the_press_award_template_is_seeded_once_and_adds_up_to_ten(s):
    assert rubrics.seed_templates() == 1
    assert rubrics.seed_templates() == 0
    (template,) = rubrics.templates()
    assert template.name == "Press award 10-point scale"
    assert [(c.max_points, c.weight) for c in template.criteria] == [(5, 1), (3, 1), (2, 1)]
    rnd = s.round()
    assert rnd.rubric.id != template.id and not rnd.rubric.is_template
    assert sheets.sheet_total(rnd, points_for(rnd, 7)) == 7
    full = {str(c.id): c.max_points for c in rnd.rubric.criteria}
    assert sheets.sheet_total(rnd, full) == 10
    # Deleted or renamed, it is not forced back.
    rubrics.delete_template(template, s.organizer.id)
    db.session.commit()
    assert rubrics.seed_templates() == 0 and rubrics.templates() == []


def test_rubric_validation_names_each_bad_row(s):
    data = rubrics.RubricInput("Thang điểm", scale="10", criteria=[
        rubrics.CriterionInput("Nội dung", weight="0", max_points="6"),
        rubrics.CriterionInput("", description="x", max_points="3"),
        rubrics.CriterionInput("Hình thức", max_points="4", levels=[("5", "Xuất sắc")]),
    ])
    with pytest.raises(Refused) as exc:
        rubrics.create_rubric(data, s.organizer.id)
    fields = {(p.code, p.field) for p in exc.value.problems}
    assert fields == {("weight_out_of_range", "criteria-0-weight"),
                      ("name_missing", "criteria-1-name"),
                      ("level_out_of_range", "criteria-2-levels")}


def test_a_rounds_rubric_is_locked_once_a_sheet_is_submitted(s):
    judge = s.judge()
    entry = s.entry()
    rnd = s.round(judges_per_entry=1)
    s.seat(rnd)
    assignments.auto_assign(rnd, s.organizer.id)
    s.open(rnd)
    data = rubrics.RubricInput.of(rnd.rubric)
    data.name = "Đổi tên"
    rubrics.update_rubric(rnd.rubric, data, s.organizer.id)  # drafts only: still allowed
    s.score(rnd, entry, judge, 8)
    assert rubrics.rubric_locked(rnd.rubric)
    with pytest.raises(Refused) as exc:
        rubrics.update_rubric(rnd.rubric, data, s.organizer.id)
    assert codes(exc) == ["rubric_locked"]
    with pytest.raises(Refused):
        lifecycle.use_template(rnd, rubrics.templates()[0], s.organizer.id)


# --- invitations ---------------------------------------------------------------------------


def link(token: str) -> str:
    return f"https://example.org/judging/invitations/{token}"


def test_accepting_an_invitation_grants_the_judge_role_and_a_jury_seat(app, s, make_user):
    app.extensions["outbox"] = []
    inv, token = invitations.invite(s.contest, " Le.Hoa@Example.org ", s.organizer, now(), SECRET,
                                    link=link)
    db.session.commit()
    assert inv.email == "le.hoa@example.org"
    assert token not in inv.token_hash and len(inv.token_hash) == 64
    # The service sends the e-mail with the link; nothing else holds the token.
    (message,) = app.extensions["outbox"]
    assert message["To"] == "le.hoa@example.org" and link(token) in message.get_content()
    user = make_user(email="le.hoa@example.org", full_name="Lê Thị Hoa")
    other = make_user(email="someone@example.org")
    with pytest.raises(Refused) as exc:
        invitations.accept_invitation(token, other, now(), SECRET)
    assert codes(exc) == ["email_mismatch"]
    with pytest.raises(Refused) as exc:
        invitations.accept_invitation(token[:-2] + "xx", user, now(), SECRET)
    assert codes(exc) == ["invitation_invalid"]
    db.session.rollback()
    assert Role.JUDGE not in user.roles

    invitations.accept_invitation(token, user, now(), SECRET)
    db.session.commit()
    db.session.expire_all()
    assert Role.JUDGE in user.roles
    assert db.session.get(ContestJuror, (s.contest.id, user.id)) is not None
    assert db.session.get(Invitation, inv.id).accepted_by_id == user.id
    (grant,) = events("role.grant")
    # The role is granted as the organizer who invited decided, through the accounts service.
    assert grant.details["role"] == "judge" and grant.actor_id == s.organizer.id
    assert events("writing_jury.add")[0].details["user"] == user.id
    assert events("judging.invitation.accept")[0].details["user"] == user.id
    # The link is used up for anyone else.
    with pytest.raises(Refused) as exc:
        invitations.accept_invitation(token, other, now(), SECRET)
    assert codes(exc) == ["invitation_used"]


def test_an_expired_or_replaced_invitation_link_is_refused(s, make_user):
    inv, token = invitations.invite(s.contest, "x@example.org", s.organizer, now(), SECRET,
                                    link=link, days=1)
    db.session.commit()
    user = make_user(email="x@example.org")
    with pytest.raises(Refused) as exc:
        invitations.accept_invitation(token, user, now() + timedelta(days=2), SECRET)
    assert codes(exc) == ["invitation_expired"]
    with pytest.raises(Refused) as exc:
        invitations.invite(s.contest, "x@example.org", s.organizer, now(), SECRET, link=link)
    assert codes(exc) == ["already_invited"]
    new_token = invitations.resend_invitation(inv, s.organizer, now(), SECRET, link=link)
    db.session.commit()
    with pytest.raises(Refused) as exc:
        invitations.accept_invitation(token, user, now(), SECRET)
    assert codes(exc) == ["invitation_invalid"]
    invitations.accept_invitation(new_token, user, now(), SECRET)
    db.session.commit()
    assert Role.JUDGE in user.roles


# --- conflicts -----------------------------------------------------------------------------


def test_automatic_and_declared_conflicts_keep_judges_off_entries(s, make_user):
    editor = s.judge("Phạm Văn Biên", outlet="  báo  NGHỆ AN ")
    coauthor = s.judge("Đỗ Minh Tâm", email="tam.do@vov.vn")
    declares = s.judge("Hoàng Lan")
    free = s.judge("Vũ Thu")
    author = make_user(Role.JOURNALIST, full_name="Trần Thị Mai")
    by_outlet = s.entry(outlet="Báo Nghệ An")
    with_coauthor = s.entry(outlet="VOV")
    with_coauthor.coauthors.append(Coauthor(name="Đỗ Minh Tâm", email="Tam.Do@vov.vn"))
    by_mai = s.entry(author=author, outlet="Tuổi Trẻ")
    other = s.entry(outlet="Thanh Niên")
    db.session.commit()
    # Recorded by the organizer, so in force at once (a judge's own declaration waits).
    conflicts.declare_conflict(declares, s.contest, author_name=" trần thị  MAI ",
                             reason="Đồng nghiệp cũ", actor=s.organizer)
    conflicts.declare_conflict(declares, s.contest, entry=other, reason="Đã biên tập bài này",
                             actor=s.organizer)
    db.session.commit()
    assert [r.code for r in conflicts.conflict_reasons(editor, by_outlet)] == ["outlet"]
    assert [r.code for r in conflicts.conflict_reasons(coauthor, with_coauthor)] == ["coauthor"]
    assert [r.code for r in conflicts.conflict_reasons(declares, by_mai)] == ["declared_author"]
    assert conflicts.is_conflicted(declares, other)
    assert not conflicts.is_conflicted(free, by_outlet)

    rnd = s.round(judges_per_entry=3)
    s.seat(rnd)
    pairs = conflicts.conflicted_pairs(rnd)
    assert pairs == {(editor.id, by_outlet.id), (coauthor.id, with_coauthor.id),
                     (declares.id, by_mai.id), (declares.id, other.id)}
    result = assignments.auto_assign(rnd, s.organizer.id)
    db.session.commit()
    assert result.complete
    made = {(a.judge_id, a.entry_id) for a in rounds.assignments_of(rnd)}
    assert not made & pairs
    with pytest.raises(Refused) as exc:
        conflicts.declare_conflict(declares, s.contest, outlet="VOV", reason="")
    assert codes(exc) == ["reason_missing"]


def test_a_declared_conflict_withdraws_the_judges_assignment(s):
    judges = [s.judge(f"Giám khảo {n}") for n in range(3)]
    entry = s.entry()
    rnd = s.round(judges_per_entry=2)
    s.seat(rnd)
    assignments.auto_assign(rnd, s.organizer.id)
    db.session.commit()
    on_entry = [a.judge_id for a in rounds.assignments_of(rnd)]
    judge = next(j for j in judges if j.id in on_entry)
    conflicts.declare_conflict(judge, s.contest, entry=entry, reason="Người thân",
                             actor=s.organizer)
    db.session.commit()
    assert judge.id not in [a.judge_id for a in rounds.assignments_of(rnd)]
    (event,) = events("judging.assignment.conflict")
    assert event.details["judge"] == judge.id
    assert not conflicts.judge_can_view_entry(judge, entry, now())


# --- assignment ----------------------------------------------------------------------------


def test_auto_assign_gives_k_distinct_judges_with_balanced_loads(s):
    for n in range(4):
        s.judge(f"Giám khảo {n}")
    entries = [s.entry(category=n % 2) for n in range(6)]
    rnd = s.round(judges_per_entry=3)
    s.seat(rnd)
    result = assignments.auto_assign(rnd, s.organizer.id)
    db.session.commit()
    assert result.complete and len(result.created) == 18
    by_entry = Counter(a.entry_id for a in rounds.assignments_of(rnd))
    assert by_entry == {e.id: 3 for e in entries}
    assert len({(a.entry_id, a.judge_id) for a in rounds.assignments_of(rnd)}) == 18
    loads = Counter(a.judge_id for a in rounds.assignments_of(rnd))
    assert sorted(loads.values()) == [4, 4, 5, 5]
    # Running again keeps what is there and adds nothing.
    again = assignments.auto_assign(rnd, s.organizer.id)
    assert again.created == [] and again.complete
    assert events("judging.assign.auto")[0].details["created"]


def test_auto_assign_reports_entries_that_cannot_get_k_judges(s, make_user):
    author = make_user(Role.JOURNALIST, full_name="Trần Thị Mai")
    judges = [s.judge(f"Giám khảo {n}") for n in range(3)]
    blocked = s.entry(author=author)
    fine = s.entry()
    conflicts.declare_conflict(judges[0], s.contest, author_name="Trần Thị Mai", reason="Vợ",
                             actor=s.organizer)
    rnd = s.round(judges_per_entry=3)
    s.seat(rnd)
    result = assignments.auto_assign(rnd, s.organizer.id)
    db.session.commit()
    assert [(x.entry.id, x.code, x.assigned, x.eligible) for x in result.shortfalls] == \
        [(blocked.id, "conflicts", 2, 2)]
    assert Counter(a.entry_id for a in rounds.assignments_of(rnd)) == {blocked.id: 2, fine.id: 3}
    assert [(x.entry.id, x.code) for x in assignments.shortfalls(rnd)] == \
        [(blocked.id, "conflicts")]


def test_sub_panels_take_their_own_entries(s):
    print_judges = [s.judge(f"Báo in {n}") for n in range(2)]
    online_judges = [s.judge(f"Điện tử {n}") for n in range(2)]
    printed = [s.entry(category=0) for _n in range(2)]
    online = [s.entry(category=1) for _n in range(2)]
    rnd = s.round(judges_per_entry=2, panels_by="category")
    s.seat(rnd, print_judges, panel=str(s.categories[0].id))
    s.seat(rnd, online_judges, panel=str(s.categories[1].id))
    assert assignments.auto_assign(rnd, s.organizer.id).complete
    db.session.commit()
    for a in rounds.assignments_of(rnd):
        wanted = print_judges if a.entry_id in {e.id for e in printed} else online_judges
        assert a.judge_id in {j.id for j in wanted}
    assert {e.id for e in online} <= {a.entry_id for a in rounds.assignments_of(rnd)}


def test_reassigning_by_hand_is_audited_and_refuses_conflicts_and_duplicates(s):
    a_judge, b_judge, c_judge = (s.judge(n) for n in ("An", "Bình", "Cường"))
    entry = s.entry()
    rnd = s.round(judges_per_entry=1)
    s.seat(rnd, [a_judge])
    assignments.auto_assign(rnd, s.organizer.id)
    s.seat(rnd, [b_judge, c_judge])
    (assignment,) = rounds.assignments_of(rnd)
    conflicts.declare_conflict(c_judge, s.contest, entry=entry, reason="Người thân",
                             actor=s.organizer)
    with pytest.raises(Refused) as exc:
        assignments.reassign(assignment, c_judge, s.organizer, "Cân bằng")
    assert codes(exc) == ["conflicted"]
    with pytest.raises(Refused) as exc:
        assignments.reassign(assignment, b_judge, s.organizer, " ")
    assert codes(exc) == ["reason_missing"]
    with pytest.raises(Refused) as exc:
        assignments.reassign(assignment, a_judge, s.organizer, "x")
    assert codes(exc) == ["same_judge"]
    assignments.reassign(assignment, b_judge, s.organizer, "Giám khảo An bận")
    db.session.commit()
    assert assignment.judge_id == b_judge.id and assignment.source == "manual"
    (event,) = events("judging.assignment.reassign")
    assert (event.reason, event.actor_id) == ("Giám khảo An bận", s.organizer.id)
    assert (event.details["old_judge"], event.details["new_judge"]) == (a_judge.id, b_judge.id)
    extra = assignments.add_judge(rnd, entry, a_judge, s.organizer, source="manual")
    with pytest.raises(Refused) as exc:
        assignments.add_judge(rnd, entry, a_judge, s.organizer, source="manual")
    assert codes(exc) == ["already_assigned"]
    assert extra.source == "manual"


def test_a_submitted_sheet_blocks_reassignment_until_reopened(s):
    a_judge, b_judge = s.judge("An"), s.judge("Bình")
    entry = s.entry()
    rnd = s.round(judges_per_entry=1)
    s.seat(rnd, [a_judge])
    assignments.auto_assign(rnd, s.organizer.id)
    s.seat(rnd, [b_judge])
    s.open(rnd)
    s.score(rnd, entry, a_judge, 8)
    assignment = s.assignment(rnd, entry, a_judge)
    with pytest.raises(Refused) as exc:
        assignments.reassign(assignment, b_judge, s.organizer, "Ốm")
    assert codes(exc) == ["sheet_submitted"]
    sheets.reopen_sheet(assignment.sheet, s.organizer, now(), "Giám khảo ốm")
    assignments.reassign(assignment, b_judge, s.organizer, "Ốm")
    db.session.commit()
    event = events("judging.assignment.reassign")[0]
    assert event.details["discarded_sheet"]["total"] == 8
    assert assignment.sheet is None


def test_a_tie_break_judge_is_the_least_loaded_free_one(s):
    judges = [s.judge(f"Giám khảo {n}") for n in range(3)]
    first, second = s.entry(), s.entry()
    rnd = s.round(judges_per_entry=1)
    s.seat(rnd)
    assignments.auto_assign(rnd, s.organizer.id)
    db.session.commit()
    busy = {a.judge_id for a in rounds.assignments_of(rnd)}
    a = assignments.add_judge(rnd, first, None, s.organizer, source="tiebreak")
    db.session.commit()
    assert a.judge_id not in busy and a.source == "tiebreak"
    assert a.judge_id in {j.id for j in judges}
    assert events("judging.assignment.add")[0].details["source"] == "tiebreak"
    assert second.id in {x.entry_id for x in rounds.assignments_of(rnd)}


# --- score sheets --------------------------------------------------------------------------


@pytest.fixture
def one_sheet(s):
    judge = s.judge()
    entry = s.entry()
    rnd = s.round(judges_per_entry=1)
    s.seat(rnd)
    assignments.auto_assign(rnd, s.organizer.id)
    s.open(rnd)
    return rnd, judge, entry, s.assignment(rnd, entry, judge)


def test_bad_points_are_refused_per_criterion_and_nothing_is_saved(s, one_sheet):
    rnd, judge, entry, assignment = one_sheet
    discovery, style, impact = (str(c.id) for c in rnd.rubric.criteria)
    before = len(events())
    with pytest.raises(Refused) as exc:
        sheets.save_sheet(assignment, {discovery: "6", style: "abc"}, "", "", True, judge, now())
    db.session.rollback()
    problems = {(p.code, p.field) for p in exc.value.problems}
    assert problems == {("points_out_of_range", discovery), ("points_not_number", style),
                        ("points_missing", impact)}
    with pytest.raises(Refused) as exc:
        sheets.save_sheet(assignment, {discovery: -1, style: 2, impact: 1}, "", "", False,
                           judge, now())
    assert codes(exc) == ["points_out_of_range"]
    db.session.rollback()
    assert count(ScoreSheet) == 0 and len(events()) == before
    # A draft may leave criteria empty; a comma is a decimal point.
    sheet = sheets.save_sheet(assignment, {discovery: "4,5", style: ""}, "", "", False,
                               judge, now())
    assert sheet.points == {discovery: 4.5} and sheet.total is None
    other = s.judge("Người khác")
    with pytest.raises(Refused) as exc:
        sheets.save_sheet(assignment, {discovery: 1}, "", "", False, other, now())
    assert codes(exc) == ["not_your_sheet"]


def test_every_sheet_change_is_audited_with_old_and_new_values(s, one_sheet):
    rnd, judge, entry, assignment = one_sheet
    discovery, style, impact = (str(c.id) for c in rnd.rubric.criteria)
    sheets.save_sheet(assignment, {discovery: 4}, "ghi chú", "", False, judge, now())
    db.session.commit()
    sheets.save_sheet(assignment, {discovery: 5, style: 2, impact: 1.5}, "ghi chú",
                       "Bài tốt", True, judge, now())
    db.session.commit()
    draft, submit = events("judging.sheet.save") + events("judging.sheet.submit")
    assert draft.details["old"] is None
    assert draft.details["new"]["points"] == {discovery: 4}
    assert submit.details["old"]["points"] == {discovery: 4}
    assert submit.details["new"]["points"] == {discovery: 5, style: 2, impact: 1.5}
    assert (submit.details["old"]["status"], submit.details["new"]["status"]) == \
        ("draft", "submitted")
    assert submit.details["new"]["total"] == 8.5 and submit.actor_id == judge.id
    with pytest.raises(Refused) as exc:
        sheets.save_sheet(assignment, {discovery: 1, style: 1, impact: 1}, "", "", True,
                           judge, now())
    assert codes(exc) == ["sheet_submitted"]
    sheets.reopen_sheet(assignment.sheet, judge, now())
    db.session.commit()
    (reopen,) = events("judging.sheet.reopen")
    assert (reopen.details["old"]["status"], reopen.details["new"]["status"]) == \
        ("submitted", "draft")
    # Once the round closes, sheets can no longer be reopened or saved.
    lifecycle.close_round(rnd, s.organizer.id, now())
    with pytest.raises(Refused) as exc:
        sheets.save_sheet(assignment, {discovery: 1, style: 1, impact: 1}, "", "", True,
                           judge, now())
    assert codes(exc) == ["round_not_accepting"]


def test_judges_see_only_their_unconflicted_entries_of_open_rounds(s):
    judge, other = s.judge("An"), s.judge("Bình")
    entry = s.entry()
    rnd = s.round(judges_per_entry=1)
    s.seat(rnd, [judge])
    assignments.auto_assign(rnd, s.organizer.id)
    db.session.commit()
    assert not conflicts.judge_can_view_entry(judge, entry, now())  # draft round
    s.open(rnd)
    assert conflicts.judge_can_view_entry(judge, entry, now())
    assert not conflicts.judge_can_view_entry(other, entry, now())
    rnd.opens_at = now() + timedelta(hours=1)
    assert not conflicts.judge_can_view_entry(judge, entry, now())
    rnd.opens_at = None
    judge.outlet = entry.outlet.upper()
    assert not conflicts.judge_can_view_entry(judge, entry, now())


# --- aggregation ---------------------------------------------------------------------------


def _scored_round(s, totals: dict[int, list[float]], method: str, n_judges: int,
                  threshold: float = 3.0, **settings):
    """A closed round where judge j gave entry e ``totals[e][j]`` (every judge scores all)."""
    judges = [s.judge(f"Giám khảo {n}") for n in range(n_judges)]
    entries = [s.entry(category=0) for _e in totals]
    rnd = s.round(judges_per_entry=n_judges, aggregation=method,
                  disagreement_threshold=threshold, **settings)
    s.seat(rnd)
    assignments.auto_assign(rnd, s.organizer.id)
    s.open(rnd)
    for entry, row in zip(entries, totals.values(), strict=True):
        for judge, total in zip(judges, row, strict=True):
            s.score(rnd, entry, judge, total)
    lifecycle.close_round(rnd, s.organizer.id, now())
    db.session.commit()
    stored = {r.entry_id: r for r in db.session.execute(
        select(EntryResult).where(EntryResult.round_id == rnd.id)).scalars()}
    return rnd, entries, [stored[e.id] for e in entries]


def test_mean_scores_flags_and_ranks_with_ties(s):
    rnd, _entries, (e1, e2, e3, e4) = _scored_round(
        s, {1: [7, 8, 9], 2: [6, 6, 9], 3: [9, 7, 8], 4: [5, 5, 5]}, "mean", 3, threshold=2.5)
    assert [r.score for r in (e1, e2, e3, e4)] == [8, 7, 8, 5]
    assert [(r.low, r.high, r.n_judges) for r in (e1, e2)] == [(7, 9, 3), (6, 9, 3)]
    assert [r.flagged for r in (e1, e2, e3, e4)] == [False, True, False, False]
    # Two entries at 8 share first place; the next is third, not second.
    assert [(r.rank, r.tied) for r in (e1, e2, e3, e4)] == \
        [(1, True), (3, False), (1, True), (4, False)]
    assert rnd.aggregated_at is not None


def test_trimmed_mean_drops_the_highest_and_lowest_of_five(s):
    _rnd, _entries, (wide, steady) = _scored_round(
        s, {1: [2, 6, 7, 8, 10], 2: [6, 6, 7, 7, 8]}, "trimmed", 5)
    assert wide.score == pytest.approx((6 + 7 + 8) / 3)
    assert steady.score == pytest.approx((6 + 7 + 7) / 3)
    assert (wide.low, wide.high) == (2, 10) and wide.flagged  # range 8 > 3


def test_zscores_per_judge_are_mapped_back_onto_the_scale(s):
    totals = {1: [9, 6, 8], 2: [7, 5, 8], 3: [5, 4, 5]}
    _rnd, _entries, (e1, e2, e3) = _scored_round(s, totals, "zscore", 3)
    # Judge means 7, 5, 7; population SDs sqrt(8/3), sqrt(2/3), sqrt(2).
    sd_a, sd_b, sd_c = math.sqrt(8 / 3), math.sqrt(2 / 3), math.sqrt(2)
    z1 = (2 / sd_a + 1 / sd_b + 1 / sd_c) / 3
    z2 = (0 + 0 + 1 / sd_c) / 3
    z3 = (-2 / sd_a - 1 / sd_b - 2 / sd_c) / 3
    raw_low, raw_high = 14 / 3, 23 / 3
    assert e1.score == pytest.approx(raw_high)
    assert e3.score == pytest.approx(raw_low)
    assert e2.score == pytest.approx(raw_low + (z2 - z3) / (z1 - z3) * (raw_high - raw_low),
                                     abs=1e-6)
    assert e2.score == pytest.approx(6.61992, abs=1e-5)
    assert [r.rank for r in (e1, e2, e3)] == [1, 2, 3]


def test_alpha_per_round_and_category_says_what_it_rests_on(s):
    rnd, _entries, _results = _scored_round(s, {1: [9, 8], 2: [5, 6], 3: [7, 7]}, "mean", 2)
    result = results.alpha(rnd)
    # Interval alpha, by hand: 6 values, units (9,8) (5,6) (7,7); D_o uses within-unit
    # squared differences, D_e all pairs.
    values = [9, 8, 5, 6, 7, 7]
    n = len(values)
    d_o = sum(2 * (a - b) ** 2 for a, b in ((9, 8), (5, 6), (7, 7))) / n
    d_e = sum((a - b) ** 2 for a in values for b in values) / (n * (n - 1))
    assert result.alpha == pytest.approx(1 - d_o / d_e)
    assert (result.n_entries, result.n_judges) == (3, 2)
    empty = results.alpha(rnd, s.categories[1])
    assert empty.alpha is None and empty.n_entries == 0
    assert statistics.fmean([9, 8]) == 8.5


# --- shortlist, prizes, publication --------------------------------------------------------


def test_the_shortlist_includes_a_tie_at_the_cut_and_feeds_the_next_round(s):
    rnd, entries, scored = _scored_round(
        s, {1: [9, 9], 2: [8, 8], 3: [8, 8], 4: [7, 7]}, "mean", 2, advancement="top_n",
        advancement_value=2)
    final = s.round(name="Chung khảo", judges_per_entry=2, prize_counts={"A": 1})
    (category,) = [c for c in awards.propose_shortlist(rnd) if c.rows]
    proposed = {row.entry.id: (row.proposed, row.tie_at_cut) for row in category.rows}
    assert proposed == {entries[0].id: (True, False), entries[1].id: (True, True),
                        entries[2].id: (True, True), entries[3].id: (False, False)}
    assert category.tie_at_cut
    chosen = [entries[0].id, entries[1].id]
    with pytest.raises(Refused) as exc:
        awards.confirm_shortlist(rnd, chosen, s.organizer)
    assert codes(exc) == ["reason_missing"]
    awards.confirm_shortlist(rnd, [e.id for e in entries[:3]], s.organizer)
    db.session.commit()
    assert {e.id for e in rounds.round_entries(final)} == {e.id for e in entries[:3]}
    assert count(RoundEntry) >= 3
    event = events("judging.shortlist.confirm")[0]
    assert event.details["left_out"] == [] and event.details["next_round"] == final.id
    with pytest.raises(Refused) as exc:
        results.aggregate(rnd, s.organizer.id)
    assert codes(exc) == ["shortlist_confirmed"]


def test_prizes_with_an_empty_tier_and_a_tie_across_a_boundary(s):
    rnd, entries, _results = _scored_round(
        s, {1: [9, 9], 2: [8, 8], 3: [8, 8], 4: [7, 7], 5: [6, 6]}, "mean", 2,
        prize_counts={"A": 0, "B": 1, "C": 1, "KK": 1})
    plan = awards.propose_prizes(rnd, s.organizer)
    db.session.commit()
    (category,) = [c for c in plan if c.rows]
    proposed = {row.entry.id: tier for row, tier in category.rows}
    assert proposed == {entries[0].id: "B", entries[1].id: None, entries[2].id: None,
                        entries[3].id: None, entries[4].id: None}
    (tie,) = category.ties
    assert tie.rank == 2 and tie.tiers == ["C", "KK"]
    assert {row.entry.id for row in tie.rows} == {entries[1].id, entries[2].id}
    with pytest.raises(Refused) as exc:
        lifecycle.publish(rnd, s.organizer)
    assert codes(exc) == ["ties_pending"]
    # One C place: giving both tied entries a C over-fills it and is refused.
    first, second = tie.rows
    awards.set_prize(first.result, "C", s.organizer, "Hội đồng quyết định hai giải C")
    with pytest.raises(Refused) as exc:
        awards.set_prize(second.result, "C", s.organizer, "Hội đồng quyết định hai giải C")
    assert codes(exc) == ["tier_overfilled"]
    db.session.rollback()
    with pytest.raises(Refused) as exc:
        awards.add_places(rnd, first.entry.category_id, "C", 1, s.organizer, " ")
    assert codes(exc) == ["reason_missing"]
    awards.add_places(rnd, first.entry.category_id, "C", 1, s.organizer, "Hai bài ngang điểm")
    for row in tie.rows:
        awards.set_prize(row.result, "C", s.organizer, "Hội đồng quyết định hai giải C")
    db.session.commit()
    assert awards.pending_ties(rnd) == [] and awards.overfilled(rnd) == []
    assert [e.details["new"]["prize"] for e in events("judging.prize.set")] == ["C", "C"]
    assert events("judging.prize.add_places")[0].reason == "Hai bài ngang điểm"
    # An over-filled tier, however it came about, blocks publication.
    entries_by_id = {r.entry_id: r for r in db.session.execute(select(EntryResult)).scalars()}
    entries_by_id[entries[3].id].prize = "KK"
    entries_by_id[entries[4].id].prize = "KK"
    db.session.flush()
    with pytest.raises(Refused) as exc:
        lifecycle.publish(rnd, s.organizer)
    assert codes(exc) == ["tier_overfilled"]
    db.session.rollback()
    entries_by_id = {r.entry_id: r for r in db.session.execute(select(EntryResult)).scalars()}
    assert entries_by_id[entries[4].id].prize is None
    lifecycle.publish(rnd, s.organizer)
    db.session.commit()
    assert rnd.status == JudgingRoundStatus.PUBLISHED
    prizes = {r.entry_id: r.prize for r in db.session.execute(select(EntryResult)).scalars()}
    assert prizes == {entries[0].id: "B", entries[1].id: "C", entries[2].id: "C",
                      entries[3].id: None, entries[4].id: None}


def test_nothing_changes_after_publication(s):
    rnd, entries, scored = _scored_round(s, {1: [9, 9], 2: [7, 7]}, "mean", 2,
                                          prize_counts={"A": 1})
    awards.propose_prizes(rnd, s.organizer)
    lifecycle.publish(rnd, s.organizer)
    db.session.commit()
    attempts = [
        lambda: awards.set_prize(scored[1], "A", s.organizer, "x"),
        lambda: awards.propose_prizes(rnd, s.organizer),
        lambda: results.aggregate(rnd, s.organizer.id),
        lambda: assignments.auto_assign(rnd, s.organizer.id),
        lambda: lifecycle.reopen_round(rnd, s.organizer.id, now(), "x"),
        lambda: lifecycle.update_round(rnd, lifecycle.RoundInput(name="Khác"), s.organizer.id,
                                     now()),
        lambda: lifecycle.publish(rnd, s.organizer),
    ]
    for attempt in attempts:
        with pytest.raises(Refused) as exc:
            attempt()
        assert codes(exc) == ["round_published"]
    db.session.rollback()
    assert scored[0].prize == "A" and scored[1].prize is None


def test_opening_a_round_moves_a_closed_contest_to_judging(s):
    s.judge()
    s.entry()
    withdrawn = s.entry(status=EntryStatus.WITHDRAWN)
    rnd = s.round(judges_per_entry=1)
    with pytest.raises(Refused) as exc:
        s.open(rnd)
    assert codes(exc) == ["entries_without_judges"]
    db.session.rollback()
    s.seat(rnd)
    assignments.auto_assign(rnd, s.organizer.id)
    s.open(rnd)
    assert s.contest.status == ContestStatus.JUDGING
    assert withdrawn.id not in {e.id for e in rounds.round_entries(rnd)}


def test_round_settings_lock_as_the_round_moves_on(s):
    rnd, entries, _results = _scored_round(s, {1: [9, 9], 2: [7, 7]}, "mean", 2,
                                           prize_counts={"A": 1})
    data = lifecycle.RoundInput.of(rnd)
    data.judges_per_entry = 3
    with pytest.raises(Refused) as exc:
        lifecycle.update_round(rnd, data, s.organizer.id, now())
    assert [(p.code, p.field) for p in exc.value.problems] == \
        [("fixed_after_open", "judges_per_entry")]
    awards.propose_prizes(rnd, s.organizer)
    db.session.commit()
    assert awards.prizes_proposed(rnd)
    data = lifecycle.RoundInput.of(rnd)
    data.prize_counts = {"A": 0, "B": 1}
    lifecycle.update_round(rnd, data, s.organizer.id, now())
    db.session.commit()
    # Other prize counts: the results are computed again and prizes must be proposed again.
    assert not awards.prizes_proposed(rnd)
    assert all(r.prize is None for r in db.session.execute(select(EntryResult)).scalars())
    with pytest.raises(Refused) as exc:
        lifecycle.publish(rnd, s.organizer)
    assert codes(exc) == ["prizes_not_proposed"]


# --- reminders and the score matrix --------------------------------------------------------


def test_reminders_go_once_to_each_judge_with_open_sheets(app, s):
    busy, done = s.judge("An"), s.judge("Bình")
    entries = [s.entry(), s.entry()]
    rnd = s.round(judges_per_entry=2)
    s.seat(rnd)
    assignments.auto_assign(rnd, s.organizer.id)
    s.open(rnd)
    for entry in entries:
        s.score(rnd, entry, done, 8)
    assert [(u.id, n) for u, n in progress.judges_with_open_sheets(rnd)] == [(busy.id, 2)]
    app.extensions["outbox"] = []
    assert progress.send_reminders(rnd, "https://example.org/judge", s.organizer, now()) == 1
    assert app.extensions["outbox"] == []  # queued: it leaves with the commit
    db.session.commit()
    (message,) = app.extensions["outbox"]
    assert message["To"] == busy.email
    assert "2" in message.get_content() and "https://example.org/judge" in message.get_content()
    assert events("judging.reminders")[0].details["judges"] == [[busy.id, 2]]


def test_the_score_matrix_has_every_criterion_of_every_sheet(s):
    rnd, entries, _scored = _scored_round(s, {1: [9, 7], 2: [6, 8]}, "mean", 2)
    data = matrix.score_matrix_xlsx(rnd)
    book = load_workbook(io.BytesIO(data), read_only=True)
    scores, summary = book.worksheets
    rows = list(scores.iter_rows(values_only=True))
    names = [c.name for c in rnd.rubric.criteria]
    assert rows[0] == ("Code", "Category", "Title", "Judge", "Sheet",
                       f"{names[0]} (/5)", f"{names[1]} (/3)", f"{names[2]} (/2)",
                       "Total", "Entry score", "Rank")
    body = {(r[0], r[3]): r[4:] for r in rows[1:]}
    assert len(body) == 4
    judge0 = s.judges[0].full_name
    assert body[(entries[0].anon_code, judge0)] == ("submitted", 5, 3, 1, 9, 8, 1)
    assert body[(entries[1].anon_code, judge0)] == ("submitted", 5, 1, 0, 6, 7, 2)
    result_rows = list(summary.iter_rows(values_only=True))[1:]
    assert [(r[0], r[6], r[7]) for r in result_rows] == \
        [(entries[0].anon_code, 8, 1), (entries[1].anon_code, 7, 2)]


def test_a_conflict_declared_after_scoring_removes_the_sheet_from_the_results(s):
    judges = [s.judge(f"Giám khảo {n}") for n in range(3)]
    entry = s.entry()
    rnd = s.round(judges_per_entry=3)
    s.seat(rnd)
    assignments.auto_assign(rnd, s.organizer.id)
    s.open(rnd)
    for judge, total in zip(judges, (9, 5, 7), strict=True):
        s.score(rnd, entry, judge, total)
    conflicts.declare_conflict(judges[0], s.contest, entry=entry, reason="Biết tác giả",
                             actor=s.organizer)
    db.session.commit()
    (withdrawn,) = events("judging.assignment.conflict")
    assert withdrawn.details["sheet"]["total"] == 9 and withdrawn.actor_id == s.organizer.id
    assert count(Assignment) == 2
    lifecycle.close_round(rnd, s.organizer.id, now())
    db.session.commit()
    (result,) = db.session.execute(select(EntryResult)).scalars()
    assert (result.score, result.n_judges) == (6, 2)
    assert count(Conflict) == 1


# --- simultaneous changes (PostgreSQL row locks) -------------------------------------------


@pytest.mark.postgres_only
def test_two_organizers_assigning_at_once_make_one_assignment(app, s):
    for n in range(3):
        s.judge(f"Giám khảo {n}")
    entries = [s.entry() for _n in range(4)]
    rnd = s.round(judges_per_entry=2)
    s.seat(rnd)
    round_id = rnd.id

    def job() -> int:
        return len(assignments.auto_assign(db.session.get(JudgingRound, round_id),
                                       s.organizer.id).created)

    outcomes = together(app, job, job, hold=True)
    assert sorted(outcomes) == [0, 8]
    assert Counter(a.entry_id for a in db.session.execute(select(Assignment)).scalars()) == \
        {e.id: 2 for e in entries}


@pytest.mark.postgres_only
def test_a_sheet_submitted_from_two_tabs_at_once_is_saved_once(app, s):
    judge = s.judge()
    entry = s.entry()
    rnd = s.round(judges_per_entry=1)
    s.seat(rnd)
    assignments.auto_assign(rnd, s.organizer.id)
    s.open(rnd)
    assignment_id = s.assignment(rnd, entry, judge).id
    points = points_for(rnd, 8)

    def job():  # noqa: ANN202
        return sheets.save_sheet(db.session.get(Assignment, assignment_id), points, "", "",
                                  True, db.session.get(User, judge.id), now()).id

    outcomes = together(app, job, job, hold=True, returns=(Refused,))
    refused = [o for o in outcomes if isinstance(o, Refused)]
    assert len(refused) == 1 and refused[0].code == "sheet_submitted"
    assert count(ScoreSheet) == 1
    assert len(events("judging.sheet.submit")) == 1
