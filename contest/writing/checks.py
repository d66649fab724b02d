"""Whether an entry may be submitted: the state it would have, and every problem of that state.

A save is checked on the entry *as it would be* (:class:`State`: the stored entry with the
input applied, plus this request's uploads), so drafts, submissions and organizers' changes
apply the same rules (:mod:`contest.writing.eligibility` for the pure ones). Also who may change
an entry now (:func:`change_mode`) and the refusal every entry action raises.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select

from contest.accounts.identity import normalize_email
from contest.accounts.models import User
from contest.accounts.policy import can
from contest.extensions import db
from contest.problems import Problem
from contest.writing import access, eligibility, files, phases, words
from contest.writing.inputs import MAX_LENGTHS, CoauthorInput, EntryInput, EntryRefused, PartInput
from contest.writing.models import (
    Category,
    Coauthor,
    ContestJuror,
    Entry,
    EntryFile,
    EntryStatus,
    WritingContest,
)
from contest.writing.phases import accepting_changes, category_of
from contest.writing.storage import file_path

# Problems that concern timing; organizers' changes after the deadline are not subject to them.
WINDOW_CODES = frozenset({"closed", "not_open_yet"})


def current_problems(
    entry: Entry, upload_root: str | Path, now: datetime | None = None
) -> list[Problem]:
    """What stands in the way of submitting the entry as stored (empty: it may be submitted)."""
    now = now or phases.utcnow()
    state = state_from_entry(entry, upload_root)
    return eligibility_problems(entry.contest, author_of(entry), state, entry.id, now)


@dataclass(frozen=True)
class FileState:
    kind: str
    path: Path | None  # to read the words of a document stored before counts were kept
    entry_file: EntryFile | None = None  # None for an upload of this request
    name: str = ""
    words: int | None = None
    words_read: bool = False


@dataclass(frozen=True)
class State:
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
    files: tuple[FileState, ...]
    word_override: int | None = None


def author_of(entry: Entry) -> User:
    return db.session.get(User, entry.author_id)  # type: ignore[return-value]


def state_from_entry(entry: Entry, upload_root: str | Path | None = None) -> State:
    return State(
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
            FileState(f.kind, file_path(upload_root, f) if upload_root else None, f,
                       f.original_name, f.word_count, f.words_read)
            for f in entry.files
        ),
        word_override=entry.word_override,
    )


def state_with(
    stored: State, data: EntryInput, contest: WritingContest, withheld: set[str]
) -> State:
    """The stored state with the input applied, except the attributes in ``withheld``."""

    def pick(name: str, new: Any) -> Any:
        return getattr(stored, name) if name in withheld else new

    category = stored.category
    if "category_id" not in withheld:
        category = category_of(contest, data.category_id) or stored.category
    return State(
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


def entry_word_count(state: State) -> words.WordCount:
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


def _word_params(state: State, counted: words.WordCount) -> dict[str, Any]:
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


def eligibility_problems(
    contest: WritingContest,
    author: User,
    state: State,
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
    counted = entry_word_count(state)
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


def change_mode(entry: Entry, actor: User, reason: str, now: datetime) -> str:
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


def blocking(problems: Iterable[Problem], mode: str) -> list[Problem]:
    if mode == "organizer":
        return [p for p in problems if p.code not in WINDOW_CODES]
    return list(problems)
