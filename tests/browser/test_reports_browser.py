"""Reports and certificates in a real browser, on the demo data.

An organizer opens the dashboard, filters by a unit, downloads the summary PDF and the XLSX; a
unit coordinator sees only their unit; a winner downloads their certificate and the QR code's
URL shows it genuine; a revoked one shows revoked. Every page is checked by ``visit_check``
(screenshot, width of a 360-px phone, loaded assets, axe-core).
"""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from contest.accounts.models import Unit, User
from contest.certificates.models import Certificate
from contest.demo_accounts import DEMO_PASSWORD, ORGANIZER_PHONE
from contest.extensions import db
from contest.quiz.models import Result
from contest.reports.demo import COORDINATOR_UNIT, DEMO_COORDINATORS
from contest.reports.figures import UnitTree
from tests.browser.helpers import translated

try:
    from playwright.sync_api import expect
except ImportError:  # the harness skips (or fails under REQUIRE_BROWSER=1) before any test runs
    expect = None


@pytest.fixture
def demo(app):
    from contest.demo import load_demo

    load_demo(lambda _line: None)
    return app


def log_in(page, live_server, identifier: str) -> None:  # noqa: ANN001
    page.goto(live_server("/login"))
    page.fill("#identifier", identifier)
    page.fill("#password", DEMO_PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.locator("main form button[type=submit]").click()


def test_organizer_filters_and_downloads(demo, page, live_server, visit_check) -> None:  # noqa: ANN001
    log_in(page, live_server, ORGANIZER_PHONE)
    page.goto(live_server("/organizer/reports"))
    expect(page.locator("h1")).to_contain_text(translated(demo, "Reports"))
    expect(page.locator("svg.chart").first).to_be_visible()
    visit_check(page, "01-dashboard")
    unit = db.session.execute(select(Unit).where(Unit.code == COORDINATOR_UNIT)).scalar_one()
    page.select_option("#unit", str(unit.id))
    with page.expect_navigation(wait_until="load"):
        page.locator("form.report-filters button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text(unit.name)
    visit_check(page, "02-one-unit")
    with page.expect_download() as pdf_download:
        page.locator("a[href*='summary.pdf']").click()
    data = open(pdf_download.value.path(), "rb").read()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "BÁO CÁO TỔNG HỢP" in text and unit.name in text
    with page.expect_download() as xlsx_download:
        page.locator("a[href*='export.xlsx']").click()
    assert open(xlsx_download.value.path(), "rb").read(2) == b"PK"
    # A reversed range is refused with a message, in the page's language.
    page.fill("#start", "2026-12-01")
    page.fill("#end", "2026-11-01")
    with page.expect_navigation(wait_until="load"):
        page.locator("form.report-filters button[type=submit]").click()
    expect(page.locator("#end-error")).to_be_visible()


def test_coordinator_sees_only_their_unit(demo, page, live_server, visit_check) -> None:  # noqa: ANN001
    log_in(page, live_server, DEMO_COORDINATORS[0].phone)
    page.locator("nav a[href='/organizer/reports']").click()
    page.wait_for_load_state("load")
    unit = db.session.execute(select(Unit).where(Unit.code == COORDINATOR_UNIT)).scalar_one()
    expect(page.locator("h1")).to_contain_text(unit.name)
    options = page.locator("#unit option").all_text_contents()
    subtree = UnitTree.load().subtree(unit.id)
    names = {db.session.get(Unit, i).name for i in subtree}
    assert len(names) >= 2  # a school under the commune
    assert {o.strip() for o in options[1:]} == names
    entrant = db.session.execute(select(User).join(Result, Result.user_id == User.id)
                                 .where(Result.unit_id == unit.id)).scalars().first()
    assert entrant.full_name not in page.content()
    visit_check(page, "01-coordinator")
    response = page.goto(live_server("/organizer/users"))
    assert response.status == 403


def test_winner_downloads_and_verifies(demo, page, live_server, visit_check, browser) -> None:  # noqa: ANN001
    cert = db.session.execute(select(Certificate).where(Certificate.prize == "first")) \
        .scalar_one()
    winner = db.session.get(User, cert.user_id)
    log_in(page, live_server, winner.phone)
    page.goto(live_server("/certificates"))
    visit_check(page, "01-my-certificates")
    with page.expect_download() as download:
        page.locator(f"a[href='/certificates/{cert.code}.pdf']").click()
    data = open(download.value.path(), "rb").read()
    assert data.startswith(b"%PDF"), data[:300]
    content = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    # The URL the QR code carries is printed under it (possibly wrapped over two lines).
    found = re.search(r"https?://\S+?/verify/[A-Za-z0-9_-]{20}", content.replace("\n", ""))
    assert found and found.group(0).endswith(cert.code)
    page.goto(found.group(0))
    expect(page.locator("#verdict")).to_have_class("alert alert-success")
    expect(page.locator("main")).to_contain_text(winner.full_name)
    visit_check(page, "02-genuine")


def test_a_revoked_certificate_shows_revoked(demo, page, live_server, visit_check) -> None:  # noqa: ANN001
    cert = db.session.execute(select(Certificate).order_by(Certificate.number.desc())) \
        .scalars().first()
    log_in(page, live_server, ORGANIZER_PHONE)
    page.goto(live_server("/organizer/certificates"))
    visit_check(page, "01-list")
    row = page.locator("tr", has_text=cert.number_text)
    row.locator("summary").click()
    row.locator("textarea").fill("Ghi sai tên người nhận")
    with page.expect_navigation(wait_until="load"):
        row.locator("details button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    page.goto(live_server(f"/verify/{cert.code}"))
    expect(page.locator("#verdict")).to_have_class("alert alert-error")
    visit_check(page, "02-revoked")
    db.session.expire_all()
    assert db.session.execute(select(func.count()).select_from(Certificate).where(
        Certificate.revoked_at.is_not(None))).scalar_one() == 1
