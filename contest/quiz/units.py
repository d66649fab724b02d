"""Participation of units (districts, agencies) in a round: entrants per unit and the rate
where the unit's size is known. Excluded entrants do not count for their unit."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from contest.accounts.models import Unit
from contest.extensions import db
from contest.quiz.board import process_cache
from contest.quiz.models import Result


@dataclass(frozen=True)
class UnitRow:
    unit_id: int | None
    code: str | None
    name: str | None
    parent: str | None
    size: int | None
    participants: int

    @property
    def rate(self) -> float | None:
        """Participants per member in percent, where the unit's size is known."""
        if not self.size:
            return None
        return 100.0 * self.participants / self.size


def _unit_counts(round_id: int, ttl: float) -> dict[int | None, int]:
    """Entrants per unit id; a grouped scan of the round's results, kept ``ttl`` seconds."""
    cache = process_cache("units")
    key = (round_id,)
    cached = cache.get(key)
    if cached is not None and time.monotonic() - cached[0] < ttl:
        return cached[1]
    counts = dict(db.session.execute(
        select(Result.unit_id, func.count())
        .where(Result.round_id == round_id, Result.excluded.is_(False))
        .group_by(Result.unit_id)
    ).all())
    if len(cache) > 1000:
        cache.clear()
    cache[key] = (time.monotonic(), counts)
    return counts


def unit_participation(round_id: int, *, order: str = "participants",
                       ttl: float = 0.0) -> list[UnitRow]:
    """Participants per unit (excluded entrants do not count), most first or by ``order="rate"``.

    Entrants without a unit are one row with ``unit_id`` None. The counts scan the round's
    results; public pages pass a ``ttl`` to reuse them for that many seconds.
    """
    by_unit = _unit_counts(round_id, ttl)
    parent = aliased(Unit)
    units = {
        u.Unit.id: u
        for u in db.session.execute(
            select(Unit, parent.name.label("parent_name"))
            .outerjoin(parent, parent.id == Unit.parent_id)
            .where(Unit.id.in_([k for k in by_unit if k is not None] or [0]))
        )
    }
    rows = []
    for unit_id, n in by_unit.items():
        u = units.get(unit_id)
        rows.append(UnitRow(
            unit_id=unit_id,
            code=u.Unit.code if u else None,
            name=u.Unit.name if u else None,
            parent=u.parent_name if u else None,
            size=u.Unit.size if u else None,
            participants=n,
        ))
    if order == "rate":
        rows.sort(key=lambda r: (r.rate is None, -(r.rate or 0), -r.participants, r.name or ""))
    else:
        rows.sort(key=lambda r: (-r.participants, r.unit_id is None, r.name or ""))
    return rows
