"""Organizer screens of the campaign site under /organizer/campaign/: the settings, the news
editor (with a preview that needs no JavaScript), the materials library, the featured items, the
prizes' rewards and the jury's public comments on winning works. The rules are in
contest.campaign.news, .materials, .site, .prizes and .jury; these views parse, call, render.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from contest import timeutil
from contest.accounts.policy import require
from contest.campaign import jury, news, prizes, site
from contest.campaign import materials as library
from contest.campaign.console.forms import (
    JuryCommentForm,
    MaterialForm,
    NewsForm,
    RewardsForm,
    SettingsForm,
)
from contest.campaign.labels import (
    AUDIENCE_LABELS,
    CATEGORY_LABELS,
    KIND_LABELS,
    PRIZE_LABELS,
    STATUS_LABELS,
)
from contest.campaign.messages import problem_message
from contest.campaign.models import FeaturedItem, Material, NewsPost
from contest.campaign.views import folder
from contest.console import console_link
from contest.extensions import db
from contest.forms import ActionForm
from contest.quiz.models import Round
from contest.refusals import press_button, save_form
from contest.writing.models import Entry, WritingContest

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

    if request.method == "POST" and request.form.get("action") == "preview":
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


# --- prizes: what each prize wins -----------------------------------------------------------


def _rewards_form(prefix: str, texts: list[str]) -> RewardsForm:
    return RewardsForm(formdata=None, prefix=prefix, data={"rewards": texts})


def _prizes_page(bound: tuple[str, Any] | None = None, general: list[str] | None = None,
                 status: int = 200) -> Any:
    """Every quiz round and writing contest with a form for its rewards; ``bound`` is the one
    form that was posted (shown with what was typed and its problems)."""
    round_rows = []
    for rnd in db.session.execute(select(Round).order_by(Round.opens_at.desc())).scalars():
        prefix = f"round{rnd.id}"
        table = rnd.prize_table()
        form = bound[1] if bound and bound[0] == prefix else _rewards_form(
            prefix, [reward for _name, _places, reward in table])
        while len(form.rewards.entries) < len(table):
            form.rewards.append_entry()
        round_rows.append((rnd, table, form))
    contest_rows = []
    for contest in db.session.execute(
            select(WritingContest).order_by(WritingContest.submission_closes_at.desc())
    ).scalars():
        prefix = f"contest{contest.id}"
        rewards = contest.prize_rewards or {}
        form = bound[1] if bound and bound[0] == prefix else _rewards_form(
            prefix, [rewards.get(code, "") for code in prizes.PRIZE_LEVELS])
        while len(form.rewards.entries) < len(prizes.PRIZE_LEVELS):
            form.rewards.append_entry()
        final = prizes.prize_round(contest)
        counts = (final.prize_counts or {}) if final is not None else {}
        levels = [(code, counts.get(code) if final is not None else None)
                  for code in prizes.PRIZE_LEVELS]
        contest_rows.append((contest, levels, form))
    return render_template("campaign/console/prizes.html", round_rows=round_rows,
                           contest_rows=contest_rows, levels=PRIZE_LABELS,
                           problems=general or [], bound=bound[0] if bound else None,
                           reward_max=prizes.REWARD_MAX), status


@bp.get("/prizes")
@require("campaign.manage")
def prize_rewards():
    return _prizes_page()


def _save_rewards(prefix: str, act: Any) -> Any:
    form = RewardsForm(prefix=prefix)
    return save_form(
        form, lambda: act([entry.data or "" for entry in form.rewards.entries]),
        render=lambda form, general, status: _prizes_page((prefix, form), general, status),
        message=problem_message, done=_("The prizes were saved."),
        then=url_for(".prize_rewards") + f"#{prefix}",
        fields={f"rewards-{i}": entry for i, entry in enumerate(form.rewards.entries)})


@bp.post("/prizes/rounds/<int:round_id>")
@require("campaign.manage")
def round_rewards(round_id: int):
    rnd = db.session.get(Round, round_id)
    if rnd is None:
        abort(404)
    return _save_rewards(f"round{rnd.id}", lambda texts: prizes.set_round_rewards(
        rnd, texts, actor_id=current_user.id))


@bp.post("/prizes/contests/<int:contest_id>")
@require("campaign.manage")
def contest_rewards(contest_id: int):
    contest = db.session.get(WritingContest, contest_id)
    if contest is None:
        abort(404)
    return _save_rewards(f"contest{contest.id}", lambda texts: prizes.set_contest_rewards(
        contest, texts, actor_id=current_user.id))


# --- the jury's public comments on winning works --------------------------------------------


def _comments_page(bound: tuple[int, Any] | None = None, general: list[str] | None = None,
                   status: int = 200) -> Any:
    blocks = jury.winners_to_comment()
    forms = {}
    for block in blocks:
        for winner in block.winners:
            if bound and bound[0] == winner.entry.id:
                forms[winner.entry.id] = bound[1]
            else:
                forms[winner.entry.id] = JuryCommentForm(
                    formdata=None, prefix=f"entry{winner.entry.id}",
                    data={"comment": winner.comment.source if winner.comment else ""})
    return render_template("campaign/console/jury_comments.html", blocks=blocks, forms=forms,
                           levels=PRIZE_LABELS, problems=general or [],
                           comment_max=jury.COMMENT_MAX), status


@bp.get("/showcase")
@require("campaign.manage")
def jury_comments():
    return _comments_page()


@bp.post("/showcase/<int:entry_id>")
@require("campaign.manage")
def jury_comment(entry_id: int):
    entry = db.session.get(Entry, entry_id)
    if entry is None:
        abort(404)
    form = JuryCommentForm(prefix=f"entry{entry.id}")
    return save_form(
        form, lambda: jury.set_comment(entry, form.comment.data or "",
                                       actor_id=current_user.id),
        render=lambda form, general, status: _comments_page((entry.id, form), general, status),
        message=problem_message, done=_("The jury's comment was saved."),
        then=url_for(".jury_comments") + f"#entry-{entry.id}")


@bp.get("/")
@require("campaign.manage")
def index():
    return redirect(url_for(".news_list"))
