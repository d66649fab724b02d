"""Uploaded files of writing-contest entries (and campaign materials): recognising and storing them.

What a file *is* is decided from its content, never from its name or the type the browser
claims: PDF, Word (DOCX), JPEG, PNG, MP3, M4A and MP4 are recognised by their magic bytes (a
DOCX by the members listed in its ZIP central directory). The name must still agree with the
content, so a renamed executable or a DOCX called ``.pdf`` is refused rather than stored.
Executables (Windows ``MZ``, ELF, Mach-O, ``#!`` scripts) are never recognised as anything.

:func:`save_upload` copies an upload in chunks into a temporary file inside the destination
folder, stops reading as soon as the size limit is passed, checks the kind, refuses DOCX zip
bombs from the central directory without extracting anything, and only then gives the file a
random name. A refusal raises :class:`UploadRefused`, a :class:`contest.problems.Refused`
carrying one problem with an ``upload_…`` code of :mod:`contest.writing.messages`, and leaves
nothing behind in the destination folder.

The copy judges download, without author metadata, is written by
:func:`contest.writing.metadata.clean_copy` (with :mod:`contest.writing.office` for DOCX and
PDF, :mod:`contest.writing.images` for photos and :mod:`contest.writing.cleaning` for DOCX parts
and media). Its warnings are defined here (``WARN_…``) as English message ids marked with
``N_`` for extraction; the web layer translates them with ``gettext`` when it shows them.

Sizes in "MB" are mebibytes (1,048,576 bytes), as the categories' ``max_file_mb`` means.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import tempfile
import unicodedata
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from contest.problems import Problem, Refused

__all__ = [
    "CHUNK_SIZE",
    "KINDS",
    "MAX_ZIP_ENTRIES",
    "MAX_ZIP_RATIO",
    "MAX_ZIP_TOTAL_BYTES",
    "SNIFF_BYTES",
    "WARN_AUDIO_VIDEO",
    "WARN_DAMAGED",
    "WARN_DOCX_HELD",
    "WARN_DOCX_REVIEW",
    "WARN_ENCRYPTED",
    "WARN_MEDIA_HELD",
    "FileKind",
    "SavedFile",
    "UploadRefused",
    "check_file_count",
    "display_name",
    "save_upload",
    "sniff_kind",
    "sniff_path",
    "zip_budget",
]


def N_(message: str) -> str:  # noqa: N802 - the usual name of the gettext no-op marker
    """Mark a message for translation without translating it here."""
    return message


MIB = 1024 * 1024


CHUNK_SIZE = 64 * 1024


# Enough for every signature below, including an ftyp box with its compatible brands.
SNIFF_BYTES = 512


# A real DOCX has a few dozen members and, even with many photos, a few tens of MB inside.
MAX_ZIP_ENTRIES = 2000


MAX_ZIP_TOTAL_BYTES = 200 * MIB


MAX_ZIP_RATIO = 100


# Small members (XML parts) may compress very well without being dangerous.
ZIP_RATIO_MIN_BYTES = 1 * MIB


# What a DOCX may unpack to: a base for text and styles plus a few times the archive's own size
# (photos do not compress, XML compresses five to ten times), never past MAX_ZIP_TOTAL_BYTES.
# 190 members of 1 MiB that compress to almost nothing get about 33 MiB, and are refused.
ZIP_BUDGET_BASE = 32 * MIB


ZIP_BUDGET_FACTOR = 4


WARN_AUDIO_VIDEO = N_("Metadata of audio and video files is not checked.")


WARN_DAMAGED = N_(
    "The file could not be read to remove its metadata; it may be damaged. "
    "Judges will not get a cleaned copy."
)


WARN_ENCRYPTED = N_(
    "The PDF is encrypted, so its metadata could not be removed. "
    "Judges will not get a cleaned copy."
)


WARN_DOCX_REVIEW = N_(
    "The document contains comments or tracked changes, which may show their authors' "
    "names; they were not removed."
)


WARN_DOCX_HELD = N_(
    "The document contains embedded objects or pictures whose metadata could not be removed. "
    "Judges get it only after an organizer has checked it."
)


WARN_MEDIA_HELD = N_(
    "Some metadata of this audio or video file could not be removed. "
    "Judges get it only after an organizer has checked it."
)


@dataclass(frozen=True)
class FileKind:
    """A kind of file entries may carry; ``extensions`` are lower case with the dot."""

    name: str
    mimetype: str
    extensions: tuple[str, ...]
    label: str


KINDS: dict[str, FileKind] = {
    kind.name: kind
    for kind in (
        FileKind("pdf", "application/pdf", (".pdf",), "PDF"),
        FileKind(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            (".docx",),
            "Word (DOCX)",
        ),
        FileKind("jpeg", "image/jpeg", (".jpg", ".jpeg"), "JPEG"),
        FileKind("png", "image/png", (".png",), "PNG"),
        FileKind("mp3", "audio/mpeg", (".mp3",), "MP3"),
        FileKind("m4a", "audio/mp4", (".m4a",), "M4A"),
        FileKind("mp4", "video/mp4", (".mp4",), "MP4"),
    )
}


class UploadRefused(Refused):
    """An upload was refused: one :class:`~contest.problems.Problem` on the field ``files``
    whose code is ``upload_`` and one of ``empty``, ``too_large`` (``limit_mb``),
    ``unknown_kind`` (``detected``: ``""``, ``"executable"``, ``"legacy_office"`` or ``"zip"``),
    ``name_mismatch`` (``kind``, ``kind_label``, ``extensions``), ``kind_not_accepted``
    (``kind``, ``kind_label``), ``zip_bomb`` (``reason``: ``"entries"``, ``"size"``, ``"ratio"``
    or ``"work"``) and ``too_many_files`` (``max_files``). Every code but the last also has
    ``name`` and ``accepted`` (the accepted kinds' labels, comma separated). The messages are in
    :mod:`contest.writing.messages`.
    """

    def __init__(self, reason: str, params: dict | None = None) -> None:
        super().__init__(Problem(f"upload_{reason}", "files", dict(params or {})))

    @property
    def reason(self) -> str:
        """The code without its ``upload_`` prefix: ``too_large``, ``zip_bomb``…"""
        return self.code.removeprefix("upload_")

    @property
    def params(self) -> dict:
        return dict(self.problems[0].params)


@dataclass(frozen=True)
class SavedFile:
    """A stored upload: ``stored_name`` is the random file name inside the destination folder."""

    kind: str
    stored_name: str
    original_name: str
    size: int
    sha256: str


_ZIP_MAGIC = b"PK\x03\x04"


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc, .xls of Office 97-2003


_EXECUTABLE_MAGIC = (
    b"MZ",  # Windows PE and DOS
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",  # Mach-O 32/64 bit, both byte orders
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal binary (and Java class files)
    b"#!",
)


PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# Brands of the ISO media file format (ftyp box). Audio-only brands say M4A; the generic ones
# are written for audio-only files too (many phone recorders), so they leave the name to decide.
_AUDIO_BRANDS = frozenset({b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "})


_VIDEO_BRANDS = frozenset({b"avc1", b"M4V ", b"M4VH", b"M4VP", b"mmp4", b"MSNV", b"XAVC"})


_GENERIC_BRANDS = frozenset(
    {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"dash"}
)


def _is_executable(head: bytes) -> bool:
    return head.startswith(_EXECUTABLE_MAGIC)


def _is_mpeg_audio_frame(head: bytes) -> bool:
    """Whether ``head`` starts with a plausible MPEG audio Layer III frame header."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version = (head[1] >> 3) & 0b11  # 0b01 is reserved
    layer = (head[1] >> 1) & 0b11  # 0b01 is Layer III
    bitrate = head[2] >> 4
    sample_rate = (head[2] >> 2) & 0b11
    return version != 0b01 and layer == 0b01 and bitrate != 0b1111 and sample_rate != 0b11


def _iso_brand(head: bytes) -> str | None:
    """``"m4a"``, ``"mp4"`` or ``"generic"`` from the ftyp box at the start, else ``None``."""
    if len(head) < 12 or head[4:8] != b"ftyp":
        return None
    box_end = min(int.from_bytes(head[0:4], "big"), len(head))
    brands = [head[8:12]] + [head[i:i + 4] for i in range(16, box_end - 3, 4)]
    # The major brand decides when it is specific; otherwise the first specific compatible one.
    for brand in brands:
        if brand in _AUDIO_BRANDS:
            return "m4a"
        if brand in _VIDEO_BRANDS:
            return "mp4"
    if any(brand in _GENERIC_BRANDS for brand in brands):
        return "generic"
    return None


def sniff_kind(head: bytes) -> str | None:
    """The kind of a file from its first bytes (at least :data:`SNIFF_BYTES` when available).

    Returns ``None`` for executables, unknown content and ZIP files: telling a DOCX from other
    ZIP files needs the central directory at the end of the file, so use :func:`sniff_path`.
    An ISO media file with a generic brand (isom, mp41, mp42…) is reported as ``"mp4"``.
    """
    if _is_executable(head):
        return None
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(PNG_MAGIC):
        return "png"
    if head.startswith(b"ID3") or _is_mpeg_audio_frame(head):
        return "mp3"
    brand = _iso_brand(head)
    if brand == "m4a":
        return "m4a"
    if brand in ("mp4", "generic"):
        return "mp4"
    return None


def _read_head(path: Path) -> bytes:
    with open(path, "rb") as f:
        return f.read(SNIFF_BYTES)


def _zip_entry_count(path: Path) -> int | None:
    """Entries declared by the end-of-central-directory record, or ``None`` if there is none.

    Read before zipfile lists the members, because a forged directory of hundreds of thousands
    of entries would build as many objects in memory.
    """
    size = path.stat().st_size
    with open(path, "rb") as f:
        f.seek(max(0, size - (22 + 0xFFFF)))
        tail = f.read()
    pos = tail.rfind(b"PK\x05\x06")
    if pos < 0 or len(tail) - pos < 22:
        return None
    return int.from_bytes(tail[pos + 10:pos + 12], "little")


def zip_members(path: Path) -> list[zipfile.ZipInfo] | None:
    """The members of a ZIP file from its central directory, or ``None`` if it is not one.

    Raises ``UploadRefused("zip_bomb")`` (without ``name``) when there are too many entries.
    """
    count = _zip_entry_count(path)
    if count is None:
        return None
    # 0xFFFF means the count is in a ZIP64 record: far more than any document needs anyway.
    if count > MAX_ZIP_ENTRIES:
        raise UploadRefused("zip_bomb", {"reason": "entries"})
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError):
        return None
    if len(members) > MAX_ZIP_ENTRIES:
        raise UploadRefused("zip_bomb", {"reason": "entries"})
    return members


