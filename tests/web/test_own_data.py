"""The own-data download gathers what the quizzes and writing contests hold about the person."""

# ruff: noqa: F811 - fixtures imported from the kits are parameters of the tests

from __future__ import annotations

import json

from werkzeug.datastructures import MultiDict

from tests.web.quiz.quizkit import bank, make_round, paper_form  # noqa: F401
from tests.web.writing.entrykit import contest, people, submitted_entry  # noqa: F401


def test_export_includes_attempts_results_and_entries(app, client, make_user, bank, contest,
                                                      people, clock):
    from tests.conftest import login

    entrant = make_user()
    login(client, entrant)
    rnd = make_round(bank)
    start = client.post(f"/quiz/rounds/{rnd.id}/start")
    assert start.status_code == 302
    attempt_url = start.headers["Location"]
    submit = client.post(attempt_url.rstrip("/") + "/submit",
                         data=MultiDict(paper_form({}, prediction="3")))
    assert submit.status_code in (302, 303)

    data = json.loads(client.get("/account/export").get_data(as_text=True))
    assert data["quiz_attempts"][0]["round"] == rnd.title
    assert data["quiz_attempts"][0]["status"] == "submitted"
    assert data["quiz_results"][0]["max_score"] == 8

    entry = submitted_entry(people.author, contest)
    journalist_data = json.loads(people.author.get("/account/export").get_data(as_text=True))
    (exported,) = journalist_data["writing_entries"]
    assert exported["title"] == entry.title
    assert exported["role"] == "author"
    assert exported["receipt_code"] == entry.receipt_code
