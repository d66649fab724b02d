"""Messages for every refusal of the outbox console, in the reader's language."""

from __future__ import annotations

from flask_babel import gettext as _

from contest.problems import Problem


def N_(message: str) -> str:  # noqa: N802 - the usual name of the gettext no-op marker
    """Mark ``message`` for translation; it is translated when shown."""
    return message


MESSAGES: dict[str, str] = {
    "message_missing": N_("There is no such message."),
    "already_sent": N_("This message has already been sent."),
    "being_sent": N_("This message is being sent right now; look again in a minute."),
    "nothing_failed": N_("No message has failed."),
}

UNKNOWN = N_("The change was refused (%(code)s).")


def problem_message(problem: Problem) -> str:
    """The problem said in the reader's language."""
    template = MESSAGES.get(problem.code)
    if template is None:
        return _(UNKNOWN, code=problem.code)
    return _(template, **dict(problem.params))
