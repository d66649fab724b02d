"""Tests of the GIFT parser and writer and of the shared question checks."""

from __future__ import annotations

import pytest

from contest.quiz.bank_messages import english
from contest.quiz.gift import parse_gift, write_gift
from contest.quiz.items import (
    FALSE_LABEL,
    TRUE_LABEL,
    ParsedOption,
    ParsedQuestion,
    ParseResult,
    SkippedItem,
    line_of,
    validate_question,
)


def only_question(text: str, **kwargs: object) -> ParsedQuestion:
    result = parse_gift(text, **kwargs)
    assert result.errors == []
    assert result.skipped == []
    assert len(result.questions) == 1
    return result.questions[0]


def fractions(question: ParsedQuestion) -> list[float]:
    return [option.fraction for option in question.options]


# --- question kinds ------------------------------------------------------------


def test_single_choice_with_one_equals_and_tildes() -> None:
    q = only_question("Luật Bình đẳng giới được thông qua năm nào?{=2006 ~2007 ~2010}")
    assert q.kind == "single"
    assert q.text == "Luật Bình đẳng giới được thông qua năm nào?"
    assert [o.text for o in q.options] == ["2006", "2007", "2010"]
    assert fractions(q) == [1.0, 0.0, 0.0]
    assert q.text_format == "plain"
    assert q.line == 1


def test_answer_block_on_many_lines_with_tabs() -> None:
    q = only_question("Câu hỏi?\n{\n\t~sai\n\t=đúng\n\t~cũng sai\n}\n")
    assert q.kind == "single"
    assert [o.text for o in q.options] == ["sai", "đúng", "cũng sai"]
    assert fractions(q) == [0.0, 1.0, 0.0]


def test_tildes_with_weights_make_multiple_choice() -> None:
    q = only_question("Chọn các ý đúng {~%50%A ~%50%B ~%-100%C ~D}")
    assert q.kind == "multiple"
    assert fractions(q) == [0.5, 0.5, -1.0, 0.0]


def test_negative_and_decimal_weights() -> None:
    q = only_question(
        "Q {~%33.33333%a ~%33.33333%b ~%33.33334%c ~%-33.33333%d ~%-50%e}"
    )
    assert fractions(q) == [0.3333333, 0.3333333, 0.3333334, -0.3333333, -0.5]


def test_three_decimal_thirds_sum_within_tolerance() -> None:
    q = only_question("Q {~%33.333%a ~%33.333%b ~%33.333%c ~%-100%d}")
    assert fractions(q) == [0.33333, 0.33333, 0.33333, -1.0]


def test_decimal_comma_weight_is_accepted() -> None:
    q = only_question("Q {~%62,5%a ~%37,5%b ~c}")
    assert fractions(q) == [0.625, 0.375, 0.0]


def test_weight_on_equals_answer_and_partial_credit_in_single() -> None:
    q = only_question("Q {=%100%a ~%50%b ~%-25%c}")
    assert q.kind == "single"
    assert fractions(q) == [1.0, 0.5, -0.25]


def test_percent_sign_inside_text_is_not_a_weight() -> None:
    q = only_question("Tỷ lệ tối thiểu? {=35% ứng viên ~%khoảng% 20}")
    assert [o.text for o in q.options] == ["35% ứng viên", "%khoảng% 20"]
    assert fractions(q) == [1.0, 0.0]


@pytest.mark.parametrize(
    ("block", "is_true"),
    [("{T}", True), ("{TRUE}", True), ("{F}", False), ("{FALSE}", False),
     ("{true}", True), ("{ f }", False)],
)
def test_true_false_forms(block: str, is_true: bool) -> None:
    q = only_question(f"Luật có 44 điều. {block}")
    assert q.kind == "truefalse"
    assert q.text == "Luật có 44 điều."
    assert [o.text for o in q.options] == [TRUE_LABEL, FALSE_LABEL]
    assert fractions(q) == ([1.0, 0.0] if is_true else [0.0, 1.0])


def test_true_false_feedback_wrong_then_right() -> None:
    q = only_question("Có hiệu lực 1/7/2007 {TRUE#Chưa đúng#Chính xác}")
    assert q.options == [ParsedOption(TRUE_LABEL, 1.0, "Chính xác"),
                         ParsedOption(FALSE_LABEL, 0.0, "Chưa đúng")]
    q = only_question("Có hiệu lực 1/1/2007 {F#Sai rồi#Đúng vậy}")
    assert q.options == [ParsedOption(TRUE_LABEL, 0.0, "Sai rồi"),
                         ParsedOption(FALSE_LABEL, 1.0, "Đúng vậy")]


