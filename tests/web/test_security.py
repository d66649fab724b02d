"""CSRF, security headers, request size, rate limits, error pages and the language choice."""

from __future__ import annotations

import html
import re
from gettext import GNUTranslations
from pathlib import Path

import pytest
from sqlalchemy import func, select

from contest.accounts.models import Role, Unit, User
from contest.extensions import db
from tests.conftest import PASSWORD, csrf_token_from, login

VI_CATALOG = Path(__file__).resolve().parents[2] / "translations" / "vi" / "LC_MESSAGES" / \
    "messages.mo"

ERROR_TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Page not found",
    405: "Not allowed",
    413: "File too large",
    429: "Too many attempts",
    500: "Something went wrong",
}


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def page_lang(response) -> str:
    match = re.search(r'<html lang="([^"]+)">', response.get_data(as_text=True))
    assert match, "not an HTML page"
    return match.group(1)


def assert_error_page(response, code: int, lang: str) -> None:
    assert response.status_code == code
    assert response.mimetype == "text/html"
    assert page_lang(response) == lang
    body = text(response)
    assert f'<p class="error-code">{code}</p>' in body
    if lang == "en":
        assert ERROR_TITLES[code] in body
    elif VI_CATALOG.exists():
        assert ERROR_TITLES[code] not in body
        assert vietnamese(ERROR_TITLES[code]) in body


def vietnamese(message: str) -> str:
    with VI_CATALOG.open("rb") as fh:
        return GNUTranslations(fh).gettext(message)


def user_count() -> int:
    return db.session.execute(select(func.count()).select_from(User)).scalar_one()


REGISTRATION = {
    "full_name": "Trần Thị Hoa", "phone": "0912 345 678", "password": "hoa sen nở giữa đầm",
    "confirm": "hoa sen nở giữa đầm", "birth_date": "1990-05-17", "consent": "y",
}


# --- CSRF ------------------------------------------------------------------------------------


@pytest.fixture
def csrf_on(app_config):
    app_config["WTF_CSRF_ENABLED"] = True


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_post_without_csrf_token_is_refused(csrf_on, client, lang):
    client.set_cookie("lang", lang)
    client.get("/register")
    response = client.post("/register", data=REGISTRATION)
    assert_error_page(response, 400, lang)
    message = ("This form has expired or was sent from another page. Reload the page and send "
               "it again.")
    if lang == "en":
        assert message in text(response)
    elif VI_CATALOG.exists():
        assert vietnamese(message) in text(response)
    assert user_count() == 0


def test_post_with_a_wrong_csrf_token_is_refused(csrf_on, client):
    client.get("/register")
    response = client.post("/register", data={**REGISTRATION, "csrf_token": "forged"})
    assert response.status_code == 400
    assert user_count() == 0


def test_token_from_another_session_is_refused(csrf_on, app, client):
    other = app.test_client()
    token = csrf_token_from(other.get("/register").get_data(as_text=True))
    client.get("/register")
    response = client.post("/register", data={**REGISTRATION, "csrf_token": token})
    assert response.status_code == 400
    assert user_count() == 0


def test_post_with_the_csrf_token_works(csrf_on, client):
    token = csrf_token_from(client.get("/register").get_data(as_text=True))
    response = client.post("/register", data={**REGISTRATION, "csrf_token": token})
    assert response.status_code == 302
    assert user_count() == 1


