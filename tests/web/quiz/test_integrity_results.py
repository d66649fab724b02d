"""Issue 10, quiz points 3, 4 and 6: exclusions and the perfect count, tie decisions within the
places, and re-ranking that says what it drops."""
# ruff: noqa: F811 - the fixtures imported from resultkit are parameters of the tests

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from contest.audit import AuditEvent
from contest.extensions import db
from contest.quiz import board
from contest.quiz.models import Round, RoundStatus
from tests.web.quiz.resultkit import (  # noqa: F401
    add_result,
    finalise,
    fresh_request_globals,
    make_entrant,
    make_round,
    prizes,
    ranks,
)


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(response.get_data(as_text=True)))
                    .split())


@pytest.fixture
def organizer(login_as):
    return login_as("organizer", locale="en")


def _status(rnd: Round) -> str:
    db.session.expire_all()
    return db.session.get(Round, rnd.id).status


# ------------------------------------------------------------------------------ point 3


@pytest.fixture
def cheated(app):
    """Four perfect entrants, two of them accounts of one person; predictions around C."""
    rnd = make_round("closed", tiers=[["first", 1], ["second", 1]])
    people = {}
    for key, score, prediction in [("lan", 10, 3), ("minh", 10, 4), ("sock", 10, 4),
                                   ("nga", 9, 4)]:
        people[key] = make_entrant(f"Lê Thị {key.title()}")
        add_result(rnd, people[key], score, prediction=prediction, time_ms=60_000)
    finalise(rnd)
    return rnd, people


def test_the_published_rule_says_excluded_entrants_are_not_in_c(login_as, cheated):
    rnd, _ = cheated
    vi = login_as().get(f"/api/rounds/{rnd.id}").get_json()["ranking_rule"]["text"]
    assert "không được tính vào số người trả lời đúng tất cả các câu" in vi
    api = login_as(locale="en").get(f"/api/rounds/{rnd.id}").get_json()["ranking_rule"]
    assert api["perfect_count_includes_excluded"] is False
    assert "neither ranked nor counted among those who answered every question right" in \
        api["text"]
    rnd.status = RoundStatus.PUBLISHED
    db.session.commit()
    public = text(login_as(locale="en").get(f"/rounds/{rnd.id}/results"))
    assert "neither ranked nor counted among those who answered every question right" in public


def test_an_exclusion_shows_c_and_the_prizes_that_change_hands_before_it_is_done(
        organizer, cheated):
    rnd, p = cheated
    # C = 3: lan predicted 3 (off by 0) is first; minh and sock (4, off by 1) tie for second.
    assert prizes(rnd) == {p["lan"].id: "first", p["minh"].id: board.PRIZE_UNDECIDED,
                           p["sock"].id: board.PRIZE_UNDECIDED, p["nga"].id: None}
    confirm = organizer.get(f"/organizer/results/{rnd.id}/exclude?user_id={p['sock'].id}")
    assert confirm.status_code == 200
    page = text(confirm)
    assert "Exclude Lê Thị Sock?" in page
    assert "Every answer right (C) 3 → 2" in page
    # Without sock, C = 2: lan (off by 1) stays first, minh (off by 2) alone is second.
    assert "Lê Thị Lan" not in page.split("Prizes that change hands")[1]
    assert "Lê Thị Minh tie to decide Second prize" in page
    assert "Lê Thị Sock tie to decide No prize" in page
    # The page changed nothing.
    assert prizes(rnd)[p["sock"].id] == board.PRIZE_UNDECIDED
    assert db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "results.exclude")).first() is None

    unconfirmed = organizer.post(f"/organizer/results/{rnd.id}/exclude",
                                 data={"user_id": p["sock"].id, "reason": "Hai tài khoản"})
    assert unconfirmed.status_code == 302
    assert f"user_id={p['sock'].id}" in unconfirmed.headers["Location"]
    assert ranks(rnd)[p["sock"].id][0] is not None

    done = organizer.post(f"/organizer/results/{rnd.id}/exclude",
                          data={"user_id": p["sock"].id, "reason": "Hai tài khoản",
                                "confirm": "yes"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Round, rnd.id).perfect_count == 2
    assert prizes(rnd)[p["minh"].id] == "second"
    event = db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "results.exclude")).scalar_one()
    assert event.reason == "Hai tài khoản"
    assert event.details["perfect_before"] == 3 and event.details["perfect_after"] == 2


def test_reinstatement_asks_for_a_reason(organizer, cheated):
    rnd, p = cheated
    organizer.post(f"/organizer/results/{rnd.id}/exclude",
                   data={"user_id": p["sock"].id, "reason": "Hai tài khoản", "confirm": "yes"})
    page = text(organizer.get(f"/organizer/results/{rnd.id}/reinstate?user_id={p['sock'].id}"))
    assert "Reinstate Lê Thị Sock?" in page and "Every answer right (C) 2 → 3" in page
    refused = organizer.post(f"/organizer/results/{rnd.id}/reinstate",
                             data={"user_id": p["sock"].id, "confirm": "yes"})
    assert "Give the reason for the reinstatement" in text(
        organizer.get(refused.headers["Location"]))
    assert ranks(rnd)[p["sock"].id] == (None, False)
    organizer.post(f"/organizer/results/{rnd.id}/reinstate",
                   data={"user_id": p["sock"].id, "confirm": "yes",
                         "reason": "Xác minh là hai người khác nhau"})
    assert ranks(rnd)[p["sock"].id][0] is not None
    event = db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "results.reinstate")).scalar_one()
    assert event.reason == "Xác minh là hai người khác nhau"


# ------------------------------------------------------------------------------ point 4


