"""Tests for contest.writing.eligibility: each rule at its edges, then check_entry."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from contest.writing.eligibility import (
    CategoryRules,
    EntryContext,
    PartInfo,
    Problem,
    check_cap,
    check_entry,
    check_jury,
    check_prior_award,
    check_publication,
    check_requirements,
    check_series,
    check_window,
)

OPENS = datetime(2024, 6, 1, 1, 0, tzinfo=UTC)  # 08:00 in Vietnam
CLOSES = datetime(2024, 11, 30, 10, 0, tzinfo=UTC)  # 17:00 in Vietnam
FROM = date(2022, 1, 1)
TO = date(2024, 11, 30)
INSIDE = date(2023, 3, 8)
OUTSIDE = date(2021, 12, 31)
PRINT = CategoryRules(min_words=300, max_words=3000, file_required=False, link_required=False,
                      accepted_kinds=("pdf", "docx"))


def codes(problems: list[Problem]) -> list[str]:
    return [p.code for p in problems]


# --- submission window ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "now, expected",
    [
        (OPENS - timedelta(seconds=1), ["not_open_yet"]),
        (OPENS, []),
        (OPENS + timedelta(days=30), []),
        (CLOSES - timedelta(microseconds=1), []),
        (CLOSES, ["closed"]),  # the exact closing second is already too late
        (CLOSES + timedelta(seconds=1), ["closed"]),
    ],
)
def test_window(now, expected):
    assert codes(check_window(now, OPENS, CLOSES)) == expected


def test_window_params_and_time_zones():
    assert check_window(OPENS - timedelta(days=1), OPENS, CLOSES) == [
        Problem("not_open_yet", None, {"opens_at": OPENS})
    ]
    assert check_window(CLOSES, OPENS, CLOSES)[0].params == {"closes_at": CLOSES}
    # 17:00 in Vietnam is the same instant as 10:00 UTC.
    vietnam = CLOSES.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    assert codes(check_window(vietnam, OPENS, CLOSES)) == ["closed"]


# --- publication window ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "published_on, expected",
    [
        (None, ["publication_missing"]),
        (FROM - timedelta(days=1), ["publication_outside"]),
        (FROM, []),
        (INSIDE, []),
        (TO, []),
        (TO + timedelta(days=1), ["publication_outside"]),
    ],
)
def test_publication(published_on, expected):
    problems = check_publication(published_on, FROM, TO)
    assert codes(problems) == expected
    assert all(p.field == "published_on" for p in problems)


def test_publication_params():
    (problem,) = check_publication(OUTSIDE, FROM, TO)
    assert problem.params == {"published_on": OUTSIDE, "from_date": FROM, "to_date": TO}


# --- series ---------------------------------------------------------------------------------


def parts(inside: int, outside: int) -> list[PartInfo]:
    return [PartInfo(INSIDE, f"Kỳ {i + 1}", f"https://bao.vn/{i}") for i in range(inside)] + [
        PartInfo(OUTSIDE, f"Kỳ {inside + i + 1}") for i in range(outside)
    ]


@pytest.mark.parametrize(
    "inside, total, ok, needed",
    [
        (2, 3, True, 2),  # exactly two thirds
        (1, 3, False, 2),
        (3, 5, False, 4),  # 60 % is under two thirds
        (4, 5, True, 4),
        (1, 2, False, 2),
        (2, 2, True, 2),
        (3, 4, True, 3),
        (2, 4, False, 3),
        (4, 6, True, 4),
        (0, 2, False, 2),
    ],
)
def test_series_two_thirds_rule(inside, total, ok, needed):
    problems = check_series(parts(inside, total - inside), True, 6, FROM, TO)
    if ok:
        assert problems == []
    else:
        assert problems == [Problem("series_outside_window", "parts", {
            "inside": inside, "count": total, "needed": needed, "from_date": FROM, "to_date": TO,
        })]


def test_series_window_edges_are_inclusive():
    edges = [PartInfo(FROM, "a"), PartInfo(TO, "b"), PartInfo(TO + timedelta(days=1), "c")]
    assert check_series(edges, True, 5, FROM, TO) == []
    edges[0] = PartInfo(FROM - timedelta(days=1), "a")
    assert codes(check_series(edges, True, 5, FROM, TO)) == ["series_outside_window"]


def test_series_part_without_a_date_counts_outside():
    undated = [PartInfo(INSIDE, "a"), PartInfo(None, "b"), PartInfo(None, "c")]
    assert codes(check_series(undated, True, 5, FROM, TO)) == ["series_outside_window"]


def test_series_part_counts():
    assert check_series(parts(5, 0), True, 5, FROM, TO) == []
    assert check_series(parts(6, 0), True, 5, FROM, TO) == [
        Problem("too_many_parts", "parts", {"count": 6, "max": 5})
    ]
    assert check_series(parts(1, 0), True, 5, FROM, TO) == [
        Problem("too_few_parts", "parts", {"count": 1, "min": 2})
    ]
    assert codes(check_series([], True, 5, FROM, TO)) == ["too_few_parts"]


def test_series_not_allowed_is_reported_alone():
    assert check_series(parts(1, 9), False, 5, FROM, TO) == [
        Problem("series_not_allowed", "parts", {})
    ]


# --- cap, jury ------------------------------------------------------------------------------


def test_cap_counts_other_entries_of_each_person():
    assert check_cap({"Nguyễn Thị Hoa": 2}, 3) == []
    assert check_cap({"Nguyễn Thị Hoa": 3}, 3) == [
        Problem("cap_reached", None, {"name": "Nguyễn Thị Hoa", "cap": 3, "count": 3})
    ]


def test_cap_reached_by_a_coauthor_through_coauthored_entries():
    # Hoa has one entry of her own; Bình co-wrote two entries with others and has one of his own.
    counts = {"Nguyễn Thị Hoa": 1, "Lê Văn Bình": 3, "Đỗ Quang": 0}
    assert codes(check_cap(counts, 3)) == ["cap_reached"]
    assert check_cap(counts, 3)[0].params["name"] == "Lê Văn Bình"
    assert [p.params["name"] for p in check_cap(counts, 1)] == ["Nguyễn Thị Hoa", "Lê Văn Bình"]
    assert check_cap({}, 1) == []


@pytest.mark.parametrize(
    "member, may_enter, expected",
    [(True, False, ["jury_member"]), (True, True, []), (False, False, []), (False, True, [])],
)
def test_jury(member, may_enter, expected):
    assert codes(check_jury(member, may_enter)) == expected


# --- category requirements ------------------------------------------------------------------


@pytest.mark.parametrize(
    "words, expected",
    [(None, []), (0, ["words_too_few"]), (299, ["words_too_few"]), (300, []), (3000, []),
     (3001, ["words_too_many"])],
)
def test_word_limits(words, expected):
    problems = check_requirements(PRINT, words, False, "", False)
    assert codes(problems) == expected
    for problem in problems:
        assert problem.field == "word_count"
        assert problem.params == {"words": words, "min": 300, "max": 3000}


def test_word_limits_are_optional():
    radio = CategoryRules(None, None, True, False, ("mp3", "m4a"))
    assert check_requirements(radio, 12, True, "", False) == []
    only_max = CategoryRules(None, 1000, False, False, ())
    assert codes(check_requirements(only_max, 1001, False, "", False)) == ["words_too_many"]


def test_file_and_link_required():
    rules = CategoryRules(None, None, file_required=True, link_required=True, accepted_kinds=())
    assert check_requirements(rules, None, False, "  ", False) == [
        Problem("file_required", "files", {}),
        Problem("link_required", "url", {}),
    ]
    assert check_requirements(rules, None, True, "https://vtv.vn/phong-su", False) == []
    # A series whose every part has its own link needs no link on the entry.
    assert check_requirements(rules, None, True, "", True) == []


# --- prior awards ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "award, allowed, declared, expected",
    [
        ("", True, False, []),
        ("", False, False, []),
        ("Giải Báo chí tỉnh Nghệ An 2023", True, True, []),
        ("Giải Báo chí tỉnh Nghệ An 2023", True, False, []),
        ("   ", True, True, ["prior_award_unnamed"]),
        ("", False, True, ["prior_award_not_allowed"]),
        ("Giải C", False, False, ["prior_award_not_allowed"]),
    ],
)
def test_prior_award(award, allowed, declared, expected):
    problems = check_prior_award(award, allowed, declared)
    assert codes(problems) == expected
    assert all(p.field == "prior_award" for p in problems)


# --- the whole entry ------------------------------------------------------------------------


def context(**changes) -> EntryContext:
    values = dict(
        now=OPENS + timedelta(days=1),
        opens_at=OPENS,
        closes_at=CLOSES,
        publication_from=FROM,
        publication_to=TO,
        category=PRINT,
        published_on=INSIDE,
        word_count=1200,
        entries_by_person={"Nguyễn Thị Hoa": 0},
        cap=3,
    )
    values.update(changes)
    return EntryContext(**values)


def test_a_good_entry_has_no_problems():
    assert check_entry(context()) == []


def test_every_problem_is_reported_in_order():
    ctx = context(
        now=CLOSES,
        is_jury_member=True,
        entries_by_person={"Nguyễn Thị Hoa": 3, "Lê Văn Bình": 1},
        published_on=OUTSIDE,
        word_count=100,
        category=CategoryRules(300, 3000, True, True, ("pdf",)),
        prior_award_declared=True,
    )
    assert codes(check_entry(ctx)) == [
        "closed", "jury_member", "cap_reached", "publication_outside", "words_too_few",
        "file_required", "link_required", "prior_award_unnamed",
    ]


def test_jury_members_may_enter_when_the_contest_allows():
    assert check_entry(context(is_jury_member=True, jury_may_enter=True)) == []


def test_a_series_is_judged_by_its_parts():
    series = context(is_series=True, published_on=None, parts=parts(2, 1))
    assert check_entry(series) == []
    assert codes(check_entry(context(is_series=True, published_on=INSIDE,
                                     parts=parts(3, 2)))) == ["series_outside_window"]
    no_series = CategoryRules(300, 3000, False, False, (), series_allowed=False)
    assert codes(check_entry(context(category=no_series, is_series=True,
                                     parts=parts(2, 0)))) == ["series_not_allowed"]
    short = CategoryRules(300, 3000, False, False, (), max_series_parts=3)
    assert codes(check_entry(context(category=short, is_series=True,
                                     parts=parts(4, 0)))) == ["too_many_parts"]


def test_link_of_a_series_can_come_from_its_parts():
    needs_link = CategoryRules(None, None, False, True, ())
    linked = context(category=needs_link, is_series=True, parts=parts(2, 0))
    assert check_entry(linked) == []
    unlinked = context(category=needs_link, is_series=True,
                       parts=[PartInfo(INSIDE, "a", "https://x.vn"), PartInfo(INSIDE, "b")])
    assert codes(check_entry(unlinked)) == ["link_required"]
    assert check_entry(context(category=needs_link, url="https://baonghean.vn/bai")) == []