def is_docx(members: list[zipfile.ZipInfo]) -> bool:
    names = {m.filename for m in members}
    return "[Content_Types].xml" in names and "word/document.xml" in names


def zip_budget(archive_size: int) -> int:
    """The decompressed bytes a DOCX of ``archive_size`` bytes may declare in all."""
    return min(MAX_ZIP_TOTAL_BYTES, ZIP_BUDGET_BASE + ZIP_BUDGET_FACTOR * archive_size)


def check_zip_sizes(members: list[zipfile.ZipInfo], archive_size: int) -> None:
    """Refuse what would inflate too much, from the sizes the central directory declares.

    zipfile never inflates a member past its declared size, so the declared sizes bound what
    reading the members later can cost. Many medium members that each stay under the ratio
    check are caught by the total, which :func:`zip_budget` ties to the archive's size.
    """
    total = 0
    for member in members:
        total += member.file_size
        large = member.file_size > ZIP_RATIO_MIN_BYTES
        if large and member.file_size > MAX_ZIP_RATIO * max(member.compress_size, 1):
            raise UploadRefused("zip_bomb", {"reason": "ratio"})
    if total > zip_budget(archive_size):
        raise UploadRefused("zip_bomb", {"reason": "size"})


def sniff_path(path: Path) -> str | None:
    """The kind of a stored file from its content, opening ZIP files to recognise a DOCX.

    Returns ``None`` for anything not in :data:`KINDS` (executables included) and for a ZIP
    with more entries than any document has.
    """
    head = _read_head(path)
    if head.startswith(_ZIP_MAGIC):
        try:
            members = zip_members(path)
        except UploadRefused:
            return None
        return "docx" if members is not None and is_docx(members) else None
    return sniff_kind(head)


