"""The rest of the campaign site: the materials library (upload rules, download counts,
unpublishing, order), the showcase (only published winners, media playable), the about page
and settings, featuring, the sitemap and robots.txt, who may use the console, and page weight."""

from __future__ import annotations

import gzip
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from contest.accounts.models import Role
from contest.audit import AuditEvent
from contest.campaign.models import FeaturedItem, Material, SiteSettings
from contest.extensions import db
from contest.writing.models import EntryStatus
from tests.web.campaign.campaignkit import PDF, field_error, make_material, make_post, png, text
from tests.web.judging.judgekit import Final, add_file

MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\x00" * 600


@pytest.fixture
def organizer(login_as):
    c = login_as(Role.ORGANIZER)
    c.set_cookie("lang", "en")
    return c


@pytest.fixture
def folders(app):
    root = Path(app.config["UPLOAD_ROOT"]) / "campaign"
    return root / "materials", root / "thumbs"


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar()


def material_form(**values):
    data = {"title": "Tờ rơi: Phụ nữ tham gia bầu cử", "description": "Tờ rơi hai mặt.",
            "category": "leaflet", "audience": "public", "link_url": "", "published": "y"}
    data.update(values)
    return data


# --- materials ----------------------------------------------------------------------------


def test_organizer_uploads_a_material_that_visitors_download(app, organizer, client, folders):
    response = organizer.post("/organizer/campaign/materials/new", data=material_form(
        upload=(io.BytesIO(PDF), "to-roi.pdf"), thumbnail=(io.BytesIO(png(900, 1200)), "t.png")),
        content_type="multipart/form-data")
    assert response.status_code == 302, text(response)[:3000]
    item = db.session.execute(select(Material)).scalar_one()
    assert (item.kind, item.size, item.thumb_width) == ("pdf", len(PDF), 640)
    listing = text(client.get("/materials"))
    assert "Tờ rơi: Phụ nữ tham gia bầu cử" in listing and "PDF" in listing
    page = text(client.get(f"/materials/{item.id}"))
    assert f"{len(PDF)} byte" in page  # the size, in Vietnamese units
    for _ in range(2):
        download = client.get(f"/materials/{item.id}/download")
        assert download.status_code == 200 and download.data == PDF
        assert "attachment" in download.headers["Content-Disposition"]
    db.session.expire_all()
    assert db.session.get(Material, item.id).download_count == 2
    assert "2" in text(organizer.get("/organizer/campaign/materials"))


def test_a_link_material_redirects_and_counts(app, organizer, client):
    organizer.post("/organizer/campaign/materials/new", data=material_form(
        category="video", link_url="https://example.org/clip"))
    item = db.session.execute(select(Material)).scalar_one()
    response = client.get(f"/materials/{item.id}/download")
    assert response.status_code == 302 and response.headers["Location"] == "https://example.org/clip"
    db.session.expire_all()
    assert db.session.get(Material, item.id).download_count == 1


@pytest.mark.parametrize("content, name, words", [
    (b"MZ\x90\x00" + b"\x00" * 200, "to-roi.pdf", "is not a file the library takes"),
    (PDF, "to-roi.docx", "is a PDF file but its name does not end in"),
    (b"", "to-roi.pdf", "is empty"),
])
def test_bad_upload_is_refused_and_nothing_is_saved(app, organizer, folders, content, name,
                                                    words):
    response = organizer.post("/organizer/campaign/materials/new", data=material_form(
        upload=(io.BytesIO(content), name)), content_type="multipart/form-data")
    assert response.status_code == 400
    assert words in field_error(response, "upload")
    assert count(Material) == 0
    for folder in folders:
        assert not folder.exists() or not [p for p in folder.iterdir()]


