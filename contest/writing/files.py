"""Uploaded files of writing-contest entries: checking, storing and cleaning.

What a file *is* is decided from its content, never from its name or the type the browser
claims: PDF, Word (DOCX), JPEG, PNG, MP3, M4A and MP4 are recognised by their magic bytes (a
DOCX by the members listed in its ZIP central directory). The name must still agree with the
content, so a renamed executable or a DOCX called ``.pdf`` is refused rather than stored.
Executables (Windows ``MZ``, ELF, Mach-O, ``#!`` scripts) are never recognised as anything.

:func:`save_upload` copies an upload in chunks into a temporary file inside the destination
folder, stops reading as soon as the size limit is passed, checks the kind, refuses DOCX zip
bombs from the central directory without extracting anything, and only then gives the file a
random name. A refusal raises :class:`UploadRefused` with a ``code`` and ``params`` for a
translated message, and leaves nothing behind in the destination folder.

:func:`clean_copy` writes the copy judges download, without the metadata that names the author,
within a budget of decompressed bytes and seconds (past it the upload is refused):

* DOCX: every part that names or identifies people is removed or rewritten (docProps, comments,
  tracked-change authors, rsids, settings, custom XML, embedded pictures' metadata); see
  :mod:`contest.writing.cleaning`. The copy is read back and used only if nothing is left.
* PDF: the document information keeps only its dates (Author, Creator, Producer, Title, Subject
  and Keywords go: judges get the title from the entry, and a title is often a file name that
  names the author); the XMP metadata streams of the document and its pages and the author
  labels of comments (markup annotations) are removed.
* JPEG and PNG: metadata segments and chunks (EXIF, XMP, IPTC, comments, text chunks, content
  credentials) are removed *without re-encoding*, because photo entries are judged on their
  image quality and a JPEG re-save loses some. Only the EXIF orientation is written back, so the
  photo is not shown on its side. Pillow checks that the result is still a readable image.
* MP3, M4A, MP4: tags are removed with mutagen, other MP4 metadata by an ffmpeg remux where
  ffmpeg is installed (see :mod:`contest.writing.cleaning`).

Whatever could not be cleaned completely comes with a warning, and :func:`is_held` then keeps
it from judges until an organizer has checked it (``contest.writing.held``).

Warnings are English message ids marked with ``N_`` for extraction; the web layer translates
them with ``gettext`` when it shows them.

Sizes in "MB" are mebibytes (1,048,576 bytes), as the categories' ``max_file_mb`` means.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import secrets
import struct
import tempfile
import unicodedata
import xml.etree.ElementTree as ET  # noqa: N817 - the customary alias
import zipfile
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from contest.writing import cleaning

if TYPE_CHECKING:
    from pypdf import PdfReader
    from pypdf.generic import DictionaryObject

__all__ = [
    "CHUNK_SIZE",
    "KINDS",
    "MAX_DOCUMENT_XML_BYTES",
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
    "clean_copy",
    "display_name",
    "is_held",
    "docx_text",
    "metadata_people",
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
MAX_DOCUMENT_XML_BYTES = 32 * MIB
MAX_PROPS_XML_BYTES = 1 * MIB
# What a DOCX may unpack to: a base for text and styles plus a few times the archive's own size
# (photos do not compress, XML compresses five to ten times), never past MAX_ZIP_TOTAL_BYTES.
# 190 members of 1 MiB that compress to almost nothing get about 33 MiB, and are refused.
ZIP_BUDGET_BASE = 32 * MIB
ZIP_BUDGET_FACTOR = 4
# Wall-clock seconds that cleaning one file may take before the upload is refused.
CLEAN_SECONDS = 20.0

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


class UploadRefused(Exception):
    """An upload was refused; ``code`` and ``params`` make the translated message.

    Codes: ``empty``, ``too_large`` (``limit_mb``), ``unknown_kind`` (``detected``: ``""``,
    ``"executable"``, ``"legacy_office"`` or ``"zip"``), ``name_mismatch`` (``kind``,
    ``kind_label``, ``extensions``), ``kind_not_accepted`` (``kind``, ``kind_label``),
    ``zip_bomb`` (``reason``: ``"entries"``, ``"size"`` or ``"ratio"``) and
    ``too_many_files`` (``max_files``). Every code but the last also has ``name`` and
    ``accepted`` (the accepted kinds' labels, comma separated).
    """

    def __init__(self, code: str, params: dict | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.params = dict(params or {})

    def __str__(self) -> str:
        return f"{self.code} {self.params}" if self.params else self.code


@dataclass(frozen=True)
class SavedFile:
    """A stored upload: ``stored_name`` is the random file name inside the destination folder."""

    kind: str
    stored_name: str
    original_name: str
    size: int
    sha256: str


# --- recognising content -------------------------------------------------------------------

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
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
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
    if head.startswith(_PNG_MAGIC):
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


def _zip_members(path: Path) -> list[zipfile.ZipInfo] | None:
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


def _is_docx(members: list[zipfile.ZipInfo]) -> bool:
    names = {m.filename for m in members}
    return "[Content_Types].xml" in names and "word/document.xml" in names


def zip_budget(archive_size: int) -> int:
    """The decompressed bytes a DOCX of ``archive_size`` bytes may declare in all."""
    return min(MAX_ZIP_TOTAL_BYTES, ZIP_BUDGET_BASE + ZIP_BUDGET_FACTOR * archive_size)


def _check_zip_sizes(members: list[zipfile.ZipInfo], archive_size: int) -> None:
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
            members = _zip_members(path)
        except UploadRefused:
            return None
        return "docx" if members is not None and _is_docx(members) else None
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


# --- storing uploads -----------------------------------------------------------------------


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
        members = _zip_members(path)
        if members is None or not _is_docx(members):
            return None
        _check_zip_sizes(members, path.stat().st_size)
        return "docx"
    kind = sniff_kind(head)
    if kind == "mp4" and _iso_brand(head) == "generic" and _extension(name) == ".m4a":
        return "m4a"
    return kind


def _random_name(dest_dir: Path, extension: str) -> Path:
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
                refused.code, {**refused.params, "name": name, "accepted": labels}
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
        target = _random_name(dest_dir, file_kind.extensions[0])
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return SavedFile(kind, target.name, name, size, sha256)


# --- XML of Office documents -----------------------------------------------------------------
# ElementTree is used on untrusted XML knowingly: the expat bundled with Python 3.11 (2.4.1 or
# later) stops entity-expansion bombs, and ElementTree never fetches external entities.

_NS = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "dcmitype": "http://purl.org/dc/dcmitype/",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
}
_APP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
for _prefix, _uri in _NS.items():
    # So rewritten parts keep the prefixes Word writes instead of ns0, ns1…
    ET.register_namespace(_prefix, _uri)

_CORE_PEOPLE = frozenset(
    f"{{{_NS[prefix]}}}{local}"
    for prefix, local in (
        ("dc", "creator"),
        ("dc", "contributor"),
        ("dc", "publisher"),
        ("dc", "rights"),
        ("cp", "lastModifiedBy"),
    )
)
_APP_PEOPLE = frozenset({f"{{{_APP_NS}}}Company", f"{{{_APP_NS}}}Manager"})
_PROPS_PARTS = {"docProps/core.xml": _CORE_PEOPLE, "docProps/app.xml": _APP_PEOPLE}
# Comments, tracked changes and the list of reviewers name people in w:author attributes.
_AUTHOR_ATTR = re.compile(rb"""\s(?:[\w.-]+:)?author\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    if info.file_size > limit:
        raise ValueError(f"{info.filename} is larger than {limit} bytes")
    with zf.open(info) as member:
        data = member.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{info.filename} is larger than {limit} bytes")
    return data


def _open_docx(path: Path) -> zipfile.ZipFile:
    """Open a DOCX after the same bomb checks as an upload; raises ValueError if unsafe."""
    try:
        members = _zip_members(path)
        if members is None or not _is_docx(members):
            raise ValueError("not a DOCX file")
        _check_zip_sizes(members, path.stat().st_size)
    except UploadRefused as refused:
        raise ValueError(f"unsafe ZIP file: {refused.params.get('reason')}") from None
    return zipfile.ZipFile(path)


def _element_texts(data: bytes, targets: frozenset[str]) -> list[str]:
    root = ET.fromstring(data)  # noqa: S314 - see the note on ElementTree above
    return ["".join(el.itertext()).strip() for el in root.iter() if el.tag in targets]


def _blank_elements(data: bytes, targets: frozenset[str]) -> bytes:
    """The XML part with the text of the target elements removed."""
    root = ET.fromstring(data)  # noqa: S314 - see the note on ElementTree above
    for el in root.iter():
        if el.tag in targets:
            for child in list(el):
                el.remove(child)
            el.text = ""
    default = _APP_NS if root.tag.startswith(f"{{{_APP_NS}}}") else None
    try:
        return ET.tostring(root, encoding="UTF-8", xml_declaration=True,
                           default_namespace=default)
    except ValueError:
        # An element outside the default namespace: a prefix is then needed everywhere.
        return ET.tostring(root, encoding="UTF-8", xml_declaration=True)


def _review_authors(zf: zipfile.ZipFile) -> list[str]:
    """Names in the w:author attributes of the document's parts, read in bounded chunks."""
    found: list[str] = []
    for info in zf.infolist():
        if not (info.filename.startswith("word/") and info.filename.endswith(".xml")):
            continue
        tail = b""
        with zf.open(info) as member:
            while chunk := member.read(MIB):
                window = tail + chunk
                for match in _AUTHOR_ATTR.finditer(window):
                    raw = match.group(1) if match.group(1) is not None else match.group(2)
                    name = html.unescape(raw.decode("utf-8", "replace"))
                    # The neutral name cleaned copies give every tracked change is no one's.
                    if name != "Author":
                        found.append(name)
                # Keep enough to catch an attribute cut by the chunk boundary; repeats are
                # removed by the caller.
                tail = window[-1024:]
    return found


def _docx_people(path: Path) -> list[str]:
    names: list[str] = []
    with _open_docx(path) as zf:
        for part, targets in _PROPS_PARTS.items():
            try:
                info = zf.getinfo(part)
            except KeyError:
                continue
            names += _element_texts(_read_member(zf, info, MAX_PROPS_XML_BYTES), targets)
        names += _review_authors(zf)
    return names


def docx_text(path: Path) -> str:
    """The text of a DOCX's main document, one line per paragraph (tables and text boxes too).

    Tabs and line breaks inside a paragraph become ``\\t`` and ``\\n``; deleted text of tracked
    changes and field codes are left out. Raises ``ValueError`` for a damaged, unsafe or
    oversized document (``word/document.xml`` over :data:`MAX_DOCUMENT_XML_BYTES`).
    """
    w = _NS["w"]
    p_tag, t_tag, tab_tag = f"{{{w}}}p", f"{{{w}}}t", f"{{{w}}}tab"
    breaks = {f"{{{w}}}br", f"{{{w}}}cr"}
    # Text boxes are written twice, as DrawingML and as a VML fallback; read only the first.
    fallback_tag = f"{{{_NS['mc']}}}Fallback"
    try:
        with _open_docx(path) as zf:
            info = zf.getinfo("word/document.xml")
            if info.file_size > MAX_DOCUMENT_XML_BYTES:
                raise ValueError("word/document.xml is too large")
            paragraphs: list[str] = []
            open_paragraphs: list[list[str]] = []
            in_fallback = 0
            with zf.open(info) as member:
                events = ET.iterparse(member, events=("start", "end"))  # noqa: S314 - see above
                for event, el in events:
                    if el.tag == fallback_tag:
                        in_fallback += 1 if event == "start" else -1
                        continue
                    if in_fallback:
                        continue
                    if event == "start":
                        if el.tag == p_tag:
                            open_paragraphs.append([])
                        continue
                    if el.tag == p_tag:
                        paragraphs.append("".join(open_paragraphs.pop()))
                        el.clear()
                    elif open_paragraphs:
                        if el.tag == t_tag:
                            open_paragraphs[-1].append(el.text or "")
                        elif el.tag == tab_tag:
                            open_paragraphs[-1].append("\t")
                        elif el.tag in breaks:
                            open_paragraphs[-1].append("\n")
    except (zipfile.BadZipFile, ET.ParseError, KeyError, EOFError, OSError) as exc:
        raise ValueError(f"the document cannot be read: {exc}") from exc
    return "\n".join(paragraphs)


# --- cleaning ------------------------------------------------------------------------------


def _write_docx_clean(path: Path, out: Path, budget: cleaning.Budget) -> None:
    """Write the cleaned DOCX (see :mod:`contest.writing.cleaning`) and read it back: a copy in
    which anything is left that names or identifies someone is refused (``ValueError``)."""
    with _open_docx(path) as src:
        held: cleaning.Held | None = None
        try:
            cleaning.write_docx_clean(src, out, budget)
        except cleaning.Held as exc:
            held = exc
    with _open_docx(out) as copy:
        left = cleaning.docx_leftovers(copy, budget)
    if left:
        raise ValueError(f"the cleaned copy still has {', '.join(left)}")
    if held is not None:
        raise held


_PDF_KEPT_INFO = ("/CreationDate", "/ModDate")
# Annotations whose /T is a field name or nothing, not the author of a comment.
_PDF_NON_MARKUP = frozenset({"/Widget", "/Link", "/Popup"})


class _Encrypted(Exception):
    """A PDF that cannot be opened without its password."""


def _open_pdf(path: Path) -> PdfReader:
    from pypdf import PdfReader
    reader = PdfReader(path)
    # Many PDFs are encrypted only to restrict printing or copying, with an empty user password.
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")
        except Exception:  # e.g. AES without the optional crypto library
            raise _Encrypted from None
        if not opened:
            raise _Encrypted
    return reader


def _markup_annotations(pages: Any) -> Iterator[DictionaryObject]:
    from pypdf.generic import DictionaryObject
    for page in pages:
        annots = page.get("/Annots")
        for ref in annots.get_object() if annots is not None else ():
            annot = ref.get_object()
            if isinstance(annot, DictionaryObject) and annot.get("/Subtype") not in _PDF_NON_MARKUP:
                yield annot


def _write_pdf_clean(path: Path, out: Path) -> None:
    from pypdf import PdfWriter
    from pypdf.generic import NameObject
    reader = _open_pdf(path)
    writer = PdfWriter(clone_from=reader)
    info = reader.metadata or {}
    kept = {key: info[key] for key in _PDF_KEPT_INFO if key in info}
    writer.metadata = kept or None
    writer.xmp_metadata = None
    for page in writer.pages:
        if "/Metadata" in page:
            del page[NameObject("/Metadata")]
    for annot in _markup_annotations(writer.pages):
        if "/T" in annot:
            del annot[NameObject("/T")]
    # The clone still holds the objects unhooked above (the XMP streams); drop them.
    writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
    with open(out, "wb") as f:
        writer.write(f)


def _pdf_people(path: Path) -> list[str]:
    reader = _open_pdf(path)
    names: list[str] = []
    info = reader.metadata
    if info is not None and info.get("/Author"):
        names.append(str(info["/Author"]))
    xmp = reader.xmp_metadata
    if xmp is not None:
        names += [str(n) for n in (xmp.dc_creator or [])]
        names += [str(n) for n in (xmp.dc_contributor or [])]
    for annot in _markup_annotations(reader.pages):
        if annot.get("/T"):
            names.append(str(annot["/T"]))
    return names


# JPEG segments kept: everything that is image data, plus JFIF (APP0), the colour profile
# (APP2 "ICC_PROFILE") and Adobe's colour transform (APP14). Other APPn carry EXIF, XMP, IPTC,
# maker notes, multi-picture previews and content credentials; COM is free text.
_JPEG_KEEP_APP = {0xE0: (b"JFIF\x00", b"JFXX\x00"), 0xE2: (b"ICC_PROFILE\x00",), 0xEE: (b"Adobe",)}
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})


