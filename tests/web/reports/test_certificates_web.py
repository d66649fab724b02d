"""Certificates on the demo data: one action makes one per published prize (and again adds
none), the PDF is A4 landscape with the Vietnamese text and the verification URL, the public
check says genuine / revoked / unknown, winners get theirs and nobody else's, revoke and
reissue are audited."""

from __future__ import annotations

import io
import zipfile

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from contest.accounts.models import Role, User
from contest.audit import AuditEvent
from contest.certificates.models import Certificate
from contest.demo import DEMO_PASSWORD
from contest.extensions import db
from contest.quiz.models import Result


@pytest.fixture
def demo(app):
    from contest.demo import load_demo

    load_demo(lambda _line: None)
    return app


@pytest.fixture
def organizer(demo, login_as):
    return login_as(Role.ORGANIZER)


def prize_count() -> int:
    return db.session.execute(select(func.count()).select_from(Result).where(
        Result.prize.is_not(None), Result.prize != "?")).scalar_one()


def test_generate_is_one_action_and_idempotent(organizer):
    existing = db.session.execute(select(func.count()).select_from(Certificate)).scalar_one()
    assert organizer.post("/organizer/certificates/generate").status_code == 302
    quiz = db.session.execute(select(func.count()).select_from(Certificate)
                              .where(Certificate.kind == "quiz_prize")).scalar_one()
    assert quiz == prize_count() > 0
    total = db.session.execute(select(func.count()).select_from(Certificate)).scalar_one()
    assert total >= existing
    assert organizer.post("/organizer/certificates/generate").status_code == 302
    assert db.session.execute(select(func.count()).select_from(Certificate)).scalar_one() \
        == total
    codes = db.session.execute(select(Certificate.code)).scalars().all()
    assert len(set(codes)) == len(codes) and all(len(c) >= 20 for c in codes)
    events = db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "certificates.generate")).scalars().all()
    assert len(events) >= 2


def test_certificate_pdf_and_verification(organizer, client, app):
    from tests.conftest import login

    organizer.post("/organizer/certificates/generate")
    cert = db.session.execute(select(Certificate).where(Certificate.prize == "first")) \
        .scalars().first()
    response = organizer.get(f"/organizer/certificates/{cert.id}.pdf")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape
    content = reader.pages[0].extract_text()
    assert "GIẤY CHỨNG NHẬN" in content
    assert cert.recipient_name in content
    assert f"{cert.number}/GCN-BTC" in content
    assert f"/verify/{cert.code}" in content
    # The public check.
    client.set_cookie("lang", "en")
    page = client.get(f"/verify/{cert.code}").get_data(as_text=True)
    assert "Genuine" in page and cert.recipient_name in page, page[page.find("<main"):][:1500]
    unknown = client.get("/verify/" + "x" * 20)
    assert unknown.status_code == 404 and "Unknown code" in unknown.get_data(as_text=True)
    # The winner downloads theirs; another entrant cannot.
    winner = db.session.get(User, cert.user_id)
    own = app.test_client()
    login(own, winner, DEMO_PASSWORD)
    assert own.get(f"/certificates/{cert.code}.pdf").status_code == 200
    assert cert.code in own.get("/certificates").get_data(as_text=True)
    other = db.session.execute(select(User).join(Result, Result.user_id == User.id).where(
        User.id != winner.id, Result.prize.is_(None))).scalars().first()
    stranger = app.test_client()
    login(stranger, other, DEMO_PASSWORD)
    assert stranger.get(f"/certificates/{cert.code}.pdf").status_code == 404


def test_revoke_and_reissue(organizer, client):
    organizer.post("/organizer/certificates/generate")
    cert = db.session.execute(select(Certificate)).scalars().first()
    organizer.set_cookie("lang", "en")
    response = organizer.post(f"/organizer/certificates/{cert.id}/revoke", data={"reason": ""})
    assert response.status_code == 302
    db.session.refresh(cert)
    assert cert.revoked_at is None
    organizer.post(f"/organizer/certificates/{cert.id}/revoke", data={"reason": "Sai tên"})
    organizer.post(f"/organizer/certificates/{cert.id}/revoke", data={"reason": "Sai tên"})
    db.session.refresh(cert)
    assert cert.revoked_at is not None and cert.revoke_reason == "Sai tên"
    actions = db.session.execute(select(AuditEvent.action).where(
        AuditEvent.subject_id == str(cert.id))).scalars().all()
    assert "certificate.revoke" in actions and "certificate.revoke_repeated" in actions
    client.set_cookie("lang", "en")
    page = client.get(f"/verify/{cert.code}").get_data(as_text=True)
    assert "was revoked on" in page
    organizer.post(f"/organizer/certificates/{cert.id}/reissue")
    new = db.session.execute(select(Certificate).where(Certificate.reissue_of_id == cert.id)) \
        .scalar_one()
    assert new.number != cert.number and new.code != cert.code and new.revision == 2
    assert "Genuine" in client.get(f"/verify/{new.code}").get_data(as_text=True)
    # Reissuing the old one again is refused: the new one is the latest.
    organizer.post(f"/organizer/certificates/{cert.id}/reissue")
    assert db.session.execute(select(func.count()).select_from(Certificate).where(
        Certificate.source_key == cert.source_key)).scalar_one() == 2


def test_list_filters_and_zip(organizer):
    organizer.post("/organizer/certificates/generate")
    rnd = db.session.execute(select(Certificate.quiz_round_id).where(
        Certificate.quiz_round_id.is_not(None))).scalars().first()
    page = organizer.get(f"/organizer/certificates?round={rnd}").get_data(as_text=True)
    assert "/verify/" in page
    assert organizer.get("/organizer/certificates?round=abc&status=%00x").status_code in (200,
                                                                                           400)
    response = organizer.get(f"/organizer/certificates/all.zip?round={rnd}")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    names = archive.namelist()
    assert len(names) == db.session.execute(select(func.count()).select_from(Certificate).where(
        Certificate.quiz_round_id == rnd, Certificate.revoked_at.is_(None))).scalar_one()
    assert archive.read(names[0]).startswith(b"%PDF")


def test_participation_certificates_are_off_by_default(organizer):
    organizer.post("/organizer/certificates/generate")
    assert db.session.execute(select(func.count()).select_from(Certificate).where(
        Certificate.kind == "participation")).scalar_one() == 0


@pytest.mark.parametrize("roles", [(), (Role.JOURNALIST,), (Role.JUDGE,),
                                   (Role.UNIT_COORDINATOR,)])
def test_console_is_for_organizers(demo, login_as, roles):
    client = login_as(*roles)
    for method, url in [("GET", "/organizer/certificates"),
                        ("POST", "/organizer/certificates/generate"),
                        ("GET", "/organizer/certificates/1.pdf"),
                        ("GET", "/organizer/certificates/all.zip"),
                        ("POST", "/organizer/certificates/1/revoke"),
                        ("POST", "/organizer/certificates/1/reissue"),
                        ("GET", "/organizer/reports/settings"),
                        ("POST", "/organizer/reports/coordinators/1/dismiss")]:
        assert client.open(url, method=method).status_code == 403, url
    expected = 200 if Role.UNIT_COORDINATOR in roles else 403
    assert client.get("/organizer/reports").status_code == expected
