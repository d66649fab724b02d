"""Messages for the refusals of the accounts domain, in the reader's language or in English.

One table for every :class:`~contest.problems.Problem` code the domain raises: role changes
(:func:`contest.accounts.policy.check_role_change`), the units file
(:func:`contest.accounts.units.parse_units`, whose problems carry their ``line``) and e-mailed
links (:func:`contest.accounts.tokens.read_token`). A code picks the English template and the
problem's ``params`` fill it in: :func:`message` in the reader's language (web pages),
:func:`english` in English (the command line and logs).
"""

from __future__ import annotations

from contest.problems import Problem

__all__ = ["MESSAGES", "english", "message"]


def N_(message: str) -> str:  # noqa: N802 - the usual name of the gettext no-op marker
    """Mark ``message`` for translation; it is translated when shown."""
    return message


MESSAGES: dict[str, str] = {
    # role changes
    "role.unknown": N_("There is no such role."),
    "role.not_allowed": N_("You may not change roles."),
    "role.admin_only": N_("Only an administrator can grant or revoke the administrator role."),
    "role.needs_email": N_("This role needs an e-mail address; the account has none."),
    "role.erased": N_("This account has been deleted."),
    "role.last_admin": N_("The last administrator cannot be removed."),
    "role.coordinator_by_unit": N_(
        "Unit coordinators are appointed with their unit under Reports, Unit coordinators."),
    # the organizer's unit form
    "units.code_taken": N_("Another unit already has this code."),
    "units.parent_inside": N_("A unit cannot belong to one of its own sub-units."),
    # the units file
    "units.header": N_("line %(line)d: header must have the columns %(columns)s"),
    "units.required": N_("line %(line)d: code and name are required"),
    "units.code_too_long": N_("line %(line)d: code is longer than %(max)d characters"),
    "units.name_too_long": N_("line %(line)d: name is longer than %(max)d characters"),
    "units.code_twice": N_("line %(line)d: code %(code)s appears twice"),
    "units.unknown_kind": N_("line %(line)d: unknown kind '%(kind)s'"),
    "units.parent_later": N_("line %(line)d: parent %(parent)s must come before %(code)s"),
    "units.size": N_("line %(line)d: size must be a whole number"),
    # e-mailed links
    "token.expired": N_("This link has expired."),
    "token.invalid": N_("This link is not valid."),
}


def english(problem: Problem) -> str:
    """The problem's message in English (the code itself when it has no message)."""
    template = MESSAGES.get(problem.code)
    return template % dict(problem.params) if template is not None else problem.code


def message(problem: Problem) -> str:
    """The problem's message in the reader's language (needs an application context)."""
    from flask_babel import gettext

    template = MESSAGES.get(problem.code)
    return gettext(template, **problem.params) if template is not None else problem.code
