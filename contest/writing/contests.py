"""The organizer's service for writing contests: settings, life cycle, categories, jury, and
the organizer's view of entries (search, counts, reinstating a disqualified entry; disqualifying
one is the entry service's, contest.writing.service).

A contest is created as a draft and moves forward only: draft → open → closed → judging →
published (an open contest that nobody has entered yet may go back to draft). Entries are
accepted while the contest is open and the clock is inside its submission window; closing by
hand ends the window now.

Once anybody has entered, the windows may only grow (open earlier, close later, accept an earlier
or later publication date) and the code prefix is fixed, so nobody's entry becomes ineligible by
a change of rules. Once closed, only the title, rules text, (until judging starts) blind
judging and the readers' vote may change. The readers' vote needs its window when it is on;
once it has opened it stays on, and its end moves only while it is still ahead.

Functions raise :class:`ContestError` with problem codes (never sentences); the views turn the
codes into messages in the reader's language. They add, flush and record the audit event; the
caller commits, or rolls back on a refusal, so a change is saved whole or not at all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, or_, select

from contest import audit
from contest.accounts.models import User
from contest.extensions import db
from contest.problems import Problem, Refused
from contest.timeutil import to_local
from contest.writing import eligibility
from contest.writing.files import KINDS
from contest.writing.models import (
    Category,
    Coauthor,
    ContestJuror,
    ContestStatus,
    Entry,
    EntryStatus,
    Medium,
    WritingContest,
)

__all__ = [
    "MAX_CAP",
    "MAX_FILES",
    "MAX_FILE_MB",
    "MAX_SERIES_PARTS",
    "NEXT_STATUS",
    "CategorySettings",
    "ContestError",
    "ContestSettings",
    "Problem",
    "ENTRY_SUBJECT",
    "accepting",
    "add_category",
    "add_juror",
    "add_juror_account",
    "category_counts",
    "category_problems",
    "clone_contest",
    "close_contest",
    "create_contest",
    "entry_counts",
    "entry_search",
    "has_entries",
    "jurors",
    "open_contest",
    "publish_contest",
    "reinstate_entry",
    "remove_category",
    "remove_juror",
    "return_to_draft",
    "settings_problems",
    "start_judging",
    "update_category",
    "update_contest",
]

MAX_CAP = 20
MAX_SERIES_PARTS = 20
MAX_FILE_MB = 2048
MAX_FILES = 20
MAX_TITLE = 200
MAX_REASON = 500
# The audit subject of entries, as the entry service records them.
ENTRY_SUBJECT = "writing_entry"
CODE_PREFIX = re.compile(r"^[A-Z0-9]{1,8}$")

# The status each transition leads to, keyed by the status it starts from.
NEXT_STATUS: dict[str, str] = {
    ContestStatus.DRAFT: ContestStatus.OPEN,
    ContestStatus.OPEN: ContestStatus.CLOSED,
    ContestStatus.CLOSED: ContestStatus.JUDGING,
    ContestStatus.JUDGING: ContestStatus.PUBLISHED,
}
_AFTER_CLOSE = frozenset({ContestStatus.CLOSED, ContestStatus.JUDGING, ContestStatus.PUBLISHED})
_JUDGING_STARTED = frozenset({ContestStatus.JUDGING, ContestStatus.PUBLISHED})


class ContestError(Refused):
    """A contest change the rules refuse; nothing has been changed."""


# --- contest settings ----------------------------------------------------------------------


@dataclass
class ContestSettings:
    """What an organizer sets on a contest, as plain values (times timezone-aware UTC)."""

    title: str
    submission_opens_at: datetime
    submission_closes_at: datetime
    publication_from: date
    publication_to: date
    rules: str = ""
    max_entries_per_author: int = 3
    blind: bool = True
    jury_may_enter: bool = False
    allow_prior_awards: bool = True
    code_prefix: str = "BC"
    # The readers' vote (contest.judging.votes); its window is required when it is on.
    readers_vote: bool = False
    vote_opens_at: datetime | None = None
    vote_closes_at: datetime | None = None

    @classmethod
    def of(cls, contest: WritingContest) -> ContestSettings:
        """The settings currently stored on ``contest``."""
        return cls(**{f.name: getattr(contest, f.name) for f in fields(cls)})

    def normalised(self) -> ContestSettings:
        return replace(self, title=(self.title or "").strip(), rules=self.rules or "",
                       code_prefix=(self.code_prefix or "").strip().upper())


# Settings that stop changing once the contest is closed.
_FROZEN_AFTER_CLOSE = ("submission_opens_at", "submission_closes_at", "publication_from",
                       "publication_to", "max_entries_per_author", "jury_may_enter",
                       "allow_prior_awards", "code_prefix")


def settings_problems(s: ContestSettings) -> list[Problem]:
    """What is wrong with ``s`` on its own, whatever the contest's state."""
    problems = []
    if not s.title.strip():
        problems.append(Problem("contest_title_missing", "title"))
    elif len(s.title.strip()) > MAX_TITLE:
        problems.append(Problem("title_too_long", "title", {"max": MAX_TITLE}))
    if s.submission_closes_at <= s.submission_opens_at:
        problems.append(Problem("closes_before_opens", "submission_closes_at"))
    if s.publication_to < s.publication_from:
        problems.append(Problem("publication_order", "publication_to"))
    elif s.publication_from > to_local(s.submission_closes_at).date():
        # Nothing published after the deadline can have been entered before it.
        problems.append(Problem("publication_after_close", "publication_from"))
    if not 1 <= s.max_entries_per_author <= MAX_CAP:
        problems.append(Problem("cap_out_of_range", "max_entries_per_author", {"max": MAX_CAP}))
    if not CODE_PREFIX.match(s.code_prefix.strip().upper()):
        problems.append(Problem("bad_code_prefix", "code_prefix"))
    if s.readers_vote and s.vote_opens_at is None:
        problems.append(Problem("vote_opens_missing", "vote_opens_at"))
    if s.readers_vote and s.vote_closes_at is None:
        problems.append(Problem("vote_closes_missing", "vote_closes_at"))
    if s.vote_opens_at is not None and s.vote_closes_at is not None \
            and s.vote_closes_at <= s.vote_opens_at:
        problems.append(Problem("vote_closes_before_opens", "vote_closes_at"))
    return problems


