"""Registration, e-mail verification, login and logout, and the person's own data."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime as babel_format_datetime
from sqlalchemy import func, select

from contest.accounts.models import Role, User
from contest.extensions import db
from contest.timeutil import local_today, utcnow
from tests.conftest import PASSWORD, login

GOOD_PASSWORD = "hoa sen nở giữa đầm"
CITIZEN_ID = "001095012345"


@pytest.fixture(autouse=True)
def _clock(clock):
    """Ages are counted on the Vietnam date of the app's clock, which stands still here."""
    return clock


def years_ago(years: int, days: int = 0) -> date:
    today = local_today()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        day = today.replace(year=today.year - years, day=28)
    return day + timedelta(days=days)


def form(**changes: str | None) -> dict[str, str]:
    """A complete, valid registration form; ``None`` drops a field (an unticked box)."""
    data: dict[str, str | None] = {
        "full_name": "Trần Thị Hoa",
        "phone": "0912 345 678",
        "email": "",
        "password": GOOD_PASSWORD,
        "confirm": None,
        "birth_date": "1990-05-17",
        "gender": "female",
        "unit_id": "",
        "ethnicity": "",
        "citizen_id": "",
        "outlet": "",
        "consent": "y",
    }
    data.update(changes)
    if data["confirm"] is None:
        data["confirm"] = data["password"]
    return {k: v for k, v in data.items() if v is not None}


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def field_error(response, name: str) -> str:
    """The error message shown next to the field ``name`` ("" when there is none)."""
    match = re.search(rf'<p class="error" id="{name}-error">(.*?)</p>', text(response), re.S)
    return match.group(1).strip() if match else ""


def user_count() -> int:
    return db.session.execute(select(func.count()).select_from(User)).scalar_one()


def only_user() -> User:
    db.session.expire_all()
    return db.session.execute(select(User)).scalar_one()


@pytest.fixture
def en(client):
    """The anonymous client with English chosen."""
    client.set_cookie("lang", "en")
    return client


# --- registration ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["0912345678", "0912 345 678", "0912.345.678", "+84912345678", "+84 912 345 678",
     "84912345678", "+84 0912 345 678", "０９１２ ３４５ ６７８"],
)
def test_phone_forms_are_accepted_and_stored_normalised(client, typed):
    response = client.post("/register", data=form(phone=typed))
    assert response.status_code == 302, field_error(response, "phone")
    assert only_user().phone == "+84912345678"


@pytest.mark.parametrize("typed", ["12345", "024 3825 1234", "+1 202 555 0143", "0912 345 67",
                                   "09123456789", "abc"])
def test_invalid_phone_is_refused(en, typed):
    response = en.post("/register", data=form(phone=typed))
    assert response.status_code == 400
    assert "Enter a Vietnamese mobile number" in field_error(response, "phone")
    assert user_count() == 0


def test_registration_logs_in_and_stores_consent(client, app):
    before = utcnow()
    response = client.post("/register", data=form(email="Hoa.Tran@Example.org"))
    assert response.status_code == 302
    user = only_user()
    assert user.full_name == "Trần Thị Hoa"
    assert user.email == "hoa.tran@example.org"
    assert user.roles == frozenset()
    assert user.consent_version == app.config["CONSENT_VERSION"]
    assert before - timedelta(seconds=1) <= user.consent_at <= utcnow()
    assert user.consent_at.utcoffset() == timedelta(0)
    assert user.birth_date == date(1990, 5, 17)
    # logged in straight away
    assert client.get("/account").status_code == 200


def test_duplicate_phone_in_another_form_is_refused(en):
    assert en.post("/register", data=form(phone="0912345678")).status_code == 302
    en.post("/logout")
    response = en.post("/register", data=form(phone="+84 912.345.678", full_name="Lê Văn Nam"))
    assert response.status_code == 400
    assert "An account with this phone number already exists" in field_error(response, "phone")
    assert user_count() == 1


def test_duplicate_phone_is_reported_together_with_other_problems(en):
    assert en.post("/register", data=form(phone="0912345678")).status_code == 302
    en.post("/logout")
    response = en.post("/register", data=form(phone="0912 345 678", password="12345678",
                                              confirm="12345678", full_name="Lê Văn Nam"))
    assert response.status_code == 400
    assert "An account with this phone number already exists" in field_error(response, "phone")
    assert field_error(response, "password")
    assert user_count() == 1


def test_duplicate_phone_with_a_full_width_digit_is_refused(en):
    assert en.post("/register", data=form(phone="0912345678")).status_code == 302
    en.post("/logout")
    response = en.post("/register", data=form(phone="09１2345678", full_name="Lê Văn Nam"))
    assert response.status_code == 400
    assert "An account with this phone number already exists" in field_error(response, "phone")
    assert user_count() == 1