def test_true_false_with_only_wrong_feedback_and_general_feedback() -> None:
    q = only_question("Q {T#Không phải####Điều 11}")
    assert q.options[1].feedback == "Không phải"
    assert q.options[0].feedback == ""
    assert q.explanation == "Điều 11"


def test_answer_feedback_and_general_feedback() -> None:
    q = only_question(
        "Q {\n=35%#Đúng, Điều 8\n~30%#Thấp hơn quy định\n~40%\n####Luật Bầu cử, Điều 8\n}"
    )
    assert [o.feedback for o in q.options] == ["Đúng, Điều 8", "Thấp hơn quy định", ""]
    assert q.explanation == "Luật Bầu cử, Điều 8"


# --- title, format, comments, metadata, categories ----------------------------


def test_title_and_format_prefixes() -> None:
    q = only_question("::Câu 1::[html]<p>Văn bản</p>{=a ~b}")
    assert q.title == "Câu 1"
    assert q.text == "<p>Văn bản</p>"
    assert q.text_format == "html"
    for name in ("plain", "markdown", "moodle"):
        assert only_question(f"[{name}]**x** {{=a ~b}}").text_format == name
    # Moodle knows the markers in lower case only: anything else is text.
    upper = only_question("[HTML]x {=a ~b}")
    assert (upper.text, upper.text_format) == ("[HTML]x", "plain")


def test_unknown_bracket_prefix_stays_in_text() -> None:
    q = only_question("[ghi chú] x {=a ~b}")
    assert q.text == "[ghi chú] x"
    assert q.text_format == "plain"


def test_comments_are_ignored_even_inside_the_answer_block() -> None:
    q = only_question("// a comment\nQ {\n=a\n// not an answer\n~b\n}")
    assert [o.text for o in q.options] == ["a", "b"]


def test_metadata_comments() -> None:
    src = (
        "// question: 12  name: Hạn ngạch\n"
        "// [id:BDG-012] [tag:bầu cử]\n"
        "// [tag:quota] [tag:Quốc hội]\n"
        "// [source:Luật Bầu cử 85/2015/QH13, Điều 8]\n"
        "// [difficulty:medium]\n"
        "::Hạn ngạch::Q {=35% ~20%}\n"
    )
    q = only_question(src)
    assert q.external_id == "BDG-012"
    assert q.tags == ["bầu cử", "quota", "Quốc hội"]
    assert q.source == "Luật Bầu cử 85/2015/QH13, Điều 8"
    assert q.difficulty == "medium"
    assert q.line == 6


def test_metadata_escapes_and_vietnamese_difficulty() -> None:
    q = only_question("// [source:Khoản 1 \\[sửa đổi\\] C:\\\\x] [difficulty:Khó]\nQ {=a ~b}")
    assert q.source == "Khoản 1 [sửa đổi] C:\\x"
    assert q.difficulty == "hard"


def test_metadata_followed_by_blank_line_is_an_error() -> None:
    result = parse_gift("// [id:Q1]\n\nQ {=a ~b}\n")
    assert [(line_of(p), p.code) for p in result.errors] == [(1, "gift.metadata_alone")]
    assert "not followed by a question" in english(result.errors[0])
    assert len(result.questions) == 1
    assert result.questions[0].external_id == ""


def test_plain_comment_block_is_not_an_error() -> None:
    result = parse_gift("// Bộ câu hỏi tuần 1\n\nQ {=a ~b}\n")
    assert result.errors == []
    assert len(result.questions) == 1


def test_unknown_difficulty_is_reported_on_its_comment_line() -> None:
    result = parse_gift("Q0 {=a ~b}\n\n// [id:x]\n// [difficulty:very hard]\nQ {=a ~b}\n")
    assert [q.text for q in result.questions] == ["Q0"]
    assert len(result.errors) == 1
    assert line_of(result.errors[0]) == 4
    assert "very hard" in english(result.errors[0])


def test_two_ids_for_one_question_is_an_error() -> None:
    result = parse_gift("// [id:a]\n// [id:b]\nQ {=a ~b}\n")
    assert result.questions == []
    assert line_of(result.errors[0]) == 2


