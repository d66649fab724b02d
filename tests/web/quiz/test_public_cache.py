"""The short shared cache of the public leaderboards for anonymous readers."""
# ruff: noqa: F811 - the fixtures imported from resultkit are parameters of the tests

from __future__ import annotations

import re

import pytest

from contest.extensions import cache
from tests.web.quiz.resultkit import (  # noqa: F401
    add_result,
    fresh_request_globals,
    make_entrant,
    make_round,
    make_unit,
)


@pytest.fixture
def cached(app):
    """The in-process cache a default installation uses (the tests' settings turn it off)."""
    app.config["CACHE_TYPE"] = "SimpleCache"
    cache.init_app(app)


@pytest.fixture
def field(cached, app):
    unit = make_unit("MX", "Xã Mường Xén", size=8)
    live = make_round("running", title="Tuần 3")
    users = [make_entrant(f"Quách Thị {c} Hoa", unit=unit) for c in "ABC"]
    for i, user in enumerate(users):
        add_result(live, user, 10 - i, time_ms=60_000)
    cache.clear()
    return live, users


def max_age(response) -> int:
    return int(re.search(r"max-age=(\d+)", response.headers["Cache-Control"]).group(1))


@pytest.mark.parametrize("path", ["/api/rounds/{id}/leaderboard", "/rounds/{id}/leaderboard"])
def test_anonymous_readers_share_one_answer_within_its_max_age(field, client, path):
    live, users = field
    url = path.format(id=live.id)
    first = client.get(url)
    assert first.status_code == 200 and first.headers["X-Cache"] == "miss"
    assert "public" in first.headers["Cache-Control"] and max_age(first) >= 10
    assert first.headers.getlist("Set-Cookie") == []

    # A new result: the shared answer stays (at most its max-age), bodies identical.
    add_result(live, make_entrant("Lò Văn Mới", unit=users[0].unit), 10, time_ms=1000)
    second = client.get(url)
    assert second.headers["X-Cache"] == "hit"
    assert second.get_data() == first.get_data()
    assert second.headers["Cache-Control"] == first.headers["Cache-Control"]
    assert second.headers.getlist("Set-Cookie") == []

    # Another query string is another answer; a reader with cookies always gets a fresh one.
    assert client.get(url + "?page=1").headers["X-Cache"] == "miss"
    client.set_cookie("lang", "vi")
    fresh = client.get(url)
    assert "X-Cache" not in fresh.headers
    assert fresh.get_data() != first.get_data()

    # Once the entry expires, anonymous readers see the new result too.
    cache.clear()
    client.delete_cookie("lang")
    assert client.get(url).get_data() != first.get_data()


def test_the_cache_is_off_unless_configured(app, client):
    live = make_round("running", title="Tuần 4")
    response = client.get(f"/api/rounds/{live.id}/leaderboard")
    assert response.status_code == 200
    assert response.headers["X-Cache"] == "miss"
    assert client.get(f"/api/rounds/{live.id}/leaderboard").headers["X-Cache"] == "miss"


@pytest.mark.parametrize("path", ["/api/rounds/{id}/leaderboard", "/rounds/{id}/leaderboard"])
def test_a_kept_answer_is_sent_in_the_form_each_reader_accepts(field, client, path):
    import gzip

    import brotli

    live, _ = field
    url = path.format(id=live.id)
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert plain.headers["X-Cache"] == "miss" and "Content-Encoding" not in plain.headers
    body = plain.get_data()
    for accept, encoding, unpack in (("gzip, br", "br", brotli.decompress),
                                     ("gzip", "gzip", gzip.decompress),
                                     ("br;q=0, gzip", "gzip", gzip.decompress)):
        hit = client.get(url, headers={"Accept-Encoding": accept})
        assert hit.headers["X-Cache"] == "hit"
        assert hit.headers["Content-Encoding"] == encoding
        assert "Accept-Encoding" in hit.headers["Vary"]
        assert int(hit.headers["Content-Length"]) == len(hit.get_data()) < len(body)
        assert unpack(hit.get_data()) == body
    again = client.get(url, headers={"Accept-Encoding": "identity"})
    assert again.headers["X-Cache"] == "hit" and "Content-Encoding" not in again.headers
    assert again.get_data() == body