def has_entries(contest: WritingContest) -> bool:
    """Whether anybody has started an entry in ``contest`` (drafts count)."""
    return db.session.execute(
        select(Entry.id).where(Entry.contest_id == contest.id).limit(1)
    ).first() is not None


def _coded_entries(contest: WritingContest) -> bool:
    return db.session.execute(
        select(Entry.id).where(Entry.contest_id == contest.id, Entry.anon_code.is_not(None))
        .limit(1)
    ).first() is not None


def _jurors_with_entries(contest_id: int) -> list[int]:
    """Ids of the contest's jury members who are author or linked co-author of a live entry."""
    live = (EntryStatus.DRAFT, EntryStatus.SUBMITTED)
    jury = select(ContestJuror.user_id).where(ContestJuror.contest_id == contest_id)
    as_author = select(Entry.author_id).where(
        Entry.contest_id == contest_id, Entry.status.in_(live), Entry.author_id.in_(jury))
    as_coauthor = select(Coauthor.user_id).join(Entry, Entry.id == Coauthor.entry_id).where(
        Entry.contest_id == contest_id, Entry.status.in_(live), Coauthor.user_id.in_(jury))
    return sorted(set(db.session.execute(as_author).scalars())
                  | set(db.session.execute(as_coauthor).scalars()))


