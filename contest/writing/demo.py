"""Demo content for the writing contests: one open press award with a category per medium, and
a second one closed to entries, with entries from the demo journalists, for the jury.

Idempotent: the contests are looked up by their titles, so running it again adds nothing.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import select

from contest.accounts.models import Role, User
from contest.demo_accounts import DemoAccount, ensure_accounts, organizer
from contest.extensions import db
from contest.timeutil import to_local, utcnow
from contest.writing.models import Category, ContestStatus, Medium, WritingContest

DEMO_TITLE = "Giải báo chí về bình đẳng giới trong chính trị"

DEMO_RULES = """\
Giải dành cho các tác phẩm báo chí viết về bình đẳng giới trong lĩnh vực chính trị: phụ nữ tham \
gia ứng cử, bầu cử đại biểu Quốc hội và Hội đồng nhân dân, phụ nữ giữ vị trí lãnh đạo, quản lý.

- Tác phẩm đã đăng, phát trên báo chí trong thời gian xét giải.
- Mỗi tác giả hoặc nhóm tác giả gửi tối đa **3 tác phẩm**; tác phẩm đồng tác giả được tính cho \
mỗi tác giả.
- Loạt bài tối đa 5 kỳ, ít nhất hai phần ba số kỳ đăng trong thời gian xét giải.
- Thành viên Hội đồng giám khảo không được gửi tác phẩm dự giải.
- Tác phẩm đã đoạt giải khác phải ghi rõ tên giải.
"""

# name, medium, min words, max words, accepted kinds, MB per file, files, file needed, link needed
DEMO_CATEGORIES = [
    ("Báo in", Medium.PRINT, 800, 5000, ["pdf", "docx"], 20, 5, False, False),
    ("Báo điện tử", Medium.ONLINE, 800, 5000, ["pdf", "docx"], 20, 5, False, True),
    ("Phát thanh", Medium.RADIO, None, None, ["mp3", "m4a"], 50, 5, True, False),
    ("Truyền hình", Medium.TV, None, None, ["mp4"], 60, 1, True, False),
    ("Ảnh báo chí", Medium.PHOTO, None, None, ["jpeg", "png"], 20, 10, True, False),
]


def load(echo: Callable[[str], None]) -> None:
    """Create the demo writing contest unless a contest with its title exists."""
    existing = db.session.execute(
        select(WritingContest).where(WritingContest.title == DEMO_TITLE)
    ).scalar_one_or_none()
    if existing is not None:
        echo("writing contest: already present")
        return
    now = utcnow().replace(microsecond=0)
    contest = WritingContest(
        title=DEMO_TITLE,
        rules=DEMO_RULES,
        status=ContestStatus.OPEN,
        submission_opens_at=now - timedelta(days=1),
        submission_closes_at=now + timedelta(days=30),
        publication_from=date(2025, 1, 1),
        publication_to=to_local(now).date(),
        max_entries_per_author=3,
        blind=True,
        jury_may_enter=False,
        allow_prior_awards=True,
        code_prefix="BC",
    )
    for position, (name, medium, low, high, kinds, mb, count, needs_file, needs_link) in (
        enumerate(DEMO_CATEGORIES, start=1)
    ):
        contest.categories.append(
            Category(
                name=name,
                medium=medium,
                position=position,
                min_words=low,
                max_words=high,
                series_allowed=True,
                max_series_parts=5,
                accepted_kinds=kinds,
                max_file_mb=mb,
                max_files=count,
                file_required=needs_file,
                link_required=needs_link,
            )
        )
    db.session.add(contest)
    db.session.flush()
    echo(f"writing contest: created with {len(DEMO_CATEGORIES)} categories")


# --- a second contest, closed to entries and being judged ------------------------------------

JUDGED_TITLE = "Giải báo chí 2025 (đang chấm)"
JUDGED_RULES = DEMO_RULES
JUDGED_PREFIX = "BC25"

# The journalist of contest.demo_accounts.DEMO_ACCOUNTS (+84912000004) writes two entries too.
DEMO_JOURNALISTS = [
    DemoAccount("Nguyễn Văn Thành", "+84912000011", "phongvien2@demo.binhdang.vn",
                (Role.JOURNALIST,), "BAO", "male", date(1987, 9, 2), outlet="Báo Nghệ An"),
    DemoAccount("Vi Thị Thu Hà", "+84912000012", "phongvien3@demo.binhdang.vn",
                (Role.JOURNALIST,), "BAO", "female", date(1993, 4, 17), ethnicity="Thái",
                outlet="Đài Phát thanh và Truyền hình Nghệ An"),
]

_PARAGRAPHS = [
    "Tại kỳ họp gần đây của Hội đồng nhân dân tỉnh, tỷ lệ nữ đại biểu đã tăng so với nhiệm kỳ "
    "trước, nhưng vẫn chưa đạt mục tiêu mà Chiến lược quốc gia về bình đẳng giới đặt ra. Nhiều "
    "cán bộ nữ cho biết rào cản lớn nhất không nằm ở năng lực, mà ở định kiến cho rằng công việc "
    "lãnh đạo là việc của nam giới, còn phụ nữ nên lo việc gia đình.",
    "Chị kể rằng lần đầu ứng cử, nhiều người trong thôn hỏi thẳng ai sẽ trông con khi chị đi họp. "
    "Chồng chị đã đứng ra nhận phần việc nhà, và chính sự chia sẻ ấy giúp chị tự tin vận động cử "
    "tri. Sau năm năm, chị là một trong những đại biểu có nhiều chất vấn nhất về nước sạch, "
    "trường học và đường giao thông nông thôn.",
    "Luật Bình đẳng giới quy định nam, nữ bình đẳng trong tham gia quản lý nhà nước, tham gia hoạt "
    "động xã hội; bình đẳng trong tự ứng cử và được giới thiệu ứng cử đại biểu Quốc hội, đại biểu "
    "Hội đồng nhân dân. Thế nhưng khoảng cách giữa quy định trên giấy và thực tế ở cơ sở vẫn còn "
    "đáng kể, nhất là tại các xã vùng cao.",
    "Theo số liệu của Hội Liên hiệp Phụ nữ tỉnh, số nữ cán bộ được quy hoạch vào các chức danh "
    "chủ chốt cấp xã đã tăng, song tỷ lệ được bổ nhiệm thực sự còn thấp. Nguyên nhân được chỉ ra "
    "là tuổi nghỉ hưu, cơ hội đào tạo và cả những cuộc họp kéo dài đến tối muộn, khi phụ nữ vẫn "
    "gánh phần lớn việc chăm sóc gia đình.",
    "Ở bản vùng cao, một nữ bí thư chi bộ người Thái đã vận động bà con cùng làm đường, mở lớp "
    "xóa mù chữ cho phụ nữ lớn tuổi. Bà con quen gọi chị là người đi trước, bởi chị là người "
    "phụ nữ đầu tiên của bản đứng lên phát biểu trong cuộc họp thôn, điều mà mười năm trước "
    "khó ai nghĩ tới.",
    "Các chuyên gia cho rằng muốn tăng tỷ lệ nữ trúng cử, cần bắt đầu từ khâu giới thiệu người "
    "ứng cử: danh sách phải có đủ nữ ứng viên có năng lực, được bố trí ở những đơn vị bầu cử phù "
    "hợp, được tập huấn kỹ năng tiếp xúc cử tri và trình bày chương trình hành động một cách "
    "thuyết phục.",
    "Báo chí có vai trò không nhỏ trong việc thay đổi nhận thức. Những câu chuyện về nữ đại biểu "
    "làm việc hiệu quả, gần dân, dám nói và dám làm góp phần xóa bỏ định kiến. Ngược lại, cách "
    "đưa tin chỉ chú ý đến ngoại hình hay hoàn cảnh gia đình của nữ lãnh đạo lại vô tình củng "
    "cố những khuôn mẫu cũ.",
    "Một nữ phó chủ tịch xã chia sẻ rằng điều chị cần nhất không phải là sự ưu ái, mà là cơ hội "
    "được giao việc khó và được đánh giá công bằng theo kết quả. Khi được tin tưởng, chị đã cùng "
    "tập thể giải quyết dứt điểm vụ tranh chấp đất kéo dài nhiều năm, được người dân ghi nhận.",
    "Trong các buổi tiếp xúc cử tri, nhiều phụ nữ lớn tuổi nói rằng họ muốn bầu cho người hiểu "
    "chuyện bếp núc, chuyện học hành của con cháu và chuyện chăm lo người già. Những tiếng nói ấy "
    "cho thấy cử tri không hề xa lạ với việc phụ nữ tham chính, nếu các ứng viên được biết đến "
    "rộng rãi.",
    "Tỉnh đã ban hành kế hoạch bồi dưỡng nữ cán bộ trẻ, kết hợp luân chuyển để rèn luyện thực "
    "tiễn. Tuy vậy, để kế hoạch đi vào cuộc sống cần sự vào cuộc của người đứng đầu cấp ủy, chính "
    "quyền và sự đồng hành của mỗi gia đình, mỗi cộng đồng dân cư.",
    "Nhìn lại một nhiệm kỳ, có thể thấy những bước tiến rõ rệt: nhiều nữ đại biểu trẻ, có trình "
    "độ, mạnh dạn chất vấn và đề xuất chính sách. Nhưng con đường phía trước vẫn còn dài, và mỗi "
    "thay đổi nhỏ ở cơ sở đều đáng được ghi nhận, lan tỏa.",
    "Khi được hỏi về lời khuyên cho những phụ nữ trẻ muốn tham gia công tác chính quyền, chị mỉm "
    "cười: hãy học thật chắc, lắng nghe người dân và đừng ngại lên tiếng. Những điều tưởng như "
    "đơn giản ấy lại là nền tảng của sự tự tin và uy tín lâu dài.",
]

# title, journalist phone, category name, outlet, published on, summary
_ENTRIES = [
    ("Những nữ đại biểu nơi rẻo cao", "+84912000004", "Báo in", "Báo Nghệ An",
     date(2025, 3, 8), "Chân dung ba nữ đại biểu Hội đồng nhân dân xã ở miền Tây Nghệ An."),
    ("Khi phụ nữ đứng lên phát biểu trong họp thôn", "+84912000004", "Báo điện tử",
     "Báo Nghệ An điện tử", date(2025, 5, 20),
     "Những thay đổi ở một bản người Thái sau khi có nữ bí thư chi bộ."),
    ("Định kiến giới – rào cản vô hình của nữ cán bộ", "+84912000011", "Báo in", "Báo Nghệ An",
     date(2025, 6, 12), "Điều tra về những rào cản khiến nữ cán bộ khó được bổ nhiệm."),
    ("Tỷ lệ nữ đại biểu: con số và câu chuyện phía sau", "+84912000011", "Báo điện tử",
     "Báo Nghệ An điện tử", date(2025, 8, 2),
     "Phân tích số liệu về nữ đại biểu qua các nhiệm kỳ và ý kiến chuyên gia."),
    ("Người đi trước", "+84912000012", "Báo in", "Tạp chí Phụ nữ Nghệ An",
     date(2025, 4, 30), "Câu chuyện về người phụ nữ đầu tiên làm chủ tịch xã ở huyện miền núi."),
    ("Bình đẳng giới bắt đầu từ gian bếp", "+84912000012", "Báo điện tử",
     "Cổng thông tin Đài PT-TH Nghệ An", date(2025, 9, 15),
     "Sự chia sẻ việc nhà giúp phụ nữ có thêm cơ hội tham gia công tác chính quyền."),
]
_URL = "https://baodientu.demo.binhdang.vn/bai-viet/{n}"


def _body(rng: random.Random, words: int = 900) -> str:
    """A markdown body of at least ``words`` words made of the sample paragraphs."""
    chosen: list[str] = []
    count = 0
    while count < words:
        order = _PARAGRAPHS[:]
        rng.shuffle(order)
        for paragraph in order:
            chosen.append(paragraph)
            count += len(paragraph.split())
            if count >= words:
                break
    return "\n\n".join(chosen)


def load_judged_contest(echo: Callable[[str], None]) -> WritingContest | None:
    """A second contest whose submission window is over: six entries by three journalists in
    two text categories, submitted through the entries service. Returns the contest (also when
    it was already present), or None when the journalists are missing."""
    from flask import current_app

    from contest.writing import contests, inputs, service

    existing = db.session.execute(
        select(WritingContest).where(WritingContest.title == JUDGED_TITLE)
    ).scalar_one_or_none()
    if existing is not None:
        echo(f"writing contest already present: {JUDGED_TITLE} ({existing.status})")
        return existing
    ensure_accounts(DEMO_JOURNALISTS, "demo journalists", echo)
    authors = {
        u.phone: u for u in db.session.execute(
            select(User).where(User.phone.in_({phone for _t, phone, *_r in _ENTRIES}))
        ).scalars()
    }
    if len(authors) < len({phone for _t, phone, *_r in _ENTRIES}):
        echo("writing contest: the demo journalists are missing, no judged contest created")
        return None
    actor = organizer()
    actor_id = actor.id if actor else None
    now = utcnow().replace(microsecond=0)
    # Opened with a close ahead (a contest whose window has ended cannot be opened), then
    # closed by hand once the entries are in: the close moves to that moment.
    contest = contests.create_contest(contests.ContestSettings(
        title=JUDGED_TITLE, rules=JUDGED_RULES,
        submission_opens_at=now - timedelta(days=60), submission_closes_at=now + timedelta(days=1),
        publication_from=date(2025, 1, 1), publication_to=date(2025, 12, 31),
        max_entries_per_author=3, blind=True, jury_may_enter=False, allow_prior_awards=True,
        code_prefix=JUDGED_PREFIX,
    ), actor_id)
    categories = {}
    for name, medium, low, high, kinds, mb, count, needs_file, needs_link in DEMO_CATEGORIES[:2]:
        categories[name] = contests.add_category(contest, contests.CategorySettings(
            name=name, medium=medium, min_words=low, max_words=high, series_allowed=True,
            max_series_parts=5, accepted_kinds=kinds, max_file_mb=mb, max_files=count,
            file_required=needs_file, link_required=needs_link,
        ), actor_id)
    contests.open_contest(contest, now, actor_id)
    rng = random.Random(2025)
    upload_root = current_app.config["UPLOAD_ROOT"]
    for number, (title, phone, category, outlet, published, summary) in enumerate(_ENTRIES, 1):
        cat = categories[category]
        data = inputs.EntryInput(
            category_id=cat.id, title=title, outlet=outlet, published_on=published,
            url=_URL.format(n=number) if cat.link_required else "", summary=summary,
            body_format="markdown", body_source=_body(rng),
        )
        service.create_entry(contest, authors[phone], data, upload_root=upload_root, submit=True)
    contests.close_contest(contest, utcnow(), actor_id)
    echo(f"writing contest created: {JUDGED_TITLE} ({len(_ENTRIES)} entries in "
         f"{len(categories)} categories, closed to entries)")
    return contest
