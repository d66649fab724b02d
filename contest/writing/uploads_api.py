"""The resumable uploader's JSON endpoints: an entry's file sent in chunks with offsets.

``POST /writing/entries/<id>/uploads`` with ``{"name", "size"}`` (an organizer after the
deadline adds ``"reason"``) starts an upload, or refuses it at once (an over-size file with the
category's real limit in MB); ``PATCH …/uploads/<upload>`` with the header ``Upload-Offset`` and
the bytes as the body appends a chunk of at most ``UPLOAD_CHUNK_BYTES`` (a wrong offset is a 409
carrying the current one); ``GET``/``HEAD`` tell the current offset (header ``Upload-Offset``
and JSON) so a client resumes after a dropped connection; ``DELETE`` abandons an upload. The
chunk that completes the file attaches it to the entry through
:func:`contest.writing.service.attach_upload`, with the checks and messages of the form.

Only the entry's author (or an organizer) may upload, and only to an upload they started.
Every changing request carries the CSRF token in ``X-CSRFToken``, checked here after the
request's own size limit is set (the app-wide check is skipped for these views, as for the
entry form).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import RequestEntityTooLarge

from contest.extensions import csrf, db
from contest.problems import Problem
from contest.writing import access, chunks, inputs, messages, service
from contest.writing.models import Entry

bp = Blueprint("writing_uploads", __name__, url_prefix="/writing")

# A create, GET or DELETE request carries a few hundred bytes of JSON at most.
SMALL_REQUEST = 16 * 1024


def _root() -> str:
    return current_app.config["UPLOAD_ROOT"]


def _chunk_bytes() -> int:
    return int(current_app.config["UPLOAD_CHUNK_BYTES"])


def _refusal(status: int, problems: list[Problem], **extra):  # noqa: ANN003, ANN202
    return jsonify(ok=False, messages=[messages.problem_message(p) for p in problems],
                   codes=[p.code for p in problems], **extra), status


@bp.errorhandler(CSRFError)
def _expired(_error: CSRFError):  # noqa: ANN202
    """The uploader reads JSON: an expired or missing token is said in words it can show."""
    return jsonify(ok=False, codes=["csrf"], messages=[_(
        "This page has expired. Reload the page and send the file again.")]), 400


def _protect(limit: int) -> None:
    """Set this request's size limit, then check the CSRF token (raises 413 or 400)."""
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge
    if request.method != "GET" and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()


def _entry(entry_id: int) -> Entry:
    """The entry, if the current user may change it: 404 when they may not see it, else 403."""
    entry = db.session.get(Entry, entry_id)
    if entry is None or not access.may_view(current_user, entry):
        abort(404)
    if not access.may_edit(current_user, entry):
        abort(403)
    return entry


def _upload(entry: Entry, upload_id: str) -> chunks.Partial:
    """An upload of this entry started by the current user; 404 for anything else."""
    partial = chunks.load(_root(), upload_id)
    if partial is None or partial.entry_id != entry.id or partial.user_id != current_user.id:
        abort(404)
    return partial


def _file_json(entry: Entry, file_id: int | None) -> dict | None:
    item = next((f for f in entry.files if f.id == file_id), None)
    if item is None:
        return None
    return {"id": item.id, "name": item.original_name, "kind": item.kind, "size": item.size,
            "url": url_for("writing.download", entry_id=entry.id, file_id=item.id)}


def _state(entry: Entry, partial: chunks.Partial, status: int = 200):  # noqa: ANN202
    """The upload as the client needs it to go on (or to know how it ended)."""
    at = chunks.offset(_root(), partial)
    body = {"ok": partial.state != chunks.REFUSED, "id": partial.id, "state": partial.state,
            "offset": at, "size": partial.size, "chunk_size": _chunk_bytes(),
            "url": url_for("writing_uploads.chunk", entry_id=entry.id, upload_id=partial.id)}
    if partial.state == chunks.DONE:
        body["file"] = _file_json(entry, partial.file_id)
    if partial.state == chunks.REFUSED:
        problems = [Problem(p["code"], p.get("field"), p.get("params") or {})
                    for p in partial.problems]
        body["messages"] = [messages.problem_message(p) for p in problems]
    response = jsonify(body)
    response.status_code = status
    response.headers["Upload-Offset"] = str(at)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/entries/<int:entry_id>/uploads")
