"""The question bank service: topics, search, revisions, import and export against the database."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update

from contest.extensions import db
from contest.quiz import bank_common, bank_export, bank_import, bank_questions, bank_topics
from contest.quiz.bank_messages import english
from contest.quiz.importing import parse_file
from contest.quiz.items import ParsedOption, ParsedQuestion, line_of
from contest.quiz.models import (
    Attempt,
    Option,
    Question,
    Round,
    RoundQuestion,
    RoundStatus,
    Topic,
)
from contest.timeutil import utcnow

SAMPLE_GIFT = """\
$CATEGORY: $course$/top/Luật/Bầu cử

// [id:q-1]
// [tag:bau-cu] [tag:Quota]
// [source:Luật số 85/2015/QH13, Điều 8]
// [difficulty:easy]
::Tỷ lệ nữ::Tỷ lệ nữ ứng cử viên đại biểu Quốc hội ít nhất là bao nhiêu?{
=35%#Đúng theo Điều 8.
~30%
~40%
####Ít nhất 35% tổng số người trong danh sách chính thức.
}

// [id:q-2]
Những cơ quan nào do nhân dân trực tiếp bầu?{
~%50%Quốc hội
~%50%Hội đồng nhân dân
~%-100%Chính phủ
}

$CATEGORY: $course$/top/Luật

Luật Bình đẳng giới được thông qua năm 2006.{TRUE}

Câu hỏi tự luận: hãy trình bày suy nghĩ của bạn.{}
"""


def gift(text: str = SAMPLE_GIFT, default_topic: list[str] | None = None):
    return parse_file(text.encode("utf-8"), "bank.gift", default_topic=default_topic)


def windows_1258(text: str) -> bytes:
    """Encode as Windows-1258 does: tone marks as combining characters after the letter."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        out.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
                   + "".join(c for c in parts if c in tones))
    return "".join(out).encode("cp1258")


def question_count(live_only: bool = True) -> int:
    query = select(func.count()).select_from(Question)
    if live_only:
        query = query.where(Question.retired.is_(False))
    return db.session.execute(query).scalar_one()


def single(text: str = "Thủ đô của Việt Nam?", correct: str = "Hà Nội",
           **changes) -> ParsedQuestion:
    values = ParsedQuestion(kind="single", text=text, options=[
        ParsedOption(correct, 1.0, "Đúng"), ParsedOption("Huế", 0.0), ParsedOption("Đà Nẵng", 0.0),
    ])
    return replace(values, **changes)


def make_round(status: str = RoundStatus.DRAFT, title: str = "Tuần 1") -> Round:
    now = utcnow()
    round_ = Round(title=title, status=status, opens_at=now, closes_at=now + timedelta(days=7),
                   selection="fixed")
    db.session.add(round_)
    db.session.flush()
    return round_


def attempt_on(question: Question, user_id: int, round_: Round) -> Attempt:
    now = utcnow()
    attempt = Attempt(round_id=round_.id, user_id=user_id, number=1, started_at=now,
                      deadline_at=now + timedelta(minutes=20),
                      draw=[[question.id, [o.id for o in question.options]]], answers={})
    db.session.add(attempt)
    question.used = True
    db.session.flush()
    return attempt


# --- topics ------------------------------------------------------------------


def test_topic_paths_are_created_once_and_listed_as_a_tree(app):
    deep = bank_topics.get_or_create_topic(["Luật", "Bầu cử", "Quốc hội"])
    again = bank_topics.get_or_create_topic(["Luật", " Bầu  cử ", "Quốc hội"])
    other = bank_topics.get_or_create_topic(["Khái niệm"])
    assert deep.id == again.id
    assert deep.path == ["Luật", "Bầu cử", "Quốc hội"]
    bank_questions.save_question(single(), deep)
    bank_questions.save_question(single("Câu 2"), deep.parent)
    bank_questions.save_question(single("Câu 3"), other)

    tree = [(node.label, node.depth, node.own, node.total) for node in bank_topics.topic_tree()]
    assert tree == [
        ("Khái niệm", 0, 1, 1),
        ("Luật", 0, 0, 2),
        ("Luật / Bầu cử", 1, 1, 2),
        ("Luật / Bầu cử / Quốc hội", 2, 1, 1),
    ]
    law = bank_topics.topic_by_path(["Luật"])
    assert sorted(bank_topics.descendant_ids(law.id)) == sorted([law.id, deep.parent.id, deep.id])
    assert bank_topics.find_topic("Luật/Bầu cử").id == deep.parent.id
    assert bank_topics.find_topic("Quốc hội").id == deep.id
    assert bank_topics.find_topic("Không có") is None


