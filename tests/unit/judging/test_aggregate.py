"""Aggregating score sheets: weighted totals, mean, trimmed mean, z-scores, flags and ties."""

from __future__ import annotations

import math

import pytest

from contest.judging.aggregate import (
    Criterion,
    EntryScore,
    Sheet,
    disagreements,
    entry_scores,
    judge_stats,
    rank_with_ties,
    sheet_total,
)

PRESS = [
    Criterion.points("discovery", 5),
    Criterion.points("form", 3),
    Criterion.points("impact", 2),
]


def sheets_from(table: dict[str, dict[str, float]]) -> list[Sheet]:
    """{judge: {entry: total}} -> sheets, judge by judge."""
    return [
        Sheet(entry=entry, judge=judge, total=total)
        for judge, row in table.items()
        for entry, total in row.items()
    ]


def score(value: float, low: float = 0.0, high: float = 0.0) -> EntryScore:
    return EntryScore(value, 3, low, high, round(high - low, 6), "mean")


# --- sheet_total ---------------------------------------------------------------------------


def test_press_scale_total_is_the_plain_sum_of_points() -> None:
    assert sheet_total({"discovery": 4, "form": 2, "impact": 1}, PRESS, 10) == 7.0
    assert sheet_total({"discovery": 4.5, "form": 2.5, "impact": 1.5}, PRESS, 10) == 8.5
    assert sheet_total({"discovery": 5, "form": 3, "impact": 2}, PRESS, 10) == 10.0
    assert sheet_total({"discovery": 0, "form": 0, "impact": 0}, PRESS, 10) == 0.0
    # Spelled out: weights equal to the maxima are what Criterion.points sets.
    explicit = [Criterion("discovery", 5, 5), Criterion("form", 3, 3), Criterion("impact", 2, 2)]
    assert sheet_total({"discovery": 3, "form": 3, "impact": 0.5}, explicit, 10) == 6.5


def test_equal_weights_count_each_criterion_as_a_share_of_its_maximum() -> None:
    equal = [Criterion("discovery", 1, 5), Criterion("form", 1, 3), Criterion("impact", 1, 2)]
    # 10 x (4/5 + 2/3 + 1/2) / 3 = 10 x 59/30 / 3 = 59/9, not the plain sum 7.
    assert sheet_total({"discovery": 4, "form": 2, "impact": 1}, equal, 10) == pytest.approx(59 / 9)


def test_weighted_total_on_a_100_point_scale() -> None:
    rubric = [Criterion("content", 2, 10), Criterion("style", 1, 10), Criterion("reach", 1, 10)]
    # 100 x (2 x 0.8 + 0.5 + 1.0) / 4 = 77.5
    assert sheet_total({"content": 8, "style": 5, "reach": 10}, rubric, 100) == 77.5


