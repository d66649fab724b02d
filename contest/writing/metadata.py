"""The copy of an upload judges download, without the metadata that names its author.

:func:`clean_copy` dispatches to the cleaner of each kind (:mod:`contest.writing.office`,
:mod:`contest.writing.images`, :mod:`contest.writing.cleaning` for DOCX parts and media) within a
budget of decompressed bytes and seconds; :func:`is_held` says when judges must wait for an
organizer's check; :func:`metadata_people` lists the names found in a file's metadata.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from contest.writing import cleaning
from contest.writing.files import (
    KINDS,
    MIB,
    WARN_DAMAGED,
    WARN_DOCX_HELD,
    WARN_ENCRYPTED,
    WARN_MEDIA_HELD,
    UploadRefused,
    random_name,
    zip_budget,
)
from contest.writing.images import image_people, write_image_clean
from contest.writing.office import (
    Encrypted,
    docx_people,
    pdf_people,
    write_docx_clean,
    write_pdf_clean,
)

if TYPE_CHECKING:
    pass

# Wall-clock seconds that cleaning one file may take before the upload is refused.
CLEAN_SECONDS = 20.0


_CLEANERS: dict[str, Callable[[Path, Path, cleaning.Budget], None]] = {
    "docx": write_docx_clean,
    "pdf": lambda src, out, budget: write_pdf_clean(src, out),
    "jpeg": lambda src, out, budget: write_image_clean(src, "jpeg", out),
    "png": lambda src, out, budget: write_image_clean(src, "png", out),
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
        target = random_name(dest_dir, KINDS[kind].extensions[0])
        os.replace(temp, target)
    except cleaning.WorkExceeded:
        temp.unlink(missing_ok=True)
        raise UploadRefused("zip_bomb", {"reason": "work"}) from None
    except Encrypted:
        temp.unlink(missing_ok=True)
        return None, WARN_ENCRYPTED
    # Damaged files fail in many ways (zipfile, pypdf, Pillow and mutagen each have their own
    # errors); any of them only means judges get no cleaned copy, which the warning says.
    except Exception:
        temp.unlink(missing_ok=True)
        return None, WARN_DAMAGED
    return target.name, warning


_PEOPLE_READERS: dict[str, Callable[[Path], list[str]]] = {
    "docx": docx_people,
    "pdf": pdf_people,
    "jpeg": image_people,
    "png": image_people,
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
