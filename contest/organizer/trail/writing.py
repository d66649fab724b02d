"""How the events of writing contests and their entries read in the audit viewer."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l

from contest.audit import Describer, Fact, Subject, humanise, plain
from contest.organizer.trail import names


def _changes(value: Any) -> str:
    """{"field": {"old": …, "new": …}} as "Field: old → new" lines."""
    if not isinstance(value, dict):
        return plain(value)
    lines = []
    for field, change in value.items():
        if isinstance(change, dict) and set(change) <= {"old", "new"}:
            lines.append(f"{humanise(field)}: {_value(change.get('old'))} → "
                         f"{_value(change.get('new'))}")
        else:
            lines.append(f"{humanise(field)}: {_value(change)}")
    return "; ".join(lines)


def _value(value: Any) -> str:
    if isinstance(value, dict) and "name" in value:  # a file as the trail keeps it
        return str(value["name"])
    return plain(value)


def _file(value: Any) -> str:
    from contest.writing.models import EntryFile

    found = names.get(EntryFile, value)
    return found.original_name if found else names.removed()


class WritingDescriber(Describer):
    domain = "writing"
    label = _l("Writing contests")
    prefixes = ("writing.", "writing_contest.", "writing_category.", "writing_jury.")
    actions = {
        "writing.file.confirm_checked": _l("File confirmed as checked"),
        "writing.entry.update": _l("Entry changed by an organizer"),
        "writing.entry.withdraw": _l("Entry withdrawn"),
        "writing.entry.disqualify": _l("Entry disqualified"),
        "writing.entry.reinstate": _l("Entry reinstated"),
        "writing.entry.remove_file": _l("File removed from an entry"),
        "writing.entry.word_override": _l("Word count set by an organizer"),
        "writing_contest.create": _l("Writing contest created"),
        "writing_contest.update": _l("Writing contest changed"),
        "writing_contest.clone": _l("Writing contest copied"),
        "writing_contest.draft": _l("Writing contest back to draft"),
        "writing_contest.open": _l("Writing contest opened"),
        "writing_contest.closed": _l("Writing contest closed"),
        "writing_contest.judging": _l("Writing contest moved to judging"),
        "writing_contest.published": _l("Writing contest results published"),
        "writing_category.create": _l("Category added"),
        "writing_category.update": _l("Category changed"),
        "writing_category.delete": _l("Category removed"),
        "writing_jury.add": _l("Jury member added"),
        "writing_jury.remove": _l("Jury member removed"),
    }
    hidden = frozenset({"entry_id"})

    def keys(self) -> dict:
        return {
            "title": (_l("Title"), str),
            "name": (_l("Name"), str),
            "changes": (_l("Changes"), _changes),
            "changed": (_l("Fields changed"), lambda v: ", ".join(humanise(str(x)) for x in v)
                        if isinstance(v, list) else plain(v)),
            "source": (_l("Copied from"), names.contest),
            "contest": (_l("Contest"), names.contest),
            "user": (_l("Person"), names.person),
            "from": (_l("Previous state"), plain),
            "previous_reason": (_l("Reason of the disqualification"), plain),
            "kind": (_l("Kind of file"), plain),
            "warning": (_l("Warning"), plain),
            "cleaned": (_l("Cleaned copy made"), plain),
        }

    def facts(self, ev: Any) -> list[Fact]:
        details = dict(ev.details or {})
        found = []
        if ev.subject_type == "writing_file" and "entry_id" in details:
            found.append(Fact(str(_l("Entry")), names.entry(details["entry_id"])))
        for key, value in list(details.items()):
            # Window dates kept as [old, new].
            if isinstance(value, list) and len(value) == 2 and key.endswith(("_at", "_from",
                                                                               "_to")):
                found.append(Fact(humanise(key), f"{plain(value[0])} → {plain(value[1])}"))
                details.pop(key)
        return found + self.detail_facts(details)

    def subject(self, subject_type: str, subject_id: str) -> Subject:
        key = names.as_id(subject_id)
        if subject_type == "writing_entry":
            return Subject(str(_l("Entry")), names.entry(subject_id), names.entry_url(key))
        if subject_type == "writing_contest":
            return Subject(str(_l("Writing contest")), names.contest(subject_id),
                           url_for("writing_console.writing_contest", contest_id=key)
                           if key else None)
        if subject_type == "writing_category":
            return Subject(str(_l("Category")), names.category(subject_id))
        if subject_type == "writing_file":
            return Subject(str(_l("File")), _file(subject_id))
        return super().subject(subject_type, subject_id)
