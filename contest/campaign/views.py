"""Public pages of the campaign site: home, about, news (with its Atom feed), the materials
library, the showcase of winning works, share images, the sitemap and robots.txt.

Views parse, call the domain modules and render; the rules live in news.py, materials.py,
site.py and showcase.py.
"""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from contest import timeutil
from contest.campaign import materials as library
from contest.campaign import news, pictures, prizes, shares, showcase, site
from contest.campaign.labels import AUDIENCE_LABELS, CATEGORY_LABELS, KIND_LABELS, PRIZE_LABELS
from contest.campaign.messages import problem_message
from contest.campaign.models import (
    Audience,
    Material,
    MaterialCategory,
    NewsKind,
    NewsPost,
    ResultShare,
)
from contest.extensions import db
from contest.forms import ActionForm
from contest.params import whole_number
from contest.quiz.rounds import public_round
from contest.refusals import press_button
from contest.writing import files as entry_files
from contest.writing import phases as writing_phases
from contest.writing import storage as writing_storage
from contest.writing.models import WritingContest

bp = Blueprint("campaign", __name__)

NEWS_PER_PAGE = 10
# Share images and thumbnails change only when their subject does; an hour is short enough.
PUBLIC_MAX_AGE = 3600


def folder(name: str) -> Path:
    """Where the campaign keeps one kind of upload: logo, news, materials or thumbs."""
    return Path(current_app.config["UPLOAD_ROOT"]) / "campaign" / name


def _locale() -> str:
    return str(get_locale() or "vi")


def campaign_settings():
    """The settings for the page (from the process's short-lived copy). An error page drawn
    after a failed query still gets (empty) settings rather than failing again."""
    if "campaign_settings" not in g:
        try:
            g.campaign_settings = site.cached_settings()
        except SQLAlchemyError:
            db.session.rollback()
            g.campaign_settings = site.empty_settings()
    return g.campaign_settings


@bp.app_context_processor
def _campaign_context() -> dict:
    def setting(name: str) -> str:
        return site.shown(campaign_settings(), name, _locale())

    return {"campaign": campaign_settings, "campaign_text": setting, "news_kinds": KIND_LABELS,
            "material_categories": CATEGORY_LABELS, "prize_labels": PRIZE_LABELS}


def _page() -> int:
    return max(1, request.args.get("page", 1, type=whole_number) or 1)


# --- home and about -----------------------------------------------------------------------


def home_page() -> str:
    """The campaign home (served at ``/`` by the public blueprint)."""
    now = timeutil.utcnow()
    sections = [hook() for hook in current_app.extensions.get("home_sections", [])]
    contests = [c for c in writing_phases.visible_contests()
                if writing_phases.contest_phase(c, now) == writing_phases.Phase.OPEN]
    latest = db.session.execute(news.visible(now).limit(4)).scalars().all()
    featured = [item for item in site.featured()
                if (item.news is not None and news.is_visible(item.news, now))
                or (item.material is not None and item.material.published)]
    winners = showcase.writing_showcase()[:1]
    return render_template("campaign/home.html", sections=[s for s in sections if s],
                           contests=contests, latest=latest, featured=featured,
                           winners=winners[0] if winners else None, now=now,
                           top_rewards={c.id: prizes.top_reward_of_contest(c) for c in contests})


def _contest_section(contest: WritingContest) -> Markup | str:
    """The writing contest page's section on prizes, criteria and the judging calendar."""
    data = prizes.contest_prizes(contest)
    if data.empty:
        return ""
    html = render_template("campaign/_contest_prizes.html", contest=contest, data=data)
    return Markup(html)  # noqa: S704 - the output of an autoescaping template


@bp.record
def _register_contest_section(state) -> None:  # noqa: ANN001
    # The writing views ask these hooks and never import the campaign site.
    sections = state.app.extensions.setdefault("contest_page_sections", [])
    if _contest_section not in sections:
        sections.append(_contest_section)


@bp.get("/about")
def about():
    row = campaign_settings()
    members = [line.strip() for line in (row.board_members or "").splitlines() if line.strip()]
    return render_template("campaign/about.html", row=row, members=members)


@bp.get("/about/logo/<name>.png")
def logo(name: str):
    row = campaign_settings()
    if not row.logo_name or row.logo_name != name:
        abort(404)
    return _picture(folder("logo") / f"{name}.png", "image/png")


