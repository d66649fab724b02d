"""What an author or organizer typed for an entry, and the checks of single fields.

An :class:`EntryInput` is the whole entry, not a difference; :func:`clean_input` trims it and
:func:`field_problems` finds what is unreadable, too long or malformed. Column sizes are checked
here so that a long value is refused with a message rather than cut or failing in the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import BinaryIO
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from contest.accounts.identity import normalize_email
from contest.accounts.models import User
from contest.problems import Problem, Refused
from contest.writing.models import (
    Entry,
    WritingContest,
)
from contest.writing.phases import category_of

# Column sizes of the models, checked here so that a long value is refused with a message
# rather than cut or failing in the database.
MAX_LENGTHS = {
    "title": 300,
    "outlet": 200,
    "url": 1000,
    "pen_name": 120,
    "summary": 3000,
    "prior_award": 500,
    "reason": 500,
}


MAX_COAUTHOR_NAME = 120


MAX_EMAIL = 254


MAX_PART_TITLE = 300


BODY_FORMATS = ("markdown", "html")


# Which stored attributes a problem's ``field`` stands for: a draft keeps their old values.
FIELD_GROUPS: dict[str, tuple[str, ...]] = {
    "category_id": ("category_id",),
    "title": ("title",),
    "outlet": ("outlet",),
    "published_on": ("published_on",),
    "url": ("url",),
    "pen_name": ("pen_name",),
    "summary": ("summary",),
    "body": ("body_format", "body_source"),
    "word_count": ("body_format", "body_source"),
    "parts": ("is_series", "parts"),
    "coauthors": ("coauthors",),
    "prior_award": ("prior_award", "prior_award_declared"),
}


class EntryRefused(Refused):
    """The change was refused and nothing was changed; ``problems`` say why."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(*problems)


@dataclass(frozen=True)
class CoauthorInput:
    name: str = ""
    email: str = ""


@dataclass(frozen=True)
class PartInput:
    title: str = ""
    published_on: date | None = None
    url: str = ""


@dataclass(frozen=True)
class Upload:
    """An uploaded file not yet stored: its stream and the name the browser gave."""

    stream: BinaryIO
    filename: str


@dataclass
class EntryInput:
    """What an author (or organizer) typed for an entry; the whole entry, not a difference.

    ``unreadable`` names the fields the form could not parse (a date that is not a date); they
    are reported and keep their stored values.
    """

    category_id: int | None = None
    title: str = ""
    outlet: str = ""
    published_on: date | None = None
    url: str = ""
    pen_name: str = ""
    summary: str = ""
    body_format: str = "markdown"
    body_source: str = ""
    is_series: bool = False
    parts: list[PartInput] = field(default_factory=list)
    coauthors: list[CoauthorInput] = field(default_factory=list)
    prior_award_declared: bool = False
    prior_award: str = ""
    uploads: list[Upload] = field(default_factory=list)
    unreadable: frozenset[str] = frozenset()


@dataclass
class SaveResult:
    """A saved entry and what still stands in the way of submitting it."""

    entry: Entry
    problems: list[Problem]
    # Problems of this request that kept a field (or an upload) from being stored.
    not_stored: list[Problem] = field(default_factory=list)


def input_from_entry(entry: Entry) -> EntryInput:
    """The stored entry as an input, e.g. for an organizer to change one field of it."""
    return EntryInput(
        category_id=entry.category_id,
        title=entry.title,
        outlet=entry.outlet,
        published_on=entry.published_on,
        url=entry.url,
        pen_name=entry.pen_name,
        summary=entry.summary,
        body_format=entry.body_format,
        body_source=entry.body_source,
        is_series=entry.is_series,
        parts=[PartInput(p.title, p.published_on, p.url) for p in entry.parts],
        coauthors=[CoauthorInput(c.name, c.email) for c in entry.coauthors],
        prior_award_declared=bool(entry.prior_award.strip()),
        prior_award=entry.prior_award,
    )


def clean_input(data: EntryInput) -> EntryInput:
    """Trim what was typed; drop empty series and co-author rows."""
    parts = [
        PartInput(" ".join(p.title.split()), p.published_on, p.url.strip())
        for p in data.parts
    ]
    coauthors = [
        CoauthorInput(" ".join(c.name.split()), normalize_email(c.email) or "")
        for c in data.coauthors
    ]
    return replace(
        data,
        title=" ".join(data.title.split()),
        outlet=" ".join(data.outlet.split()),
        url=data.url.strip(),
        pen_name=" ".join(data.pen_name.split()),
        summary=data.summary.strip(),
        body_source=data.body_source.strip(),
        parts=[p for p in parts if p.title or p.published_on or p.url],
        coauthors=[c for c in coauthors if c.name or c.email],
        prior_award=" ".join(data.prior_award.split()),
    )


def _valid_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value


def _valid_email(value: str) -> bool:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def field_problems(data: EntryInput, contest: WritingContest, author: User) -> list[Problem]:
    """Problems of single fields: unreadable, too long, malformed, incomplete rows."""
    problems = [Problem("unreadable", name) for name in sorted(data.unreadable)]
    if category_of(contest, data.category_id) is None:
        problems.append(Problem("category_missing", "category_id"))
    for name, limit in MAX_LENGTHS.items():
        value = getattr(data, name, None)
        if isinstance(value, str) and len(value) > limit:
            problems.append(Problem("too_long", name, {"max": limit}))
    if data.url and not _valid_url(data.url):
        problems.append(Problem("url_invalid", "url"))
    if data.body_format not in BODY_FORMATS:
        problems.append(Problem("body_format_invalid", "body"))
    for number, part in enumerate(data.parts, start=1):
        if not part.title:
            problems.append(Problem("part_title_missing", "parts", {"number": number}))
        elif len(part.title) > MAX_PART_TITLE:
            problems.append(Problem("too_long", "parts", {"max": MAX_PART_TITLE}))
        if part.published_on is None:
            problems.append(Problem("part_date_missing", "parts", {"number": number}))
        if part.url and (not _valid_url(part.url) or len(part.url) > MAX_LENGTHS["url"]):
            problems.append(Problem("part_url_invalid", "parts", {"number": number}))
    seen: set[str] = set()
    for number, person in enumerate(data.coauthors, start=1):
        if not person.name:
            problems.append(Problem("coauthor_name_missing", "coauthors", {"number": number}))
        elif len(person.name) > MAX_COAUTHOR_NAME:
            problems.append(Problem("too_long", "coauthors", {"max": MAX_COAUTHOR_NAME}))
        if not person.email:
            problems.append(Problem("coauthor_email_missing", "coauthors", {"number": number}))
        elif len(person.email) > MAX_EMAIL or not _valid_email(person.email):
            problems.append(Problem("coauthor_email_invalid", "coauthors", {"number": number}))
        elif person.email == normalize_email(author.email):
            problems.append(Problem("coauthor_is_author", "coauthors", {"number": number}))
        elif person.email in seen:
            problems.append(Problem("coauthor_repeated", "coauthors", {"number": number}))
        seen.add(person.email)
    return problems
