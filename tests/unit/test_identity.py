"""Phone numbers, e-mail addresses, passwords and names as people type them; the units file."""

from __future__ import annotations

import pytest

from contest.accounts.identity import (
    MIN_PASSWORD_LENGTH,
    display_phone,
    looks_like_email,
    mask_name,
    mask_phone,
    normalize_email,
    normalize_phone,
    password_problems,
)
from contest.accounts.messages import english
from contest.accounts.units import UnitFileError, UnitRow, parse_units

# --- phone numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "0912345678",
        "0912 345 678",
        "0912.345.678",
        "0912-345-678",
        "(091) 234 5678",
        "+84912345678",
        "+84 912 345 678",
        "+84-912-345-678",
        "84912345678",
        "84 912 345 678",
        "+84 0912 345 678",
        "+84 (0) 912 345 678",
        " 0912345678 ",
        "0912\u00a0345\u00a0678",
        "０９１２３４５６７８",
        "＋８４ ９１２ ３４５ ６７８",
    ],
)
def test_phone_forms_normalise_to_one_value(typed):
    assert normalize_phone(typed) == "+84912345678"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0321234567", "+84321234567"),
        ("0561234567", "+84561234567"),
        ("0701234567", "+84701234567"),
        ("0781234567", "+84781234567"),
        ("0812345678", "+84812345678"),
        ("0889876543", "+84889876543"),
        ("0987654321", "+84987654321"),
    ],
)
def test_every_mobile_prefix(typed, stored):
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "",
        None,
        "abc",
        "12345",
        "091234567",  # a digit short
        "09123456789",  # a digit too many
        "02438251234",  # Hà Nội landline
        "0238 3844 555",  # Nghệ An landline
        "01234567890",  # pre-2018 eleven-digit mobile
        "0312345678",  # 031 is not a mobile prefix
        "0112345678",
        "+1 202 555 0143",
        "+849123456789",
        "0084912345678",
        "٠٩١٢٣٤٥٦٧٨",  # Arabic-Indic digits are not accepted as a Vietnamese number
        "09١2345678",
        "0912345678x",
    ],
)
def test_not_a_vietnamese_mobile(typed):
    assert normalize_phone(typed) is None


def test_mixed_digit_scripts_cannot_make_a_second_account():
    # One number, one stored form: a full-width digit typed in the middle changes nothing.
    assert normalize_phone("09１2345678") == normalize_phone("0912345678")


def test_stored_phones_are_ascii():
    assert normalize_phone("０９１２３４５６７８").isascii()


def test_display_and_mask():
    assert display_phone("+84912345678") == "0912 345 678"
    assert mask_phone("+84912345678") == "091****678"
    assert "345" not in mask_phone("+84912345678")


def test_display_round_trips():
    assert normalize_phone(display_phone("+84387654321")) == "+84387654321"


# --- e-mail ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Hoa.Tran@Example.ORG", "hoa.tran@example.org"),
        ("  hoa@example.org\n", "hoa@example.org"),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_normalize_email(typed, stored):
    assert normalize_email(typed) == stored


def test_looks_like_email():
    assert looks_like_email("hoa@example.org")
    assert not looks_like_email("0912345678")


# --- passwords -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["correct horse battery", "hoa sen nở giữa đầm", "Bình đẳng giới 2026!", "x7#kQ2!pLm"],
)
def test_good_passwords(password):
    assert password_problems(password, phone="+84912345678", name="Trần Thị Hoa") == []


def test_too_short():
    assert password_problems("abcdefghij"[: MIN_PASSWORD_LENGTH - 1]) == ["too_short"]
    assert "too_short" not in password_problems("abcdefgh")


@pytest.mark.parametrize("password",
                         ["12345678", "PASSWORD", "Matkhau123", "binhdang", "aaaaaaaa",
                          "abababab", "ANHYEUEM"])
def test_too_common(password):
    assert "too_common" in password_problems(password)


@pytest.mark.parametrize("password", ["0912345678", "+84912345678", "0912 345 678",
                                      "84912345678", "my0912345678"])
def test_phone_as_password(password):
    assert "is_phone" in password_problems(password, phone="+84912345678")
    assert "is_phone" not in password_problems(password, phone="+84987654321")
    assert "is_phone" not in password_problems(password, phone=None)


