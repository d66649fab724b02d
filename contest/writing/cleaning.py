"""Deep cleaning of Word documents and of audio and video files for blind judging.

:mod:`contest.writing.files` calls these for the copies judges download; PDF and photo cleaning
stay there. Everything here works under a :class:`Budget` of decompressed bytes and seconds, so
a crafted file costs a bounded amount of work whatever it contains.

DOCX (:func:`write_docx_clean`), every place Word keeps people or identifiers:

* ``docProps``: ``core.xml`` and ``app.xml`` are replaced by empty property sets; ``custom.xml``
  and the thumbnail (a picture of the first page, byline included) are dropped.
* comments: the comment parts (``comments*.xml``), the list of reviewers (``people.xml``) and
  the comment anchors in the text are dropped.
* tracked changes and other marks: every ``author`` attribute (insertions, deletions, moves,
  formatting changes) becomes ``Author``; ``initials``, ``userId`` and ``providerId`` go, and so
  do permission ranges (``w:permStart`` names users).
* ``w:rsid*`` attributes everywhere and the ``w:rsids`` list: editing-session ids that link
  documents written on the same machine.
* settings that carry names or ids: the attached template (a path such as
  ``C:\\Users\\<name>\\…``) and its relationship, document variables, mail-merge sources and the
  ``w14``/``w15`` document ids.
* ``customXml`` data parts (SharePoint and form data often name people).
* pictures: JPEG and PNG lose EXIF, XMP and IPTC (byte-wise, without re-encoding); EMF pictures
  lose their description string; BMP has no metadata. Any other embedded picture or object
  (embedded workbooks and documents, OLE objects, GIF, TIFF, WMF, SVG…) cannot be cleaned here:
  the copy is written, but held back from judges until an organizer has checked it.
* the ZIP container itself: member times are reset, and extra fields and the archive comment
  are not copied.

The XML parts are rewritten with regular expressions on the serialised bytes rather than by
parsing and re-serialising: a parser would rename namespace prefixes, which breaks the
``mc:Ignorable`` lists that name them. Every rewritten part is then checked to be well-formed,
and the finished copy is read again by :func:`docx_leftovers`; a copy with anything left is not
used.

Audio and video (:func:`write_media_clean`): MP3 loses its ID3v1, ID3v2 and APEv2 tags through
mutagen. M4A and MP4 lose their iTunes-style tags (``ilst``) through mutagen; metadata mutagen
does not rewrite (QuickTime ``udta`` items such as ``©aut`` or ``auth``, ``mdta`` keys, XMP in
``uuid`` boxes) is found by walking the boxes, and such a file is remuxed with ``ffmpeg``
(streams copied, metadata and chapters dropped) where ffmpeg is installed. When something is
still left, the copy is held back from judges until an organizer has checked it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import xml.parsers.expat
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

__all__ = [
    "Budget",
    "Held",
    "WorkExceeded",
    "docx_leftovers",
    "media_leftovers",
    "write_docx_clean",
    "write_media_clean",
]

MIB = 1024 * 1024


class WorkExceeded(Exception):
    """Cleaning a file would take more bytes or seconds than its budget allows."""


class Held(Exception):
    """The copy was written as far as it could be cleaned, but something may still name the
    author: judges get it only after an organizer has checked it. ``what`` says which part."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class Budget:
    """Decompressed bytes and wall-clock seconds that one file's checks and cleaning may use."""

    def __init__(self, max_bytes: int, seconds: float) -> None:
        self.left = max_bytes
        self.deadline = time.monotonic() + seconds

    def spend(self, n: int = 0) -> None:
        self.left -= n
        if self.left < 0 or time.monotonic() > self.deadline:
            raise WorkExceeded

    def seconds_left(self) -> float:
        return max(0.0, self.deadline - time.monotonic())


# --- DOCX ----------------------------------------------------------------------------------

_DROPPED = re.compile(
    r"""^(?:docProps/custom\.xml
        |docProps/thumbnail\.[^/]+
        |word/(?:glossary/)?comments(?:Extended|Ids|Extensible)?\.xml
        |word/(?:glossary/)?people\.xml
        |word/(?:glossary/)?_rels/(?:comments(?:Extended|Ids|Extensible)?|people)\.xml\.rels
        |customXml/.*
        )$""",
    re.X | re.I,
)
_HELD_PARTS = re.compile(r"^word/(?:embeddings|activeX)/|\.bin$", re.I)
_EMPTY_CORE = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    b'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"/>'
)
_EMPTY_APP = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'extended-properties"/>'
)
_REPLACED = {"docProps/core.xml": _EMPTY_CORE, "docProps/app.xml": _EMPTY_APP}
_NEUTRAL_AUTHOR = b"Author"

