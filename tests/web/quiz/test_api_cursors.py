"""Leaderboard cursors are opaque: no account id, nothing that links an entrant across rounds.

The attack: page deep into a leaderboard of entrants tied on every key (so the cursor must tell
them apart) and read the account ids, or compare the cursors of two rounds to follow a masked
entrant from one to the other; or forge cursors with chosen ids to probe the order.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from contest.extensions import db
from contest.quiz import board, leaderboard
from contest.quiz.models import RoundStatus
from contest.timeutil import utcnow
from tests.web.quiz.resultkit import (  # noqa: F401
    add_result,
    finalise,
    fresh_request_globals,
    make_entrant,
    make_round,
)

ENTRANTS = 8  # with per_page=1, pages 6.. are reached by cursor only


@pytest.fixture
def two_rounds(app):
    """The same eight entrants, tied on every key, in a running round and a published one."""
    users = [make_entrant(f"Vi Thị {c} Hằng") for c in "ABCDEFGH"]
    live_a = make_round("running", title="Tuần 4")
    live_b = make_round("running", title="Tuần 5")
    when = utcnow() - timedelta(hours=2)
    for rnd in (live_a, live_b):
        for user in users:
            add_result(rnd, user, 7, time_ms=90_000, submitted_at=when)
    final = make_round("closed", title="Tuần 3")
    for user in users:
        add_result(final, user, 9, time_ms=80_000, submitted_at=final.opens_at + timedelta(hours=1),
                   prediction=3)
    finalise(final)
    final.status = RoundStatus.PUBLISHED
    final.published_at = utcnow()
    db.session.commit()
    return users, live_a, live_b, final


def cursor_of(link: str | None) -> str | None:
    if not link:
        return None
    query = parse_qs(urlsplit(link).query)
    return (query.get("after") or query.get("before") or [None])[0]


def walk(client, round_id: int) -> tuple[list[str], list[str]]:
    """Every name in order, following `next`, then back along `prev`; and every cursor seen."""
    names, cursors = [], []
    url = f"/api/rounds/{round_id}/leaderboard?per_page=1"
    last = None
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        data = response.get_json()
        names += [e["name"] for e in data["entries"]]
        for link in (data["next"], data["prev"]):
            if cursor_of(link):
                cursors.append(cursor_of(link))
        last, url = data, data["next"]
    back = []
    url = last["prev"]
    while url:
        data = client.get(url).get_json()
        back += [e["name"] for e in data["entries"]]
        url = data["prev"]
    assert back == list(reversed(names[:-1])), "paging back retraces the same order"
    return names, cursors


def plain_cursors(round_id: int) -> set[str]:
    """The cursors the ranking code makes for each row, before the public layer seals them."""
    page = leaderboard.live_page(round_id, per_page=ENTRANTS)
    return {row.cursor for row in page.rows}


def test_cursors_page_through_ties_and_reveal_no_account_id(client, two_rounds):
    users, live_a, _, final = two_rounds
    for rnd in (live_a, final):
        names, cursors = walk(client, rnd.id)
        assert len(names) == ENTRANTS and len(set(names)) == ENTRANTS
        assert cursors, "the deep pages are reached by cursor"
        for token in cursors:
            assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
            with pytest.raises(ValueError):
                board.LiveKey.decode(token)
            with pytest.raises(ValueError):
                board.FinalCursor.decode(token)
    plain = plain_cursors(live_a.id)
    assert {f"_{u.id}" for u in users} <= {p[p.rindex("_"):] for p in plain}, \
        "the plain cursors do carry account ids"
    _, sealed_a = walk(client, live_a.id)
    assert not any(p in token for p in plain for token in sealed_a)


def test_the_same_entrant_gets_unrelated_cursors_in_two_rounds(client, two_rounds):
    _, live_a, live_b, _ = two_rounds
    assert plain_cursors(live_a.id) == plain_cursors(live_b.id), \
        "same entrants, same keys: unsealed cursors would be identical"
    _, cursors_a = walk(client, live_a.id)
    _, cursors_b = walk(client, live_b.id)
    assert set(cursors_a).isdisjoint(cursors_b)
    # A cursor carried to the other round does not open there.
    for token in cursors_a:
        response = client.get(f"/api/rounds/{live_b.id}/leaderboard?after={token}")
        assert response.status_code == 400 and response.get_json()["status"] == 400


def test_live_cursor_does_not_open_on_the_final_board(client, two_rounds):
    _, live_a, _, final = two_rounds
    _, cursors = walk(client, live_a.id)
    response = client.get(f"/api/rounds/{final.id}/leaderboard?after={cursors[0]}")
    assert response.status_code == 400


def test_tampered_and_forged_cursors_answer_400(client, two_rounds):
    users, live_a, _, final = two_rounds
    _, cursors = walk(client, live_a.id)
    token = cursors[0]
    flipped = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    forged = [
        flipped,
        token[:-3],
        token + "AA",
        token[::-1],
        "",  # empty: treated as no cursor
        f"7.0_90000_0_{users[0].id}",  # the old plain format with a chosen account id
        f"1_{users[0].id}",
        "x" * 500,
        "%%%",
    ]
    for bad in forged:
        for rnd in (live_a, final):
            for name in ("after", "before"):
                response = client.get(f"/api/rounds/{rnd.id}/leaderboard?{name}={bad}")
                expected = 200 if bad == "" else 400
                assert response.status_code == expected, (bad, name)
                board = "results" if rnd is final else "leaderboard"
                page = client.get(f"/rounds/{rnd.id}/{board}?{name}={bad}")
                assert page.status_code == expected, (bad, name)