def _change_problems(contest: WritingContest, new: ContestSettings,
                     now: datetime) -> list[Problem]:
    """What the contest's state forbids about changing its settings to ``new``."""
    old = ContestSettings.of(contest)
    problems = []
    if contest.status in _AFTER_CLOSE:
        changed = [name for name in _FROZEN_AFTER_CLOSE if getattr(old, name) != getattr(new, name)]
        if changed:
            problems.append(Problem("locked_after_close", changed[0]))
    if contest.status in _JUDGING_STARTED and old.blind != new.blind:
        problems.append(Problem("blind_locked", "blind"))
    if problems:
        return problems
    if contest.status == ContestStatus.OPEN and new.submission_closes_at <= now \
            and new.submission_closes_at != old.submission_closes_at:
        problems.append(Problem("close_in_past", "submission_closes_at"))
    if has_entries(contest):
        if new.submission_opens_at > old.submission_opens_at:
            problems.append(Problem("window_shortened", "submission_opens_at"))
        if new.submission_closes_at < old.submission_closes_at:
            problems.append(Problem("window_shortened", "submission_closes_at"))
        if new.publication_from > old.publication_from:
            problems.append(Problem("publication_narrowed", "publication_from"))
        if new.publication_to < old.publication_to:
            problems.append(Problem("publication_narrowed", "publication_to"))
    if new.code_prefix != old.code_prefix and _coded_entries(contest):
        problems.append(Problem("prefix_fixed", "code_prefix"))
    if old.jury_may_enter and not new.jury_may_enter and _jurors_with_entries(contest.id):
        problems.append(Problem("jurors_have_entries", "jury_may_enter"))
    problems.extend(_vote_change_problems(old, new, now))
    return problems


def _vote_change_problems(old: ContestSettings, new: ContestSettings,
                          now: datetime) -> list[Problem]:
    """Once readers have been able to vote, the vote stays on and keeps its opening time, and
    its end moves only while it is still ahead: no vote cast becomes void, no count shown
    changes."""
    if not old.readers_vote or old.vote_opens_at is None or now < old.vote_opens_at:
        return []
    if not new.readers_vote:
        return [Problem("vote_started", "readers_vote")]
    if new.vote_opens_at != old.vote_opens_at:
        return [Problem("vote_started", "vote_opens_at")]
    if new.vote_closes_at != old.vote_closes_at and (
            old.vote_closes_at is None or old.vote_closes_at <= now
            or new.vote_closes_at is None or new.vote_closes_at <= now):
        return [Problem("vote_close_fixed", "vote_closes_at")]
    return []


def _differences(old: Any, new: Any) -> list[str]:
    """Names of the dataclass fields whose values differ between ``old`` and ``new``."""
    return [f.name for f in fields(old) if getattr(old, f.name) != getattr(new, f.name)]


def _apply(contest: WritingContest, s: ContestSettings) -> None:
    for f in fields(ContestSettings):
        setattr(contest, f.name, getattr(s, f.name))


def create_contest(settings: ContestSettings, actor_id: int | None) -> WritingContest:
    """A new draft contest with ``settings``."""
    s = settings.normalised()
    problems = settings_problems(s)
    if problems:
        raise ContestError(*problems)
    contest = WritingContest(status=ContestStatus.DRAFT)
    _apply(contest, s)
    db.session.add(contest)
    db.session.flush()
    audit.record(actor_id, "writing_contest.create", "writing_contest", contest.id,
                 title=contest.title)
    return contest


def update_contest(contest: WritingContest, settings: ContestSettings, now: datetime,
                   actor_id: int | None) -> list[str]:
    """Change the settings of ``contest``; returns the names of the settings that changed."""
    s = settings.normalised()
    problems = settings_problems(s) or _change_problems(contest, s, now)
    if problems:
        raise ContestError(*problems)
    old = ContestSettings.of(contest)
    changed = _differences(old, s)
    _apply(contest, s)
    db.session.flush()
    if changed:
        audit.record(actor_id, "writing_contest.update", "writing_contest", contest.id,
                     changed=changed, **_window_details(old, s, changed))
    return changed


def _window_details(old: ContestSettings, new: ContestSettings,
                    changed: Sequence[str]) -> dict[str, Any]:
    """Old and new values of the dates: the audit log keeps them, as they decide eligibility."""
    out = {}
    for name in ("submission_opens_at", "submission_closes_at", "publication_from",
                 "publication_to", "vote_opens_at", "vote_closes_at"):
        if name in changed:
            out[name] = [_iso(getattr(old, name)), _iso(getattr(new, name))]
    return out


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _shift_years(value: date | datetime, years: int) -> date | datetime:
    try:
        return value.replace(year=value.year + years)
    except ValueError:  # 29 February in a common year
        return value.replace(year=value.year + years, day=28)


