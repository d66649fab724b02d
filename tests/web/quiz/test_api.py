"""The public JSON API: rounds, round detail, leaderboard, results and units."""

from __future__ import annotations

import json
from datetime import date

import pytest

from contest.extensions import db
from contest.quiz import publication
from contest.timeutil import utcnow
from tests.web.quiz.resultkit import (  # noqa: F401
    add_result,
    finalise,
    fresh_request_globals,
    make_entrant,
    make_round,
    make_unit,
)

BIRTH = date(1988, 2, 29)


def assert_private_data_absent(body: str, *users) -> None:
    for user in users:
        assert user.full_name not in body
        assert user.phone not in body and ("0" + user.phone[3:]) not in body
        if user.email:
            assert user.email not in body
        assert "1988-02-29" not in body and "29/02/1988" not in body
        assert f'"id": {user.id},' not in body and f'"user_id": {user.id}' not in body
    for key in ('"phone"', '"email"', '"birth_date"', '"citizen_id"', '"user_id"',
                '"full_name"'):
        assert key not in body


@pytest.fixture
def field(app):
    unit = make_unit("MX", "Xã Mường Xén", size=8)
    live = make_round("running", title="Tuần 3")
    users = [make_entrant(f"Quách Thị {c} Hoa", unit=unit, email=f"q{c}@example.org",
                          birth_date=BIRTH) for c in "ABCDE"]
    for i, user in enumerate(users):
        add_result(live, user, 10 - (i // 2), time_ms=60_000 + 1000 * (i % 2))
    return live, users


def get(client, url):  # noqa: ANN001, ANN202
    response = client.get(url)
    return response, response.get_json()


def test_rounds_list(client, field):
    live, _ = field
    make_round("draft", title="Nháp")
    published = make_round("published", title="Tuần 1")
    response, data = get(client, "/api/rounds")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    titles = {r["title"]: r for r in data["rounds"]}
    assert set(titles) == {"Tuần 3", "Tuần 1"}
    assert titles["Tuần 3"]["status"] == "running"
    assert titles["Tuần 1"]["status"] == "published"
    assert titles["Tuần 3"]["closes_at"].endswith("Z")
    assert titles["Tuần 1"]["api_url"].endswith(f"/api/rounds/{published.id}")


def test_round_detail(client, field):
    live, _ = field
    response, data = get(client, f"/api/rounds/{live.id}")
    assert response.status_code == 200
    assert data["status"] == "running" and data["counts"] == {"entrants": 5}
    assert data["time_limit_seconds"] == 1200 and data["attempts_allowed"] == 1
    first = data["prize_tiers"][0]
    assert first["tier"] == "first" and first["places"] == 1 and first["label"]
    assert data["ranking_rule"]["keys"][1].startswith("prediction_distance")
    assert data["perfect_count"] is None
    assert data["prediction_question"]
    assert client.get(f"/api/rounds/{make_round('draft').id}").status_code == 404
    missing = client.get("/api/rounds/999999")
    assert missing.status_code == 404 and missing.get_json()["status"] == 404


def test_live_leaderboard(client, field):
    live, users = field
    response, data = get(client, f"/api/rounds/{live.id}/leaderboard?per_page=2")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=30"
    assert data["kind"] == "live" and data["total"] == 5 and data["page"] == 1
    assert [e["name"] for e in data["entries"]] == ["Quách T. A. H.", "Quách T. B. H."]
    assert data["entries"][0] == {"rank": 1, "tied": False, "name": "Quách T. A. H.",
                                  "unit": "Xã Mường Xén", "score": 10.0, "max_score": 10.0,
                                  "time_ms": 60000}
    assert data["prev"] is None and "page=2" in data["next"] and "per_page=2" in data["next"]
    names = []
    url = f"/api/rounds/{live.id}/leaderboard?per_page=2"
    while url:
        body = client.get(url).get_data(as_text=True)
        assert_private_data_absent(body, *users)
        page = json.loads(body)
        names += [e["name"] for e in page["entries"]]
        url = page["next"]
    assert len(names) == 5


def test_a_request_with_cookies_is_cached_privately(client, field):
    live, _ = field
    client.set_cookie("session", "abc")
    response = client.get(f"/api/rounds/{live.id}/leaderboard")
    assert response.headers["Cache-Control"] == "private, max-age=30"


def test_bad_cursor_is_a_json_400(client, field):
    live, _ = field
    response = client.get(f"/api/rounds/{live.id}/leaderboard?after=1_2")
    assert response.status_code == 400 and response.get_json()["status"] == 400


def test_closed_round_results_are_not_available_until_published(client, app):
    rnd = make_round("closed")
    users = [make_entrant(f"Lục Văn {c}", birth_date=BIRTH) for c in "AB"]
    for i, user in enumerate(users):
        add_result(rnd, user, 10 - i, prediction=1)
    for path in ("leaderboard", "results"):
        response, data = get(client, f"/api/rounds/{rnd.id}/{path}")
        assert response.status_code == 404 and data["error"] == "not_available"
    upcoming = make_round("upcoming")
    response, data = get(client, f"/api/rounds/{upcoming.id}/leaderboard")
    assert response.status_code == 404


def test_published_results_and_final_leaderboard(client, app):
    rnd = make_round("closed", tiers=[["first", 1], ["second", 2]])
    users = [make_entrant(f"Mạc Thị {c}", email=f"m{c}@example.org", birth_date=BIRTH)
             for c in "ABCD"]
    add_result(rnd, users[0], 10, prediction=1)
    add_result(rnd, users[1], 9, prediction=5)
    add_result(rnd, users[2], 9, prediction=1)
    add_result(rnd, users[3], 7, prediction=None, excluded=True, reason="Trùng số điện thoại")
    finalise(rnd)
    publication.publish(rnd.id, None, utcnow())
    db.session.commit()
    response, data = get(client, f"/api/rounds/{rnd.id}/results")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert data["perfect_count"] == 1 and data["entrants"] == 3
    assert data["ranking_rule"]["keys"] == ["score desc",
                                            "prediction_distance asc (missing last)",
                                            "time_ms asc", "submitted_at asc"]
    assert "1" in data["ranking_rule"]["text"]
    prizes = {p["tier"]: [w["name"] for w in p["winners"]] for p in data["prizes"]}
    assert prizes == {"first": ["Mạc T. A."], "second": ["Mạc T. C.", "Mạc T. B."]}
    body = response.get_data(as_text=True)
    assert "Trùng số điện thoại" not in body and "Mạc T. D." not in body
    assert_private_data_absent(body, *users)

    response, data = get(client, f"/api/rounds/{rnd.id}/leaderboard")
    assert data["kind"] == "final" and data["perfect_count"] == 1
    assert [(e["rank"], e["name"], e["prediction_distance"], e["prize"])
            for e in data["entries"]] == [(1, "Mạc T. A.", 0, "first"),
                                          (2, "Mạc T. C.", 0, "second"),
                                          (3, "Mạc T. B.", 4, "second")]
    assert_private_data_absent(response.get_data(as_text=True), *users)
    detail = client.get(f"/api/rounds/{rnd.id}").get_json()
    assert detail["perfect_count"] == 1 and detail["counts"] == {"entrants": 3}


def test_units(client, field):
    live, _ = field
    add_result(live, make_entrant("Không Đơn Vị"), 3)
    response, data = get(client, f"/api/rounds/{live.id}/units")
    assert response.status_code == 200 and data["participants"] == 6
    assert data["units"][0] == {"code": "MX", "name": "Xã Mường Xén", "belongs_to": None,
                                "participants": 5, "size": 8, "rate_percent": 62.5}
    assert data["units"][1]["code"] is None and data["units"][1]["rate_percent"] is None
    assert client.get(f"/api/rounds/{live.id}/units?order=rate").get_json()["order"] == "rate"


def test_api_refuses_writes(client, field):
    live, _ = field
    assert client.post(f"/api/rounds/{live.id}/leaderboard").status_code == 405


def test_ties_are_shown_as_ties(client, app):
    rnd = make_round("running")
    for name in ("Tăng Văn A", "Tăng Văn B"):
        add_result(rnd, make_entrant(name), 9, time_ms=70_000,
                   submitted_at=rnd.opens_at.replace(microsecond=0))
    add_result(rnd, make_entrant("Tăng Văn C"), 8)
    entries = client.get(f"/api/rounds/{rnd.id}/leaderboard").get_json()["entries"]
    assert [(e["rank"], e["tied"]) for e in entries] == [(1, True), (1, True), (3, False)]
