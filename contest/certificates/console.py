"""The organizer's certificate screens under /organizer/certificates: list with filters, generate
for every published prize, download one or all (a streamed ZIP), revoke with a reason, reissue."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from flask import Blueprint, Response, abort, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from contest.accounts.policy import require
from contest.certificates import service
from contest.certificates.messages import problem_message
from contest.certificates.models import Certificate
from contest.certificates.views import certificate_pdf, verify_url
from contest.console import console_link
from contest.extensions import db
from contest.forms import ActionForm, ReasonForm
from contest.params import whole_number
from contest.quiz.models import Round, RoundStatus
from contest.refusals import press_button
from contest.writing.exports import attachment_header
from contest.writing.models import WritingContest

bp = Blueprint("certificates_console", __name__, url_prefix="/organizer")

console_link("certificates_console.index", _l("Certificates"),
             _l("Certificates for winners, with QR verification"), order=85)


def _filters() -> tuple[int | None, int | None, str]:
    status = request.args.get("status", "")
    return (request.args.get("round", type=whole_number),
            request.args.get("contest", type=whole_number),
            status if status in ("valid", "revoked") else "")


@bp.get("/certificates")
@require("certificates.manage")
def index():
    round_id, contest_id, status = _filters()
    rounds = db.session.execute(select(Round.id, Round.title)
                                .where(Round.status == RoundStatus.PUBLISHED)).all()
    contests = db.session.execute(select(WritingContest.id, WritingContest.title)).all()
    return render_template("certificates/console.html",
                           certs=service.listing(round_id, contest_id, status),
                           rounds=rounds, contests=contests, round_id=round_id,
                           contest_id=contest_id, status=status, action=ActionForm(),
                           reason_form=ReasonForm(), verify_url=verify_url,
                           query=request.query_string.decode())


@bp.post("/certificates/generate")
@require("certificates.manage")
def generate():
    def done(result: service.Generated) -> str:
        return _("%(created)d certificates made; %(existing)d already existed.",
                 created=result.created, existing=result.existing)

    return press_button(lambda: service.generate(current_user.id), message=problem_message,
                        done=done, then=url_for(".index"))


def _certificate(cert_id: int) -> Certificate:
    cert = db.session.get(Certificate, cert_id)
    if cert is None:
        abort(404)
    return cert


@bp.get("/certificates/<int:cert_id>.pdf")
@require("certificates.manage")
def pdf(cert_id: int):
    return certificate_pdf(_certificate(cert_id))


class _Sink(io.RawIOBase):
    """An unseekable file that keeps what is written until drained (zipfile then writes data
    descriptors instead of seeking back, so the archive can be sent as it is made)."""

    def __init__(self) -> None:
        super().__init__()
        self._parts: list[bytes] = []
        self._position = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # noqa: ANN001
        chunk = bytes(data)
        self._parts.append(chunk)
        self._position += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._position

    def drain(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def _zip_chunks(certs: list[Certificate]) -> Iterator[bytes]:
    """The certificates as one ZIP, each PDF drawn as the archive is sent."""
    from contest.certificates import pdf as drawing

    sink = _Sink()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        for cert in certs:
            archive.writestr(f"{cert.number:05d}-{cert.number_suffix}.pdf",
                             drawing.draw(cert, verify_url(cert)))
            yield sink.drain()
    yield sink.drain()


@bp.get("/certificates/all.zip")
@require("certificates.manage")
def all_zip():
    round_id, contest_id, status = _filters()
    certs = service.listing(round_id, contest_id, status or "valid")
    response = Response(stream_with_context(_zip_chunks(certs)), mimetype="application/zip")
    response.headers["Content-Disposition"] = attachment_header("giay-chung-nhan.zip")
    return response


@bp.post("/certificates/<int:cert_id>/revoke")
@require("certificates.manage")
def revoke(cert_id: int):
    cert = _certificate(cert_id)
    form = ReasonForm()

    def done(changed: bool) -> str:
        return _("Certificate %(number)s revoked.", number=cert.number_text) if changed else \
            _("Certificate %(number)s was already revoked.", number=cert.number_text)

    return press_button(lambda: service.revoke(current_user.id, cert, form.reason.data or ""),
                        message=problem_message, done=done, form=form,
                        then=url_for(".index"))


@bp.post("/certificates/<int:cert_id>/reissue")
@require("certificates.manage")
def reissue(cert_id: int):
    cert = _certificate(cert_id)
    return press_button(lambda: service.reissue(current_user.id, cert), message=problem_message,
                        done=lambda new: _("Reissued as %(number)s.", number=new.number_text),
                        then=url_for(".index"))
