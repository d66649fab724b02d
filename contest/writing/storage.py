"""Files of entries on disk, in step with the database transaction.

Uploaded files live in ``<upload_root>/entries/<entry id>/`` under random names, next to the
cleaned copies judges download (:mod:`contest.writing.uploads`, :mod:`contest.writing.metadata`).
New files are removed again when the transaction rolls back, and removed files are deleted once it
commits (session events below).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from contest.extensions import db
from contest.problems import Problem
from contest.writing import files, metadata, words
from contest.writing.inputs import Upload
from contest.writing.models import (
    Category,
    Entry,
    EntryFile,
)

MIB = 1024 * 1024


def entry_dir(upload_root: str | Path, entry: Entry) -> Path:
    return Path(upload_root) / "entries" / str(entry.id)


def file_path(upload_root: str | Path, entry_file: EntryFile, clean: bool = False) -> Path | None:
    """Where a file (or its cleaned copy) is stored; None when there is no cleaned copy."""
    name = entry_file.clean_name if clean else entry_file.stored_name
    if not name:
        return None
    return Path(upload_root) / "entries" / str(entry_file.entry_id) / name


def anonymised_name(entry: Entry, position: int, entry_file: EntryFile) -> str:
    """A file name that says nothing about the author: ``BC-017-1.pdf``."""
    return f"{entry.anon_code}-{position}{files.KINDS[entry_file.kind].extensions[0]}"


def is_held(entry_file: EntryFile) -> bool:
    """Whether the file is kept from judges: it could not be cleaned completely and no
    organizer has confirmed yet that it was checked."""
    return entry_file.checked_at is None and metadata.is_held(
        entry_file.clean_name, entry_file.clean_warning
    )


def anonymised_source(
    upload_root: str | Path, entry_file: EntryFile, for_organizer: bool
) -> Path | None:
    """What blind review serves for a file: the cleaned copy; nothing to judges while the file
    is held (see :func:`is_held`); once an organizer confirmed a file without a cleaned copy,
    the file as uploaded. Organizers always get the cleaned copy, else the upload.
    """
    clean = file_path(upload_root, entry_file, clean=True)
    if for_organizer:
        return clean or file_path(upload_root, entry_file)
    if is_held(entry_file):
        return None
    return clean or file_path(upload_root, entry_file)


NEW_FILES = "writing.new_files"


DOOMED_FILES = "writing.doomed_files"


def track(key: str, path: Path) -> None:
    db.session().info.setdefault(key, []).append(str(path))


@event.listens_for(Session, "after_commit")
def _files_after_commit(session: Session) -> None:
    session.info.pop(NEW_FILES, None)
    for name in session.info.pop(DOOMED_FILES, []):
        Path(name).unlink(missing_ok=True)


@event.listens_for(Session, "after_soft_rollback")
def _files_after_rollback(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is not None:  # a savepoint: the outer work goes on
        return
    session.info.pop(DOOMED_FILES, None)
    for name in session.info.pop(NEW_FILES, []):
        Path(name).unlink(missing_ok=True)


def discard(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


@dataclass
class Stored:
    saved: files.SavedFile
    clean_name: str | None
    clean_warning: str
    words: int | None = None

    def paths(self, folder: Path) -> list[Path]:
        found = [folder / self.saved.stored_name]
        if self.clean_name:
            found.append(folder / self.clean_name)
        return found


def store_uploads(
    uploads: Sequence[Upload], category: Category, folder: Path, existing: int
) -> tuple[list[Stored], list[Problem]]:
    """Save each upload that passes its checks; problems for the refused ones."""
    stored: list[Stored] = []
    problems: list[Problem] = []
    for upload in uploads:
        try:
            files.check_file_count(existing + len(stored), category.max_files)
            saved = files.save_upload(
                upload.stream,
                upload.filename,
                folder,
                tuple(category.accepted_kinds or ()),
                category.max_file_mb * MIB,
            )
        except files.UploadRefused as refused:
            params = dict(refused.params)
            params.setdefault("name", files.display_name(upload.filename))
            problems.append(Problem(refused.code, "files", params))
            continue
        track(NEW_FILES, folder / saved.stored_name)
        try:
            clean_name, warning = metadata.clean_copy(folder / saved.stored_name, saved.kind,
                                                   folder)
        except files.UploadRefused as refused:
            # Cleaning would cost more than the file's budget: refuse it like a zip bomb.
            (folder / saved.stored_name).unlink(missing_ok=True)
            params = {**refused.params, "name": saved.original_name,
                      "accepted": ", ".join(files.KINDS[k].label for k in files.KINDS
                                            if k in (category.accepted_kinds or ()))}
            problems.append(Problem(refused.code, "files", params))
            continue
        item = Stored(saved, clean_name, warning,
                       words.document_words(folder / saved.stored_name, saved.kind))
        if clean_name:
            track(NEW_FILES, folder / clean_name)
        stored.append(item)
    return stored, problems
