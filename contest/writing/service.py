"""Entries of the writing contests: drafts, submission, edits, withdrawal, files and receipts.

Every rule about what may change an entry, and when, lives here (with the rules of a valid
entry in :mod:`contest.writing.eligibility`), so the journalist's pages and the organizer
console apply the same ones. Functions work on ORM objects and the database session and never
look at the request; the caller commits, or rolls back when :class:`EntryRefused` is raised.

Timing is decided on the server clock (:func:`utcnow` of this module). The submission window
is ``opens_at <= now < closes_at``: the author may change an entry only before the closing
second; after it only organizers do, with a reason, and each of their changes is recorded in
the audit log with the old and new values.

Two ways of saving:

* a **draft** keeps what is valid: fields with a problem keep their stored value, every other
  field is stored, and the problems are reported so the author can fix them before submitting;
* a **submission**, and any change to a submitted entry, is all or nothing: one problem and
  nothing changes (uploads made by the refused request are deleted again).

Uploaded files live in ``<upload_root>/entries/<entry id>/`` under random names, next to the
cleaned copies judges download. Files are created or deleted on disk only as far as the
database transaction goes: new files are removed again when the transaction rolls back, and
removed files are deleted once it commits.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import event, func, inspect, or_, select, update
from sqlalchemy.orm import Session

from contest import audit, timeutil
from contest.accounts.identity import normalize_email
from contest.accounts.models import User
from contest.accounts.policy import can
from contest.extensions import db
from contest.problems import Problem, Refused
from contest.writing import access, eligibility, files, text, words
from contest.writing.models import (
    Category,
    Coauthor,
    ContestJuror,
    ContestStatus,
    Entry,
    EntryFile,
    EntryStatus,
    SeriesPart,
    WritingContest,
)

MIB = 1024 * 1024

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

# Receipt codes: Crockford's base32 alphabet (no I, L, O, U), 10 characters = 50 random bits.
RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECEIPT_LENGTH = 10

# Problems that concern timing; organizers' changes after the deadline are not subject to them.
WINDOW_CODES = frozenset({"closed", "not_open_yet"})

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


def utcnow() -> datetime:
    """The server clock every rule of this module reads (tests move it by patching this name
    or contest.timeutil.utcnow)."""
    return timeutil.utcnow()


class Phase(StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


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


# --- contests and their phases -----------------------------------------------------------------


def contest_phase(contest: WritingContest, now: datetime | None = None) -> Phase:
    """Upcoming, open or closed, from the contest's status and window on the server clock."""
    now = now or utcnow()
    if contest.status == ContestStatus.DRAFT:
        return Phase.UPCOMING
    if contest.status != ContestStatus.OPEN:
        return Phase.CLOSED
    if now < contest.submission_opens_at:
        return Phase.UPCOMING
    if now >= contest.submission_closes_at:
        return Phase.CLOSED
    return Phase.OPEN


def accepting_changes(contest: WritingContest, now: datetime | None = None) -> bool:
    """Whether authors may still create and change entries (drafts may be started early)."""
    now = now or utcnow()
    return contest.status == ContestStatus.OPEN and now < contest.submission_closes_at


def time_left(contest: WritingContest, now: datetime | None = None) -> timedelta | None:
    """Time until the closing second, or None when the contest no longer takes entries."""
    now = now or utcnow()
    if not accepting_changes(contest, now):
        return None
    return contest.submission_closes_at - now


def visible_contests() -> list[WritingContest]:
    """Contests journalists may look at (everything but drafts), the latest deadline first."""
    return list(
        db.session.execute(
            select(WritingContest)
            .where(WritingContest.status != ContestStatus.DRAFT)
            .order_by(WritingContest.submission_closes_at.desc(), WritingContest.id)
        ).scalars()
    )


def get_visible_contest(contest_id: int) -> WritingContest | None:
    contest = db.session.get(WritingContest, contest_id)
    if contest is None or contest.status == ContestStatus.DRAFT:
        return None
    return contest


def category_of(contest: WritingContest, category_id: int | None) -> Category | None:
    return next((c for c in contest.categories if c.id == category_id), None)


# --- reading entries ---------------------------------------------------------------------------


def entries_of(user: User) -> list[Entry]:
    """Entries the user wrote or is a linked co-author of, newest first."""
    coauthored = select(Coauthor.entry_id).where(Coauthor.user_id == user.id)
    return list(
        db.session.execute(
            select(Entry)
            .where(or_(Entry.author_id == user.id, Entry.id.in_(coauthored)))
            .order_by(Entry.created_at.desc(), Entry.id.desc())
        ).scalars()
    )


def find_by_anon_code(contest_id: int, anon_code: str) -> Entry | None:
    return db.session.execute(
        select(Entry).where(Entry.contest_id == contest_id, Entry.anon_code == anon_code)
    ).scalar_one_or_none()


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


def entry_dir(upload_root: str | Path, entry: Entry) -> Path:
    return Path(upload_root) / "entries" / str(entry.id)


