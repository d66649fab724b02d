"""Demo content of the campaign site: a made-up provincial committee marked as sample data, six
news posts and eight materials whose files (leaflet PDFs, poster PNGs) are drawn here with
Pillow and the shipped font. Idempotent: posts are found by slug and materials by title."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from flask import current_app
from PIL import Image, ImageDraw
from sqlalchemy import select

from contest.campaign import materials as library
from contest.campaign import news, pictures, site
from contest.campaign.models import SETTINGS_ID, Material, NewsPost, SiteSettings
from contest.extensions import db
from contest.timeutil import utcnow

SAMPLE_ORG = "Ban Vì sự tiến bộ của phụ nữ tỉnh (mẫu)"

POSTS = [
    ("announcement", True, "Phát động cuộc thi tìm hiểu về bình đẳng giới trong chính trị",
     "Cuộc thi trắc nghiệm trực tuyến hằng tuần dành cho mọi người dân trong tỉnh.",
     "## Thể lệ\n\nMỗi tuần một đợt thi gồm 20 câu hỏi, làm trong 15 phút.\n\n"
     "- Đăng ký bằng số điện thoại\n- Mỗi đợt được thi tối đa 3 lần, lấy lần cao nhất\n"),
    ("news", False, "Hội nghị tập huấn cho nữ ứng cử viên đại biểu Hội đồng nhân dân",
     "Hơn 120 nữ cán bộ cấp xã tham dự lớp tập huấn kỹ năng trình bày chương trình hành động.",
     "Lớp tập huấn diễn ra trong hai ngày với các chuyên đề về **kỹ năng thuyết trình** và "
     "tiếp xúc cử tri."),
    ("guidance", False, "Hướng dẫn gửi tác phẩm dự thi báo chí",
     "Các bước gửi bài báo, phóng sự phát thanh, truyền hình và ảnh báo chí.",
     "1. Đăng ký tài khoản nhà báo có e-mail\n2. Chọn thể loại\n3. Tải tệp lên và gửi "
     "trước hạn\n"),
    ("news", False, "Tỷ lệ nữ đại biểu Quốc hội khóa XV đạt 30,26%",
     "Số liệu chính thức sau cuộc bầu cử năm 2021.",
     "Tỷ lệ nữ đại biểu Quốc hội khóa XV là 30,26%, cao nhất từ trước đến nay."),
    ("announcement", False, "Công bố kết quả đợt thi tuần 1",
     "Danh sách người đoạt giải đã được đăng trên trang kết quả.",
     "Xin chúc mừng các cá nhân đoạt giải. Giải thưởng sẽ được trao tại lễ tổng kết."),
    ("news", False, "Chi hội phụ nữ vùng cao tổ chức sinh hoạt chuyên đề",
     "Sinh hoạt chuyên đề bằng tiếng Thái và tiếng Mông tại các bản vùng cao.",
     "Các chi hội đã dùng tờ rơi song ngữ của cuộc vận động để giới thiệu Luật Bình đẳng giới."),
]

# (title, category, audience, kind of file drawn here or a link)
MATERIALS = [
    ("Tờ rơi: Phụ nữ tham gia bầu cử", "leaflet", "public", "pdf"),
    ("Tờ rơi song ngữ Việt – Thái", "leaflet", "minority", "pdf"),
    ("Áp phích: Bình đẳng giới trong lãnh đạo", "poster", "public", "png"),
    ("Áp phích: Nam nữ cùng tham chính", "poster", "schools", "png"),
    ("Đồ họa: Nữ đại biểu qua các khóa Quốc hội", "infographic", "public", "png"),
    ("Bài giảng: Luật Bình đẳng giới năm 2006", "slides", "officials", "pdf"),
    ("Luật Bình đẳng giới (văn bản gốc)", "legal", "officials",
     "https://vbpl.vn/TW/Pages/vbpq-toanvan.aspx?ItemID=17448"),
    ("Video: Câu chuyện nữ chủ tịch xã", "video", "public",
     "https://www.youtube.com/results?search_query=n%E1%BB%AF+ch%E1%BB%A7+t%E1%BB%8Bch+x%C3%A3"),
]


def _artwork(title: str, size: tuple[int, int], colour: tuple[int, int, int]) -> Image.Image:
    """A plain poster: a coloured band, the title in large type, the sample organizer."""
    image = Image.new("RGB", size, (250, 247, 251))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, size[0], size[1] // 5), fill=colour)
    font = pictures._font(size[0] // 14, "bold")
    y = size[1] // 4
    for line in pictures._wrap(draw, title, font, size[0] - 80, 6):
        draw.text((40, y), line, font=font, fill=pictures.INK)
        y += size[0] // 11
    draw.text((40, size[1] - size[0] // 10), SAMPLE_ORG, font=pictures._font(size[0] // 30),
              fill=colour)
    return image


def _file_for(title: str, kind: str) -> tuple[bytes, str]:
    out = io.BytesIO()
    if kind == "pdf":
        _artwork(title, (1240, 1754), (31, 75, 153)).save(out, "PDF", resolution=150)
        return out.getvalue(), "tai-lieu.pdf"
    _artwork(title, (1200, 1600), pictures.BRAND).save(out, "PNG", optimize=True)
    return out.getvalue(), "ap-phich.png"


def _thumb(title: str) -> io.BytesIO:
    out = io.BytesIO()
    _artwork(title, (640, 900), (31, 75, 153)).save(out, "PNG")
    out.seek(0)
    return out


def _settings(actor_id: int | None) -> None:
    if db.session.get(SiteSettings, SETTINGS_ID) is not None:
        return
    site.save_settings(site.SettingsInput(
        org_name_vi=SAMPLE_ORG, org_name_en="Provincial Committee for the Advancement of Women "
        "(sample)", title_vi="Bình đẳng giới trong chính trị", title_en="Gender equality in "
        "politics", intro_vi="Thi tìm hiểu hằng tuần cho mọi người và cuộc thi viết cho nhà "
        "báo về phụ nữ tham gia lãnh đạo, quản lý.", intro_en="Weekly knowledge quizzes for "
        "everyone and a writing contest for journalists on women in leadership.",
        address="Số 1 Đường Mẫu, Thành phố Mẫu", hotline="0200 000 000",
        email="btc@demo.binhdang.vn",
        legal_basis_vi="Kế hoạch số 75/KH-UBND ngày 09/3/2020 (mẫu)",
        legal_basis_en="Plan No. 75/KH-UBND of 9 March 2020 (sample)",
        board_members="Nguyễn Văn Mẫu — Phó Chủ tịch UBND tỉnh, Trưởng ban\n"
                      "Trần Thị Mẫu — Chủ tịch Hội Liên hiệp Phụ nữ tỉnh, Phó Trưởng ban",
        controller_vi="Sở Nội vụ tỉnh (mẫu)", controller_en="Provincial Department of Home "
        "Affairs (sample)", controller_contact="dulieu@demo.binhdang.vn",
        period_from=date(2026, 3, 1), period_to=date(2026, 12, 31)),
        None, actor_id=actor_id, folder=Path("."))
    db.session.get(SiteSettings, SETTINGS_ID).is_sample = True


def load(echo: Callable[[str], None], actor_id: int | None) -> None:
    """Load the campaign demo content; safe to run again."""
    root = Path(current_app.config["UPLOAD_ROOT"]) / "campaign"
    _settings(actor_id)
    now = utcnow()
    made = 0
    for n, (kind, pinned, title, summary, body) in enumerate(POSTS):
        if db.session.execute(select(NewsPost.id).where(
                NewsPost.slug == news.make_slug(title))).scalar() is not None:
            continue
        picture = None
        if n < 3:
            picture = io.BytesIO()
            _artwork(title, (1200, 675), pictures.BRAND).save(picture, "PNG")
            picture.seek(0)
        post = news.save_post(None, news.PostInput(
            title=title, kind=kind, status="published", summary=summary, body=body,
            pinned=pinned, publish_at=now - timedelta(days=2 * n + 1),
            image_alt=title if picture else ""), picture, actor_id=actor_id,
            now=now, folder=root / "news")
        if n in (0, 3):
            site.feature(news=post, actor_id=actor_id)
        made += 1
    echo(f"campaign news: {made} created, {len(POSTS) - made} already present")
    made = 0
    for n, (title, category, audience, source) in enumerate(MATERIALS):
        if db.session.execute(select(Material.id).where(Material.title == title)).scalar():
            continue
        link = source if source.startswith("https://") else ""
        upload = thumb = None
        if not link:
            content, name = _file_for(title, source)
            upload = library.Upload(io.BytesIO(content), name)
            thumb = _thumb(title) if source == "pdf" else None
        item = library.save_material(None, library.MaterialInput(
            title=title, category=category, audience=audience, link_url=link, published=True,
            description=f"{title}. Tài liệu mẫu để trình diễn."), upload, thumb,
            actor_id=actor_id, folder=root / "materials", thumb_folder=root / "thumbs")
        if n in (0, 2):
            site.feature(material=item, actor_id=actor_id)
        made += 1
    echo(f"campaign materials: {made} created, {len(MATERIALS) - made} already present")
