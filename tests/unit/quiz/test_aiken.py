"""Tests of the Aiken parser and writer."""

from __future__ import annotations

from contest.quiz.aiken import parse_aiken, write_aiken
from contest.quiz.bank_messages import english
from contest.quiz.items import FALSE_LABEL, TRUE_LABEL, ParsedOption, ParsedQuestion, line_of

SAMPLE = """\
Luật Bình đẳng giới có hiệu lực từ ngày nào?
A. 29/11/2006
B. 1/7/2007
C. 1/1/2008
ANSWER: B

Theo Luật Bầu cử, tỷ lệ nữ tối thiểu trong danh sách ứng cử viên
đại biểu Quốc hội là bao nhiêu?
A) 30%
B) 35%
ANSWER: B
Câu hỏi liền sau không có dòng trống
A. một
B. hai
answer: a
"""


def test_both_option_styles_and_multi_line_text() -> None:
    result = parse_aiken(SAMPLE, default_topic=["Luật"])
    assert result.errors == []
    first, second, third = result.questions
    assert first.kind == "single"
    assert first.text == "Luật Bình đẳng giới có hiệu lực từ ngày nào?"
    assert first.options == [ParsedOption("29/11/2006", 0.0), ParsedOption("1/7/2007", 1.0),
                             ParsedOption("1/1/2008", 0.0)]
    assert first.topic == ["Luật"]
    assert first.line == 1
    assert second.text == ("Theo Luật Bầu cử, tỷ lệ nữ tối thiểu trong danh sách ứng cử viên\n"
                           "đại biểu Quốc hội là bao nhiêu?")
    assert [o.text for o in second.options] == ["30%", "35%"]
    assert [o.fraction for o in second.options] == [0.0, 1.0]
    assert second.line == 7
    assert third.line == 12
    assert [o.fraction for o in third.options] == [1.0, 0.0]


def test_dung_sai_options_make_a_true_false_question() -> None:
    result = parse_aiken(f"Luật có 44 điều.\nA. {TRUE_LABEL}\nB. {FALSE_LABEL}\nANSWER: A\n")
    (q,) = result.questions
    assert q.kind == "truefalse"
    assert q.options == [ParsedOption(TRUE_LABEL, 1.0), ParsedOption(FALSE_LABEL, 0.0)]


def test_crlf_and_answer_with_trailing_punctuation() -> None:
    result = parse_aiken("Q?\r\nA. x\r\nB. y\r\nANSWER: B.\r\n")
    assert result.errors == []
    assert [o.fraction for o in result.questions[0].options] == [0.0, 1.0]


def test_missing_answer_is_reported_on_the_first_line() -> None:
    result = parse_aiken("Q0?\nA. a\nB. b\nANSWER: A\n\nQ1?\nA. a\nB. b\n\nQ2?\nA. a\nB. b\n")
    assert [q.text for q in result.questions] == ["Q0?"]
    assert [(line_of(p), english(p)) for p in result.errors] == [
        (6, "the question has no 'ANSWER: X' line"),
        (10, "the question has no 'ANSWER: X' line"),
    ]


def test_answer_letter_not_among_options_is_reported_on_the_answer_line() -> None:
    result = parse_aiken("Q?\nA. a\nB. b\nANSWER: D\n")
    assert result.questions == []
    assert len(result.errors) == 1
    assert line_of(result.errors[0]) == 4
    assert english(result.errors[0]) == "answer 'D' is not one of the options (A, B)"


def test_fewer_than_two_options() -> None:
    result = parse_aiken("Q0?\nA. a\nB. b\nANSWER: A\n\nQ?\nA. only\nANSWER: A\n")
    assert [(line_of(p), english(p)) for p in result.errors] == [
        (6, "an Aiken question needs at least 2 options, found 1")]
    result = parse_aiken("Q?\nANSWER: A\n")
    assert line_of(result.errors[0]) == 1
    assert "found 0" in english(result.errors[0])


def test_other_errors_with_their_lines() -> None:
    src = (
        "A. no text\nB. at all\nANSWER: A\n"      # lines 1-3
        "\n"
        "Q?\nA. a\nB. b\nstray line\nC. c\nANSWER: A\n"  # lines 5-10
        "\n"
        "Q?\nA. a\nA. again\nANSWER: A\n"          # lines 12-15
        "\n"
        "Q?\nA. a\nB. b\nANSWER: A, B\n"           # lines 17-20
        "\n"
        "Q?\nA. a\nB. b\nANSWER:\n"                # lines 22-25
        "\n"
        "Q?\nA.\nB. b\nANSWER: B\n"                # lines 27-30
        "\n"
        "Q?\nA. same\nB. same\nANSWER: B\n"        # lines 32-35
    )
    result = parse_aiken(src)
    assert result.questions == []
    got = [(line_of(p), english(p)) for p in result.errors]
    assert got == [
        (1, "the question has no text before its options"),
        (8, "expected another option ('E. ...') or 'ANSWER: X' after the options"),
        (14, "option A appears twice"),
        (20, "Aiken allows only one answer letter, found 'A, B'"),
        (25, "the ANSWER line gives no letter"),
        (28, "option A has no text"),
        (32, "options 1 and 2 have the same text"),
    ]


def test_write_aiken_and_round_trip() -> None:
    questions = [
        ParsedQuestion("single", "Câu một?\nDòng hai", [
            ParsedOption("a", 0.0), ParsedOption("b", 0.0), ParsedOption("c", 1.0)]),
        ParsedQuestion("truefalse", "Đúng hay sai?", [
            ParsedOption(TRUE_LABEL, 0.0), ParsedOption(FALSE_LABEL, 1.0)]),
    ]
    text, refused = write_aiken(questions)
    assert refused == []
    assert text == ("Câu một?\nDòng hai\nA. a\nB. b\nC. c\nANSWER: C\n\n"
                    f"Đúng hay sai?\nA. {TRUE_LABEL}\nB. {FALSE_LABEL}\nANSWER: B\n")
    result = parse_aiken(text)
    assert result.errors == []
    assert result.questions == questions


def test_write_aiken_refuses_what_it_cannot_carry() -> None:
    multiple = ParsedQuestion("multiple", "M?", [ParsedOption("a", 0.5), ParsedOption("b", 0.5)])
    weighted = ParsedQuestion("single", "W?", [ParsedOption("a", 1.0),
                                               ParsedOption("b", -0.5)])
    option_like = ParsedQuestion("single", "Q?\nA. not an option", [
        ParsedOption("a", 1.0), ParsedOption("b", 0.0)])
    blank_line = ParsedQuestion("single", "Q?\n\nmore", [
        ParsedOption("a", 1.0), ParsedOption("b", 0.0)])
    multi_line_option = ParsedQuestion("single", "Q?", [
        ParsedOption("a\nb", 1.0), ParsedOption("c", 0.0)])
    fine = ParsedQuestion("single", "OK?", [ParsedOption("a", 1.0), ParsedOption("b", 0.0)],
                          title="dropped", explanation="dropped too")
    text, refused = write_aiken(
        [multiple, weighted, option_like, blank_line, multi_line_option, fine])
    assert refused == [multiple, weighted, option_like, blank_line, multi_line_option]
    assert text == "OK?\nA. a\nB. b\nANSWER: A\n"
    assert write_aiken([]) == ("", [])