def file_path(upload_root: str | Path, entry_file: EntryFile, clean: bool = False) -> Path | None:
    """Where a file (or its cleaned copy) is stored; None when there is no cleaned copy."""
    name = entry_file.clean_name if clean else entry_file.stored_name
    if not name:
        return None
    return Path(upload_root) / "entries" / str(entry_file.entry_id) / name


def anonymised_name(entry: Entry, position: int, entry_file: EntryFile) -> str:
    """A file name that says nothing about the author: ``BC-017-1.pdf``."""
    return f"{entry.anon_code}-{position}{files.KINDS[entry_file.kind].extensions[0]}"


def is_held(entry_file: EntryFile) -> bool:
    """Whether the file is kept from judges: it could not be cleaned completely and no
    organizer has confirmed yet that it was checked."""
    return entry_file.checked_at is None and files.is_held(
        entry_file.clean_name, entry_file.clean_warning
    )


def anonymised_source(
    upload_root: str | Path, entry_file: EntryFile, for_organizer: bool
) -> Path | None:
    """What blind review serves for a file: the cleaned copy; nothing to judges while the file
    is held (see :func:`is_held`); once an organizer confirmed a file without a cleaned copy,
    the file as uploaded. Organizers always get the cleaned copy, else the upload.
    """
    clean = file_path(upload_root, entry_file, clean=True)
    if for_organizer:
        return clean or file_path(upload_root, entry_file)
    if is_held(entry_file):
        return None
    return clean or file_path(upload_root, entry_file)


def held_files(contest: WritingContest) -> list[tuple[Entry, int, EntryFile]]:
    """(entry, position, file) of every file of the contest's submitted entries that is held
    back from judges, in the order of the entries' codes."""
    rows = db.session.execute(
        select(Entry)
        .where(Entry.contest_id == contest.id, Entry.status == EntryStatus.SUBMITTED)
        .order_by(Entry.anon_code, Entry.id)
    ).scalars()
    return [
        (entry, position, item)
        for entry in rows
        for position, item in enumerate(entry.files, start=1)
        if is_held(item)
    ]


def confirm_checked(entry_file: EntryFile, actor: User, now: datetime | None = None) -> None:
    """Record that an organizer checked a held file, which releases it to judges (audited).

    Raises :class:`EntryRefused` when the actor is no organizer or the file is not held."""
    if not access.is_organizer(actor):
        raise EntryRefused([Problem("not_allowed")])
    if not is_held(entry_file):
        raise EntryRefused([Problem("file_not_held")])
    entry_file.checked_at = now or utcnow()
    entry_file.checked_by_id = actor.id
    audit.record(actor.id, "writing.file.confirm_checked", "writing_file", entry_file.id,
                 entry_id=entry_file.entry_id, kind=entry_file.kind,
                 warning=entry_file.clean_warning, cleaned=entry_file.clean_name is not None)
    db.session.flush()


def current_problems(
    entry: Entry, upload_root: str | Path, now: datetime | None = None
) -> list[Problem]:
    """What stands in the way of submitting the entry as stored (empty: it may be submitted)."""
    now = now or utcnow()
    state = _state_from_entry(entry, upload_root)
    return _eligibility(entry.contest, _author_of(entry), state, entry.id, now)


# --- co-authors and accounts -------------------------------------------------------------------


def link_coauthor_accounts(user: User) -> int:
    """Link co-author rows naming the user's e-mail to the account; returns how many.

    Only a confirmed e-mail address links: otherwise anyone could register with a co-author's
    address and read an entry before its deadline. Called at every entry save, and on its own
    (see the mapper events at the end of this module) when an account confirms its e-mail.
    """
    if not user.email or user.email_verified_at is None or user.erased_at is not None:
        return 0
    rows = db.session.execute(
        select(Coauthor).where(Coauthor.email == user.email, Coauthor.user_id.is_(None))
    ).scalars().all()
    for row in rows:
        row.user_id = user.id
    return len(rows)


def _link_entry_coauthors(entry: Entry) -> None:
    emails = [c.email for c in entry.coauthors if c.user_id is None]
    if not emails:
        return
    accounts = {
        u.email: u.id
        for u in db.session.execute(
            select(User).where(
                User.email.in_(emails),
                User.email_verified_at.is_not(None),
                User.erased_at.is_(None),
            )
        ).scalars()
    }
    for row in entry.coauthors:
        if row.user_id is None and row.email in accounts:
            row.user_id = accounts[row.email]


# --- the state an entry would have ----------------------------------------------------------


@dataclass(frozen=True)
class _FileState:
    kind: str
    path: Path | None  # to read the words of a document stored before counts were kept
    entry_file: EntryFile | None = None  # None for an upload of this request
    name: str = ""
    words: int | None = None
    words_read: bool = False


@dataclass(frozen=True)
class _State:
    category: Category
    title: str
    outlet: str
    published_on: date | None
    url: str
    pen_name: str
    summary: str
    body_format: str
    body_source: str
    is_series: bool
    parts: tuple[PartInput, ...]
    coauthors: tuple[CoauthorInput, ...]
    prior_award_declared: bool
    prior_award: str
    files: tuple[_FileState, ...]
    word_override: int | None = None


