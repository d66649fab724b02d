"""Issue 9.2: an e-mail change waits for the new address; the old one (or the phone) is told of
every e-mail and password change, with a link that undoes it and logs every device out."""

from __future__ import annotations

import re

from contest.accounts.models import Role
from tests.conftest import PASSWORD
from tests.web.accounts.accountkit import (
    client_at,
    fresh_user,
    mail_links,
    opens_account,
    sign_in,
    text,
)

PROFILE = {"gender": "", "unit_id": "", "ethnicity": "", "outlet": "", "locale": "en"}


def sms_links(app, path: str) -> list[str]:
    found = []
    for message in app.extensions.get("sms_outbox", []):
        found += re.findall(rf"http://localhost({re.escape(path)}\S+)", message.text)
    return found


def test_change_is_pending_until_the_new_address_confirms(app, make_user):
    user = make_user(email="lan@example.org")
    c = client_at(app)
    sign_in(c, user, PASSWORD)
    response = c.post("/account", data={**PROFILE, "email": "lan.new@example.org"})
    assert response.status_code == 302
    after = fresh_user(user.id)
    assert (after.email, after.pending_email) == ("lan@example.org", "lan.new@example.org")
    assert "Waiting for confirmation: lan.new@example.org" in text(c.get("/account"))

    # the old address is told, with a report link; the new one gets the confirmation link
    assert mail_links(app, "/account/report/", to="lan@example.org")
    [confirm] = mail_links(app, "/account/email/", to="lan.new@example.org")
    # still the old address to log in with
    assert client_at(app).post("/login", data={"identifier": "lan.new@example.org",
                                               "password": PASSWORD}).status_code == 400

    assert client_at(app).get(confirm).status_code == 302
    after = fresh_user(user.id)
    assert after.email == "lan.new@example.org" and after.pending_email is None
    assert after.email_verified_at is not None
    # the link works once
    assert client_at(app).get(confirm).status_code == 400


def test_tampered_or_superseded_confirmation_is_refused(app, make_user):
    user = make_user(email="lan@example.org")
    c = client_at(app)
    sign_in(c, user, PASSWORD)
    c.post("/account", data={**PROFILE, "email": "first@example.org"})
    c.post("/account", data={**PROFILE, "email": "second@example.org"})
    [first] = mail_links(app, "/account/email/", to="first@example.org")
    assert client_at(app).get(first).status_code == 400
    assert client_at(app).get(first[:-3] + "abc").status_code == 400
    assert fresh_user(user.id).email == "lan@example.org"


def test_address_taken_meanwhile_is_not_stolen(app, make_user):
    user = make_user(email="lan@example.org")
    c = client_at(app)
    sign_in(c, user, PASSWORD)
    c.post("/account", data={**PROFILE, "email": "shared@example.org"})
    make_user(email="shared@example.org")
    [confirm] = mail_links(app, "/account/email/", to="shared@example.org")
    assert client_at(app).get(confirm).status_code == 400
    assert fresh_user(user.id).email == "lan@example.org"


def test_report_link_undoes_the_change_and_logs_everyone_out(app, make_user):
    user = make_user(email="lan@example.org")
    attacker = client_at(app, address="198.51.100.9")
    sign_in(attacker, user, PASSWORD)
    attacker.post("/account", data={**PROFILE, "email": "thief@example.net"})
    [confirm] = mail_links(app, "/account/email/", to="thief@example.net")
    attacker.get(confirm)
    assert fresh_user(user.id).email == "thief@example.net"

    [report] = mail_links(app, "/account/report/", to="lan@example.org")
    owner = client_at(app)
    page = owner.get(report)
    assert page.status_code == 200 and "It was not me" in text(page)
    assert fresh_user(user.id).email == "thief@example.net"  # a GET changes nothing
    assert owner.post(report, data={"confirm": "1"}).status_code == 200

    after = fresh_user(user.id)
    assert after.email == "lan@example.org" and after.email_verified_at is not None
    assert not opens_account(attacker)


def test_phone_only_account_is_told_by_sms(app, make_user):
    user = make_user(email=None)
    c = client_at(app)
    sign_in(c, user, PASSWORD)
    c.post("/account", data={**PROFILE, "email": "new@example.org"})
    [message] = app.extensions["sms_outbox"]
    assert message.phone == user.phone
    assert "new•••" not in message.text and "ne•••@example.org" in message.text
    [report] = sms_links(app, "/account/report/")

    client_at(app).post(report, data={"confirm": "1"})
    after = fresh_user(user.id)
    assert after.email is None and after.pending_email is None
    assert not opens_account(c)


def test_password_change_is_told_to_the_address(app, make_user):
    user = make_user(email="lan@example.org", locale="en")
    c = client_at(app)
    sign_in(c, user, PASSWORD)
    new = "mưa rào tháng sáu"
    c.post("/account/password", data={"current": PASSWORD, "password": new, "confirm": new})
    [notice] = [m for m in app.extensions["outbox"] if m["To"] == "lan@example.org"]
    assert notice["Subject"] == "Your password was changed"
    assert mail_links(app, "/account/report/", to="lan@example.org")


def test_password_change_is_told_by_sms_in_the_account_language(app, make_user):
    user = make_user(email=None, locale="vi")
    c = client_at(app)
    sign_in(c, user, PASSWORD)
    new = "mưa rào tháng sáu"
    c.post("/account/password", data={"current": PASSWORD, "password": new, "confirm": new})
    [message] = app.extensions["sms_outbox"]
    assert message.phone == user.phone
    assert "Mật khẩu" in message.text
    assert sms_links(app, "/account/report/")


def test_removing_the_email_is_told_to_it(app, make_user):
    user = make_user(email="lan@example.org")
    c = client_at(app)
    sign_in(c, user, PASSWORD)
    c.post("/account", data={**PROFILE, "email": ""})
    assert fresh_user(user.id).email is None
    [report] = mail_links(app, "/account/report/", to="lan@example.org")
    client_at(app).post(report, data={"confirm": "1"})
    assert fresh_user(user.id).email == "lan@example.org"


def test_role_holder_keeps_an_address(app, make_user):
    user = make_user(Role.JUDGE, email="judge@example.org")
    c = client_at(app)
    sign_in(c, user, PASSWORD)
    response = c.post("/account", data={**PROFILE, "email": ""})
    assert response.status_code == 400
    assert fresh_user(user.id).email == "judge@example.org"


def test_report_needs_a_valid_link(app, make_user):
    make_user(email="lan@example.org")
    assert client_at(app).post("/account/report/nonsense", data={"confirm": "1"}).status_code \
        == 400
