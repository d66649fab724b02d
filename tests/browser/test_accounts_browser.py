"""Accounts in a real browser: registration, e-mail confirmation, log-in, language, SMS reset.

Each test runs on a phone (360×640) and a desktop (1280×800) viewport, checks every page it
visits with axe-core and saves full-page screenshots into tests/browser/screenshots/.
Locators use element ids and URLs rather than visible text, so that the tests keep working when
the Vietnamese catalogue changes; expected messages are looked up through the app's own gettext.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from contest.accounts.forms import PASSWORD_MESSAGES
from contest.accounts.models import User
from contest.extensions import db
from tests.browser.helpers import code_in, link_in, mail_body, mail_to, translated

try:
    from playwright.sync_api import expect
except ImportError:  # the harness skips (or fails under REQUIRE_BROWSER=1) before any test runs
    expect = None

pytestmark = pytest.mark.browser


@dataclass
class Entrant:
    full_name: str
    phone: str
    password: str
    birth_date: date = date(1990, 5, 17)
    email: str = ""
    gender: str = "female"
    ethnicity: str = "Kinh"


# --- small steps shared by the tests ---------------------------------------------------------


def path_of(page) -> str:  # noqa: ANN001
    return urlsplit(page.url).path


def submit(page, form_selector: str = "main form.card") -> None:  # noqa: ANN001
    """Press the submit button of a form and wait for the page that answers the POST."""
    with page.expect_navigation(wait_until="load"):
        page.locator(f"{form_selector} button[type=submit]").click()


def follow(page, selector: str, path: str) -> None:  # noqa: ANN001
    page.locator(selector).click()
    page.wait_for_url(lambda url: urlsplit(url).path == path)


def fill_registration(page, entrant: Entrant, unit_label: str | None = None) -> None:  # noqa: ANN001
    page.fill("#full_name", entrant.full_name)
    page.fill("#phone", entrant.phone)
    date_input = page.locator("#birth_date")
    expect(date_input).to_have_attribute("type", "date")
    date_input.fill(entrant.birth_date.isoformat())
    page.select_option("#gender", entrant.gender)
    if unit_label:
        page.select_option("#unit_id", label=unit_label)
    page.select_option("#ethnicity", entrant.ethnicity)
    page.fill("#password", entrant.password)
    page.fill("#confirm", entrant.password)
    if entrant.email:
        page.fill("#email", entrant.email)
    page.check("#consent")


def log_out(page, app) -> None:  # noqa: ANN001
    with page.expect_navigation(wait_until="load"):
        page.locator('nav form[action="/logout"] button[type=submit]').click()
    assert path_of(page) == "/"
    expect(page.locator(".flashes")).to_contain_text(translated(app, "You have logged out."))
    expect(page.locator('nav a[href="/login"]')).to_be_visible()


def log_in(page, app, identifier: str, password: str) -> None:  # noqa: ANN001
    follow(page, 'nav a[href="/login"]', "/login")
    page.fill("#identifier", identifier)
    page.fill("#password", password)
    submit(page)


def stored_user(phone: str) -> User | None:
    db.session.expire_all()  # the server thread wrote it; read it afresh
    return db.session.execute(select(User).where(User.phone == phone)).scalar_one_or_none()


def field_box(page, field_id: str):  # noqa: ANN001, ANN201
    """The form group holding the input, its label, hint and error message."""
    return page.locator(".field", has=page.locator(f"#{field_id}"))


# --- the tests -------------------------------------------------------------------------------


def test_register_with_email_confirm_log_in_and_switch_language(
    page, live_server, visit_check, unit_label  # noqa: ANN001
) -> None:
    app = live_server.app
    mai = Entrant("Trần Thị Mai", "0912 345 678", "hoa sen trong đầm", email="mai.tran@example.org")

    page.goto(live_server("/"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    visit_check(page, "01-home")

    follow(page, 'nav a[href="/register"]', "/register")
    visit_check(page, "02-register-form")
    fill_registration(page, mai, unit_label)
    submit(page)
    assert path_of(page) == "/"
    expect(page.locator(".alert-success")).to_have_text(
        translated(app, "Welcome! Your account is ready.")
    )
    expect(page.locator(".flashes")).to_contain_text(mai.email)
    visit_check(page, "03-registered")

    user = stored_user("+84912345678")
    assert user is not None and user.email == mai.email
    assert user.unit.label == unit_label and user.birth_date == mai.birth_date
    assert user.email_verified_at is None

    messages = mail_to(live_server.outbox, mai.email)
    assert len(messages) == 1, [m["To"] for m in live_server.outbox]
    page.goto(link_in(mail_body(messages[0]), "/verify/"))
    assert path_of(page) == "/account"
    expect(page.locator(".alert-success")).to_have_text(
        translated(app, "Your e-mail address is confirmed.")
    )
    expect(page.locator(".badge-ok")).to_have_text(translated(app, "confirmed"))
    visit_check(page, "04-email-confirmed")
    assert stored_user("+84912345678").email_verified_at is not None

    log_out(page, app)
    visit_check(page, "05-logged-out")

    log_in(page, app, mai.email, mai.password)
    assert path_of(page) == "/"
    expect(page.locator(".hero")).to_contain_text(mai.full_name)
    visit_check(page, "06-logged-in")

    with page.expect_navigation(wait_until="load"):
        page.locator("form.lang button[value=en]").click()
    assert page.url == live_server("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("form.lang button[value=en]")).to_have_attribute("aria-current", "true")
    expect(page.locator('nav a[href="/account"]')).to_have_text("My account")
    expect(page.get_by_role("heading", level=1)).to_have_text("Gender equality in politics")
    visit_check(page, "07-english")
    assert stored_user("+84912345678").locale == "en"

    with page.expect_navigation(wait_until="load"):
        page.locator("form.lang button[value=vi]").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("form.lang button[value=vi]")).to_have_attribute("aria-current", "true")
    expect(page.locator('nav a[href="/account"]')).to_have_text(translated(app, "My account"))
    visit_check(page, "08-vietnamese")
    assert stored_user("+84912345678").locale == "vi"

    log_out(page, app)
    visit_check(page, "09-logged-out-again")


def test_register_by_phone_and_reset_password_with_sms_code(
    page, live_server, visit_check, unit_label  # noqa: ANN001
) -> None:
    app = live_server.app
    hung = Entrant("Lò Văn Hùng", "0387 654 321", "nuong ray bac thang", gender="male",
                   ethnicity="Thái")
    new_password = "suoi nuoc trong xanh"

    page.goto(live_server("/register"))
    visit_check(page, "01-register-form")
    fill_registration(page, hung, unit_label)
    submit(page)
    assert path_of(page) == "/"
    expect(page.locator(".alert-success")).to_have_text(
        translated(app, "Welcome! Your account is ready.")
    )
    visit_check(page, "02-registered")
    user = stored_user("+84387654321")
    assert user is not None and user.email is None
    assert live_server.outbox == []

    log_out(page, app)

    follow(page, 'nav a[href="/login"]', "/login")
    visit_check(page, "03-login-form")
    follow(page, 'main a[href="/reset"]', "/reset")
    visit_check(page, "04-reset-request")
    page.fill("#identifier", "0387654321")
    submit(page)
    assert path_of(page) == "/reset/code"
    expect(page.locator(".flashes")).to_contain_text(
        translated(app, "If an account matches, we have sent a reset link to its e-mail or a "
                        "code to its phone.")
    )
    expect(page.locator("#phone")).to_have_value("0387 654 321")
    visit_check(page, "05-reset-code-form")

    assert [m.phone for m in live_server.sms_outbox] == ["+84387654321"]
    code = code_in(live_server.sms_outbox[0].text)
    page.fill("#code", code)
    page.fill("#password", new_password)
    page.fill("#confirm", new_password)
    submit(page)
    assert path_of(page) == "/login"
    expect(page.locator(".alert-success")).to_have_text(
        translated(app, "Your password has been changed. Log in with the new one.")
    )
    visit_check(page, "06-password-changed")

    # The old password no longer opens the account.
    page.fill("#identifier", hung.phone)
    page.fill("#password", hung.password)
    submit(page)
    assert path_of(page) == "/login"
    expect(page.locator("#password")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#password-error")).to_have_text(
        translated(app, "The phone number, e-mail or password is wrong.")
    )
    visit_check(page, "07-old-password-refused")

    page.fill("#identifier", "+84 387 654 321")
    page.fill("#password", new_password)
    submit(page)
    assert path_of(page) == "/"
    expect(page.locator(".hero")).to_contain_text(hung.full_name)
    expect(page.locator('nav a[href="/account"]')).to_be_visible()
    visit_check(page, "08-logged-in-with-new-password")


def test_registration_errors_are_shown_next_to_the_fields(
    page, live_server, visit_check, make_user  # noqa: ANN001
) -> None:
    app = live_server.app
    make_user(phone="+84912000111", full_name="Lê Văn Minh", email=None)
    hoa = Entrant("Phạm Thị Hoa", "0912.000.111", "12345678")

    page.goto(live_server("/register"))
    fill_registration(page, hoa)
    submit(page)
    assert path_of(page) == "/register"
    expect(page.locator("#form-errors")).to_have_attribute("role", "alert")
    password = page.locator("#password")
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_attribute("aria-describedby", "password-hint password-error")
    expect(field_box(page, "password").locator(".error")).to_have_text(
        translated(app, PASSWORD_MESSAGES["too_common"])
    )
    expect(page.locator("#full_name")).to_have_value(hoa.full_name)
    expect(page.locator("#full_name")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#consent")).to_be_checked()
    visit_check(page, "01-weak-password")

    # With a good password the duplicate phone number is reported next to the phone field.
    page.fill("#password", "hai ba trung 1975")
    page.fill("#confirm", "hai ba trung 1975")
    submit(page)
    assert path_of(page) == "/register"
    phone = page.locator("#phone")
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(phone).to_have_attribute("aria-describedby", "phone-hint phone-error")
    expect(field_box(page, "phone").locator(".error")).to_have_text(
        translated(app, "An account with this phone number already exists. "
                        "Log in, or reset your password.")
    )
    expect(page.locator("#password")).not_to_have_attribute("aria-invalid", "true")
    visit_check(page, "02-duplicate-phone")

    db.session.expire_all()
    assert db.session.execute(select(func.count()).select_from(User)).scalar_one() == 1
    assert stored_user("+84912000111").full_name == "Lê Văn Minh"
