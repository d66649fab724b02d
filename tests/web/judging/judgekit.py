"""Helpers of the judge-side, vote and results tests: a blind contest whose first entry carries
every kind of identifying detail (author, e-mail, pen name, co-author, outlet, receipt code,
files whose metadata name the author), a round with known assignments, and logged-in clients.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import select

from contest.accounts.models import Role, User
from contest.extensions import db
from contest.judging import assignments, awards, lifecycle, sheets
from contest.judging.models import Assignment, JudgingRound
from contest.timeutil import utcnow
from contest.writing import metadata
from contest.writing.models import Coauthor, Entry, EntryFile
from tests.conftest import login
from tests.web.judging.judgingkit import Scene, now, points_for, scene
from tests.web.writing.entrykit import docx_bytes, jpeg_bytes, pdf_bytes

__all__ = ["COAUTHOR", "FOR_ENTRANT", "PRIVATE", "Blind", "Final", "anonymous", "blind_scene",
           "client_of", "identifying_strings", "main_text", "now", "points_for", "text"]

AUTHOR = "Trần Thị Mai"
AUTHOR_EMAIL = "mai.tran@baonghean.vn"
PEN_NAME = "Hoài An Sông Lam"
COAUTHOR = "Nguyễn Văn Hùng"
COAUTHOR_EMAIL = "hung.nguyen@vov.vn"
OUTLET = "Báo Sông Lam Thời Nay"
URL = "https://songlam.example.vn/phu-nu-tham-chinh"
RECEIPT = "RC7Q2M9X4K"
BODY = "<p>Những nữ đại biểu Hội đồng nhân dân xã kể về con đường ứng cử.</p>"


def text(response) -> str:  # noqa: ANN001
    return html.unescape(response.get_data(as_text=True))


def main_text(response) -> str:  # noqa: ANN001
    page = text(response)
    return page[page.find("<main"):page.find("</main>")]


def anonymous(app) -> FlaskClient:  # noqa: ANN001
    """A test client of nobody logged in, reading English."""
    c = app.test_client()
    c.set_cookie("lang", "en")
    return c


def client_of(app, user: User) -> FlaskClient:  # noqa: ANN001
    """A test client logged in as ``user``, reading English."""
    c = app.test_client()
    login(c, user)
    c.set_cookie("lang", "en")
    c.user = user  # type: ignore[attr-defined]
    return c


def add_file(app, entry: Entry, original: str, content: bytes, kind: str) -> EntryFile:  # noqa: ANN001
    """Store an uploaded file and its cleaned copy, as the entry form does."""
    folder = Path(app.config["UPLOAD_ROOT"]) / "entries" / str(entry.id)
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{len(entry.files) + 1}-{entry.id}-upload.{kind}"
    (folder / stored).write_bytes(content)
    clean_name, warning = metadata.clean_copy(folder / stored, kind, folder)
    item = EntryFile(kind=kind, original_name=original, stored_name=stored,
                     clean_name=clean_name, clean_warning=warning, size=len(content),
                     sha256="0" * 64)
    entry.files.append(item)
    db.session.commit()
    return item


def identifying_strings(entry: Entry) -> list[str]:
    """Everything that would tell a judge who wrote the entry."""
    return [AUTHOR, AUTHOR_EMAIL, PEN_NAME, COAUTHOR, COAUTHOR_EMAIL, OUTLET, URL,
            entry.receipt_code or RECEIPT, "songlam", "Tran Thi Mai", "baonghean"]


@dataclass
class Blind:
    """A blind contest being judged: ``entry`` (by ``author``) is judged by ``judge`` and
    ``second``; ``outsider`` sits on the round but judges only ``other``."""

    s: Scene
    rnd: JudgingRound
    author: User
    entry: Entry
    other: Entry
    judge: User
    second: User
    outsider: User
    organizer: User
    extra: dict = field(default_factory=dict)

    def assignment(self, entry: Entry, judge: User) -> Assignment:
        return db.session.execute(select(Assignment).where(
            Assignment.round_id == self.rnd.id, Assignment.entry_id == entry.id,
            Assignment.judge_id == judge.id)).scalar_one()


def blind_scene(app, make_user, *, blind: bool = True, open_round: bool = True,  # noqa: ANN001
                **round_settings) -> Blind:
    s = scene(app, make_user, categories=2, blind=blind)
    author = make_user(Role.JOURNALIST, full_name=AUTHOR, email=AUTHOR_EMAIL,
                       email_verified_at=utcnow(), outlet=OUTLET)
    entry = s.entry(0, author=author, title="Phụ nữ tham chính: con đường còn dài",
                    outlet=OUTLET, url=URL, pen_name=PEN_NAME, receipt_code=RECEIPT,
                    body_html=BODY, summary="Chân dung ba nữ đại biểu.",
                    prior_award="Giải Báo chí tỉnh 2024")
    entry.coauthors.append(Coauthor(name=COAUTHOR, email=COAUTHOR_EMAIL))
    db.session.commit()
    add_file(app, entry, f"Bai du thi - {AUTHOR}.pdf", pdf_bytes(), "pdf")
    add_file(app, entry, f"{AUTHOR} ban word.docx", docx_bytes(), "docx")
    add_file(app, entry, "anh-mai.jpg", jpeg_bytes(), "jpeg")
    other = s.entry(0, title="Nữ lãnh đạo ở miền núi")
    third = s.entry(1, title="Tiếng nói nữ đại biểu")
    judge = s.judge("Vũ Đức Thành", email_verified_at=utcnow())
    second = s.judge("Phạm Minh Châu", email_verified_at=utcnow())
    outsider = s.judge("Lê Văn Khoa", email_verified_at=utcnow())
    settings = {"judges_per_entry": 2, **round_settings}
    rnd = s.round(**settings)
    s.seat(rnd)
    for e, judges in ((entry, (judge, second)), (other, (outsider, second)),
                      (third, (judge, outsider))):
        for j in judges:
            assignments.add_judge(rnd, e, j, s.organizer, source="manual")
    db.session.commit()
    if open_round:
        s.open(rnd)
    return Blind(s, rnd, author, entry, other, judge, second, outsider, s.organizer,
                 {"third": third})


def anonymised_links(page: str) -> list[str]:
    return re.findall(r'href="(/writing/anon/[^"]+)"', page)


def past(**delta) -> object:
    return now() - timedelta(**delta)


FOR_ENTRANT = "Đề tài mới, cách kể hấp dẫn."
PRIVATE = "Riêng hội đồng: số liệu cần kiểm chứng."


class Final:
    """A final round with prizes {A: 0, B: 1, C: 1, KK: 1}, scored by two judges; the winner's
    first judge leaves a comment for the entrant, and both a private one for the jury."""

    AUTHOR = AUTHOR
    PEN_NAME = "Hoài An"

    def __init__(self, app, make_user) -> None:  # noqa: ANN001
        self.app = app
        s = self.s = scene(app, make_user, categories=2)
        self.author = make_user(Role.JOURNALIST, full_name=AUTHOR, email_verified_at=utcnow())
        self.winner = s.entry(0, author=self.author, title="Phụ nữ tham chính",
                              outlet="Báo Nghệ An", pen_name=self.PEN_NAME)
        self.winner.coauthors.append(Coauthor(name=COAUTHOR, email="hung@example.org"))
        db.session.commit()
        self.second = s.entry(0, title="Nữ đại biểu vùng cao", outlet="Báo Lào Cai")
        self.third = s.entry(0, title="Chuyện ở Hội đồng xã", outlet="Báo Sơn La")
        self.fourth = s.entry(0, title="Bài không đoạt giải", outlet="Báo Hà Tĩnh")
        self.radio = s.entry(1, title="Tiếng nói nữ trên sóng", outlet="Đài Nghệ An")
        self.j1 = s.judge("Giám khảo Vũ Thành")
        self.j2 = s.judge("Giám khảo Phạm Châu")
        rnd = self.rnd = s.round(name="Chung khảo", judges_per_entry=2,
                                 prize_counts={"A": 0, "B": 1, "C": 1, "KK": 1})
        s.seat(rnd)
        assignments.auto_assign(rnd, s.organizer.id)
        db.session.commit()
        s.open(rnd)
        totals = {self.winner: 9, self.second: 8, self.third: 7, self.fourth: 5, self.radio: 6}
        for entry, total in totals.items():
            for judge in (self.j1, self.j2):
                a = s.assignment(rnd, entry, judge)
                comment = FOR_ENTRANT if (entry, judge) == (self.winner, self.j1) else ""
                private = PRIVATE if entry is self.winner else ""
                sheets.save_sheet(a, points_for(rnd, total), private, comment, True, judge,
                                   now())
        db.session.commit()

    def publish(self) -> None:
        lifecycle.close_round(self.rnd, self.s.organizer.id, now())
        awards.propose_prizes(self.rnd, self.s.organizer)
        lifecycle.publish(self.rnd, self.s.organizer)
        db.session.commit()

    def url(self) -> str:
        return f"/judging/contests/{self.s.contest.id}/results"