_Q = rb"""(?:"[^"]*"|'[^']*')"""
_RSID_ATTR = re.compile(rb"\s[\w.-]+:rsid\w*\s*=\s*" + _Q)
_AUTHOR_ATTR = re.compile(rb"(\s(?:[\w.-]+:)?author\s*=\s*)" + _Q)
_PERSON_ATTRS = re.compile(rb"\s[\w.-]+:(?:initials|userId|providerId)\s*=\s*" + _Q)
_ANCHORS = re.compile(
    rb"<([\w.-]+:)(commentRangeStart|commentRangeEnd|commentReference|permStart|permEnd)\b"
    rb"[^<>]*?(?:/>|>\s*</\1\2\s*>)"
)
_SETTINGS_BLOCKS = re.compile(
    rb"<([\w.-]+:)(rsids|docVars|mailMerge)\b[^<>]*?(?:/>|>.*?</\1\2\s*>)", re.S
)
_SETTINGS_EMPTY = re.compile(
    rb"<([\w.-]+:)(attachedTemplate|docId|documentId)\b[^<>]*?(?:/>|>\s*</\1\2\s*>)"
)
_RELATIONSHIP = re.compile(rb"<Relationship\b[^<>]*?(?:/>|>\s*</Relationship\s*>)")
_OVERRIDE = re.compile(rb"<Override\b[^<>]*?(?:/>|>\s*</Override\s*>)")
_ATTR = re.compile(rb"""\s([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ATTACHED_TEMPLATE_REL = b"/attachedTemplate"
_COMMENTS_REL = re.compile(rb"/(?:comments\w*|people)$", re.I)

MAX_PART_BYTES = 32 * MIB


def _attrs(tag: bytes) -> dict[bytes, bytes]:
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
            for m in _ATTR.finditer(tag)}


def _resolve(rels_name: str, target: str) -> str:
    """The part a relationship of ``rels_name`` points at, as a member name."""
    if target.startswith("/"):
        return target.lstrip("/")
    # word/_rels/document.xml.rels -> word/ ; _rels/.rels -> ""
    source_dir = PurePosixPath(rels_name).parent.parent
    parts: list[str] = []
    for piece in (source_dir / target).parts:
        if piece == "..":
            if parts:
                parts.pop()
        elif piece not in (".", ""):
            parts.append(piece)
    return "/".join(parts)


def _scrub_rels(name: str, data: bytes, dropped: set[str]) -> bytes:
    def keep(match: re.Match[bytes]) -> bytes:
        attrs = _attrs(match.group(0))
        rel_type = attrs.get(b"Type", b"")
        if rel_type.endswith(_ATTACHED_TEMPLATE_REL) or _COMMENTS_REL.search(rel_type):
            return b""
        if attrs.get(b"TargetMode", b"").lower() != b"external":
            target = attrs.get(b"Target", b"").decode("utf-8", "replace")
            if _resolve(name, target) in dropped:
                return b""
        return match.group(0)

    return _RELATIONSHIP.sub(keep, data)


def _scrub_content_types(data: bytes, dropped: set[str]) -> bytes:
    def keep(match: re.Match[bytes]) -> bytes:
        part = _attrs(match.group(0)).get(b"PartName", b"").decode("utf-8", "replace")
        return b"" if part.lstrip("/") in dropped else match.group(0)

    return _OVERRIDE.sub(keep, data)


def _scrub_xml(name: str, data: bytes) -> bytes:
    data = _RSID_ATTR.sub(b"", data)
    data = _AUTHOR_ATTR.sub(lambda m: m.group(1) + b'"' + _NEUTRAL_AUTHOR + b'"', data)
    data = _PERSON_ATTRS.sub(b"", data)
    data = _ANCHORS.sub(b"", data)
    if name.endswith("settings.xml"):
        data = _SETTINGS_BLOCKS.sub(b"", data)
        data = _SETTINGS_EMPTY.sub(b"", data)
    return data


def _well_formed(data: bytes) -> None:
    parser = xml.parsers.expat.ParserCreate()
    # No handlers: this only checks the syntax. Entity declarations are refused outright.
    def refuse(*_args: object) -> None:
        raise ValueError("entity declarations are not allowed")

    parser.EntityDeclHandler = refuse
    parser.Parse(data, True)


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: Budget, limit: int) -> bytes:
    if info.file_size > limit:
        raise WorkExceeded
    budget.spend(info.file_size)
    with zf.open(info) as member:
        data = member.read(limit + 1)
    if len(data) > limit:
        raise WorkExceeded
    return data


def _clean_emf(data: bytes) -> bytes:
    """The EMF with its description string (application and picture name) zeroed."""
    if len(data) < 88 or data[40:44] != b" EMF":
        raise ValueError("not an EMF picture")
    count = int.from_bytes(data[60:64], "little")
    offset = int.from_bytes(data[64:68], "little")
    if count and offset:
        end = offset + 2 * count
        if offset < 88 or end > len(data):
            raise ValueError("damaged EMF header")
        data = data[:offset] + b"\0" * (2 * count) + data[end:]
    return data


# JPEG and PNG pictures are stripped by the code that strips photo entries, in
# contest.writing.files. That module imports this one, so it hands its strippers over when it is
# loaded (use_picture_strippers) rather than this module importing it back.
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_picture_strippers: dict[str, Callable[[bytes], bytes]] = {}


def use_picture_strippers(*, jpeg: Callable[[bytes, int | None], bytes],
                          png: Callable[[bytes], bytes]) -> None:
    """Strip JPEG (``jpeg(data, orientation)``, no orientation kept) and PNG pictures inside
    DOCX files with these functions."""
    _picture_strippers["jpeg"] = lambda data: jpeg(data, None)
    _picture_strippers["png"] = png


def _stripper(kind: str) -> Callable[[bytes], bytes]:
    try:
        return _picture_strippers[kind]
    except KeyError:
        raise RuntimeError(
            "no picture strippers: contest.writing.files hands them over when it is imported"
        ) from None


def _clean_picture(data: bytes) -> bytes | None:
    """The picture without metadata, or None when this kind of picture cannot be cleaned."""
    if data.startswith(b"\xff\xd8\xff"):
        return _stripper("jpeg")(data)
    if data.startswith(_PNG_MAGIC):
        return _stripper("png")(data)
    if data[:4] == b"\x01\x00\x00\x00" and data[40:44] == b" EMF":
        return _clean_emf(data)
    if data.startswith(b"BM"):
        return data
    return None


def _is_xml_part(name: str) -> bool:
    return name.endswith((".xml", ".rels"))


def write_docx_clean(src: zipfile.ZipFile, out: Path, budget: Budget) -> None:
    """Write the cleaned copy of the open DOCX ``src`` to ``out``.

    Raises :class:`Held` (after writing the copy) when an embedded object or picture could not
    be cleaned, :class:`WorkExceeded` past the budget, and ``ValueError`` for a damaged part.
    """
    members = src.infolist()
    dropped = {m.filename for m in members if _DROPPED.match(m.filename)}
    held: list[str] = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in members:
            budget.spend()
            name = info.filename
            if name in dropped or info.is_dir():
                continue
            copy = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            copy.compress_type = zipfile.ZIP_DEFLATED
            if name in _REPLACED:
                dst.writestr(copy, _REPLACED[name])
            elif name == "[Content_Types].xml":
                data = _scrub_content_types(_read(src, info, budget, MAX_PART_BYTES), dropped)
                _well_formed(data)
                dst.writestr(copy, data)
            elif name.endswith(".rels"):
                data = _scrub_rels(name, _read(src, info, budget, MAX_PART_BYTES), dropped)
                _well_formed(data)
                dst.writestr(copy, data)
            elif _is_xml_part(name):
                data = _scrub_xml(name, _read(src, info, budget, MAX_PART_BYTES))
                _well_formed(data)
                dst.writestr(copy, data)
            elif _HELD_PARTS.search(name):
                held.append(name)
                _copy_member(src, info, dst, copy, budget)
            elif name.startswith("word/media/") or "/media/" in name:
                data = _read(src, info, budget, MAX_PART_BYTES * 2)
                cleaned = _clean_picture(data)
                if cleaned is None:
                    held.append(name)
                    cleaned = data
                dst.writestr(copy, cleaned)
            else:
                _copy_member(src, info, dst, copy, budget)
    if held:
        raise Held(", ".join(held))


def _copy_member(src: zipfile.ZipFile, info: zipfile.ZipInfo, dst: zipfile.ZipFile,
                 copy: zipfile.ZipInfo, budget: Budget) -> None:
    with src.open(info) as reader, dst.open(copy, "w") as writer:
        while chunk := reader.read(MIB):
            budget.spend(len(chunk))
            writer.write(chunk)


_LEFTOVER_XML = (
    (_RSID_ATTR, "rsid"),
    (_PERSON_ATTRS, "initials or user id"),
    (_ANCHORS, "comment or permission mark"),
)


def docx_leftovers(zf: zipfile.ZipFile, budget: Budget) -> list[str]:
    """What still names or identifies someone in a (cleaned) DOCX; empty when nothing does."""
    found: list[str] = []
    for info in zf.infolist():
        budget.spend()
        name = info.filename
        if _DROPPED.match(name):
            found.append(name)
            continue
        if not _is_xml_part(name):
            continue
        data = _read(zf, info, budget, MAX_PART_BYTES)
        for pattern, label in _LEFTOVER_XML:
            if pattern.search(data):
                found.append(f"{name}: {label}")
        for match in _AUTHOR_ATTR.finditer(data):
            if not match.group(0).endswith(b'"' + _NEUTRAL_AUTHOR + b'"'):
                found.append(f"{name}: author")
                break
        if name.endswith("settings.xml") and (
            _SETTINGS_BLOCKS.search(data) or _SETTINGS_EMPTY.search(data)
        ):
            found.append(f"{name}: settings")
        if name in _REPLACED and data != _REPLACED[name]:
            found.append(name)
    return found


# --- audio and video -----------------------------------------------------------------------

_TOP_ALLOWED = frozenset({b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"moof",
                          b"mfra", b"sidx", b"styp", b"pdin"})
_MOOV_ALLOWED = frozenset({b"mvhd", b"trak", b"mvex", b"iods", b"free", b"skip"})
_TRAK_ALLOWED = frozenset({b"tkhd", b"mdia", b"edts", b"tref", b"free", b"skip", b"tapt",
                           b"load"})
_META_ALLOWED = frozenset({b"hdlr", b"free", b"skip"})


def _boxes(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, box end) of the boxes in ``data[start:end]``."""
    pos = start
    while pos + 8 <= end:
        size = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        header = 8
        if size == 1:
            if pos + 16 > end:
                raise ValueError("damaged box")
            size = int.from_bytes(data[pos + 8:pos + 16], "big")
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            raise ValueError("damaged box")
        yield kind, pos + header, pos + size
        pos += size


def _meta_leftovers(data: bytes, start: int, end: int, where: str) -> list[str]:
    # ISO meta is a full box (4 bytes of version and flags); QuickTime's is not.
    if data[start + 4:start + 8] not in (b"hdlr", b"keys", b"ilst", b"free"):
        start += 4
    found = []
    for kind, body, box_end in _boxes(data, start, end):
        if kind == b"ilst":
            if any(k not in (b"free", b"skip") for k, _, _ in _boxes(data, body, box_end)):
                found.append(f"{where}/meta/ilst")
        elif kind not in _META_ALLOWED:
            found.append(f"{where}/meta/{kind.decode('latin-1')}")
    return found


def _udta_leftovers(data: bytes, start: int, end: int, where: str) -> list[str]:
    found = []
    for kind, body, box_end in _boxes(data, start, end):
        if kind == b"meta":
            found += _meta_leftovers(data, body, box_end, where + "/udta")
        elif kind not in (b"free", b"skip"):
            found.append(f"{where}/udta/{kind.decode('latin-1')}")
    return found


def _read_boxes_region(path: Path, budget: Budget) -> bytes:
    """The file without the contents of its media data boxes (which hold no metadata)."""
    size = path.stat().st_size
    parts: list[bytes] = []
    with open(path, "rb") as f:
        pos = 0
        while pos + 8 <= size:
            f.seek(pos)
            head = f.read(16)
            box_size = int.from_bytes(head[0:4], "big")
            kind = head[4:8]
            header = 8
            if box_size == 1:
                box_size = int.from_bytes(head[8:16], "big")
                header = 16
            elif box_size == 0:
                box_size = size - pos
            if box_size < header or pos + box_size > size:
                raise ValueError("damaged box")
            if kind == b"mdat":
                # Keep the box as an empty one of the same kind.
                parts.append((8).to_bytes(4, "big") + b"mdat")
            else:
                if box_size > MAX_PART_BYTES:
                    raise WorkExceeded
                budget.spend(box_size)
                f.seek(pos)
                parts.append(f.read(box_size))
            pos += box_size
    return b"".join(parts)


def media_leftovers(path: Path, budget: Budget) -> list[str]:
    """Metadata boxes still in an MP4/M4A file (outside the media data); empty when clean."""
    data = _read_boxes_region(path, budget)
    found = []
    for kind, body, end in _boxes(data, 0, len(data)):
        if kind == b"moov":
            for child, cbody, cend in _boxes(data, body, end):
                if child == b"udta":
                    found += _udta_leftovers(data, cbody, cend, "moov")
                elif child == b"meta":
                    found += _meta_leftovers(data, cbody, cend, "moov")
                elif child == b"trak":
                    for grand, gbody, gend in _boxes(data, cbody, cend):
                        if grand == b"udta":
                            found += _udta_leftovers(data, gbody, gend, "trak")
                        elif grand == b"meta":
                            found += _meta_leftovers(data, gbody, gend, "trak")
                        elif grand not in _TRAK_ALLOWED:
                            found.append(f"trak/{grand.decode('latin-1')}")
                elif child not in _MOOV_ALLOWED:
                    found.append(f"moov/{child.decode('latin-1')}")
        elif kind not in _TOP_ALLOWED:
            found.append(kind.decode("latin-1"))
    return found


def _ffmpeg() -> str | None:
    return shutil.which(os.environ.get("FFMPEG", "ffmpeg"))


def _remux(src: Path, out: Path, budget: Budget) -> bool:
    """Copy the streams of ``src`` into ``out`` without metadata; False if ffmpeg cannot."""
    ffmpeg = _ffmpeg()
    if ffmpeg is None:
        return False
    command = [
        ffmpeg, "-nostdin", "-v", "error", "-y", "-i", str(src),
        "-map", "0", "-map_metadata", "-1", "-map_chapters", "-1", "-c", "copy",
        "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
        "-f", "mp4", str(out),
    ]
    try:
        done = subprocess.run(command, capture_output=True, timeout=budget.seconds_left(),  # noqa: S603
                              check=False)
    except subprocess.TimeoutExpired:
        raise WorkExceeded from None
    return done.returncode == 0 and out.is_file() and out.stat().st_size > 0


def write_media_clean(path: Path, kind: str, out: Path, budget: Budget) -> None:
    """Write the copy of an MP3, M4A or MP4 without tags to ``out``.

    Raises :class:`Held` (after writing the copy) when metadata is left that neither mutagen
    nor ffmpeg removed, ``ValueError`` for a file that cannot be read.
    """
    from mutagen import MutagenError
    from mutagen.apev2 import delete as delete_ape
    from mutagen.id3 import delete as delete_id3
    from mutagen.mp4 import MP4
    budget.spend(path.stat().st_size)
    shutil.copyfile(path, out)
    try:
        if kind == "mp3":
            # Each tag is only found at the very end of the file: an APE tag written after an
            # ID3v1 tag hides it, and the other way round, so peel them off twice.
            for _ in range(2):
                delete_ape(out)
                delete_id3(out, delete_v1=True, delete_v2=True)
            with open(out, "rb") as f:
                head = f.read(3)
                f.seek(max(0, out.stat().st_size - 128))
                tail = f.read()
            if head == b"ID3" or tail.startswith(b"TAG") or b"APETAGEX" in tail:
                raise Held("tags")
            return
        MP4(out).delete()
    except MutagenError as exc:
        raise ValueError(f"cannot read the tags: {exc}") from exc
    left = media_leftovers(out, budget)
    if not left:
        return
    remuxed = out.with_name(out.name + ".remux")
    try:
        if _remux(out, remuxed, budget):
            try:
                MP4(remuxed).delete()
            except MutagenError:
                pass
            if not media_leftovers(remuxed, budget):
                os.replace(remuxed, out)
                return
    finally:
        remuxed.unlink(missing_ok=True)
    raise Held(", ".join(left))
