"""Routes for accounts: thin wrappers that parse a form, call the service and render."""

from __future__ import annotations

import json
from datetime import timedelta
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
from wtforms.fields.choices import SelectChoice

from contest.accounts import notices, reauth, service, sessions, throttle, tokens
from contest.accounts.forms import (
    ChangePasswordForm,
    ConfirmPasswordForm,
    DeleteAccountForm,
    LoginForm,
    NewPasswordForm,
    ProfileForm,
    RegisterForm,
    ResetCodeForm,
    ResetRequestForm,
)
from contest.accounts.identity import (
    display_phone,
    looks_like_email,
    normalize_email,
    normalize_phone,
)
from contest.accounts.models import Role, User
from contest.extensions import db, limiter
from contest.forms import choices
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


def unit_choices() -> list[SelectChoice]:
    return choices([("", _("— choose —"))]
                   + [(str(u.id), u.label) for u in service.units_for_choice()])


def _hash_method() -> str:
    return current_app.config["PASSWORD_HASH_METHOD"]


def _login_policy() -> service.LoginPolicy:
    cfg = current_app.config
    return service.LoginPolicy(
        hash_method=cfg["PASSWORD_HASH_METHOD"],
        failures=throttle.SharedFailureCounter(cfg["LOGIN_LOCK_SECONDS"]),
        max_failures=cfg["LOGIN_MAX_FAILURES"],
        lock_for=timedelta(seconds=cfg["LOGIN_LOCK_SECONDS"]),
    )


def _client_address() -> str:
    return request.remote_addr or ""


def sign_in(user: User, remember: bool = False) -> None:
    """Open a server-side session record for this device, then the Flask-Login session.

    The caller has checked the password, so the session starts fresh.
    """
    cfg = current_app.config
    lifetime = cfg["REMEMBER_COOKIE_DURATION"] if remember else cfg["PERMANENT_SESSION_LIFETIME"]
    sessions.open_session(user, remember=remember, user_agent=request.user_agent.string,
                          client_address=_client_address(), lifetime=lifetime)
    db.session.commit()
    login_user(user, remember=remember, fresh=True)
    reauth.mark_fresh()


def _password_changed(user: User) -> None:
    """With a new password stored, before the commit: queue the owner's notice (it leaves with
    the commit), restart the count of wrong passwords."""
    _login_policy().failures.clear(f"account:{user.id}")
    notices.password_changed(user)


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


def _registration_refused(form: RegisterForm):  # noqa: ANN202
    """The form again, as typed, with the reason: many people share one address (a commune
    hall, a school, a mobile carrier), so they get a clear message rather than an error page."""
    flash(_("Many accounts have just been created from your network. Your details are kept "
            "below: please try again in a few minutes."), "error")
    return render_template("accounts/register.html", form=form), 429


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("public.home"))
    form = RegisterForm()
    form.unit_id.choices = unit_choices()
    if form.is_submitted():
        address = _client_address()
        failed_limit = current_app.config["RATELIMIT_REGISTER_FAILED"]
        if not throttle.allowed("register-failed", address, failed_limit):
            return _registration_refused(form)
        valid = form.validate()
        # Uniqueness is reported together with every other problem, not one submission later.
        clash = _registration_clashes(form)
        phone = normalize_phone(form.phone.data or "")
        if not valid or clash:
            throttle.hit("register-failed", address, failed_limit)
        elif not throttle.hit("register", address, current_app.config["RATELIMIT_REGISTER"]):
            return _registration_refused(form)
        else:
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
                db.session.flush()
                if user.email:
                    send_verification(user)  # queued with the account, sent after the commit
                db.session.commit()
            except IntegrityError:
                # Two registrations with the same phone or e-mail raced; the first one won.
                db.session.rollback()
                _registration_clashes(form)
                return render_template("accounts/register.html", form=form), 400
            sign_in(user)
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
        result = service.authenticate(form.identifier.data.strip(), form.password.data,
                                      _login_policy())
        if result.locked_now is not None and result.locked_now.locked_until is not None:
            notices.account_locked(result.locked_now, result.locked_now.locked_until)
        db.session.commit()  # a pause, or its end (and its notice)
        if result.user is None:
            form.password.errors.append(_("The phone number, e-mail or password is wrong."))
        else:
            sign_in(result.user, remember=form.remember.data)
            return redirect(safe_next(form.next.data) or url_for("public.home"))
    return render_template("accounts/login.html", form=form), 400 if form.errors else 200


