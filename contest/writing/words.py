"""Word counts of entries: from the typed text, else from the entry's PDF and DOCX files.

The count of an entry is taken from its typed text when it has one. Otherwise it is the **sum**
of the words of all its PDF and DOCX files: a work sent as several documents (a long report in
parts, a main article with its sidebar) is one work, and a category's word range is about the
whole of it. Each document is read once, when it is stored, and its count is kept on its row
(``EntryFile.word_count``); files stored before counts were kept are read when first needed.

A document whose text cannot be read, or that has no word in it (a scanned PDF without a text
layer, a Word file made of pictures), makes the entry's count **unknown** rather than zero or
partial: such an entry is not refused for its length, it may be submitted and is flagged for
the organizers, who can set the count by hand with a reason
(:func:`contest.writing.service.override_word_count`). Words are counted as
:func:`contest.writing.text.count_words` counts them (chữ, the tokens between spaces).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from contest.writing import office, text

# Kinds of file whose words are counted.
DOCUMENT_KINDS = ("pdf", "docx")

# Where a count came from (Entry.word_source).
FROM_TEXT = "text"
FROM_FILES = "files"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class DocumentWords:
    """One document of an entry: its name as uploaded and its words (None: none to count)."""

    name: str
    words: int | None


@dataclass(frozen=True)
class WordCount:
    """An entry's count and where it came from.

    ``source`` is :data:`FROM_TEXT`, :data:`FROM_FILES`, :data:`UNKNOWN` or ``""`` (nothing to
    count: no text and no document). ``names`` are the documents counted (``FROM_FILES``) or the
    ones whose words could not be counted (``UNKNOWN``).
    """

    count: int | None
    source: str
    names: tuple[str, ...] = ()


def document_words(path: Path, kind: str) -> int | None:
    """Words of a stored PDF or DOCX; None when it has no readable text or none at all."""
    try:
        if kind == "pdf":
            content = office.pdf_text(path)
        elif kind == "docx":
            content = office.docx_text(path)
        else:
            return None
    except (ValueError, OSError):
        return None
    count = text.count_words(content)
    return count or None


def count_entry(body_source: str, body_format: str,
                documents: Sequence[DocumentWords]) -> WordCount:
    """The count of an entry with this typed text and these documents (see the module)."""
    if body_source:
        return WordCount(text.count_words(text.render_body(body_source, body_format)), FROM_TEXT)
    if not documents:
        return WordCount(None, "")
    unread = tuple(d.name for d in documents if d.words is None)
    if unread:
        return WordCount(None, UNKNOWN, unread)
    return WordCount(sum(d.words or 0 for d in documents), FROM_FILES,
                     tuple(d.name for d in documents))


def joined_names(names: Sequence[str], limit: int = 300) -> str:
    """File names as one line (``Entry.word_uncounted``), cut to fit the column."""
    line = ", ".join(names)
    return line if len(line) <= limit else line[: limit - 1] + "…"
