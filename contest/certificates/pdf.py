"""A certificate as an A4 landscape PDF (fpdf2, Noto Sans) with a QR code (segno) that opens its
public verification page. Always in Vietnamese: it is an official paper. Imported only when a
certificate is drawn, so workers do not load fpdf2 or segno at start."""

from __future__ import annotations

import io
import logging

import segno
from flask_babel import force_locale
from flask_babel import gettext as _
from fpdf import FPDF

from contest import fonts
from contest.certificates.models import Certificate

# fontTools logs every subsetting step at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)

BRAND = (107, 63, 160)
GOLD = (176, 141, 60)


def _date_line(cert: Certificate) -> str:
    day = cert.issued_on
    return _("%(place)sday %(d)02d month %(m)02d year %(y)d",
             place=f"{cert.place}, " if cert.place else "", d=day.day, m=day.month, y=day.year)


def draw(cert: Certificate, verify_url: str) -> bytes:
    with force_locale("vi"):
        return _draw(cert, verify_url)


def _draw(cert: Certificate, verify_url: str) -> bytes:
    doc = FPDF(orientation="landscape", unit="mm", format="A4")
    doc.set_auto_page_break(False)
    doc.add_font("Noto", "", str(fonts.path("regular")))
    doc.add_font("Noto", "B", str(fonts.path("bold")))
    doc.add_font("Noto", "I", str(fonts.path("italic")))
    doc.set_title(f"{_('CERTIFICATE')} {cert.number_text}")
    doc.add_page()
    w, h = doc.w, doc.h
    doc.set_draw_color(*GOLD)
    doc.set_line_width(1.6)
    doc.rect(8, 8, w - 16, h - 16)
    doc.set_line_width(0.4)
    doc.rect(12, 12, w - 24, h - 24)

    doc.set_xy(18, 18)
    doc.set_font("Noto", "B", 11)
    doc.multi_cell(120, 5.5, (cert.organizing_body or _("Organizing committee")).upper(),
                   align="C")
    doc.set_font("Noto", "", 10)
    doc.set_x(18)
    doc.cell(120, 6, _("No. %(number)s", number=cert.number_text), align="C")
    doc.set_xy(w - 138, 18)
    doc.set_font("Noto", "B", 11)
    doc.cell(120, 5.5, _("SOCIALIST REPUBLIC OF VIET NAM"), align="C")
    doc.set_xy(w - 138, 24)
    doc.set_font("Noto", "B", 11)
    doc.cell(120, 5.5, _("Independence - Freedom - Happiness"), align="C")

    doc.set_xy(0, 50)
    doc.set_font("Noto", "B", 34)
    doc.set_text_color(*BRAND)
    doc.cell(w, 16, _("CERTIFICATE"), align="C")
    doc.set_text_color(0, 0, 0)
    doc.set_xy(0, 72)
    doc.set_font("Noto", "", 13)
    doc.cell(w, 8, _("is awarded to"), align="C")
    doc.set_xy(0, 82)
    doc.set_font("Noto", "B", 24)
    doc.cell(w, 13, cert.recipient_name, align="C")
    doc.set_xy(30, 100)
    doc.set_font("Noto", "B", 15)
    doc.multi_cell(w - 60, 8, cert.achievement, align="C")
    doc.set_x(30)
    doc.set_font("Noto", "", 13)
    doc.multi_cell(w - 60, 7, cert.event_title, align="C")
    if cert.work_title:
        doc.set_x(30)
        doc.set_font("Noto", "I", 12)
        doc.multi_cell(w - 60, 7, _("Work: “%(title)s”", title=cert.work_title), align="C")

    doc.set_xy(w - 138, h - 70)
    doc.set_font("Noto", "I", 11)
    doc.cell(120, 6, _date_line(cert), align="C")
    doc.set_xy(w - 138, h - 63)
    doc.set_font("Noto", "B", 11)
    doc.multi_cell(120, 6, (cert.signatory_title or "").upper(), align="C")
    doc.set_xy(w - 138, h - 30)
    doc.set_font("Noto", "B", 13)
    doc.cell(120, 7, cert.signatory_name, align="C")

    qr = segno.make(verify_url, error="m")
    png = io.BytesIO()
    qr.save(png, kind="png", scale=6, border=1)
    png.seek(0)
    doc.image(png, x=22, y=h - 62, w=34, h=34)
    doc.set_xy(18, h - 27)
    doc.set_font("Noto", "", 7.5)
    doc.multi_cell(80, 3.6, _("Check this certificate: %(url)s", url=verify_url))
    return bytes(doc.output())