def clone_contest(contest: WritingContest, title: str, now: datetime,
                  actor_id: int | None) -> WritingContest:
    """A new draft with the settings and categories of ``contest``.

    Writing contests usually come back every year, so the windows move forward by whole years
    until the submission window opens after ``now``. Entries and the jury are not copied.
    """
    s = ContestSettings.of(contest)
    s.title = title.strip()[:MAX_TITLE]
    years = 0
    while _shift_years(s.submission_opens_at, years) <= now:
        years += 1
    if years:
        s.submission_opens_at = _shift_years(s.submission_opens_at, years)
        s.submission_closes_at = _shift_years(s.submission_closes_at, years)
        s.publication_from = _shift_years(s.publication_from, years)
        s.publication_to = _shift_years(s.publication_to, years)
        if s.vote_opens_at is not None:
            s.vote_opens_at = _shift_years(s.vote_opens_at, years)
        if s.vote_closes_at is not None:
            s.vote_closes_at = _shift_years(s.vote_closes_at, years)
    clone = WritingContest(status=ContestStatus.DRAFT)
    _apply(clone, s)
    for category in contest.categories:
        copy = Category()
        _apply_category(copy, CategorySettings.of(category))
        copy.position = category.position
        clone.categories.append(copy)
    db.session.add(clone)
    db.session.flush()
    audit.record(actor_id, "writing_contest.clone", "writing_contest", clone.id,
                 source=contest.id, title=clone.title)
    return clone


# --- life cycle ----------------------------------------------------------------------------


def accepting(contest: WritingContest, now: datetime) -> bool:
    """Whether entries can be submitted at ``now``."""
    return (contest.status == ContestStatus.OPEN
            and contest.submission_opens_at <= now < contest.submission_closes_at)


def _expect(contest: WritingContest, status: str, code: str) -> None:
    if contest.status != status:
        raise ContestError(Problem(code, None, {"status": contest.status}))


def _moved(contest: WritingContest, to: str, actor_id: int | None, **details: Any) -> None:
    before = contest.status
    contest.status = to
    db.session.flush()
    audit.record(actor_id, f"writing_contest.{to}", "writing_contest", contest.id,
                 **{"from": before, **details})


def open_contest(contest: WritingContest, now: datetime, actor_id: int | None) -> None:
    """Open a draft: journalists may enter from the window's start to its end.

    Refused without a category, or when the window has already ended.
    """
    _expect(contest, ContestStatus.DRAFT, "not_draft")
    problems = settings_problems(ContestSettings.of(contest))
    if not contest.categories:
        problems.append(Problem("no_categories"))
    if contest.submission_closes_at <= now:
        problems.append(Problem("close_passed"))
    if problems:
        raise ContestError(*problems)
    _moved(contest, ContestStatus.OPEN, actor_id)


def return_to_draft(contest: WritingContest, actor_id: int | None) -> None:
    """Take an open contest back to draft; only while nobody has entered."""
    _expect(contest, ContestStatus.OPEN, "not_open")
    if has_entries(contest):
        raise ContestError(Problem("entries_exist"))
    _moved(contest, ContestStatus.DRAFT, actor_id)


def close_contest(contest: WritingContest, now: datetime, actor_id: int | None) -> None:
    """Stop accepting entries. Closing before the window's end moves the end to ``now``.

    Refused before the window has begun: a contest nobody could enter yet goes back to draft
    instead.
    """
    _expect(contest, ContestStatus.OPEN, "not_open")
    if now <= contest.submission_opens_at:
        raise ContestError(Problem("not_started"))
    details = {}
    if contest.submission_closes_at > now:
        details["closes_at"] = [contest.submission_closes_at.isoformat(), now.isoformat()]
        contest.submission_closes_at = now
    _moved(contest, ContestStatus.CLOSED, actor_id, **details)


def start_judging(contest: WritingContest, actor_id: int | None) -> None:
    """Hand a closed contest to the jury; refused when no entry was submitted."""
    _expect(contest, ContestStatus.CLOSED, "not_closed")
    if not entry_counts(contest).get(EntryStatus.SUBMITTED):
        raise ContestError(Problem("no_entries"))
    _moved(contest, ContestStatus.JUDGING, actor_id)


