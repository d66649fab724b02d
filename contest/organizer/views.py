"""Organizer console: dashboard, people and roles, identity-checked reset links, units."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from contest.accounts import service, tokens
from contest.accounts import units as units_service
from contest.accounts.forms import IssueResetLinkForm, RoleForm
from contest.accounts.messages import message
from contest.accounts.models import Role, Unit, User
from contest.accounts.policy import may_issue_reset_link, require
from contest.accounts.reauth import fresh_required
from contest.accounts.views import reset_link
from contest.console import CONSOLE_LINKS
from contest.extensions import db
from contest.forms import choices
from contest.organizer.forms import UNIT_KIND_LABELS, UnitForm
from contest.refusals import press_button, save_form

bp = Blueprint("organizer", __name__, url_prefix="/organizer")
# Unit coordinators are appointed with their unit on the reports' screen.
GRANTABLE_HERE = [role for role in Role if role != Role.UNIT_COORDINATOR]

def role_label(role: str) -> str:
    labels = {
        Role.ADMIN: _("Administrator"),
        Role.ORGANIZER: _("Organizer"),
        Role.JUDGE: _("Judge"),
        Role.JOURNALIST: _("Journalist"),
        Role.UNIT_COORDINATOR: _("Unit coordinator"),
    }
    return labels.get(role, role)


@bp.app_context_processor
def _helpers() -> dict:
    return {"role_label": role_label, "unit_kind_labels": UNIT_KIND_LABELS}


@bp.get("/")
@require("organizer.console")
def dashboard():
    counts = {
        "users": db.session.execute(
            select(func.count()).select_from(User).where(User.erased_at.is_(None))
        ).scalar_one(),
        "units": db.session.execute(select(func.count()).select_from(Unit)).scalar_one(),
    }
    links = [
        {"url": url_for(link.endpoint), "title": link.title, "text": link.text}
        for link in CONSOLE_LINKS
    ]
    return render_template("organizer/dashboard.html", counts=counts, links=links)


@bp.get("/users")
@require("users.manage")
def users():
    q = request.args.get("q", "")
    return render_template("organizer/users.html", users=service.search_users(q), q=q)


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.erased_at is not None:
        abort(404)
    return user


@bp.get("/users/<int:user_id>")
@require("users.manage")
def user_detail(user_id: int):
    user = _user_or_404(user_id)
    return render_template(
        "organizer/user.html", user=user, roles=GRANTABLE_HERE, role_form=RoleForm(),
        reset_form=IssueResetLinkForm(), reset_url=None,
        may_reset=may_issue_reset_link(current_user, user),
    )


@bp.post("/users/<int:user_id>/roles")
@require("users.manage")
@fresh_required
def change_role(user_id: int):
    user = _user_or_404(user_id)
    form = RoleForm()
    if not form.validate_on_submit() or form.action.data not in ("grant", "revoke"):
        abort(400)
    return press_button(
        lambda: service.change_role(current_user, user, form.role.data,
                                    form.action.data == "grant", form.reason.data or ""),
        form=form, message=message, done=lambda changed: _("Roles updated.") if changed else None,
        then=url_for("organizer.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/reset-link")
@require("users.manage")
@fresh_required
def issue_reset_link(user_id: int):
    user = _user_or_404(user_id)
    if not may_issue_reset_link(current_user, user):
        abort(403)
    form = IssueResetLinkForm()
    reset_url = None
    if form.validate_on_submit():
        reset_url = service.issue_reset_link(
            current_user.id, user, form.note.data or "",
            lambda person: reset_link(person, tokens.ORGANIZER_RESET))
        db.session.commit()
    return render_template(
        "organizer/user.html", user=user, roles=GRANTABLE_HERE, role_form=RoleForm(),
        reset_form=form, reset_url=reset_url, may_reset=True,
    ), 400 if form.errors else 200


@bp.get("/units")
@require("units.manage")
def units():
    rows = db.session.execute(select(Unit).order_by(Unit.kind, Unit.name)).scalars().all()
    return render_template("organizer/units.html", units=rows)


def _parent_choices(exclude: int | None = None) -> list[SelectChoice]:
    return choices([("", _("— none —"))] + [
        (str(u.id), u.label)
        for u in db.session.execute(select(Unit).order_by(Unit.name)).scalars()
        if u.id != exclude
    ])


@bp.route("/units/new", methods=["GET", "POST"], defaults={"unit_id": None})
@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
@require("units.manage")
def unit_edit(unit_id: int | None):
    unit = db.session.get(Unit, unit_id) if unit_id else None
    if unit_id and unit is None:
        abort(404)
    form = UnitForm(obj=unit if request.method == "GET" else None)
    form.parent_id.choices = _parent_choices(unit_id)
    if request.method == "GET" and unit is not None:
        form.parent_id.data = str(unit.parent_id or "")

    def render(form: UnitForm, general: list[str], status: int):  # noqa: ANN202
        return render_template("organizer/unit_form.html", form=form, unit=unit,
                               general=general), status

    def act() -> Unit:
        parent_id = int(form.parent_id.data) if form.parent_id.data else None
        return units_service.save_unit(unit, units_service.UnitInput(
            form.code.data, form.name.data, form.kind.data, parent_id, form.size.data,
            bool(form.active.data)), current_user.id)

    return save_form(form, act, render=render, message=message, done=_("Unit saved."),
                     then=url_for("organizer.units"))
