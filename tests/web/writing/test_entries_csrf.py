"""The entry form reads its body only after setting the upload limit, so it checks the CSRF
token itself: a form without a valid token is refused and nothing is stored."""
# ruff: noqa: F811 - the fixtures imported from entrykit are parameters of the tests

from __future__ import annotations

import pytest

from contest.accounts.models import Role
from contest.writing.models import Entry
from tests.web.writing.entrykit import (  # noqa: F401
    AUTHOR_EMAIL,
    PASSWORD,
    category,
    contest,
    count,
    entry_form,
    pdf_bytes,
    post_form,
    verified,
)


@pytest.fixture
def app_config(app_config: dict) -> dict:
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def token_in(html: str) -> str:
    import re

    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def test_the_entry_form_needs_its_csrf_token(app, make_user, contest, clock):
    make_user(Role.JOURNALIST, **verified(email=AUTHOR_EMAIL))
    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"identifier": AUTHOR_EMAIL, "password": PASSWORD,
                                           "csrf_token": token_in(login_page)})
    assert response.status_code == 302

    url = f"/writing/contests/{contest.id}/entries/new"
    form = entry_form(category(contest, "print"))
    forged = post_form(client, url, form, [(pdf_bytes(), "bai.pdf")])
    assert forged.status_code == 400
    assert count(Entry) == 0

    token = token_in(client.get(url).get_data(as_text=True))
    genuine = post_form(client, url, {**form, "csrf_token": token}, [(pdf_bytes(), "bai.pdf")])
    assert genuine.status_code == 302
    assert count(Entry) == 1
