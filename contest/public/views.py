"""Home page, the personal data notice and the language switch."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from contest.accounts.views import safe_next
from contest.extensions import db
from contest.i18n import LANG_COOKIE

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    sections = [hook() for hook in current_app.extensions.get("home_sections", [])]
    return render_template("public/home.html", sections=[s for s in sections if s])


@bp.get("/privacy")
def privacy():
    return render_template("public/privacy.html", version=current_app.config["CONSENT_VERSION"])


@bp.post("/lang")
def set_language():
    """Remember the chosen language: in a cookie, and on the account when logged in."""
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
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}
