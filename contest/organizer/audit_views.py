"""The one audit viewer: ``/organizer/audit`` lists every audit event of every domain in human
terms (see :mod:`contest.organizer.trail`), filtered by domain, actor, object and dates, a page
at a time, with the same selection downloadable as CSV or XLSX through :mod:`contest.sheets`.

Filters come from the query string; a value that cannot be read (an unknown domain, a date
that is not a date, an object that is not "kind:id") is named in a message in the reader's
language and nothing is listed, with a 400.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import chain
from typing import Any

from flask import Blueprint, Response, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, not_, or_, select

from contest import audit, sheets, timeutil
from contest.accounts.models import User
from contest.accounts.policy import require
from contest.console import console_link
from contest.extensions import db
from contest.organizer import trail
from contest.organizer.trail import names
from contest.params import whole_number

bp = Blueprint("organizer_audit", __name__, url_prefix="/organizer")

PER_PAGE = 50
MAX_EXPORT_ROWS = 100_000
OTHER = "other"
_OBJECT = re.compile(r"([a-z_]{1,40}):([0-9A-Za-z._-]{1,64})")

console_link("organizer_audit.audit_log", _l("Audit trail"),
             _l("Every recorded change of every contest, by whom and why; filter and export."),
             order=90)


@bp.record_once
def _register(_state: Any) -> None:
    trail.register_all()


@dataclass
class Filters:
    domain: str = ""
    actor: str = ""
    actor_id: int | None = None
    object: str = ""
    since: date | None = None
    until: date | None = None
    page: int = 1
    problems: list[str] = field(default_factory=list)

    def args(self, **override: Any) -> dict[str, Any]:
        """The query string that selects the same events (empty values left out)."""
        found = {"domain": self.domain, "actor": self.actor, "actor_id": self.actor_id,
                 "object": self.object,
                 "from": self.since.isoformat() if self.since else None,
                 "to": self.until.isoformat() if self.until else None}
        found.update(override)
        return {k: v for k, v in found.items() if v not in (None, "")}


def domain_choices() -> list[tuple[str, str]]:
    return [(d.domain, str(d.label)) for d in audit.describers()] + [(OTHER, _("Other"))]


def _date(text: str, label: str, problems: list[str]) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        problems.append(_("%(field)s: “%(value)s” is not a date; write it as YYYY-MM-DD, "
                          "for example 2026-12-05.", field=label, value=text[:40]))
        return None


def read_filters(args: Any) -> Filters:
    """The filters of a request, with a message for each value that cannot be read."""
    f = Filters()
    problems = f.problems
    f.domain = args.get("domain", "").strip()
    if f.domain and f.domain not in {key for key, _label in domain_choices()}:
        problems.append(_("There is no domain “%(value)s”; choose one from the list.",
                          value=f.domain[:40]))
    f.actor = args.get("actor", "").strip()
    if len(f.actor) > 120:
        problems.append(_("The name or e-mail to look for is too long (at most %(max)d "
                          "characters).", max=120))
    if raw := args.get("actor_id", "").strip():
        try:
            f.actor_id = whole_number(raw)
        except ValueError:
            problems.append(_("“%(value)s” does not name a person.", value=raw[:40]))
    f.object = args.get("object", "").strip()
    if f.object and not _OBJECT.fullmatch(f.object):
        problems.append(_("“%(value)s” does not name an object: follow a “History” link from "
                          "the object's page.", value=f.object[:80]))
    f.since = _date(args.get("from", ""), _("From"), problems)
    f.until = _date(args.get("to", ""), _("To"), problems)
    if f.since and f.until and f.since > f.until:
        problems.append(_("The first day comes after the last day."))
    if raw := args.get("page", "").strip():
        try:
            f.page = whole_number(raw)
            if f.page < 1:
                raise ValueError(raw)
        except ValueError:
            problems.append(_("“%(value)s” is not a page number.", value=raw[:40]))
    return f


def _local_midnight(day: date) -> datetime:
    return timeutil.local_to_utc(datetime.combine(day, time()))


def selection(f: Filters) -> Select:
    """The events the filters select, newest first."""
    stmt = select(audit.AuditEvent)
    if f.domain == OTHER:
        prefixes = [p for d in audit.describers() for p in d.prefixes]
        stmt = stmt.where(not_(or_(*[audit.AuditEvent.action.startswith(p, autoescape=True)
                                     for p in prefixes])))
    elif f.domain:
        describer = next(d for d in audit.describers() if d.domain == f.domain)
        stmt = stmt.where(or_(*[audit.AuditEvent.action.startswith(p, autoescape=True)
                                for p in describer.prefixes]))
    if f.actor_id is not None:
        stmt = stmt.where(audit.AuditEvent.actor_id == f.actor_id)
    if f.actor:
        like = f"%{f.actor.lower()}%"
        people = select(User.id).where(or_(func.lower(User.full_name).like(like),
                                           func.lower(User.email).like(like)))
        stmt = stmt.where(audit.AuditEvent.actor_id.in_(people))
    if f.object:
        kind, _sep, key = f.object.partition(":")
        stmt = stmt.where(audit.AuditEvent.subject_type == kind,
                          audit.AuditEvent.subject_id == key)
    if f.since:
        stmt = stmt.where(audit.AuditEvent.at >= _local_midnight(f.since))
    if f.until:
        stmt = stmt.where(audit.AuditEvent.at < _local_midnight(f.until + timedelta(days=1)))
    return stmt.order_by(audit.AuditEvent.at.desc(), audit.AuditEvent.id.desc())


def describe(events: list[audit.AuditEvent]) -> list[audit.Described]:
    return audit.describe(events, names.person)


def _object_label(f: Filters) -> str | None:
    if not f.object or f.problems:
        return None
    kind, _sep, key = f.object.partition(":")
    for d in audit.describers():
        subject = d.subject(kind, key)
        if subject.kind != audit.humanise(kind):
            return f"{subject.kind} {subject.name}"
    return audit.humanise(kind)


@bp.get("/audit")
@require("organizer.console")
def audit_log():
    f = read_filters(request.args)
    events: list[audit.Described] = []
    total = 0
    if not f.problems:
        stmt = selection(f)
        total = db.session.execute(
            select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
        rows = db.session.execute(stmt.limit(PER_PAGE).offset((f.page - 1) * PER_PAGE)
                                  ).scalars().all()
        events = describe(list(rows))
    pages = max(1, -(-total // PER_PAGE))
    page = render_template(
        "organizer/audit.html", f=f, events=events, total=total, pages=pages,
        domains=domain_choices(), object_label=_object_label(f),
        actor_label=names.person(f.actor_id) if f.actor_id is not None else None)
    return page, (400 if f.problems else 200)


def _rows(f: Filters) -> Iterator[list[Any]]:
    stmt = selection(f).limit(MAX_EXPORT_ROWS)
    batch: list[audit.AuditEvent] = []
    for ev in db.session.execute(stmt).scalars():
        batch.append(ev)
        if len(batch) == 200:
            yield from (_row(d) for d in describe(batch))
            batch = []
    yield from (_row(d) for d in describe(batch))


def _row(d: audit.Described) -> list[Any]:
    return [timeutil.to_local(d.event.at).replace(tzinfo=None), d.domain_label,
            d.action_label, d.actor, d.subject.kind, d.subject.name, d.reason,
            " | ".join(f"{fact.label}: {fact.value}" for fact in d.facts)]


def _header() -> list[str]:
    return [_("Time (Vietnam)"), _("Domain"), _("What happened"), _("By"), _("Object kind"),
            _("Object"), _("Reason"), _("Details")]


def _filename(ext: str) -> str:
    stamp = timeutil.to_local(timeutil.utcnow()).strftime("%Y%m%d-%H%M")
    return f"audit-{stamp}.{ext}"


def _refused(f: Filters) -> tuple[str, int]:
    return render_template("organizer/audit.html", f=f, events=[], total=0, pages=1,
                           domains=domain_choices(), object_label=None,
                           actor_label=None), 400


@bp.get("/audit.csv")
@require("organizer.console")
def audit_csv():
    from contest.writing.exports import attachment_header

    f = read_filters(request.args)
    if f.problems:
        return _refused(f)
    lines = sheets.csv_lines(chain([_header()], _rows(f)))
    return Response(stream_with_context(lines), mimetype="text/csv",
                    headers={"Content-Disposition": attachment_header(_filename("csv"))})


@bp.get("/audit.xlsx")
@require("organizer.console")
def audit_xlsx():
    from contest.writing.exports import attachment_header

    f = read_filters(request.args)
    if f.problems:
        return _refused(f)
    data = sheets.xlsx_bytes([sheets.Sheet(_("Audit trail"), _header(), _rows(f),
                                           widths=[17, 16, 30, 22, 16, 30, 30, 80])])
    return Response(
        data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": attachment_header(_filename("xlsx"))})


def history_url(subject_type: str, subject_id: Any, **more: Any) -> str:
    """The viewer filtered to one object's events (for "History" links on console pages)."""
    return url_for("organizer_audit.audit_log", object=f"{subject_type}:{subject_id}", **more)


@bp.app_context_processor
def _history_link() -> dict[str, Any]:
    return {"audit_history_url": history_url}
