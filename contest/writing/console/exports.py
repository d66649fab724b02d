"""The writing console's downloads: a contest's entries as XLSX or CSV (through
contest.writing.exports and contest/sheets.py, with the list's filters) and the files of a
category as one ZIP, written while it is sent."""

from __future__ import annotations

from flask import Response, stream_with_context
from flask_babel import gettext as _
from flask_login import current_user

from contest import timeutil
from contest.accounts.policy import require
from contest.writing import access, exports
from contest.writing.console.base import bp, category_or_404, contest_or_404, upload_root
from contest.writing.console.entries import entry_filters
from contest.writing.models import WritingContest


def _export_name(contest: WritingContest, ext: str) -> str:
    stamp = timeutil.to_local(timeutil.utcnow()).strftime("%Y%m%d-%H%M")
    return f"{contest.code_prefix}-{contest.id}-entries-{stamp}.{ext}"


def _export_rows(contest: WritingContest) -> tuple[list[exports.ExportRow], bool]:
    filters = entry_filters(contest)
    rows = exports.entry_rows(contest.id, category_id=filters["category"],
                              status=filters["status"] or None, translate=_)
    return rows, access.is_organizer(current_user)


@bp.get("/writing/<int:contest_id>/entries.csv")
@require("writing.manage")
def writing_entries_csv(contest_id: int):
    contest = contest_or_404(contest_id)
    rows, include_phone = _export_rows(contest)
    body = exports.entries_csv(rows, include_phone, translate=_)
    return Response(stream_with_context(body), mimetype="text/csv",
                    headers={"Content-Disposition":
                             exports.attachment_header(_export_name(contest, "csv"))})


@bp.get("/writing/<int:contest_id>/entries.xlsx")
@require("writing.manage")
def writing_entries_xlsx(contest_id: int):
    contest = contest_or_404(contest_id)
    rows, include_phone = _export_rows(contest)
    data = exports.entries_xlsx(rows, include_phone, translate=_, sheet_title=_("Entries"))
    return Response(
        data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": exports.attachment_header(_export_name(contest, "xlsx"))},
    )


@bp.get("/writing/<int:contest_id>/categories/<int:category_id>/files.zip")
@require("writing.manage")
def writing_category_zip(contest_id: int, category_id: int):
    contest = contest_or_404(contest_id)
    category = category_or_404(contest, category_id)
    chunks = exports.stream_category_zip(category, upload_root(), translate=_)
    name = f"{contest.code_prefix}-{category.name}.zip"
    response = Response(stream_with_context(chunks), mimetype="application/zip",
                        headers={"Content-Disposition": exports.attachment_header(name)})
    # The archive is written while it is sent; proxies should pass it on as it comes.
    response.headers["X-Accel-Buffering"] = "no"
    return response
