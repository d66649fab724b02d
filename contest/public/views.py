"""The home page's address, the personal data notice and the language switch."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from contest.accounts.views import safe_next
from contest.extensions import csrf, db
from contest.i18n import LANG_COOKIE

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    """The campaign home page (contest.campaign draws it)."""
    from contest.campaign.views import home_page

    return home_page()


@bp.get("/privacy")
def privacy():
    return render_template("public/privacy.html", version=current_app.config["CONSENT_VERSION"])


@bp.post("/lang")
@csrf.exempt
def set_language():
    """Remember the chosen language: in a cookie, and on the account when logged in.

    Anonymous pages carry no CSRF token, so that reading them starts no session (and sets no
    cookie); a forged switch could only change the language cookie. A signed-in account's
    setting is a change to the account and needs the token.
    """
    if current_user.is_authenticated and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    lang = request.form.get("lang", "")
    target = safe_next(request.form.get("next")) or url_for("public.home")
    response = redirect(target)
    if lang in current_app.config["LANGUAGES"]:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax",
                            secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True)
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return response


@bp.get("/healthz")
def health():
    """The process is up; /readyz (contest.ops) says whether it can serve."""
    return {"status": "ok"}
