"""The materials library: uploading (content-sniffed like entry files), editing, ordering,
publishing and counting downloads.

A material is an uploaded file or a link. Files are checked by
:func:`contest.writing.files.save_upload` (what a file is comes from its content; the name must
agree) against the kinds the library takes, each with its own size limit. Pictures get a
thumbnail made from themselves and PDFs one drawn from their first page
(:mod:`contest.campaign.pdfthumb`, once, at upload); a thumbnail uploaded with the file wins,
and other files may get one that way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Select, func, select, update

from contest import audit
from contest.campaign import pdfthumb, pictures
from contest.campaign.models import Audience, Material, MaterialCategory
from contest.extensions import db
from contest.problems import Problem, Refused
from contest.writing import files

MIB = files.MIB
# Size limits per kind of file, in MB: documents stay small; clips may be larger.
LIMITS_MB = {"pdf": 20, "docx": 10, "jpeg": 10, "png": 10, "mp3": 30, "m4a": 30, "mp4": 200}
ACCEPTED = tuple(LIMITS_MB)
TITLE_MAX = 200
DESCRIPTION_MAX = 2000
LINK_MAX = 1000
THUMB_WIDTHS = (320, 640)
SUBJECT = "campaign_material"


@dataclass
class MaterialInput:
    title: str
    category: str
    audience: str
    description: str = ""
    link_url: str = ""
    published: bool = False


@dataclass
class Upload:
    stream: BinaryIO
    name: str


def _check(material: Material | None, data: MaterialInput, upload: Upload | None) -> list[Problem]:
    problems = []
    title = data.title.strip()
    if not title:
        problems.append(Problem("title_missing", "title"))
    elif len(title) > TITLE_MAX:
        problems.append(Problem("too_long", "title", {"max": TITLE_MAX}))
    if len(data.description) > DESCRIPTION_MAX:
        problems.append(Problem("too_long", "description", {"max": DESCRIPTION_MAX}))
    if data.category not in set(MaterialCategory):
        problems.append(Problem("unknown_choice", "category"))
    if data.audience not in set(Audience):
        problems.append(Problem("unknown_choice", "audience"))
    link = data.link_url.strip()
    if link:
        if len(link) > LINK_MAX:
            problems.append(Problem("too_long", "link_url", {"max": LINK_MAX}))
        elif not link.lower().startswith(("https://", "http://")):
            problems.append(Problem("bad_link", "link_url"))
        if upload is not None:
            problems.append(Problem("file_and_link", "link_url"))
    has_file = upload is not None or (material is not None and material.stored_name and not link)
    if not link and not has_file:
        problems.append(Problem("file_missing", "upload"))
    return problems


def _refusal(refused: files.UploadRefused) -> Problem:
    p = refused.params
    if refused.reason == "too_large":
        return Problem("file_too_large", "upload", {"name": p.get("name", ""),
                                                     "limit_mb": p["limit_mb"], "kind": "PDF"})
    if refused.reason == "empty":
        return Problem("file_empty", "upload", {"name": p.get("name", "")})
    if refused.reason == "name_mismatch":
        return Problem("file_name_mismatch", "upload",
                       {"name": p["name"], "kind": p["kind_label"], "extensions": p["extensions"]})
    return Problem("file_kind", "upload",
                   {"name": p.get("name", ""), "accepted": accepted_labels()})


def accepted_labels() -> str:
    return ", ".join(f"{files.KINDS[k].label} ({mb} MB)" for k, mb in LIMITS_MB.items())


def _store_file(upload: Upload, folder: Path) -> files.SavedFile:
    try:
        saved = files.save_upload(upload.stream, upload.name, folder, ACCEPTED,
                                  max(LIMITS_MB.values()) * MIB)
    except files.UploadRefused as refused:
        raise Refused(_refusal(refused)) from None
    limit = LIMITS_MB[saved.kind] * MIB
    if saved.size > limit:
        (folder / saved.stored_name).unlink(missing_ok=True)
        raise Refused(Problem("file_too_large", "upload",
                              {"name": saved.original_name, "limit_mb": LIMITS_MB[saved.kind],
                               "kind": files.KINDS[saved.kind].label}))
    return saved


def save_material(material: Material | None, data: MaterialInput, upload: Upload | None,
                  thumbnail: BinaryIO | None, *, actor_id: int | None, folder: Path,
                  thumb_folder: Path) -> Material:
    """Create or change a material. Fields are checked first, then the file, then the
    thumbnail; a refusal removes whatever this call stored, so nothing is left half-way.
    Adds and flushes; the caller commits."""
    problems = _check(material, data, upload)
    if problems:
        raise Refused(*problems)
    saved = _store_file(upload, folder) if upload is not None else None
    try:
        thumb = None
        if thumbnail is not None:
            thumb = pictures.store_resized(pictures.read_picture(thumbnail, "thumbnail"),
                                           thumb_folder, THUMB_WIDTHS)
        elif saved is not None and saved.kind in ("jpeg", "png"):
            with open(folder / saved.stored_name, "rb") as fh:
                thumb = pictures.store_resized(pictures.read_picture(fh, "upload"),
                                               thumb_folder, THUMB_WIDTHS)
        elif saved is not None and saved.kind == "pdf":
            page = pdfthumb.first_page(folder / saved.stored_name, max(THUMB_WIDTHS))
            if page is not None:
                thumb = pictures.store_resized(page, thumb_folder, THUMB_WIDTHS)
    except Refused:
        if saved is not None:
            (folder / saved.stored_name).unlink(missing_ok=True)
        raise
    creating = material is None
    if material is None:
        last = db.session.execute(select(func.max(Material.position))).scalar()
        material = Material(position=(last or 0) + 1)
        db.session.add(material)
    material.title = data.title.strip()
    material.description = data.description.strip()
    material.category = data.category
    material.audience = data.audience
    material.published = data.published
    if data.link_url.strip():
        material.link_url = data.link_url.strip()
        material.kind = material.stored_name = material.size = None
        material.original_name = ""
    if saved is not None:
        material.kind, material.stored_name = saved.kind, saved.stored_name
        material.original_name, material.size = saved.original_name, saved.size
        material.link_url = ""
    if thumb is not None:
        material.thumb_name, material.thumb_width, material.thumb_height = (
            thumb.name, thumb.width, thumb.height)
    db.session.flush()
    audit.record(actor_id, "campaign.material_created" if creating
                 else "campaign.material_changed", SUBJECT, material.id,
                 title=material.title, published=material.published,
                 file=material.original_name or None, link=material.link_url or None)
    return material


def set_published(material: Material, published: bool, *, actor_id: int | None) -> Material:
    material.published = published
    audit.record(actor_id, "campaign.material_published" if published
                 else "campaign.material_unpublished", SUBJECT, material.id)
    return material


def move(material: Material, direction: int, *, actor_id: int | None) -> Material:
    """Swap the material with its neighbour above (``-1``) or below (``1``) in the library."""
    ordered = list(db.session.execute(ordered_all()).scalars())
    index = ordered.index(material)
    other = index + (1 if direction > 0 else -1)
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, item in enumerate(ordered, start=1):
            item.position = position
        audit.record(actor_id, "campaign.material_moved", SUBJECT, material.id,
                     position=material.position)
    return material


def ordered_all() -> Select[Any]:
    return select(Material).order_by(Material.position, Material.id)


def public(category: str | None = None, audience: str | None = None) -> Select[Any]:
    stmt = ordered_all().where(Material.published.is_(True))
    if category:
        stmt = stmt.where(Material.category == category)
    if audience:
        stmt = stmt.where(Material.audience == audience)
    return stmt


def count_download(material: Material) -> None:
    """Add one to the download count in the database itself, so that concurrent downloads
    are all counted."""
    db.session.execute(update(Material).where(Material.id == material.id)
                       .values(download_count=Material.download_count + 1))


def format_label(material: Material) -> str:
    if material.kind:
        return files.KINDS[material.kind].label
    return ""


def mimetype(material: Material) -> str:
    return files.KINDS[material.kind].mimetype if material.kind else "application/octet-stream"
