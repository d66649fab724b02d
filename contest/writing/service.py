"""Entries of the writing contests: drafts, submission, edits, withdrawal, removing files,
disqualifying, receipts and the organizer's word count.

Every action that changes an entry lives here, so the journalist's pages and the organizer
console apply the same rules: the entry as it would be and its problems come from
:mod:`contest.writing.checks` (with :mod:`contest.writing.eligibility`), what was typed from
:mod:`contest.writing.inputs`, the clock and the submission window from
:mod:`contest.writing.phases`, files on disk from :mod:`contest.writing.storage`. Functions work
on ORM objects and the database session and never look at the request; the caller commits, or
rolls back when :class:`~contest.writing.inputs.EntryRefused` is raised.

The author may change an entry only before the closing second; after it only organizers do,
with a reason, and each of their changes is recorded in the audit log with the old and new
values. Two ways of saving:

* a **draft** keeps what is valid: fields with a problem keep their stored value, every other
  field is stored, and the problems are reported so the author can fix them before submitting;
* a **submission**, and any change to a submitted entry, is all or nothing: one problem and
  nothing changes (uploads made by the refused request are deleted again).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select

from contest import audit
from contest.accounts.models import User
from contest.accounts.policy import can
from contest.extensions import db
from contest.problems import Problem
from contest.writing import access, files, phases, text, words
from contest.writing.checks import (
    FileState,
    State,
    author_of,
    blocking,
    change_mode,
    current_problems,
    eligibility_problems,
    entry_word_count,
    state_from_entry,
    state_with,
)
from contest.writing.coauthors import link_entry_coauthors
from contest.writing.inputs import (
    FIELD_GROUPS,
    MAX_LENGTHS,
    CoauthorInput,
    EntryInput,
    EntryRefused,
    PartInput,
    SaveResult,
    Upload,
    clean_input,
    field_problems,
)
from contest.writing.models import (
    Coauthor,
    Entry,
    EntryFile,
    EntryStatus,
    SeriesPart,
    WritingContest,
)
from contest.writing.phases import Phase, accepting_changes, category_of, contest_phase
from contest.writing.storage import (
    DOOMED_FILES,
    MIB,
    Stored,
    discard,
    entry_dir,
    file_path,
    is_held,
    store_uploads,
    track,
)

# Receipt codes: Crockford's base32 alphabet (no I, L, O, U), 10 characters = 50 random bits.
RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


RECEIPT_LENGTH = 10


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
    entry_file.checked_at = now or phases.utcnow()
    entry_file.checked_by_id = actor.id
    audit.record(actor.id, "writing.file.confirm_checked", "writing_file", entry_file.id,
                 entry_id=entry_file.entry_id, kind=entry_file.kind,
                 warning=entry_file.clean_warning, cleaned=entry_file.clean_name is not None)
    db.session.flush()


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


def _apply(entry: Entry, state: State, stored: Sequence[Stored], now: datetime) -> None:
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
    data = clean_input(data)
    basis = _word_basis(entry)
    stored_state = state_from_entry(entry, upload_root)
    bad_fields = field_problems(data, contest, author)
    if all_or_nothing and bad_fields:
        raise EntryRefused(bad_fields)

    folder = entry_dir(upload_root, entry)
    target = state_with(stored_state, data, contest, _withheld_attributes(bad_fields))
    stored, upload_problems = store_uploads(data.uploads, target.category, folder,
                                             len(target.files))
    new_paths = [p for item in stored for p in item.paths(folder)]
    if all_or_nothing and upload_problems:
        discard(new_paths)
        raise EntryRefused(upload_problems)

    uploaded = tuple(FileState(s.saved.kind, folder / s.saved.stored_name, None,
                                s.saved.original_name, s.words, True) for s in stored)
    candidate = replace(target, files=target.files + uploaded)
    if _lapses(stored_state, candidate):
        candidate = replace(candidate, word_override=None)
    problems = blocking(eligibility_problems(contest, author, candidate, entry.id, now), mode)
    not_stored: list[Problem] = []
    if all_or_nothing:
        if problems:
            discard(new_paths)
            raise EntryRefused(problems)
        final = candidate
    else:
        # A draft stores what is valid: a field with a problem keeps its stored value.
        withheld_by = [p for p in bad_fields + problems if p.field in FIELD_GROUPS]
        final = replace(
            state_with(stored_state, data, contest, _withheld_attributes(withheld_by)),
            files=candidate.files,
        )
        if _lapses(stored_state, final):
            final = replace(final, word_override=None)
        typed = state_with(stored_state, data, contest, set())
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
    link_entry_coauthors(entry)
    db.session.flush()
    if all_or_nothing:
        return SaveResult(entry, [], [])
    remaining = blocking(eligibility_problems(contest, author, state_from_entry(entry, upload_root),
                                       entry.id, now), mode)
    return SaveResult(entry, remaining, not_stored)


def _lapses(before: State, after: State) -> bool:
    """Whether an override given for ``before`` no longer holds for ``after``."""
    def basis(state: State) -> tuple[Any, ...]:
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
    counted = entry_word_count(state_from_entry(entry, upload_root))
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
    entry.word_override_at = phases.utcnow()
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
    now = phases.utcnow()
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
    now = phases.utcnow()
    mode = change_mode(entry, actor, reason, now)
    if submit and (mode != "author" or entry.status != EntryStatus.DRAFT):
        raise EntryRefused([Problem("not_allowed")])
    all_or_nothing = submit or entry.status == EntryStatus.SUBMITTED
    if all_or_nothing:
        _lock_contest(entry.contest)
    before = _snapshot(entry) if mode == "organizer" else None
    result = _save(entry, author_of(entry), data, mode=mode, all_or_nothing=all_or_nothing,
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
    now = phases.utcnow()
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
    now = phases.utcnow()
    mode = change_mode(entry, actor, reason, now)
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
    now = phases.utcnow()
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
    now = phases.utcnow()
    mode = change_mode(entry, actor, reason, now)
    target = next((f for f in entry.files if f.id == file_id), None)
    if target is None:
        raise EntryRefused([Problem("file_missing", "files")])
    if entry.status == EntryStatus.SUBMITTED:
        _lock_contest(entry.contest)
        state = state_from_entry(entry, upload_root)
        state = replace(state, files=tuple(f for f in state.files if f.entry_file is not target),
                        word_override=None if target.kind in words.DOCUMENT_KINDS
                        else state.word_override)
        problems = blocking(eligibility_problems(entry.contest, author_of(entry), state,
                                                 entry.id, now), mode)
        if problems:
            raise EntryRefused(problems)
    for path in (file_path(upload_root, target), file_path(upload_root, target, clean=True)):
        if path is not None:
            track(DOOMED_FILES, path)
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


# --- files sent in chunks (contest.writing.chunks, contest.writing.uploads_api) ---------------


def input_of(entry: Entry) -> EntryInput:
    """The entry's stored fields as if typed again: saving them changes nothing."""
    return EntryInput(
        category_id=entry.category_id,
        title=entry.title,
        outlet=entry.outlet or "",
        published_on=entry.published_on,
        url=entry.url or "",
        pen_name=entry.pen_name or "",
        summary=entry.summary or "",
        body_format=entry.body_format or "markdown",
        body_source=entry.body_source or "",
        is_series=entry.is_series,
        parts=[PartInput(title=p.title, published_on=p.published_on, url=p.url or "")
               for p in entry.parts],
        coauthors=[CoauthorInput(name=c.name, email=c.email) for c in entry.coauthors],
        prior_award_declared=bool(entry.prior_award),
        prior_award=entry.prior_award or "",
    )