def _author_of(entry: Entry) -> User:
    return db.session.get(User, entry.author_id)  # type: ignore[return-value]


def _state_from_entry(entry: Entry, upload_root: str | Path | None = None) -> _State:
    return _State(
        category=entry.category,
        title=entry.title,
        outlet=entry.outlet,
        published_on=entry.published_on,
        url=entry.url,
        pen_name=entry.pen_name,
        summary=entry.summary,
        body_format=entry.body_format,
        body_source=entry.body_source,
        is_series=entry.is_series,
        parts=tuple(PartInput(p.title, p.published_on, p.url) for p in entry.parts),
        coauthors=tuple(CoauthorInput(c.name, c.email) for c in entry.coauthors),
        prior_award_declared=bool(entry.prior_award.strip()),
        prior_award=entry.prior_award,
        files=tuple(
            _FileState(f.kind, file_path(upload_root, f) if upload_root else None, f,
                       f.original_name, f.word_count, f.words_read)
            for f in entry.files
        ),
        word_override=entry.word_override,
    )


def _clean_input(data: EntryInput) -> EntryInput:
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


def _field_problems(data: EntryInput, contest: WritingContest, author: User) -> list[Problem]:
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


def _state_with(
    stored: _State, data: EntryInput, contest: WritingContest, withheld: set[str]
) -> _State:
    """The stored state with the input applied, except the attributes in ``withheld``."""

    def pick(name: str, new: Any) -> Any:
        return getattr(stored, name) if name in withheld else new

    category = stored.category
    if "category_id" not in withheld:
        category = category_of(contest, data.category_id) or stored.category
    return _State(
        category=category,
        title=pick("title", data.title),
        outlet=pick("outlet", data.outlet),
        published_on=pick("published_on", data.published_on),
        url=pick("url", data.url),
        pen_name=pick("pen_name", data.pen_name),
        summary=pick("summary", data.summary),
        body_format=pick("body_format", data.body_format),
        body_source=pick("body_source", data.body_source),
        is_series=pick("is_series", data.is_series),
        parts=pick("parts", tuple(data.parts) if data.is_series else ()),
        coauthors=pick("coauthors", tuple(data.coauthors)),
        prior_award_declared=pick("prior_award_declared",
                                  data.prior_award_declared or bool(data.prior_award)),
        prior_award=pick("prior_award", data.prior_award),
        files=stored.files,
        word_override=stored.word_override,
    )


def _word_count(state: _State) -> words.WordCount:
    """Words of the typed text, else the sum of the words of the PDF and DOCX files (see
    :mod:`contest.writing.words`). A document stored before counts were kept is read now."""
    documents = []
    for f in state.files:
        if f.kind not in words.DOCUMENT_KINDS:
            continue
        count = f.words
        if not f.words_read and f.path is not None:
            count = words.document_words(f.path, f.kind)
        documents.append(words.DocumentWords(f.name, count))
    return words.count_entry(state.body_source, state.body_format, documents)


def _word_params(state: _State, counted: words.WordCount) -> dict[str, Any]:
    """What a word range problem says about where its count came from."""
    if state.word_override is not None:
        return {"source": "override"}
    return {"source": counted.source, "files": ", ".join(counted.names)}


def _submitted_count(
    contest_id: int, exclude_entry_id: int | None, user_id: int | None, email: str | None
) -> int:
    """Other submitted entries of the contest the person wrote or co-wrote."""
    conditions = []
    if user_id is not None:
        conditions.append(Entry.author_id == user_id)
        conditions.append(
            Entry.id.in_(select(Coauthor.entry_id).where(Coauthor.user_id == user_id))
        )
    if email:
        conditions.append(Entry.id.in_(select(Coauthor.entry_id).where(Coauthor.email == email)))
        conditions.append(Entry.author_id.in_(select(User.id).where(User.email == email)))
    if not conditions:
        return 0
    stmt = select(func.count(Entry.id)).where(
        Entry.contest_id == contest_id,
        Entry.status == EntryStatus.SUBMITTED,
        or_(*conditions),
    )
    if exclude_entry_id is not None:
        stmt = stmt.where(Entry.id != exclude_entry_id)
    return db.session.execute(stmt).scalar_one()


def _people(author: User, coauthors: Iterable[CoauthorInput]) -> list[tuple[str, int | None, str]]:
    """(name, account id, e-mail) of everyone on the entry, the author first."""
    people = [(author.full_name, author.id, normalize_email(author.email) or "")]
    accounts: dict[str, int] = {}
    emails = [c.email for c in coauthors if c.email]
    if emails:
        accounts = {
            u.email: u.id
            for u in db.session.execute(
                select(User).where(User.email.in_(emails), User.erased_at.is_(None))
            ).scalars()
        }
    for c in coauthors:
        people.append((c.name, accounts.get(c.email), c.email))
    return people


