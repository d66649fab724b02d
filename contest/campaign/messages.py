"""Messages for every refusal of the campaign site (settings, news, materials, featuring, prize
rewards, the jury's comments), in the reader's language: a problem's ``code`` picks the English
template, its ``params`` fill it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import format_datetime
from flask_babel import gettext as _

from contest.problems import Problem


def N_(message: str) -> str:  # noqa: N802 - the usual name of the gettext no-op marker
    """Mark ``message`` for translation; it is translated when shown."""
    return message


MESSAGES: dict[str, str] = {
    "title_missing": N_("Enter a title."),
    "too_long": N_("At most %(max)d characters."),
    "slug_empty": N_("The web address needs at least one letter or digit."),
    "slug_taken": N_("Another post already has the web address “%(slug)s”. Choose another, "
                     "e.g. “%(suggestion)s”."),
    "schedule_missing": N_("Enter when the post is to be published."),
    "schedule_past": N_("The publication time %(when)s has passed. Choose a later time, or "
                        "publish now."),
    "unknown_choice": N_("Choose one of the options."),
    "picture_empty": N_("The picture file is empty."),
    "picture_too_large": N_("The picture is larger than %(limit_mb)d MB."),
    "picture_kind": N_("The picture must be a PNG, JPEG or WebP image."),
    "picture_pixels": N_("The picture is too large to process (more than %(limit)d million "
                         "pixels)."),
    "file_missing": N_("Upload a file or give a link."),
    "file_and_link": N_("Give either a file or a link, not both."),
    "bad_link": N_("The link must start with https:// or http://."),
    "file_too_large": N_("“%(name)s” is larger than %(limit_mb)d MB, the limit for %(kind)s "
                         "files."),
    "file_empty": N_("“%(name)s” is empty."),
    "file_kind": N_("“%(name)s” is not a file the library takes. Accepted: %(accepted)s."),
    "file_name_mismatch": N_("“%(name)s” is a %(kind)s file but its name does not end in "
                             "%(extensions)s. Rename it and upload it again."),
    "bad_email": N_("Enter a valid e-mail address."),
    "period_order": N_("The campaign must end after it starts."),
    "already_featured": N_("This item is already on the home page."),
    "not_public": N_("Only a published item can be featured."),
    "no_published_result": N_("You can share your result once the round's results are "
                              "published and you are ranked in it."),
    "not_yours": N_("Only the entrant can take this page back."),
    "prizes_changed": N_("The prizes changed while you were editing. Check them and save "
                         "again."),
    "not_a_winner": N_("Only an entry that won a prize in the results can have the jury's "
                       "public comment."),
    "comment_empty": N_("The comment has no text that can be shown."),
}

UNKNOWN = N_("The change was refused (%(code)s).")


def _shown(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_datetime(value, "short")
    return value


def problem_message(problem: Problem) -> str:
    """The problem said in the reader's language."""
    template = MESSAGES.get(problem.code)
    if template is None:
        return _(UNKNOWN, code=problem.code)
    try:
        return _(template, **{k: _shown(v) for k, v in problem.params.items()})
    except (KeyError, TypeError, ValueError):
        return _(UNKNOWN, code=problem.code)