def test_logout_and_language_need_the_token(csrf_on, client, make_user):
    user = make_user()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"identifier": user.email, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302

    assert client.post("/logout").status_code == 400
    assert client.get("/account").status_code == 200
    response = client.post("/lang", data={"lang": "en"})
    assert response.status_code == 400
    assert client.get_cookie("lang") is None
    db.session.expire_all()
    assert db.session.get(User, user.id).locale is None

    token = csrf_token_from(client.get("/account").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/account").status_code == 302


def test_role_change_needs_the_token(csrf_on, app, make_user):
    admin = make_user(Role.ADMIN)
    target = make_user()
    c = app.test_client()
    token = csrf_token_from(c.get("/login").get_data(as_text=True))
    c.post("/login", data={"identifier": admin.email, "password": PASSWORD, "csrf_token": token})
    response = c.post(f"/organizer/users/{target.id}/roles",
                      data={"role": Role.ORGANIZER, "action": "grant"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, target.id).roles == frozenset()


# --- headers ---------------------------------------------------------------------------------


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.mark.parametrize("path", ["/", "/login", "/register", "/no-such-page"])
def test_security_headers(client, path):
    response = client.get(path)
    csp = csp_directives(response)
    script_src = csp.get("script-src", csp.get("default-src"))
    assert script_src is not None
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "*" not in script_src
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_carry_no_inline_script(client, login_as):
    pages = [client.get(p) for p in ("/", "/login", "/register", "/reset", "/privacy")]
    c = login_as(Role.ORGANIZER)
    pages += [c.get(p) for p in ("/account", "/organizer/", "/organizer/users")]
    for response in pages:
        body = response.get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body)
        assert not re.search(r"\son[a-z]+=", body)


def test_hsts_in_production_only(app, client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    app.config["HSTS"] = True
    assert client.get("/").headers["Strict-Transport-Security"].startswith("max-age=")


def test_session_cookie_is_httponly_and_lax(client, make_user):
    user = make_user()
    response = client.post("/login", data={"identifier": user.email, "password": PASSWORD})
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


# --- size ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_too_large_request_gets_the_413_page(app, client, lang):
    app.config["MAX_CONTENT_LENGTH"] = 2048
    client.set_cookie("lang", lang)
    response = client.post("/register", data={**REGISTRATION, "full_name": "x" * 5000})
    assert_error_page(response, 413, lang)
    assert user_count() == 0


def test_too_large_upload_gets_the_413_page(app, client):
    import io

    app.config["MAX_CONTENT_LENGTH"] = 4096
    client.set_cookie("lang", "en")
    response = client.post("/register", data={**REGISTRATION,
                                              "file": (io.BytesIO(b"x" * 10000), "big.pdf")},
                           content_type="multipart/form-data")
    assert_error_page(response, 413, "en")
    assert user_count() == 0


# --- rate limits -----------------------------------------------------------------------------


@pytest.fixture
def limited(app_config):
    app_config["RATELIMIT_ENABLED"] = True
    app_config["RATELIMIT_LOGIN"] = "3 per minute"
    app_config["RATELIMIT_RESET"] = "2 per minute"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_fourth_login_in_a_minute_gets_429(limited, client, make_user, lang):
    user = make_user()
    client.set_cookie("lang", lang)
    for _ in range(3):
        response = client.post("/login", data={"identifier": user.email, "password": "wrong!"})
        assert response.status_code == 400
    response = client.post("/login", data={"identifier": user.email, "password": PASSWORD})
    assert_error_page(response, 429, lang)
    assert "Retry-After" in response.headers
    # the limit is on attempts, not on reading the page
    assert client.get("/login").status_code == 200
    # and the blocked attempt did not log in
    assert client.get("/account").status_code == 302


def test_reset_requests_are_limited(limited, app, client, make_user):
    # different accounts: one account's own limit (one message a minute) is tested elsewhere
    for n in range(3):
        make_user(email=f"hoa{n}@example.org")
    for n in range(2):
        assert client.post("/reset", data={"identifier": f"hoa{n}@example.org"}).status_code == 302
    response = client.post("/reset", data={"identifier": "hoa2@example.org"})
    assert response.status_code == 429
    assert len(app.extensions["outbox"]) == 2


def test_limits_are_off_in_the_other_tests(client, make_user):
    user = make_user()
    # one short of the per-account pause, which does not depend on these limits
    for _ in range(9):
        client.post("/login", data={"identifier": user.email, "password": "wrong!"})
    login(client, user)


# --- error pages and language ----------------------------------------------------------------


@pytest.fixture
def broken_route(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def boom():
        db.session.add(Unit(code="HALF", name="Half written", kind="other"))
        db.session.flush()
        raise RuntimeError("something broke")

    app.add_url_rule("/boom", "boom", boom)


def error_responses(client, entrant) -> dict[int, object]:
    responses = {
        403: entrant.get("/organizer/"),
        404: client.get("/no-such-page"),
        405: client.get("/logout"),
        500: client.get("/boom"),
    }
    return responses


def test_error_pages_are_vietnamese_by_default(broken_route, client, login_as):
    entrant = login_as()
    for code, response in error_responses(client, entrant).items():
        assert_error_page(response, code, "vi")


def test_error_pages_in_english_after_choosing_english(broken_route, client, login_as):
    response = client.post("/lang", data={"lang": "en", "next": "/privacy"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/privacy"
    cookie = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("lang=")]
    assert cookie and "HttpOnly" in cookie[0] and "SameSite=Lax" in cookie[0]
    assert client.get_cookie("lang").value == "en"

    entrant = login_as()
    entrant.post("/lang", data={"lang": "en"})
    for code, response in error_responses(client, entrant).items():
        assert_error_page(response, code, "en")


def test_server_error_saves_nothing(broken_route, client):
    response = client.get("/boom")
    assert response.status_code == 500
    db.session.expire_all()
    assert db.session.execute(select(Unit).where(Unit.code == "HALF")).first() is None


def test_api_errors_are_json(client):
    client.set_cookie("lang", "en")
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.is_json
    assert response.get_json() == {"error": "Page not found", "message": response.get_json()[
        "message"], "status": 404}


def test_unknown_language_is_ignored(client):
    response = client.post("/lang", data={"lang": "fr", "next": "//evil.example"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get_cookie("lang") is None
    assert page_lang(client.get("/")) == "vi"


def test_language_choice_is_remembered_on_the_account(app, make_user):
    user = make_user()
    c = app.test_client()
    login(c, user)
    assert page_lang(c.get("/account")) == "vi"
    c.post("/lang", data={"lang": "en"})
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"

    # another device, no cookie: the account's language applies once logged in
    other = app.test_client()
    assert page_lang(other.get("/")) == "vi"
    login(other, user)
    assert page_lang(other.get("/account")) == "en"
    assert "My account" in text(other.get("/account"))

    # and back
    other.post("/lang", data={"lang": "vi"})
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "vi"
    assert page_lang(c.get("/account")) == "vi"


def test_language_set_in_the_profile(app, make_user):
    user = make_user()
    c = app.test_client()
    login(c, user)
    response = c.post("/account", data={"email": user.email, "gender": "", "unit_id": "",
                                        "ethnicity": "", "outlet": "", "locale": "en"})
    assert response.status_code == 302
    assert page_lang(c.get("/")) == "en"


def test_registration_keeps_the_chosen_language(client):
    client.set_cookie("lang", "en")
    assert client.post("/register", data=REGISTRATION).status_code == 302
    db.session.expire_all()
    assert db.session.execute(select(User.locale)).scalar_one() == "en"