def _end_this_session() -> None:
    sessions.close(current_user._get_current_object())  # type: ignore[attr-defined]
    db.session.commit()
    logout_user()
    session.pop(reauth.AUTH_AT, None)


@bp.post("/logout")
@login_required
def logout():
    _end_this_session()
    flash(_("You have logged out."), "info")
    return redirect(url_for("public.home"))


@bp.route("/account/confirm", methods=["GET", "POST"])
@login_required
@_limit("RATELIMIT_LOGIN")
def confirm_password():
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    form = ConfirmPasswordForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if form.validate_on_submit():
        result = service.check_password(user, form.password.data, _login_policy())
        if result.locked_now is not None and user.locked_until is not None:
            notices.account_locked(user, user.locked_until)
        db.session.commit()
        if result.user is None:
            form.password.errors.append(_("The password is wrong."))
        else:
            reauth.mark_fresh()
            return redirect(safe_next(form.next.data) or url_for("accounts.profile"))
    return render_template("accounts/confirm_password.html", form=form), \
        400 if form.errors else 200


@bp.post("/account/sessions/<int:session_id>/revoke")
@login_required
def revoke_session(session_id: int):
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    if not sessions.revoke(user, session_id):
        abort(404)
    db.session.commit()
    flash(_("That device has been logged out."), "success")
    return redirect(url_for("accounts.profile") + "#devices")


@bp.post("/account/sessions/end-all")
@login_required
def end_all_sessions():
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    sessions.end_all(user)
    db.session.commit()
    logout_user()
    session.pop(reauth.AUTH_AT, None)
    flash(_("You have logged out on every device."), "info")
    return redirect(url_for("accounts.login"))


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
        db.session.commit()
        flash(_("We sent a new confirmation link to %(email)s.", email=current_user.email), "info")
    return redirect(url_for("accounts.profile"))


def _destination_keys(identifier: str, user: User | None) -> list[str]:
    """What a reset request is counted against: the identifier as typed (normalised), so an
    unknown account is throttled exactly like a known one, and the mailbox or phone the message
    would go to, so switching between an account's phone and e-mail gains nothing."""
    typed = (normalize_email(identifier) if looks_like_email(identifier)
             else normalize_phone(identifier)) or identifier.strip().lower()
    keys = [typed]
    if user is not None:
        keys.append((user.email or user.phone or "").lower())
    return list(dict.fromkeys(k for k in keys if k))


def _reset_allowed(keys: list[str]) -> bool:
    limits = current_app.config["RATELIMIT_RESET_DESTINATION"]
    return all(throttle.hit("reset-destination", key, limits) for key in keys)


@bp.route("/reset", methods=["GET", "POST"])
@_limit("RATELIMIT_RESET")
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        identifier = form.identifier.data.strip()
        user = service.find_by_identifier(identifier)
        if not _reset_allowed(_destination_keys(identifier, user)):
            # The same words whether or not an account matched.
            flash(_("A message was sent for this phone number or e-mail a short time ago. "
                    "Wait a minute before asking again (at most 5 a day), and check your "
                    "messages and spam folder."), "info")
        else:
            if user is not None and user.email:
                send_mail(
                    user.email,
                    _("Reset your password"),
                    _("Open this link to choose a new password:\n%(link)s\n\nThe link works for "
                      "one hour and only once. If you did not ask for it, ignore this message.",
                      link=reset_link(user, tokens.RESET)),
                )
                db.session.commit()
            elif user is not None and user.phone:
                code = service.issue_reset_code(user, current_app.config["SMS_CODE_MAX_AGE"])
                send_sms(user.phone, _("Your password reset code: %(code)s (valid 15 minutes).",
                                       code=code))
                db.session.commit()
            # Same answer whether or not an account matched: the page reveals nothing.
            flash(_("If an account matches, we have sent a reset link to its e-mail or a code to "
                    "its phone."), "info")
        session["reset_phone"] = normalize_phone(identifier) or ""
        return redirect(url_for("accounts.reset_with_code"))
    return render_template("accounts/reset_request.html", form=form), 400 if form.errors else 200


