"""Showing a refused change to the person who asked for it: each problem next to its form field,
or as a flashed message when it concerns the change as a whole; and the one flow every view
that changes something follows (validate, call the service, commit or roll back, tell, redirect)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import abort, flash, redirect

from contest.extensions import db
from contest.forms import ActionForm
from contest.problems import Problem, Refused

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


Render = Callable[[Any, list[str], int], Any]


def _target(where: str | Callable[[Any], str], result: Any) -> str:
    return where(result) if callable(where) else where


def save_form(form: Any, act: Callable[[], Any], *, render: Render, message: Message,
              done: str | Callable[[Any], str] | None, then: str | Callable[[Any], str],
              fields: Mapping[str, Any] | None = None,
              warnings: Callable[[Any], Iterable[Problem]] | None = None) -> Any:
    """The whole life of a posted form, the same for every view that changes something.

    A form not posted (a GET) is drawn as it is (200). Invalid input re-renders the form
    (400). Otherwise ``act()`` asks the service to make the
    change; a refusal rolls everything back and re-renders the form with each problem next to
    its field (400); success commits, flashes ``done`` and redirects to ``then`` (each a text,
    or a function of what ``act`` returned). ``render(form, general_messages, status)`` draws
    the page. ``warnings(result)``, when given, names problems that did not stop the change
    (a file that could not be stored): each is flashed as an error after ``done``.
    """
    if not form.is_submitted():
        return render(form, [], 200)
    if not form.validate_on_submit():
        return render(form, [], 400)
    try:
        result = act()
    except Refused as exc:
        db.session.rollback()
        return render(form, place_problems(exc.problems, message, form, fields), 400)
    db.session.commit()
    if done:
        flash(_target(done, result), "success")
    if warnings is not None:
        flash_problems(warnings(result), message)
    return redirect(_target(then, result))


def press_button(act: Callable[[], Any], *, message: Message,
                 done: str | Callable[[Any], str | None],
                 then: str | Callable[[Any], str], form: Any = None) -> Any:
    """A button that changes something (a bare CSRF form, or ``form`` when it carries a value):
    a bad token answers 400; other invalid input is flashed; a refusal rolls back and flashes
    its problems; success commits and flashes ``done`` (a function of what ``act`` returned may
    give None when there is nothing to say). Either way the browser goes back to ``then``."""
    form = form if form is not None else ActionForm()
    if not form.validate_on_submit():
        if set(form.errors) - {"csrf_token"}:
            for errors in form.errors.values():
                for error in errors:
                    flash(error, "error")
            return redirect(_target(then, None))
        abort(400)
    try:
        result = act()
    except Refused as exc:
        db.session.rollback()
        flash_problems(exc.problems, message)
        return redirect(_target(then, None))
    db.session.commit()
    said = _target(done, result)
    if said:
        flash(said, "success")
    return redirect(_target(then, result))