def _strip_jpeg(data: bytes, orientation: int | None) -> bytes:
    """The JPEG without metadata segments, byte for byte otherwise; stops at EOI."""
    if not data.startswith(b"\xff\xd8"):
        raise ValueError("not a JPEG file")
    out = [b"\xff\xd8"]
    pos = 2
    pending_exif = None if orientation is None else _jpeg_orientation_segment(orientation)
    while True:
        if pos >= len(data) or data[pos] != 0xFF:
            raise ValueError("damaged JPEG: marker expected")
        while pos < len(data) and data[pos] == 0xFF:  # fill bytes
            pos += 1
        if pos >= len(data):
            raise ValueError("damaged JPEG: truncated")
        marker = data[pos]
        pos += 1
        if marker == 0xD9:  # EOI; whatever follows (appended previews) is dropped
            out.append(b"\xff\xd9")
            return b"".join(out)
        if marker in _JPEG_STANDALONE:
            out.append(bytes((0xFF, marker)))
            continue
        if pos + 2 > len(data):
            raise ValueError("damaged JPEG: truncated")
        length = int.from_bytes(data[pos:pos + 2], "big")
        end = pos + length
        if length < 2 or end > len(data):
            raise ValueError("damaged JPEG: bad segment length")
        payload = data[pos + 2:end]
        is_app = 0xE0 <= marker <= 0xEF or marker == 0xFE
        keep = not is_app or payload.startswith(_JPEG_KEEP_APP.get(marker, ()))
        if pending_exif is not None and marker != 0xE0:  # EXIF goes right after JFIF
            out.append(pending_exif)
            pending_exif = None
        if keep:
            out.append(data[pos - 2:end])
        pos = end
        if marker == 0xDA:  # start of scan: copy entropy-coded data up to the next marker
            scan_end = _end_of_scan(data, pos)
            out.append(data[pos:scan_end])
            pos = scan_end


