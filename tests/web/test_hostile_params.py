"""No request parameter, however hostile, makes the app fail with a 500.

Every route of the URL map is requested with hostile values in its path, query string and form:
non-ASCII digits (``²``, ``١``), exponents, signs, huge numbers, empty strings, control
characters, very long text. A person who types or crafts such a value gets a clear answer (400,
404, a form with a message, or the value ignored), never a server error. The database holds the
demo content so that the ids in paths reach real objects.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contest.accounts.models import Role

HOSTILE = ["²", "١", "١٢", "1e9", "-0", "-1", "+1", "0x10", "1.5", "", " ", "9" * 40,
           str(2**63), str(-(2**63) - 1), "NaN", "inf", "\x00", "null", "[]", "%", "'", "<b>",
           "ab", "1,5", "𝟙", "⁵", "٣", "三"]

PARAMS = ["page", "per_page", "after", "before", "q", "order", "status", "topic", "category",
          "round", "round_id", "contest", "unit", "unit_id", "user_id", "entry_id", "entry",
          "from_rank", "me", "lang", "next", "to", "action", "confirm", "note", "reason",
          "attempt", "member", "clean", "early", "give_all", "more_rows", "prediction",
          "points", "weight", "kind", "tier", "judge", "panel", "k", "places"]

values = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12),
                   st.integers(min_value=-(2**70), max_value=2**70).map(str))
queries = st.dictionaries(st.sampled_from(PARAMS), values, max_size=4)


def _fill(rule, value: str) -> str | None:
    """The rule's URL with every argument set (ids of demo objects, hostile text elsewhere)."""
    args = {}
    for name in rule.arguments:
        if rule.defaults and name in rule.defaults:
            continue
        converter = rule._converters[name]
        kind = type(converter).__name__
        if kind in ("IntegerConverter", "NumberConverter"):
            args[name] = 1
        elif kind == "AnyConverter":
            args[name] = sorted(converter.items)[0] if hasattr(converter, "items") else value
        else:
            args[name] = value or "x"
    try:
        return rule.build(args, append_unknown=False)[1]
    except Exception:  # noqa: BLE001 - a value the rule cannot hold is not a request to make
        return None


@pytest.fixture
def demo(app):
    from contest.demo import load_demo

    load_demo(lambda _line: None)
    return app


@pytest.fixture
def clients(demo, login_as):
    return {"anonymous": demo.test_client(), "entrant": login_as(),
            "organizer": login_as(Role.ORGANIZER), "admin": login_as(Role.ADMIN)}


def _routes(app):
    return sorted((r for r in app.url_map.iter_rules() if r.endpoint != "static"),
                  key=lambda r: (r.rule, sorted(r.methods)))


@pytest.mark.parametrize("who", ["anonymous", "entrant", "organizer", "admin"])
def test_no_hostile_parameter_makes_a_server_error(demo, clients, who):
    client = clients[who]
    routes = _routes(demo)
    failures: list[str] = []

    @settings(max_examples=250, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(routes), st.sampled_from(HOSTILE), queries, st.booleans())
    def check(rule, path_value, query, post):
        url = _fill(rule, path_value)
        if url is None:
            return
        method = "POST" if post and "POST" in rule.methods else "GET"
        if method == "GET" and "GET" not in rule.methods:
            return
        if method == "POST":
            response = client.post(url, data=query)
        else:
            response = client.get(url, query_string=query)
        if response.status_code >= 500:
            failures.append(f"{method} {url} {query!r} -> {response.status_code}")

    check()
    assert not failures, "\n".join(sorted(set(failures))[:40])


@pytest.mark.parametrize("value", HOSTILE)
def test_every_numeric_query_parameter_survives(demo, clients, value):
    """Each route with every known parameter set to one hostile value, as an organizer."""
    client = clients["organizer"]
    failures = []
    for rule in _routes(demo):
        url = _fill(rule, "1")
        if url is None or "GET" not in rule.methods:
            continue
        response = client.get(url, query_string={name: value for name in PARAMS})
        if response.status_code >= 500:
            failures.append(f"GET {url} -> {response.status_code}")
    assert not failures, "\n".join(failures)


def test_nul_character_is_refused_before_any_query(client):
    """PostgreSQL text cannot hold NUL: a crafted link or form with one is a 400, on every
    database."""
    assert client.get("/organizer/quiz/bank?q=%00").status_code in (400, 302)
    answer = client.get("/news?q=a%00b")
    assert answer.status_code == 400
    assert client.post("/login", data={"identifier": "a\x00b", "password": "x"}).status_code == 400
    assert client.get("/login").status_code == 200
