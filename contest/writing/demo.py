"""Demo content for the writing contests: one open press award with a category per medium.

Idempotent: the contest is looked up by its title, so running it again adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import select

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
