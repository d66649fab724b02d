"""Helpers of the journalist-side tests of the writing contests: a contest with one category per
medium whose window holds the ``clock`` fixture's start, accounts, the entry form as a browser
sends it, and sample files (with author metadata) built in memory."""

from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfWriter
from sqlalchemy import func, select

from contest.accounts.models import Role, User
from contest.audit import AuditEvent
from contest.extensions import db
from contest.timeutil import utcnow
from contest.writing.models import (
    Category,
    ContestStatus,
    Entry,
    EntryFile,
    WritingContest,
)
from tests.conftest import CLOCK_START

PASSWORD = "correct horse battery"

# The contest's window: 08:00 on 1 March to 17:00 on 31 March 2026, Vietnam time.
OPENS = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
CLOSES = datetime(2026, 3, 31, 10, 0, tzinfo=UTC)
IN_WINDOW = CLOCK_START  # where the clock fixture starts
PUBLISHED_FROM = date(2025, 1, 1)
PUBLISHED_TO = date(2026, 2, 28)

AUTHOR = "Trần Thị Mai"
AUTHOR_EMAIL = "mai.tran@baonghean.vn"
PEN_NAME = "Hoài An Sông Lam"
COAUTHOR = "Nguyễn Văn Hùng"
COAUTHOR_EMAIL = "hung.nguyen@vov.vn"


def make_contest(title: str = "Giải báo chí về bình đẳng giới trong chính trị", *,
                 prefix: str = "BC", **settings) -> WritingContest:
    """An open contest with categories print, online, radio and photo."""
    values = dict(
        title=title, rules="Thể lệ giải.", status=ContestStatus.OPEN,
        submission_opens_at=OPENS, submission_closes_at=CLOSES,
        publication_from=PUBLISHED_FROM, publication_to=PUBLISHED_TO,
        max_entries_per_author=2, code_prefix=prefix,
    )
    values.update(settings)
    contest = WritingContest(**values)
    contest.categories = [
        Category(name="Báo in", medium="print", position=1, min_words=20, max_words=200,
                 accepted_kinds=["pdf", "docx"], max_file_mb=1, max_files=2,
                 series_allowed=True, max_series_parts=5),
        Category(name="Báo điện tử", medium="online", position=2, min_words=20, max_words=200,
                 accepted_kinds=["pdf", "docx"], max_file_mb=1, max_files=2,
                 link_required=True, series_allowed=False),
        Category(name="Phát thanh", medium="radio", position=3, accepted_kinds=["mp3", "m4a"],
                 max_file_mb=1, max_files=2, file_required=True),
        Category(name="Ảnh báo chí", medium="photo", position=4,
                 accepted_kinds=["jpeg", "png"], max_file_mb=1, max_files=3,
                 file_required=True),
    ]
    db.session.add(contest)
    db.session.commit()
    return contest


@pytest.fixture
def contest(app) -> WritingContest:  # noqa: ANN001
    return make_contest()


def category(contest: WritingContest, medium: str) -> Category:
    return next(c for c in contest.categories if c.medium == medium)


@dataclass
class People:
    """Clients logged in as the people of a contest, each with ``.user``."""

    author: object
    other: object
    judge: object
    organizer: object


def verified(**fields) -> dict:
    return {"email_verified_at": utcnow(), "locale": "en", **fields}


@pytest.fixture
def people(login_as, clock) -> People:  # noqa: ANN001
    # Signed in on the clock: a password typed before the clock is set would be from the future.
    return People(
        author=login_as(Role.JOURNALIST, **verified(full_name=AUTHOR, email=AUTHOR_EMAIL)),
        other=login_as(Role.JOURNALIST, **verified(full_name="Lê Thu Hà",
                                                   email="ha.le@example.org")),
        judge=login_as(Role.JUDGE, **verified(full_name="Vũ Đức Thành",
                                              email="thanh.vu@example.org")),
        organizer=login_as(Role.ORGANIZER, **verified(full_name="Đỗ Lan Anh",
                                                      email="btc@example.org")),
    )


# --- the entry form ------------------------------------------------------------------------------


