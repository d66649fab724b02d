"""The organizer's question bank screens: access, editor, revisions, topics, import, export."""

from __future__ import annotations

import html
import io
import re
import unicodedata
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from contest.accounts.models import Role
from contest.extensions import db
from contest.quiz import bank_import, bank_questions, bank_topics
from contest.quiz.importing import parse_file
from contest.quiz.items import ParsedOption, ParsedQuestion
from contest.quiz.models import Attempt, Question, Round, RoundQuestion, RoundStatus, Topic
from contest.timeutil import utcnow

GIFT = """\
$CATEGORY: $course$/top/Luật/Bầu cử

// [id:w-1]
Tỷ lệ nữ ứng cử viên đại biểu Quốc hội ít nhất là bao nhiêu?{
=35%
~30%
####Điều 8 Luật Bầu cử 2015.
}

// [id:w-2]
Những cơ quan nào do nhân dân trực tiếp bầu?{
~%50%Quốc hội
~%50%Hội đồng nhân dân
~%-100%Chính phủ
}

Trình bày suy nghĩ của bạn.{}
"""


@pytest.fixture
def organizer(login_as):
    client = login_as(Role.ORGANIZER)
    client.set_cookie("lang", "en")
    client.user.locale = "en"
    db.session.commit()
    return client


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def field_error(response, name: str) -> str:
    match = re.search(rf'<p class="error" id="{re.escape(name)}-error">(.*?)</p>', text(response),
                      re.S)
    return match.group(1).strip() if match else ""


def questions() -> list[Question]:
    db.session.expire_all()
    return list(db.session.execute(select(Question).order_by(Question.id)).scalars())


def topic(*path: str) -> Topic:
    found = bank_topics.get_or_create_topic(list(path))
    db.session.commit()
    return found