def test_citizen_id_must_be_ascii_digits(en):
    response = en.post("/register", data=form(citizen_id="００１０９５０１２３４５"))
    assert response.status_code == 400
    assert "12 digits" in field_error(response, "citizen_id")
    assert user_count() == 0


def test_duplicate_email_in_another_case_is_refused(en):
    assert en.post("/register", data=form(email="hoa@example.org")).status_code == 302
    en.post("/logout")
    response = en.post("/register", data=form(phone="0987 654 321", email="HOA@Example.ORG"))
    assert response.status_code == 400
    assert "An account with this e-mail already exists" in field_error(response, "email")
    assert field_error(response, "phone") == ""
    assert user_count() == 1


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("ngan", "Use at least 8 characters."),
        ("12345678", "This is one of the most used or leaked passwords."),
        ("Matkhau123", "This is one of the most used or leaked passwords."),
        # from zxcvbn's lists of leaked passwords and keyboard patterns, not from ours
        ("P@ssw0rd1", "This is one of the most used or leaked passwords."),
        ("sunshine1", "This is one of the most used or leaked passwords."),
        ("1qaz2wsx3edc", "This is one of the most used or leaked passwords."),
        ("0912345678", "Do not use your phone number in your password."),
        ("+84 912 345 678", "Do not use your phone number in your password."),
        ("hoa0912345678", "Do not use your phone number in your password."),
        ("Tran Thi Hoa", "Do not use your name in your password."),
        ("Tranhoa@123", "Do not use your name in your password."),
        ("sen17051990", "Do not use your date of birth in your password."),
        ("19900517!!", "Do not use your date of birth in your password."),
    ],
)
def test_weak_passwords_are_refused(en, password, message):
    response = en.post("/register", data=form(password=password))
    assert response.status_code == 400
    assert message in field_error(response, "password")
    assert user_count() == 0


def test_passwords_must_match(en):
    response = en.post("/register", data=form(confirm="something else entirely"))
    assert response.status_code == 400
    assert "The two passwords differ." in field_error(response, "confirm")
    assert user_count() == 0


def test_consent_is_required(en):
    response = en.post("/register", data=form(consent=None))
    assert response.status_code == 400
    assert "You must agree to the personal data notice" in field_error(response, "consent")
    assert user_count() == 0


def test_journalist_needs_an_email(en):
    response = en.post("/register", data=form(as_journalist="y", outlet="Báo Nghệ An"))
    assert response.status_code == 400
    assert "Journalists must give an e-mail address." in field_error(response, "email")
    assert user_count() == 0


def test_journalist_with_email_gets_the_role(client):
    response = client.post("/register", data=form(as_journalist="y", email="pv@baona.vn",
                                                   outlet="Báo Nghệ An"))
    assert response.status_code == 302
    user = only_user()
    assert user.roles == frozenset({Role.JOURNALIST})
    assert user.outlet == "Báo Nghệ An"


def test_entrant_without_journalist_box_gets_no_role(client):
    assert client.post("/register", data=form(email="a@example.org")).status_code == 302
    assert only_user().roles == frozenset()


def test_under_age_is_refused(en):
    response = en.post("/register", data=form(birth_date=years_ago(14, days=1).isoformat(),
                                              guardian_consent="y"))
    assert response.status_code == 400
    assert "at least 14 years old" in field_error(response, "birth_date")
    assert user_count() == 0


def test_future_birth_date_is_refused(en):
    response = en.post("/register",
                       data=form(birth_date=(local_today() + timedelta(days=3)).isoformat()))
    assert response.status_code == 400
    assert "Enter a real date of birth." in field_error(response, "birth_date")
    assert user_count() == 0


def test_under_sixteen_needs_guardian_consent(en):
    born = years_ago(15).isoformat()
    response = en.post("/register", data=form(birth_date=born))
    assert response.status_code == 400
    assert "parent or guardian" in field_error(response, "guardian_consent")
    assert user_count() == 0

    response = en.post("/register", data=form(birth_date=born, guardian_consent="y"))
    assert response.status_code == 302
    assert only_user().birth_date.isoformat() == born


def test_fourteenth_birthday_is_old_enough(client):
    response = client.post("/register", data=form(birth_date=years_ago(14).isoformat(),
                                                   guardian_consent="y"))
    assert response.status_code == 302


