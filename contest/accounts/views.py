"""Routes for accounts: thin wrappers that parse a form, call the service and render."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash

from contest.accounts import service, tokens
from contest.accounts.forms import (
    ChangePasswordForm,
    DeleteAccountForm,
    LoginForm,
    NewPasswordForm,
    ProfileForm,
    RegisterForm,
    ResetCodeForm,
    ResetRequestForm,
)
from contest.accounts.identity import display_phone, normalize_email, normalize_phone
from contest.accounts.models import Role, User
from contest.extensions import db, limiter
from contest.mail import send_mail
from contest.sms import send_sms
from contest.timeutil import utcnow

bp = Blueprint("accounts", __name__)


def _limit(name: str):  # noqa: ANN202
    return limiter.limit(lambda: current_app.config[name], methods=["POST"])


def safe_next(target: str | None) -> str | None:
    """Accept only a path on this site as a place to go after login."""
    if not target:
        return None
    target = target.strip().replace("\\", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def unit_choices() -> list[tuple[str, str]]:
    return [("", _("— choose —"))] + [(str(u.id), u.label) for u in service.units_for_choice()]


def _hash_method() -> str:
    return current_app.config["PASSWORD_HASH_METHOD"]


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def send_verification(user: User) -> None:
    token = tokens.make_token(_secret(), tokens.VERIFY, {"u": user.id, "e": user.email})
    link = url_for("accounts.verify_email", token=token, _external=True)
    send_mail(
        user.email,
        _("Confirm your e-mail address"),
        _("Hello %(name)s,\n\nOpen this link to confirm your e-mail address:\n%(link)s\n\n"
          "The link works for 48 hours. If you did not register, ignore this message.",
          name=user.full_name, link=link),
    )


def reset_link(user: User, purpose: str) -> str:
    payload = {"u": user.id, "p": tokens.password_fingerprint(user.password_hash)}
    token = tokens.make_token(_secret(), purpose, payload)
    return url_for("accounts.reset_with_token", token=token, kind=purpose, _external=True)


def _registration_clashes(form: RegisterForm) -> bool:
    """Mark the phone and e-mail fields that belong to an existing account; True if any does."""
    clash = False
    phone = normalize_phone(form.phone.data or "")
    if phone and not form.phone.errors and service.phone_taken(phone):
        form.phone.errors.append(_("An account with this phone number already exists. "
                                   "Log in, or reset your password."))
        clash = True
    if form.email.data and not form.email.errors and service.email_taken(form.email.data):
        form.email.errors.append(_("An account with this e-mail already exists."))
        clash = True
    return clash


@bp.route("/register", methods=["GET", "POST"])
@_limit("RATELIMIT_REGISTER")
def register():
    if current_user.is_authenticated:
        return redirect(url_for("public.home"))
    form = RegisterForm()
    form.unit_id.choices = unit_choices()
    if form.is_submitted():
        valid = form.validate()
        # Uniqueness is reported together with every other problem, not one submission later.
        clash = _registration_clashes(form)
        phone = normalize_phone(form.phone.data or "")
        if valid and not clash:
            user = service.register(
                service.Registration(
                    full_name=form.full_name.data,
                    phone=phone,
                    password=form.password.data,
                    birth_date=form.birth_date.data,
                    consent_version=current_app.config["CONSENT_VERSION"],
                    email=form.email.data,
                    citizen_id=(form.citizen_id.data or "").strip() or None,
                    gender=form.gender.data or None,
                    unit_id=int(form.unit_id.data) if form.unit_id.data else None,
                    ethnicity=form.ethnicity.data or None,
                    outlet=form.outlet.data,
                    locale=str(get_locale()),
                    as_journalist=form.as_journalist.data,
                ),
                _hash_method(),
            )
            try:
                db.session.commit()
            except IntegrityError:
                # Two registrations with the same phone or e-mail raced; the first one won.
                db.session.rollback()
                _registration_clashes(form)
                return render_template("accounts/register.html", form=form), 400
            if user.email:
                send_verification(user)
            login_user(user)
            flash(_("Welcome! Your account is ready."), "success")
            if user.email:
                flash(_("We sent a confirmation link to %(email)s.", email=user.email), "info")
            return redirect(url_for("public.home"))
    return render_template("accounts/register.html", form=form), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@_limit("RATELIMIT_LOGIN")
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if form.validate_on_submit():
        user = service.authenticate(form.identifier.data.strip(), form.password.data)
        if user is None:
            form.password.errors.append(_("The phone number, e-mail or password is wrong."))
        else:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(form.next.data) or url_for("public.home"))
    return render_template("accounts/login.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("public.home"))


@bp.get("/verify/<token>")
def verify_email(token: str):
    try:
        data = tokens.read_token(_secret(), tokens.VERIFY, token,
                                 current_app.config["EMAIL_TOKEN_MAX_AGE"])
    except tokens.TokenError as exc:
        message = (_("This confirmation link has expired. Log in and ask for a new one.")
                   if exc.expired else _("This confirmation link is not valid."))
        return render_template("accounts/message.html", title=_("E-mail not confirmed"),
                               message=message), 400
    user = db.session.get(User, data.get("u"))
    if user is None or user.email != data.get("e") or user.erased_at is not None:
        return render_template("accounts/message.html", title=_("E-mail not confirmed"),
                               message=_("This confirmation link is not valid.")), 400
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        db.session.commit()
    flash(_("Your e-mail address is confirmed."), "success")
    return redirect(url_for("accounts.profile" if current_user.is_authenticated else
                            "accounts.login"))


@bp.post("/verify/resend")
@login_required
@_limit("RATELIMIT_RESET")
def resend_verification():
    if current_user.email and current_user.email_verified_at is None:
        send_verification(current_user)
        flash(_("We sent a new confirmation link to %(email)s.", email=current_user.email), "info")
    return redirect(url_for("accounts.profile"))


@bp.route("/reset", methods=["GET", "POST"])
@_limit("RATELIMIT_RESET")
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = service.find_by_identifier(form.identifier.data.strip())
        if user is not None and user.email:
            send_mail(
                user.email,
                _("Reset your password"),
                _("Open this link to choose a new password:\n%(link)s\n\nThe link works for one "
                  "hour and only once. If you did not ask for it, ignore this message.",
                  link=reset_link(user, tokens.RESET)),
            )
        elif user is not None and user.phone:
            code = service.issue_reset_code(user, current_app.config["SMS_CODE_MAX_AGE"])
            db.session.commit()
            send_sms(user.phone, _("Your password reset code: %(code)s (valid 15 minutes).",
                                   code=code))
        # Same answer whether or not an account matched: the page reveals nothing.
        flash(_("If an account matches, we have sent a reset link to its e-mail or a code to its "
                "phone."), "info")
        session["reset_phone"] = normalize_phone(form.identifier.data) or ""
        return redirect(url_for("accounts.reset_with_code"))
    return render_template("accounts/reset_request.html", form=form), 400 if form.errors else 200


@bp.route("/reset/code", methods=["GET", "POST"])
@_limit("RATELIMIT_RESET")
def reset_with_code():
    form = ResetCodeForm()
    if request.method == "GET" and session.get("reset_phone"):
        form.phone.data = display_phone(session["reset_phone"])
    if form.validate_on_submit():
        phone = normalize_phone(form.phone.data)
        user = service.find_by_identifier(phone) if phone else None
        max_tries = current_app.config["SMS_CODE_MAX_TRIES"]
        ok = service.consume_reset_code(user, form.code.data, max_tries)
        if ok and user is not None:
            service.set_password(user, form.password.data, _hash_method())
            db.session.commit()
            flash(_("Your password has been changed. Log in with the new one."), "success")
            return redirect(url_for("accounts.login"))
        db.session.commit()  # keep the count of wrong tries
        form.code.errors.append(_("The code is wrong or has expired. Ask for a new code."))
    return render_template("accounts/reset_code.html", form=form), 400 if form.errors else 200


@bp.route("/reset/<kind>/<token>", methods=["GET", "POST"])
def reset_with_token(kind: str, token: str):
    max_ages = {tokens.RESET: current_app.config["RESET_TOKEN_MAX_AGE"],
                tokens.ORGANIZER_RESET: current_app.config["ORGANIZER_RESET_MAX_AGE"]}
    if kind not in max_ages:
        abort(404)
    try:
        data = tokens.read_token(_secret(), kind, token, max_ages[kind])
    except tokens.TokenError as exc:
        message = (_("This reset link has expired. Ask for a new one.") if exc.expired
                   else _("This reset link is not valid."))
        return render_template("accounts/message.html", title=_("Password not changed"),
                               message=message), 400
    user = db.session.get(User, data.get("u"))
    if (user is None or user.erased_at is not None
            or tokens.password_fingerprint(user.password_hash) != data.get("p")):
        return render_template("accounts/message.html", title=_("Password not changed"),
                               message=_("This reset link has already been used.")), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        service.set_password(user, form.password.data, _hash_method())
        if kind == tokens.RESET and user.email and user.email_verified_at is None:
            user.email_verified_at = utcnow()  # the link reached that mailbox
        db.session.commit()
        flash(_("Your password has been changed. Log in with the new one."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form), 400 if form.errors else 200


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    user: User = current_user  # type: ignore[assignment]
    form = ProfileForm(obj=user if request.method == "GET" else None)
    form.unit_id.choices = unit_choices()
    if request.method == "GET":
        form.unit_id.data = str(user.unit_id or "")
        form.locale.data = user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    if form.validate_on_submit():
        email = normalize_email(form.email.data)
        if email and service.email_taken(email, except_user_id=user.id):
            form.email.errors.append(_("An account with this e-mail already exists."))
        elif not email and user.roles:
            form.email.errors.append(_("Your role needs an e-mail address."))
        else:
            changed_email = email != user.email
            user.email = email
            if changed_email:
                user.email_verified_at = None
            user.gender = form.gender.data or None
            user.unit_id = int(form.unit_id.data) if form.unit_id.data else None
            user.ethnicity = form.ethnicity.data or None
            user.outlet = form.outlet.data or None
            user.locale = form.locale.data
            db.session.commit()
            if changed_email and email:
                send_verification(user)
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form, user=user,
                           password_form=ChangePasswordForm()), 400 if form.errors else 200


@bp.post("/account/password")
@login_required
def change_password():
    # The real object, not the proxy: login_user() below stores it as the current user, and a
    # proxy stored there would resolve to itself.
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not check_password_hash(user.password_hash, form.current.data):
            form.current.errors.append(_("The current password is wrong."))
        else:
            service.set_password(user, form.password.data, _hash_method())
            db.session.commit()
            login_user(user)  # the session token changed; keep this device signed in
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("accounts.profile"))
    profile_form = ProfileForm(obj=user)
    profile_form.unit_id.choices = unit_choices()
    profile_form.unit_id.data = str(user.unit_id or "")
    return render_template("accounts/profile.html", form=profile_form, user=user,
                           password_form=form), 400


@bp.get("/account/export")
@login_required
def export():
    data = service.export_data(current_user)
    for hook in current_app.extensions.get("account_export_hooks", []):
        data.update(hook(current_user))
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="my-data.json"',
        "Cache-Control": "no-store",
    })


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    user: User = current_user  # type: ignore[assignment]
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if not check_password_hash(user.password_hash, form.password.data):
            form.password.errors.append(_("The password is wrong."))
        elif Role.ADMIN in user.roles and service.admin_count() <= 1:
            form.confirm.errors.append(_("You are the last administrator. Make someone else an "
                                         "administrator before deleting your account."))
        else:
            service.erase(user)
            db.session.commit()
            logout_user()
            flash(_("Your account has been deleted. Your name and contact details are erased."),
                  "info")
            return redirect(url_for("public.home"))
    return render_template("accounts/delete.html", form=form), 400 if form.errors else 200