def _detected(head: bytes) -> str:
    """What an unrecognised file looks like, so the message can say what to do."""
    if _is_executable(head):
        return "executable"
    if head.startswith(_OLE_MAGIC):
        return "legacy_office"
    if head.startswith(_ZIP_MAGIC):
        return "zip"
    return ""


def display_name(name: str) -> str:
    """The name of an upload fit to store and show: no folders, no control or format characters.

    Old browsers send the whole client path; format characters such as the right-to-left
    override can make ``exe.pdf`` look like ``fdp.exe``. The result is NFC, at most 255
    characters, and never empty.
    """
    base = re.split(r"[\\/]", name)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    if len(base) > 255:
        stem, ext = os.path.splitext(base)
        ext = ext[:20]
        base = stem[: 255 - len(ext)] + ext
    return base or "file"


def _extension(name: str) -> str:
    return os.path.splitext(name)[1].lower()


def _limit_mb(max_bytes: int) -> int | float:
    return max_bytes // MIB if max_bytes % MIB == 0 else round(max_bytes / MIB, 1)


def _accepted_labels(accepted: Collection[str]) -> str:
    return ", ".join(KINDS[k].label for k in KINDS if k in accepted)


def check_file_count(existing: int, max_files: int) -> None:
    """Raise ``UploadRefused("too_many_files")`` when an entry already has ``max_files`` files."""
    if existing >= max_files:
        raise UploadRefused("too_many_files", {"max_files": max_files})


