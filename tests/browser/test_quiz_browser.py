"""An entrant takes a quiz round in a real browser, from registration to the published ranking.

The entrant registers through the form, finds the running round, takes a first attempt with
JavaScript on (answers saved in the background, the countdown running), sees the result and
their masked line on the live leaderboard, then takes the second attempt in a browser without
JavaScript (the page's own buttons save and submit). After the round is closed and finalised
they read their answers beside the correct ones and find themselves on the final ranking.

The test runs on a phone (360×640) and a desktop (1280×800) viewport. Every page is checked by
``visit_check`` (screenshot, width, loaded assets, axe-core). axe-core cannot run where scripts
are off, so the pages of the JavaScript-free browser are checked by running axe on a copy of
their HTML, without its scripts, in a twin browser at the same viewport.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from contest import timeutil
from contest.accounts.identity import mask_name
from contest.accounts.models import User
from contest.extensions import db
from contest.quiz import finalise, publication, rounds
from contest.quiz.models import Attempt, AttemptStatus, Option, Question, Round, Topic
from tests.browser import helpers
from tests.browser.conftest import TIMEOUT_MS, VIEWPORTS
from tests.browser.helpers import translated
from tests.web.quiz.resultkit import add_result, make_entrant

try:
    from playwright.sync_api import expect
except ImportError:  # the harness skips (or fails under REQUIRE_BROWSER=1) before any test runs
    expect = None

pytestmark = pytest.mark.browser

FULL_NAME = "Hoàng Thị Thu Hà"
PHONE = "0978 123 456"
PASSWORD = "hoa ban no trang rung"


@dataclass(frozen=True)
class Item:
    kind: str
    text: str
    options: tuple[tuple[str, float], ...]  # the first ones carry the marks
    explanation: str

    @property
    def correct(self) -> list[str]:
        return [text for text, fraction in self.options if fraction > 0]


BANK = (
    Item("single", "Luật Bình đẳng giới được Quốc hội thông qua năm nào?",
         (("2006", 1.0), ("2000", 0.0), ("2010", 0.0), ("2013", 0.0)),
         "Luật Bình đẳng giới số 73/2006/QH11 được thông qua ngày 29/11/2006."),
    Item("single", "Công dân đủ bao nhiêu tuổi có quyền ứng cử đại biểu Quốc hội?",
         (("21 tuổi", 1.0), ("18 tuổi", 0.0), ("20 tuổi", 0.0), ("25 tuổi", 0.0)),
         "Điều 27 Hiến pháp năm 2013: công dân đủ hai mươi mốt tuổi trở lên có quyền ứng cử."),
    Item("multiple", "Những nội dung nào thuộc bình đẳng giới trong lĩnh vực chính trị?",
         (("Nam, nữ bình đẳng trong tham gia quản lý nhà nước", 0.5),
          ("Nam, nữ bình đẳng trong tự ứng cử và được giới thiệu ứng cử", 0.5),
          ("Chỉ nam giới được bổ nhiệm chức danh lãnh đạo", -1.0),
          ("Phụ nữ không tham gia xây dựng hương ước", 0.0)),
         "Điều 11 Luật Bình đẳng giới quy định bình đẳng giới trong lĩnh vực chính trị."),
    Item("single", "Danh sách chính thức người ứng cử đại biểu Quốc hội có ít nhất bao nhiêu "
                   "phần trăm là phụ nữ?",
         (("35%", 1.0), ("20%", 0.0), ("30%", 0.0), ("50%", 0.0)),
         "Điều 8 Luật Bầu cử đại biểu Quốc hội và đại biểu Hội đồng nhân dân năm 2015."),
    Item("single", "Cơ quan nào thống nhất quản lý nhà nước về bình đẳng giới?",
         (("Chính phủ", 1.0), ("Quốc hội", 0.0), ("Tòa án nhân dân tối cao", 0.0),
          ("Mặt trận Tổ quốc Việt Nam", 0.0)),
         "Điều 8 Luật Bình đẳng giới: Chính phủ thống nhất quản lý nhà nước về bình đẳng giới."),
)
MISSED = BANK[0]  # answered wrongly in the first attempt


def seed_round() -> Round:
    """A running round of five questions (one multiple-answer), two attempts, a prediction,
    and three other entrants already on the leaderboard (one of them with every answer right)."""
    now = timeutil.utcnow()
    topic = Topic(name="Bình đẳng giới trong chính trị")
    db.session.add(topic)
    db.session.flush()
    for item in BANK:
        question = Question(topic_id=topic.id, kind=item.kind, text=item.text,
                            explanation=item.explanation)
        question.options = [Option(position=i, text=t, fraction=f)
                            for i, (t, f) in enumerate(item.options)]
        db.session.add(question)
    db.session.flush()
    rnd = rounds.create_round(rounds.RoundRules(
        title="Tuần 3: Phụ nữ tham gia chính trị",
        opens_at=now - timedelta(hours=2), closes_at=now + timedelta(days=6),
        rules="Mỗi người dự thi dùng một tài khoản.\nĐược thi hai lần, tính lần cao điểm nhất.",
        quotas={topic.id: len(BANK)}, time_limit_seconds=10 * 60, attempts_allowed=2,
        prediction_enabled=True,
        prediction_text="Có bao nhiêu người dự thi trả lời đúng cả 5 câu?",
        prize_tiers=[("first", 1), ("second", 2), ("third", 3)],
    ))
    rounds.open_round(rnd, now)
    db.session.commit()
    seen = rnd.opens_at + timedelta(minutes=30)
    for name, score, time_ms, prediction in (("Nguyễn Văn An", 5.0, 240_000, 7),
                                             ("Lê Thị Bình", 4.0, 300_000, 2),
                                             ("Phạm Minh Châu", 3.0, 200_000, 1)):
        add_result(rnd, make_entrant(name), score, max_score=5.0, time_ms=time_ms,
                   submitted_at=seen, prediction=prediction, correct=int(score))
    return rnd


# --- reading the database that the server thread writes ---------------------------------------


def latest_attempt(user_id: int) -> Attempt:
    db.session.expire_all()
    return db.session.execute(
        select(Attempt).where(Attempt.user_id == user_id).order_by(Attempt.number.desc())
        .limit(1)
    ).scalar_one()


def entrant_id() -> int:
    db.session.expire_all()
    return db.session.execute(select(User.id).where(User.full_name == FULL_NAME)).scalar_one()


def answer_sheet(attempt: Attempt, missed: Item | None = None) -> dict[int, list[int]]:
    """Positions to tick on the attempt's page: the key, except a wrong option for ``missed``."""
    sheet = {}
    for question_id, shown in attempt.draw:
        question = db.session.get(Question, question_id)
        fraction = {o.id: o.fraction for o in question.options}
        if missed is not None and question.text == missed.text:
            sheet[question_id] = [next(p for p, oid in enumerate(shown) if fraction[oid] <= 0)]
        else:
            sheet[question_id] = [p for p, oid in enumerate(shown) if fraction[oid] > 0]
    return sheet


