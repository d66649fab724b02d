"""Names the audit viewer shows instead of ids: people, entries, rounds, contests, criteria.

Every function takes a stored id (an int or the text of one) and returns a name, or a plain
"(removed)" when the object no longer exists; never the id itself.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _

from contest.extensions import db


def as_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        return int(value)
    return None


def removed() -> str:
    return _("(removed)")


def get(model: type, value: Any) -> Any:
    key = as_id(value)
    return db.session.get(model, key) if key is not None else None


def person(value: Any) -> str:
    from contest.accounts.models import User

    if value is None:
        return _("the system")
    user = get(User, value)
    if user is None:
        return removed()
    if user.erased_at is not None:
        return _("(deleted account)")
    return user.full_name


def people(values: Any) -> str:
    if not isinstance(values, list | tuple):
        return person(values)
    return ", ".join(person(v) for v in values) or "—"


def entry(value: Any) -> str:
    from contest.writing.models import Entry

    found = get(Entry, value)
    if found is None:
        return removed()
    return found.anon_code or found.receipt_code or found.title


def entries(values: Any) -> str:
    if not isinstance(values, list | tuple):
        return entry(values)
    return ", ".join(entry(v) for v in values) or "—"


def entry_url(value: Any) -> str | None:
    key = as_id(value)
    return url_for("writing_console.writing_entry", entry_id=key) if key else None


def contest(value: Any) -> str:
    from contest.writing.models import WritingContest

    found = get(WritingContest, value)
    return f"“{found.title}”" if found else removed()


def category(value: Any) -> str:
    from contest.writing.models import Category

    found = get(Category, value)
    return f"“{found.name}”" if found else removed()


def judging_round(value: Any) -> str:
    from contest.judging.models import JudgingRound

    found = get(JudgingRound, value)
    return f"“{found.name}”" if found else removed()


def rubric(value: Any) -> str:
    from contest.judging.models import Rubric

    found = get(Rubric, value)
    return f"“{found.name}”" if found else removed()


def criterion(value: Any) -> str:
    from contest.judging.models import Criterion

    found = get(Criterion, value)
    return found.name if found else removed()


def quiz_round(value: Any) -> str:
    from contest.quiz.models import Round

    found = get(Round, value)
    return f"“{found.title}”" if found else removed()


def question(value: Any) -> str:
    from contest.quiz.models import Question

    found = get(Question, value)
    if found is None:
        return removed()
    text = found.title or found.text
    return f"“{text[:80]}{'…' if len(text) > 80 else ''}”"


def topic(value: Any) -> str:
    from contest.quiz.models import Topic

    found = get(Topic, value)
    return f"“{found.path_label}”" if found else removed()


def unit(value: Any) -> str:
    from contest.accounts.models import Unit

    found = get(Unit, value)
    return found.name if found else removed()