def _end_of_scan(data: bytes, pos: int) -> int:
    """Offset of the first marker after entropy-coded data (FF 00 and RSTn belong to the data)."""
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= len(data):
            raise ValueError("damaged JPEG: no end of image")
        following = data[pos + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            pos += 2
        elif following == 0xFF:
            pos += 1
        else:
            return pos


def _jpeg_orientation_segment(orientation: int) -> bytes:
    from PIL import Image
    exif = Image.Exif()
    exif[0x0112] = orientation
    payload = exif.tobytes()  # starts with b"Exif\0\0"
    return b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload


# PNG chunks kept: the critical ones and ancillary chunks about how to show the pixels.
_PNG_KEEP = frozenset(
    {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT",
     b"pHYs", b"bKGD", b"hIST", b"cICP", b"mDCV", b"cLLI", b"acTL", b"fcTL", b"fdAT"}
)


def _strip_png(data: bytes) -> bytes:
    """The PNG without text, EXIF, time and private chunks; stops at IEND."""
    if not data.startswith(_PNG_MAGIC):
        raise ValueError("not a PNG file")
    out = [_PNG_MAGIC]
    pos = len(_PNG_MAGIC)
    while pos + 12 <= len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        chunk_type = data[pos + 4:pos + 8]
        end = pos + 12 + length
        if end > len(data):
            raise ValueError("damaged PNG: truncated chunk")
        if chunk_type in _PNG_KEEP:
            out.append(data[pos:end])
        pos = end
        if chunk_type == b"IEND":
            return b"".join(out)
    raise ValueError("damaged PNG: no IEND chunk")


def _check_image(path: Path, pil_format: str) -> None:
    """Decode the image fully (a JPEG at 1/8 scale, which still reads every block)."""
    from PIL import Image
    with Image.open(path) as img:
        if img.format != pil_format:
            raise ValueError(f"not a {pil_format} image")
        if pil_format == "JPEG":
            img.draft(img.mode, (max(1, img.width // 8), max(1, img.height // 8)))
        img.load()


def _write_image_clean(path: Path, kind: str, out: Path) -> None:
    from PIL import Image
    data = path.read_bytes()
    if kind == "jpeg":
        try:
            with Image.open(path) as img:
                orientation = img.getexif().get(0x0112)
        # Damaged EXIF is dropped anyway; only the orientation it might have held is lost.
        except (SyntaxError, ValueError, struct.error, UnicodeDecodeError):
            orientation = None
        orientation = orientation if orientation in range(2, 9) else None
        out.write_bytes(_strip_jpeg(data, orientation))
        _check_image(out, "JPEG")
    else:
        out.write_bytes(_strip_png(data))
        _check_image(out, "PNG")


_EXIF_PEOPLE = (0x013B, 0x8298)  # Artist, Copyright
_EXIF_XP_AUTHOR = 0x9C9D  # Windows "Authors", UTF-16LE bytes
_EXIF_IFD = 0x8769
_EXIF_CAMERA_OWNER = 0xA430
_IPTC_PEOPLE = ((2, 80), (2, 116), (2, 122))  # by-line, copyright notice, writer/editor
_PNG_TEXT_PEOPLE = frozenset({"author", "artist", "copyright", "creator"})
_XMP_PEOPLE = re.compile(
    r"<dc:(?:creator|rights|contributor)\b[^>]*>(.*?)</dc:(?:creator|rights|contributor)>", re.S
)
_XMP_ITEM = re.compile(r"<rdf:li\b[^>]*>(.*?)</rdf:li>", re.S)


def _exif_text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-16-le", "replace").rstrip("\x00")
    return str(value).rstrip("\x00")


def _xmp_people(xmp: bytes | str) -> list[str]:
    text = xmp.decode("utf-8", "replace") if isinstance(xmp, bytes) else xmp
    names = []
    for block in _XMP_PEOPLE.findall(text):
        names += [html.unescape(item) for item in _XMP_ITEM.findall(block)]
    return names


def _image_people(path: Path) -> list[str]:
    from PIL import Image, IptcImagePlugin
    names: list[str] = []
    with Image.open(path) as img:
        exif = img.getexif()
        names += [_exif_text(exif[tag]) for tag in _EXIF_PEOPLE if tag in exif]
        if _EXIF_XP_AUTHOR in exif:
            names.append(_exif_text(exif[_EXIF_XP_AUTHOR]))
        owner = exif.get_ifd(_EXIF_IFD).get(_EXIF_CAMERA_OWNER)
        if owner:
            names.append(_exif_text(owner))
        xmp = img.info.get("xmp") or img.info.get("XML:com.adobe.xmp")
        if xmp:
            names += _xmp_people(xmp)
        if img.format == "JPEG":
            iptc = IptcImagePlugin.getiptcinfo(img) or {}
            for key in _IPTC_PEOPLE:
                values = iptc.get(key, [])
                for value in values if isinstance(values, list) else [values]:
                    names.append(value.decode("utf-8", "replace"))
        text_chunks = getattr(img, "text", {}) or {}
        names += [str(v) for k, v in text_chunks.items() if k.lower() in _PNG_TEXT_PEOPLE]
    return names


_CLEANERS: dict[str, Callable[[Path, Path, cleaning.Budget], None]] = {
    "docx": _write_docx_clean,
    "pdf": lambda src, out, budget: _write_pdf_clean(src, out),
    "jpeg": lambda src, out, budget: _write_image_clean(src, "jpeg", out),
    "png": lambda src, out, budget: _write_image_clean(src, "png", out),
    "mp3": lambda src, out, budget: cleaning.write_media_clean(src, "mp3", out, budget),
    "m4a": lambda src, out, budget: cleaning.write_media_clean(src, "m4a", out, budget),
    "mp4": lambda src, out, budget: cleaning.write_media_clean(src, "mp4", out, budget),
}
_HELD_WARNINGS = {"docx": WARN_DOCX_HELD}


def _budget(path: Path, kind: str) -> cleaning.Budget:
    size = path.stat().st_size
    # A DOCX is read up to three times (clean, check the copy, count words); media twice.
    limit = 3 * zip_budget(size) if kind == "docx" else 2 * size + 64 * MIB
    return cleaning.Budget(limit, CLEAN_SECONDS)


def is_held(clean_name: str | None, warning: str) -> bool:
    """Whether judges must not get the file until an organizer has checked it: there is no
    cleaned copy, or the copy comes with a warning (something may still name the author)."""
    return clean_name is None or bool(warning)


def clean_copy(path: Path, kind: str, dest_dir: Path) -> tuple[str | None, str]:
    """Write a copy without author metadata into ``dest_dir``: (its random name, warning).

    The warning is ``""`` when the copy is clean. When part of the metadata could not be
    removed (an embedded object in a DOCX; audio or video metadata that neither mutagen nor
    ffmpeg removed) the copy is written and the warning says so; when the file cannot be
    cleaned at all (damaged, encrypted) the name is ``None``. Either way :func:`is_held` is
    then true: judges get the file only after an organizer has checked it.

    Raises ``UploadRefused("zip_bomb", reason="work")`` when cleaning would take more
    decompressed bytes or seconds than the file's budget, and ``ValueError`` for a kind not in
    :data:`KINDS`; a damaged file never raises.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown file kind {kind!r}")
    path = Path(path)
    cleaner = _CLEANERS[kind]
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=dest_dir, prefix=".clean-", suffix=".part")
    os.close(fd)
    temp = Path(temp_name)
    warning = ""
    try:
        try:
            cleaner(path, temp, _budget(path, kind))
        except cleaning.Held:
            warning = _HELD_WARNINGS.get(kind, WARN_MEDIA_HELD)
        target = _random_name(dest_dir, KINDS[kind].extensions[0])
        os.replace(temp, target)
    except cleaning.WorkExceeded:
        temp.unlink(missing_ok=True)
        raise UploadRefused("zip_bomb", {"reason": "work"}) from None
    except _Encrypted:
        temp.unlink(missing_ok=True)
        return None, WARN_ENCRYPTED
    # Damaged files fail in many ways (zipfile, pypdf, Pillow and mutagen each have their own
    # errors); any of them only means judges get no cleaned copy, which the warning says.
    except Exception:
        temp.unlink(missing_ok=True)
        return None, WARN_DAMAGED
    return target.name, warning


_PEOPLE_READERS: dict[str, Callable[[Path], list[str]]] = {
    "docx": _docx_people,
    "pdf": _pdf_people,
    "jpeg": _image_people,
    "png": _image_people,
}


def metadata_people(path: Path, kind: str) -> list[str]:
    """Names found in the file's author-ish metadata, in order, without blanks or repeats.

    DOCX: core and app properties (creator, last modified by, contributor, publisher, rights,
    company, manager) and authors of comments and tracked changes. PDF: Author, XMP creators
    and contributors, authors of comments. JPEG/PNG: EXIF Artist, Copyright, XPAuthor and camera
    owner, XMP creator/rights, IPTC by-line, PNG text chunks. Audio and video are not read
    (``[]``), nor is a damaged file.
    """
    reader = _PEOPLE_READERS.get(kind)
    if reader is None:
        return []
    try:
        names = reader(Path(path))
    # As in clean_copy: a damaged file has no readable metadata to report.
    except Exception:
        return []
    return list(dict.fromkeys(n.strip() for n in names if n and n.strip()))


cleaning.use_picture_strippers(jpeg=_strip_jpeg, png=_strip_png)
