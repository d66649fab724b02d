"""Loading administrative units from the CSV file shipped in ``contest/data/units.csv``.

Columns: ``code, name, kind, parent_code, size``. Parents come before their children. Loading
is idempotent: a unit is matched by its code and updated in place.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from contest import audit
from contest.accounts.models import Unit, UnitKind
from contest.extensions import db
from contest.problems import Problem, Refused

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "data" / "units.csv"
_CODE_MAX = Unit.__table__.c.code.type.length
_NAME_MAX = Unit.__table__.c.name.type.length


@dataclass
class UnitRow:
    line: int
    code: str
    name: str
    kind: str
    parent_code: str
    size: int | None


class UnitFileError(Refused):
    """The units file breaks a rule at ``line``; the code (``units.…``) has its message in
    :mod:`contest.accounts.messages`, and the problem carries the line in its params."""

    def __init__(self, line: int, problem_code: str, /, **params: object) -> None:
        super().__init__(Problem(problem_code, None, {"line": line, **params}))
        self.line = line


def parse_units(text: str) -> list[UnitRow]:
    """Read the CSV text into rows, checking kinds, sizes and that parents appear first."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    needed = {"code", "name", "kind", "parent_code", "size"}
    if not reader.fieldnames or not needed <= set(reader.fieldnames):
        raise UnitFileError(1, "units.header", columns=", ".join(sorted(needed)))
    rows: list[UnitRow] = []
    seen: set[str] = set()
    for record in reader:
        line = reader.line_num
        code = (record["code"] or "").strip()
        name = (record["name"] or "").strip()
        kind = (record["kind"] or "").strip()
        parent = (record["parent_code"] or "").strip()
        size_text = (record["size"] or "").strip()
        if not code or not name:
            raise UnitFileError(line, "units.required")
        if len(code) > _CODE_MAX:
            raise UnitFileError(line, "units.code_too_long", max=_CODE_MAX)
        if len(name) > _NAME_MAX:
            raise UnitFileError(line, "units.name_too_long", max=_NAME_MAX)
        if code in seen:
            raise UnitFileError(line, "units.code_twice", code=code)
        if kind not in set(UnitKind):
            raise UnitFileError(line, "units.unknown_kind", kind=kind)
        if parent and parent not in seen:
            raise UnitFileError(line, "units.parent_later", parent=parent, code=code)
        if size_text and not (size_text.isascii() and size_text.isdigit()):
            raise UnitFileError(line, "units.size")
        seen.add(code)
        rows.append(UnitRow(line, code, name, kind, parent, int(size_text) if size_text else None))
    return rows


def load_units(rows: list[UnitRow]) -> tuple[int, int]:
    """Create or update units by code; returns (created, updated). The caller commits."""
    existing = {u.code: u for u in db.session.execute(select(Unit)).scalars()}
    created = updated = 0
    for row in rows:
        unit = existing.get(row.code)
        if unit is None:
            unit = Unit(code=row.code)
            db.session.add(unit)
            existing[row.code] = unit
            created += 1
        else:
            updated += 1
        unit.name, unit.kind, unit.size = row.name, row.kind, row.size
        unit.parent = existing[row.parent_code] if row.parent_code else None
    db.session.flush()
    return created, updated


@dataclass(frozen=True)
class UnitInput:
    """A unit as the organizer's unit form gives it."""

    code: str
    name: str
    kind: str
    parent_id: int | None
    size: int | None
    active: bool


class UnitRefused(Refused):
    """A unit the form may not save as typed (a code taken, a parent inside the unit)."""


def _is_descendant(candidate_id: int, ancestor_id: int) -> bool:
    seen: set[int] = set()
    current = db.session.get(Unit, candidate_id)
    while current is not None and current.id not in seen:
        if current.id == ancestor_id:
            return True
        seen.add(current.id)
        current = current.parent
    return False


def save_unit(unit: Unit | None, data: UnitInput, actor_id: int | None) -> Unit:
    """Create (``unit`` None) or change one unit, recording it in the audit trail. Refused,
    with nothing changed, when another unit has the code or the parent is the unit itself or
    one of its sub-units. The caller commits."""
    clash = db.session.execute(
        select(Unit.id).where(Unit.code == data.code, Unit.id != (unit.id if unit else 0))
    ).first()
    if clash:
        raise UnitRefused(Problem("units.code_taken", "code"))
    if unit is not None and data.parent_id and (
            data.parent_id == unit.id or _is_descendant(data.parent_id, unit.id)):
        raise UnitRefused(Problem("units.parent_inside", "parent_id"))
    if unit is None:
        unit = Unit()
        db.session.add(unit)
    unit.code, unit.name, unit.kind = data.code, data.name, data.kind
    unit.parent_id, unit.size, unit.active = data.parent_id, data.size, data.active
    db.session.flush()
    audit.record(actor_id, "unit.save", "unit", unit.id, code=unit.code)
    return unit
