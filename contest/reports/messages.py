"""Messages for the problems of the reports and their settings, in the reader's language."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _

from contest.problems import Problem


def N_(message: str) -> str:  # noqa: N802 - the usual name of the gettext no-op marker
    """Mark ``message`` for translation; it is translated when shown."""
    return message


MESSAGES: dict[str, str] = {
    "range_reversed": N_("The end date (%(end)s) is before the start date (%(start)s): "
                         "swap them."),
    "range_too_long": N_("A report covers at most %(days)s days."),
    "unit_unknown": N_("There is no such unit, or it is not one you may see."),
    "round_unknown": N_("There is no such quiz round."),
    "contest_unknown": N_("There is no such writing contest."),
    "bands_not_numbers": N_("Write the lowest age of each band as whole numbers separated by "
                            "commas, e.g. 14, 18, 25, 35, 45, 60."),
    "bands_out_of_range": N_("Use at most 12 bands, with ages up to 120."),
    "bands_not_rising": N_("Each band must start at a higher age than the one before."),
    "account_unknown": N_("No account has this phone number or e-mail address."),
    "not_coordinator": N_("This person is not a unit coordinator."),
    "no_data": N_("Nothing to report for this choice: no registrations, quiz results or "
                  "writing entries in the date range and units chosen."),
}
UNKNOWN = N_("Something was refused (%(code)s).")


def _shown(value: Any) -> Any:
    if isinstance(value, date):
        return format_date(value, "short")
    return value


def problem_message(problem: Problem) -> str:
    template = MESSAGES.get(problem.code)
    if template is None:
        return _(UNKNOWN, code=problem.code)
    return _(template, **{k: _shown(v) for k, v in problem.params.items()})


def message(code: str, **params: Any) -> str:
    return problem_message(Problem(code, params=params))