def question_form(topic_: int | str, **changes) -> dict[str, str]:
    data = {
        "kind": "single",
        "topic_id": str(topic_),
        "title": "",
        "text": "Luật Bình đẳng giới được thông qua năm nào?",
        "options-0-text": "2006", "options-0-weight": "100", "options-0-feedback": "Đúng",
        "options-1-text": "2007", "options-1-weight": "0", "options-1-feedback": "",
        "options-2-text": "", "options-2-weight": "", "options-2-feedback": "",
        "explanation": "Quốc hội thông qua ngày 29/11/2006.",
        "source": "Luật số 73/2006/QH11",
        "difficulty": "easy",
        "tags": "Luật-73, quota",
        "external_id": "",
        "active": "y",
        "text_format": "plain",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def saved(topic_id: int, text_: str = "Câu hỏi?", **changes) -> Question:
    question = bank_questions.save_question(ParsedQuestion(
        kind="single", text=text_,
        options=[ParsedOption("Có", 1.0), ParsedOption("Không", 0.0)], **changes),
        db.session.get(Topic, topic_id))
    db.session.commit()
    return question


# --- access ------------------------------------------------------------------


PAGES = ["/organizer/questions", "/organizer/questions/new", "/organizer/questions/topics",
         "/organizer/questions/import", "/organizer/questions/export"]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("url", PAGES)
def test_entrants_are_refused(login_as, url):
    assert login_as().get(url).status_code == 403


def test_entrants_cannot_post(login_as):
    question = saved(topic("Chung").id)
    entrant = login_as()
    assert entrant.post(f"/organizer/questions/{question.id}/active",
                        data={"active": "0"}).status_code == 403
    assert entrant.post("/organizer/questions/new",
                        data=question_form(question.topic_id)).status_code == 403
    assert questions()[0].active


def test_dashboard_has_a_question_bank_tile(organizer):
    page = text(organizer.get("/organizer/"))
    assert 'href="/organizer/questions"' in page and "Question bank" in page


# --- list --------------------------------------------------------------------


def test_list_filters_and_pages(organizer):
    law = topic("Luật")
    election = topic("Luật", "Bầu cử")
    other = topic("Khái niệm")
    saved(election.id, "Tỷ lệ nữ ứng cử viên", tags=["quota"])
    for n in range(30):
        saved(other.id, f"Khái niệm số {n}")

    page = text(organizer.get("/organizer/questions"))
    assert "31 questions" in page and "page 1 of 2" in page
    assert 'rel="next"' in page
    second = text(organizer.get("/organizer/questions?page=2"))
    assert "Khái niệm số 29" in second and 'rel="prev"' in second

    by_topic = text(organizer.get(f"/organizer/questions?topic={law.id}"))
    assert "1 question" in by_topic and "Tỷ lệ nữ ứng cử viên" in by_topic
    by_text = text(organizer.get("/organizer/questions?q=T%E1%BB%B6+L%E1%BB%86"))
    assert "1 question" in by_text
    by_tag = text(organizer.get("/organizer/questions?tag=quota&kind=single"))
    assert "1 question" in by_tag
    none = text(organizer.get("/organizer/questions?status=inactive"))
    assert "No question matches." in none


# --- create and edit ---------------------------------------------------------


def test_create_a_question(organizer):
    chung = topic("Chung")
    response = organizer.post("/organizer/questions/new", data=question_form(chung.id))
    assert response.status_code == 302
    [question] = questions()
    assert response.headers["Location"].endswith(f"/organizer/questions/{question.id}")
    assert question.text == "Luật Bình đẳng giới được thông qua năm nào?"
    assert [(o.text, o.fraction, o.feedback) for o in question.options] == [
        ("2006", 1.0, "Đúng"), ("2007", 0.0, "")]
    assert question.tags == ["luật-73", "quota"]
    assert (question.difficulty, question.source, question.active) == (
        "easy", "Luật số 73/2006/QH11", True)

    preview = text(organizer.get(f"/organizer/questions/{question.id}"))
    entrant_part, key_part = preview.split("Answer key", 1)
    assert "As an entrant sees it" in entrant_part and 'type="radio"' in entrant_part
    assert "Quốc hội thông qua" not in entrant_part
    assert "✓ 2006" in key_part and "Quốc hội thông qua ngày 29/11/2006." in key_part


@pytest.mark.parametrize(("changes", "where", "message"), [
    ({"text": "  "}, "text", "Enter the question."),
    ({"options-0-weight": "0"}, "options", "Give the correct option the weight 100."),
    ({"options-1-weight": "100"}, "options", "Only one option may have the weight 100"),
    ({"kind": "multiple", "options-0-weight": "60", "options-1-weight": "30"}, "options",
     "The positive weights must add up to 100; they add up to 90."),
    ({"options-1-weight": "abc"}, "options-1-weight", "Enter a number from -100 to 100."),
    ({"options-1-weight": "150"}, "options-1-weight", "Enter a number from -100 to 100."),
    ({"options-2-weight": "0", "options-2-feedback": "x"}, "options-2-text",
     "Enter the option, or clear the weight and feedback of this row."),
    ({"options-1-text": "2006"}, "options-1-text", "Another option has the same text."),
    ({"options-1-text": "", "options-1-weight": ""}, "options", "Give at least two options."),
    ({"topic_id": ""}, "topic_id", "Choose a topic."),
    ({"kind": "truefalse"}, "options-0-text", "Leave this empty or write Đúng."),
])
def test_invalid_questions_show_the_message_and_save_nothing(organizer, changes, where, message):
    chung = topic("Chung")
    response = organizer.post("/organizer/questions/new", data=question_form(chung.id, **changes))
    assert response.status_code == 400
    assert message in field_error(response, where)
    assert "Please correct the marked fields." in text(response)
    assert questions() == []


def test_true_false_rows_may_be_left_empty(organizer):
    chung = topic("Chung")
    response = organizer.post("/organizer/questions/new", data=question_form(
        chung.id, kind="truefalse", **{
            "options-0-text": "", "options-0-weight": "0", "options-0-feedback": "",
            "options-1-text": "", "options-1-weight": "100", "options-1-feedback": "Sai rồi",
        }))
    assert response.status_code == 302
    [question] = questions()
    assert [(o.text, o.fraction, o.feedback) for o in question.options] == [
        ("Đúng", 0.0, ""), ("Sai", 1.0, "Sai rồi")]


def test_more_option_rows_saves_nothing(organizer):
    chung = topic("Chung")
    response = organizer.post("/organizer/questions/new",
                              data=question_form(chung.id, more_rows="1"))
    assert response.status_code == 200
    page = text(response)
    assert 'name="options-8-text"' in page and 'name="options-9-text"' not in page
    assert "Luật Bình đẳng giới được thông qua năm nào?" in page
    assert questions() == []


def test_edit_an_unused_question_in_place(organizer):
    chung = topic("Chung")
    question = saved(chung.id, external_id="e-1")
    page = text(organizer.get(f"/organizer/questions/{question.id}/edit"))
    assert 'value="e-1"' in page and "Câu hỏi?" in page
    response = organizer.post(f"/organizer/questions/{question.id}/edit", data=question_form(
        chung.id, external_id="e-1"))
    assert response.status_code == 302
    [only] = questions()
    assert only.id == question.id and only.text.startswith("Luật Bình đẳng giới")


def test_external_id_clash_is_shown_next_to_the_field(organizer):
    chung = topic("Chung")
    saved(chung.id, external_id="e-1")
    response = organizer.post("/organizer/questions/new",
                              data=question_form(chung.id, external_id="e-1"))
    assert response.status_code == 400
    assert "Another question already has the ID e-1." in field_error(response, "external_id")
    assert len(questions()) == 1


def test_editing_a_used_question_creates_a_revision(organizer, make_user):
    chung = topic("Chung")
    question = saved(chung.id, external_id="e-1")
    now = utcnow()
    draft = Round(title="Nháp", status=RoundStatus.DRAFT, opens_at=now,
                  closes_at=now + timedelta(days=7), selection="fixed")
    running = Round(title="Tuần 1", status=RoundStatus.OPEN, opens_at=now,
                    closes_at=now + timedelta(days=7), selection="fixed")
    db.session.add_all([draft, running])
    db.session.flush()
    db.session.add_all([RoundQuestion(round_id=r.id, question_id=question.id, position=1)
                        for r in (draft, running)])
    entrant = make_user()
    attempt = Attempt(round_id=running.id, user_id=entrant.id, number=1, started_at=now,
                      deadline_at=now + timedelta(minutes=20),
                      draw=[[question.id, [o.id for o in question.options]]], answers={})
    db.session.add(attempt)
    question.used = True
    db.session.commit()
    old_id = question.id

    edit_page = text(organizer.get(f"/organizer/questions/{old_id}/edit"))
    assert "become a new revision" in edit_page
    response = organizer.post(f"/organizer/questions/{old_id}/edit",
                              data=question_form(chung.id, external_id="e-1"))
    assert response.status_code == 302
    old, new = questions()
    assert new.revision_of_id == old.id == old_id
    assert old.retired and not old.active and old.text == "Câu hỏi?"
    assert new.external_id == "e-1" and new.text.startswith("Luật Bình đẳng giới")
    assert db.session.get(Attempt, attempt.id).draw[0][0] == old_id
    rows = dict(db.session.execute(
        select(RoundQuestion.round_id, RoundQuestion.question_id)).all())
    assert rows == {draft.id: new.id, running.id: old_id}

    follow = organizer.get(response.headers["Location"])
    assert "saved as a new revision" in text(follow)
    listing = text(organizer.get("/organizer/questions"))
    assert "Luật Bình đẳng giới" in listing and "Câu hỏi?" not in listing
    old_page = text(organizer.get(f"/organizer/questions/{old_id}"))
    assert "earlier revision" in old_page
    assert f'href="/organizer/questions/{new.id}"' in old_page
    # Editing the old revision leads to the current one.
    redirect = organizer.get(f"/organizer/questions/{old_id}/edit")
    assert redirect.headers["Location"].endswith(f"/organizer/questions/{new.id}/edit")


def test_deactivate_and_activate(organizer):
    question = saved(topic("Chung").id)
    response = organizer.post(f"/organizer/questions/{question.id}/active", data={"active": "0"})
    assert response.status_code == 302
    assert not questions()[0].active
    assert "deactivated" in text(organizer.get(response.headers["Location"]))
    organizer.post(f"/organizer/questions/{question.id}/active", data={"active": "1"})
    assert questions()[0].active
    assert organizer.get(f"/organizer/questions/{question.id}/active").status_code == 405
    assert organizer.post(f"/organizer/questions/{question.id}/active",
                          data={"active": "x"}).status_code == 400


def test_missing_question_is_404(organizer):
    assert organizer.get("/organizer/questions/999999").status_code == 404
    assert organizer.get("/organizer/questions/999999/edit").status_code == 404


# --- topics ------------------------------------------------------------------


def test_create_rename_and_move_topics(organizer):
    response = organizer.post("/organizer/questions/topics", data={"name": "Luật",
                                                                   "parent_id": ""})
    assert response.status_code == 302
    law = bank_topics.topic_by_path(["Luật"])
    organizer.post("/organizer/questions/topics", data={"name": "Bầu cử",
                                                        "parent_id": str(law.id)})
    election = bank_topics.topic_by_path(["Luật", "Bầu cử"])
    assert election is not None

    same = organizer.post("/organizer/questions/topics", data={"name": "Luật", "parent_id": ""})
    assert same.status_code == 400
    assert "There is already a topic with this name here." in field_error(same, "name")
    empty = organizer.post("/organizer/questions/topics", data={"name": "", "parent_id": ""})
    assert "Enter the name of the topic." in field_error(empty, "name")

    edit_page = text(organizer.get(f"/organizer/questions/topics/{law.id}"))
    assert f'<option value="{election.id}"' not in edit_page
    loop = organizer.post(f"/organizer/questions/topics/{law.id}",
                          data={"name": "Luật", "parent_id": str(election.id)})
    assert loop.status_code == 400
    assert questions() == []
    renamed = organizer.post(f"/organizer/questions/topics/{election.id}",
                             data={"name": "Bầu cử 2026", "parent_id": ""})
    assert renamed.status_code == 302
    db.session.expire_all()
    assert db.session.get(Topic, election.id).path == ["Bầu cử 2026"]
    listing = text(organizer.get("/organizer/questions/topics"))
    assert "Bầu cử 2026" in listing and "Luật" in listing


# --- import ------------------------------------------------------------------


def upload(client, content: bytes | str, filename: str = "bank.gift", **fields):
    data = content.encode("utf-8") if isinstance(content, str) else content
    form = {"file": (io.BytesIO(data), filename), "format": "", "topic_id": "", "new_topic": ""}
    form.update(fields)
    return client.post("/organizer/questions/import", data=form,
                       content_type="multipart/form-data")


def test_import_preview_writes_nothing_and_commit_writes_all(organizer, app):
    response = upload(organizer, GIFT)
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    staged = list((Path(app.config["UPLOAD_ROOT"]) / "question-imports").glob("*.upload"))
    assert len(staged) == 1

    page = text(organizer.get(preview_url))
    assert "2 new questions" in page and "1 item of a kind the platform does not run" in page
    assert "Luật / Bầu cử" in page and "new topic" in page
    assert "Import 2 questions" in page
    assert questions() == []
    assert db.session.execute(select(func.count()).select_from(Topic)).scalar_one() == 0

    done = organizer.post(preview_url)
    assert done.status_code == 200
    assert "2 questions imported, 1 skipped." in text(done)
    assert [q.external_id for q in questions()] == ["w-1", "w-2"]
    assert not list((Path(app.config["UPLOAD_ROOT"]) / "question-imports").glob("*.upload"))

    again = organizer.post(preview_url)
    assert again.status_code == 302
    assert "no longer available" in text(organizer.get(again.headers["Location"]))
    assert len(questions()) == 2


def test_reimport_shows_questions_already_present(organizer):
    bank_import.commit_import(parse_file(GIFT.encode(), "bank.gift"))
    db.session.commit()
    page = text(organizer.get(upload(organizer, GIFT).headers["Location"]))
    assert "0 new questions" in page and "2 already present" in page
    assert "same ID" in page
    assert "Nothing new to import" in page


def test_a_file_with_one_bad_question_imports_nothing(organizer):
    bad = GIFT + "\nCâu không có đáp án đúng?{\n=A\n=B\n~C\n}\n"
    preview_url = upload(organizer, bad).headers["Location"]
    page = text(organizer.get(preview_url))
    assert "1 problem" in page
    assert re.search(r'<td class="num">19</td><td>a single-choice question needs exactly one '
                     r'correct option', page)
    assert "Import 2 questions" not in page
    refused = organizer.post(preview_url)
    assert refused.status_code == 400
    assert questions() == []


def test_windows_1258_upload_is_refused_with_the_message(organizer, app):
    tones = "\u0300\u0301\u0303\u0309\u0323"
    content = "Câu hỏi về bình đẳng giới?{=Đúng ~Sai}\n"
    data = "".join(
        unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", ch)
                                             if c not in tones))
        + "".join(c for c in unicodedata.normalize("NFD", ch) if c in tones)
        for ch in content).encode("cp1258")
    response = upload(organizer, data)
    assert response.status_code == 400
    message = field_error(response, "file")
    assert "The file is not UTF-8 text (it looks like Windows-1258" in message
    assert "save it again as UTF-8" in message
    assert not (Path(app.config["UPLOAD_ROOT"]) / "question-imports").exists() or not list(
        (Path(app.config["UPLOAD_ROOT"]) / "question-imports").glob("*.upload"))