@pytest.fixture
def three_way(app):
    """Three entrants equal on every key at rank 1; first prize has one place, second two."""
    rnd = make_round("closed", tiers=[["first", 1], ["second", 2]])
    people = [make_entrant(f"Hà Văn {c}") for c in "ABCD"]
    for user in people[:3]:
        add_result(rnd, user, 10, prediction=3, time_ms=60_000)
    add_result(rnd, people[3], 8, prediction=3, time_ms=60_000)
    finalise(rnd)
    return rnd, people


def _give_all(organizer, rnd, people, tier="first"):
    return organizer.post(f"/organizer/results/{rnd.id}/ties/1",
                          data={"member": [u.id for u in people[:3]], "give_all": tier})


def test_a_tie_decision_cannot_overfill_a_tier_and_publication_waits(organizer, three_way):
    rnd, people = three_way
    refused = _give_all(organizer, rnd, people)
    assert "would have 3 winners for 1 places" in text(organizer.get(refused.headers["Location"]))
    assert {prizes(rnd)[u.id] for u in people[:3]} == {board.PRIZE_UNDECIDED}
    organizer.post(f"/organizer/results/{rnd.id}/publish", data={"confirm": "yes"})
    assert _status(rnd) != RoundStatus.PUBLISHED


def test_places_added_with_a_reason_let_the_tie_share_the_prize_and_are_published(
        organizer, three_way, login_as):
    rnd, people = three_way
    no_reason = organizer.post(f"/organizer/results/{rnd.id}/places",
                               data={"tier": "first", "places": "2", "reason": " "})
    assert "Give the reason for adding places" in text(
        organizer.get(no_reason.headers["Location"]))
    organizer.post(f"/organizer/results/{rnd.id}/places",
                   data={"tier": "first", "places": "2",
                         "reason": "Ba người bằng nhau mọi tiêu chí"})
    _give_all(organizer, rnd, people)
    assert [prizes(rnd)[u.id] for u in people] == ["first", "first", "first", None]
    page = text(organizer.get(f"/organizer/results/{rnd.id}"))
    assert "1 places + 2 added" in page
    organizer.post(f"/organizer/results/{rnd.id}/publish", data={"confirm": "yes"})
    assert _status(rnd) == RoundStatus.PUBLISHED
    event = db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "results.add_places")).scalar_one()
    assert event.details["places_after"] == 3 and event.reason.startswith("Ba người")
    public = text(login_as(locale="en").get(f"/rounds/{rnd.id}/results"))
    assert "2 places added by the organizers: Ba người bằng nhau mọi tiêu chí" in public
    api = login_as(locale="en").get(f"/api/rounds/{rnd.id}/results").get_json()
    assert api["added_places"] == [{"tier": "first", "label": "First prize", "places": 2,
                                    "reason": "Ba người bằng nhau mọi tiêu chí"}]


def test_an_overfilled_tier_blocks_publication_however_it_came_about(organizer, three_way):
    rnd, people = three_way
    organizer.post(f"/organizer/results/{rnd.id}/ties/1", data={
        "member": [u.id for u in people[:3]], f"prize_{people[0].id}": "first",
        f"prize_{people[1].id}": "second", f"prize_{people[2].id}": "second"})
    assert prizes(rnd)[people[0].id] == "first"
    # Data from before the places rule: a tier holding more than its places.
    db.session.execute(db.update(board.Result).where(board.Result.user_id == people[3].id)
                       .values(prize="first"))
    db.session.commit()
    page = text(organizer.get(f"/organizer/results/{rnd.id}"))
    assert "First prize has 2 winners for 1 places." in page
    refused = organizer.post(f"/organizer/results/{rnd.id}/publish", data={"confirm": "yes"})
    assert "would have 2 winners for 1 places" in text(
        organizer.get(refused.headers["Location"]))
    assert _status(rnd) != RoundStatus.PUBLISHED


# ------------------------------------------------------------------------------ point 6


def test_rank_again_lists_what_it_drops_and_asks_first(organizer, three_way, login_as):
    rnd, people = three_way
    organizer.post(f"/organizer/results/{rnd.id}/ties/1", data={
        "member": [u.id for u in people[:3]], f"prize_{people[0].id}": "first",
        f"prize_{people[1].id}": "second", f"prize_{people[2].id}": "second",
        "note": "bốc thăm"})
    organizer.post(f"/organizer/results/{rnd.id}/exclude",
                   data={"user_id": people[3].id, "reason": "Sai ngày sinh", "confirm": "yes"})
    organizer.post(f"/organizer/results/{rnd.id}/ties/1", data={
        "member": [u.id for u in people[:3]], f"prize_{people[0].id}": "first",
        f"prize_{people[1].id}": "second", f"prize_{people[2].id}": "second"})
    assert prizes(rnd)[people[1].id] == "second"

    page = text(organizer.get(f"/organizer/results/{rnd.id}/finalise"))
    assert "Tie decisions that will be dropped" in page
    assert "Tie at rank 1: Hà Văn A (First prize), Hà Văn B (Second prize), " \
           "Hà Văn C (Second prize)" in page
    assert "Exclusion of Hà Văn D: Sai ngày sinh" in page

    unconfirmed = organizer.post(f"/organizer/results/{rnd.id}/finalise", data={})
    assert unconfirmed.headers["Location"].endswith(f"/organizer/results/{rnd.id}/finalise")
    assert prizes(rnd)[people[1].id] == "second"

    organizer.post(f"/organizer/results/{rnd.id}/finalise", data={"confirm": "yes"})
    assert prizes(rnd)[people[1].id] == board.PRIZE_UNDECIDED
    assert ranks(rnd)[people[3].id] == (None, False)  # the exclusion is kept