def words(n: int) -> str:
    """``n`` Vietnamese words (chữ)."""
    base = ["bình", "đẳng", "giới", "trong", "chính", "trị"]
    return " ".join((base * (n // len(base) + 1))[:n])


def entry_form(cat: Category, **overrides) -> dict:
    """The fields of the entry form as a browser sends them; ``None`` leaves a field out."""
    data = {
        "category_id": str(cat.id),
        "title": "Phụ nữ ứng cử: con đường còn dài",
        "outlet": "Báo Nghệ An",
        "published_on": "2025-06-15",
        "url": "https://baonghean.vn/phu-nu-ung-cu",
        "pen_name": "",
        "summary": "Chân dung những nữ đại biểu Hội đồng nhân dân xã.",
        "body_format": "markdown",
        "body_source": words(50),
        "action": "save",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def series_rows(*parts: tuple[str, str]) -> dict:
    """Form fields of a series: (title, ISO date) per part."""
    fields = {"is_series": "y"}
    for n, (title, day) in enumerate(parts):
        fields[f"parts-{n}-title"] = title
        fields[f"parts-{n}-published_on"] = day
        fields[f"parts-{n}-url"] = f"https://baonghean.vn/ky-{n + 1}"
    return fields


def coauthor_rows(*people: tuple[str, str]) -> dict:
    fields = {}
    for n, (name, email) in enumerate(people):
        fields[f"coauthors-{n}-name"] = name
        fields[f"coauthors-{n}-email"] = email
    return fields


def post_form(client, url: str, data: dict, uploads: list[tuple[bytes, str]] = ()):  # noqa: ANN001, ANN201
    body = dict(data)
    if uploads:
        body["files"] = [(io.BytesIO(content), name) for content, name in uploads]
    return client.post(url, data=body, content_type="multipart/form-data")


def new_entry(client, contest: WritingContest, data: dict, uploads=()):  # noqa: ANN001, ANN201
    return post_form(client, f"/writing/contests/{contest.id}/entries/new", data, uploads)


def edit_entry(client, entry_id: int, data: dict, uploads=()):  # noqa: ANN001, ANN201
    return post_form(client, f"/writing/entries/{entry_id}/edit", data, uploads)


def entry_id_from(response) -> int:  # noqa: ANN001
    """The id in the address a save or submit redirected to."""
    match = re.search(r"/writing/entries/(\d+)", response.headers.get("Location", ""))
    assert match, f"no entry in the redirect: {response.status_code} {text(response)[:1500]}"
    return int(match.group(1))


def submitted_entry(client, contest: WritingContest, cat: Category | None = None,  # noqa: ANN001
                    uploads=(), **overrides) -> Entry:
    """Create and submit an entry through the form; returns it."""
    cat = cat or category(contest, "print")
    response = new_entry(client, contest, entry_form(cat, action="submit", **overrides), uploads)
    assert response.status_code == 302, text(response)[:3000]
    return reload(Entry, entry_id_from(response))


def draft_entry(client, contest: WritingContest, cat: Category | None = None,  # noqa: ANN001
                uploads=(), **overrides) -> Entry:
    cat = cat or category(contest, "print")
    response = new_entry(client, contest, entry_form(cat, **overrides), uploads)
    assert response.status_code == 302, text(response)[:3000]
    return reload(Entry, entry_id_from(response))


# --- reading responses and the database --------------------------------------------------------


def text(response) -> str:  # noqa: ANN001
    return html.unescape(response.get_data(as_text=True))


def main_text(response) -> str:  # noqa: ANN001
    page = text(response)
    return page[page.find("<main"):page.find("</main>")]


def reload(model, ident):  # noqa: ANN001, ANN201
    db.session.expire_all()
    return db.session.get(model, ident)


def count(model) -> int:  # noqa: ANN001
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def entries() -> list[Entry]:
    db.session.expire_all()
    return list(db.session.execute(select(Entry).order_by(Entry.id)).scalars())


def events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.execute(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).scalars())


def stored_files(app) -> list[Path]:  # noqa: ANN001
    """Every file under the upload folder (temporary ones included)."""
    root = Path(app.config["UPLOAD_ROOT"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def file_rows() -> list[EntryFile]:
    db.session.expire_all()
    return list(db.session.execute(select(EntryFile).order_by(EntryFile.id)).scalars())


def user(email: str) -> User:
    return db.session.execute(select(User).where(User.email == email)).scalar_one()


# --- sample files ------------------------------------------------------------------------------


def pdf_bytes(author: str = AUTHOR, title: str = "Bài dự thi của " + AUTHOR) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Author": author, "/Title": title, "/Creator": author})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
    'package.core-properties+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)


def _document_xml(paragraphs: list[str]) -> str:
    body = "".join(f"<w:p><w:r><w:t>{html.escape(p)}</w:t></w:r></w:p>" for p in paragraphs)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )


def _core_xml(creator: str, modified_by: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>Bài dự thi</dc:title><dc:creator>{html.escape(creator)}</dc:creator>"
        f"<cp:lastModifiedBy>{html.escape(modified_by)}</cp:lastModifiedBy>"
        "</cp:coreProperties>"
    )


def docx_bytes(text_: str | None = None, creator: str = AUTHOR,
               modified_by: str = COAUTHOR) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("word/document.xml", _document_xml((text_ or words(60)).split("\n")))
        z.writestr("docProps/core.xml", _core_xml(creator, modified_by))
    return buffer.getvalue()


def docx_bomb(inflated_mb: int = 20) -> bytes:
    """A small DOCX whose document part inflates to ``inflated_mb`` MB of spaces."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("word/document.xml", b" " * (inflated_mb * 1024 * 1024))
    return buffer.getvalue()


def jpeg_bytes(artist: str = "Tran Thi Mai") -> bytes:
    image = Image.new("RGB", (16, 16), (200, 30, 90))
    exif = Image.Exif()
    exif[0x013B] = artist  # Artist
    exif[0x8298] = f"(c) {artist}"  # Copyright
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def mp3_bytes() -> bytes:
    # An ID3v2 header followed by MPEG-1 Layer III frame headers.
    return b"ID3\x03\x00\x00\x00\x00\x00\x0a" + b"\x00" * 10 + b"\xff\xfb\x90\x64" * 200


EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 2000