def test_topic_names_are_unique_among_siblings_and_cannot_loop(app):
    law = bank_topics.create_topic("Luật")
    election = bank_topics.create_topic("Bầu cử", law)
    with pytest.raises(bank_common.BankError) as same:
        bank_topics.create_topic("Luật")
    assert same.value.field == "name"
    with pytest.raises(bank_common.BankError) as loop:
        bank_topics.update_topic(law, "Luật", election)
    assert loop.value.field == "parent_id"
    with pytest.raises(bank_common.BankError):
        bank_topics.create_topic("   ")
    bank_topics.update_topic(election, "Bầu cử 2026", None)
    assert election.path == ["Bầu cử 2026"]


# --- editing -----------------------------------------------------------------


def test_unused_question_is_edited_in_place(app):
    topic = bank_topics.get_or_create_topic(["Chung"])
    question = bank_questions.save_question(single(tags=["Bầu cử", "quota"]), topic)
    option_ids = [o.id for o in question.options]
    assert question.tags == ["bầu cử", "quota"]

    edited = bank_questions.save_question(
        single(text="Thủ đô nước ta là?", correct="Thành phố Hà Nội"),
        topic, question=question, active=False)
    db.session.commit()
    assert edited.id == question.id
    assert edited.text == "Thủ đô nước ta là?"
    assert [o.text for o in edited.options] == ["Thành phố Hà Nội", "Huế", "Đà Nẵng"]
    assert [o.id for o in edited.options] == option_ids
    assert edited.active is False and edited.retired is False
    assert question_count(live_only=False) == 1


def test_invalid_question_is_refused_and_nothing_written(app):
    topic = bank_topics.get_or_create_topic(["Chung"])
    db.session.commit()
    no_key = single()
    no_key.options[0].fraction = 0.0
    with pytest.raises(bank_common.InvalidQuestion) as refused:
        bank_questions.save_question(no_key, topic)
    assert [p.code for p in refused.value.problems] == ["question.single_correct_count"]
    assert "exactly one correct option" in english(refused.value.problems[0])
    db.session.rollback()
    assert question_count() == 0


def test_external_ids_are_unique_among_live_questions(app):
    topic = bank_topics.get_or_create_topic(["Chung"])
    bank_questions.save_question(single(external_id="X-1"), topic)
    with pytest.raises(bank_common.BankError) as taken:
        bank_questions.save_question(single(text="Khác", external_id="X-1"), topic)
    assert taken.value.field == "external_id"


def test_editing_a_used_question_makes_a_revision(app, make_user):
    user = make_user()
    topic = bank_topics.get_or_create_topic(["Chung"])
    question = bank_questions.save_question(single(external_id="cap-1"), topic)
    draft, running = make_round(RoundStatus.DRAFT), make_round(RoundStatus.OPEN, "Tuần 0")
    for round_ in (draft, running):
        db.session.add(RoundQuestion(round_id=round_.id, question_id=question.id, position=1))
    attempt = attempt_on(question, user.id, running)
    old_id, old_option_ids = question.id, [o.id for o in question.options]
    db.session.commit()

    revision = bank_questions.save_question(single(text="Thủ đô của nước Việt Nam là?"), topic,
                                            question=question)
    db.session.commit()
    db.session.expire_all()

    old = db.session.get(Question, old_id)
    assert revision.id != old_id
    assert revision.revision_of_id == old_id
    assert revision.external_id == "cap-1"
    assert revision.active and not revision.retired and not revision.used
    assert old.retired and not old.active
    assert old.text == "Thủ đô của Việt Nam?"
    assert [o.id for o in old.options] == old_option_ids
    # The attempt still points at the question it was scored on.
    assert db.session.get(Attempt, attempt.id).draw == [[old_id, old_option_ids]]
    fixed = dict(db.session.execute(
        select(RoundQuestion.round_id, RoundQuestion.question_id)).all())
    assert fixed == {draft.id: revision.id, running.id: old_id}
    # The bank lists the new revision only; the old one is an earlier revision.
    live = bank_questions.search_questions()
    assert [q.id for q in live.items] == [revision.id]
    assert [q.id for q in bank_questions.search_questions(status="retired").items] == [old_id]
    assert bank_questions.latest_revision(old).id == revision.id
    assert [q.id for q in bank_questions.revision_history(revision)] == [old_id]
    with pytest.raises(bank_common.BankError):
        bank_questions.save_question(single(), topic, question=old)
    with pytest.raises(bank_common.BankError):
        bank_questions.activate(old)


