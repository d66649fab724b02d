"""JPEG and PNG photos: metadata removed without re-encoding, and the people it names.

Photo entries are judged on their image quality and a JPEG re-save loses some, so metadata
segments and chunks (EXIF, XMP, IPTC, comments, text chunks) are cut out byte for byte; only the
EXIF orientation is written back. Pillow is imported inside the functions that use it.
"""

from __future__ import annotations

import html
import re
import struct
from pathlib import Path
from typing import TYPE_CHECKING

from contest.writing.files import PNG_MAGIC

if TYPE_CHECKING:
    pass

# JPEG segments kept: everything that is image data, plus JFIF (APP0), the colour profile
# (APP2 "ICC_PROFILE") and Adobe's colour transform (APP14). Other APPn carry EXIF, XMP, IPTC,
# maker notes, multi-picture previews and content credentials; COM is free text.
_JPEG_KEEP_APP = {0xE0: (b"JFIF\x00", b"JFXX\x00"), 0xE2: (b"ICC_PROFILE\x00",), 0xEE: (b"Adobe",)}


_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})


def strip_jpeg(data: bytes, orientation: int | None) -> bytes:
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


def strip_png(data: bytes) -> bytes:
    """The PNG without text, EXIF, time and private chunks; stops at IEND."""
    if not data.startswith(PNG_MAGIC):
        raise ValueError("not a PNG file")
    out = [PNG_MAGIC]
    pos = len(PNG_MAGIC)
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


def write_image_clean(path: Path, kind: str, out: Path) -> None:
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
        out.write_bytes(strip_jpeg(data, orientation))
        _check_image(out, "JPEG")
    else:
        out.write_bytes(strip_png(data))
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


def image_people(path: Path) -> list[str]:
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
