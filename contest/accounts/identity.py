"""Phone numbers, e-mail addresses and passwords as people type them.

Pure functions: used by forms, the CLI and the demo loader alike.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

# Vietnamese mobile numbers after the 2018 renumbering: 03x, 05x, 07x, 08x, 09x + 8 digits.
_MOBILE = re.compile(r"^(3[2-9]|5[2689]|7[06-9]|8[1-9]|9\d)\d{7}$", re.ASCII)
_SEPARATORS = re.compile(r"[\s.\-()]")

MIN_PASSWORD_LENGTH = 8
_COMMON_PASSWORDS = frozenset(
    {
        "12345678", "123456789", "1234567890", "password", "password1", "matkhau", "matkhau123",
        "qwerty123", "qwertyuiop", "11111111", "00000000", "88888888", "abc12345", "abcd1234",
        "iloveyou", "vietnam1", "vietnam123", "admin123", "123123123", "66666666", "12341234",
        "anhyeuem", "emyeuanh", "binhdang", "binhdang123",
    }
)


def normalize_phone(raw: str) -> str | None:
    """Return ``+84`` and nine digits for a Vietnamese mobile number, or None if it is not one.

    Accepts ``0912 345 678``, ``0912.345.678``, ``+84 912 345 678`` and ``84912345678``.
    """
    # NFKC turns full-width digits and plus signs (some phone keyboards) into ASCII ones, so
    # that one number has one stored form.
    digits = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or ""))
    if digits.startswith("+84"):
        national = digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        return None
    if national.startswith("0"):  # "+84 0912…" is a common slip
        national = national[1:]
    if not _MOBILE.match(national):
        return None
    return "+84" + national


def display_phone(phone: str) -> str:
    """The national form people recognise: 0912 345 678."""
    national = "0" + phone[3:] if phone.startswith("+84") else phone
    return f"{national[:4]} {national[4:7]} {national[7:]}"


def mask_phone(phone: str) -> str:
    national = "0" + phone[3:] if phone.startswith("+84") else phone
    return f"{national[:3]}****{national[-3:]}"


def normalize_email(raw: str | None) -> str | None:
    value = (raw or "").strip()
    return value.lower() or None


def looks_like_email(raw: str) -> bool:
    return "@" in raw


MAX_PASSWORD_LENGTH = 200
# zxcvbn's scale: 0-1 fall to an online guessing attack within hours, 2 and above do not.
MIN_STRENGTH = 2
# Only this many characters are scored: zxcvbn's work grows with length, and a longer password
# is strong enough on its length alone.
_SCORED_LENGTH = 64


def _birth_date_forms(born: date) -> list[str]:
    d, m, y = f"{born.day:02d}", f"{born.month:02d}", f"{born.year:04d}"
    return [d + m + y, y + m + d, d + m + y[2:], m + d + y, str(born.day) + str(born.month) + y]


def password_problems(password: str, *, phone: str | None = None, name: str = "",
                      birth_date: date | None = None) -> list[str]:
    """Reasons why a password is too weak, as message keys; empty when it is acceptable.

    The password must not be, or be built on, the person's phone number, name or date of
    birth; then zxcvbn (with its lists of the most used and leaked passwords, common words and
    names, keyboard patterns, sequences and dates) must rate it at least ``MIN_STRENGTH``.
    Vietnamese favourites that zxcvbn's English lists lack are refused too.
    """
    from zxcvbn import zxcvbn

    problems: list[str] = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append("too_short")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append("too_long")
    plain = "".join(_fold(password).split())
    if plain in _COMMON_PASSWORDS or len(set(password)) <= 2:
        return [*problems, "too_common"]
    digits = re.sub(r"\D", "", password)
    if phone and len(digits) >= 8 and phone[-8:] in digits:
        problems.append("is_phone")
    name_parts = [p for p in _fold(name).split() if len(p) >= 2]
    plain_name = "".join(name_parts)
    rest = plain
    for part in sorted(name_parts, key=len, reverse=True):
        rest = rest.replace(part, "")
    # The whole name inside, or parts of it with only digits and marks around them.
    if len(plain_name) >= 4 and (plain_name in plain or (
            rest != plain and sum(c.isalpha() for c in rest) < 4)):
        problems.append("is_name")
    if birth_date is not None and any(f in digits for f in _birth_date_forms(birth_date)):
        problems.append("is_birth_date")
    if problems:
        return problems
    personal = [*name_parts, plain_name]
    if phone:
        personal += [phone[-9:], "0" + phone[-9:], phone[-8:]]
    if birth_date is not None:
        personal += [*_birth_date_forms(birth_date), str(birth_date.year)]
    result = zxcvbn(password[:_SCORED_LENGTH], user_inputs=personal)
    if result["score"] >= MIN_STRENGTH:
        return []
    patterns = {m.get("dictionary_name") or m["pattern"] for m in result["sequence"]}
    if "user_inputs" in patterns:
        return ["is_personal"]
    if "passwords" in patterns:
        return ["too_common"]
    if "date" in patterns:
        return ["is_date"]
    if patterns & {"spatial", "sequence", "repeat"}:
        return ["is_pattern"]
    return ["too_guessable"]


def _fold(text: str) -> str:
    """Lower case without diacritics, so "Nguyễn" and "nguyen" compare equal."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def mask_name(full_name: str) -> str:
    """Public form of a name: family name in full, other parts as initials ("Nguyễn V. A.")."""
    parts = full_name.split()
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0][0] + "."
    return " ".join([parts[0]] + [p[0].upper() + "." for p in parts[1:]])
