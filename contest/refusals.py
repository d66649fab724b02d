"""Showing a refused change to the person who asked for it: each problem next to its form field,
or as a flashed message when it concerns the change as a whole."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import flash

from contest.problems import Problem

Message = Callable[[Problem], str]


def _field(form: Any, path: str) -> Any:
    """The form field a problem names: ``title``, or ``criteria-2-name`` for row 2's name."""
    target = form
    for part in path.split("-"):
        if target is None:
            return None
        if part.isdigit() and hasattr(target, "entries"):
            index = int(part)
            target = target.entries[index].form if index < len(target.entries) else None
        else:
            target = getattr(target, part, None)
    return target if hasattr(target, "errors") else None


def place_problems(problems: Iterable[Problem], message: Message, form: Any = None,
                   fields: Mapping[str, Any] | None = None) -> list[str]:
    """Put each problem's message next to its field and return the messages that concern the
    whole form. ``fields`` maps problem field names to form fields where the names differ;
    other names are looked up on ``form``."""
    general = []
    for problem in problems:
        target = None
        if problem.field:
            target = (fields or {}).get(problem.field)
            if target is None and form is not None:
                target = _field(form, problem.field)
        text = message(problem)
        if target is None:
            general.append(text)
        else:
            target.errors = [*target.errors, text]
    return general


def flash_problems(problems: Iterable[Problem], message: Message) -> None:
    for problem in problems:
        flash(message(problem), "error")