def test_categories_set_topics() -> None:
    src = (
        "Q0 {=a ~b}\n\n"
        "// question: 0  name: Switch category to $course$/top/Luật Bình đẳng giới/Chính trị\n"
        "// [id:category-id]\n"
        "$CATEGORY: $course$/top/Luật Bình đẳng giới/Chính trị\n\n"
        "Q1 {=a ~b}\n\n"
        "$CATEGORY: $system$/top/Luật 73//2006//QH11\n"
        "Q2 {=a ~b}\n\n"
        "$CATEGORY: Bầu cử/\n\n"
        "Q3 {=a ~b}\n\n"
        "$CATEGORY: $course$/top\n\n"
        "Q4 {=a ~b}\n"
    )
    result = parse_gift(src, default_topic=["Chung"])
    assert result.errors == []
    assert [(q.text, q.topic) for q in result.questions] == [
        ("Q0", ["Chung"]),
        ("Q1", ["Luật Bình đẳng giới", "Chính trị"]),
        ("Q2", ["Luật 73/2006/QH11"]),
        ("Q3", ["Bầu cử"]),
        ("Q4", ["Chung"]),
    ]
    assert result.questions[2].line == 10
    assert result.by_topic() == {
        "Chung": 2, "Luật Bình đẳng giới/Chính trị": 1, "Luật 73/2006/QH11": 1, "Bầu cử": 1,
    }


def test_category_line_ends_the_question_above_it() -> None:
    result = parse_gift("Q1 {=a ~b}\n$CATEGORY: X\nQ2 {=a ~b}\n")
    assert result.errors == []
    assert [(q.text, q.topic, q.line) for q in result.questions] == [
        ("Q1", [], 1), ("Q2", ["X"], 3)]


# --- escapes -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("escaped", "plain"),
    [("\\:", ":"), ("\\#", "#"), ("\\=", "="), ("\\{", "{"), ("\\}", "}"), ("\\~", "~"),
     ("\\\\", "\\"), ("\\n", "\n")],
)
def test_each_escape_in_text_answer_feedback_title(escaped: str, plain: str) -> None:
    src = (f"::T{escaped}T::Q{escaped}Q {{=a{escaped}a#f{escaped}f ~b{escaped}b"
           f"####g{escaped}g}}")
    q = only_question(src)
    assert q.title == f"T{plain}T"
    assert q.text == f"Q{plain}Q"
    assert q.options[0] == ParsedOption(f"a{plain}a", 1.0, f"f{plain}f")
    assert q.options[1].text == f"b{plain}b"
    assert q.explanation == f"g{plain}g"


def test_unknown_escape_keeps_the_backslash() -> None:
    q = only_question("Đường dẫn C:\\dữ liệu {=\\d ~x}")
    assert q.text == "Đường dẫn C:\\dữ liệu"
    assert q.options[0].text == "\\d"


def test_escaped_backslash_before_a_marker() -> None:
    q = only_question("Q {=a\\\\~b}")
    assert [o.text for o in q.options] == ["a\\", "b"]
    assert fractions(q) == [1.0, 0.0]


# --- separation and line numbers -----------------------------------------------


def test_questions_separated_by_blank_lines_with_crlf_and_bom() -> None:
    src = "\ufeff// c\r\nQ1 {=a ~b}\r\n\r\n  \r\n::T2::\r\nQ2\r\n{\r\n=c\r\n~d\r\n}\r\n"
    result = parse_gift(src)
    assert result.errors == []
    assert [(q.text, q.line) for q in result.questions] == [("Q1", 2), ("Q2", 5)]


def test_multi_line_question_text_keeps_line_breaks() -> None:
    q = only_question("Dòng một\nDòng hai\n{=a ~b}")
    assert q.text == "Dòng một\nDòng hai"


# --- skipped kinds -------------------------------------------------------------


SKIPPED_SAMPLE = """\
// Mẫu có đủ loại câu hỏi
::Tự luận::Viết về bình đẳng giới {}

::Số::Luật có bao nhiêu điều? {#44}

Ghép cặp {
=Luật 73 -> Bình đẳng giới
=Luật 85 -> Bầu cử
}

Điền từ {=phụ nữ =nữ giới}

Một đáp án ngắn {=2006}

Luật Bình đẳng giới có {~43 =44 ~45} điều.

Phần 1: Câu hỏi về chính trị

::Tự luận có nhận xét::Viết {####Nhận xét chung}

Câu hợp lệ {=a ~b}
"""