def _picture(path: Path, mimetype: str = "image/jpeg") -> Response:
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=mimetype, conditional=True, max_age=PUBLIC_MAX_AGE)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- news ---------------------------------------------------------------------------------


@bp.get("/news")
def news_list():
    now = timeutil.utcnow()
    kind = request.args.get("kind", "")
    stmt = news.visible(now)
    if kind in set(NewsKind):
        stmt = stmt.where(NewsPost.kind == kind)
    else:
        kind = ""
    total = db.session.execute(select(func.count()).select_from(stmt.subquery())).scalar() or 0
    pages = max(1, -(-total // NEWS_PER_PAGE))
    page = min(_page(), pages)
    posts = db.session.execute(
        stmt.offset((page - 1) * NEWS_PER_PAGE).limit(NEWS_PER_PAGE)).scalars().all()
    return render_template("campaign/news.html", posts=posts, page=page, pages=pages, kind=kind,
                           kinds=KIND_LABELS)


def _visible_post_or_404(slug: str) -> NewsPost:
    post = news.public_post(slug, timeutil.utcnow())
    if post is None:
        abort(404)
    return post


@bp.get("/news/<slug>")
def news_post(slug: str):
    post = _visible_post_or_404(slug)
    return render_template("campaign/post.html", post=post, kinds=KIND_LABELS)


@bp.get("/news/<slug>/share.png")
def news_share(slug: str):
    post = _visible_post_or_404(slug)
    lines = [str(KIND_LABELS[post.kind]), post.summary] if post.summary else [
        str(KIND_LABELS[post.kind])]
    return _share_png(post.title, lines)


@bp.get("/news/pictures/<name>/<int:width>.jpg")
def news_picture(name: str, width: int):
    if width not in pictures.WIDTHS or not name.isalnum():
        abort(404)
    return _picture(pictures.copy_path(folder("news"), name, width))


@bp.get("/news/feed.atom")
def news_feed():
    now = timeutil.utcnow()
    posts = db.session.execute(news.visible(now).limit(20)).scalars().all()
    updated = max((p.updated_at for p in posts), default=now)
    body = render_template("campaign/feed.atom.xml", posts=posts, updated=updated)
    response = make_response(body)
    response.mimetype = "application/atom+xml"
    return response


# --- materials ----------------------------------------------------------------------------


@bp.get("/materials")
def materials():
    category = request.args.get("category", "")
    audience = request.args.get("audience", "")
    category = category if category in set(MaterialCategory) else ""
    audience = audience if audience in set(Audience) else ""
    items = db.session.execute(library.public(category or None, audience or None)).scalars().all()
    return render_template("campaign/materials.html", items=items, category=category,
                           audience=audience, categories=CATEGORY_LABELS,
                           audiences=AUDIENCE_LABELS)


def _public_material_or_404(material_id: int) -> Material:
    item = db.session.get(Material, material_id)
    if item is None or not item.published:
        abort(404)
    return item


@bp.get("/materials/<int:material_id>")
def material(material_id: int):
    item = _public_material_or_404(material_id)
    return render_template("campaign/material.html", item=item, categories=CATEGORY_LABELS,
                           audiences=AUDIENCE_LABELS)


@bp.get("/materials/<int:material_id>/download")
def material_download(material_id: int):
    item = _public_material_or_404(material_id)
    library.count_download(item)
    db.session.commit()
    if item.is_link:
        return redirect(item.link_url)
    path = folder("materials") / (item.stored_name or "")
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=library.mimetype(item), as_attachment=True,
                         download_name=item.original_name, conditional=True,
                         max_age=PUBLIC_MAX_AGE)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/materials/thumbs/<name>/<int:width>.jpg")
def material_thumb(name: str, width: int):
    if width not in library.THUMB_WIDTHS or not name.isalnum():
        abort(404)
    return _picture(pictures.copy_path(folder("thumbs"), name, width))


# --- showcase -----------------------------------------------------------------------------


@bp.get("/showcase")
def showcase_page():
    return render_template("campaign/showcase.html", contests=showcase.writing_showcase(),
                           rounds=showcase.quiz_showcase(), prizes=PRIZE_LABELS,
                           kinds=entry_files.KINDS)


@bp.get("/showcase/entries/<int:entry_id>/files/<int:file_id>")
def showcase_file(entry_id: int, file_id: int):
    item = showcase.showcased_file(entry_id, file_id)
    if item is None:
        abort(404)
    root = current_app.config["UPLOAD_ROOT"]
    # The copy without metadata (camera owner, GPS, author) where there is one.
    path = writing_storage.file_path(root, item, clean=True)
    if path is None or not path.is_file():
        path = writing_storage.file_path(root, item)
    if path is None or not path.is_file():
        abort(404)
    kind = entry_files.KINDS[item.kind]
    # Media and PDFs open in the browser's own player or viewer; Word files download.
    response = send_file(path, mimetype=kind.mimetype, as_attachment=item.kind == "docx",
                         download_name=item.original_name, conditional=True,
                         max_age=PUBLIC_MAX_AGE)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/showcase/entries/<int:entry_id>/share.png")
def showcase_share(entry_id: int):
    entry = showcase.showcased_entry(entry_id)
    if entry is None:
        abort(404)
    return _share_png(entry.title, [entry.contest.title, entry.outlet])


# --- share images, sitemap, robots ----------------------------------------------------------


def _share_png(title: str, lines: list[str]) -> Response:
    footer = site.shown(campaign_settings(), "title", _locale()) or _("Gender equality in politics")
    response = make_response(pictures.share_image(title, [x for x in lines if x], footer))
    response.mimetype = "image/png"
    response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    return response


@bp.get("/share.png")
def site_share():
    row = campaign_settings()
    title = site.shown(row, "title", _locale()) or _("Gender equality in politics")
    return _share_png(title, [site.shown(row, "org_name", _locale())])


@bp.get("/sitemap.xml")
def sitemap():
    now = timeutil.utcnow()
    posts = db.session.execute(news.visible(now)).scalars().all()
    items = db.session.execute(library.public()).scalars().all()
    pages = [url_for(name, _external=True) for name in (
        "public.home", "campaign.about", "campaign.news_list", "campaign.materials",
        "campaign.showcase_page", "public.rounds", "writing.contests")]
    body = render_template("campaign/sitemap.xml", pages=pages, posts=posts, items=items)
    response = make_response(body)
    response.mimetype = "application/xml"
    return response


@bp.get("/robots.txt")
def robots():
    lines = ["User-agent: *", "Disallow: /organizer/", "Disallow: /account",
             "Disallow: /judging/", "Disallow: /writing/entries", "Disallow: /quiz/attempts/",
             f"Sitemap: {url_for('campaign.sitemap', _external=True)}", ""]
    response = make_response("\n".join(lines))
    response.mimetype = "text/plain"
    return response


# --- an entrant's own result, shared by choice ---------------------------------------------


@bp.post("/share/rounds/<int:round_id>")
@login_required
def share_result(round_id: int):
    rnd = public_round(round_id)
    if rnd is None:
        abort(404)
    return press_button(lambda: shares.share_result(current_user, rnd, timeutil.utcnow()),
                        message=problem_message,
                        done=_("Your result page is public: share its address."),
                        then=lambda share: url_for(".shared_result", token=share.token)
                        if share else url_for("public.my_rank", round_id=round_id))


@bp.get("/share/<token>")
def shared_result(token: str):
    found = shares.shared(token, timeutil.utcnow())
    if found is None:
        abort(404)
    share, rnd, standing, name = found
    mine = current_user.is_authenticated and current_user.id == share.user_id
    return render_template("campaign/shared_result.html", share=share, rnd=rnd,
                           standing=standing, name=name, mine=mine, action_form=ActionForm())


@bp.get("/share/<token>/image.png")
def shared_result_image(token: str):
    found = shares.shared(token, timeutil.utcnow())
    if found is None:
        abort(404)
    _share, rnd, standing, name = found
    score, top = format(standing.score, "g"), format(standing.max_score, "g")
    return _share_png(name, [rnd.title, _("Score %(score)s of %(max)s · rank %(rank)d",
                                          score=score, max=top, rank=standing.rank)])


@bp.post("/share/<token>/withdraw")
@login_required
def withdraw_share(token: str):
    share = db.session.execute(select(ResultShare).where(ResultShare.token == token)
                               ).scalar_one_or_none()
    if share is None:
        abort(404)
    round_id = share.round_id
    return press_button(lambda: shares.withdraw(share, current_user), message=problem_message,
                        done=_("Your result page is no longer public."),
                        then=url_for("public.my_rank", round_id=round_id))