def test_citizen_id_is_never_shown_again(client, make_user, login_as, app):
    response = client.post("/register",
                           data=form(citizen_id=CITIZEN_ID, email="hoa@example.org"))
    assert response.status_code == 302
    user = only_user()
    assert user.citizen_id == CITIZEN_ID

    own_pages = ["/", "/account", "/account/delete", "/privacy"]
    for path in own_pages:
        page = client.get(path)
        assert page.status_code == 200, path
        assert CITIZEN_ID not in page.get_data(as_text=True), path
    export = client.get("/account/export").get_data(as_text=True)
    assert CITIZEN_ID not in export

    organizer = login_as(Role.ORGANIZER)
    for path in [f"/organizer/users/{user.id}", "/organizer/users", "/organizer/users?q=hoa",
                 "/organizer/users?q=0912345678"]:
        page = organizer.get(path)
        assert page.status_code == 200, path
        body = page.get_data(as_text=True)
        assert CITIZEN_ID not in body, path
    assert "Trần Thị Hoa" in organizer.get("/organizer/users?q=0912345678").get_data(as_text=True)


def test_registration_while_logged_in_goes_home(login_as):
    c = login_as()
    response = c.post("/register", data=form(phone="0987 000 111"))
    assert response.status_code == 302
    assert user_count() == 1


# --- e-mail verification ---------------------------------------------------------------------


def links_in_outbox(app, path: str) -> list[str]:
    found = []
    for msg in app.extensions.get("outbox", []):
        found += re.findall(rf"http://localhost({re.escape(path)}\S+)", msg.get_content())
    return found


def test_verification_link_confirms_the_email(client, app):
    client.post("/register", data=form(email="hoa@example.org"))
    outbox = app.extensions["outbox"]
    assert [m["To"] for m in outbox] == ["hoa@example.org"]
    [link] = links_in_outbox(app, "/verify/")
    assert only_user().email_verified_at is None

    response = client.get(link)
    assert response.status_code == 302
    assert only_user().email_verified_at is not None


def test_verification_link_works_without_a_session(client, app):
    client.post("/register", data=form(email="hoa@example.org"))
    [link] = links_in_outbox(app, "/verify/")
    other = app.test_client()
    response = other.get(link)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert only_user().email_verified_at is not None


def test_tampered_verification_link_is_refused(en, app):
    en.post("/register", data=form(email="hoa@example.org"))
    [link] = links_in_outbox(app, "/verify/")
    token = link.rsplit("/", 1)[1]
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    response = en.get(f"/verify/{tampered}")
    assert response.status_code == 400
    assert "This confirmation link is not valid." in text(response)
    assert only_user().email_verified_at is None


def test_verification_link_of_another_purpose_is_refused(en, app):
    """A signed password-reset token must not pass as a verification token."""
    from contest.accounts import tokens

    en.post("/register", data=form(email="hoa@example.org"))
    user = only_user()
    other = tokens.make_token(app.config["SECRET_KEY"], tokens.RESET,
                              {"u": user.id, "e": user.email})
    response = en.get(f"/verify/{other}")
    assert response.status_code == 400
    assert only_user().email_verified_at is None


def test_expired_verification_link_is_refused(en, app):
    en.post("/register", data=form(email="hoa@example.org"))
    [link] = links_in_outbox(app, "/verify/")
    app.config["EMAIL_TOKEN_MAX_AGE"] = -1
    response = en.get(link)
    assert response.status_code == 400
    assert "This confirmation link has expired" in text(response)
    assert only_user().email_verified_at is None


def profile_form(**changes: str) -> dict[str, str]:
    data = {"email": "", "gender": "", "unit_id": "", "ethnicity": "", "outlet": "",
            "locale": "en"}
    data.update(changes)
    return data


def test_link_for_an_old_email_is_refused_after_a_change(en, app):
    en.post("/register", data=form(email="old@example.org"))
    [old_link] = links_in_outbox(app, "/verify/")
    response = en.post("/account", data=profile_form(email="New@Example.org"))
    assert response.status_code == 302
    # pending until the new address confirms; the old one is told
    assert only_user().email == "old@example.org"
    assert only_user().pending_email == "new@example.org"
    [change_link] = links_in_outbox(app, "/account/email/")
    assert en.get(change_link).status_code == 302
    assert only_user().email == "new@example.org"

    response = en.get(old_link)
    assert response.status_code == 400
    assert "This confirmation link is not valid." in text(response)


def test_profile_refuses_an_email_of_another_account(en, make_user):
    make_user(email="taken@example.org")
    en.post("/register", data=form(email="mine@example.org"))
    response = en.post("/account", data=profile_form(email="TAKEN@example.org"))
    assert response.status_code == 400
    assert "An account with this e-mail already exists" in field_error(response, "email")
    db.session.expire_all()
    assert db.session.execute(
        select(User.email).where(User.phone == "+84912345678")
    ).scalar_one() == "mine@example.org"