def test_each_skipped_kind_with_its_line() -> None:
    result = parse_gift(SKIPPED_SAMPLE)
    assert result.errors == []
    assert result.skipped == [
        SkippedItem(2, "essay", "Tự luận"),
        SkippedItem(4, "numerical", "Số"),
        SkippedItem(6, "matching", "Ghép cặp"),
        SkippedItem(11, "shortanswer", "Điền từ"),
        SkippedItem(13, "shortanswer", "Một đáp án ngắn"),
        SkippedItem(15, "missingword", "Luật Bình đẳng giới có"),
        SkippedItem(17, "description", "Phần 1: Câu hỏi về chính trị"),
        SkippedItem(19, "essay", "Tự luận có nhận xét"),
    ]
    assert [(q.text, q.line) for q in result.questions] == [("Câu hợp lệ", 21)]


def test_missing_word_with_blank_at_the_start() -> None:
    result = parse_gift("{=Nghị quyết ~Quyết định} 28/NQ-CP ban hành Chiến lược.")
    assert result.skipped == [
        SkippedItem(1, "missingword", "28/NQ-CP ban hành Chiến lược.")]


def test_true_false_inside_text_is_missing_word() -> None:
    result = parse_gift("Câu {T} tiếp tục")
    assert [item.kind for item in result.skipped] == ["missingword"]


# --- malformed input -----------------------------------------------------------


MALFORMED = """\
Q0 hợp lệ {=a ~b}

// [id:unclosed]
::Mở::Chưa đóng {
=a
~b

Trọng số lớn {~%150%a ~b}

Trọng số âm quá {=a ~%-101%b}

Không phải số {=a ~%1.2.3%b}

Tổng sai {~%50%a ~%30%b ~c}

Không có trọng số dương {~a ~b}

::Chỉ tiêu đề::{=a ~b}

Hai đáp án đúng {=a =b ~c}

Thừa ngoặc } đóng

Lồng {=a {b} ~c}

Hai khối {=a ~b} và {=c ~d}

Thiếu dấu {a ~b}

::Tiêu đề chưa đóng {=a ~b}

Một lựa chọn {=a ~}

Trùng {=a ~a}
"""


def test_malformed_items_are_errors_at_their_first_line() -> None:
    result = parse_gift(MALFORMED)
    assert [q.text for q in result.questions] == ["Q0 hợp lệ"]
    expected = [
        (4, "is not closed with '}'"),
        (8, "weight 150% is out of range"),
        (10, "weight -101% is out of range"),
        (12, "weight '%1.2.3%' is not a number"),
        (14, "must add up to 100%, they add up to 80%"),
        (16, "at least one option with a positive weight"),
        (18, "the question has no text"),
        (20, "exactly one correct option (100%), found 2"),
        (22, "'}' has no matching '{'"),
        (24, "'{' appears again inside the answer block"),
        (26, "more than one answer block"),
        (28, "answer 'a' does not start with '='"),
        (30, "title opened with '::' is not closed"),
        (32, "option 2 has no text"),
        (34, "options 1 and 2 have the same text"),
    ]
    assert len(result.errors) == len(expected)
    for problem, (line, fragment) in zip(result.errors, expected, strict=True):
        assert line_of(problem) == line
        assert fragment in english(problem)


def test_lines_after_an_unclosed_block_are_reported_too() -> None:
    # The blank line ends the broken question; the rest ('~b' and '}') is
    # reported on its own line instead of vanishing.
    result = parse_gift("Q {\n=a\n\n~b\n}\n")
    assert [line_of(p) for p in result.errors] == [1, 4]
    assert result.questions == []


def test_nothing_is_dropped_silently() -> None:
    result = parse_gift(SKIPPED_SAMPLE + "\n" + MALFORMED)
    accounted = (len(result.questions) + len(result.skipped)
                 + len({line_of(p) for p in result.errors}))
    # SKIPPED_SAMPLE holds 9 items, MALFORMED 16.
    assert accounted == 9 + 16


# --- writing and round trip ----------------------------------------------------


