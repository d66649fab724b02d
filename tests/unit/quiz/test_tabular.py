"""Tests of the CSV and XLSX question tables."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from contest.quiz import tabular
from contest.quiz.bank_messages import english
from contest.quiz.items import FALSE_LABEL, TRUE_LABEL, ParsedOption, ParsedQuestion, line_of
from contest.quiz.tabular import COLUMNS, parse_csv, parse_xlsx, write_csv, write_xlsx

HEADER = "topic,kind,text,options,correct,explanation,source,difficulty,tags,id"


def table(*rows: list[str], header: str = HEADER) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow(row)
    return header + "\n" + buffer.getvalue()


def row(**cells: str) -> list[str]:
    return [cells.get(name, "") for name in HEADER.split(",")]


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def fractions(question: ParsedQuestion) -> list[float]:
    return [option.fraction for option in question.options]


# --- cells ---------------------------------------------------------------------


def test_single_choice_row_with_every_column() -> None:
    result = parse_csv(table(row(
        topic="Luật 73//2006//QH11/ Chính trị ", kind="single",
        text="Điều 11 quy định lĩnh vực nào?", options="Chính trị | Kinh tế | Lao động",
        correct="a", explanation="Điều 11", source="Luật 73/2006/QH11", difficulty="Dễ",
        tags="luật, chính trị,", id="BDG-1",
    )))
    assert result.errors == []
    (q,) = result.questions
    assert q == ParsedQuestion(
        kind="single", text="Điều 11 quy định lĩnh vực nào?",
        options=[ParsedOption("Chính trị", 1.0), ParsedOption("Kinh tế", 0.0),
                 ParsedOption("Lao động", 0.0)],
        explanation="Điều 11", source="Luật 73/2006/QH11", difficulty="easy",
        tags=["luật", "chính trị"], topic=["Luật 73/2006/QH11", "Chính trị"],
        external_id="BDG-1",
    )
    assert q.line == 2


def test_multiple_choice_letters_share_full_credit() -> None:
    result = parse_csv(table(
        row(kind="multiple", text="Q1", options="a|b|c|d", correct="A,C"),
        row(kind="multiple", text="Q2", options="a|b|c|d", correct="a; b d"),
        row(kind="multiple", text="Q3", options="a|b|c", correct="AC"),
    ))
    assert result.errors == []
    assert [fractions(q) for q in result.questions] == [
        [0.5, 0.0, 0.5, 0.0],
        [0.3333333, 0.3333333, 0.0, 0.3333333],
        [0.5, 0.0, 0.5],
    ]


def test_weights_with_semicolons_commas_and_decimal_commas() -> None:
    result = parse_csv(table(
        row(kind="multiple", text="Q1", options="a|b|c|d", correct="A=50;C=50%;D=-100"),
        row(kind="multiple", text="Q2", options="a|b|c", correct="A=33,33;B=33,33;C=33,34"),
        row(kind="multiple", text="Q3", options="a|b|c", correct="A=62.5,B=37.5"),
        row(kind="single", text="Q4", options="a|b|c", correct="B=100;C=-25"),
    ))
    assert result.errors == []
    assert [fractions(q) for q in result.questions] == [
        [0.5, 0.0, 0.5, -1.0],
        [0.3333, 0.3333, 0.3334],
        [0.625, 0.375, 0.0],
        [0.0, 1.0, -0.25],
    ]
    assert result.questions[3].kind == "single"


@pytest.mark.parametrize(
    ("options", "correct", "is_true"),
    [("", "Đúng", True), ("", "sai", False), ("", "TRUE", True), ("", "f", False),
     ("", "Đ", True), ("Đúng | Sai", "B", False), ("Đúng\nSai", "A", True)],
)
def test_true_false_rows(options: str, correct: str, is_true: bool) -> None:
    result = parse_csv(table(row(kind="truefalse", text="Q", options=options,
                                 correct=correct)))
    assert result.errors == []
    (q,) = result.questions
    assert q.kind == "truefalse"
    assert q.options == [ParsedOption(TRUE_LABEL, 1.0 if is_true else 0.0),
                         ParsedOption(FALSE_LABEL, 0.0 if is_true else 1.0)]


def test_kind_is_inferred_when_empty() -> None:
    result = parse_csv(table(
        row(text="TF", correct="Sai"),
        row(text="One", options="a|b", correct="B"),
        row(text="Two", options="a|b|c", correct="A,B"),
        row(text="W1", options="a|b", correct="A=100;B=-50"),
        row(text="W2", options="a|b", correct="A=50;B=50"),
        row(kind="Đúng/Sai", text="Alias", correct="Đúng"),
    ))
    assert result.errors == []
    assert [(q.text, q.kind) for q in result.questions] == [
        ("TF", "truefalse"), ("One", "single"), ("Two", "multiple"), ("W1", "single"),
        ("W2", "multiple"), ("Alias", "truefalse"),
    ]


def test_option_separators_escapes_and_letter_prefixes() -> None:
    result = parse_csv(table(
        row(kind="single", text="Q1", options="a \\| b|c\\\\d", correct="A"),
        row(kind="single", text="Q2", options="A. Một\nB) Hai\n\nC. Ba", correct="C"),
        row(kind="single", text="Q3", options="A. Một|C. Hai", correct="A"),
    ))
    assert result.errors == []
    assert [[o.text for o in q.options] for q in result.questions] == [
        ["a | b", "c\\d"],
        ["Một", "Hai", "Ba"],
        ["A. Một", "C. Hai"],
    ]


def test_default_topic_and_empty_rows() -> None:
    text = table(row(kind="single", text="Q", options="a|b", correct="A"), row(),
                 row(topic="X/Y", kind="single", text="Q2", options="a|b", correct="B"))
    result = parse_csv(text + ",,,\n", default_topic=["Chung"])
    assert result.errors == []
    assert [(q.topic, q.line) for q in result.questions] == [(["Chung"], 2), (["X", "Y"], 4)]


def test_header_in_any_order_and_case_without_id_and_semicolons() -> None:
    header = ";".join(reversed([name.upper() for name in COLUMNS]))
    text = header + "\nt;;;;A;x|y;Q;single;Chủ đề\n"
    result = parse_csv("\ufeff" + text)
    assert result.errors == []
    (q,) = result.questions
    assert (q.text, q.topic, q.tags, q.external_id) == ("Q", ["Chủ đề"], ["t"], "")


def test_line_numbers_follow_multi_line_records() -> None:
    text = table(
        row(kind="single", text="Dòng 1\nDòng 2\nDòng 3", options="a\nb", correct="A"),
        row(kind="single", text="Q2", options="a|b", correct="Z"),
    )
    result = parse_csv(text)
    assert result.questions[0].text == "Dòng 1\nDòng 2\nDòng 3"
    assert result.questions[0].line == 2
    assert [line_of(p) for p in result.errors] == [6]


# --- errors --------------------------------------------------------------------


def test_missing_header_column_is_one_error_at_line_1() -> None:
    result = parse_csv("topic,kind,text,options,correct\nX,single,Q,a|b,A\n")
    assert result.questions == []
    assert len(result.errors) == 1
    problem = result.errors[0]
    assert line_of(problem) == 1
    assert "missing column(s): explanation, source, difficulty, tags" in english(problem)
    assert "The header must be: topic, kind, text" in english(problem)


def test_unknown_and_repeated_header_columns() -> None:
    result = parse_csv(HEADER + ",ghi chú,text\n")
    assert [(line_of(p), p.code) for p in result.errors] == [
        (1, "table.header_unknown"), (1, "table.header_repeated")]
    assert "unknown column(s): 'ghi chú'" in english(result.errors[0])
    assert "repeated column(s): text" in english(result.errors[1])


def test_empty_file_is_an_error() -> None:
    result = parse_csv("\n\n")
    assert [(line_of(p), "empty" in english(p)) for p in result.errors] == [(1, True)]


def test_row_errors_with_their_lines() -> None:
    result = parse_csv(table(
        row(kind="essay", text="Q", options="a|b", correct="A"),              # 2
        row(kind="single", text="Q", options="a|b", correct="C"),             # 3
        row(kind="single", text="Q", options="a|b|c", correct="A,B"),         # 4
        row(kind="multiple", text="Q", options="a|b", correct="A=lots"),      # 5
        row(kind="multiple", text="Q", options="a|b", correct="A=150"),       # 6
        row(kind="multiple", text="Q", options="a|b", correct="A=50;B=30"),   # 7
        row(kind="single", text="Q", options="a|b", correct=""),              # 8
        row(kind="truefalse", text="Q", options="Có|Không", correct="A"),     # 9
        row(kind="truefalse", text="Q", correct="có lẽ"),                     # 10
        row(kind="single", text="", options="a|b", correct="A"),              # 11
        row(kind="single", text="Q", options="a|b", correct="1"),             # 12
        row(kind="single", text="Q", options="a|b", correct="A", difficulty="x"),  # 13
        row(kind="multiple", text="Q", options="a|b", correct="A=50;A=50"),   # 14
        [*row(kind="single", text="Q", options="a|b", correct="A"), "", "stray"],  # 15
    ))
    assert result.questions == []
    expected = [
        (2, "unknown kind 'essay'"),
        (3, "names option C, but there are only 2 options"),
        (4, "takes one letter in the correct column, found A, B"),
        (5, "weight 'lots' for option A is not a number"),
        (6, "weight 150 for option A is out of range"),
        (7, "they add up to 80%"),
        (8, "the correct column is empty"),
        (9, "a true/false question takes no options"),
        (10, "must be 'Đúng' or 'Sai'"),
        (11, "question text is empty"),
        (12, "must hold option letters"),
        (13, "unknown difficulty 'x'"),
        (14, "option A is given two weights"),
        (15, "column 12 holds a value but has no header"),
    ]
    assert [(line_of(p), fragment in english(p)) for p, (_, fragment)
            in zip(result.errors, expected, strict=True)] == [(line, True) for line, _ in expected]


def test_unclosed_quote_is_reported_where_the_record_starts() -> None:
    text = HEADER + "\n,single,Q,a|b,A,,,,,\n,single,\"never closed,a|b,A\n\nmore\n"
    result = parse_csv(text)
    assert len(result.questions) == 1
    assert [line_of(p) for p in result.errors] == [3]
    assert "never closed" in english(result.errors[0])


# --- writing and round trips ---------------------------------------------------


RICH = [
    ParsedQuestion("single", "Điều 11 quy định lĩnh vực nào?\nChọn một.", [
        ParsedOption("Chính trị", 1.0), ParsedOption("Kinh tế | Xã hội", 0.0),
        ParsedOption("C:\\thư mục", 0.0)],
        explanation="Luật 73/2006/QH11, Điều 11", source="Luật 73/2006/QH11",
        difficulty="easy", tags=["luật", "chính trị"],
        topic=["Luật 73/2006/QH11", "Chính trị"], external_id="BDG-001"),
    ParsedQuestion("multiple", "Chọn hai ý đúng", [
        ParsedOption("=1+1", 0.5), ParsedOption("b", 0.0), ParsedOption("c", 0.5)],
        topic=["Chiến lược"]),
    ParsedQuestion("multiple", "Ba phần ba", [
        ParsedOption("a", 0.3333333), ParsedOption("b", 0.3333333),
        ParsedOption("c", 0.3333333), ParsedOption("d", 0.0)]),
    ParsedQuestion("multiple", "Có điểm trừ", [
        ParsedOption("a", 0.5), ParsedOption("b", 0.5), ParsedOption("c", -1.0)],
        difficulty="hard"),
    ParsedQuestion("multiple", "Một ý đúng duy nhất", [
        ParsedOption("a", 1.0), ParsedOption("b", 0.0)]),
    ParsedQuestion("single", "Có điểm một phần", [
        ParsedOption("a", 0.5), ParsedOption("b", 1.0), ParsedOption("c", -0.25)]),
    ParsedQuestion("truefalse", "Luật có hiệu lực từ 1/7/2007.", [
        ParsedOption(TRUE_LABEL, 1.0), ParsedOption(FALSE_LABEL, 0.0)],
        topic=["Luật 73/2006/QH11"], tags=["hiệu lực"]),
    ParsedQuestion("truefalse", "Luật có 50 điều.", [
        ParsedOption(TRUE_LABEL, 0.0), ParsedOption(FALSE_LABEL, 1.0)]),
]


def test_write_csv_cells() -> None:
    text = write_csv(RICH[:2] + RICH[3:4] + RICH[6:7])
    assert text.startswith("\ufeff" + HEADER + "\r\n")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1] == [
        "Luật 73//2006//QH11/Chính trị", "single", "Điều 11 quy định lĩnh vực nào?\nChọn một.",
        "Chính trị | Kinh tế \\| Xã hội | C:\\\\thư mục", "A", "Luật 73/2006/QH11, Điều 11",
        "Luật 73/2006/QH11", "easy", "luật, chính trị", "BDG-001",
    ]
    assert rows[2][3:5] == ["'=1+1 | b | c", "A,C"]  # guarded, read back as "=1+1"
    assert rows[3][4] == "A=50;B=50;C=-100"
    assert rows[4][3:5] == ["", TRUE_LABEL]


def test_csv_round_trip() -> None:
    result = parse_csv(write_csv(RICH))
    assert result.errors == []
    assert result.questions == RICH


def test_xlsx_round_trip_keeps_text_cells() -> None:
    data = write_xlsx(RICH)
    result = parse_xlsx(data)
    assert result.errors == []
    assert result.questions == RICH
    assert [q.line for q in result.questions] == list(range(2, 2 + len(RICH)))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet["D3"].value == "=1+1\nb\nc"
    assert sheet["D3"].data_type == "s"


def test_xlsx_header_error_and_row_numbers() -> None:
    result = parse_xlsx(xlsx([["topic", "kind", "text"], ["X", "single", "Q"]]))
    assert len(result.errors) == 1
    assert line_of(result.errors[0]) == 1
    assert "missing column(s): options, correct" in english(result.errors[0])

    header = list(COLUMNS)
    data = xlsx([
        header,
        ["", "single", "Q1", "a|b", "A"],
        [],
        ["", "single", "Q2", "a|b", "Z"],
        ["", "truefalse", "Q3", None, True],
        ["", "single", "Q4", "1|2", "B", None, None, None, None, None, None],
    ])
    result = parse_xlsx(data, default_topic=["Chung"])
    assert [(q.text, q.line, q.topic) for q in result.questions] == [
        ("Q1", 2, ["Chung"]), ("Q3", 5, ["Chung"]), ("Q4", 6, ["Chung"])]
    assert fractions(result.questions[1]) == [1.0, 0.0]
    assert [line_of(p) for p in result.errors] == [4]


def test_xlsx_numbers_become_text() -> None:
    data = xlsx([list(COLUMNS), ["", "single", 2030, "2025|2030", "B", "", "", "", "", ""]])
    result = parse_xlsx(data)
    assert result.errors == []
    assert result.questions[0].text == "2030"


def test_damaged_xlsx_is_one_error_at_line_0() -> None:
    result = parse_xlsx(b"PK\x03\x04 not really a workbook")
    assert result.questions == []
    assert len(result.errors) == 1
    assert line_of(result.errors[0]) == 0
    assert ".xlsx" in english(result.errors[0])


def test_row_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tabular, "MAX_ROWS", 3)
    rows = [row(kind="single", text=f"Q{i}", options="a|b", correct="A") for i in range(5)]
    result = parse_csv(table(*rows))
    assert len(result.questions) == 3
    assert [line_of(p) for p in result.errors] == [5]
    assert "more than 3 rows" in english(result.errors[0])
    result = parse_xlsx(xlsx([list(COLUMNS)] + [r[:9] for r in rows]))
    assert len(result.questions) == 3
    assert [line_of(p) for p in result.errors] == [5]
