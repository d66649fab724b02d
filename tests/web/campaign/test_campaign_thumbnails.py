"""PDF materials get a thumbnail drawn from their first page when they are uploaded (PDFium in
a child process, bounded in time and size); a PDF that cannot be drawn is still accepted and
shown without a picture, and an uploaded thumbnail wins over the drawn one."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image
from sqlalchemy import select

from contest.accounts.models import Role
from contest.campaign import pdfthumb
from contest.campaign.models import Material
from contest.extensions import db
from tests.web.campaign.campaignkit import PDF, png, text

RED = (200, 30, 30)


def leaflet_pdf(pages: int = 2) -> bytes:
    """An A4 leaflet whose first page has a red band across its top."""
    pdf = FPDF(format="A4")
    for n in range(pages):
        pdf.add_page()
        if n == 0:
            pdf.set_fill_color(*RED)
            pdf.rect(0, 0, 210, 100, "F")
        pdf.set_font("helvetica", size=24)
        pdf.text(20, 150, f"Page {n + 1}")
    return bytes(pdf.output())


@pytest.fixture
def organizer(login_as):
    c = login_as(Role.ORGANIZER)
    c.set_cookie("lang", "en")
    return c


@pytest.fixture
def thumbs(app) -> Path:
    return Path(app.config["UPLOAD_ROOT"]) / "campaign" / "thumbs"


def upload(organizer, content: bytes, name: str, **extra):
    return organizer.post("/organizer/campaign/materials/new", data={
        "title": "Tờ rơi bầu cử", "description": "", "category": "leaflet",
        "audience": "public", "link_url": "", "published": "y",
        "upload": (io.BytesIO(content), name), **extra}, content_type="multipart/form-data")


def test_a_pdf_gets_its_first_page_as_thumbnail(app, organizer, client, thumbs):
    assert upload(organizer, leaflet_pdf(), "to-roi.pdf").status_code == 302
    item = db.session.execute(select(Material)).scalar_one()
    assert item.thumb_name and (item.thumb_width, item.thumb_height) == (640, 906)
    for width in (320, 640):
        with Image.open(thumbs / f"{item.thumb_name}-{width}.jpg") as picture:
            assert picture.width == width
            r, g, b = picture.convert("RGB").getpixel((width // 2, 10))
            assert abs(r - RED[0]) < 20 and g < 60 and b < 60  # the red band of page 1
            assert picture.convert("RGB").getpixel((width // 2, picture.height - 10)) == (
                255, 255, 255)
    listing = text(client.get("/materials"))
    tag = re.search(rf'<img src="/materials/thumbs/{item.thumb_name}/320\.jpg"[^>]*>', listing)
    assert tag, listing[:2000]
    assert 'loading="lazy"' in tag.group(0) and 'width="640"' in tag.group(0) \
        and 'height="906"' in tag.group(0)
    served = client.get(f"/materials/thumbs/{item.thumb_name}/640.jpg")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"


def test_a_pdf_that_cannot_be_drawn_is_kept_without_a_thumbnail(app, organizer, client):
    assert upload(organizer, PDF, "hong.pdf").status_code == 302
    item = db.session.execute(select(Material)).scalar_one()
    assert item.kind == "pdf" and item.thumb_name is None
    page = text(client.get("/materials"))
    assert "Tờ rơi bầu cử" in page and "/materials/thumbs/" not in page


def test_an_uploaded_thumbnail_wins_over_the_first_page(app, organizer, thumbs):
    response = upload(organizer, leaflet_pdf(), "to-roi.pdf",
                      thumbnail=(io.BytesIO(png(900, 600, "green")), "t.png"))
    assert response.status_code == 302
    item = db.session.execute(select(Material)).scalar_one()
    assert (item.thumb_width, item.thumb_height) == (640, 427)
    with Image.open(thumbs / f"{item.thumb_name}-640.jpg") as picture:
        r, g, b = picture.convert("RGB").getpixel((320, 200))
        assert g > 100 and r < 40


def test_drawing_is_bounded_in_time_and_size(tmp_path):
    path = tmp_path / "to-roi.pdf"
    path.write_bytes(leaflet_pdf())
    assert pdfthumb.first_page(path, 640, timeout=0.001) is None
    small = pdfthumb.first_page(path, 100)
    assert small is not None and small.width <= 100 and small.height <= 200
    tall = FPDF(format=(100, 3000))
    tall.add_page()
    path.write_bytes(bytes(tall.output()))
    strip = pdfthumb.first_page(path, 640)
    assert strip is not None and strip.height == 1280 and strip.width < 100
