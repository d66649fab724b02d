"""The demo writing contest: created once, open now, one category per medium."""

from __future__ import annotations

from sqlalchemy import func, select

from contest.extensions import db
from contest.writing import demo, phases
from contest.writing.models import WritingContest


def test_the_demo_contest_is_created_once_and_is_open(app):
    lines: list[str] = []
    demo.load(lines.append)
    db.session.commit()
    demo.load(lines.append)
    db.session.commit()
    assert db.session.execute(select(func.count()).select_from(WritingContest)).scalar_one() == 1
    contest = db.session.execute(select(WritingContest)).scalar_one()
    assert contest.title == "Giải báo chí về bình đẳng giới trong chính trị"
    assert phases.contest_phase(contest) == phases.Phase.OPEN
    assert [c.medium for c in contest.categories] == ["print", "online", "radio", "tv", "photo"]
    by_medium = {c.medium: c for c in contest.categories}
    assert (by_medium["print"].min_words, by_medium["print"].max_words) == (800, 5000)
    assert by_medium["online"].link_required
    assert by_medium["radio"].accepted_kinds == ["mp3", "m4a"]
    assert by_medium["tv"].accepted_kinds == ["mp4"]
    assert by_medium["photo"].accepted_kinds == ["jpeg", "png"]
    assert lines[-1] == "writing contest: already present"
    page = app.test_client().get("/writing/").get_data(as_text=True)
    assert contest.title in page