def _eligibility(
    contest: WritingContest,
    author: User,
    state: _State,
    entry_id: int | None,
    now: datetime,
) -> list[Problem]:
    """Every problem that would stop the entry in ``state`` from being submitted."""
    category = state.category
    people = _people(author, state.coauthors)
    counts: dict[str, int] = {}
    for name, user_id, email in people:
        key = name if name not in counts else f"{name} <{email}>"
        counts[key] = _submitted_count(contest.id, entry_id, user_id, email)
    jurors = db.session.execute(
        select(User.id, User.email)
        .join(ContestJuror, ContestJuror.user_id == User.id)
        .where(ContestJuror.contest_id == contest.id)
    ).all()
    juror_ids = {row.id for row in jurors}
    juror_emails = {row.email for row in jurors if row.email}
    is_juror = any(uid in juror_ids or (email and email in juror_emails)
                   for _name, uid, email in people)
    counted = _word_count(state)
    word_count = state.word_override if state.word_override is not None else counted.count
    ctx = eligibility.EntryContext(
        now=now,
        opens_at=contest.submission_opens_at,
        closes_at=contest.submission_closes_at,
        publication_from=contest.publication_from,
        publication_to=contest.publication_to,
        category=eligibility.CategoryRules(
            min_words=category.min_words,
            max_words=category.max_words,
            file_required=category.file_required,
            link_required=category.link_required,
            accepted_kinds=tuple(category.accepted_kinds or ()),
            series_allowed=category.series_allowed,
            max_series_parts=category.max_series_parts,
        ),
        published_on=state.published_on,
        is_series=state.is_series,
        parts=tuple(eligibility.PartInfo(p.published_on, p.title, p.url) for p in state.parts),
        word_count=word_count,
        has_files=bool(state.files),
        url=state.url,
        entries_by_person=counts,
        cap=contest.max_entries_per_author,
        is_jury_member=is_juror,
        jury_may_enter=contest.jury_may_enter,
        prior_award=state.prior_award,
        prior_awards_allowed=contest.allow_prior_awards,
        prior_award_declared=state.prior_award_declared,
    )
    problems = [
        Problem(p.code, p.field, {**p.params, **_word_params(state, counted)})
        if p.field == "word_count" else p
        for p in eligibility.check_entry(ctx)
    ]
    # What the category's own rules say about the work itself, beyond eligibility.
    if not state.title:
        problems.append(Problem("title_missing", "title"))
    if not state.outlet:
        problems.append(Problem("outlet_missing", "outlet"))
    text_category = category.min_words is not None or category.max_words is not None
    if text_category and not state.body_source and not state.files:
        problems.append(Problem("text_missing", "body"))
    accepted = set(category.accepted_kinds or ())
    wrong = sorted({f.kind for f in state.files if f.kind not in accepted})
    if wrong:
        labels = ", ".join(files.KINDS[k].label for k in wrong)
        problems.append(Problem("files_not_accepted", "files", {"kinds": labels}))
    if len(state.files) > category.max_files:
        problems.append(Problem("too_many_files", "files", {"max": category.max_files,
                                                            "count": len(state.files)}))
    return problems


# --- who may change an entry, and when ---------------------------------------------------------


def _change_mode(entry: Entry, actor: User, reason: str, now: datetime) -> str:
    """``"author"`` or ``"organizer"``: how the actor may change the entry now.

    Raises EntryRefused when the actor may not change it at all.
    """
    if entry.status in (EntryStatus.WITHDRAWN, EntryStatus.DISQUALIFIED):
        raise EntryRefused([Problem("entry_closed", None, {"status": entry.status})])
    if access.is_author(actor, entry) and accepting_changes(entry.contest, now):
        if not can(actor, "writing.submit"):
            raise EntryRefused([Problem("not_allowed")])
        return "author"
    if access.is_organizer(actor):
        if not accepting_changes(entry.contest, now) and not reason.strip():
            raise EntryRefused([Problem("reason_required", "reason")])
        if len(reason) > MAX_LENGTHS["reason"]:
            raise EntryRefused([Problem("too_long", "reason", {"max": MAX_LENGTHS["reason"]})])
        return "organizer"
    if access.is_author(actor, entry):
        raise EntryRefused([Problem("deadline_passed", None,
                                    {"closes_at": entry.contest.submission_closes_at})])
    raise EntryRefused([Problem("not_allowed")])


def _blocking(problems: Iterable[Problem], mode: str) -> list[Problem]:
    if mode == "organizer":
        return [p for p in problems if p.code not in WINDOW_CODES]
    return list(problems)


# --- files on disk, in step with the transaction -----------------------------------------------

_NEW_FILES = "writing.new_files"
_DOOMED_FILES = "writing.doomed_files"


def _track(key: str, path: Path) -> None:
    db.session().info.setdefault(key, []).append(str(path))


@event.listens_for(Session, "after_commit")
def _files_after_commit(session: Session) -> None:
    session.info.pop(_NEW_FILES, None)
    for name in session.info.pop(_DOOMED_FILES, []):
        Path(name).unlink(missing_ok=True)