@bp.route("/reset/code", methods=["GET", "POST"])
@_limit("RATELIMIT_RESET")
def reset_with_code():
    form = ResetCodeForm()
    if request.method == "GET" and session.get("reset_phone"):
        form.phone.data = display_phone(session["reset_phone"])
    phone = normalize_phone(form.phone.data or "") if request.method == "POST" else None
    user = service.find_by_identifier(phone) if phone else None
    form.person = user
    if form.validate_on_submit():
        max_tries = current_app.config["SMS_CODE_MAX_TRIES"]
        ok = service.consume_reset_code(user, form.code.data, max_tries)
        if ok and user is not None:
            service.set_password(user, form.password.data, _hash_method())
            _password_changed(user)
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
    form.person = user
    if form.validate_on_submit():
        service.set_password(user, form.password.data, _hash_method())
        if kind == tokens.RESET and user.email and user.email_verified_at is None:
            user.email_verified_at = utcnow()  # the link reached that mailbox
        _password_changed(user)
        db.session.commit()
        flash(_("Your password has been changed. Log in with the new one."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form), 400 if form.errors else 200


def _profile_page(user: User, form: ProfileForm, password_form: ChangePasswordForm,
                  status: int = 200):  # noqa: ANN202
    devices = sessions.active_sessions(user)
    return render_template(
        "accounts/profile.html", form=form, user=user, password_form=password_form,
        devices=devices, describe_device=sessions.describe_device,
        this_device=lambda row: sessions.key_matches(row, user.login_key),
    ), status


def send_email_change_link(user: User, new_email: str) -> None:
    token = tokens.make_token(_secret(), tokens.CHANGE_EMAIL, {"u": user.id, "e": new_email})
    link = url_for("accounts.confirm_email_change", token=token, _external=True)
    send_mail(
        new_email,
        _("Confirm your new e-mail address"),
        _("Hello %(name)s,\n\nOpen this link to make this the e-mail address of your account:\n"
          "%(link)s\n\nThe link works for 48 hours. If you did not ask for it, ignore this "
          "message.", name=user.full_name, link=link),
    )


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    form = ProfileForm(obj=user if request.method == "GET" else None)
    form.unit_id.choices = unit_choices()
    if request.method == "GET":
        form.unit_id.data = str(user.unit_id or "")
        form.locale.data = user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    if form.validate_on_submit():
        email = normalize_email(form.email.data)
        if email != user.email and not reauth.is_fresh():
            # Nothing is saved: the e-mail is how the account is recovered.
            return reauth.ask_password()
        if email and email != user.email and service.email_taken(email, except_user_id=user.id):
            form.email.errors.append(_("An account with this e-mail already exists."))
        elif not email and user.roles:
            form.email.errors.append(_("Your role needs an e-mail address."))
        else:
            old_email = user.email
            change = service.request_email_change(user, email)
            user.gender = form.gender.data or None
            user.unit_id = int(form.unit_id.data) if form.unit_id.data else None
            user.ethnicity = form.ethnicity.data or None
            user.outlet = form.outlet.data or None
            user.locale = form.locale.data
            if change == "pending" and email:
                send_email_change_link(user, email)
                notices.email_change_requested(user, old_email, email)
                flash(_("We sent a link to %(email)s. Your e-mail address changes when you open "
                        "it; until then the old one stays in use.", email=email), "info")
            elif change == "removed" and old_email:
                notices.email_removed(user, old_email)
            db.session.commit()  # the change and its messages together
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("accounts.profile"))
    return _profile_page(user, form, ChangePasswordForm(), 400 if form.errors else 200)