@pytest.mark.parametrize("password", ["Trần Thị Hoa", "tran thi hoa", "TranThiHoa",
                                      "tranthihoa", "  Tran  Thi  Hoa "])
def test_name_as_password(password):
    assert "is_name" in password_problems(password, name="Trần Thị Hoa")


def test_name_with_d_stroke():
    assert "is_name" in password_problems("Dang Van Duc", name="Đặng Văn Đức")


def test_short_names_are_not_checked():
    assert "is_name" not in password_problems("Mai", name="Mai")
    assert password_problems("hoa sen nở giữa đầm", name="") == []


def test_several_problems_in_order():
    assert password_problems("1234567") == ["too_short"]
    assert password_problems("1111111") == ["too_short", "too_common"]


# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("full", "public"),
    [
        ("Nguyễn Văn An", "Nguyễn V. A."),
        ("Lô Thị Mai", "Lô T. M."),
        ("  Trần   thị  hoa ", "Trần T. H."),
        ("Mai", "M."),
        ("", ""),
        ("   ", ""),
    ],
)
def test_mask_name(full, public):
    assert mask_name(full) == public


# --- the units file --------------------------------------------------------------------------

HEADER = "code,name,kind,parent_code,size\n"


def test_parse_units():
    text = ("\ufeff" + HEADER + "NA,Tỉnh Nghệ An,province,,\n"
            'SVH,"Sở Văn hóa, Thể thao",agency,NA,210\n'
            " X1 , Xã Một ,commune, NA ,  \n")
    assert parse_units(text) == [
        UnitRow(2, "NA", "Tỉnh Nghệ An", "province", "", None),
        UnitRow(3, "SVH", "Sở Văn hóa, Thể thao", "agency", "NA", 210),
        UnitRow(4, "X1", "Xã Một", "commune", "NA", None),
    ]


def test_extra_columns_and_other_order_are_fine():
    text = "name,code,size,kind,parent_code,note\nTỉnh,NA,5,province,,x\n"
    assert parse_units(text) == [UnitRow(2, "NA", "Tỉnh", "province", "", 5)]


def test_header_only_gives_no_rows():
    assert parse_units(HEADER) == []


def test_shipped_file_parses():
    from contest.accounts.units import DEFAULT_FILE

    rows = parse_units(DEFAULT_FILE.read_text(encoding="utf-8"))
    assert rows and len({r.code for r in rows}) == len(rows)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("", 1, "header"),
        ("code,name,kind\nNA,X,province\n", 1, "header"),
        (HEADER + "NA,Tỉnh,province,,\nNA,Again,province,,\n", 3, "appears twice"),
        (HEADER + "NA,Tỉnh,state,,\n", 2, "unknown kind"),
        (HEADER + "NA,Tỉnh,,,\n", 2, "unknown kind"),
        (HEADER + "D1,Huyện,district,NA,\nNA,Tỉnh,province,,\n", 2, "must come before"),
        (HEADER + "D1,Huyện,district,D1,\n", 2, "must come before"),
        (HEADER + "NA,Tỉnh,province,,many\n", 2, "whole number"),
        (HEADER + "NA,Tỉnh,province,,-1\n", 2, "whole number"),
        (HEADER + "NA,Tỉnh,province,,1.5\n", 2, "whole number"),
        (HEADER + "NA,Tỉnh,province,,²\n", 2, "whole number"),
        (HEADER + "NA,Tỉnh,province,,\n,Huyện,district,NA,\n", 3, "required"),
        (HEADER + "NA,,province,,\n", 2, "required"),
        (HEADER + "NA,Tỉnh,province,,\n" + "C" * 33 + ",Xã,commune,NA,\n", 3, "longer"),
        (HEADER + "NA," + "T" * 201 + ",province,,\n", 2, "longer"),
    ],
)
def test_bad_units_file(text, line, words):
    with pytest.raises(UnitFileError) as caught:
        parse_units(text)
    [problem] = caught.value.problems
    assert caught.value.line == line == problem.params["line"]
    assert english(problem).startswith(f"line {line}: ")
    assert words in english(problem)


def test_longest_allowed_code_and_name():
    text = HEADER + "C" * 32 + "," + "T" * 200 + ",province,,\n"
    [row] = parse_units(text)
    assert len(row.code) == 32 and len(row.name) == 200