def stored_answers(attempt_id: int) -> dict[int, list[int]]:
    """The saved answers as positions on the page, like :func:`answer_sheet`."""
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    answers = attempt.answers or {}
    return {qid: sorted(shown.index(oid) for oid in answers.get(str(qid), []))
            for qid, shown in attempt.draw}


def time_text(app, time_ms: int) -> str:  # noqa: ANN001
    seconds = time_ms // 1000
    return translated(app, "%(m)d min %(s)02d s", m=seconds // 60, s=seconds % 60)


# --- steps ------------------------------------------------------------------------------------


def path_of(page) -> str:  # noqa: ANN001
    return urlsplit(page.url).path


def click_and_wait(page, selector: str) -> None:  # noqa: ANN001
    with page.expect_navigation(wait_until="load"):
        page.locator(selector).first.click()


def register(page, live_server, unit_label: str) -> None:  # noqa: ANN001
    page.goto(live_server("/"))
    click_and_wait(page, 'nav a[href="/register"]')
    page.fill("#full_name", FULL_NAME)
    page.fill("#phone", PHONE)
    page.locator("#birth_date").fill(date(1992, 9, 2).isoformat())
    page.select_option("#gender", "female")
    page.select_option("#unit_id", label=unit_label)
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.check("#consent")
    click_and_wait(page, "main form.card button[type=submit]")
    assert path_of(page) == "/"


def log_in(page, live_server) -> None:  # noqa: ANN001
    page.goto(live_server("/"))
    click_and_wait(page, 'nav a[href="/login"]')
    page.fill("#identifier", PHONE)
    page.fill("#password", PASSWORD)
    click_and_wait(page, "main form.card button[type=submit]")
    assert path_of(page) == "/"


def option(page, question_id: int, position: int):  # noqa: ANN001, ANN201
    return page.locator(f"#q{question_id} input[name=q{question_id}][value='{position}']")


def expect_ticked(page, sheet: dict[int, list[int]]) -> None:  # noqa: ANN001
    """Exactly the options of ``sheet`` are ticked on the page."""
    for question_id, positions in sheet.items():
        count = page.locator(f"#q{question_id} input[name=q{question_id}]").count()
        assert count == 4  # every question of BANK has four options
        for position in range(count):
            box = option(page, question_id, position)
            if position in positions:
                expect(box).to_be_checked()
            else:
                expect(box).not_to_be_checked()


# --- a browser without JavaScript -------------------------------------------------------------


@dataclass
class NoScript:
    """A browser with JavaScript off, and a twin with it on that runs axe on copies of its pages."""

    page: object
    inspector: object

    def check_axe(self, context: str) -> None:
        html = re.sub(r"<script\b[^>]*>.*?</script>", "", self.page.content(), flags=re.S | re.I)
        url = self.page.url.split("#", 1)[0]

        def serve(route) -> None:  # noqa: ANN001
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

        def this_page(u: str) -> bool:
            return u == url

        self.inspector.route(this_page, serve)
        try:
            self.inspector.goto(url, wait_until="load")
            shown = self.page.locator("main").inner_text()
            assert self.inspector.locator("main").inner_text() == shown, "the copy differs"
            helpers.check_axe(self.inspector, context)
        finally:
            self.inspector.unroute(this_page, serve)


@pytest.fixture
def no_script(browser, viewport: str) -> Iterator[NoScript | None]:  # noqa: ANN001
    if browser is None:
        yield None
        return
    options = dict(viewport=VIEWPORTS[viewport], bypass_csp=True, locale="vi-VN",
                   timezone_id="Asia/Ho_Chi_Minh")
    contexts = [browser.new_context(java_script_enabled=False, **options),
                browser.new_context(**options)]
    for context in contexts:
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
    page, inspector = (c.new_page() for c in contexts)
    page.broken_assets = []
    page.on("response", lambda r: r.status >= 400 and r.request.resource_type != "document"
            and page.broken_assets.append(f"{r.status} {r.url}"))
    page.on("requestfailed", lambda r: r.failure != "net::ERR_ABORTED"
            and page.broken_assets.append(f"{r.failure} {r.url}"))
    try:
        yield NoScript(page, inspector)
    finally:
        for context in contexts:
            context.close()


# --- the test ---------------------------------------------------------------------------------


def test_an_entrant_takes_a_round_twice_and_reads_the_results(
    page, no_script, live_server, visit_check, unit_label, viewport  # noqa: ANN001
) -> None:
    app = live_server.app
    rnd = seed_round()
    round_path = f"/quiz/rounds/{rnd.id}"
    masked = mask_name(FULL_NAME)
    saved_msg = translated(app, "All answers saved")

    def is_background_save(response) -> bool:  # noqa: ANN001
        return response.request.method == "POST" and response.url.endswith("/answers")

    # Registration by phone, then the running round from the menu.
    register(page, live_server, unit_label)
    visit_check(page, "01-registered")
    click_and_wait(page, 'nav a[href="/quiz/"]')
    visit_check(page, "02-round-list")
    click_and_wait(page, f'main a[href="{round_path}"]')
    expect(page.locator("h1")).to_have_text(rnd.title)
    visit_check(page, "03-round")

    # First attempt, JavaScript on: every tick is saved in the background.
    click_and_wait(page, f'form[action="{round_path}/start"] button[type=submit]')
    user_id = entrant_id()
    first = latest_attempt(user_id)
    assert path_of(page) == f"/quiz/attempts/{first.id}" and first.number == 1
    clock = page.locator("#time-left")
    expect(clock).to_have_text(re.compile(r"^(9|10):\d\d$"))
    shown_time = clock.inner_text()
    expect(clock).not_to_have_text(shown_time, timeout=5000)  # the countdown runs
    visit_check(page, "04-attempt-1")

    sheet = answer_sheet(first, missed=MISSED)
    for question_id, positions in sheet.items():
        for position in positions:
            with page.expect_response(is_background_save) as saved:
                option(page, question_id, position).check()
            assert saved.value.ok, saved.value.text()
    expect(page.locator("#save-status")).to_have_text(saved_msg)
    expect(page.locator("#answered-count")).to_have_text(str(len(BANK)))
    assert stored_answers(first.id) == sheet
    with page.expect_response(is_background_save) as saved:
        page.fill("#prediction-input", "3")
        page.locator("#prediction-input").press("Tab")
    assert saved.value.ok
    expect(page.locator("#save-status")).to_have_text(saved_msg)
    db.session.expire_all()
    assert db.session.get(Attempt, first.id).prediction == 3
    visit_check(page, "05-attempt-1-answered")

    page.reload(wait_until="load")
    expect_ticked(page, sheet)
    expect(page.locator("#prediction-input")).to_have_value("3")
    # At the submit button, far down the paper, the countdown is still on screen.
    page.locator("[data-submit]").scroll_into_view_if_needed()
    box = page.locator("#timer").bounding_box()
    assert box is not None and 0 <= box["y"] < VIEWPORTS[viewport]["height"] - box["height"]
    visit_check(page, "06-attempt-1-reloaded")

    click_and_wait(page, "[data-submit]")
    first = latest_attempt(user_id)
    assert first.status == AttemptStatus.SUBMITTED and first.score == 4.0
    assert path_of(page) == f"/quiz/attempts/{first.id}/result"
    expect(page.locator(".flashes")).to_contain_text(translated(app, "Your answers are submitted."))
    expect(page.locator(".score")).to_have_text("4 / 5")
    expect(page.locator(".score-card")).to_contain_text(time_text(app, first.time_ms))
    expect(page.locator(".score-card")).to_contain_text(
        translated(app, "%(c)d of %(n)d questions", c=4, n=5))
    expect(page.locator(f'main a[href="/rounds/{rnd.id}/leaderboard"]')).to_be_visible()
    visit_check(page, "07-result-1")

    # The live leaderboard, from the menu: the entrant's own line, name masked.
    click_and_wait(page, 'nav a[href="/rounds"]')
    visit_check(page, "08-leaderboards")
    click_and_wait(page, f'main a[href="/rounds/{rnd.id}/leaderboard"]')
    mine = page.locator("table.board tr.me")
    expect(mine).to_have_count(1)
    expect(mine.locator("td.rank")).to_have_text("2")
    expect(mine).to_contain_text(masked)
    expect(mine).to_contain_text("4/5")
    expect(page.locator(".standing .big")).to_have_text(translated(app, "Rank %(rank)s", rank=2))
    expect(page.locator("main")).not_to_contain_text(FULL_NAME)
    expect(page.locator("table.board tbody tr")).to_have_count(4)
    visit_check(page, "09-live-leaderboard")

    # Second attempt in a browser without JavaScript: the buttons save and submit.
    bare = no_script.page

    def check_bare(step: str) -> None:
        visit_check(bare, step, axe=False)
        no_script.check_axe(f"{step} at {viewport}")

    log_in(bare, live_server)
    check_bare("10-nojs-logged-in")
    click_and_wait(bare, 'nav a[href="/quiz/"]')
    click_and_wait(bare, f'main a[href="{round_path}"]')
    expect(bare.locator("main")).to_contain_text(
        translated(app, "Attempts used: %(used)d of %(n)d", used=1, n=2))
    check_bare("11-nojs-round")
    click_and_wait(bare, f'form[action="{round_path}/start"] button[type=submit]')
    second = latest_attempt(user_id)
    assert second.number == 2 and path_of(bare) == f"/quiz/attempts/{second.id}"
    expect(bare.locator("#time-left")).to_have_text(re.compile(r"^(9|10):\d\d$"))
    expect(bare.locator("#timer")).to_be_visible()
    check_bare("12-nojs-attempt-2")

    sheet = answer_sheet(second)
    for question_id, positions in sheet.items():
        for position in positions:
            option(bare, question_id, position).check()
    click_and_wait(bare, "button[name=action][value=save]")
    assert path_of(bare) == f"/quiz/attempts/{second.id}"
    expect(bare.locator(".flashes")).to_contain_text(translated(app, "Your answers are saved."))
    expect_ticked(bare, sheet)
    assert stored_answers(second.id) == sheet
    check_bare("13-nojs-saved")

    # Submitting without the prediction: the page asks for it next to the field.
    click_and_wait(bare, "[data-submit]")
    expect(bare.locator("#prediction-error")).to_have_text(
        translated(app, "Enter your prediction (a whole number) before submitting."))
    expect(bare.locator("#prediction-input")).to_have_attribute("aria-invalid", "true")
    expect_ticked(bare, sheet)
    check_bare("14-nojs-prediction-missing")

    bare.fill("#prediction-input", "2")
    click_and_wait(bare, "[data-submit]")
    second = latest_attempt(user_id)
    assert second.status == AttemptStatus.SUBMITTED and second.score == 5.0
    assert second.prediction == 2
    assert path_of(bare) == f"/quiz/attempts/{second.id}/result"
    expect(bare.locator(".score")).to_have_text("5 / 5")
    expect(bare.locator(".score-card")).to_contain_text(time_text(app, second.time_ms))
    expect(bare.locator(".score-card")).to_contain_text(
        translated(app, "This is your best attempt: it counts for the ranking."))
    check_bare("15-nojs-result-2")

    # The organizers close the round and the results are finalised.
    db.session.expire_all()
    rnd = db.session.get(Round, rnd.id)
    rounds.close_round(rnd, timeutil.utcnow())
    db.session.commit()
    report = finalise.finalise(rnd.id, timeutil.utcnow(), grace_seconds=0)
    db.session.commit()
    assert report.done and report.perfect_count == 2

    page.goto(live_server(f"/rounds/{rnd.id}/me"))
    expect(page.locator(".standing .big")).to_have_text(translated(app, "Rank %(rank)s", rank=1))
    visit_check(page, "16-my-rank-provisional")

    # The entrant's answers beside the key, with the explanations.
    page.goto(live_server(round_path))
    click_and_wait(page, f'main a[href="{round_path}/review"]')
    visit_check(page, "17-review")
    expect(page.locator("section.q-review")).to_have_count(len(BANK))
    expect(page.locator("section.q-review.is-right")).to_have_count(len(BANK))
    for item in BANK:
        section = page.locator("section.q-review", has_text=item.text)
        expect(section.locator("li.key")).to_have_count(len(item.correct))
        for text in item.correct:
            expect(section.locator("li.key", has_text=text)).to_have_count(1)
        expect(section.locator(".explain")).to_contain_text(item.explanation)
    click_and_wait(page, f'main nav a[href="{round_path}/review?attempt={first.id}"]')
    expect(page.locator("section.q-review.is-wrong")).to_have_count(1)
    wrong = page.locator("section.q-review.is-wrong")
    expect(wrong).to_contain_text(MISSED.text)
    expect(wrong.locator(".verdict")).to_have_text(re.compile(re.escape(translated(app, "Wrong"))))
    expect(wrong.locator("li.key.mine")).to_have_count(0)
    expect(wrong.locator("li.mine.miss")).to_have_count(1)
    visit_check(page, "18-review-attempt-1")

    # Published: the final ranking shows the entrant first, with the prize.
    db.session.expire_all()
    publication.publish(rnd.id, None, timeutil.utcnow())
    db.session.commit()
    click_and_wait(page, 'nav a[href="/rounds"]')
    visit_check(page, "19-leaderboards-after")
    click_and_wait(page, f'main a[href="/rounds/{rnd.id}/results"]')
    mine = page.locator("table.board tr.me")
    expect(mine).to_have_count(1)
    expect(mine.locator("td.rank")).to_have_text("1")
    expect(mine).to_contain_text(masked)
    expect(mine).to_contain_text("5/5")
    expect(mine).to_contain_text(translated(app, "First prize"))
    expect(page.locator(".standing .big")).to_have_text(translated(app, "Rank %(rank)s", rank=1))
    expect(page.locator("main")).not_to_contain_text(FULL_NAME)
    visit_check(page, "20-final-ranking")
