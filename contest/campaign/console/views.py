"""Organizer screens of the campaign site under /organizer/campaign/: the settings, the news
editor (with a preview that needs no JavaScript), the materials library and the featured items.
The rules are in contest.campaign.news, .materials and .site; these views parse, call, render.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from contest import timeutil
from contest.accounts.policy import require
from contest.campaign import materials as library
from contest.campaign import news, site
from contest.campaign.console.forms import MaterialForm, NewsForm, SettingsForm
from contest.campaign.labels import (
    AUDIENCE_LABELS,
    CATEGORY_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
)
from contest.campaign.messages import problem_message
from contest.campaign.models import FeaturedItem, Material, NewsPost
from contest.campaign.views import folder
from contest.console import console_link
from contest.extensions import db
from contest.forms import ActionForm
from contest.refusals import press_button, save_form

bp = Blueprint("campaign_console", __name__, url_prefix="/organizer/campaign")

console_link("campaign_console.news_list", _l("Campaign site"),
             _l("News and announcements, the materials library, what the home page features, "
                "and who runs the campaign."), order=10)


def _upload(field: Any) -> Any:
    """The uploaded file of a form field, or None when nothing was chosen."""
    data = field.data
    return data if data is not None and getattr(data, "filename", "") else None


# --- settings -----------------------------------------------------------------------------


@bp.route("/settings", methods=["GET", "POST"])
@require("campaign.manage")
def settings():
    row = site.settings()
    form = SettingsForm(obj=row if request.method == "GET" else None)

    def render(form: Any, general: list[str], status: int) -> Any:
        return render_template("campaign/console/settings.html", form=form, row=row,
                               problems=general), status

    def act() -> Any:
        data = site.SettingsInput(**{name: form[name].data or ("" if name not in (
            "period_from", "period_to") else None) for name in site.SettingsInput.__annotations__})
        logo = _upload(form.logo)
        return site.save_settings(data, logo.stream if logo else None,
                                  actor_id=current_user.id, folder=folder("logo"))

    if request.method == "GET":
        return render(form, [], 200)
    return save_form(form, act, render=render, message=problem_message,
                     done=_("The settings were saved."), then=url_for(".settings"))


# --- news ---------------------------------------------------------------------------------


@bp.get("/news")
@require("campaign.manage")
def news_list():
    posts = db.session.execute(news.search()).scalars().all()
    featured = {item.news_id for item in site.featured() if item.news_id}
    return render_template("campaign/console/news.html", posts=posts, kinds=KIND_LABELS,
                           statuses=STATUS_LABELS, featured=featured, now=timeutil.utcnow(),
                           action_form=ActionForm())


def _post_or_404(post_id: int) -> NewsPost:
    post = db.session.get(NewsPost, post_id)
    if post is None:
        abort(404)
    return post


def _post_input(form: NewsForm) -> news.PostInput:
    when = form.publish_at.data
    return news.PostInput(
        title=form.title.data or "", kind=form.kind.data or "", status=form.status.data or "",
        summary=form.summary.data or "", body=form.body.data or "", slug=form.slug.data or "",
        pinned=bool(form.pinned.data), image_alt=form.image_alt.data or "",
        publish_at=timeutil.local_to_utc(when) if when else None)


def _edit_post(post: NewsPost | None) -> Any:
    form = NewsForm(obj=post if request.method == "GET" else None)
    if request.method == "GET" and post is not None and post.publish_at:
        form.publish_at.data = timeutil.to_local(post.publish_at).replace(tzinfo=None)

    def render(form: Any, general: list[str], status: int, preview: str | None = None) -> Any:
        return render_template("campaign/console/news_form.html", form=form, post=post,
                               problems=general, preview=preview), status

    if request.method == "GET":
        return render(form, [], 200)
    if request.form.get("action") == "preview":
        if not form.validate_on_submit():
            return render(form, [], 400)
        return render(form, [], 200, news.preview_html(form.body.data or ""))

    def act() -> NewsPost:
        picture = _upload(form.image)
        return news.save_post(post, _post_input(form), picture.stream if picture else None,
                              actor_id=current_user.id, now=timeutil.utcnow(),
                              folder=folder("news"))

    return save_form(form, act, render=render, message=problem_message,
                     done=_("The post was saved."),
                     then=lambda saved: url_for(".news_edit", post_id=saved.id))


@bp.route("/news/new", methods=["GET", "POST"])
@require("campaign.manage")
def news_new():
    return _edit_post(None)


@bp.route("/news/<int:post_id>", methods=["GET", "POST"])
@require("campaign.manage")
def news_edit(post_id: int):
    return _edit_post(_post_or_404(post_id))


@bp.post("/news/<int:post_id>/publish")
@require("campaign.manage")
def news_publish(post_id: int):
    post = _post_or_404(post_id)
    return press_button(lambda: news.set_status(post, "published", actor_id=current_user.id,
                                                now=timeutil.utcnow()),
                        message=problem_message, done=_("The post is published."),
                        then=url_for(".news_list"))


@bp.post("/news/<int:post_id>/unpublish")
@require("campaign.manage")
def news_unpublish(post_id: int):
    post = _post_or_404(post_id)
    return press_button(lambda: news.set_status(post, "unpublished", actor_id=current_user.id,
                                                now=timeutil.utcnow()),
                        message=problem_message, done=_("The post is no longer shown."),
                        then=url_for(".news_list"))


@bp.post("/news/<int:post_id>/feature")
@require("campaign.manage")
def news_feature(post_id: int):
    post = _post_or_404(post_id)
    return press_button(lambda: site.feature(news=post, actor_id=current_user.id),
                        message=problem_message, done=_("It is now on the home page."),
                        then=url_for(".featured"))


# --- materials ----------------------------------------------------------------------------


@bp.get("/materials")
@require("campaign.manage")
def materials():
    items = db.session.execute(library.ordered_all()).scalars().all()
    featured = {item.material_id for item in site.featured() if item.material_id}
    return render_template("campaign/console/materials.html", items=items, featured=featured,
                           categories=CATEGORY_LABELS, audiences=AUDIENCE_LABELS,
                           action_form=ActionForm())


def _material_or_404(material_id: int) -> Material:
    item = db.session.get(Material, material_id)
    if item is None:
        abort(404)
    return item


def _edit_material(item: Material | None) -> Any:
    form = MaterialForm(obj=item if request.method == "GET" else None)

    def render(form: Any, general: list[str], status: int) -> Any:
        return render_template("campaign/console/material_form.html", form=form, item=item,
                               problems=general, accepted=library.accepted_labels()), status

    if request.method == "GET":
        return render(form, [], 200)

    def act() -> Material:
        upload = _upload(form.upload)
        thumb = _upload(form.thumbnail)
        data = library.MaterialInput(
            title=form.title.data or "", category=form.category.data or "",
            audience=form.audience.data or "", description=form.description.data or "",
            link_url=form.link_url.data or "", published=bool(form.published.data))
        return library.save_material(
            item, data, library.Upload(upload.stream, upload.filename) if upload else None,
            thumb.stream if thumb else None, actor_id=current_user.id,
            folder=folder("materials"), thumb_folder=folder("thumbs"))

    return save_form(form, act, render=render, message=problem_message,
                     done=_("The material was saved."), then=url_for(".materials"))


@bp.route("/materials/new", methods=["GET", "POST"])
@require("campaign.manage")
def material_new():
    return _edit_material(None)


@bp.route("/materials/<int:material_id>", methods=["GET", "POST"])
@require("campaign.manage")
def material_edit(material_id: int):
    return _edit_material(_material_or_404(material_id))


@bp.post("/materials/<int:material_id>/<any(publish, unpublish):change>")
@require("campaign.manage")
def material_publish(material_id: int, change: str):
    item = _material_or_404(material_id)
    return press_button(
        lambda: library.set_published(item, change == "publish", actor_id=current_user.id),
        message=problem_message,
        done=_("The material is published.") if change == "publish"
        else _("The material is no longer shown."),
        then=url_for(".materials"))


@bp.post("/materials/<int:material_id>/<any(up, down):direction>")
@require("campaign.manage")
def material_move(material_id: int, direction: str):
    item = _material_or_404(material_id)
    return press_button(
        lambda: library.move(item, -1 if direction == "up" else 1, actor_id=current_user.id),
        message=problem_message, done=_("The order was changed."),
        then=url_for(".materials") + f"#material-{item.id}")


@bp.post("/materials/<int:material_id>/feature")
@require("campaign.manage")
def material_feature(material_id: int):
    item = _material_or_404(material_id)
    return press_button(lambda: site.feature(material=item, actor_id=current_user.id),
                        message=problem_message, done=_("It is now on the home page."),
                        then=url_for(".featured"))


# --- featured -----------------------------------------------------------------------------


@bp.get("/featured")
@require("campaign.manage")
def featured():
    return render_template("campaign/console/featured.html", items=site.featured(),
                           action_form=ActionForm())


@bp.post("/featured/<int:item_id>/remove")
@require("campaign.manage")
def featured_remove(item_id: int):
    item = db.session.get(FeaturedItem, item_id)
    if item is None:
        abort(404)
    return press_button(lambda: site.unfeature(item, actor_id=current_user.id),
                        message=problem_message, done=_("It is no longer on the home page."),
                        then=url_for(".featured"))


@bp.get("/")
@require("campaign.manage")
def index():
    return redirect(url_for(".news_list"))