def publish_contest(contest: WritingContest, actor_id: int | None) -> None:
    """Make the contest's outcome public; the last step."""
    _expect(contest, ContestStatus.JUDGING, "not_judging")
    _moved(contest, ContestStatus.PUBLISHED, actor_id)


# --- categories ----------------------------------------------------------------------------


@dataclass
class CategorySettings:
    """What an organizer sets on a category (``None`` word limits mean no limit)."""

    name: str
    medium: str
    description: str = ""
    min_words: int | None = None
    max_words: int | None = None
    series_allowed: bool = True
    max_series_parts: int = 5
    accepted_kinds: list[str] = field(default_factory=list)
    max_file_mb: int = 20
    max_files: int = 5
    file_required: bool = False
    link_required: bool = False

    @classmethod
    def of(cls, category: Category) -> CategorySettings:
        values = {f.name: getattr(category, f.name) for f in fields(cls)}
        values["accepted_kinds"] = list(category.accepted_kinds or [])
        return cls(**values)

    def normalised(self) -> CategorySettings:
        # Keep the kinds in the order of KINDS, once each, so equal settings compare equal.
        kinds = [k for k in KINDS if k in set(self.accepted_kinds or [])]
        unknown = [k for k in self.accepted_kinds or [] if k not in KINDS]
        return replace(self, name=(self.name or "").strip(),
                       description=self.description or "", accepted_kinds=kinds + unknown)


def category_problems(s: CategorySettings) -> list[Problem]:
    """What is wrong with ``s`` on its own."""
    problems = []
    if not s.name.strip():
        problems.append(Problem("name_missing", "name"))
    elif len(s.name.strip()) > MAX_TITLE:
        problems.append(Problem("name_too_long", "name", {"max": MAX_TITLE}))
    if s.medium not in set(Medium):
        problems.append(Problem("bad_medium", "medium"))
    for name in ("min_words", "max_words"):
        value = getattr(s, name)
        if value is not None and value < 1:
            problems.append(Problem("words_not_positive", name))
    if s.min_words and s.max_words and s.max_words < s.min_words:
        problems.append(Problem("words_order", "max_words"))
    if not 1 <= s.max_series_parts <= MAX_SERIES_PARTS:
        problems.append(Problem("parts_out_of_range", "max_series_parts",
                                {"max": MAX_SERIES_PARTS}))
    unknown = [k for k in s.accepted_kinds if k not in KINDS]
    if unknown:
        problems.append(Problem("bad_kinds", "accepted_kinds", {"kinds": ", ".join(unknown)}))
    if not 1 <= s.max_file_mb <= MAX_FILE_MB:
        problems.append(Problem("file_mb_out_of_range", "max_file_mb", {"max": MAX_FILE_MB}))
    if not 0 <= s.max_files <= MAX_FILES:
        problems.append(Problem("files_out_of_range", "max_files", {"max": MAX_FILES}))
    if s.file_required and not s.accepted_kinds:
        problems.append(Problem("file_required_without_kinds", "accepted_kinds"))
    elif s.file_required and s.max_files < 1:
        problems.append(Problem("file_required_without_files", "max_files"))
    return problems


def _apply_category(category: Category, s: CategorySettings) -> None:
    for f in fields(CategorySettings):
        setattr(category, f.name, getattr(s, f.name))
    category.accepted_kinds = list(s.accepted_kinds)


def _category_checks(contest: WritingContest, s: CategorySettings,
                     exclude_id: int | None) -> list[Problem]:
    if contest.status in _AFTER_CLOSE:
        return [Problem("categories_locked")]
    problems = category_problems(s)
    taken = any(c.name.strip().casefold() == s.name.casefold() and c.id != exclude_id
                for c in contest.categories)
    if s.name and taken:
        problems.append(Problem("name_taken", "name"))
    return problems


def add_category(contest: WritingContest, settings: CategorySettings,
                 actor_id: int | None) -> Category:
    """A new category at the end of the contest's list; refused once the contest is closed."""
    s = settings.normalised()
    problems = _category_checks(contest, s, None)
    if problems:
        raise ContestError(*problems)
    category = Category(contest=contest)
    _apply_category(category, s)
    category.position = max((c.position for c in contest.categories if c is not category),
                            default=0) + 1
    db.session.add(category)
    db.session.flush()
    audit.record(actor_id, "writing_category.create", "writing_category", category.id,
                 contest=contest.id, name=category.name)
    return category