def test_import_form_errors(organizer):
    assert "Choose a file." in field_error(
        organizer.post("/organizer/questions/import", data={"format": ""},
                       content_type="multipart/form-data"), "file")
    assert "cannot be read" in field_error(upload(organizer, GIFT, "bank.doc"), "file")


def test_aiken_import_into_the_chosen_topic(organizer):
    law = topic("Luật")
    aiken = "Luật có hiệu lực từ ngày nào?\nA. 29/11/2006\nB. 01/7/2007\nANSWER: B\n"
    url = upload(organizer, aiken, "bank.txt", topic_id=str(law.id)).headers["Location"]
    assert "1 new question" in text(organizer.get(url))
    organizer.post(url)
    [question] = questions()
    assert question.topic_id == law.id
    url = upload(organizer, aiken.replace("ngày nào", "khi nào"), "bank.txt",
                 topic_id=str(law.id), new_topic="Mới/Aiken").headers["Location"]
    organizer.post(url)
    assert questions()[-1].topic.path == ["Mới", "Aiken"]


AIKEN = "Luật có hiệu lực từ ngày nào?\nA. 29/11/2006\nB. 01/7/2007\nANSWER: B\n"


def test_questions_without_a_category_go_to_a_topic_named_after_the_file(organizer):
    url = upload(organizer, AIKEN, "Bầu cử 2026.txt").headers["Location"]
    page = text(organizer.get(url))
    assert re.search(r'<dd id="default-topic">Bầu cử 2026</dd>', page)
    assert "1 question has no category in the file: it goes to the topic “Bầu cử 2026”." in page
    assert "Import 1 question" in page
    organizer.post(url)
    [question] = questions()
    assert question.topic.path == ["Bầu cử 2026"]


