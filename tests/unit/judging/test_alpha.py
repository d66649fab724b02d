"""Krippendorff's alpha against the worked example of Krippendorff's own paper."""

from __future__ import annotations

import math
import random

import krippendorff
import numpy as np
import pytest

from contest.judging.aggregate import Sheet, alpha_interval

NAN = math.nan

# Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), section C: 4 observers,
# 12 units, values 1-5, missing data. Unit 12 has a single value and is not pairable, so
# n = 40 pairable values. Published: nominal 0.743, ordinal 0.815, interval 0.849,
# ratio 0.797.
PAPER = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]


def paper_sheets() -> list[Sheet]:
    return [
        Sheet(entry=f"unit-{unit + 1}", judge=observer, total=value)
        for observer, row in zip("ABCD", PAPER, strict=True)
        for unit, value in enumerate(row)
        if not math.isnan(value)
    ]


def test_interval_alpha_of_the_papers_example() -> None:
    result = alpha_interval(paper_sheets())

    assert result.alpha is not None
    assert round(result.alpha, 3) == 0.849
    assert (result.n_entries, result.n_judges, result.n_pairable_values) == (12, 4, 40)
    assert result.computed_by == "krippendorff"


def test_nominal_and_ordinal_alpha_of_the_same_data_via_the_package() -> None:
    # A second check that the data above is the paper's: the other published levels.
    assert round(krippendorff.alpha(PAPER, level_of_measurement="nominal"), 3) == 0.743
    assert round(krippendorff.alpha(PAPER, level_of_measurement="ordinal"), 3) == 0.815


def test_closed_form_gives_the_same_alpha_as_the_package() -> None:
    closed = alpha_interval(paper_sheets(), max_cells=0)

    assert closed.computed_by == "closed-form"
    assert closed.alpha == pytest.approx(0.8491071428571428, abs=1e-12)
    rng = random.Random(5)
    for _ in range(20):
        sheets = []
        for entry in range(rng.randint(2, 40)):
            quality = rng.uniform(2, 9)
            for judge in rng.sample(range(8), rng.randint(1, 4)):
                sheets.append(Sheet(entry, judge, round(quality + rng.gauss(0, 1.5), 1)))
        package, closed = alpha_interval(sheets), alpha_interval(sheets, max_cells=0)
        assert package.alpha == pytest.approx(closed.alpha, abs=1e-9)


def test_matches_the_package_called_with_judges_as_rows() -> None:
    rng = np.random.default_rng(3)
    data = np.where(rng.random((6, 30)) < 0.5, rng.integers(0, 11, (6, 30)).astype(float), NAN)
    sheets = [
        Sheet(entry, judge, float(data[judge, entry]))
        for judge in range(6)
        for entry in range(30)
        if not math.isnan(data[judge, entry])
    ]

    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="interval")

    assert alpha_interval(sheets).alpha == pytest.approx(expected, abs=1e-12)


def test_entries_with_one_sheet_do_not_change_alpha() -> None:
    extra = [Sheet("lonely-1", "A", 1), Sheet("lonely-2", "B", 5)]

    result = alpha_interval(paper_sheets() + extra)

    assert round(result.alpha or 0, 6) == round(alpha_interval(paper_sheets()).alpha or 0, 6)
    assert (result.n_entries, result.n_pairable_values) == (14, 40)


def test_perfect_agreement_is_one() -> None:
    sheets = [Sheet(e, j, float(e)) for e in range(5) for j in range(3)]

    assert alpha_interval(sheets).alpha == pytest.approx(1.0)


@pytest.mark.parametrize(
    "sheets",
    [
        [],
        [Sheet("A", "j1", 5.0)],
        # every entry scored once: nothing is pairable
        [Sheet("A", "j1", 5.0), Sheet("B", "j2", 7.0)],
        # pairable, but every value equal: no expected disagreement
        [Sheet("A", "j1", 5.0), Sheet("A", "j2", 5.0), Sheet("B", "j1", 5.0)],
    ],
)
def test_undefined_alpha_is_none(sheets: list[Sheet]) -> None:
    assert alpha_interval(sheets).alpha is None