def test_used_question_saved_unchanged_only_switches_active(app, make_user):
    user = make_user()
    topic = bank_topics.get_or_create_topic(["Chung"])
    question = bank_questions.save_question(single(), topic)
    attempt_on(question, user.id, make_round(RoundStatus.OPEN))
    saved = bank_questions.save_question(single(), topic, question=question, active=False)
    assert saved.id == question.id and not saved.active and not saved.retired
    assert question_count(live_only=False) == 1


def test_deactivate_and_activate(app):
    question = bank_questions.save_question(single(), bank_topics.get_or_create_topic(["Chung"]))
    bank_questions.deactivate(question)
    assert bank_questions.search_questions().total == 0
    assert bank_questions.search_questions(status="inactive").total == 1
    bank_questions.activate(question)
    assert bank_questions.search_questions().total == 1


# --- search ------------------------------------------------------------------


def test_search_filters_and_pages(app):
    law = bank_topics.get_or_create_topic(["Luật"])
    election = bank_topics.get_or_create_topic(["Luật", "Bầu cử"])
    concept = bank_topics.get_or_create_topic(["Khái niệm"])
    a = bank_questions.save_question(
        single("Quota 35% nữ ứng cử viên", tags=["quota"], difficulty="hard"), election)
    b = bank_questions.save_question(single("Khái niệm bình đẳng giới", source="Điều 5"), concept)
    c = bank_questions.save_question(ParsedQuestion(kind="truefalse", text="Luật có 6 chương",
                                                    options=[ParsedOption("Đúng", 1.0),
                                                             ParsedOption("Sai", 0.0)]), law)
    bank_questions.deactivate(c)

    def ids(**filters):
        return [q.id for q in bank_questions.search_questions(**filters).items]

    assert ids() == [a.id, b.id]
    assert ids(text="35% NỮ") == [a.id]
    assert ids(text="điều 5") == [b.id]
    assert ids(text=str(b.id)) == [b.id]
    assert ids(topic_id=law.id) == [a.id]
    assert ids(topic_id=law.id, status="all") == [a.id, c.id]
    assert ids(kind="truefalse", status="inactive") == [c.id]
    assert ids(difficulty="hard") == [a.id]
    assert ids(difficulty="none") == [b.id]
    assert ids(tag="QUOTA") == [a.id]
    assert ids(tag="quot") == []
    assert ids(text="100%") == []

    for n in range(30):
        bank_questions.save_question(single(f"Câu hỏi số {n}"), concept)
    first = bank_questions.search_questions(topic_id=concept.id, per_page=25)
    last = bank_questions.search_questions(topic_id=concept.id, per_page=25, page=2)
    assert (first.total, first.pages, len(first.items), first.has_next) == (31, 2, 25, True)
    assert (len(last.items), last.has_prev, last.has_next) == (6, True, False)
    assert bank_questions.search_questions(topic_id=concept.id, page=99).page == 2


# --- import ------------------------------------------------------------------


def test_plan_counts_and_writes_nothing(app):
    plan = bank_import.plan_import(gift())
    assert plan.ok
    assert plan.by_kind() == {"single": {"new": 1, "present": 0},
                              "multiple": {"new": 1, "present": 0},
                              "truefalse": {"new": 1, "present": 0}}
    assert plan.by_topic() == {"Luật": {"new": 1, "present": 0},
                               "Luật / Bầu cử": {"new": 2, "present": 0}}
    assert [(item.line, item.kind) for item in plan.unsupported] == [(25, "essay")]
    assert plan.new_topics == ["Luật", "Luật / Bầu cử"]
    assert plan.skipped_count == 1
    assert question_count() == 0
    assert db.session.execute(select(func.count()).select_from(Topic)).scalar_one() == 0


