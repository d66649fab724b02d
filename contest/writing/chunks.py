"""Partial uploads of entry files sent in chunks (the resumable uploader of the entry form).

An upload in progress is two files in ``<upload_root>/partial/``, both named by the upload's
random id (32 hex characters): ``<id>.part``, the bytes received so far, and ``<id>.json``, who
started it, for which entry, the file's name and announced size, and once it has ended its
outcome (``done`` with the file's id, or ``refused`` with the problems). The offset of an upload
is simply the size of its ``.part`` file, so a chunk that was cut off half-way leaves a shorter
file and the client resumes from there. Appending holds an exclusive ``flock`` on the ``.part``
file, so two requests for the same upload take turns and the second sees the offset the first
left.

Nothing here looks at the request or the database: :mod:`contest.writing.uploads_api` speaks
HTTP and :func:`contest.writing.service.attach_upload` attaches a finished file to its entry.
Uploads whose files were last touched more than ``max_age_hours`` ago are removed by
:func:`sweep` (called when an upload starts and by ``flask writing sweep-uploads``).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import BinaryIO

OPEN = "open"
DONE = "done"
REFUSED = "refused"

COPY_BYTES = 64 * 1024

_ID = re.compile(r"[0-9a-f]{32}")


class OffsetMismatch(Exception):  # noqa: N818 - not an error of the server: the client's view
    """The chunk does not start where the upload stands; ``offset`` is where it does."""

    def __init__(self, offset: int) -> None:
        super().__init__(offset)
        self.offset = offset


class TooMuchData(Exception):  # noqa: N818
    """The chunk would take the upload past the size announced when it started."""


@dataclass
class Partial:
    """What is known of an upload besides its bytes (the ``.json`` file)."""

    id: str
    entry_id: int
    user_id: int
    name: str
    size: int
    reason: str = ""
    state: str = OPEN
    file_id: int | None = None
    problems: list[dict] = field(default_factory=list)


def partial_dir(upload_root: str | Path) -> Path:
    return Path(upload_root) / "partial"


def _paths(upload_root: str | Path, upload_id: str) -> tuple[Path, Path]:
    folder = partial_dir(upload_root)
    return folder / f"{upload_id}.part", folder / f"{upload_id}.json"


def data_path(upload_root: str | Path, partial: Partial) -> Path:
    return _paths(upload_root, partial.id)[0]


def _write_meta(upload_root: str | Path, partial: Partial) -> None:
    meta = _paths(upload_root, partial.id)[1]
    temp = meta.with_suffix(".json.tmp")
    temp.write_text(json.dumps(asdict(partial)), encoding="utf-8")
    os.replace(temp, meta)


def create(upload_root: str | Path, *, entry_id: int, user_id: int, name: str, size: int,
           reason: str = "") -> Partial:
    """Start an upload: an empty ``.part`` file and its description."""
    folder = partial_dir(upload_root)
    folder.mkdir(parents=True, exist_ok=True)
    while True:
        upload_id = secrets.token_hex(16)
        part, _meta = _paths(upload_root, upload_id)
        try:
            part.open("xb").close()
        except FileExistsError:
            continue
        break
    partial = Partial(upload_id, entry_id, user_id, name, size, reason)
    _write_meta(upload_root, partial)
    return partial


def load(upload_root: str | Path, upload_id: str) -> Partial | None:
    """The upload with this id, or ``None`` (no such upload, or an id that is not one)."""
    if not _ID.fullmatch(upload_id):
        return None
    meta = _paths(upload_root, upload_id)[1]
    try:
        values = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return Partial(**values)


def offset(upload_root: str | Path, partial: Partial) -> int:
    """How many bytes have arrived (the whole size once the upload has ended)."""
    if partial.state != OPEN:
        return partial.size
    try:
        return data_path(upload_root, partial).stat().st_size
    except FileNotFoundError:
        return 0


@dataclass
class Locked:
    """An open upload's ``.part`` file, held exclusively while a chunk is appended."""

    handle: BinaryIO
    offset: int


@contextmanager
def _locked(upload_root: str | Path, partial: Partial) -> Iterator[Locked]:
    handle = data_path(upload_root, partial).open("r+b")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        handle.seek(0, os.SEEK_END)
        yield Locked(handle, handle.tell())
    finally:
        handle.close()  # closing releases the lock


def append(upload_root: str | Path, partial: Partial, start: int, stream: BinaryIO,
           length: int) -> int:
    """Append ``length`` bytes of ``stream`` at ``start``; the new offset.

    Raises :class:`OffsetMismatch` when ``start`` is not the current offset and
    :class:`TooMuchData` when the chunk would pass the announced size; then nothing is written.
    When the stream ends early (a dropped connection) what arrived is kept.
    """
    with _locked(upload_root, partial) as locked:
        if start != locked.offset:
            raise OffsetMismatch(locked.offset)
        if start + length > partial.size:
            raise TooMuchData
        left = length
        while left > 0:
            chunk = stream.read(min(COPY_BYTES, left))
            if not chunk:
                break
            locked.handle.write(chunk)
            left -= len(chunk)
        locked.handle.flush()
        return locked.handle.tell()


def finish(upload_root: str | Path, partial: Partial, state: str, *,
           file_id: int | None = None, problems: list[dict] | None = None) -> None:
    """Record the outcome and drop the received bytes (the stored file is a copy)."""
    partial.state = state
    partial.file_id = file_id
    partial.problems = list(problems or [])
    _write_meta(upload_root, partial)
    data_path(upload_root, partial).unlink(missing_ok=True)


def discard(upload_root: str | Path, partial: Partial) -> None:
    for path in _paths(upload_root, partial.id):
        path.unlink(missing_ok=True)


def sweep(upload_root: str | Path, max_age_hours: float, now: float | None = None) -> int:
    """Remove the uploads not touched for ``max_age_hours``; how many were removed."""
    folder = partial_dir(upload_root)
    if not folder.is_dir():
        return 0
    cutoff = (time.time() if now is None else now) - max_age_hours * 3600
    removed = 0
    for meta in folder.glob("*.json"):
        part = meta.with_suffix(".part")
        times = [p.stat().st_mtime for p in (meta, part) if p.exists()]
        if times and max(times) < cutoff:
            part.unlink(missing_ok=True)
            meta.unlink(missing_ok=True)
            removed += 1
    for temp in folder.glob("*.json.tmp"):
        if temp.stat().st_mtime < cutoff:
            temp.unlink(missing_ok=True)
    return removed
