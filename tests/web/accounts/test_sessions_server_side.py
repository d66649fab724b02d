"""Issue 9.1: logging out ends the session on the server, for every copy of its cookies."""

from __future__ import annotations

from datetime import timedelta

from contest.accounts.models import LoginSession
from contest.extensions import db
from contest.timeutil import utcnow
from tests.conftest import PASSWORD
from tests.web.accounts.accountkit import (
    ANDROID,
    WINDOWS,
    client_at,
    copy_cookies,
    opens_account,
    records,
    sign_in,
    text,
)


def test_copied_session_cookie_is_dead_after_logout(app, make_user):
    user = make_user()
    victim = client_at(app)
    assert sign_in(victim, user, PASSWORD).status_code == 302
    thief = client_at(app, address="198.51.100.9")
    copy_cookies(victim, thief, "session")
    assert opens_account(thief)  # the attack works while the victim is signed in

    victim.post("/logout")

    assert not opens_account(thief)
    assert not opens_account(victim)


def test_remember_cookie_alone_is_dead_after_logout(app, make_user):
    user = make_user()
    victim = client_at(app)
    sign_in(victim, user, PASSWORD, remember=True)
    thief = client_at(app, address="198.51.100.9")
    copy_cookies(victim, thief, "remember_token")
    assert opens_account(thief)  # the cookie alone restores the account

    victim.post("/logout")

    # the copy taken before logout, replayed by a fresh browser that has nothing else
    late_thief = client_at(app, address="198.51.100.10")
    copy_cookies(thief, late_thief, "remember_token")
    assert not opens_account(late_thief)
    [row] = records(user.id)
    assert row.revoked_at is not None


def test_password_change_revokes_remember_cookies_elsewhere(app, make_user):
    user = make_user()
    phone = client_at(app, agent=ANDROID)
    sign_in(phone, user, PASSWORD, remember=True)
    laptop = client_at(app, agent=WINDOWS)
    sign_in(laptop, user, PASSWORD)
    copy = client_at(app, address="198.51.100.9")
    copy_cookies(phone, copy, "remember_token")

    new = "mưa rào tháng sáu"
    response = laptop.post("/account/password",
                           data={"current": PASSWORD, "password": new, "confirm": new})
    assert response.status_code == 302

    assert not opens_account(copy)
    assert not opens_account(phone)
    assert opens_account(laptop)  # the device that made the change stays signed in


def test_remember_record_expires(app, make_user):
    user = make_user()
    victim = client_at(app)
    sign_in(victim, user, PASSWORD, remember=True)
    thief = client_at(app, address="198.51.100.9")
    copy_cookies(victim, thief, "remember_token")
    [row] = records(user.id)
    # thirty days of the cookie's duration
    assert row.expires_at - row.created_at == app.config["REMEMBER_COOKIE_DURATION"]
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    assert not opens_account(thief)


def test_session_list_shows_devices_and_revokes_one(app, make_user):
    user = make_user()
    phone = client_at(app, address="203.0.113.7", agent=ANDROID)
    sign_in(phone, user, PASSWORD, remember=True)
    laptop = client_at(app, address="192.0.2.44", agent=WINDOWS)
    sign_in(laptop, user, PASSWORD)

    page = text(laptop.get("/account"))
    assert "Chrome Mobile 120 · Android 10 · Samsung SM-A105F" in page
    assert "Chrome 121 · Windows 10" in page
    assert "203.0.113.7" in page and "192.0.2.44" in page
    assert page.count(">this device<") == 1

    phone_row = next(r for r in records(user.id) if r.user_agent == ANDROID)
    response = laptop.post(f"/account/sessions/{phone_row.id}/revoke")
    assert response.status_code == 302
    assert not opens_account(phone)
    assert opens_account(laptop)
    assert "Android" not in text(laptop.get("/account"))


def test_nobody_revokes_another_accounts_session(app, make_user):
    victim_user, attacker_user = make_user(), make_user()
    victim = client_at(app)
    sign_in(victim, victim_user, PASSWORD)
    attacker = client_at(app, address="198.51.100.9")
    sign_in(attacker, attacker_user, PASSWORD)
    [victim_row] = records(victim_user.id)

    assert attacker.post(f"/account/sessions/{victim_row.id}/revoke").status_code == 404
    assert opens_account(victim)


def test_revoke_is_post_only(app, make_user):
    user = make_user()
    c = client_at(app)
    sign_in(c, user, PASSWORD)
    [row] = records(user.id)
    assert c.get(f"/account/sessions/{row.id}/revoke").status_code == 405
    assert opens_account(c)


def test_log_out_on_every_device(app, make_user):
    user = make_user()
    devices = [client_at(app, address=f"203.0.113.{n}") for n in range(1, 4)]
    for n, c in enumerate(devices):
        sign_in(c, user, PASSWORD, remember=n == 0)
    thief = client_at(app, address="198.51.100.9")
    copy_cookies(devices[0], thief, "remember_token")

    response = devices[1].post("/account/sessions/end-all")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login")

    assert not any(opens_account(c) for c in [*devices, thief])
    assert all(r.revoked_at is not None for r in records(user.id))


def test_logged_in_again_after_logout_works(app, make_user):
    user = make_user()
    c = client_at(app)
    sign_in(c, user, PASSWORD)
    c.post("/logout")
    sign_in(c, user, PASSWORD)
    assert opens_account(c)
    live = [r for r in records(user.id) if r.revoked_at is None]
    assert len(live) == 1


def test_last_seen_and_address_follow_the_device(app, make_user):
    user = make_user()
    c = client_at(app, address="203.0.113.7")
    sign_in(c, user, PASSWORD)
    [row] = records(user.id)
    row.last_seen_at = utcnow() - timedelta(hours=2)
    db.session.commit()
    c.environ_base["REMOTE_ADDR"] = "203.0.113.99"
    assert opens_account(c)
    [row] = records(user.id)
    assert utcnow() - row.last_seen_at < timedelta(minutes=1)
    assert row.client_address == "203.0.113.99"


def test_only_a_hash_of_the_key_is_stored(app, make_user):
    user = make_user()
    c = client_at(app)
    sign_in(c, user, PASSWORD)
    [row] = records(user.id)
    cookie_value = c.get_cookie("session").value
    assert row.key_hash not in cookie_value
    assert isinstance(row, LoginSession) and len(row.key_hash) == 64
