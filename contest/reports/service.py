"""The reports' rules: who sees which units, the settings, and appointing unit coordinators.

Functions work on the session and never look at the request; they raise
:class:`~contest.problems.Refused` and record audit events. The caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from contest import audit
from contest.accounts import service as accounts
from contest.accounts.models import Role, Unit, User
from contest.extensions import db
from contest.problems import Problem, Refused
from contest.quiz.models import Round
from contest.reports.figures import Filters, Scope, UnitTree
from contest.reports.models import DEFAULT_AGE_BANDS, ReportSettings, UnitCoordinator
from contest.writing.models import WritingContest

MAX_DAYS = 3 * 366  # a campaign lasts months; a longer range is a typing mistake


def settings() -> ReportSettings:
    """The settings row, created with its defaults the first time it is read."""
    row = db.session.get(ReportSettings, 1)
    if row is None:
        row = ReportSettings(id=1, age_bands=list(DEFAULT_AGE_BANDS))
        db.session.add(row)
        db.session.flush()
    return row


def scope_for(user: User, tree: UnitTree | None = None) -> Scope:
    """Every unit for organizers; a coordinator's unit and the units under it; else nothing."""
    tree = tree or UnitTree.load()
    if user.has_role(Role.ORGANIZER):
        return Scope(tree)
    row = db.session.get(UnitCoordinator, user.id)
    if row is None or Role.UNIT_COORDINATOR not in user.roles:
        return Scope(tree, root=None, everything=False)
    return Scope(tree, root=row.unit_id, everything=False)


@dataclass
class FilterInput:
    start: date | None = None
    end: date | None = None
    unit_id: int | None = None
    round_id: int | None = None
    contest_id: int | None = None


def check_filters(given: FilterInput, scope: Scope) -> Filters:
    """The filters a reader asked for, checked; Refused names each wrong one."""
    problems = []
    if given.start and given.end:
        if given.end < given.start:
            problems.append(Problem("range_reversed", "end",
                                    {"start": given.start, "end": given.end}))
        elif (given.end - given.start).days > MAX_DAYS:
            problems.append(Problem("range_too_long", "end", {"days": MAX_DAYS}))
    if given.unit_id is not None and not scope.allows(given.unit_id):
        problems.append(Problem("unit_unknown", "unit"))
    if given.round_id is not None and db.session.get(Round, given.round_id) is None:
        problems.append(Problem("round_unknown", "round"))
    if given.contest_id is not None and db.session.get(WritingContest, given.contest_id) is None:
        problems.append(Problem("contest_unknown", "contest"))
    if problems:
        raise Refused(*problems)
    return Filters(given.start, given.end, given.unit_id, given.round_id, given.contest_id,
                   tuple(settings().age_bands or DEFAULT_AGE_BANDS))


def parse_age_bands(text: str) -> list[int]:
    """"14, 18, 25" → [14, 18, 25]: lower bounds, rising, between 0 and 120."""
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    if not parts or not all(p.isdigit() and p.isascii() for p in parts):
        raise Refused(Problem("bands_not_numbers", "age_bands"))
    values = [int(p) for p in parts]
    if any(v > 120 for v in values) or len(values) > 12:
        raise Refused(Problem("bands_out_of_range", "age_bands"))
    if any(b <= a for a, b in zip(values, values[1:], strict=False)):
        raise Refused(Problem("bands_not_rising", "age_bands"))
    return values


def update_settings(actor: User, changes: dict[str, Any], age_bands_text: str) -> ReportSettings:
    row = settings()
    bands = parse_age_bands(age_bands_text)
    changed = {}
    for key, value in {**changes, "age_bands": bands}.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed[key] = value if key != "legal_basis" else "…"
    if changed:
        audit.record(actor.id, "reports.settings", "report_settings", row.id,
                     fields=sorted(changed))
    return row


# --- unit coordinators ---------------------------------------------------------------------


def coordinators() -> list[UnitCoordinator]:
    return list(db.session.execute(
        select(UnitCoordinator).join(User, User.id == UnitCoordinator.user_id)
        .where(User.erased_at.is_(None)).order_by(User.full_name)).scalars())


def appoint(actor: User, identifier: str, unit_id: int | None) -> UnitCoordinator:
    """Make the account with ``identifier`` (phone or e-mail) the coordinator of one unit.

    Appointing the coordinator of another unit moves them; appointing them again changes
    nothing. Recorded in the audit trail.
    """
    user = accounts.find_by_identifier(identifier.strip()) if identifier.strip() else None
    problems = []
    if user is None:
        problems.append(Problem("account_unknown", "identifier"))
    unit = db.session.get(Unit, unit_id) if unit_id is not None else None
    if unit is None:
        problems.append(Problem("unit_unknown", "unit"))
    if problems:
        raise Refused(*problems)
    assert user is not None and unit is not None
    row = db.session.get(UnitCoordinator, user.id)
    if row is not None and row.unit_id == unit.id and Role.UNIT_COORDINATOR in user.roles:
        return row
    if row is None:
        row = UnitCoordinator(user_id=user.id, unit_id=unit.id, granted_by_id=actor.id)
        db.session.add(row)
    else:
        row.unit_id = unit.id
        row.granted_by_id = actor.id
    accounts.grant_role(user, Role.UNIT_COORDINATOR, actor.id, f"unit {unit.code}")
    audit.record(actor.id, "reports.coordinator_appointed", "user", user.id, unit=unit.code)
    db.session.flush()
    return row


def dismiss(actor: User, user_id: int) -> None:
    row = db.session.get(UnitCoordinator, user_id)
    if row is None:
        raise Refused(Problem("not_coordinator"))
    user = row.user
    db.session.delete(row)
    user.role_rows = [r for r in user.role_rows if r.role != Role.UNIT_COORDINATOR]
    audit.record(actor.id, "role.revoke", "user", user.id, "unit coordinator dismissed",
                 role=Role.UNIT_COORDINATOR)