def begin_upload(entry: Entry, actor: User, name: str, size: int, reason: str = "") -> None:
    """Whether a file of ``size`` bytes called ``name`` may start uploading to ``entry``.

    Refuses at once what the stored file would be refused for anyway: the actor may not change
    the entry now, the file is empty or larger than the category's per-file limit (the problem
    states that limit in MB), or the entry already has the category's number of files. What the
    file *is* can only be told from its content, at :func:`attach_upload`.
    """
    change_mode(entry, actor, reason, phases.utcnow())
    category = entry.category
    accepted = tuple(category.accepted_kinds or ())
    labels = ", ".join(files.KINDS[k].label for k in files.KINDS if k in accepted)
    shown = files.display_name(name)
    if size <= 0:
        raise EntryRefused([Problem("upload_empty", "files", {"name": shown,
                                                              "accepted": labels})])
    if size > category.max_file_mb * MIB:
        raise EntryRefused([Problem("upload_too_large", "files", {
            "name": shown, "accepted": labels, "limit_mb": category.max_file_mb})])
    if len(entry.files) >= category.max_files:
        raise EntryRefused([Problem("upload_too_many_files", "files", {
            "name": shown, "max_files": category.max_files})])


def attach_upload(entry: Entry, actor: User, path: Path, name: str, *,
                  upload_root: str | Path, reason: str = "") -> EntryFile:
    """Attach a fully received file to the entry, as if it came with the entry form.

    The entry is saved again with its stored fields and this one upload through
    :func:`update_entry`, so the file meets every check a form upload meets (content, name,
    size, zip bombs, cleaning, the category's number of files, and on a submitted entry every
    rule of the entry). Raises EntryRefused with the same problems; the caller rolls back.
    """
    data = input_of(entry)
    with Path(path).open("rb") as stream:
        data.uploads = [Upload(stream=stream, filename=name)]
        count = len(entry.files)
        result = update_entry(entry, data, actor, upload_root=upload_root, reason=reason)
    if result.not_stored or len(entry.files) == count:
        raise EntryRefused(result.not_stored or [Problem("file_missing", "files")])
    return entry.files[-1]
