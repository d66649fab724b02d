"""The statements one entrant's quiz flow sends to the database, counted the way the load
benchmark counts them (the ``X-SQL-Statements`` header of ``SQL_COUNT_HEADER``): the budget of
each step, so that a change that adds a query to the busiest path is noticed here."""
# ruff: noqa: F811 - the fixtures imported from quizkit are parameters of the tests

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from tests.web.quiz.quizkit import (  # noqa: F401
    attempt_of,
    bank,
    key_positions,
    locale_per_request,
    make_round,
    paper_form,
)

# Statements per step once the process has seen the round's questions drawn and used (from the
# third attempt of a round that draws the whole bank): reading the sign-in record with the
# account and its roles is one of them.
BUDGET = {"round page": 4, "start": 7, "attempt page": 2, "json save": 3, "submit": 5,
          "result page": 5}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "SQL_COUNT_HEADER": True}


def statements(response) -> int:
    return int(response.headers["X-SQL-Statements"])


def one_flow(client, rnd) -> dict[str, list[int]]:
    counts: dict[str, list[int]] = {}

    def note(step: str, response, status: int) -> None:
        assert response.status_code == status, (step, response.status_code)
        counts.setdefault(step, []).append(statements(response))

    note("round page", client.get(f"/quiz/rounds/{rnd.id}"), 200)
    started = client.post(f"/quiz/rounds/{rnd.id}/start")
    note("start", started, 302)
    att = attempt_of(client.user.id)
    assert started.headers["Location"].endswith(f"/quiz/attempts/{att.id}")
    note("attempt page", client.get(f"/quiz/attempts/{att.id}"), 200)
    key = key_positions(att)
    for qid in list(key)[:3]:
        saved = client.post(f"/quiz/attempts/{att.id}/answers",
                            json={"question": qid, "choices": key[qid]})
        note("json save", saved, 200)
        assert saved.get_json()["ok"] is True
    submitted = client.post(f"/quiz/attempts/{att.id}/submit",
                            data=MultiDict(paper_form(key, prediction="12")))
    note("submit", submitted, 302)
    assert submitted.headers["Location"].endswith(f"/quiz/attempts/{att.id}/result")
    note("result page", client.get(f"/quiz/attempts/{att.id}/result"), 200)
    assert attempt_of(client.user.id).status == "submitted"
    return counts


def test_each_step_of_the_flow_stays_within_its_statement_budget(login_as, bank, clock):
    rnd = make_round(bank, attempts_allowed=5,
                     quotas={bank.law.id: 12, bank.election.id: 8})  # all 20 questions
    entrant = login_as(locale="en")
    first = one_flow(entrant, rnd)
    # The first attempt marks the questions used and creates the result; saving is the same.
    assert max(first["json save"]) <= BUDGET["json save"]
    assert max(first["submit"]) <= BUDGET["submit"]
    one_flow(entrant, rnd)  # this process learns the questions are used
    later = one_flow(entrant, rnd)
    for step, budget in BUDGET.items():
        assert max(later[step]) <= budget, (step, later[step], budget)


def test_the_count_is_off_unless_asked_for(app_config, bank, login_as):
    from contest import create_app

    plain = create_app({**app_config, "SQL_COUNT_HEADER": False})
    assert "X-SQL-Statements" not in plain.test_client().get("/quiz/").headers
