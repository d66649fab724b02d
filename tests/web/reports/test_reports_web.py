"""The reports console on the demo data: dashboard figures from SQL aggregates, filters and their
refusals, the unit roll-up, small-group suppression, the XLSX, the PDFs (text extracted with
pypdf, Vietnamese diacritics intact), unit coordinators and their narrowed view."""

from __future__ import annotations

import html
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import distinct, func, select

from contest.accounts.identity import mask_name
from contest.accounts.models import Role, Unit, User
from contest.audit import AuditEvent
from contest.extensions import db
from contest.quiz.models import Result, Round, RoundStatus
from contest.reports.figures import Filters, Reader, Scope, UnitTree, shown
from contest.timeutil import local_today


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def demo(app):
    from contest.demo import load_demo

    load_demo(lambda _line: None)
    return app


@pytest.fixture
def organizer(demo, login_as):
    return login_as(Role.ORGANIZER)


def past_round() -> Round:
    return db.session.execute(select(Round).where(Round.status == RoundStatus.PUBLISHED)) \
        .scalars().first()


def test_dashboard_counts_match_the_database(organizer):
    response = organizer.get("/organizer/reports", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    page = text(response)
    expected = db.session.execute(select(func.count(distinct(Result.user_id)))
                                  .where(Result.excluded.is_(False))).scalar_one()
    assert expected > 0
    assert "<svg" in page and "<title" in page and "<desc" in page
    province = db.session.execute(select(Unit).where(Unit.parent_id.is_(None))).scalars().first()
    db.session.add(Unit(code="X-MOI", name="Trường THPT Mới", kind="school",
                        parent_id=province.id, size=300))
    db.session.commit()
    assert "Trường THPT Mới" in text(organizer.get("/organizer/reports"))
    report = Reader(Scope(UnitTree.load()), Filters()).report()
    assert report.participants == expected
    # The gender table adds up to the participants.
    assert sum(r.count for r in report.gender) == expected
    assert sum(r.count for r in report.age) == expected
    # Every unit is listed, those with nobody too, and the province rolls up everyone.
    units = db.session.execute(select(func.count()).select_from(Unit)).scalar_one()
    assert len(report.units) == units
    assert [u.total for u in report.units if u.unit.name == "Trường THPT Mới"] == [0]
    top = [u for u in report.units if u.depth == 0]
    assert sum(u.total for u in top) == expected


def test_filter_by_unit_narrows_everything(organizer):
    rnd = past_round()
    row = db.session.execute(select(Result.unit_id, func.count()).where(Result.round_id == rnd.id)
                             .group_by(Result.unit_id).order_by(func.count().desc())).first()
    unit_id, n = row
    page = text(organizer.get(f"/organizer/reports?unit={unit_id}"))
    report = Reader(Scope(UnitTree.load()), Filters(unit_id=unit_id)).report()
    assert report.participants == n
    assert [u.unit.id for u in report.units] == [unit_id]
    # An organizer looking at one unit sees its participants, names masked.
    assert "Người dự thi" in page


def test_a_reversed_date_range_is_refused_with_a_message(organizer):
    response = organizer.get("/organizer/reports?start=2026-12-01&end=2026-11-01",
                             headers={"Accept-Language": "en"})
    assert response.status_code == 400
    organizer.set_cookie("lang", "en")
    page = text(organizer.get("/organizer/reports?start=2026-12-01&end=2026-11-01"))
    assert "is before the start date" in page
    organizer.set_cookie("lang", "vi")
    page = text(organizer.get("/organizer/reports?start=2026-12-01&end=2026-11-01"))
    assert "is before the start date" not in page and "<svg" not in page


@pytest.mark.parametrize("query", ["unit=999999", "round=999999", "contest=999999",
                                   "unit=abc", "start=2026-13-45"])
def test_unknown_filters_are_refused(organizer, query):
    response = organizer.get(f"/organizer/reports?{query}")
    assert response.status_code == 400
    assert "alert-error" in response.get_data(as_text=True) or "error" in \
        response.get_data(as_text=True)


def test_a_range_with_no_data_says_why_and_gives_no_empty_pdf(organizer):
    organizer.set_cookie("lang", "en")
    query = "start=2001-01-01&end=2001-01-31"
    page = text(organizer.get(f"/organizer/reports?{query}"))
    assert "Nothing to report for this choice" in page
    response = organizer.get(f"/organizer/reports/summary.pdf?{query}")
    assert response.status_code == 302
    assert "Nothing to report" in text(organizer.get(response.headers["Location"]))


def test_small_groups_are_hidden_in_shared_outputs():
    assert shown(3, True) == "<5"
    assert shown(3, False) == "3"
    assert shown(0, True) == "0"
    assert shown(12345, True) == "12.345"


def test_summary_pdf_has_vietnamese_text(organizer):
    organizer.set_cookie("lang", "vi")
    response = organizer.get("/organizer/reports/summary.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) >= 3
    content = "\n".join(page.extract_text() for page in reader.pages)
    assert "BÁO CÁO TỔNG HỢP" in content
    assert "Sở Nội vụ" in content  # a unit name with its diacritics
    assert "Đăng ký theo tuần" in content
    # Winners of the published round are named.
    winner = db.session.execute(select(User.full_name).join(Result, Result.user_id == User.id)
                                .where(Result.prize == "first")).scalar_one()
    assert mask_name(winner) in content and winner not in content


def test_unit_pdf_names_the_unit_and_masks_names(organizer):
    rnd = past_round()
    unit_id = db.session.execute(select(Result.unit_id).where(Result.round_id == rnd.id)
                                 .limit(1)).scalar_one()
    unit = db.session.get(Unit, unit_id)
    response = organizer.get(f"/organizer/reports/units/{unit_id}.pdf")
    assert response.status_code == 200
    content = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert unit.name in content
    person = db.session.execute(select(User).join(Result, Result.user_id == User.id)
                                .where(Result.unit_id == unit_id)).scalars().first()
    assert person.full_name not in content
    assert person.phone not in content
    assert organizer.get("/organizer/reports/units/999999.pdf").status_code == 404


def test_xlsx_has_every_table_as_a_sheet(organizer):
    organizer.set_cookie("lang", "en")
    response = organizer.get("/organizer/reports/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    for name in ("Key figures", "Registrations by week", "Quiz rounds",
                 "Participation by unit", "Gender", "Age bands", "Ethnicity",
                 "Entries by contest", "Judging progress", "Quiz winners"):
        assert name in book.sheetnames
    units = list(book["Participation by unit"].iter_rows(values_only=True))
    assert len(units) == 1 + db.session.execute(select(func.count()).select_from(Unit)) \
        .scalar_one()


def test_print_page_is_whole(organizer):
    page = text(organizer.get("/organizer/reports/print"))
    assert page.count("<svg") >= 4


def test_age_bands_are_settable_and_checked(organizer):
    organizer.set_cookie("lang", "en")
    form = {"organizing_body": "Ban Tổ chức Cuộc thi", "age_bands": "18, 30, 30",
            "number_suffix": "GCN-BTC"}
    response = organizer.post("/organizer/reports/settings", data=form)
    assert response.status_code == 400
    assert "higher age than the one before" in text(response)
    form["age_bands"] = "16, 30, 50"
    assert organizer.post("/organizer/reports/settings", data=form).status_code == 302
    report = Reader(Scope(UnitTree.load()), Filters(age_bands=(16, 30, 50))).report()
    assert [r.label for r in report.age if r.key >= 0] == ["16–29", "30–49", "50+"]
    page = text(organizer.get("/organizer/reports"))
    assert "16–29" in page
    assert db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "reports.settings")).scalar_one()