@csrf.exempt
@login_required
def start(entry_id: int):
    _protect(SMALL_REQUEST)
    entry = _entry(entry_id)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        payload = {}
    name = payload.get("name")
    size = payload.get("size")
    reason = payload.get("reason") or ""
    if (not isinstance(name, str) or not name.strip() or isinstance(size, bool)
            or not isinstance(size, int) or not isinstance(reason, str)):
        return _refusal(400, [Problem("upload_request_invalid", "files")])
    try:
        service.begin_upload(entry, current_user, name, size, reason)
    except inputs.EntryRefused as refused:
        db.session.rollback()
        status = 413 if any(p.code == "upload_too_large" for p in refused.problems) else 422
        return _refusal(status, refused.problems)
    chunks.sweep(_root(), current_app.config["UPLOAD_PARTIAL_HOURS"])
    partial = chunks.create(_root(), entry_id=entry.id, user_id=current_user.id, name=name,
                            size=size, reason=reason)
    return _state(entry, partial, 201)


@bp.get("/entries/<int:entry_id>/uploads/<upload_id>")
@login_required
def status(entry_id: int, upload_id: str):
    entry = _entry(entry_id)
    return _state(entry, _upload(entry, upload_id))


@bp.delete("/entries/<int:entry_id>/uploads/<upload_id>")
@csrf.exempt
@login_required
def abandon(entry_id: int, upload_id: str):
    _protect(SMALL_REQUEST)
    entry = _entry(entry_id)
    chunks.discard(_root(), _upload(entry, upload_id))
    return "", 204


@bp.patch("/entries/<int:entry_id>/uploads/<upload_id>")
@csrf.exempt
@login_required
def chunk(entry_id: int, upload_id: str):
    _protect(_chunk_bytes())
    entry = _entry(entry_id)
    partial = _upload(entry, upload_id)
    if partial.state != chunks.OPEN:
        return _state(entry, partial, 409)
    start_at = request.headers.get("Upload-Offset", "")
    length = request.content_length
    if not start_at.isdigit() or length is None:
        return _refusal(400, [Problem("upload_request_invalid", "files")],
                        offset=chunks.offset(_root(), partial))
    try:
        at = chunks.append(_root(), partial, int(start_at), request.stream, length)
    except chunks.OffsetMismatch as mismatch:
        return _refusal(409, [Problem("upload_offset", "files", {"offset": mismatch.offset})],
                        offset=mismatch.offset)
    except chunks.TooMuchData:
        return _refusal(400, [Problem("upload_overrun", "files",
                                      {"name": partial.name, "size": partial.size})],
                        offset=chunks.offset(_root(), partial))
    if at < partial.size:
        return _state(entry, partial)
    return _complete(entry, partial)


def _complete(entry: Entry, partial: chunks.Partial):  # noqa: ANN202
    try:
        stored = service.attach_upload(entry, current_user, chunks.data_path(_root(), partial),
                                       partial.name, upload_root=_root(), reason=partial.reason)
    except inputs.EntryRefused as refused:
        db.session.rollback()
        chunks.finish(_root(), partial, chunks.REFUSED, problems=[
            {"code": p.code, "field": p.field, "params": _plain(p.params)}
            for p in refused.problems])
        entry = _entry(entry.id)
        return _state(entry, partial, 422)
    db.session.commit()
    chunks.finish(_root(), partial, chunks.DONE, file_id=stored.id)
    return _state(entry, partial)


def _plain(params: dict) -> dict:
    """Problem parameters as JSON can keep them (dates and the like as text)."""
    return {k: v if isinstance(v, (str, int, float, bool)) or v is None else str(v)
            for k, v in params.items()}


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):  # noqa: ANN001, ANN202
    mb = round(_chunk_bytes() / (1024 * 1024), 1)
    return jsonify(ok=False, messages=[_("A piece of an upload may have at most %(mb)s MB.",
                                         mb=mb)]), 413