def test_the_organizer_chooses_the_default_topic_on_the_preview(organizer):
    law = topic("Luật")
    mixed = "Câu không có danh mục?{=A ~B}\n\n" + GIFT
    url = upload(organizer, mixed, "tuan-1.gift").headers["Location"]
    assert "1 question has no category in the file: it goes to the topic “tuan-1”." in text(
        organizer.get(url))
    chosen = organizer.post(url + "/topic", data={"default-topic_id": str(law.id),
                                                  "default-new_topic": ""})
    assert chosen.status_code == 302 and chosen.headers["Location"].endswith(url)
    page = text(organizer.get(url))
    assert re.search(r'<dd id="default-topic">Luật</dd>', page)
    assert "The default topic is now “Luật”. Nothing has been imported yet." in page
    assert questions() == []
    too_long = organizer.post(url + "/topic", data={"default-topic_id": "",
                                                    "default-new_topic": "x" * 201})
    assert too_long.status_code == 400
    assert "at most 200 characters" in field_error(too_long, "default-new_topic")
    organizer.post(url + "/topic", data={"default-topic_id": "", "default-new_topic": "Mới/Tuần 1"})
    organizer.post(url)
    paths = {q.text: q.topic.path for q in questions()}
    assert paths["Câu không có danh mục?"] == ["Mới", "Tuần 1"]
    assert paths["Tỷ lệ nữ ứng cử viên đại biểu Quốc hội ít nhất là bao nhiêu?"] == [
        "Luật", "Bầu cử"]