def update_category(category: Category, settings: CategorySettings,
                    actor_id: int | None) -> list[str]:
    """Change a category; returns the names of the settings that changed."""
    s = settings.normalised()
    problems = _category_checks(category.contest, s, category.id)
    if problems:
        raise ContestError(*problems)
    old = CategorySettings.of(category)
    changed = _differences(old, s)
    _apply_category(category, s)
    db.session.flush()
    if changed:
        audit.record(actor_id, "writing_category.update", "writing_category", category.id,
                     contest=category.contest_id, changed=changed)
    return changed


def remove_category(category: Category, actor_id: int | None) -> None:
    """Delete a category nobody has entered; an open contest keeps at least one."""
    contest = category.contest
    if contest.status in _AFTER_CLOSE:
        raise ContestError(Problem("categories_locked"))
    used = db.session.execute(
        select(func.count()).select_from(Entry).where(Entry.category_id == category.id)
    ).scalar_one()
    if used:
        raise ContestError(Problem("category_has_entries", None, {"count": used}))
    if contest.status == ContestStatus.OPEN and len(contest.categories) <= 1:
        raise ContestError(Problem("last_category"))
    audit.record(actor_id, "writing_category.delete", "writing_category", category.id,
                 contest=contest.id, name=category.name)
    contest.categories.remove(category)
    db.session.flush()


# --- jury ----------------------------------------------------------------------------------


def jurors(contest: WritingContest) -> list[tuple[User, ContestJuror]]:
    """The jury members of ``contest`` with their membership rows, by name."""
    return [tuple(row) for row in db.session.execute(
        select(User, ContestJuror).join(ContestJuror, ContestJuror.user_id == User.id)
        .where(ContestJuror.contest_id == contest.id).order_by(User.full_name, User.id)
    ).all()]


def add_juror(contest: WritingContest, email: str, actor_id: int | None) -> User:
    """Make the account with ``email`` a member of the contest's jury (see
    :func:`add_juror_account`); refused too when there is no such account."""
    if contest.status == ContestStatus.PUBLISHED:
        raise ContestError(Problem("jury_locked"))
    address = (email or "").strip().lower()
    user = db.session.execute(
        select(User).where(func.lower(User.email) == address, User.erased_at.is_(None))
    ).scalar_one_or_none() if address else None
    if user is None:
        raise ContestError(Problem("no_such_user", "email"))
    add_juror_account(contest, user, actor_id)
    return user


def add_juror_account(contest: WritingContest, user: User, actor_id: int | None) -> None:
    """Make ``user`` a member of the contest's jury.

    Refused when the results are published, they are already a member, or they have entered
    the contest and jury members may not enter. The judge role is granted elsewhere
    (contest.accounts.service).
    """
    if contest.status == ContestStatus.PUBLISHED:
        raise ContestError(Problem("jury_locked"))
    if db.session.get(ContestJuror, (contest.id, user.id)) is not None:
        raise ContestError(Problem("already_juror", "email"))
    if not contest.jury_may_enter and _has_live_entry(contest.id, user.id):
        raise ContestError(Problem("juror_has_entries", "email"))
    db.session.add(ContestJuror(contest_id=contest.id, user_id=user.id))
    db.session.flush()
    audit.record(actor_id, "writing_jury.add", "writing_contest", contest.id, user=user.id)


def _has_live_entry(contest_id: int, user_id: int) -> bool:
    live = (EntryStatus.DRAFT, EntryStatus.SUBMITTED)
    author = select(Entry.id).where(Entry.contest_id == contest_id, Entry.status.in_(live),
                                    Entry.author_id == user_id)
    coauthor = select(Entry.id).join(Coauthor, Coauthor.entry_id == Entry.id).where(
        Entry.contest_id == contest_id, Entry.status.in_(live), Coauthor.user_id == user_id)
    return db.session.execute(author.union(coauthor).limit(1)).first() is not None


