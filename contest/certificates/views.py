"""Certificates for everyone: the public verification page, and a winner's own certificates."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.routing import BaseConverter

from contest.accounts.models import Role
from contest.certificates import service
from contest.certificates.models import Certificate
from contest.extensions import limiter

bp = Blueprint("certificates", __name__)


class CodeConverter(BaseConverter):
    """A certificate code: exactly the 20 URL-safe characters ``service`` makes. E-mail
    confirmation links share the /verify/ prefix but their tokens are longer and hold dots, so
    they never match this and reach their own route."""

    regex = rf"[A-Za-z0-9_-]{{{service.CODE_LENGTH}}}"
    weight = 50


@bp.record_once
def _converter(state) -> None:  # noqa: ANN001
    state.app.url_map.converters["certcode"] = CodeConverter


def verify_url(cert: Certificate) -> str:
    return url_for("certificates.verify", code=cert.code, _external=True)


def certificate_pdf(cert: Certificate):  # noqa: ANN201
    from contest.certificates import pdf
    from contest.reports.exports import download

    return download(pdf.draw(cert, verify_url(cert)),
                    f"giay-chung-nhan-{cert.number}.pdf", "application/pdf")


@bp.app_context_processor
def _helpers() -> dict:
    def my_certificates() -> list[Certificate]:
        if not current_user.is_authenticated:
            return []
        return service.of_user(current_user.id)

    return {"my_certificates": my_certificates, "certificate_prize": service.prize_label}


@bp.get("/verify/<certcode:code>")
@limiter.limit(lambda: current_app.config.get("RATELIMIT_VERIFY", "30 per minute"))
def verify(code: str):
    cert = service.by_code(code)
    status = 200 if cert is not None else 404
    return render_template("certificates/verify.html", cert=cert), status


@bp.get("/certificates")
@login_required
def mine():
    return render_template("certificates/mine.html", certs=service.of_user(current_user.id))


@bp.get("/certificates/<certcode:code>.pdf")
@login_required
def download(code: str):
    cert = service.by_code(code)
    if cert is None or cert.revoked:
        abort(404)
    if cert.user_id != current_user.id and not current_user.has_role(Role.ORGANIZER):
        abort(404)
    return certificate_pdf(cert)