def test_choosing_a_topic_needs_the_csrf_token_and_the_owner(organizer, login_as, app):
    url = upload(organizer, AIKEN, "bank.txt").headers["Location"]
    other = login_as(Role.ORGANIZER)
    assert other.post(url + "/topic", data={"default-new_topic": "Khác"}).status_code == 302
    assert "bank" in text(organizer.get(url))
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = organizer.post(url + "/topic", data={"default-new_topic": "Khác"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert refused.status_code == 400
    assert re.search(r'<dd id="default-topic">bank</dd>', text(organizer.get(url)))


def test_import_preview_problems_are_in_vietnamese(organizer):
    organizer.set_cookie("lang", "vi")
    organizer.user.locale = "vi"
    db.session.commit()
    bad = ("::Tiêu đề không đóng Câu?{=A ~B}\n\nCâu?{\n~%1,2,3%A\n~B\n}\n\n"
           "Câu không đáp án đúng?{\n~A\n~B\n}\n")
    page = text(organizer.get(upload(organizer, bad, "x.gift").headers["Location"]))
    rows = re.findall(r'<tr><td class="num">(\d+)</td><td>(.*?)</td></tr>', page)
    assert rows == [
        ("1", "tiêu đề mở bằng “::” không được đóng bằng “::”"),
        ("3", "trọng số “%1,2,3%” không phải là số"),
        ("8", "câu hỏi nhiều đáp án cần ít nhất một phương án có trọng số dương"),
    ]
    encoding = upload(organizer, "Câu?{=A ~B}".encode("utf-16-le"), "x.gift")
    assert field_error(encoding, "file").startswith("Tệp không phải là văn bản UTF-8 (có vẻ là "
                                                     "văn bản UTF-16")


def test_format_markers_are_read_and_kept_for_display(organizer):
    marked = ("[html]<p>Cơ quan nào <b>bầu</b> Chủ tịch nước?</p>{\n"
              "=[plain]Quốc hội <Khóa XV>#[html]<i>Đúng</i> theo Hiến pháp\n"
              "~Chính phủ#[plain]Sai\n"
              "####[markdown]Điều **87** Hiến pháp 2013\n}\n")
    url = upload(organizer, marked, "hien-phap.gift").headers["Location"]
    assert "Import 1 question" in text(organizer.get(url))
    organizer.post(url)
    [question] = questions()
    assert question.text_format == "html"
    assert [o.text for o in question.options] == ["Quốc hội &lt;Khóa XV&gt;", "Chính phủ"]
    assert [o.feedback for o in question.options] == ["Đúng theo Hiến pháp", "Sai"]
    assert question.explanation == "Điều **87** Hiến pháp 2013"
    shown = text(organizer.get(f"/organizer/questions/{question.id}"))
    assert "Quốc hội <Khóa XV>" in shown and "[plain]" not in shown and "[html]" not in shown
    # The entrant's view shows the HTML question as text, sanitised as every question is.
    assert "Cơ quan nào  bầu  Chủ tịch nước?" in shown and "<b>" not in shown


def test_an_upload_belongs_to_the_organizer_who_sent_it(organizer, login_as):
    url = upload(organizer, GIFT).headers["Location"]
    other = login_as(Role.ORGANIZER)
    assert other.get(url).status_code == 302
    assert other.post(url).status_code == 302
    assert questions() == []
    assert organizer.get("/organizer/questions/import/..%2F..%2Fsecret").status_code in (302, 404)


# --- export ------------------------------------------------------------------


def test_export_downloads_a_file(organizer):
    bank_import.commit_import(parse_file(GIFT.encode(), "bank.gift"))
    db.session.commit()
    page = text(organizer.get("/organizer/questions/export"))
    assert 'name="format"' in page

    gift = organizer.get("/organizer/questions/export?format=gift&topic=")
    assert gift.status_code == 200
    assert gift.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="questions-\d{4}-\d\d-\d\d\.gift"',
                        gift.headers["Content-Disposition"])
    assert "// [id:w-1]" in gift.get_data(as_text=True)

    election = bank_topics.topic_by_path(["Luật", "Bầu cử"])
    xlsx = organizer.get(f"/organizer/questions/export?format=xlsx&topic={election.id}")
    assert xlsx.headers["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert 'filename="questions-bau-cu-' in xlsx.headers["Content-Disposition"]
    assert xlsx.data[:2] == b"PK"
    # The downloaded workbook uploads again; its questions are recognised.
    again = upload(organizer, xlsx.data, "questions.xlsx")
    assert again.status_code == 302
    assert "2 already present" in text(organizer.get(again.headers["Location"]))
    csv = organizer.get("/organizer/questions/export?format=csv")
    assert csv.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert csv.get_data(as_text=True).startswith("\ufefftopic,kind,text")


def test_aiken_export_says_what_it_leaves_out(organizer):
    bank_import.commit_import(parse_file(GIFT.encode(), "bank.gift"))
    db.session.commit()
    warning = organizer.get("/organizer/questions/export?format=aiken")
    assert warning.status_code == 200
    page = text(warning)
    assert "1 question will be left out of the Aiken file" in page
    assert "Những cơ quan nào do nhân dân trực tiếp bầu?" in page
    assert "Download the Aiken file with the other 1 question" in page
    assert 'name="confirm" value="1"' in page
    download = organizer.get("/organizer/questions/export?format=aiken&topic=&confirm=1")
    assert download.headers["Content-Disposition"].endswith('-aiken.txt"')
    assert "ANSWER: A" in download.get_data(as_text=True)
    assert "Chính phủ" not in download.get_data(as_text=True)


def test_preview_lists_kinds_the_platform_does_not_run_with_their_lines(organizer):
    gift = ("Năm thông qua?{#2006}\n\nGhép.{=A -> 1 =B -> 2}\n\nChọn?{=[plain]A ~B}\n\n"
            "Điền {=từ ~chữ} vào chỗ trống.\n")
    page = text(organizer.get(upload(organizer, gift, "x.gift").headers["Location"]))
    rows = re.findall(r'<tr><td class="num">(\d+)</td><td>(\w+)</td>', page)
    assert rows == [("1", "numerical"), ("3", "matching"), ("7", "missingword")]
    assert "1 new question" in page


# --- audit trail ---------------------------------------------------------------


def _events(action: str) -> list:
    from contest.audit import AuditEvent

    db.session.expire_all()
    return list(db.session.execute(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).scalars())


def test_every_change_of_the_bank_screens_is_in_the_audit_trail(organizer):
    organizer.post("/organizer/questions/topics", data={"name": "Luật", "parent_id": ""})
    law = bank_topics.topic_by_path(["Luật"])
    organizer.post(f"/organizer/questions/topics/{law.id}",
                   data={"name": "Luật 2006", "parent_id": ""})
    refused = organizer.post("/organizer/questions/topics", data={"name": "Luật 2006",
                                                                  "parent_id": ""})
    assert refused.status_code == 400
    assert [(e.actor_id, e.subject_id, e.details["path"]) for e in _events("topic.save")] == [
        (organizer.user.id, str(law.id), "Luật"), (organizer.user.id, str(law.id), "Luật 2006")]

    created = organizer.post("/organizer/questions/new", data=question_form(law.id))
    [question] = questions()
    assert created.headers["Location"].endswith(f"/organizer/questions/{question.id}")
    organizer.post(f"/organizer/questions/{question.id}/active", data={"active": "0"})
    assert [(e.actor_id, e.subject_id) for e in _events("question.save")] == [
        (organizer.user.id, str(question.id))]
    assert [e.actor_id for e in _events("question.deactivate")] == [organizer.user.id]


def test_an_earlier_revision_cannot_be_activated(organizer):
    question = saved(topic("Chung").id)
    question.retired, question.active = True, False
    db.session.commit()
    response = organizer.post(f"/organizer/questions/{question.id}/active", data={"active": "1"},
                              follow_redirects=True)
    assert "earlier revision" in text(response) and "cannot" in text(response)
    assert not questions()[0].active
    assert _events("question.activate") == []
