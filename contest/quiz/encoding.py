"""Decoding of uploaded question files.

Question files must be UTF-8: it is the only encoding that carries every
Vietnamese letter unambiguously, and guessing between the legacy encodings
(Windows-1258, TCVN3, VNI) silently garbles tone marks. So the rule is strict:

* UTF-8, with or without a byte-order mark, is accepted (the mark is removed);
* UTF-16 *with* a byte-order mark is accepted too, because the mark makes it
  unambiguous and it is what Excel's "Unicode Text" and Notepad's "Unicode"
  produce;
* anything else (Windows-1258, Windows-1252, UTF-16 without a mark, binary
  files) raises :class:`EncodingRefused`, whose problem (a code of
  :mod:`contest.quiz.bank_messages`) says what the file probably is; its
  message says how to save it again as UTF-8.

The decoded text is normalised to Unicode NFC, so a tone mark typed as a
separate combining character compares equal to the precomposed letter.
"""

from __future__ import annotations

import codecs
import unicodedata

from contest.problems import Problem, Refused
from contest.quiz.bank_messages import english

__all__ = ["EncodingRefused", "decode_upload"]

# Letters and combining tone marks that only Vietnamese text decoded as
# Windows-1258 produces; their presence tells Windows-1258 from Windows-1252.
_VIETNAMESE_MARKERS = frozenset("ăĂđĐơƠưƯ\u0300\u0301\u0303\u0309\u0323")


_CODES = {"Windows-1258": "file.not_utf8_cp1258", "Windows-1252": "file.not_utf8_cp1252",
          "UTF-16": "file.not_utf8_utf16"}


class EncodingRefused(Refused):
    """The uploaded file is not UTF-8 text; ``guess`` names what it probably is."""

    def __init__(self, code: str, guess: str = "") -> None:
        super().__init__(Problem(code))
        self.guess = guess

    @property
    def problem(self) -> Problem:
        return self.problems[0]

    @property
    def message(self) -> str:
        """What to do, in English."""
        return english(self.problem)

    def __str__(self) -> str:
        return self.message


def _guess_encoding(data: bytes) -> str:
    """Name the probable encoding of bytes that are not UTF-8, or return ``""``."""
    if b"\x00" in data:
        return "UTF-16"
    try:
        as_1258 = data.decode("cp1258")
    except UnicodeDecodeError:
        as_1258 = ""
    if as_1258 and any(ch in _VIETNAMESE_MARKERS for ch in as_1258):
        return "Windows-1258"
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return ""
    return "Windows-1252"


def _refuse(data: bytes) -> EncodingRefused:
    guess = _guess_encoding(data)
    return EncodingRefused(_CODES.get(guess, "file.not_utf8"), guess)


def decode_upload(data: bytes) -> str:
    """Decode an uploaded text file, accepting only UTF-8 (or UTF-16 with a BOM).

    Raises :class:`EncodingRefused` for any other encoding.
    """
    if data.startswith(codecs.BOM_UTF8):
        body, encoding = data[len(codecs.BOM_UTF8):], "utf-8"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # The "utf-16" codec reads the mark to pick the byte order and drops it.
        body, encoding = data, "utf-16"
    else:
        body, encoding = data, "utf-8"
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError:
        if encoding == "utf-16":
            raise EncodingRefused("file.utf16_damaged", "UTF-16") from None
        raise _refuse(body) from None
    if "\x00" in text:
        # NUL is valid UTF-8 but never part of a text file: UTF-16 or UTF-32 without
        # a mark, or a binary file.
        raise _refuse(body)
    return unicodedata.normalize("NFC", text)
