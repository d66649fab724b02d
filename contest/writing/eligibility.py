"""Whether an entry may be submitted to a writing contest, rule by rule.

Each check takes plain values and returns a list of :class:`Problem` (empty when the rule is
met), so the web layer can show every problem at once, each with a translated message built
from its ``code`` and ``params`` and placed next to its form ``field`` (``None`` when the
problem concerns the entry as a whole). Field names are those of the entry: ``published_on``,
``parts``, ``word_count``, ``files``, ``url``, ``prior_award``.

The rules follow Vietnamese press-award practice:

* Submission window: open from ``opens_at`` inclusive to ``closes_at`` exclusive — at the exact
  closing second the contest is already closed, so "closes at 17:00" means the last accepted
  submission is at 16:59:59.999…. Decided on the server clock, with aware datetimes.
* Publication window: the work must have been published between the two dates, both included.
* Series: allowed only where the category allows it, at least 2 parts and at most the
  category's maximum (5 for the National Press Award), and at least two thirds of the parts
  published inside the window (exact fractions: 2 of 3 is enough, 3 of 5 is not). A part
  without a date does not count as inside. A series is judged by its parts' dates, not by the
  entry's own publication date.
* Cap: each author and each co-author may have at most ``cap`` submitted entries in the
  contest; a co-authored entry counts for every one of its authors.
* Jury: a jury member may not enter (author or co-author) unless the contest allows it.
* Category requirements: word limits (when the words could be counted), a file, a link.
* Prior awards: a work that already won an award must say which, and may be refused.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction

from contest.problems import Problem

__all__ = [
    "MIN_SERIES_PARTS",
    "SERIES_SHARE_INSIDE",
    "CategoryRules",
    "EntryContext",
    "PartInfo",
    "Problem",
    "check_cap",
    "check_entry",
    "check_jury",
    "check_prior_award",
    "check_publication",
    "check_requirements",
    "check_series",
    "check_window",
]

MIN_SERIES_PARTS = 2
SERIES_SHARE_INSIDE = Fraction(2, 3)


@dataclass(frozen=True)
class PartInfo:
    """One part of a series as the entrant declared it."""

    published_on: date | None
    title: str = ""
    url: str = ""


@dataclass(frozen=True)
class CategoryRules:
    """What a category requires of its entries (``None`` word limits mean no limit)."""

    min_words: int | None = None
    max_words: int | None = None
    file_required: bool = False
    link_required: bool = False
    accepted_kinds: Sequence[str] = ()
    series_allowed: bool = True
    max_series_parts: int = 5


@dataclass(frozen=True)
class EntryContext:
    """Everything :func:`check_entry` needs to know about an entry and its contest.

    ``entries_by_person`` maps the name of each person on the entry (the author and every
    linked co-author) to the number of *other* submitted entries they already have in the
    contest. ``is_jury_member`` is true when any of them is on the contest's jury.
    ``prior_award_declared`` is the entrant's statement that the work already won an award.
    """

    now: datetime
    opens_at: datetime
    closes_at: datetime
    publication_from: date
    publication_to: date
    category: CategoryRules
    published_on: date | None = None
    is_series: bool = False
    parts: Sequence[PartInfo] = ()
    word_count: int | None = None
    has_files: bool = False
    url: str = ""
    entries_by_person: Mapping[str, int] = dataclasses.field(default_factory=dict)
    cap: int = 3
    is_jury_member: bool = False
    jury_may_enter: bool = False
    prior_award: str = ""
    prior_awards_allowed: bool = True
    prior_award_declared: bool = False


def check_window(now: datetime, opens_at: datetime, closes_at: datetime) -> list[Problem]:
    """Submissions are accepted when ``opens_at <= now < closes_at``.

    Codes ``not_open_yet`` (``opens_at``) and ``closed`` (``closes_at``); the params are the
    datetimes themselves so the message can show them in the reader's time zone.
    """
    if now < opens_at:
        return [Problem("not_open_yet", None, {"opens_at": opens_at})]
    if now >= closes_at:
        return [Problem("closed", None, {"closes_at": closes_at})]
    return []


def _inside(day: date | None, window_from: date, window_to: date) -> bool:
    return day is not None and window_from <= day <= window_to


def check_publication(
    published_on: date | None, window_from: date, window_to: date
) -> list[Problem]:
    """The work was published inside the window, both ends included.

    Codes ``publication_missing`` and ``publication_outside`` (``published_on``,
    ``from_date``, ``to_date``), on the field ``published_on``.
    """
    if published_on is None:
        return [Problem("publication_missing", "published_on", {})]
    if not _inside(published_on, window_from, window_to):
        params = {"published_on": published_on, "from_date": window_from, "to_date": window_to}
        return [Problem("publication_outside", "published_on", params)]
    return []


def check_series(
    parts: Sequence[PartInfo],
    allowed: bool,
    max_parts: int,
    window_from: date,
    window_to: date,
) -> list[Problem]:
    """A series: allowed, 2 to ``max_parts`` parts, at least two thirds inside the window.

    Codes ``series_not_allowed`` (reported alone), ``too_few_parts`` (``count``, ``min``),
    ``too_many_parts`` (``count``, ``max``) and ``series_outside_window`` (``inside``,
    ``count``, ``needed``, ``from_date``, ``to_date``), all on the field ``parts``.
    """
    if not allowed:
        return [Problem("series_not_allowed", "parts", {})]
    problems = []
    count = len(parts)
    if count < MIN_SERIES_PARTS:
        problems.append(Problem("too_few_parts", "parts", {"count": count,
                                                            "min": MIN_SERIES_PARTS}))
    if count > max_parts:
        problems.append(Problem("too_many_parts", "parts", {"count": count, "max": max_parts}))
    if count:
        inside = sum(1 for part in parts if _inside(part.published_on, window_from, window_to))
        # Fractions, not floats: 2/3 as a float is 0.666…6 and would make the 2-of-3 edge
        # depend on rounding.
        if Fraction(inside, count) < SERIES_SHARE_INSIDE:
            needed = math.ceil(SERIES_SHARE_INSIDE * count)
            problems.append(Problem("series_outside_window", "parts", {
                "inside": inside, "count": count, "needed": needed,
                "from_date": window_from, "to_date": window_to,
            }))
    return problems


def check_cap(entries_by_person: Mapping[str, int], cap: int) -> list[Problem]:
    """Nobody on the entry goes over the contest's cap by submitting it.

    ``entries_by_person`` maps each author's and co-author's name to how many *other*
    submitted entries they have in the contest (co-authored ones included), so this entry is
    refused for a person who already has ``cap``. One ``cap_reached`` problem (``name``,
    ``cap``, ``count``) per such person, in the mapping's order.
    """
    return [
        Problem("cap_reached", None, {"name": name, "cap": cap, "count": count})
        for name, count in entries_by_person.items()
        if count >= cap
    ]


def check_jury(is_jury_member_any: bool, jury_may_enter: bool) -> list[Problem]:
    """Code ``jury_member`` when someone on the entry is a juror and jurors may not enter."""
    if is_jury_member_any and not jury_may_enter:
        return [Problem("jury_member", None, {})]
    return []


def check_requirements(
    category: CategoryRules,
    word_count: int | None,
    has_files: bool,
    url: str,
    parts_have_urls: bool,
) -> list[Problem]:
    """The category's own requirements.

    Word limits are checked only when ``word_count`` is known (``None``: the work is a file
    whose words could not be counted); codes ``words_too_few`` and ``words_too_many`` with
    ``words``, ``min`` and ``max`` on the field ``word_count``. ``file_required`` (field
    ``files``) when the category needs a file and there is none. ``link_required`` (field
    ``url``) when it needs a link and the entry has none — a series whose every part has a
    link (``parts_have_urls``) meets it.
    """
    problems = []
    if word_count is not None:
        params = {"words": word_count, "min": category.min_words, "max": category.max_words}
        if category.min_words is not None and word_count < category.min_words:
            problems.append(Problem("words_too_few", "word_count", params))
        if category.max_words is not None and word_count > category.max_words:
            problems.append(Problem("words_too_many", "word_count", params))
    if category.file_required and not has_files:
        problems.append(Problem("file_required", "files", {}))
    if category.link_required and not url.strip() and not parts_have_urls:
        problems.append(Problem("link_required", "url", {}))
    return problems


def check_prior_award(prior_award: str, allowed: bool, declared: bool) -> list[Problem]:
    """A work that already won an award must name it, and may enter only if allowed.

    The work counts as awarded when the entrant declared it or named an award. Codes
    ``prior_award_not_allowed`` (reported alone) and ``prior_award_unnamed``, on the field
    ``prior_award``.
    """
    named = bool(prior_award.strip())
    if not (declared or named):
        return []
    if not allowed:
        return [Problem("prior_award_not_allowed", "prior_award", {})]
    if not named:
        return [Problem("prior_award_unnamed", "prior_award", {})]
    return []


def check_entry(ctx: EntryContext) -> list[Problem]:
    """Every rule, in the order a person would fix them: timing, who, the work, its details."""
    problems = check_window(ctx.now, ctx.opens_at, ctx.closes_at)
    problems += check_jury(ctx.is_jury_member, ctx.jury_may_enter)
    problems += check_cap(ctx.entries_by_person, ctx.cap)
    rules = ctx.category
    if ctx.is_series:
        problems += check_series(ctx.parts, rules.series_allowed, rules.max_series_parts,
                                 ctx.publication_from, ctx.publication_to)
    else:
        problems += check_publication(ctx.published_on, ctx.publication_from,
                                      ctx.publication_to)
    parts_have_urls = ctx.is_series and bool(ctx.parts) and all(
        part.url.strip() for part in ctx.parts
    )
    problems += check_requirements(rules, ctx.word_count, ctx.has_files, ctx.url,
                                   parts_have_urls)
    problems += check_prior_award(ctx.prior_award, ctx.prior_awards_allowed,
                                  ctx.prior_award_declared)
    return problems
