"""An append-only record of who changed what: roles, results, publications, judging.

Nothing in the application updates or deletes these rows: the ORM refuses it (the listeners
below) and on PostgreSQL a trigger refuses it too (migration ``audit_events_append_only``), so
neither a route, a service nor a hand-written UPDATE can rewrite history.

Reading the trail: each domain describes its own events in human terms through a
:class:`Describer` registered here with :func:`register`; :func:`describe` finds the one whose
action prefixes match an event and turns it into a :class:`Described` (who, what, on which
object, with which values), which the audit viewer and its exports show. An action no domain
claims still reads as words ("results.add_places" → "Results: add places"), never as a raw
dictionary.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from contest.dbtypes import UTCDateTime
from contest.extensions import db
from contest.timeutil import utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(500), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AppendOnly(RuntimeError):
    """Raised when code tries to change or remove an audit event."""


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(mapper, connection, target) -> None:  # noqa: ANN001
    raise AppendOnly("audit events are append-only")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(mapper, connection, target) -> None:  # noqa: ANN001
    raise AppendOnly("audit events are append-only")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_change(state: ORMExecuteState) -> None:
    """A bulk ``update(AuditEvent)`` or ``delete(AuditEvent)`` skips the listeners above."""
    if (state.is_update or state.is_delete) and \
            getattr(getattr(state.statement, "table", None), "name", None) == \
            AuditEvent.__tablename__:
        raise AppendOnly("audit events are append-only")


def record(
    actor_id: int | None,
    action: str,
    subject_type: str,
    subject_id: object,
    reason: str = "",
    **details: Any,
) -> AuditEvent:
    """Add an audit event to the current unit of work (committed with the change it records)."""
    entry = AuditEvent(
        actor_id=actor_id,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        reason=reason,
        details=details,
    )
    db.session.add(entry)
    return entry


# --- reading the trail -----------------------------------------------------------------------

Text = Any  # a str or a lazy gettext string


@dataclass(frozen=True)
class Fact:
    """One line of an event's description: a label and a readable value."""

    label: str
    value: str


@dataclass(frozen=True)
class Subject:
    """The object an event is about, named for a person: "Quiz round “Tuần 1”"."""

    kind: str
    name: str
    url: str | None = None


@dataclass
class Described:
    event: AuditEvent
    domain: str
    domain_label: str
    action_label: str
    actor: str
    subject: Subject
    reason: str
    facts: list[Fact] = field(default_factory=list)


# How a detail value is shown: a function of the value that returns text (or None to leave the
# detail out).
Shown = Callable[[Any], "str | None"]

_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def humanise(key: str) -> str:
    """A field or action name as words: "submission_closes_at" → "Submission closes at"."""
    words = re.sub(r"[._]+", " ", key).strip()
    return words[:1].upper() + words[1:] if words else key


def plain(value: Any) -> str:
    """Any stored value as text a person reads: times in Vietnam time, lists joined, mappings
    as "key: value" pairs, nothing as "—"."""
    from flask_babel import format_date, format_datetime
    from flask_babel import gettext as _

    from contest.timeutil import to_local

    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str):
        if _ISO_TIME.match(value):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                return value
            if moment.tzinfo is not None:
                moment = to_local(moment)
            return format_datetime(moment.replace(tzinfo=None), "short")
        if _ISO_DATE.fullmatch(value):
            return format_date(date.fromisoformat(value), "medium")
        return value
    if isinstance(value, dict):
        if set(value) <= {"old", "new"} and value:
            return f"{plain(value.get('old'))} → {plain(value.get('new'))}"
        return "; ".join(f"{humanise(str(k))}: {plain(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(plain(v) for v in value)
    return str(value)


class Describer:
    """How one domain's events read. Subclasses set the domain, its label, the action prefixes
    it owns and the labels of its actions, and may name subjects, show detail keys or hide
    internal ones; :meth:`facts` may be overridden for events that need more than a key table.

    ``keys`` maps a detail key to (label, how the value is shown); ``hidden`` lists keys that
    hold internal ids only and are never shown.
    """

    domain: str = "other"
    label: Text = "Other"
    prefixes: tuple[str, ...] = ()
    actions: dict[str, Text] = {}
    hidden: frozenset[str] = frozenset()

    def keys(self) -> dict[str, tuple[Text, Shown]]:
        return {}

    def action_label(self, action: str) -> str:
        label = self.actions.get(action)
        return str(label) if label is not None else humanise(action)

    def subject(self, subject_type: str, subject_id: str) -> Subject:
        return Subject(humanise(subject_type), subject_id)

    def facts(self, ev: AuditEvent) -> list[Fact]:
        return self.detail_facts(ev.details or {})

    def detail_facts(self, details: dict[str, Any]) -> list[Fact]:
        table = self.keys()
        found = []
        for key, value in details.items():
            if key in self.hidden:
                continue
            label, show = table.get(key, (None, None))
            text = show(value) if show else plain(value)
            if text is None:
                continue
            found.append(Fact(str(label) if label is not None else humanise(key), text))
        return found


_DESCRIBERS: dict[str, Describer] = {}


def register(describer: Describer) -> None:
    """Add (or replace) the describer of a domain."""
    _DESCRIBERS[describer.domain] = describer


def describers() -> list[Describer]:
    """The registered describers, in registration order."""
    return list(_DESCRIBERS.values())


def describer_for(action: str) -> Describer:
    """The describer whose longest prefix matches ``action``; a plain one when none does."""
    best, length = None, -1
    for d in _DESCRIBERS.values():
        for prefix in d.prefixes:
            if action.startswith(prefix) and len(prefix) > length:
                best, length = d, len(prefix)
    return best or _FALLBACK


def describe(events: Iterable[AuditEvent], actor_name: Callable[[int | None], str]
             ) -> list[Described]:
    """Each event in human terms; ``actor_name`` names the person who acted."""
    out = []
    for ev in events:
        d = describer_for(ev.action)
        out.append(Described(
            event=ev, domain=d.domain, domain_label=str(d.label),
            action_label=d.action_label(ev.action), actor=actor_name(ev.actor_id),
            subject=d.subject(ev.subject_type, ev.subject_id), reason=ev.reason or "",
            facts=d.facts(ev)))
    return out


_FALLBACK = Describer()