def test_commit_writes_every_question(app):
    outcome = bank_import.commit_import(gift())
    db.session.commit()
    assert outcome.imported_count == 3 and outcome.skipped_count == 1
    first = db.session.execute(select(Question).where(Question.external_id == "q-1")).scalar_one()
    assert first.title == "Tỷ lệ nữ"
    assert first.topic.path == ["Luật", "Bầu cử"]
    assert first.tags == ["bau-cu", "quota"]
    assert first.source == "Luật số 85/2015/QH13, Điều 8"
    assert first.difficulty == "easy"
    assert first.explanation.startswith("Ít nhất 35%")
    assert [(o.text, o.fraction, o.feedback) for o in first.options] == [
        ("35%", 1.0, "Đúng theo Điều 8."), ("30%", 0.0, ""), ("40%", 0.0, "")]
    second = db.session.execute(select(Question).where(Question.external_id == "q-2")).scalar_one()
    assert [o.fraction for o in second.options] == [0.5, 0.5, -1.0]


def test_a_single_bad_question_writes_nothing(app):
    bad = SAMPLE_GIFT + "\nCâu hỏi không có đáp án đúng?{\n~A\n~B\n}\n"
    result = gift(bad)
    plan = bank_import.plan_import(result)
    assert not plan.ok
    assert [line_of(p) for p in plan.problems] == [27]
    with pytest.raises(bank_import.ImportRefused) as refused:
        bank_import.commit_import(result)
    assert line_of(refused.value.plan.problems[0]) == 27
    db.session.rollback()
    assert question_count() == 0
    assert db.session.execute(select(func.count()).select_from(Topic)).scalar_one() == 0


def test_reimport_does_not_duplicate_by_id_or_by_text(app):
    bank_import.commit_import(gift())
    db.session.commit()
    # Same file again: everything is already present.
    plan = bank_import.plan_import(gift())
    assert [item.matched_by for item in plan.items] == ["id", "id", "text"]
    assert not plan.new and not any(item.differs for item in plan.items)
    assert bank_import.commit_import(gift()).imported_count == 0
    # Without ids, the text in the same topic identifies a question (whitespace aside).
    no_ids = SAMPLE_GIFT.replace("// [id:q-1]\n", "").replace("// [id:q-2]\n", "")
    no_ids = no_ids.replace("Những cơ quan nào", "Những  cơ quan   nào")
    plan = bank_import.plan_import(gift(no_ids))
    assert [item.matched_by for item in plan.items] == ["text", "text", "text"]
    # The same text in another topic is another question.
    moved = no_ids.replace("$CATEGORY: $course$/top/Luật\n", "$CATEGORY: $course$/top/Khác\n")
    plan = bank_import.plan_import(gift(moved))
    assert [item.present for item in plan.items] == [True, True, False]
    db.session.commit()
    assert question_count() == 3


def test_changed_question_with_a_known_id_is_kept_and_flagged(app):
    bank_import.commit_import(gift())
    db.session.commit()
    changed = SAMPLE_GIFT.replace("=35%#Đúng theo Điều 8.\n~30%", "~35%\n=30%")
    plan = bank_import.plan_import(gift(changed))
    first = plan.items[0]
    assert first.matched_by == "id" and first.differs
    bank_import.commit_import(gift(changed))
    db.session.commit()
    kept = db.session.execute(select(Question).where(Question.external_id == "q-1")).scalar_one()
    assert kept.options[0].fraction == 1.0
    assert question_count() == 3


def test_duplicates_inside_one_file(app):
    text = ("// [id:A]\nCâu một?{=x ~y}\n\n// [id:A]\nCâu hai?{=x ~y}\n\n"
            "Câu ba?{=x ~y}\n\nCâu ba?{=x ~z}\n")
    plan = bank_import.plan_import(gift(text, default_topic=["Chung"]))
    assert [(line_of(p), english(p)) for p in plan.problems] == [
        (5, "the ID A is used again (first on line 2)")]
    assert plan.items[-1].matched_by == "file" and plan.items[-1].match_line == 7


def test_questions_need_a_topic(app):
    text = "Câu một?{=x ~y}\n\nCâu hai?{=x ~y}\n"
    plan = bank_import.plan_import(gift(text))
    assert [line_of(p) for p in plan.problems] == [1]
    assert "2 question(s) have no topic" in english(plan.problems[0])
    assert bank_import.plan_import(gift(text), default_topic=["Chung"]).ok
    bank_import.commit_import(gift(text), default_topic=["Chung", "Mới"])
    assert {q.topic.path_label for q in bank_questions.search_questions().items} == {"Chung / Mới"}


