"""Password reset by e-mail link, by SMS code, by an organizer's one-time link; session ends."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from contest.accounts.models import ResetCode, Role, User
from contest.audit import AuditEvent
from contest.extensions import db
from contest.timeutil import utcnow
from tests.conftest import PASSWORD, login

NEW_PASSWORD = "mưa rào tháng sáu"


@pytest.fixture
def en(client):
    client.set_cookie("lang", "en")
    return client


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def flashes(response) -> list[str]:
    return re.findall(r'<p class="alert alert-\w+">(.*?)</p>', text(response), re.S)


def field_error(response, name: str) -> str:
    match = re.search(rf'<p class="error" id="{name}-error">(.*?)</p>', text(response), re.S)
    return match.group(1).strip() if match else ""


def fresh(user_id: int) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


def can_log_in(app, identifier: str, password: str) -> bool:
    c = app.test_client()
    return c.post("/login", data={"identifier": identifier, "password": password}).status_code \
        == 302


def mail_links(app, path: str) -> list[str]:
    found = []
    for msg in app.extensions.get("outbox", []):
        found += re.findall(rf"http://localhost({re.escape(path)}\S+)", msg.get_content())
    return found


def sms_code(app) -> str:
    [message] = app.extensions["sms_outbox"]
    match = re.search(r"\b(\d{6})\b", message.text)
    assert match, message.text
    return match.group(1)


def new_password(**extra: str) -> dict[str, str]:
    return {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, **extra}


# --- by e-mail -------------------------------------------------------------------------------


def test_email_link_resets_once(en, app, make_user):
    user = make_user(email="hoa@example.org")
    response = en.post("/reset", data={"identifier": "HOA@example.org"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/reset/code"
    assert [m["To"] for m in app.extensions["outbox"]] == ["hoa@example.org"]
    assert app.extensions.get("sms_outbox", []) == []
    [link] = mail_links(app, "/reset/")

    assert en.get(link).status_code == 200
    response = en.post(link, data=new_password())
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert can_log_in(app, "hoa@example.org", NEW_PASSWORD)
    assert not can_log_in(app, "hoa@example.org", PASSWORD)
    # the link reached the mailbox, so the address is confirmed
    assert fresh(user.id).email_verified_at is not None

    again = en.post(link, data={"password": "another long one", "confirm": "another long one"})
    assert again.status_code == 400
    assert "This reset link has already been used." in text(again)
    assert en.get(link).status_code == 400
    assert can_log_in(app, "hoa@example.org", NEW_PASSWORD)


def test_account_with_email_found_by_phone_gets_the_link(client, app, make_user):
    make_user(phone="+84912345678", email="hoa@example.org")
    client.post("/reset", data={"identifier": "0912 345 678"})
    assert [m["To"] for m in app.extensions["outbox"]] == ["hoa@example.org"]
    assert app.extensions.get("sms_outbox", []) == []


def test_reset_link_refuses_a_weak_password(en, app, make_user):
    make_user(email="hoa@example.org")
    en.post("/reset", data={"identifier": "hoa@example.org"})
    [link] = mail_links(app, "/reset/")
    response = en.post(link, data={"password": "12345678", "confirm": "12345678"})
    assert response.status_code == 400
    assert "most used or leaked passwords" in field_error(response, "password")
    assert can_log_in(app, "hoa@example.org", PASSWORD)


def test_expired_reset_link_is_refused(en, app, make_user):
    make_user(email="hoa@example.org")
    en.post("/reset", data={"identifier": "hoa@example.org"})
    [link] = mail_links(app, "/reset/")
    app.config["RESET_TOKEN_MAX_AGE"] = -1
    response = en.post(link, data=new_password())
    assert response.status_code == 400
    assert "This reset link has expired." in text(response)
    assert can_log_in(app, "hoa@example.org", PASSWORD)


def test_tampered_reset_link_is_refused(en, app, make_user):
    make_user(email="hoa@example.org")
    en.post("/reset", data={"identifier": "hoa@example.org"})
    [link] = mail_links(app, "/reset/")
    response = en.post(link[:-4] + "AAAA", data=new_password())
    assert response.status_code == 400
    assert "This reset link is not valid." in text(response)
    # a user's own link cannot be replayed as an organizer link with a longer life
    response = en.post(link.replace("/reset-password/", "/organizer-reset/"), data=new_password())
    assert response.status_code == 400
    assert en.get(link.replace("/reset-password/", "/other/")).status_code == 404
    assert can_log_in(app, "hoa@example.org", PASSWORD)


# --- by SMS code -----------------------------------------------------------------------------


@pytest.fixture
def phone_only(make_user) -> User:
    return make_user(phone="+84912345678", email=None)


def test_sms_code_resets_a_phone_only_account(en, app, phone_only):
    response = en.post("/reset", data={"identifier": "0912.345.678"})
    assert response.status_code == 302
    assert app.extensions.get("outbox", []) == []
    [message] = app.extensions["sms_outbox"]
    assert message.phone == "+84912345678"
    code = sms_code(app)

    page = en.get("/reset/code")
    assert 'value="0912 345 678"' in text(page)  # the phone is filled in
    response = en.post("/reset/code", data=new_password(phone="0912 345 678", code=code))
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert can_log_in(app, "0912345678", NEW_PASSWORD)
    assert not can_log_in(app, "0912345678", PASSWORD)

    # the code is spent
    again = en.post("/reset/code", data={"phone": "0912345678", "code": code,
                                         "password": "yet another phrase",
                                         "confirm": "yet another phrase"})
    assert again.status_code == 400
    assert can_log_in(app, "0912345678", NEW_PASSWORD)


def test_wrong_codes_are_counted_and_lock_the_code(en, app, phone_only):
    app.config["SMS_CODE_MAX_TRIES"] = 3
    en.post("/reset", data={"identifier": "0912345678"})
    code = sms_code(app)
    wrong = "000000" if code != "000000" else "111111"
    for attempt in range(1, 4):
        response = en.post("/reset/code", data=new_password(phone="0912345678", code=wrong))
        assert response.status_code == 400
        assert "The code is wrong or has expired" in field_error(response, "code")
        db.session.expire_all()
        row = db.session.execute(select(ResetCode)).scalar_one()
        assert row.tries == attempt
    # locked: even the right code no longer works
    response = en.post("/reset/code", data=new_password(phone="0912345678", code=code))
    assert response.status_code == 400
    assert can_log_in(app, "0912345678", PASSWORD)
    assert not can_log_in(app, "0912345678", NEW_PASSWORD)


def test_a_new_code_replaces_the_old_one(en, app, phone_only):
    en.post("/reset", data={"identifier": "0912345678"})
    first = sms_code(app)
    app.extensions["sms_outbox"].clear()
    en.post("/reset", data={"identifier": "0912345678"})
    second = sms_code(app)
    if first != second:
        response = en.post("/reset/code", data=new_password(phone="0912345678", code=first))
        assert response.status_code == 400
    response = en.post("/reset/code", data=new_password(phone="0912345678", code=second))
    assert response.status_code == 302


def test_expired_code_is_refused(en, app, phone_only):
    en.post("/reset", data={"identifier": "0912345678"})
    code = sms_code(app)
    row = db.session.execute(select(ResetCode)).scalar_one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = en.post("/reset/code", data=new_password(phone="0912345678", code=code))
    assert response.status_code == 400
    assert "The code is wrong or has expired" in field_error(response, "code")
    assert can_log_in(app, "0912345678", PASSWORD)


def test_code_of_one_account_does_not_reset_another(en, app, phone_only, make_user):
    make_user(phone="+84987654321", email=None)
    en.post("/reset", data={"identifier": "0912345678"})
    code = sms_code(app)
    response = en.post("/reset/code", data=new_password(phone="0987654321", code=code))
    assert response.status_code == 400
    assert can_log_in(app, "0987654321", PASSWORD)


# --- nothing revealed about unknown identifiers ----------------------------------------------


def _reset_outcome(app, identifier: str) -> tuple[int, str, list[str]]:
    c = app.test_client()
    c.set_cookie("lang", "en")
    response = c.post("/reset", data={"identifier": identifier})
    followed = c.get(response.headers["Location"])
    return response.status_code, response.headers["Location"], flashes(followed)


@pytest.mark.parametrize(
    ("known", "unknown"),
    [("hoa@example.org", "nobody@example.org"), ("0912345678", "0987654321"),
     ("0912345678", "not a phone")],
)
def test_unknown_identifier_gets_the_same_answer(app, make_user, known, unknown):
    make_user(phone="+84912345678", email="hoa@example.org" if "@" in known else None)
    unknown_outcome = _reset_outcome(app, unknown)
    assert app.extensions.get("outbox", []) == []
    assert app.extensions.get("sms_outbox", []) == []
    assert db.session.execute(select(ResetCode)).first() is None

    known_outcome = _reset_outcome(app, known)
    assert known_outcome == unknown_outcome
    assert known_outcome[0] == 302
    assert known_outcome[2] == ["If an account matches, we have sent a reset link to its e-mail "
                                "or a code to its phone."]
    sent = len(app.extensions.get("outbox", [])) + len(app.extensions.get("sms_outbox", []))
    assert sent == 1


def test_erased_account_gets_nothing(app, client, make_user):
    user = make_user(phone="+84912345678", email="hoa@example.org")
    login(client, user)
    client.post("/account/delete", data={"password": PASSWORD, "confirm": "y"})
    client.post("/reset", data={"identifier": "hoa@example.org"})
    client.post("/reset", data={"identifier": "0912345678"})
    assert app.extensions.get("outbox", []) == []
    assert app.extensions.get("sms_outbox", []) == []


# --- a new password ends other sessions ------------------------------------------------------


def test_password_change_logs_out_other_sessions(app, make_user):
    user = make_user()
    here, elsewhere = app.test_client(), app.test_client()
    login(here, user)
    login(elsewhere, user)
    remembered = app.test_client()
    remembered.post("/login", data={"identifier": user.email, "password": PASSWORD,
                                    "remember": "y"})
    assert elsewhere.get("/account").status_code == 200

    response = here.post("/account/password", data={"current": PASSWORD, **new_password()})
    assert response.status_code == 302
    assert here.get("/account").status_code == 200  # this device stays signed in
    assert elsewhere.get("/account").status_code == 302
    remembered.delete_cookie("session")
    assert remembered.get("/account").status_code == 302


def test_password_change_needs_the_current_password(en, app, make_user):
    user = make_user()
    login(en, user)
    response = en.post("/account/password", data={"current": "wrong one", **new_password()})
    assert response.status_code == 400
    assert "The current password is wrong." in field_error(response, "current")
    assert can_log_in(app, user.email, PASSWORD)


def test_reset_by_email_logs_out_other_sessions(app, make_user):
    user = make_user(email="hoa@example.org")
    signed_in = app.test_client()
    login(signed_in, user)
    anonymous = app.test_client()
    anonymous.post("/reset", data={"identifier": "hoa@example.org"})
    [link] = mail_links(app, "/reset/")
    assert anonymous.post(link, data=new_password()).status_code == 302
    assert signed_in.get("/account").status_code == 302


def test_reset_by_code_logs_out_other_sessions(app, phone_only):
    signed_in = app.test_client()
    login(signed_in, phone_only)
    anonymous = app.test_client()
    anonymous.post("/reset", data={"identifier": "0912345678"})
    code = sms_code(app)
    response = anonymous.post("/reset/code", data=new_password(phone="0912345678", code=code))
    assert response.status_code == 302
    assert signed_in.get("/account").status_code == 302


# --- a one-time link issued by an organizer --------------------------------------------------


def audit_events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.execute(select(AuditEvent).where(AuditEvent.action == action))
                .scalars())


def reset_url_in(response) -> str | None:
    match = re.search(r'id="reset-url">http://localhost(/reset/[^<\s]+)<', text(response))
    return match.group(1) if match else None


def test_organizer_link_needs_the_identity_checkbox_and_note(login_as, make_user):
    organizer = login_as(Role.ORGANIZER)
    organizer.set_cookie("lang", "en")
    person = make_user(email=None)
    url = f"/organizer/users/{person.id}/reset-link"

    response = organizer.post(url, data={"note": "Saw the ID card"})
    assert response.status_code == 400
    assert "Confirm that you checked" in field_error(response, "checked")
    assert reset_url_in(response) is None

    response = organizer.post(url, data={"checked": "y", "note": ""})
    assert response.status_code == 400
    assert "Say how you checked." in field_error(response, "note")
    assert reset_url_in(response) is None
    assert audit_events("password.reset_link") == []


def test_organizer_link_is_audited_and_works_once(app, login_as, make_user):
    organizer = login_as(Role.ORGANIZER)
    person = make_user(phone="+84912345678", email=None)
    response = organizer.post(f"/organizer/users/{person.id}/reset-link",
                              data={"checked": "y", "note": "Called the registered phone"})
    assert response.status_code == 200
    link = reset_url_in(response)
    assert link and link.startswith("/reset/organizer-reset/")

    [event] = audit_events("password.reset_link")
    assert event.actor_id == organizer.user.id
    assert event.subject_type == "user" and event.subject_id == str(person.id)
    assert event.reason == "Called the registered phone"

    person_client = app.test_client()
    assert person_client.get(link).status_code == 200
    assert person_client.post(link, data=new_password()).status_code == 302
    assert can_log_in(app, "0912345678", NEW_PASSWORD)
    again = person_client.post(link, data={"password": "third phrase here",
                                           "confirm": "third phrase here"})
    assert again.status_code == 400
    assert can_log_in(app, "0912345678", NEW_PASSWORD)


def test_non_organizer_cannot_issue_a_link(login_as, make_user):
    person = make_user()
    for role in ((), (Role.JOURNALIST,), (Role.JUDGE,)):
        c = login_as(*role)
        response = c.post(f"/organizer/users/{person.id}/reset-link",
                          data={"checked": "y", "note": "trust me"})
        assert response.status_code == 403
        assert reset_url_in(response) is None
    assert audit_events("password.reset_link") == []


def test_anonymous_is_sent_to_login(client, make_user):
    person = make_user()
    response = client.post(f"/organizer/users/{person.id}/reset-link",
                           data={"checked": "y", "note": "trust me"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert audit_events("password.reset_link") == []


def test_no_link_for_an_unknown_or_erased_account(login_as):
    organizer = login_as(Role.ORGANIZER)
    response = organizer.post("/organizer/users/999999/reset-link",
                              data={"checked": "y", "note": "Saw the ID card"})
    assert response.status_code == 404


def test_only_an_admin_issues_a_link_for_an_admin(app, login_as, make_user):
    target = make_user(Role.ADMIN)
    organizer = login_as(Role.ORGANIZER)
    response = organizer.post(f"/organizer/users/{target.id}/reset-link",
                              data={"checked": "y", "note": "Saw the ID card"})
    assert response.status_code == 403
    assert reset_url_in(response) is None
    assert audit_events("password.reset_link") == []

    admin = login_as(Role.ADMIN)
    response = admin.post(f"/organizer/users/{target.id}/reset-link",
                          data={"checked": "y", "note": "Saw the ID card"})
    assert response.status_code == 200
    assert reset_url_in(response)
    assert len(audit_events("password.reset_link")) == 1
