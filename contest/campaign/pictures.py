"""Pictures of the campaign site: checking and resizing uploads (logo, news pictures, material
thumbnails), and drawing the 1200×630 share images that Zalo and Facebook show for a link.

What a picture is comes from Pillow reading its content, never from its name. Pictures are
re-encoded (which also drops their metadata) at the sizes pages need, so a phone never loads a
camera-sized original. Share images are drawn with the shipped Noto Sans, which has every
Vietnamese letter.
"""

from __future__ import annotations

import io
import secrets
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

from contest import fonts
from contest.problems import Problem, Refused

MIB = 1024 * 1024
PICTURE_MAX_BYTES = 10 * MIB
# Far above any photo a phone takes, far below what would exhaust memory when decoded.
PICTURE_MAX_PIXELS = 60_000_000
PICTURE_FORMATS = frozenset({"PNG", "JPEG", "WEBP"})
# News pictures and thumbnails are stored at these widths; pages offer both via srcset.
WIDTHS = (480, 960)
SHARE_SIZE = (1200, 630)


@dataclass(frozen=True)
class StoredPicture:
    """A picture saved as ``<name>-<width>.jpg`` for each of ``WIDTHS`` (or fewer when the
    original is narrower); ``width``/``height`` are those of the largest copy."""

    name: str
    width: int
    height: int


def read_picture(stream: BinaryIO, field: str, max_bytes: int = PICTURE_MAX_BYTES) -> Image.Image:
    """The uploaded picture, decoded and turned upright; raises Refused with ``field``."""
    data = stream.read(max_bytes + 1)
    if not data:
        raise Refused(Problem("picture_empty", field))
    if len(data) > max_bytes:
        raise Refused(Problem("picture_too_large", field, {"limit_mb": max_bytes // MIB}))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in PICTURE_FORMATS:
                raise Refused(Problem("picture_kind", field))
            if probe.width * probe.height > PICTURE_MAX_PIXELS:
                raise Refused(Problem("picture_pixels", field,
                                      {"limit": PICTURE_MAX_PIXELS // 1_000_000}))
            probe.load()
            image = ImageOps.exif_transpose(probe)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise Refused(Problem("picture_kind", field)) from None
    return image


def _flat(image: Image.Image) -> Image.Image:
    """RGB on white: JPEG has no transparency."""
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, "white")
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    return image.convert("RGB")


def store_resized(image: Image.Image, folder: Path,
                  widths: tuple[int, ...] = WIDTHS) -> StoredPicture:
    """Save JPEG copies of ``image`` at ``widths`` (never enlarged) under a random name."""
    folder.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(12)
    flat = _flat(image)
    size = (flat.width, flat.height)
    for width in widths:
        copy = flat.copy()
        if copy.width > width:
            copy = copy.resize((width, round(copy.height * width / copy.width)),
                               Image.Resampling.LANCZOS)
        copy.save(folder / f"{name}-{width}.jpg", "JPEG", quality=82, optimize=True,
                  progressive=True)
        size = copy.size
    return StoredPicture(name, size[0], size[1])


def store_logo(image: Image.Image, folder: Path, height: int = 160) -> StoredPicture:
    """The logo as a PNG at most ``height`` pixels high (logos keep their transparency)."""
    folder.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(12)
    logo = image.convert("RGBA")
    if logo.height > height:
        logo = logo.resize((max(1, round(logo.width * height / logo.height)), height),
                           Image.Resampling.LANCZOS)
    logo.save(folder / f"{name}.png", "PNG", optimize=True)
    return StoredPicture(name, logo.width, logo.height)


def remove(folder: Path, picture_name: str | None) -> None:
    """Delete every stored copy of a picture (quietly when already gone)."""
    if not picture_name:
        return
    for path in folder.glob(f"{picture_name}*"):
        path.unlink(missing_ok=True)


def copy_path(folder: Path, picture_name: str, width: int) -> Path:
    return folder / f"{picture_name}-{width}.jpg"


# --- share images -------------------------------------------------------------------------

BRAND = (123, 31, 92)
INK = (33, 22, 40)


def _font(size: int, style: str = "regular") -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(fonts.path(style)), size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int,
          max_lines: int) -> list[str]:
    """Lines of ``text`` that fit ``width`` pixels, the last shortened with … when cut."""
    words, lines, line = text.split(), [], ""
    for word in words:
        trial = f"{line} {word}".strip()
        if draw.textlength(trial, font=font) <= width:
            line = trial
            continue
        if line:
            lines.append(line)
        line = word if draw.textlength(word, font=font) <= width else textwrap.shorten(
            word, 30, placeholder="…")
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip(" ,.;:") + "…"
    return lines


def share_image(title: str, lines: list[str], footer: str) -> bytes:
    """A 1200×630 PNG: a coloured band with ``footer`` (the campaign), the title in large type
    and up to three short ``lines`` below it."""
    image = Image.new("RGB", SHARE_SIZE, (250, 247, 251))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, SHARE_SIZE[0], 24), fill=BRAND)
    draw.rectangle((0, SHARE_SIZE[1] - 96, SHARE_SIZE[0], SHARE_SIZE[1]), fill=BRAND)
    title_font = _font(60, "bold")
    y = 80
    for text in _wrap(draw, title, title_font, 1080, 4):
        draw.text((60, y), text, font=title_font, fill=INK)
        y += 76
    body_font = _font(36)
    y += 20
    for raw in lines[:3]:
        for text in _wrap(draw, raw, body_font, 1080, 1):
            draw.text((60, y), text, font=body_font, fill=BRAND)
            y += 50
    footer_font = _font(32, "bold")
    for text in _wrap(draw, footer, footer_font, 1080, 1):
        draw.text((60, SHARE_SIZE[1] - 72), text, font=footer_font, fill="white")
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()