def test_bad_thumbnail_removes_the_stored_file(app, organizer, folders):
    response = organizer.post("/organizer/campaign/materials/new", data=material_form(
        upload=(io.BytesIO(PDF), "to-roi.pdf"), thumbnail=(io.BytesIO(b"not a picture"), "t.png")),
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert "PNG, JPEG or WebP" in field_error(response, "thumbnail")
    assert count(Material) == 0
    assert not any(folders[0].iterdir())


def test_file_or_link_is_required_and_not_both(app, organizer):
    missing = organizer.post("/organizer/campaign/materials/new", data=material_form())
    assert "Upload a file or give a link." in field_error(missing, "upload")
    both = organizer.post("/organizer/campaign/materials/new", data=material_form(
        link_url="https://example.org", upload=(io.BytesIO(PDF), "a.pdf")),
        content_type="multipart/form-data")
    assert "either a file or a link" in field_error(both, "link_url")
    assert count(Material) == 0


def test_unpublished_material_is_never_shown(app, organizer, client, folders):
    item = make_material("Áp phích bình đẳng", folder=folders[0], thumbs=folders[1])
    assert client.get(f"/materials/{item.id}").status_code == 200
    organizer.post(f"/organizer/campaign/materials/{item.id}/unpublish")
    for path in (f"/materials/{item.id}", f"/materials/{item.id}/download"):
        assert client.get(path).status_code == 404
    for path in ("/materials", "/", "/sitemap.xml"):
        assert "Áp phích bình đẳng" not in text(client.get(path))
    assert db.session.execute(select(AuditEvent.action).where(
        AuditEvent.action == "campaign.material_unpublished")).scalar()


def test_materials_are_reordered(app, organizer, client, folders):
    first = make_material("Thứ nhất", folder=folders[0], thumbs=folders[1], name="a.pdf")
    second = make_material("Thứ hai", folder=folders[0], thumbs=folders[1], name="b.pdf")
    page = text(client.get("/materials"))
    assert page.index("Thứ nhất") < page.index("Thứ hai")
    organizer.post(f"/organizer/campaign/materials/{second.id}/up")
    page = text(client.get("/materials"))
    assert page.index("Thứ hai") < page.index("Thứ nhất")
    assert first.id != second.id


def test_filters_by_category_and_audience(app, client, folders):
    make_material("Tờ rơi chung", folder=folders[0], thumbs=folders[1], name="a.pdf")
    make_material("Bài giảng cho trường học", folder=folders[0], thumbs=folders[1],
                  name="b.pdf", category="slides", audience="schools")
    page = text(client.get("/materials?category=slides"))
    assert "Bài giảng cho trường học" in page and "Tờ rơi chung" not in page
    page = text(client.get("/materials?audience=public"))
    assert "Tờ rơi chung" in page and "Bài giảng cho trường học" not in page
    assert client.get("/materials?category=%00").status_code == 400


# --- featuring and the home page ----------------------------------------------------------


def test_organizer_features_a_post_and_a_material_on_the_home_page(app, organizer, client,
                                                                   folders, tmp_path):
    post = make_post("Tin nổi bật của tuần", tmp_path=tmp_path)
    item = make_material("Tài liệu nổi bật", folder=folders[0], thumbs=folders[1])
    assert organizer.post(f"/organizer/campaign/news/{post.id}/feature").status_code == 302
    assert organizer.post(f"/organizer/campaign/materials/{item.id}/feature").status_code == 302
    again = organizer.post(f"/organizer/campaign/materials/{item.id}/feature",
                           follow_redirects=True)
    assert "already on the home page" in text(again)
    assert count(FeaturedItem) == 2
    home = text(client.get("/"))
    featured = home[home.index('id="h-featured"'):]
    assert "Tin nổi bật của tuần" in featured and "Tài liệu nổi bật" in featured
    featured_row = db.session.execute(select(FeaturedItem).where(
        FeaturedItem.material_id == item.id)).scalar_one()
    organizer.post(f"/organizer/campaign/featured/{featured_row.id}/remove")
    assert "Tài liệu nổi bật" not in text(client.get("/"))


def test_a_draft_cannot_be_featured(app, organizer, tmp_path):
    post = make_post("Bản nháp", status="draft", tmp_path=tmp_path)
    response = organizer.post(f"/organizer/campaign/news/{post.id}/feature",
                              follow_redirects=True)
    assert "Only a published item can be featured." in text(response)
    assert count(FeaturedItem) == 0


# --- about and settings -------------------------------------------------------------------


def settings_form(**values):
    data = {"org_name_vi": "Ban Vì sự tiến bộ của phụ nữ tỉnh", "org_name_en":
            "Provincial Committee for the Advancement of Women",
            "title_vi": "Bình đẳng giới trong chính trị",
            "title_en": "", "intro_vi": "", "intro_en": "", "address": "12 Trần Phú, TP. Vinh",
            "hotline": "0238 3844 111", "email": "btc@example.gov.vn",
            "legal_basis_vi": "Kế hoạch số 75/KH-UBND ngày 09/3/2020", "legal_basis_en": "",
            "board_members": "Nguyễn Văn A — Trưởng ban\nTrần Thị B — Phó ban",
            "controller_vi": "Sở Nội vụ tỉnh", "controller_en": "", "controller_contact":
            "dulieu@example.gov.vn", "footer_vi": "", "footer_en": "", "period_from": "2026-03-01",
            "period_to": "2026-12-31"}
    data.update(values)
    return data


def test_settings_show_on_the_about_page_in_both_languages(app, organizer, client):
    response = organizer.post("/organizer/campaign/settings", data=settings_form(
        logo=(io.BytesIO(png(800, 800)), "logo.png")), content_type="multipart/form-data")
    assert response.status_code == 302, text(response)[:3000]
    row = db.session.get(SiteSettings, 1)
    assert row.logo_height == 160
    client.set_cookie("lang", "en")
    about = text(client.get("/about"))
    for words in ("Provincial Committee for the Advancement of Women", "12 Trần Phú",
                  "Kế hoạch số 75/KH-UBND ngày 09/3/2020", "Trần Thị B — Phó ban",
                  "Sở Nội vụ tỉnh", "dulieu@example.gov.vn", "Decree 13/2023"):
        assert words in about, words
    assert client.get(f"/about/logo/{row.logo_name}.png").status_code == 200
    client.set_cookie("lang", "vi")
    home = text(client.get("/"))
    assert "Ban Vì sự tiến bộ của phụ nữ tỉnh" in home and "Bình đẳng giới trong chính trị" in home
    assert db.session.execute(select(AuditEvent.action).where(
        AuditEvent.action == "campaign.settings_changed")).scalar()


def test_bad_settings_change_nothing(app, organizer):
    response = organizer.post("/organizer/campaign/settings", data=settings_form(
        email="not-an-address", period_to="2026-01-01", org_name_vi="x" * 201))
    assert response.status_code == 400
    assert "valid e-mail" in field_error(response, "email")
    assert "after it starts" in field_error(response, "period_to")
    assert "200" in field_error(response, "org_name_vi")
    assert db.session.get(SiteSettings, 1) is None


# --- showcase -----------------------------------------------------------------------------


@pytest.fixture
def final(app, make_user):
    return Final(app, make_user)


def test_showcase_shows_published_winners_with_their_works(app, client, final):
    audio = add_file(app, final.winner, "phong-su.mp3", MP3, "mp3")
    assert "Phụ nữ tham chính" not in text(client.get("/showcase"))
    assert client.get(f"/showcase/entries/{final.winner.id}/files/{audio.id}").status_code == 404
    final.publish()
    page = text(client.get("/showcase"))
    assert "Phụ nữ tham chính" in page and "Báo Nghệ An" in page and Final.AUTHOR in page
    assert "Bài không đoạt giải" not in page
    src = f"/showcase/entries/{final.winner.id}/files/{audio.id}"
    assert f'<audio controls preload="none" src="{src}"' in page
    played = client.get(f"/showcase/entries/{final.winner.id}/files/{audio.id}")
    assert played.status_code == 200 and played.mimetype == "audio/mpeg"
    assert client.get(f"/showcase/entries/{final.fourth.id}/share.png").status_code == 404
    assert client.get(f"/showcase/entries/{final.winner.id}/share.png").status_code == 200


def test_withdrawn_winner_leaves_the_showcase(app, client, final):
    final.publish()
    final.winner.status = EntryStatus.WITHDRAWN
    db.session.commit()
    assert "Phụ nữ tham chính" not in text(client.get("/showcase"))
    assert client.get(f"/showcase/entries/{final.winner.id}/share.png").status_code == 404


# --- sitemap, robots, head tags -----------------------------------------------------------


def test_sitemap_and_robots(app, client, tmp_path, folders):
    make_post("Tin trong sơ đồ", tmp_path=tmp_path)
    item = make_material("Tài liệu trong sơ đồ", folder=folders[0], thumbs=folders[1])
    sitemap = client.get("/sitemap.xml")
    assert sitemap.mimetype == "application/xml"
    body = sitemap.get_data(as_text=True)
    assert "<loc>http://localhost/news/tin-trong-so-do</loc>" in body
    assert f"<loc>http://localhost/materials/{item.id}</loc>" in body
    robots = client.get("/robots.txt").get_data(as_text=True)
    assert "Disallow: /organizer/" in robots and "Sitemap: http://localhost/sitemap.xml" in robots


@pytest.mark.parametrize("path", ["/", "/about", "/news", "/materials", "/showcase"])
def test_every_public_page_has_title_description_canonical_and_open_graph(app, client, path):
    body = text(client.get(path))
    title = re.search(r"<title>(.*?)</title>", body, re.S).group(1)
    assert len(title.strip()) > 10
    for tag in ('<meta name="description" content="', '<link rel="canonical" href="http://localhost',
                '<meta property="og:title"', '<meta property="og:description"',
                '<meta property="og:image" content="http://localhost/',
                f'<meta property="og:url" content="http://localhost{path}"'):
        assert tag in body, (path, tag)


# --- who may use the console --------------------------------------------------------------

CONSOLE_GETS = ["/organizer/campaign/", "/organizer/campaign/settings",
                "/organizer/campaign/news", "/organizer/campaign/news/new",
                "/organizer/campaign/news/1", "/organizer/campaign/materials",
                "/organizer/campaign/materials/new", "/organizer/campaign/materials/1",
                "/organizer/campaign/featured"]
CONSOLE_POSTS = ["/organizer/campaign/settings", "/organizer/campaign/news/new",
                 "/organizer/campaign/news/1", "/organizer/campaign/news/1/publish",
                 "/organizer/campaign/news/1/unpublish", "/organizer/campaign/news/1/feature",
                 "/organizer/campaign/materials/new", "/organizer/campaign/materials/1",
                 "/organizer/campaign/materials/1/publish",
                 "/organizer/campaign/materials/1/unpublish",
                 "/organizer/campaign/materials/1/up", "/organizer/campaign/materials/1/down",
                 "/organizer/campaign/materials/1/feature",
                 "/organizer/campaign/featured/1/remove"]


@pytest.mark.parametrize("roles", [(), (Role.JOURNALIST,), (Role.JUDGE,)])
def test_console_is_for_organizers_only(app, login_as, client, roles):
    other = login_as(*roles)
    for path in CONSOLE_GETS:
        assert other.get(path).status_code == 403, path
        anonymous = client.get(path)
        assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"], path
    for path in CONSOLE_POSTS:
        assert other.post(path).status_code == 403, path
        assert client.post(path).status_code == 302, path
    assert count(Material) == 0 and count(FeaturedItem) == 0


def test_organizer_sees_every_console_page(app, organizer, tmp_path, folders):
    make_post("Tin một", tmp_path=tmp_path)
    make_material("Tài liệu một", folder=folders[0], thumbs=folders[1])
    for path in CONSOLE_GETS:
        response = organizer.get(path, follow_redirects=True)
        assert response.status_code == 200, path
    assert "Campaign site" in text(organizer.get("/organizer/"))


# --- page weight --------------------------------------------------------------------------

BUDGET = 50 * 1024


def _compressed_size(client, path: str) -> int:
    """HTML and its stylesheets and scripts, gzip-compressed as a server sends them."""
    html = client.get(path).get_data()
    total = len(gzip.compress(html))
    for asset in re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html):
        total += len(gzip.compress(client.get(asset.decode()).get_data()))
    return total


@pytest.mark.parametrize("path", ["/", "/news", "/materials", "/showcase"])
def test_page_weight_within_budget(app, client, path, final, tmp_path, folders):
    final.publish()
    for n in range(10):
        make_post(f"Tin tức số {n} về bình đẳng giới trong chính trị", tmp_path=tmp_path,
                  summary="Tóm tắt ngắn của bài viết " * 4)
        make_material(f"Tài liệu số {n}", folder=folders[0], thumbs=folders[1],
                      name=f"t{n}.pdf")
    size = _compressed_size(client, path)
    print(f"page weight {path}: {size} bytes compressed")
    assert size <= BUDGET, f"{path}: {size} bytes"
