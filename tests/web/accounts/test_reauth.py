"""Issue 9.2: sensitive changes need a password typed just now; a remember-me cookie is not it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from contest.accounts.models import Role
from contest.audit import AuditEvent
from contest.extensions import db
from tests.conftest import PASSWORD
from tests.web.accounts.accountkit import client_at, copy_cookies, fresh_user, sign_in, text


def remembered_only(app, user):
    """A browser holding nothing but the remember-me cookie (stolen, or the next morning)."""
    first = client_at(app)
    sign_in(first, user, PASSWORD, remember=True)
    c = client_at(app, address="198.51.100.9")
    copy_cookies(first, c, "remember_token")
    assert c.get("/account").status_code == 200
    return c


def asks_password(response) -> bool:
    return (response.status_code == 302
            and "/account/confirm" in response.headers["Location"])


def test_export_from_a_remember_cookie_asks_for_the_password(app, make_user):
    user = make_user()
    c = remembered_only(app, user)
    response = c.get("/account/export")
    assert asks_password(response)
    assert "next=/account/export" in response.headers["Location"]

    wrong = c.post("/account/confirm",
                   data={"password": "not it at all", "next": "/account/export"})
    assert wrong.status_code == 400
    assert c.get("/account/export").status_code == 302

    ok = c.post("/account/confirm", data={"password": PASSWORD, "next": "/account/export"})
    assert ok.status_code == 302 and ok.headers["Location"].endswith("/account/export")
    response = c.get("/account/export")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.get_json()["account"]["id"] == user.id


def test_password_login_is_fresh_then_goes_stale(app, make_user, clock):
    user = make_user()
    c = client_at(app)
    sign_in(c, user, PASSWORD)
    assert c.get("/account/export").status_code == 200
    clock.advance(seconds=app.config["REAUTH_MAX_AGE"] + 1)
    assert asks_password(c.get("/account/export"))


def test_freshness_lasts_the_configured_time(app, make_user, clock):
    app.config["REAUTH_MAX_AGE"] = 30
    user = make_user()
    c = client_at(app)
    sign_in(c, user, PASSWORD)
    clock.advance(seconds=29)
    assert c.get("/account/export").status_code == 200
    clock.advance(seconds=2)
    assert asks_password(c.get("/account/export"))


def test_email_change_from_a_remember_cookie_changes_nothing(app, make_user):
    user = make_user(email="lan@example.org")
    c = remembered_only(app, user)
    app.extensions.setdefault("outbox", []).clear()
    response = c.post("/account", data={"email": "thief@example.net", "gender": "male",
                                        "unit_id": "", "ethnicity": "", "outlet": "",
                                        "locale": "en"})
    assert asks_password(response)
    after = fresh_user(user.id)
    assert after.email == "lan@example.org"
    assert after.pending_email is None
    assert after.gender is None
    assert app.extensions["outbox"] == []


def test_other_profile_details_need_no_password(app, make_user):
    user = make_user(email="lan@example.org")
    c = remembered_only(app, user)
    response = c.post("/account", data={"email": "lan@example.org", "gender": "female",
                                        "unit_id": "", "ethnicity": "", "outlet": "",
                                        "locale": "en"})
    assert response.status_code == 302
    assert fresh_user(user.id).gender == "female"


def test_password_change_and_deletion_need_the_password_on_the_form(app, make_user):
    user = make_user()
    c = remembered_only(app, user)
    new = "mưa rào tháng sáu"
    response = c.post("/account/password", data={"current": "", "password": new, "confirm": new})
    assert response.status_code == 400
    response = c.post("/account/delete", data={"password": "", "confirm": "y"})
    assert response.status_code == 400
    assert fresh_user(user.id).erased_at is None


def organizer_client(app, make_user, remembered: bool):
    organizer = make_user(Role.ORGANIZER)
    if remembered:
        return remembered_only(app, organizer), organizer
    c = client_at(app)
    sign_in(c, organizer, PASSWORD)
    return c, organizer


@pytest.mark.parametrize("remembered", [True, False])
def test_role_grant_needs_a_fresh_password(app, make_user, remembered, clock):
    c, organizer = organizer_client(app, make_user, remembered)
    target = make_user()
    if not remembered:
        clock.advance(seconds=app.config["REAUTH_MAX_AGE"] + 5)
    response = c.post(f"/organizer/users/{target.id}/roles",
                      data={"role": "judge", "action": "grant", "reason": "jury"},
                      headers={"Referer": f"http://localhost/organizer/users/{target.id}"})
    assert asks_password(response)
    assert f"next=/organizer/users/{target.id}" in response.headers["Location"]
    assert "judge" not in fresh_user(target.id).roles

    c.post("/account/confirm", data={"password": PASSWORD})
    response = c.post(f"/organizer/users/{target.id}/roles",
                      data={"role": "judge", "action": "grant", "reason": "jury"})
    assert response.status_code == 302
    assert "judge" in fresh_user(target.id).roles


def test_reset_link_needs_a_fresh_password(app, make_user):
    c, organizer = organizer_client(app, make_user, remembered=True)
    target = make_user()
    data = {"checked": "y", "note": "Saw the citizen ID card"}
    response = c.post(f"/organizer/users/{target.id}/reset-link", data=data)
    assert asks_password(response)
    count = db.session.execute(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "password.reset_link")).scalar_one()
    assert count == 0

    c.post("/account/confirm", data={"password": PASSWORD})
    response = c.post(f"/organizer/users/{target.id}/reset-link", data=data)
    assert response.status_code == 200
    assert "/reset/organizer-reset/" in text(response)


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "javascript:x"])
def test_confirm_page_only_returns_to_this_site(app, make_user, target):
    user = make_user()
    c = client_at(app)
    sign_in(c, user, PASSWORD)
    response = c.post("/account/confirm", data={"password": PASSWORD, "next": target})
    assert response.headers["Location"].endswith("/account")