@event.listens_for(Session, "after_soft_rollback")
def _files_after_rollback(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is not None:  # a savepoint: the outer work goes on
        return
    session.info.pop(_DOOMED_FILES, None)
    for name in session.info.pop(_NEW_FILES, []):
        Path(name).unlink(missing_ok=True)


def _discard(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


@dataclass
class _Stored:
    saved: files.SavedFile
    clean_name: str | None
    clean_warning: str
    words: int | None = None

    def paths(self, folder: Path) -> list[Path]:
        found = [folder / self.saved.stored_name]
        if self.clean_name:
            found.append(folder / self.clean_name)
        return found


def _store_uploads(
    uploads: Sequence[Upload], category: Category, folder: Path, existing: int
) -> tuple[list[_Stored], list[Problem]]:
    """Save each upload that passes its checks; problems for the refused ones."""
    stored: list[_Stored] = []
    problems: list[Problem] = []
    for upload in uploads:
        try:
            files.check_file_count(existing + len(stored), category.max_files)
            saved = files.save_upload(
                upload.stream,
                upload.filename,
                folder,
                tuple(category.accepted_kinds or ()),
                category.max_file_mb * MIB,
            )
        except files.UploadRefused as refused:
            params = dict(refused.params)
            params.setdefault("name", files.display_name(upload.filename))
            problems.append(Problem(f"upload_{refused.code}", "files", params))
            continue
        _track(_NEW_FILES, folder / saved.stored_name)
        try:
            clean_name, warning = files.clean_copy(folder / saved.stored_name, saved.kind,
                                                   folder)
        except files.UploadRefused as refused:
            # Cleaning would cost more than the file's budget: refuse it like a zip bomb.
            (folder / saved.stored_name).unlink(missing_ok=True)
            params = {**refused.params, "name": saved.original_name,
                      "accepted": ", ".join(files.KINDS[k].label for k in files.KINDS
                                            if k in (category.accepted_kinds or ()))}
            problems.append(Problem(f"upload_{refused.code}", "files", params))
            continue
        item = _Stored(saved, clean_name, warning,
                       words.document_words(folder / saved.stored_name, saved.kind))
        if clean_name:
            _track(_NEW_FILES, folder / clean_name)
        stored.append(item)
    return stored, problems


# --- saving ------------------------------------------------------------------------------------


def _snapshot(entry: Entry) -> dict[str, Any]:
    """The entry's values as JSON, for the audit log."""
    return {
        "category_id": entry.category_id,
        "title": entry.title,
        "outlet": entry.outlet,
        "published_on": entry.published_on.isoformat() if entry.published_on else None,
        "url": entry.url,
        "pen_name": entry.pen_name,
        "summary": entry.summary,
        "body_format": entry.body_format,
        "body_source": entry.body_source,
        "is_series": entry.is_series,
        "parts": [
            {"title": p.title, "published_on": p.published_on.isoformat(), "url": p.url}
            for p in entry.parts
        ],
        "coauthors": [{"name": c.name, "email": c.email} for c in entry.coauthors],
        "prior_award": entry.prior_award,
        "files": [{"id": f.id, "name": f.original_name, "sha256": f.sha256}
                  for f in entry.files],
        "status": entry.status,
        "word_override": entry.word_override,
    }


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        key: {"old": before[key], "new": after[key]}
        for key in after
        if before.get(key) != after[key]
    }


def _apply(entry: Entry, state: _State, stored: Sequence[_Stored], now: datetime) -> None:
    entry.category_id = state.category.id
    entry.category = state.category
    entry.title = state.title
    entry.outlet = state.outlet
    entry.published_on = state.published_on
    entry.url = state.url
    entry.pen_name = state.pen_name
    entry.summary = state.summary
    entry.body_format = state.body_format
    entry.body_source = state.body_source
    entry.body_html = text.render_body(state.body_source, state.body_format)
    entry.is_series = state.is_series
    entry.prior_award = state.prior_award

    new_parts = [(p.title, p.published_on, p.url) for p in state.parts]
    if [(p.title, p.published_on, p.url) for p in entry.parts] != new_parts:
        entry.parts.clear()
        for position, (title, published_on, url) in enumerate(new_parts, start=1):
            entry.parts.append(SeriesPart(position=position, title=title,
                                          published_on=published_on, url=url))

    # Keep the rows (and their account links) of co-authors who stay.
    old = {c.email: c for c in entry.coauthors}
    keep = []
    for person in state.coauthors:
        row = old.get(person.email)
        if row is None:
            row = Coauthor(name=person.name, email=person.email)
        else:
            row.name = person.name
        keep.append(row)
    entry.coauthors[:] = keep

    for item in stored:
        entry.files.append(
            EntryFile(
                kind=item.saved.kind,
                original_name=item.saved.original_name,
                stored_name=item.saved.stored_name,
                clean_name=item.clean_name,
                clean_warning=item.clean_warning,
                size=item.saved.size,
                sha256=item.saved.sha256,
                word_count=item.words,
                words_read=True,
                uploaded_at=now,
            )
        )


def _withheld_attributes(problems: Iterable[Problem]) -> set[str]:
    withheld: set[str] = set()
    for problem in problems:
        if problem.field in FIELD_GROUPS:
            withheld.update(FIELD_GROUPS[problem.field])
    return withheld


def _save(
    entry: Entry,
    author: User,
    data: EntryInput,
    *,
    mode: str,
    all_or_nothing: bool,
    upload_root: str | Path,
    now: datetime,
) -> SaveResult:
    """Apply ``data`` to ``entry`` (already in the session, with an id)."""
    contest = entry.contest
    data = _clean_input(data)
    basis = _word_basis(entry)
    stored_state = _state_from_entry(entry, upload_root)
    field_problems = _field_problems(data, contest, author)
    if all_or_nothing and field_problems:
        raise EntryRefused(field_problems)

    folder = entry_dir(upload_root, entry)
    target = _state_with(stored_state, data, contest, _withheld_attributes(field_problems))
    stored, upload_problems = _store_uploads(data.uploads, target.category, folder,
                                             len(target.files))
    new_paths = [p for item in stored for p in item.paths(folder)]
    if all_or_nothing and upload_problems:
        _discard(new_paths)
        raise EntryRefused(upload_problems)

    uploaded = tuple(_FileState(s.saved.kind, folder / s.saved.stored_name, None,
                                s.saved.original_name, s.words, True) for s in stored)
    candidate = replace(target, files=target.files + uploaded)
    if _lapses(stored_state, candidate):
        candidate = replace(candidate, word_override=None)
    problems = _blocking(_eligibility(contest, author, candidate, entry.id, now), mode)
    not_stored: list[Problem] = []
    if all_or_nothing:
        if problems:
            _discard(new_paths)
            raise EntryRefused(problems)
        final = candidate
    else:
        # A draft stores what is valid: a field with a problem keeps its stored value.
        withheld_by = [p for p in field_problems + problems if p.field in FIELD_GROUPS]
        final = replace(
            _state_with(stored_state, data, contest, _withheld_attributes(withheld_by)),
            files=candidate.files,
        )
        if _lapses(stored_state, final):
            final = replace(final, word_override=None)
        typed = _state_with(stored_state, data, contest, set())
        not_stored = _unique(
            [p for p in withheld_by
             if any(getattr(typed, a) != getattr(stored_state, a)
                    for a in FIELD_GROUPS[p.field or ""] if a != "category_id")
             or (p.field == "category_id" and data.category_id != entry.category_id)]
            + upload_problems
        )

    _apply(entry, final, stored, now)
    entry.updated_at = now
    db.session.flush()
    _store_word_count(entry, upload_root, basis)
    _link_entry_coauthors(entry)
    db.session.flush()
    if all_or_nothing:
        return SaveResult(entry, [], [])
    remaining = _blocking(_eligibility(contest, author, _state_from_entry(entry, upload_root),
                                       entry.id, now), mode)
    return SaveResult(entry, remaining, not_stored)


def _lapses(before: _State, after: _State) -> bool:
    """Whether an override given for ``before`` no longer holds for ``after``."""
    def basis(state: _State) -> tuple[Any, ...]:
        return (state.body_format, state.body_source,
                tuple(f.entry_file.id if f.entry_file else str(f.path) for f in state.files
                      if f.kind in words.DOCUMENT_KINDS))
    return basis(before) != basis(after)


def _word_basis(entry: Entry) -> tuple[Any, ...]:
    """What an entry's word count is taken from: its typed text and its documents."""
    return (entry.body_format, entry.body_source,
            tuple(f.id for f in entry.files if f.kind in words.DOCUMENT_KINDS))


def _store_word_count(entry: Entry, upload_root: str | Path, basis: tuple[Any, ...]) -> None:
    """Count the entry's words again; an organizer's override lapses once the text or the
    documents it was given for have changed."""
    counted = _word_count(_state_from_entry(entry, upload_root))
    entry.word_count = counted.count
    entry.word_source = counted.source
    entry.word_uncounted = (words.joined_names(counted.names)
                            if counted.source == words.UNKNOWN else "")
    if entry.word_override is not None and _word_basis(entry) != basis:
        entry.word_override = None
        entry.word_override_reason = ""
        entry.word_override_by_id = None
        entry.word_override_at = None


MAX_WORD_OVERRIDE = 1_000_000


def override_word_count(entry: Entry, actor: User, count: int | None, reason: str) -> Entry:
    """Set the entry's word count by hand (organizers only, with a reason, audited).

    For a document whose words could not be counted (a scan) or were counted wrongly; the
    category's word range is then checked against ``count``. The override lapses when the
    entry's text or documents change (see :func:`_store_word_count`).
    """
    if not access.is_organizer(actor):
        raise EntryRefused([Problem("not_allowed")])
    if entry.status not in (EntryStatus.DRAFT, EntryStatus.SUBMITTED):
        raise EntryRefused([Problem("entry_closed", None, {"status": entry.status})])
    problems = []
    if count is None or not 0 <= count <= MAX_WORD_OVERRIDE:
        problems.append(Problem("word_override_invalid", "words", {"max": MAX_WORD_OVERRIDE}))
    reason = reason.strip()
    if not reason:
        problems.append(Problem("word_override_reason", "reason"))
    elif len(reason) > MAX_LENGTHS["reason"]:
        problems.append(Problem("too_long", "reason", {"max": MAX_LENGTHS["reason"]}))
    if problems:
        raise EntryRefused(problems)
    old = entry.word_override
    entry.word_override = count
    entry.word_override_reason = reason
    entry.word_override_by_id = actor.id
    entry.word_override_at = utcnow()
    audit.record(actor.id, "writing.entry.word_override", "writing_entry", entry.id, reason,
                 changes={"word_override": {"old": old, "new": count}},
                 counted=entry.word_count, source=entry.word_source)
    db.session.flush()
    return entry


def _unique(problems: Iterable[Problem]) -> list[Problem]:
    seen: list[Problem] = []
    for problem in problems:
        if problem not in seen:
            seen.append(problem)
    return seen


def create_entry(
    contest: WritingContest,
    author: User,
    data: EntryInput,
    *,
    upload_root: str | Path,
    submit: bool = False,
) -> SaveResult:
    """Start an entry as a draft (``submit=True``: and submit it at once, all or nothing).

    The draft keeps every valid field and reports the problems. A category is needed to start
    one; without it, or when the contest takes no entries now, EntryRefused.
    """
    now = utcnow()
    if not can(author, "writing.submit"):
        raise EntryRefused([Problem("not_allowed")])
    if not accepting_changes(contest, now):
        if contest_phase(contest, now) == Phase.CLOSED:
            raise EntryRefused([Problem("closed", None,
                                        {"closes_at": contest.submission_closes_at})])
        raise EntryRefused([Problem("not_open_yet", None,
                                    {"opens_at": contest.submission_opens_at})])
    category = category_of(contest, data.category_id)
    if category is None:
        raise EntryRefused([Problem("category_missing", "category_id")])
    entry = Entry(
        contest=contest,
        contest_id=contest.id,
        category=category,
        category_id=category.id,
        author_id=author.id,
        status=EntryStatus.DRAFT,
        title="",
        created_at=now,
        updated_at=now,
    )
    db.session.add(entry)
    db.session.flush()
    if submit:
        _lock_contest(contest)
    result = _save(entry, author, data, mode="author", all_or_nothing=submit,
                   upload_root=upload_root, now=now)
    if submit:
        _mark_submitted(entry, now)
    return result


def update_entry(
    entry: Entry,
    data: EntryInput,
    actor: User,
    *,
    upload_root: str | Path,
    reason: str = "",
    submit: bool = False,
) -> SaveResult:
    """Change an entry.

    The author changes it until the deadline: a draft keeps what is valid; a submitted entry
    stays submitted and the change is all or nothing. ``submit=True`` saves and submits a draft,
    all or nothing. Organizers change it at any time, with a ``reason`` after the deadline,
    and the change is recorded in the audit log with the old and new values.
    """
    now = utcnow()
    mode = _change_mode(entry, actor, reason, now)
    if submit and (mode != "author" or entry.status != EntryStatus.DRAFT):
        raise EntryRefused([Problem("not_allowed")])
    all_or_nothing = submit or entry.status == EntryStatus.SUBMITTED
    if all_or_nothing:
        _lock_contest(entry.contest)
    before = _snapshot(entry) if mode == "organizer" else None
    result = _save(entry, _author_of(entry), data, mode=mode, all_or_nothing=all_or_nothing,
                   upload_root=upload_root, now=now)
    if submit:
        _mark_submitted(entry, now)
    if before is not None:
        changes = _changes(before, _snapshot(entry))
        if changes:
            audit.record(actor.id, "writing.entry.update", "writing_entry", entry.id,
                         reason.strip(), changes=changes)
    return result


def _lock_contest(contest: WritingContest) -> None:
    """Serialise submissions and edits of submitted entries of one contest.

    The cap and the anonymised code are decided on counts of other entries; holding the
    contest row until commit makes two simultaneous submissions take turns. (SQLite has no row
    locks; it allows one writer at a time anyway.)
    """
    db.session.execute(
        select(WritingContest.id).where(WritingContest.id == contest.id).with_for_update()
    )


def _next_anon_code(contest: WritingContest) -> str:
    codes = db.session.execute(
        select(Entry.anon_code).where(Entry.contest_id == contest.id,
                                      Entry.anon_code.is_not(None))
    ).scalars()
    numbers = [int(m.group(1)) for code in codes if (m := re.search(r"(\d+)$", code or ""))]
    return f"{contest.code_prefix}-{max(numbers, default=0) + 1:03d}"


def new_receipt_code() -> str:
    while True:
        code = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
        taken = db.session.execute(
            select(Entry.id).where(Entry.receipt_code == code)
        ).first()
        if taken is None:
            return code


def _mark_submitted(entry: Entry, now: datetime) -> None:
    entry.status = EntryStatus.SUBMITTED
    entry.submitted_at = now
    entry.withdrawn_at = None
    if entry.receipt_code is None:
        entry.receipt_code = new_receipt_code()
    if entry.anon_code is None:
        entry.anon_code = _next_anon_code(entry.contest)
    db.session.flush()


def submit_entry(entry: Entry, actor: User, *, upload_root: str | Path) -> Entry:
    """Submit a draft as stored: every rule is checked, all or nothing.

    On success the entry is submitted with a receipt code, an anonymised code stable in its
    contest and the time of submission; the caller commits and sends the receipt.
    """
    now = utcnow()
    if not access.is_author(actor, entry) or not can(actor, "writing.submit"):
        raise EntryRefused([Problem("not_allowed")])
    if entry.status != EntryStatus.DRAFT:
        raise EntryRefused([Problem("not_a_draft", None, {"status": entry.status})])
    _lock_contest(entry.contest)
    problems = current_problems(entry, upload_root, now)
    if problems:
        raise EntryRefused(problems)
    _mark_submitted(entry, now)
    return entry


def withdraw_entry(entry: Entry, actor: User, reason: str = "") -> Entry:
    """Withdraw a draft or submitted entry: the author until the deadline, organizers at any
    time (with a reason after the deadline, recorded). A withdrawn entry keeps its codes and
    cannot be changed or submitted again."""
    now = utcnow()
    mode = _change_mode(entry, actor, reason, now)
    before = entry.status
    entry.status = EntryStatus.WITHDRAWN
    entry.withdrawn_at = now
    entry.updated_at = now
    if mode == "organizer":
        audit.record(actor.id, "writing.entry.withdraw", "writing_entry", entry.id,
                     reason.strip(), changes={"status": {"old": before, "new": entry.status}})
    db.session.flush()
    return entry


def disqualify_entry(entry: Entry, actor: User, reason: str) -> Entry:
    """Disqualify a submitted entry (organizers only, always with a reason, recorded)."""
    now = utcnow()
    if not access.is_organizer(actor):
        raise EntryRefused([Problem("not_allowed")])
    if entry.status != EntryStatus.SUBMITTED:
        raise EntryRefused([Problem("not_submitted", None, {"status": entry.status})])
    if not reason.strip():
        raise EntryRefused([Problem("reason_required", "reason")])
    if len(reason) > MAX_LENGTHS["reason"]:
        raise EntryRefused([Problem("too_long", "reason", {"max": MAX_LENGTHS["reason"]})])
    entry.status = EntryStatus.DISQUALIFIED
    entry.disqualified_at = now
    entry.disqualified_reason = reason.strip()
    entry.updated_at = now
    audit.record(actor.id, "writing.entry.disqualify", "writing_entry", entry.id, reason.strip(),
                 changes={"status": {"old": EntryStatus.SUBMITTED, "new": entry.status}})
    db.session.flush()
    return entry


def remove_file(
    entry: Entry, actor: User, file_id: int, *, upload_root: str | Path, reason: str = ""
) -> EntryFile:
    """Remove one file. On a submitted entry the entry must still meet every rule without it.
    The file and its cleaned copy are deleted from disk once the transaction commits."""
    now = utcnow()
    mode = _change_mode(entry, actor, reason, now)
    target = next((f for f in entry.files if f.id == file_id), None)
    if target is None:
        raise EntryRefused([Problem("file_missing", "files")])
    if entry.status == EntryStatus.SUBMITTED:
        _lock_contest(entry.contest)
        state = _state_from_entry(entry, upload_root)
        state = replace(state, files=tuple(f for f in state.files if f.entry_file is not target),
                        word_override=None if target.kind in words.DOCUMENT_KINDS
                        else state.word_override)
        problems = _blocking(_eligibility(entry.contest, _author_of(entry), state, entry.id, now),
                             mode)
        if problems:
            raise EntryRefused(problems)
    for path in (file_path(upload_root, target), file_path(upload_root, target, clean=True)):
        if path is not None:
            _track(_DOOMED_FILES, path)
    basis = _word_basis(entry)
    entry.files.remove(target)
    _store_word_count(entry, upload_root, basis)
    entry.updated_at = now
    if mode == "organizer":
        audit.record(actor.id, "writing.entry.remove_file", "writing_entry", entry.id,
                     reason.strip(), changes={"files": {
                         "old": {"id": target.id, "name": target.original_name,
                                 "sha256": target.sha256},
                         "new": None}})
    db.session.flush()
    return target


# --- linking co-authors when an account confirms its e-mail ----------------------------------
# Mapper events, so that the accounts package needs no change: when a User row is inserted or
# updated with a confirmed e-mail, unlinked co-author rows with that e-mail are linked.


def _link_on_connection(connection: Any, user: User) -> None:
    if not user.email or user.email_verified_at is None or user.erased_at is not None:
        return
    table = Coauthor.__table__
    connection.execute(
        update(table)
        .where(table.c.email == user.email, table.c.user_id.is_(None))
        .values(user_id=user.id)
    )


@event.listens_for(User, "after_insert")
def _user_inserted(mapper: Any, connection: Any, target: User) -> None:
    _link_on_connection(connection, target)


@event.listens_for(User, "after_update")
def _user_updated(mapper: Any, connection: Any, target: User) -> None:
    attrs = inspect(target).attrs
    if attrs.email_verified_at.history.has_changes() or attrs.email.history.has_changes():
        _link_on_connection(connection, target)
