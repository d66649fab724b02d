"""News on the campaign site: what the public sees and when, the editor's rules (slug clash,
scheduling in the past, over-long titles, bad pictures) and the Atom feed."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from contest import timeutil
from contest.accounts.models import Role
from contest.audit import AuditEvent
from contest.campaign.models import NewsPost
from contest.extensions import db
from tests.web.campaign.campaignkit import field_error, make_post, png, text


@pytest.fixture
def organizer(login_as):
    c = login_as(Role.ORGANIZER)
    c.set_cookie("lang", "en")
    return c


def news_folder(app) -> Path:
    return Path(app.config["UPLOAD_ROOT"]) / "campaign" / "news"


def count_posts() -> int:
    return db.session.execute(select(func.count()).select_from(NewsPost)).scalar()


def form(**values):
    data = {"title": "Phát động cuộc thi tìm hiểu Luật Bình đẳng giới", "kind": "news",
            "summary": "", "body": "Nội dung **quan trọng**.", "slug": "", "status": "published",
            "publish_at": "", "image_alt": "", "action": "save"}
    data.update(values)
    return data


def test_published_post_is_listed_and_readable(app, client, tmp_path):
    make_post("Đại hội Phụ nữ tỉnh lần thứ XVI", body="Xin chào **bạn đọc**.", tmp_path=tmp_path)
    listing = client.get("/news")
    assert listing.status_code == 200
    assert "Đại hội Phụ nữ tỉnh lần thứ XVI" in text(listing)
    page = client.get("/news/dai-hoi-phu-nu-tinh-lan-thu-xvi")
    assert page.status_code == 200
    body = text(page)
    assert "<strong>bạn đọc</strong>" in body
    assert '<meta property="og:title" content="Đại hội Phụ nữ tỉnh lần thứ XVI">' in body
    assert 'rel="canonical" href="http://localhost/news/dai-hoi-phu-nu-tinh-lan-thu-xvi"' in body
    assert "/news/dai-hoi-phu-nu-tinh-lan-thu-xvi/share.png" in body


def test_scheduled_post_is_hidden_until_its_time(app, client, tmp_path, clock):
    when = clock.now + timedelta(hours=2)
    make_post("Thông báo lịch thi tuần 3", status="scheduled", when=when, tmp_path=tmp_path)
    assert client.get("/news/thong-bao-lich-thi-tuan-3").status_code == 404
    assert "Thông báo lịch thi tuần 3" not in text(client.get("/news"))
    assert "thong-bao-lich-thi-tuan-3" not in text(client.get("/news/feed.atom"))
    assert "thong-bao-lich-thi-tuan-3" not in text(client.get("/sitemap.xml"))
    clock.set(when + timedelta(minutes=1))
    assert client.get("/news/thong-bao-lich-thi-tuan-3").status_code == 200
    assert "Thông báo lịch thi tuần 3" in text(client.get("/news"))


@pytest.mark.parametrize("status", ["draft", "unpublished"])
def test_draft_and_unpublished_posts_are_never_shown(app, client, tmp_path, status):
    make_post("Bản nháp chưa duyệt", status=status, tmp_path=tmp_path)
    assert client.get("/news/ban-nhap-chua-duyet").status_code == 404
    for path in ("/news", "/", "/news/feed.atom", "/sitemap.xml"):
        assert "Bản nháp chưa duyệt" not in text(client.get(path)), path
        assert "ban-nhap-chua-duyet" not in text(client.get(path)), path


def test_organizer_publishes_a_post_with_a_resized_picture(app, organizer):
    response = organizer.post("/organizer/campaign/news/new", data=form(
        image=(io.BytesIO(png(2400, 1200)), "anh.png"), image_alt="Hội nghị"),
        content_type="multipart/form-data")
    assert response.status_code == 302, text(response)[:2000]
    post = db.session.execute(select(NewsPost)).scalar_one()
    assert post.slug == "phat-dong-cuoc-thi-tim-hieu-luat-binh-dang-gioi"
    assert post.status == "published" and post.publish_at is not None
    assert (post.image_width, post.image_height) == (960, 480)
    assert (news_folder(app) / f"{post.image_name}-480.jpg").is_file()
    page = text(organizer.get(f"/news/{post.slug}"))
    assert f'width="{post.image_width}" height="{post.image_height}"' in page
    assert 'loading="lazy"' in page
    picture = organizer.get(f"/news/pictures/{post.image_name}/960.jpg")
    assert picture.status_code == 200 and picture.mimetype == "image/jpeg"
    actions = db.session.execute(select(AuditEvent.action)).scalars().all()
    assert "campaign.news_created" in actions


def test_body_is_sanitised(app, organizer):
    organizer.post("/organizer/campaign/news/new", data=form(
        body="Chào <script>alert(1)</script> [liên kết](javascript:alert(2)) <b>đậm</b>"))
    post = db.session.execute(select(NewsPost)).scalar_one()
    assert "<script" not in post.body_html and "javascript:" not in post.body_html
    assert "<b>đậm</b>" in post.body_html


def test_slug_clash_is_refused_next_to_the_field(app, organizer, tmp_path):
    make_post("Phát động cuộc thi tìm hiểu Luật Bình đẳng giới", tmp_path=tmp_path)
    response = organizer.post("/organizer/campaign/news/new", data=form())
    assert response.status_code == 400
    message = field_error(response, "slug")
    assert "phat-dong-cuoc-thi-tim-hieu-luat-binh-dang-gioi" in message
    assert "phat-dong-cuoc-thi-tim-hieu-luat-binh-dang-gioi-2" in message
    assert count_posts() == 1
    organizer.set_cookie("lang", "vi")
    vi = organizer.post("/organizer/campaign/news/new", data=form())
    assert "Đã có bài khác dùng địa chỉ" in field_error(vi, "slug")


def test_scheduled_time_in_the_past_is_refused(app, organizer):
    response = organizer.post("/organizer/campaign/news/new", data=form(
        status="scheduled", publish_at="2020-01-01T08:00"))
    assert response.status_code == 400
    assert "has passed" in field_error(response, "publish_at")
    assert count_posts() == 0


def test_over_long_title_is_refused(app, organizer):
    response = organizer.post("/organizer/campaign/news/new", data=form(title="x" * 201))
    assert response.status_code == 400
    assert "200" in field_error(response, "title")
    assert count_posts() == 0


def test_bad_picture_saves_nothing(app, organizer):
    response = organizer.post("/organizer/campaign/news/new", data=form(
        image=(io.BytesIO(b"MZ\x90\x00 not a picture" * 20), "anh.png")),
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert "PNG, JPEG or WebP" in field_error(response, "image")
    assert count_posts() == 0
    folder = news_folder(app)
    assert not folder.exists() or not any(folder.iterdir())


def test_preview_renders_without_saving(app, organizer):
    response = organizer.post("/organizer/campaign/news/new", data=form(
        body="## Tiêu đề\n\n<script>x</script>Đoạn *một*.", action="preview"))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<h2>Tiêu đề</h2>" in body and "<em>một</em>" in body
    assert "<script>x" not in body  # the textarea holds it escaped; the preview drops it
    assert count_posts() == 0


def test_unpublish_hides_the_post_and_is_audited(app, organizer, tmp_path):
    post = make_post("Hướng dẫn dự thi", kind="guidance", tmp_path=tmp_path)
    assert organizer.get("/news/huong-dan-du-thi").status_code == 200
    response = organizer.post(f"/organizer/campaign/news/{post.id}/unpublish")
    assert response.status_code == 302
    assert organizer.get("/news/huong-dan-du-thi").status_code == 404
    event = db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "campaign.news_status")).scalar_one()
    assert event.details["status"] == "unpublished"


def test_feed_is_atom(app, client, tmp_path):
    make_post("Tin một", summary="Tóm tắt", tmp_path=tmp_path)
    response = client.get("/news/feed.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    body = response.get_data(as_text=True)
    assert body.startswith('<?xml version="1.0" encoding="utf-8"?>')
    assert "<title>Tin một</title>" in body
    assert re.search(r"<id>http://localhost/news/tin-mot</id>", body)


def test_news_pages_by_ten(app, client, tmp_path):
    base = timeutil.utcnow() - timedelta(days=1)
    for n in range(12):
        make_post(f"Tin số {n}", status="published", when=base + timedelta(minutes=n),
                  tmp_path=tmp_path)
    first = text(client.get("/news"))
    assert "Tin số 11<" in first and "Tin số 2<" in first and "Tin số 1<" not in first
    second = text(client.get("/news?page=2"))
    assert "Tin số 0<" in second and "Tin số 1<" in second and "Tin số 11<" not in second
    assert client.get("/news?page=99").status_code == 200


def test_share_image_is_a_1200_by_630_png(app, client, tmp_path):
    from PIL import Image

    make_post("Phụ nữ tham gia cấp ủy: Đảng bộ tỉnh đạt chỉ tiêu", tmp_path=tmp_path)
    response = client.get("/news/phu-nu-tham-gia-cap-uy-dang-bo-tinh-dat-chi-tieu/share.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert Image.open(io.BytesIO(response.data)).size == (1200, 630)
    assert client.get("/share.png").status_code == 200