def test_role_holder_cannot_drop_the_email(login_as):
    c = login_as(Role.JOURNALIST)
    c.set_cookie("lang", "en")
    response = c.post("/account", data=profile_form(email=""))
    assert response.status_code == 400
    assert "Your role needs an e-mail address." in field_error(response, "email")
    db.session.expire_all()
    assert db.session.get(User, c.user.id).email


# --- login and logout ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "identifier",
    ["0912345678", "0912 345 678", "0912.345.678", "+84 912 345 678", "84912345678",
     " hoa@example.org ", "HOA@Example.org"],
)
def test_login_with_phone_in_any_form_or_email(client, make_user, identifier):
    make_user(phone="+84912345678", email="hoa@example.org")
    response = client.post("/login", data={"identifier": identifier, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200


def test_wrong_password_does_not_say_which_part_was_wrong(en, make_user):
    make_user(phone="+84912345678", email="hoa@example.org")
    wrong_password = en.post("/login", data={"identifier": "0912345678", "password": "nope nope"})
    unknown_phone = en.post("/login", data={"identifier": "0987654321", "password": PASSWORD})
    unknown_email = en.post("/login", data={"identifier": "x@example.org", "password": PASSWORD})
    not_a_phone = en.post("/login", data={"identifier": "12", "password": PASSWORD})
    messages = set()
    for response in (wrong_password, unknown_phone, unknown_email, not_a_phone):
        assert response.status_code == 400
        messages.add(field_error(response, "password"))
        assert field_error(response, "identifier") == ""
    assert messages == {"The phone number, e-mail or password is wrong."}
    assert en.get("/account").status_code == 302


def test_login_refuses_an_inactive_account(client, make_user):
    make_user(email="hoa@example.org", active=False)
    response = client.post("/login", data={"identifier": "hoa@example.org",
                                           "password": PASSWORD})
    assert response.status_code == 400


def test_remember_me_sets_a_remember_cookie(client, make_user):
    user = make_user()
    response = client.post("/login", data={"identifier": user.email, "password": PASSWORD,
                                           "remember": "y"})
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert remember and "HttpOnly" in remember[0]
    # the remember cookie alone restores the session
    client.delete_cookie("session")
    assert client.get("/account").status_code == 200


def test_without_remember_me_no_remember_cookie(client, make_user):
    user = make_user()
    response = client.post("/login", data={"identifier": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert not [c for c in response.headers.getlist("Set-Cookie")
                if c.startswith("remember_token=")]


def test_logout_is_post_only(client, make_user):
    user = make_user()
    login(client, user)
    response = client.get("/logout")
    assert response.status_code == 405
    assert client.get("/account").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 302
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_logout_also_forgets_the_remember_cookie(client, make_user):
    user = make_user()
    client.post("/login", data={"identifier": user.email, "password": PASSWORD,
                                "remember": "y"})
    client.post("/logout")
    assert client.get("/account").status_code == 302


def test_login_page_is_the_target_for_protected_pages(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/account", "/account"),
        ("/account?tab=data", "/account?tab=data"),
        ("https://evil.example/", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("\\\\evil.example", "/"),
        ("http:/evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("  //evil.example", "/"),
        ("/\t/evil.example", "/"),
    ],
)
def test_safe_redirect_after_login(client, make_user, target, expected):
    user = make_user()
    response = client.post("/login", data={"identifier": user.email, "password": PASSWORD,
                                           "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def next_field(page: str) -> str:
    match = re.search(r'<input id="next" name="next" type="hidden" value="([^"]*)"', page)
    assert match, "no next field on the login page"
    return match.group(1)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example"])
def test_login_page_drops_an_unsafe_next(client, target):
    page = client.get("/login", query_string={"next": target}).get_data(as_text=True)
    assert next_field(page) == ""


def test_login_page_keeps_a_safe_next(client):
    page = client.get("/login", query_string={"next": "/account"}).get_data(as_text=True)
    assert next_field(page) == "/account"


# --- own data --------------------------------------------------------------------------------


def test_export_returns_the_account_data_with_the_id_masked(client, app):
    client.post("/register", data=form(email="hoa@example.org", citizen_id=CITIZEN_ID,
                                       ethnicity="Thái"))
    response = client.get("/account/export")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert CITIZEN_ID not in body
    data = json.loads(body)["account"]
    assert data["full_name"] == "Trần Thị Hoa"
    assert data["phone"] == "+84912345678"
    assert data["email"] == "hoa@example.org"
    assert data["birth_date"] == "1990-05-17"
    assert data["ethnicity"] == "Thái"
    assert data["citizen_id"].endswith("345")
    assert data["citizen_id"] != CITIZEN_ID
    assert not re.search(r"\d{4}", data["citizen_id"])
    assert data["consent"]["notice_version"] == app.config["CONSENT_VERSION"]
    assert data["consent"]["at"]


def test_export_needs_login(client):
    response = client.get("/account/export")
    assert response.status_code == 302


def test_delete_needs_password_and_checkbox(en, make_user):
    user = make_user(citizen_id=CITIZEN_ID)
    login(en, user)
    no_box = en.post("/account/delete", data={"password": PASSWORD})
    assert no_box.status_code == 400
    assert "Tick the box to confirm." in field_error(no_box, "confirm")
    wrong = en.post("/account/delete", data={"password": "not my password", "confirm": "y"})
    assert wrong.status_code == 400
    assert "The password is wrong." in field_error(wrong, "password")
    db.session.expire_all()
    kept = db.session.get(User, user.id)
    assert kept.erased_at is None and kept.full_name and kept.citizen_id == CITIZEN_ID
    assert en.get("/account").status_code == 200


def test_delete_erases_logs_out_and_frees_the_phone(client, app):
    client.post("/register", data=form(email="hoa@example.org", citizen_id=CITIZEN_ID))
    user_id = only_user().id
    response = client.post("/account/delete", data={"password": GOOD_PASSWORD, "confirm": "y"})
    assert response.status_code == 302

    db.session.expire_all()
    erased = db.session.get(User, user_id)
    assert erased.full_name == ""
    assert erased.phone is None and erased.email is None and erased.citizen_id is None
    assert erased.erased_at is not None
    assert erased.birth_date == date(1990, 1, 1)
    # logged out
    assert client.get("/account").status_code == 302
    # the old credentials no longer work, by phone or e-mail
    for identifier in ("0912345678", "hoa@example.org"):
        response = client.post("/login", data={"identifier": identifier,
                                               "password": GOOD_PASSWORD})
        assert response.status_code == 400
    # the same phone and e-mail may register again
    response = client.post("/register", data=form(email="hoa@example.org"))
    assert response.status_code == 302
    db.session.expire_all()
    live = db.session.execute(select(User).where(User.erased_at.is_(None))).scalar_one()
    assert live.id != user_id and live.phone == "+84912345678"


def test_delete_ends_other_sessions(app, make_user):
    user = make_user()
    first, second = app.test_client(), app.test_client()
    login(first, user)
    login(second, user)
    first.post("/account/delete", data={"password": PASSWORD, "confirm": "y"})
    assert second.get("/account").status_code == 302


def test_erased_account_is_gone_from_the_organizer_console(login_as, make_user):
    user = make_user()
    c = login_as(Role.ORGANIZER)
    other = login_as()
    other.post("/account/delete", data={"password": PASSWORD, "confirm": "y"})
    assert c.get(f"/organizer/users/{other.user.id}").status_code == 404
    assert c.get(f"/organizer/users/{user.id}").status_code == 200


def test_last_admin_cannot_delete_the_account(login_as):
    c = login_as(Role.ADMIN)
    c.set_cookie("lang", "en")
    response = c.post("/account/delete", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 400
    assert "last administrator" in text(response)
    db.session.expire_all()
    admin = db.session.get(User, c.user.id)
    assert admin.erased_at is None and Role.ADMIN in admin.roles


def test_an_admin_can_delete_the_account_when_another_remains(login_as, make_user):
    make_user(Role.ADMIN)
    c = login_as(Role.ADMIN)
    response = c.post("/account/delete", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, c.user.id).erased_at is not None


# --- times -----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_profile_shows_times_in_vietnam(app, make_user, lang):
    # 17:30 UTC on 15 January is 00:30 on 16 January in Hà Nội.
    moment = datetime(2026, 1, 15, 17, 30, tzinfo=UTC)
    user = make_user(created_at=moment, locale=lang)
    c = app.test_client()
    login(c, user)
    page = text(c.get("/account"))
    local = babel_format_datetime(moment, "short", tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"),
                                  locale=lang)
    as_utc = babel_format_datetime(moment, "short", tzinfo=ZoneInfo("UTC"), locale=lang)
    assert local in page
    assert as_utc not in page


def test_stored_times_are_utc(client, clock):
    client.post("/register", data=form())
    user = only_user()
    assert user.created_at.utcoffset() == timedelta(0)
    assert user.created_at == clock.now
