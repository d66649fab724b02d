"""Issue 9.7: many people register from one address; the limit counts accounts created, and
reaching it shows the form again with what was typed, never a bare error page."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from contest.accounts.models import User
from contest.extensions import db
from tests.web.accounts.accountkit import client_at, flashes, text

HALL = "203.0.113.50"
LIMIT_MESSAGE = "Many accounts have just been created from your network."


@pytest.fixture
def app_config(app_config):
    app_config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                      RATELIMIT_REGISTER="3 per hour", RATELIMIT_REGISTER_FAILED="6 per hour")
    return app_config


def person(n: int, **changes: str) -> dict[str, str]:
    data = {"full_name": f"Lò Thị Mai {n}", "phone": f"0912 000 {n:03d}",
            "password": "hoa sen nở giữa đầm", "confirm": "hoa sen nở giữa đầm",
            "birth_date": "1990-05-17", "gender": "female", "unit_id": "", "ethnicity": "",
            "citizen_id": "", "outlet": "", "email": "", "consent": "y"}
    data.update(changes)
    return data


def accounts() -> int:
    return db.session.execute(select(func.count()).select_from(User)).scalar_one()


def test_successful_registrations_are_counted_per_address(app):
    for n in range(3):
        response = client_at(app, address=HALL).post("/register", data=person(n))
        assert response.status_code == 302
    response = client_at(app, address=HALL).post("/register", data=person(3))
    assert response.status_code == 429
    page = text(response)
    assert any(LIMIT_MESSAGE in f for f in flashes(response))
    # what was typed is still there (the password is never sent back)
    assert 'value="Lò Thị Mai 3"' in page
    assert 'value="0912 000 003"' in page
    assert 'value="1990-05-17"' in page
    assert '<form method="post"' in page
    assert accounts() == 3
    # another address is not held up
    assert client_at(app, address="203.0.113.51").post("/register",
                                                       data=person(4)).status_code == 302


def test_failed_attempts_do_not_use_up_the_success_limit(app):
    for n in range(5):
        response = client_at(app, address=HALL).post("/register",
                                                     data=person(n, consent=""))
        assert response.status_code == 400
    for n in range(3):
        assert client_at(app, address=HALL).post("/register",
                                                 data=person(n)).status_code == 302


def test_many_failed_attempts_are_limited_too(app):
    # e.g. a script trying phone numbers to see which are registered
    for n in range(6):
        client_at(app, address=HALL).post("/register", data=person(n, password="short"))
    response = client_at(app, address=HALL).post("/register", data=person(7))
    assert response.status_code == 429
    assert 'value="Lò Thị Mai 7"' in text(response)
    assert accounts() == 0


def test_the_message_is_in_vietnamese_by_default(app):
    for n in range(3):
        client_at(app, address=HALL, lang="vi").post("/register", data=person(n))
    response = client_at(app, address=HALL, lang="vi").post("/register", data=person(3))
    assert response.status_code == 429
    assert LIMIT_MESSAGE not in text(response)
    assert "mạng" in " ".join(flashes(response))
