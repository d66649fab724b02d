"""A visitor walks the campaign site in a real browser, with JavaScript on and off, on a phone
(360×640) and a desktop (1280×800): home → a news post → the materials library and a download
→ a winning work with its audio clip and the jury's comment → the running quiz round and its
prizes next to the Start button → the writing contest with its prizes and criteria. Every page
fits the width and passes axe-core."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from contest.accounts.models import Role
from contest.campaign import jury, news, prizes, site
from contest.campaign import materials as library
from contest.extensions import db
from contest.timeutil import utcnow
from tests.browser.conftest import TIMEOUT_MS, VIEWPORTS
from tests.conftest import PASSWORD
from tests.web.campaign.campaignkit import PDF
from tests.web.judging.judgekit import Final, add_file
from tests.web.quiz.quizkit import bank, make_round  # noqa: F401 - bank is a fixture

pytestmark = pytest.mark.browser

REWARD = "3.000.000 đồng và Giấy chứng nhận"
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\x00" * 600


def seed(app, make_user, bank):  # noqa: F811 - the quiz bank fixture
    root = Path(app.config["UPLOAD_ROOT"]) / "campaign"
    post = news.save_post(None, news.PostInput(
        title="Phát động cuộc thi tìm hiểu bình đẳng giới", kind="announcement",
        status="published", summary="Thi trắc nghiệm hằng tuần.",
        body="## Thể lệ\n\nMỗi tuần một đợt."),
        None, actor_id=None, now=utcnow(), folder=root / "news")
    item = library.save_material(None, library.MaterialInput(
        title="Tờ rơi bầu cử", category="leaflet", audience="public", published=True),
        library.Upload(io.BytesIO(PDF), "to-roi.pdf"), None, actor_id=None,
        folder=root / "materials", thumb_folder=root / "thumbs")
    site.feature(material=item, actor_id=None)
    db.session.commit()
    final = Final(app, make_user)
    add_file(app, final.winner, "phong-su.mp3", MP3, "mp3")
    final.publish()
    jury.set_comment(final.winner, "Một phóng sự **giàu tư liệu**, kể bằng giọng của chính "
                     "các nữ đại biểu.", actor_id=None)
    prizes.set_contest_rewards(final.s.contest, ["", "10.000.000 đồng và Giấy chứng nhận",
                                                 "7.000.000 đồng", "Giấy chứng nhận"],
                               actor_id=None)
    rnd = make_round(bank, title="Tuần 2: Luật Bầu cử",
                     prize_tiers=[("first", 1), ("second", 2), ("consolation", 10)])
    prizes.set_round_rewards(rnd, [REWARD, "2.000.000 đồng và Giấy chứng nhận",
                                   "Giấy chứng nhận và quà lưu niệm"], actor_id=None)
    db.session.commit()
    return post, item, final, rnd


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_visitor_walks_the_campaign_site(app, live_server, browser, viewport, visit_check,
                                           make_user, bank, javascript):  # noqa: F811
    if browser is None:
        pytest.skip("no browser")
    post, item, final, rnd = seed(app, make_user, bank)
    context = browser.new_context(viewport=VIEWPORTS[viewport], bypass_csp=True, locale="vi-VN",
                                  timezone_id="Asia/Ho_Chi_Minh", java_script_enabled=javascript,
                                  accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.broken_assets = []
    try:
        page.goto(live_server("/"))
        assert "Tờ rơi bầu cử" in page.inner_text("#main")
        visit_check(page, f"home-{'js' if javascript else 'nojs'}", axe=javascript)
        with page.expect_navigation():
            page.click(f"a[href='/news/{post.slug}']")
        assert page.locator("h1").inner_text() == post.title
        assert page.locator("meta[property='og:image']").get_attribute("content").endswith(
            f"/news/{post.slug}/share.png")
        visit_check(page, f"post-{'js' if javascript else 'nojs'}", axe=javascript)
        page.goto(live_server("/materials"))
        with page.expect_navigation():
            page.click(f"a[href='/materials/{item.id}']")
        with page.expect_download() as download:
            page.click(f"a[href='/materials/{item.id}/download']")
        assert Path(download.value.path()).read_bytes() == PDF
        visit_check(page, f"material-{'js' if javascript else 'nojs'}", axe=javascript)
        page.goto(live_server("/showcase"))
        audio = page.locator(f"#work-{final.winner.id} audio")
        assert audio.count() == 1
        src = audio.get_attribute("src")
        response = page.request.get(live_server(src))
        assert response.status == 200 and response.headers["content-type"] == "audio/mpeg"
        if javascript:
            assert page.evaluate("document.querySelector('audio').canPlayType('audio/mpeg')")
        assert "giàu tư liệu" in page.locator(f"#work-{final.winner.id} .jury-comment").inner_text()
        visit_check(page, f"showcase-{'js' if javascript else 'nojs'}", axe=javascript)
        page.goto(live_server("/"))
        with page.expect_navigation():
            page.click(f"a[href='/rounds/{rnd.id}']")
        assert "Tuần 2: Luật Bầu cử" in page.inner_text("h1")
        visit_check(page, f"round-{'js' if javascript else 'nojs'}", axe=javascript)
        # The page with the Start button shows what each prize wins, inside the screen width.
        page.goto(live_server(f"/quiz/rounds/{rnd.id}"))
        box = page.locator(".round-prizes")
        assert box.is_visible()
        shown = box.inner_text()
        assert "Giải Nhất" in shown and REWARD in shown and "10 giải" in shown
        edge = box.bounding_box()
        assert edge["x"] >= 0 and edge["x"] + edge["width"] <= VIEWPORTS[viewport]["width"]
        visit_check(page, f"quiz-round-{'js' if javascript else 'nojs'}", axe=javascript)
        page.goto(live_server(f"/writing/contests/{final.s.contest.id}"))
        section = page.locator(".contest-prizes").inner_text()
        assert "10.000.000 đồng và Giấy chứng nhận" in section and "50%" in section
        visit_check(page, f"contest-{'js' if javascript else 'nojs'}", axe=javascript)
        db.session.expire_all()
        assert db.session.get(type(item), item.id).download_count == 1
    finally:
        context.close()


def test_an_organizer_words_prizes_and_a_jury_comment_on_a_phone(app, live_server, page,
                                                                  visit_check, make_user,
                                                                  bank):  # noqa: F811
    """The two console pages fit the width; what is typed there shows on the public pages."""
    final = Final(app, make_user)
    final.publish()
    rnd = make_round(bank, title="Tuần 4: Phụ nữ ứng cử",
                     prize_tiers=[("first", 1), ("second", 2)])
    organizer = make_user(Role.ORGANIZER, email="btc@example.org")
    page.goto(live_server("/login"))
    page.fill("#identifier", organizer.email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.locator("main form button[type=submit]").click()

    page.goto(live_server("/organizer/campaign/prizes"))
    visit_check(page, "console-prizes")
    page.fill(f"#round{rnd.id}-rewards-0", REWARD)
    with page.expect_navigation(wait_until="load"):
        page.locator(f"#round{rnd.id} button[type=submit]").click()
    assert page.locator(f"#round{rnd.id}-rewards-0").input_value() == REWARD

    page.goto(live_server("/organizer/campaign/showcase"))
    visit_check(page, "console-jury-comments")
    page.fill(f"#entry{final.winner.id}-comment", "Một phóng sự **giàu tư liệu**.")
    with page.expect_navigation(wait_until="load"):
        page.locator(f"#entry-{final.winner.id} button[type=submit]").click()

    page.goto(live_server(f"/quiz/rounds/{rnd.id}"))
    assert REWARD in page.locator(".round-prizes").inner_text()
    page.goto(live_server("/showcase"))
    comment = page.locator(f"#work-{final.winner.id} .jury-comment strong")
    assert comment.inner_text() == "giàu tư liệu"