RICH = """\
$CATEGORY: $course$/top/Luật Bình đẳng giới/Chính trị

// [id:BDG-001] [tag:luật] [tag:chính trị]
// [source:Luật Bình đẳng giới 73/2006/QH11, Điều 11]
// [difficulty:easy]
::Điều 11::Điều 11 của Luật quy định bình đẳng giới trong lĩnh vực nào?{
\t=Chính trị#Đúng\\: Điều 11
\t~Kinh tế#Đó là Điều 12
\t~Lao động
\t####Luật 73/2006/QH11 có 6 chương, 44 điều.
}

// [id:BDG-002]
::Hạn ngạch::Theo Điều 8 Luật Bầu cử, tỷ lệ nữ tối thiểu trong danh sách ứng cử viên \
là bao nhiêu? {~%100%35% ~%-50%30% ~%-50%50%}

::Đúng/sai::[markdown]Luật **có hiệu lực** từ 1/7/2007.{TRUE#Xem lại Điều 44#Chính xác####Điều 44}

$CATEGORY: $course$/top/Chiến lược 2021–2030

// [tag:chiến lược]
// [difficulty:hard]
Mục tiêu năm 2030 (chọn 2)\\: \\{nữ lãnh đạo\\}\\nvà \\#tỷ lệ \\= ?{
\t~%50%75% cơ quan có nữ lãnh đạo chủ chốt
\t~%50%Nghị quyết 28/NQ-CP ngày 3/3/2021
\t~%-100%Không có mục tiêu#Sai \\~ hoàn toàn
\t~Đường dẫn C:\\\\luật
}

[html]<b>Sai</b> hay đúng? {FALSE}
"""


def test_rich_sample_parses_as_expected() -> None:
    result = parse_gift(RICH)
    assert result.errors == [] and result.skipped == []
    assert result.by_kind() == {"single": 1, "multiple": 2, "truefalse": 2}
    first, quota, tf, goal, html = result.questions
    assert first.options[0].feedback == "Đúng: Điều 11"
    assert quota.kind == "multiple" and fractions(quota) == [1.0, -0.5, -0.5]
    assert quota.text.endswith("ứng cử viên là bao nhiêu?")
    assert tf.text_format == "markdown" and tf.explanation == "Điều 44"
    assert goal.text == "Mục tiêu năm 2030 (chọn 2): {nữ lãnh đạo}\nvà #tỷ lệ = ?"
    assert goal.topic == ["Chiến lược 2021–2030"] and goal.tags == ["chiến lược"]
    assert goal.options[2].feedback == "Sai ~ hoàn toàn"
    assert goal.options[3].text == "Đường dẫn C:\\luật"
    assert html.topic == ["Chiến lược 2021–2030"] and fractions(html) == [0.0, 1.0]


def test_round_trip_of_the_rich_sample() -> None:
    first = parse_gift(RICH)
    written = write_gift(first.questions)
    second = parse_gift(written)
    assert second.errors == [] and second.skipped == []
    assert second.questions == first.questions
    assert write_gift(second.questions) == written


def test_round_trip_of_awkward_texts() -> None:
    awkward = [
        ParsedQuestion("single", "// looks like a comment", [
            ParsedOption("%50 starts with a percent", 1.0, "#hash"),
            ParsedOption("%10% looks like a weight", 0.0),
        ]),
        ParsedQuestion("single", "$CATEGORY: not a category", [
            ParsedOption("=", 1.0), ParsedOption("~", 0.0), ParsedOption("->", -0.3333333),
        ]),
        ParsedQuestion("multiple", "[html] is text here", [
            ParsedOption("a", 0.3333333), ParsedOption("b", 0.3333333),
            ParsedOption("c", 0.3333334), ParsedOption("d", -1.0, "x\ny"),
        ], title="::title:: with [brackets]", explanation="#### in explanation\n\nend"),
        ParsedQuestion("truefalse", "Blank\n\nlines {and} braces", [
            ParsedOption(TRUE_LABEL, 0.0), ParsedOption(FALSE_LABEL, 1.0, "right"),
        ], tags=["a]b", "c\\d"], external_id="id with ] and \\", source="s",
            difficulty="medium", topic=["A/B", "C"], text_format="moodle"),
        ParsedQuestion("truefalse", "No feedback", [
            ParsedOption(TRUE_LABEL, 1.0), ParsedOption(FALSE_LABEL, 0.0),
        ], explanation="only general", topic=[]),
    ]
    for question in awkward:
        assert validate_question(question) == []
    result = parse_gift(write_gift(awkward))
    assert result.errors == [] and result.skipped == []
    assert result.questions == awkward


