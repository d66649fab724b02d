"""Tests of upload decoding and of the import entry point that relies on it."""

from __future__ import annotations

import codecs
import unicodedata

import pytest

from contest.problems import Problem
from contest.quiz.bank_messages import english
from contest.quiz.encoding import EncodingRefused, decode_upload
from contest.quiz.importing import UnknownFormat, detect_format, parse_file
from contest.quiz.items import ParsedOption, ParsedQuestion, line_of
from contest.quiz.tabular import write_xlsx

VIETNAMESE = "Bình đẳng giới trong chính trị: ưu tiên, ơn, ắt, Đảng"
_TONES = "\u0300\u0301\u0303\u0309\u0323"


def to_cp1258(text: str) -> bytes:
    """Encode as Windows-1258, which writes most tone marks as combining characters."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
            out += base.encode("cp1258")
            out += "".join(c for c in parts if c in _TONES).encode("cp1258")
    return bytes(out)


# --- decode_upload -------------------------------------------------------------


def test_utf8_without_and_with_bom() -> None:
    assert decode_upload(VIETNAMESE.encode("utf-8")) == VIETNAMESE
    assert decode_upload(codecs.BOM_UTF8 + VIETNAMESE.encode("utf-8")) == VIETNAMESE
    assert decode_upload(b"") == ""


def test_text_is_normalised_to_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", VIETNAMESE)
    assert decomposed != VIETNAMESE
    assert decode_upload(decomposed.encode("utf-8")) == VIETNAMESE


def test_utf16_with_bom_is_accepted() -> None:
    assert decode_upload(codecs.BOM_UTF16_LE + VIETNAMESE.encode("utf-16-le")) == VIETNAMESE
    assert decode_upload(codecs.BOM_UTF16_BE + VIETNAMESE.encode("utf-16-be")) == VIETNAMESE


def test_windows_1258_is_refused_and_named() -> None:
    data = to_cp1258(VIETNAMESE)
    assert data.decode("cp1258") != VIETNAMESE  # tone marks really are combining here
    with pytest.raises(EncodingRefused) as caught:
        decode_upload(data)
    message = caught.value.message
    assert caught.value.guess == "Windows-1258"
    assert "not UTF-8" in message
    assert "Windows-1258" in message
    assert "Save As → Encoding: UTF-8" in message
    assert str(caught.value) == message


def test_windows_1252_is_refused_and_named() -> None:
    with pytest.raises(EncodingRefused) as caught:
        decode_upload("Égalité des genres, café, naïve".encode("cp1252"))
    assert caught.value.guess == "Windows-1252"
    assert "Windows-1252" in caught.value.message
    assert "UTF-8" in caught.value.message


def test_utf16_without_bom_is_refused() -> None:
    with pytest.raises(EncodingRefused) as caught:
        decode_upload("Question {T}".encode("utf-16-le"))
    assert caught.value.guess == "UTF-16"
    assert "byte-order mark" in caught.value.message


def test_bom_followed_by_invalid_utf8_is_refused() -> None:
    with pytest.raises(EncodingRefused):
        decode_upload(codecs.BOM_UTF8 + "Đúng".encode("cp1258"))


def test_damaged_utf16_with_bom_is_refused() -> None:
    with pytest.raises(EncodingRefused) as caught:
        decode_upload(codecs.BOM_UTF16_LE + b"Q\x00{")
    assert caught.value.guess == "UTF-16"
    assert "damaged" in caught.value.message


def test_unrecognised_bytes_are_refused_without_a_guess() -> None:
    with pytest.raises(EncodingRefused) as caught:
        decode_upload(bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D]))
    assert caught.value.guess == ""
    assert caught.value.message.startswith("The file is not UTF-8 text.")


# --- parse_file ----------------------------------------------------------------


GIFT = "$CATEGORY: $course$/top/A\n\nQ {=a ~b}\n\nEssay {}\n"


@pytest.mark.parametrize(
    ("filename", "fmt", "expected"),
    [("bank.gift", None, "gift"), ("BANK.TXT", None, "gift"), ("q.aiken", None, "aiken"),
     ("q.csv", None, "csv"), ("C:\\Users\\me\\q.xlsx", None, "xlsx"),
     ("q.txt", "Aiken", "aiken"), ("whatever.dat", "csv", "csv")],
)
def test_detect_format(filename: str, fmt: str | None, expected: str) -> None:
    assert detect_format(filename, fmt) == expected


@pytest.mark.parametrize("filename", ["q.docx", "q.xls", "noextension"])
def test_unknown_extension_raises(filename: str) -> None:
    with pytest.raises(UnknownFormat) as caught:
        parse_file(b"", filename)
    message = english(caught.value.problem)
    assert ".gift, .txt, .aiken, .csv or .xlsx" in message
    if filename.endswith(".xls"):
        assert caught.value.code == "file.xls" and "save it as .xlsx" in message
    elif filename.endswith(".docx"):
        assert caught.value.code == "file.unknown_extension" and "'.docx'" in message
    else:
        assert caught.value.code == "file.no_extension"
    assert line_of(caught.value.problem) == 0


def test_unknown_explicit_format_raises() -> None:
    with pytest.raises(UnknownFormat):
        parse_file(b"", "q.gift", fmt="moodlexml")


def test_gift_file_goes_through_decoding_and_parsing() -> None:
    result = parse_file(codecs.BOM_UTF8 + GIFT.encode("utf-8"), "bank.gift",
                        default_topic=["Chung"])
    assert [(q.text, q.topic) for q in result.questions] == [("Q", ["A"])]
    assert [(s.line, s.kind) for s in result.skipped] == [(5, "essay")]
    assert result.errors == []


def test_txt_with_aiken_content_is_read_as_aiken() -> None:
    data = "Câu hỏi?\nA. một\nB. hai\nANSWER: B\n".encode()
    result = parse_file(data, "cau-hoi.txt", default_topic=["Chung"])
    assert result.errors == []
    assert [(q.kind, q.topic) for q in result.questions] == [("single", ["Chung"])]
    # An explicit format wins over the guess.
    assert parse_file(data, "cau-hoi.txt", fmt="gift").questions == []


def test_refused_encoding_becomes_one_error_at_line_0() -> None:
    result = parse_file(to_cp1258(GIFT.replace("Q", VIETNAMESE)), "bank.gift")
    assert result.questions == [] and result.skipped == []
    assert len(result.errors) == 1
    assert line_of(result.errors[0]) == 0
    assert "Windows-1258" in english(result.errors[0])


def test_csv_and_xlsx_files() -> None:
    csv_text = ("topic,kind,text,options,correct,explanation,source,difficulty,tags\n"
                ",single,Q,a|b,B,,,,\n,single,Bad,a|b,A=50,,,,\n")
    result = parse_file(csv_text.encode("utf-8"), "q.csv", default_topic=["T"])
    assert [(q.text, q.topic, q.line) for q in result.questions] == [("Q", ["T"], 2)]
    assert [line_of(p) for p in result.errors] == [3]

    question = ParsedQuestion("single", "X", [ParsedOption("a", 1.0), ParsedOption("b", 0.0)])
    result = parse_file(write_xlsx([question]), "q.xlsx")
    assert result.questions == [question]


def test_errors_are_sorted_by_line() -> None:
    data = b"Q1 {=a =b ~c}\n\n// [difficulty:??]\nQ2 {=a ~b}\n\nQ3 {~a ~b}\n"
    result = parse_file(data, "x.gift")
    assert result.questions == []
    assert [line_of(p) for p in result.errors] == [1, 3, 6]
    assert all(isinstance(p, Problem) for p in result.errors)


def test_weights_a_little_short_of_100_percent_are_rescaled_for_scoring():
    from contest.quiz.importing import parse_file
    from contest.quiz.scoring import check_weights

    text = "::Q:: Which? {~%33.333%A ~%33.333%B ~%33.333%C ~%-100%D}\n"
    result = parse_file(text.encode(), "bank.gift")
    assert not result.errors
    (question,) = result.questions
    weights = {i: o.fraction for i, o in enumerate(question.options)}
    assert check_weights("multiple", weights) == []
    assert abs(sum(w for w in weights.values() if w > 0) - 1.0) < 1e-6