def test_values_too_long_for_the_bank_are_problems(app):
    text = f"// [id:{'x' * 101}]\nCâu?{{=a ~b}}\n"
    plan = bank_import.plan_import(gift(text, default_topic=["Chung"]))
    assert [(p.code, p.params) for p in plan.problems] == [
        ("bank.external_id_too_long", {"line": 2, "max": 100})]


def test_windows_1258_file_is_refused_with_the_message(app):
    data = windows_1258("Câu hỏi về bình đẳng giới trong chính trị?{=Đúng ~Sai}\n")
    result = parse_file(data, "bank.gift", default_topic=["Chung"])
    plan = bank_import.plan_import(result)
    assert [line_of(p) for p in plan.problems] == [0]
    assert "not UTF-8" in english(plan.problems[0])
    assert "Windows-1258" in english(plan.problems[0])
    with pytest.raises(bank_import.ImportRefused):
        bank_import.commit_import(result)
    assert question_count() == 0


# --- export ------------------------------------------------------------------


def _comparable(parsed: list[ParsedQuestion], fmt: str) -> list[ParsedQuestion]:
    if fmt == "gift":
        return parsed
    # Tables have no column for titles, per-option feedback or the text format.
    return [replace(q, title="", text_format="plain",
                    options=[replace(o, feedback="") for o in q.options]) for q in parsed]


def _empty_bank() -> None:
    db.session.execute(delete(Option))
    db.session.execute(delete(Question))
    db.session.execute(update(Topic).values(parent_id=None))
    db.session.execute(delete(Topic))
    db.session.commit()


def _bank_contents() -> list[ParsedQuestion]:
    db.session.expire_all()
    questions = db.session.execute(select(Question).order_by(Question.id)).scalars().all()
    return sorted(bank_questions.to_parsed(questions), key=lambda q: (q.topic, q.text))


@pytest.mark.parametrize("fmt", ["gift", "csv", "xlsx"])
def test_export_then_import_gives_back_the_same_questions(app, fmt):
    bank_import.load_starter_bank()
    bank_import.commit_import(gift())
    db.session.commit()
    before = _bank_contents()
    exported = bank_export.export(fmt)
    assert exported.count == 88 and not exported.skipped
    assert exported.filename.endswith({"gift": ".gift", "csv": ".csv", "xlsx": ".xlsx"}[fmt])

    _empty_bank()
    outcome = bank_import.commit_import(parse_file(exported.data, exported.filename))
    db.session.commit()
    assert outcome.imported_count == 88 and outcome.skipped_count == 0
    assert _bank_contents() == _comparable(before, fmt)


def test_export_of_one_topic_and_of_inactive_questions(app):
    bank_import.commit_import(gift())
    db.session.commit()
    election = bank_topics.topic_by_path(["Luật", "Bầu cử"])
    law = bank_topics.topic_by_path(["Luật"])
    assert bank_export.export("gift", election).count == 2
    assert bank_export.export("gift", law).count == 3
    question = db.session.execute(
        select(Question).where(Question.external_id == "q-2")).scalar_one()
    bank_questions.deactivate(question)
    assert bank_export.export("gift", law).count == 2
    assert bank_export.export("gift", law, include_inactive=True).count == 3
    assert bank_export.export("gift", election).filename.startswith("questions-bau-cu-")


def test_aiken_export_leaves_out_multiple_answer_questions(app):
    bank_import.commit_import(gift())
    db.session.commit()
    exported = bank_export.export("aiken")
    assert exported.count == 2
    assert [q.external_id for q in exported.skipped] == ["q-2"]
    text = exported.data.decode("utf-8")
    assert "ANSWER: A" in text and "Chính phủ" not in text
    assert exported.mimetype.startswith("text/plain")


# --- starter bank ------------------------------------------------------------


def test_starter_bank_loads_85_questions_once(app):
    assert bank_import.load_starter_bank() == 85
    db.session.commit()
    assert bank_import.load_starter_bank() == 0
    db.session.commit()
    assert question_count() == 85
    kinds = dict(db.session.execute(
        select(Question.kind, func.count()).group_by(Question.kind)).all())
    assert sum(kinds.values()) == 85 and set(kinds) == {"single", "multiple", "truefalse"}
