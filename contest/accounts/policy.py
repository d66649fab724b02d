"""Who may do what. Every access rule of the application is decided here.

Views use the decorators; templates and domain code ask :func:`can`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from contest.accounts.models import ROLES_NEEDING_EMAIL, Role, User
from contest.problems import Problem, Refused

F = TypeVar("F", bound=Callable[..., Any])

# action → roles allowed (admins are allowed everything)
RULES: dict[str, frozenset[str]] = {
    "organizer.console": frozenset({Role.ORGANIZER}),
    "users.manage": frozenset({Role.ORGANIZER}),
    "units.manage": frozenset({Role.ORGANIZER}),
    "questions.manage": frozenset({Role.ORGANIZER}),
    "rounds.manage": frozenset({Role.ORGANIZER}),
    "results.publish": frozenset({Role.ORGANIZER}),
    "writing.submit": frozenset({Role.JOURNALIST}),
    "writing.manage": frozenset({Role.ORGANIZER}),
    "judging.score": frozenset({Role.JUDGE}),
    # Coordinators see only their unit's subtree; contest.reports narrows what they read.
    "reports.view": frozenset({Role.ORGANIZER, Role.UNIT_COORDINATOR}),
    "certificates.manage": frozenset({Role.ORGANIZER}),
    "campaign.manage": frozenset({Role.ORGANIZER}),
    # The outbox's page of failed and waiting messages (recipients shown) and its retry.
    "outbox.manage": frozenset({Role.ORGANIZER}),
}


def can(user: Any, action: str) -> bool:
    """True when ``user`` may perform ``action`` (a key of RULES)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.has_role(*RULES[action])


def require(action: str) -> Callable[[F], F]:
    """View decorator: log in first, then 403 unless :func:`can` allows ``action``."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            from contest.extensions import login_manager

            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not can(current_user, action):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def may_issue_reset_link(actor: Any, target: User) -> bool:
    """Whether ``actor`` may hand out a one-time reset link for ``target``'s account.

    The link takes the account over, so an administrator's account is reset only by an
    administrator, as only administrators grant that role.
    """
    if not can(actor, "users.manage"):
        return False
    return Role.ADMIN not in target.roles or Role.ADMIN in actor.roles


class RoleChangeRefused(Refused):
    """A grant or revoke that the rules forbid; its problem's code (``role.…``) has its message
    in :mod:`contest.accounts.messages`."""

    def __init__(self, code: str) -> None:
        super().__init__(Problem(code, "role"))


def check_role_change(actor: User, target: User, role: str, grant: bool, admin_count: int) -> None:
    """Raise RoleChangeRefused unless ``actor`` may grant/revoke ``role`` on ``target``.

    Organizers manage organizer, judge and journalist roles; only admins manage admins. An
    account without e-mail cannot hold a role that is reached by e-mail, and the last admin stays.
    """
    if role not in set(Role):
        raise RoleChangeRefused("role.unknown")
    if role == Role.UNIT_COORDINATOR:
        # Granted with its unit on the reports' coordinator screen, never without one.
        raise RoleChangeRefused("role.coordinator_by_unit")
    if not actor.has_role(Role.ORGANIZER):
        raise RoleChangeRefused("role.not_allowed")
    if role == Role.ADMIN and Role.ADMIN not in actor.roles:
        raise RoleChangeRefused("role.admin_only")
    if grant and role in ROLES_NEEDING_EMAIL and not target.email:
        raise RoleChangeRefused("role.needs_email")
    if grant and target.erased_at is not None:
        raise RoleChangeRefused("role.erased")
    if not grant and role == Role.ADMIN and admin_count <= 1 and Role.ADMIN in target.roles:
        raise RoleChangeRefused("role.last_admin")