def test_write_gift_layout() -> None:
    questions = [
        ParsedQuestion("single", "Q1", [ParsedOption("a", 1.0), ParsedOption("b", 0.0)],
                       topic=["A", "B"]),
        ParsedQuestion("single", "Q2", [ParsedOption("a", 1.0), ParsedOption("b", 0.0)],
                       topic=["A", "B"]),
        ParsedQuestion("multiple", "Q3", [ParsedOption("a", 0.5), ParsedOption("b", 0.5),
                                          ParsedOption("c", -1.0)], topic=["C"]),
    ]
    assert write_gift(questions) == (
        "$CATEGORY: $course$/top/A/B\n\n"
        "Q1{\n\t=a\n\t~b\n}\n\n"
        "Q2{\n\t=a\n\t~b\n}\n\n"
        "$CATEGORY: $course$/top/C\n\n"
        "Q3{\n\t~%50%a\n\t~%50%b\n\t~%-100%c\n}\n"
    )
    assert write_gift([]) == ""


# --- shared checks -------------------------------------------------------------


def test_validate_question_messages() -> None:
    def problems(kind: str, options: list[tuple[str, float]], text: str = "Q") -> list[str]:
        return [english(p) for p in validate_question(
            ParsedQuestion(kind, text, [ParsedOption(t, f) for t, f in options]))]

    assert problems("single", [("a", 1.0), ("b", 0.0)]) == []
    assert problems("single", [("a", 1.0)]) == [
        "a single-choice question needs at least 2 options, found 1"]
    assert "found 0" in problems("single", [("a", 0.5), ("b", 0.0)])[0]
    assert problems("multiple", [("a", 0.5), ("b", 0.495)]) == []
    assert "they add up to 98.5%" in problems("multiple", [("a", 0.5), ("b", 0.485)])[0]
    assert problems("truefalse", [(TRUE_LABEL, 1.0), (FALSE_LABEL, 0.0)]) == []
    assert "exactly the options" in problems("truefalse", [("Có", 1.0), ("Không", 0.0)])[0]
    assert "one option at 100%" in problems("truefalse", [(TRUE_LABEL, 1.0),
                                                          (FALSE_LABEL, 1.0)])[0]
    assert problems("essay", [("a", 1.0)])[0].startswith("unknown question kind 'essay'")
    assert problems("single", [("a", 1.0), ("b", 0.0)], text="  ") == [
        "question text is empty"]
    assert "outside -100%..100%" in problems("multiple", [("a", 1.5), ("b", 0.0)])[0]
    assert "options 1 and 2 have the same text" in problems("single", [("a", 1.0),
                                                                     ("a", 0.0)])
    bad_meta = ParsedQuestion("single", "Q", [ParsedOption("a", 1.0), ParsedOption("b", 0.0)],
                              difficulty="extreme", text_format="rtf")
    assert len(validate_question(bad_meta)) == 2


def test_parse_result_counts() -> None:
    result = ParseResult(questions=[
        ParsedQuestion("single", "a", [], topic=["X", "Y"]),
        ParsedQuestion("multiple", "b", [], topic=["X", "Y"]),
        ParsedQuestion("single", "c", []),
    ])
    assert result.by_kind() == {"single": 2, "multiple": 1}
    assert result.by_topic() == {"X/Y": 2, "": 1}


def test_line_is_not_part_of_equality() -> None:
    a = ParsedQuestion("single", "Q", [ParsedOption("a", 1.0)], line=3)
    b = ParsedQuestion("single", "Q", [ParsedOption("a", 1.0)], line=9)
    assert a == b


# --- Moodle's documented rules ---------------------------------------------------


@pytest.mark.parametrize("name", ["html", "plain", "markdown", "moodle"])
def test_format_marker_on_an_answer_is_not_part_of_its_text(name: str) -> None:
    q = only_question(f"Màu nào?{{=[{name}]xanh ~[{name}]đỏ}}")
    assert [o.text for o in q.options] == ["xanh", "đỏ"]


def test_format_markers_on_feedback_and_general_feedback_are_removed() -> None:
    q = only_question("Màu nào?{\n=xanh#[plain]Đúng\n~đỏ#[markdown]Sai\n####[moodle]Giải thích\n}")
    assert [o.feedback for o in q.options] == ["Đúng", "Sai"]
    assert q.explanation == "Giải thích"
    assert q.text_format == "plain"