def remove_juror(contest: WritingContest, user_id: int, actor_id: int | None) -> None:
    """Take a member off the contest's jury."""
    if contest.status == ContestStatus.PUBLISHED:
        raise ContestError(Problem("jury_locked"))
    member = db.session.get(ContestJuror, (contest.id, user_id))
    if member is None:
        raise ContestError(Problem("not_juror"))
    db.session.delete(member)
    db.session.flush()
    audit.record(actor_id, "writing_jury.remove", "writing_contest", contest.id, user=user_id)


# --- entries seen by organizers ------------------------------------------------------------


def entry_counts(contest: WritingContest) -> dict[str, int]:
    """Entries of ``contest`` by status."""
    return dict(db.session.execute(
        select(Entry.status, func.count()).where(Entry.contest_id == contest.id)
        .group_by(Entry.status)
    ).all())


def category_counts(contest: WritingContest) -> dict[int, dict[str, int]]:
    """Entries of ``contest`` by category, then by status."""
    out: dict[int, dict[str, int]] = {}
    for category_id, status, n in db.session.execute(
        select(Entry.category_id, Entry.status, func.count())
        .where(Entry.contest_id == contest.id).group_by(Entry.category_id, Entry.status)
    ):
        out.setdefault(category_id, {})[status] = n
    return out


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def entry_search(contest_id: int, *, category_id: int | None = None, status: str | None = None,
                 query: str = "") -> Select:
    """Entries of a contest with their authors, newest submission first.

    ``query`` matches the title, the anonymised code, the receipt code or the author's name
    (case-insensitive substring).
    """
    stmt = (select(Entry, User).join(User, User.id == Entry.author_id)
            .where(Entry.contest_id == contest_id))
    if category_id:
        stmt = stmt.where(Entry.category_id == category_id)
    if status:
        stmt = stmt.where(Entry.status == status)
    query = (query or "").strip()
    if query:
        pattern = _like(query.lower())
        stmt = stmt.where(or_(*(func.lower(column).like(pattern, escape="\\") for column in (
            Entry.title, Entry.anon_code, Entry.receipt_code, User.full_name))))
    return stmt.order_by(Entry.submitted_at.desc().nulls_last(), Entry.id.desc())


def _submitted_counts(entry: Entry) -> dict[str, int]:
    """For the author and each linked co-author: their other submitted entries in the contest."""
    people = [(entry.author_id, _name_of(entry.author_id))]
    people += [(c.user_id, c.name) for c in entry.coauthors if c.user_id]
    counts = {}
    for user_id, name in people:
        as_author = select(Entry.id).where(
            Entry.contest_id == entry.contest_id, Entry.status == EntryStatus.SUBMITTED,
            Entry.id != entry.id, Entry.author_id == user_id)
        as_coauthor = select(Entry.id).join(Coauthor, Coauthor.entry_id == Entry.id).where(
            Entry.contest_id == entry.contest_id, Entry.status == EntryStatus.SUBMITTED,
            Entry.id != entry.id, Coauthor.user_id == user_id)
        ids = set(db.session.execute(as_author).scalars()) | set(
            db.session.execute(as_coauthor).scalars())
        counts[name] = len(ids)
    return counts


def _name_of(user_id: int) -> str:
    user = db.session.get(User, user_id)
    return user.full_name if user else str(user_id)


def reinstate_entry(entry: Entry, reason: str, actor_id: int | None) -> None:
    """Undo a disqualification: the entry counts as submitted again.

    Refused when that would take its author or a co-author over the contest's cap.
    """
    if entry.status != EntryStatus.DISQUALIFIED:
        raise ContestError(Problem("not_disqualified", None, {"status": entry.status}))
    over = eligibility.check_cap(_submitted_counts(entry), entry.contest.max_entries_per_author)
    if over:
        raise ContestError(*(Problem(p.code, None, p.params) for p in over))
    previous = entry.disqualified_reason
    entry.status = EntryStatus.SUBMITTED
    entry.disqualified_at = None
    entry.disqualified_reason = ""
    db.session.flush()
    audit.record(actor_id, "writing.entry.reinstate", ENTRY_SUBJECT, entry.id,
                 (reason or "").strip()[:MAX_REASON], previous_reason=previous,
                 changes={"status": {"old": EntryStatus.DISQUALIFIED, "new": entry.status}})