# --- unit coordinators ---------------------------------------------------------------------


def _appoint(organizer, user: User, unit: Unit):
    return organizer.post("/organizer/reports/coordinators",
                          data={"identifier": user.phone, "unit": str(unit.id)})


def test_a_coordinator_sees_only_their_unit(demo, organizer, make_user, app):
    from tests.conftest import login

    rnd = past_round()
    unit_id, n = db.session.execute(
        select(Result.unit_id, func.count()).where(Result.round_id == rnd.id)
        .group_by(Result.unit_id).order_by(func.count().desc())).first()
    unit = db.session.get(Unit, unit_id)
    other = db.session.execute(select(Unit).where(Unit.id != unit_id, Unit.parent_id.is_not(None))
                               ).scalars().first()
    person = make_user(email=None, full_name="Cán Bộ Đầu Mối")
    assert _appoint(organizer, person, unit).status_code == 302
    db.session.refresh(person)
    assert Role.UNIT_COORDINATOR in person.roles
    client = app.test_client()
    login(client, person)
    client.set_cookie("lang", "en")
    page = text(client.get("/organizer/reports"))
    assert unit.name in page and other.name not in page
    assert "Participants" in page
    entrant = db.session.execute(select(User).join(Result, Result.user_id == User.id)
                                 .where(Result.unit_id == unit_id)).scalars().first()
    assert entrant.full_name not in page and entrant.phone not in page
    assert entrant.birth_date.isoformat() not in page
    if n < 5:
        assert "&lt;5" in response_text(client) or "<5" in page
    assert client.get(f"/organizer/reports?unit={other.id}").status_code == 400
    assert client.get(f"/organizer/reports/units/{other.id}.pdf").status_code == 404
    assert client.get(f"/organizer/reports/units/{unit.id}.pdf").status_code == 200
    # Nothing of the rest of the console.
    for url in ("/organizer/", "/organizer/users", "/organizer/reports/settings",
                "/organizer/reports/coordinators", "/organizer/certificates"):
        assert client.get(url).status_code == 403, url


def response_text(client) -> str:
    return client.get("/organizer/reports").get_data(as_text=True)


def test_coordinator_appointment_refusals_and_dismissal(organizer, make_user):
    organizer.set_cookie("lang", "en")
    response = organizer.post("/organizer/reports/coordinators",
                              data={"identifier": "+84999999999", "unit": "1"})
    assert response.status_code == 400
    assert "No account has this phone number" in text(response)
    person = make_user()
    unit = db.session.execute(select(Unit)).scalars().first()
    assert _appoint(organizer, person, unit).status_code == 302
    assert _appoint(organizer, person, unit).status_code == 302  # again: nothing new
    rows = db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "reports.coordinator_appointed",
        AuditEvent.subject_id == str(person.id))).scalars().all()
    assert len(rows) == 1
    response = organizer.post(f"/organizer/reports/coordinators/{person.id}/dismiss")
    assert response.status_code == 302
    db.session.refresh(person)
    assert Role.UNIT_COORDINATOR not in person.roles
    # The role is not granted from the people screen, where no unit can be chosen.
    response = organizer.post(f"/organizer/users/{person.id}/roles",
                              data={"role": "unit_coordinator", "action": "grant"})
    db.session.refresh(person)
    assert Role.UNIT_COORDINATOR not in person.roles


def test_dates_filter_registrations(organizer):
    today = local_today().isoformat()
    response = organizer.get(f"/organizer/reports?start=2025-06-01&end={today}")
    assert response.status_code == 200