@bp.get("/account/email/<token>")
def confirm_email_change(token: str):
    title = _("E-mail not changed")
    try:
        data = tokens.read_token(_secret(), tokens.CHANGE_EMAIL, token,
                                 current_app.config["EMAIL_TOKEN_MAX_AGE"])
    except tokens.TokenError as exc:
        message = (_("This confirmation link has expired. Ask for the change again.")
                   if exc.expired else _("This confirmation link is not valid."))
        return render_template("accounts/message.html", title=title, message=message), 400
    user = db.session.get(User, data.get("u"))
    if user is None or not service.confirm_email_change(user, str(data.get("e", ""))):
        db.session.rollback()
        return render_template("accounts/message.html", title=title,
                               message=_("This confirmation link is not valid any more.")), 400
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return render_template("accounts/message.html", title=title,
                               message=_("This confirmation link is not valid any more.")), 400
    flash(_("Your e-mail address is now %(email)s.", email=user.email), "success")
    return redirect(url_for("accounts.profile" if current_user.is_authenticated else
                            "accounts.login"))


@bp.route("/account/report/<token>", methods=["GET", "POST"])
def report_change(token: str):
    try:
        data = tokens.read_token(_secret(), tokens.REPORT, token,
                                 current_app.config["REPORT_TOKEN_MAX_AGE"])
    except tokens.TokenError:
        return render_template("accounts/message.html", title=_("Report not sent"),
                               message=_("This link is not valid or has expired. Contact the "
                                         "organizers.")), 400
    user = db.session.get(User, data.get("u"))
    if user is None or user.erased_at is not None:
        abort(404)
    if request.method == "POST":
        if not request.form.get("confirm"):
            abort(400)
        service.undo_reported_change(user, str(data.get("old") or "") or None)
        sessions.end_all(user)
        db.session.commit()
        if current_user.is_authenticated and current_user.id == user.id:
            logout_user()
        return render_template(
            "accounts/message.html", title=_("Thank you, the change is reported"),
            message=_("Every device signed in to the account has been logged out and a pending "
                      "e-mail change is cancelled. Choose a new password now with \"Forgot your "
                      "password?\" on the log-in page, and tell the organizers if something is "
                      "still wrong."))
    return render_template("accounts/report.html", token=token)


@bp.post("/account/password")
@login_required
def change_password():
    # Typing the current password is the fresh entry this change needs.
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    form = ChangePasswordForm()
    form.person = user
    if form.validate_on_submit():
        result = service.check_password(user, form.current.data, _login_policy())
        if result.user is None:
            if result.locked_now is not None and user.locked_until is not None:
                notices.account_locked(user, user.locked_until)
            db.session.commit()  # the wrong entry counts towards the lock (and its notice)
            form.current.errors.append(_("The current password is wrong."))
        else:
            service.set_password(user, form.password.data, _hash_method())
            _password_changed(user)
            db.session.commit()
            sign_in(user)  # every session ended with the old password; keep this one
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("accounts.profile"))
    profile_form = ProfileForm(obj=user)
    profile_form.unit_id.choices = unit_choices()
    profile_form.unit_id.data = str(user.unit_id or "")
    return _profile_page(user, profile_form, form, 400)


@bp.get("/account/export")
@reauth.fresh_required
def export():
    data = service.export_data(current_user)
    for hook in current_app.extensions.get("account_export_hooks", []):
        data.update(hook(current_user))
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="my-data.json"',
        "Cache-Control": "private, no-store",
    })


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    # The password typed on this form is the fresh entry deletion needs.
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    form = DeleteAccountForm()
    if form.validate_on_submit():
        result = service.check_password(user, form.password.data, _login_policy())
        if result.user is None:
            db.session.commit()
            form.password.errors.append(_("The password is wrong."))
        elif Role.ADMIN in user.roles and service.admin_count() <= 1:
            form.confirm.errors.append(_("You are the last administrator. Make someone else an "
                                         "administrator before deleting your account."))
        else:
            service.erase(user)
            db.session.commit()
            logout_user()
            session.pop(reauth.AUTH_AT, None)
            flash(_("Your account has been deleted. Your name and contact details are erased."),
                  "info")
            return redirect(url_for("public.home"))
    return render_template("accounts/delete.html", form=form), 400 if form.errors else 200