def _copy_limited(stream: BinaryIO, out: BinaryIO, max_bytes: int) -> tuple[int, str] | None:
    """Copy at most ``max_bytes`` + 1 bytes; return (size, sha256), or ``None`` if too large."""
    digest = hashlib.sha256()
    size = 0
    while True:
        # Never ask for more than one byte past the limit: that byte alone proves it too large.
        chunk = stream.read(min(CHUNK_SIZE, max_bytes + 1 - size))
        if not chunk:
            return size, digest.hexdigest()
        size += len(chunk)
        if size > max_bytes:
            return None
        digest.update(chunk)
        out.write(chunk)


def _upload_kind(path: Path, name: str) -> str | None:
    """The kind of an upload, or ``None``; raises ``UploadRefused("zip_bomb")``."""
    head = _read_head(path)
    if _is_executable(head):
        return None
    if head.startswith(_ZIP_MAGIC):
        members = zip_members(path)
        if members is None or not is_docx(members):
            return None
        check_zip_sizes(members, path.stat().st_size)
        return "docx"
    kind = sniff_kind(head)
    if kind == "mp4" and _iso_brand(head) == "generic" and _extension(name) == ".m4a":
        return "m4a"
    return kind


def random_name(dest_dir: Path, extension: str) -> Path:
    while True:
        target = dest_dir / f"{secrets.token_hex(16)}{extension}"
        if not target.exists():
            return target


def save_upload(
    stream: BinaryIO,
    original_name: str,
    dest_dir: Path,
    accepted: Collection[str],
    max_bytes: int,
) -> SavedFile:
    """Store an uploaded file under a random name in ``dest_dir`` once it passes every check.

    The stream is read in chunks of :data:`CHUNK_SIZE` and never past ``max_bytes`` + 1 bytes.
    Raises :class:`UploadRefused`; then nothing is left in ``dest_dir``. ``original_name`` is
    kept (as :func:`display_name` cleans it) only to be shown and to check the extension.
    """
    name = display_name(original_name)
    labels = _accepted_labels(accepted)
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=dest_dir, prefix=".upload-", suffix=".part")
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            copied = _copy_limited(stream, out, max_bytes)
        if copied is None:
            raise UploadRefused(
                "too_large", {"name": name, "accepted": labels, "limit_mb": _limit_mb(max_bytes)}
            )
        size, sha256 = copied
        if size == 0:
            raise UploadRefused("empty", {"name": name, "accepted": labels})
        try:
            kind = _upload_kind(temp, name)
        except UploadRefused as refused:
            raise UploadRefused(
                refused.reason, {**refused.params, "name": name, "accepted": labels}
            ) from None
        if kind is None:
            detected = _detected(_read_head(temp))
            raise UploadRefused(
                "unknown_kind", {"name": name, "accepted": labels, "detected": detected}
            )
        file_kind = KINDS[kind]
        if _extension(name) not in file_kind.extensions:
            raise UploadRefused(
                "name_mismatch",
                {
                    "name": name,
                    "accepted": labels,
                    "kind": kind,
                    "kind_label": file_kind.label,
                    "extensions": ", ".join(file_kind.extensions),
                },
            )
        if kind not in accepted:
            raise UploadRefused(
                "kind_not_accepted",
                {"name": name, "accepted": labels, "kind": kind, "kind_label": file_kind.label},
            )
        target = random_name(dest_dir, file_kind.extensions[0])
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return SavedFile(kind, target.name, name, size, sha256)