def test_marker_after_a_weight_and_on_true_false_feedbacks() -> None:
    q = only_question("Chọn?{\n~%50%[plain]A\n~%50%[plain]B\n~%-100%C\n}")
    assert [(o.text, o.fraction) for o in q.options] == [("A", 0.5), ("B", 0.5), ("C", -1.0)]
    tf = only_question("Đúng không?{TRUE#[html]<b>Chưa</b> đúng#[plain]Đúng rồi}")
    assert [(o.text, o.feedback) for o in tf.options] == [
        (TRUE_LABEL, "Đúng rồi"), (FALSE_LABEL, "Chưa đúng")]


def test_html_parts_make_the_question_html_and_escape_the_plain_ones() -> None:
    q = only_question("Chọn a < b?{=[html]<b>có</b> ~không & chẳng}")
    assert q.text_format == "html"
    assert q.text == "Chọn a &lt; b?"
    assert [o.text for o in q.options] == ["<b>có</b>", "không &amp; chẳng"]


def test_an_html_question_passes_its_format_to_unmarked_parts() -> None:
    q = only_question("[html]<p>Chọn</p>{=<i>có</i>#<b>Đúng</b><br>vì thế ~không####<p>Vì "
                      "&amp; bởi</p>}")
    assert q.text_format == "html"
    assert [o.text for o in q.options] == ["<i>có</i>", "không"]
    # Feedback and explanation are shown as plain text: HTML is reduced to what it shows.
    assert q.options[0].feedback == "Đúng\nvì thế"
    assert q.explanation == "Vì & bởi"


def test_the_general_feedback_starts_at_the_last_four_hashes() -> None:
    q = only_question("Chọn?{=A#phản hồi ~B####chung}")
    assert q.options[0].feedback == "phản hồi"
    assert q.explanation == "chung"


def test_multi_line_answers_keep_their_line_breaks() -> None:
    q = only_question("Chọn?{\n=dòng một\n  dòng hai\n~khác\n}")
    assert [o.text for o in q.options] == ["dòng một\n  dòng hai", "khác"]


def test_id_and_tags_in_comments_as_moodle_writes_them() -> None:
    q = only_question("// question: 42  name: Câu 1\n// [id:Q\\]1] [tag:bầu cử] [tag:nữ]\n"
                      "::Câu 1::Hỏi?{=A ~B}")
    assert (q.external_id, q.tags, q.title) == ("Q]1", ["bầu cử", "nữ"], "Câu 1")


def test_five_decimal_weights_as_moodle_exports_them() -> None:
    q = only_question("Chọn?{\n~%33.33333%A\n~%33.33333%B\n~%33.33334%C\n~%-100%D\n}")
    assert fractions(q) == [0.3333333, 0.3333333, 0.3333334, -1.0]


def test_escapes_of_every_special_character() -> None:
    q = only_question("a\\~b\\=c\\#d\\{e\\}f\\:g?{=x\\#1 ~y\\~2}")
    assert q.text == "a~b=c#d{e}f:g?"
    assert [o.text for o in q.options] == ["x#1", "y~2"]


def _same(questions: list[ParsedQuestion]) -> None:
    again = parse_gift(write_gift(questions))
    assert again.errors == []
    assert again.questions == questions


def test_round_trip_keeps_formats_and_markers() -> None:
    html_question = ParsedQuestion("single", "<p>Chọn</p>", [
        ParsedOption("<b>có</b>", 1.0, "Đúng <vì>"), ParsedOption("[plain]không", 0.0)],
        explanation="a & b", text_format="html")
    plain_question = ParsedQuestion("multiple", "a < b?", [
        ParsedOption("x & y", 0.5, "[html]giữ"), ParsedOption("z", 0.5),
        ParsedOption("w", -1.0)], explanation="[markdown] giữ")
    truefalse = ParsedQuestion("truefalse", "[moodle]Đúng?", [
        ParsedOption(TRUE_LABEL, 0.0, "sai <à>"), ParsedOption(FALSE_LABEL, 1.0, "đúng")],
        text_format="markdown")
    _same([html_question, plain_question, truefalse])
    written = write_gift([html_question, plain_question])
    # Moodle reads the unmarked parts of a question in the question's format: plain feedback
    # under an HTML question is marked, and plain text holding "<" is marked [plain].
    assert "[html]<p>Chọn</p>{" in written and "#[plain]Đúng <vì>" in written
    assert "####[plain]a & b" in written
    assert "[plain]a < b?{" in written and "#[plain][html]giữ" in written
