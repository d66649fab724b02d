"""Messages for the problems of certificates, in the reader's language."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from contest.problems import Problem


def N_(message: str) -> str:  # noqa: N802 - the usual name of the gettext no-op marker
    """Mark ``message`` for translation; it is translated when shown."""
    return message


MESSAGES: dict[str, str] = {
    "reason_missing": N_("Give the reason for revoking the certificate."),
    "not_latest": N_("This certificate was already reissued: reissue the newest one."),
}
UNKNOWN = N_("Something was refused (%(code)s).")


def problem_message(problem: Problem) -> str:
    template = MESSAGES.get(problem.code)
    if template is None:
        return _(UNKNOWN, code=problem.code)
    return _(template, **problem.params)


def message(code: str, **params: Any) -> str:
    return problem_message(Problem(code, params=params))
