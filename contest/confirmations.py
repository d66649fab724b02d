"""Asking before an irreversible or disruptive action, without JavaScript.

A console button posts to its action's URL as before. Unless the post carries ``confirmed=1``
(and, for publishing, the round's name typed again or an explicit statement ticked), the view
does nothing and answers with a confirmation page: what will happen, what it touches (attempts
in progress, entries), and whether and how it can be undone. That page's form posts to the same
URL with the confirmation, and only then does the view call its service.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from flask import render_template, request
from flask_babel import gettext as _

from contest.forms import ActionForm

NAME = "name"  # type the object's name again
TICK = "tick"  # tick an explicit statement
BUTTON = "button"  # press a second button


@dataclass
class Ask:
    """What the confirmation page says. ``undo`` says whether and how the action can be undone
    (never left empty); ``hidden`` are the original form's fields, posted again."""

    title: str
    action_url: str
    cancel_url: str
    button: str
    consequences: list[str]
    undo: str
    kind: str = BUTTON
    name: str = ""
    statement: str = ""
    hidden: dict[str, str] = field(default_factory=dict)
    danger: bool = True


def _same(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return " ".join(unicodedata.normalize("NFC", s or "").split()).casefold()
    return bool(norm(a)) and norm(a) == norm(b)


def confirmed(ask: Ask) -> tuple[bool, str | None]:
    """Whether the post confirms ``ask``; if it tried and failed, the reason to show."""
    form = request.form
    if form.get("confirmed") != "1":
        return False, None
    if ask.kind == NAME and not _same(form.get("typed_name", ""), ask.name):
        return False, _("Type the name exactly as shown to confirm: “%(name)s”.", name=ask.name)
    if ask.kind == TICK and form.get("understood") != "1":
        return False, _("Tick the statement to confirm.")
    return True, None


def ask_first(ask: Ask, problem: str | None = None) -> tuple[str, int]:
    """The confirmation page (400 when a confirmation was tried and did not match)."""
    return render_template("confirm.html", ask=ask, problem=problem,
                           action_form=ActionForm()), (400 if problem else 200)


def guard(ask: Ask, act: Any) -> Any:
    """Run ``act()`` (the view's usual press) when the post confirms ``ask``; else ask."""
    ok, problem = confirmed(ask)
    if not ok:
        return ask_first(ask, problem)
    return act()