@pytest.mark.parametrize(
    "points",
    [
        {"discovery": 4, "form": 2},
        {"discovery": 6, "form": 2, "impact": 1},
        {"discovery": -1, "form": 2, "impact": 1},
        {"discovery": 4, "form": 2, "impact": 1, "length": 1},
    ],
)
def test_incomplete_or_out_of_range_sheets_are_refused(points: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        sheet_total(points, PRESS, 10)


def test_rubric_without_weight_is_refused() -> None:
    with pytest.raises(ValueError):
        sheet_total({"a": 1}, [Criterion("a", 0, 5)], 10)


# --- mean and trimmed mean -------------------------------------------------------------------


def test_mean_with_spread() -> None:
    sheets = sheets_from({"j1": {"A": 7, "B": 5}, "j2": {"A": 8, "B": 6}, "j3": {"A": 9}})

    scores = entry_scores(sheets)

    assert scores["A"] == EntryScore(8.0, 3, 7.0, 9.0, 2.0, "mean", ())
    assert scores["B"] == EntryScore(5.5, 2, 5.0, 6.0, 1.0, "mean", ())
    assert list(scores) == ["A", "B"]


def test_trimmed_mean_drops_highest_and_lowest_with_five_judges() -> None:
    sheets = [Sheet("A", f"j{i}", total) for i, total in enumerate([2, 7, 8, 9, 10])]

    result = entry_scores(sheets, "trimmed")["A"]

    assert result.score == 8.0  # mean of 7, 8, 9
    assert result.method_used == "trimmed"
    assert (result.low, result.high, result.range, result.n_judges) == (2, 10, 8.0, 5)
    assert "dropped" in result.notes[0]


def test_trimmed_mean_with_six_judges_drops_only_one_at_each_end() -> None:
    sheets = [Sheet("A", f"j{i}", total) for i, total in enumerate([1, 6, 6, 7, 8, 10])]

    assert entry_scores(sheets, "trimmed")["A"].score == 6.75  # (6 + 6 + 7 + 8) / 4


def test_trimmed_mean_with_fewer_than_five_judges_falls_back_to_the_mean() -> None:
    sheets = [Sheet("A", f"j{i}", total) for i, total in enumerate([2, 7, 8, 9])]

    result = entry_scores(sheets, "trimmed")["A"]

    assert result.score == 6.5
    assert result.method_used == "mean"
    assert result.notes == ("only 4 judges (a trimmed mean needs 5): plain mean used",)


# --- z-scores --------------------------------------------------------------------------------

# Three judges, three entries. Population SDs: j1 sqrt(2/3), j2 and j3 sqrt(8/3), so
# c = sqrt(3/2) and the z-scores are
#   j1: A -c, B 0, C +c     j2: A -c, B 0, C +c     j3: A +c, B -c, C 0
# Mean z: A -c/3, B -c/3, C 2c/3. Raw means: A 19/3, B 6, C 23/3.
# Mapped onto [6, 23/3]: A and B (lowest mean z) -> 6, C (highest) -> 23/3.
THREE_JUDGES = {
    "j1": {"A": 6, "B": 7, "C": 8},
    "j2": {"A": 4, "B": 6, "C": 8},
    "j3": {"A": 9, "B": 5, "C": 7},
}


def test_zscore_hand_computed() -> None:
    scores = entry_scores(sheets_from(THREE_JUDGES), "zscore")

    assert scores["A"].score == pytest.approx(6.0)
    assert scores["B"].score == pytest.approx(6.0)
    assert scores["C"].score == pytest.approx(23 / 3)
    assert all(s.method_used == "zscore" and s.notes == () for s in scores.values())
    # The raw spread is reported, not the z-score spread.
    assert (scores["A"].low, scores["A"].high, scores["A"].range) == (4, 9, 5.0)
    # The raw mean would put A (19/3) above B (6); after normalising for j3's harshness on B
    # and j2's on A, they tie, and the tie is shown.
    assert rank_with_ties(scores) == [(1, ["C"]), (2, ["A", "B"])]


def test_zscore_judge_stats_use_the_population_sd() -> None:
    stats = judge_stats(sheets_from(THREE_JUDGES))

    assert stats["j1"].sd == pytest.approx(math.sqrt(2 / 3))
    assert stats["j2"].sd == pytest.approx(math.sqrt(8 / 3))
    assert stats["j2"].mean == 6.0
    assert {s.status for s in stats.values()} == {"ok"}


def test_zscore_leaves_out_a_judge_with_fewer_than_three_sheets() -> None:
    # j4 scored only A (1) and D (4): too few sheets to know how j4 uses the scale.
    table = {**THREE_JUDGES, "j4": {"A": 1, "D": 4}}

    scores = entry_scores(sheets_from(table), "zscore")

    # Mean z as before (j4 left out); raw means now A 5, B 6, C 23/3, so the range the mean
    # z-scores map onto is [5, 23/3]: A and B -> 5, C -> 23/3.
    assert scores["A"].score == pytest.approx(5.0)
    assert scores["B"].score == pytest.approx(5.0)
    assert scores["C"].score == pytest.approx(23 / 3)
    assert scores["A"].n_judges == 4 and scores["A"].low == 1
    assert any("'j4' left out of the z-scores" in note for note in scores["A"].notes)
    # D has no z-score at all: it falls back to its raw mean, and says so.
    assert scores["D"].score == 4.0
    assert scores["D"].method_used == "mean"
    assert any("raw mean used" in note for note in scores["D"].notes)
    assert judge_stats(sheets_from(table))["j4"].status == "too_few_sheets"


def test_zscore_leaves_out_a_judge_who_gave_every_entry_the_same_total() -> None:
    # j1 gave everyone 6 and is left out; j2 and j3 have z = -c, 0, +c (c = sqrt(3/2)).
    # Mean z over j2, j3: A -c, B 0, C +c. Raw means A 5, B 19/3, C 23/3: A -> 5, C -> 23/3,
    # B (halfway in z) -> halfway, 19/3.
    table = {
        "j1": {"A": 6, "B": 6, "C": 6},
        "j2": {"A": 4, "B": 6, "C": 8},
        "j3": {"A": 5, "B": 7, "C": 9},
    }

    scores = entry_scores(sheets_from(table), "zscore")

    assert scores["A"].score == pytest.approx(5.0)
    assert scores["B"].score == pytest.approx(19 / 3)
    assert scores["C"].score == pytest.approx(23 / 3)
    assert all(any("'j1' left out of the z-scores: gave every entry 6" in n for n in s.notes)
               for s in scores.values())
    assert scores["A"].low == 4 and scores["A"].high == 6
    assert judge_stats(sheets_from(table))["j1"].status == "no_spread"


def test_a_flat_judge_does_not_pull_an_entry_below_one_both_others_rank_higher() -> None:
    # K = 3 of four judges. X: 9.5, 9.5 and 8 from a judge who gave everyone 8; Y: 9, 9 and 8
    # from a harsh judge whose top mark is 8. Both judges who saw X and Y put X first, and so
    # must the z-score: counting the flat judge as z = 0 used to give X 8.69 and Y 9.0.
    table = {
        "j1": {"X": 9.5, "Y": 9, "P": 7, "Q": 6},
        "j2": {"X": 9.5, "Y": 9, "P": 6, "Q": 7},
        "j3": {"Y": 8, "P": 5, "Q": 6},
        "flat": {"X": 8, "P": 8, "Q": 8},
    }

    scores = entry_scores(sheets_from(table), "zscore")

    assert scores["X"].score > scores["Y"].score
    assert [group for _rank, group in rank_with_ties(scores)][:2] == [["X"], ["Y"]]
    assert any("'flat' left out of the z-scores" in note for note in scores["X"].notes)


def test_zscore_all_entries_equal_read_as_the_mean_of_raw_means() -> None:
    # j1: A -c, B +c, C 0; j2: A +c, B -c, C 0 -> every mean z is 0.
    # Raw means 7.5, 6.5 and 7: every entry reads 7.
    table = {"j1": {"A": 6, "B": 8, "C": 7}, "j2": {"A": 9, "B": 5, "C": 7}}

    scores = entry_scores(sheets_from(table), "zscore")

    assert [s.score for s in scores.values()] == pytest.approx([7.0, 7.0, 7.0])
    assert all("same mean z-score" in s.notes[0] for s in scores.values())
    assert rank_with_ties(scores) == [(1, ["A", "B", "C"])]


def test_zscore_only_lenient_and_harsh_judges_with_the_same_order_agree() -> None:
    # A lenient and a harsh judge with the same order: z-scores remove the offset.
    table = {
        "lenient": {"A": 8, "B": 9, "C": 10},
        "harsh": {"A": 2, "B": 3, "C": 4},
    }

    scores = entry_scores(sheets_from(table), "zscore")

    assert [scores[e].score for e in "ABC"] == pytest.approx([5.0, 6.0, 7.0])


# --- validation --------------------------------------------------------------------------------


def test_two_sheets_by_one_judge_for_one_entry_are_refused() -> None:
    with pytest.raises(ValueError, match="more than one sheet"):
        entry_scores([Sheet("A", "j1", 5), Sheet("A", "j1", 6)])


def test_unknown_method_and_non_finite_totals_are_refused() -> None:
    with pytest.raises(ValueError):
        entry_scores([Sheet("A", "j1", 5)], "median")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        entry_scores([Sheet("A", "j1", math.nan)])


def test_no_sheets_no_scores() -> None:
    assert entry_scores([], "zscore") == {}
    assert rank_with_ties({}) == []


# --- disagreement flags and ties --------------------------------------------------------------


def test_disagreement_flag_at_the_threshold_edge() -> None:
    sheets = sheets_from(
        {
            "j1": {"edge": 8.3, "over": 8.4, "under": 8.0},
            "j2": {"edge": 6.3, "over": 6.3, "under": 6.1},
        }
    )
    scores = entry_scores(sheets)

    # 8.3 - 6.3 is 2.0000000000000004 in floating point: still exactly 2, so not flagged.
    assert scores["edge"].range == 2.0
    assert disagreements(scores, 2.0) == ["over"]
    assert disagreements(scores, 1.9) == ["edge", "over"]
    assert disagreements(scores, 2.1) == []


def test_ties_stay_ties_with_competition_ranking() -> None:
    scores = {
        "A": score(7.0000001),
        "B": score(8.5),
        "C": score(7.0000004),  # equal to A once rounded to 6 decimals
        "D": score(6.0),
        "E": score(0.1 + 0.2),
        "F": score(0.3),
    }

    assert rank_with_ties(scores) == [(1, ["B"]), (2, ["A", "C"]), (4, ["D"]), (5, ["E", "F"])]


def test_scores_that_differ_in_the_sixth_decimal_are_not_tied() -> None:
    scores = {"A": score(7.000001), "B": score(7.000002)}

    assert rank_with_ties(scores) == [(1, ["B"]), (2, ["A"])]
