"""Judge assignment as a min-cost flow: properties on random panels, brute force, shortfalls.

Nothing here trusts the solver: results are checked against exhaustive enumeration on tiny
panels and, on larger ones, against a plain maximum flow (the most places any assignment can
fill) and an exchange argument that certifies the balance (see assert_no_cheaper_exchange).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Hashable, Mapping

import pytest
from ortools.graph.python.max_flow import SimpleMaxFlow

from contest.judging.assign import (
    REASON_CAPACITY,
    REASON_CONFLICTS,
    REASON_TOTAL_CAPACITY,
    Assignment,
    add_judge,
    assign,
    balance_report,
)


def random_panel(
    rng: random.Random, n_entries: int, n_judges: int, conflict_rate: float
) -> tuple[list[int], list[str], set[tuple[str, int]]]:
    entries = list(range(n_entries))
    judges = [f"judge-{i}" for i in range(n_judges)]
    conflicts = {(j, e) for j in judges for e in entries if rng.random() < conflict_rate}
    return entries, judges, conflicts


def check_valid(
    result: Assignment,
    entries: list[int],
    k: int,
    conflicts: set[tuple[str, int]],
    existing: Mapping[int, list[str]] | None = None,
) -> None:
    """Every entry has distinct judges, none conflicted, existing ones kept, loads consistent."""
    existing = existing or {}
    for entry in entries:
        judges = result.judges_by_entry[entry]
        assert len(judges) == len(set(judges))
        assert len(judges) <= max(k, len(existing.get(entry, [])))
        assert judges[: len(existing.get(entry, []))] == tuple(existing.get(entry, []))
        assert not any((judge, entry) in conflicts for judge in result.new.get(entry, ()))
        if len(judges) < k:
            assert entry in result.unassignable
        else:
            assert entry not in result.unassignable
    counted: dict[Hashable, int] = dict.fromkeys(result.loads, 0)
    for judges in result.judges_by_entry.values():
        for judge in judges:
            if judge in counted:
                counted[judge] += 1
    assert counted == result.loads


def judge_cost(result: Assignment) -> int:
    """The network's judge-side cost: the t-th entry of a judge costs t."""
    return sum(load * (load + 1) // 2 for load in result.loads.values())


def shortfall_cost(counts: list[int], k: int) -> int:
    """A convex cost of the places left empty: an entry missing m judges costs 1 + ... + m."""
    return sum(max(0, k - n) * (max(0, k - n) + 1) // 2 for n in counts)


def filled(result: Assignment) -> int:
    return sum(len(judges) for judges in result.new.values())


def max_places(
    entries: list[int],
    judges: list[str],
    k: int,
    conflicts: set[tuple[str, int]],
    existing: Mapping[int, list[str]] | None = None,
    capacity: Mapping[str, int] | None = None,
) -> int:
    """The most new places any assignment can fill: a plain maximum flow, without costs."""
    existing = existing or {}
    capacity = capacity or {}
    held = {e: set(existing.get(e, ())) for e in entries}
    base = {j: sum(j in held[e] for e in entries) for j in judges}
    # Nodes: 0 source, 1 sink, 2.. judges, then entries.
    node = {j: 2 + i for i, j in enumerate(judges)}
    node.update({e: 2 + len(judges) + i for i, e in enumerate(entries)})
    network = SimpleMaxFlow()
    for j in judges:
        room = max(0, capacity[j] - base[j]) if j in capacity else len(entries)
        network.add_arc_with_capacity(0, node[j], room)
        for e in entries:
            if j not in held[e] and (j, e) not in conflicts:
                network.add_arc_with_capacity(node[j], node[e], 1)
    for e in entries:
        network.add_arc_with_capacity(node[e], 1, max(0, k - len(held[e])))
    assert network.solve(0, 1) == SimpleMaxFlow.OPTIMAL
    return network.optimal_flow()


def assert_no_cheaper_exchange(
    result: Assignment,
    judges: list[str],
    k: int,
    conflicts: set[tuple[str, int]],
    capacity: Mapping[str, int] | None = None,
) -> None:
    """Certify that a largest assignment has the most even loads and the most even shortfalls.

    For convex costs, a largest assignment is cheapest exactly when no chain of hand-overs
    would improve it (no negative cycle in the residual network), which here means:

    * no judge with room and load L can take an entry, directly or with other judges passing
      entries along (j1 takes e1 from j2, j2 takes e2 from j3, ...), from a judge whose load
      is L + 2 or more;
    * likewise no entry with c < k judges can get a judge, through such a chain, from an
      entry with c + 2 or more judges.

    Only newly assigned judges move; existing ones stay where they are.
    """
    capacity = capacity or {}
    by_entry = result.judges_by_entry
    loads = result.loads
    new_on = {e: set(result.new.get(e, ())) for e in by_entry}
    holds: dict[str, list[int]] = {j: [] for j in judges}
    for e, new in result.new.items():
        for j in new:
            holds[j].append(e)
    takeable = {
        j: [e for e in by_entry if j not in by_entry[e] and (j, e) not in conflicts]
        for j in judges
    }
    takers: dict[int, list[str]] = {e: [] for e in by_entry}
    for j, open_entries in takeable.items():
        for e in open_entries:
            takers[e].append(j)

    # Searching from all the judges with room and the same load at once suffices.
    starts_by_load: dict[int, list[str]] = {}
    for j in judges:
        if j not in capacity or loads[j] < capacity[j]:
            starts_by_load.setdefault(loads[j], []).append(j)
    for load, starts in starts_by_load.items():
        seen_judges, seen_entries, stack = set(starts), set(), list(starts)
        while stack:
            j = stack.pop()
            assert loads[j] <= load + 1, f"a judge at load {load} could take an entry from {j}"
            for e in takeable[j]:
                if e in seen_entries:
                    continue
                seen_entries.add(e)
                for giver in new_on[e] - seen_judges:
                    seen_judges.add(giver)
                    stack.append(giver)

    # Likewise from all the entries short of k judges with the same count.
    starts_by_count: dict[int, list[int]] = {}
    for e, judges_on in by_entry.items():
        if len(judges_on) < k:
            starts_by_count.setdefault(len(judges_on), []).append(e)
    for count, open_entries in starts_by_count.items():
        seen_donors, seen_takers, stack = set(open_entries), set(), list(open_entries)
        while stack:
            e = stack.pop()
            assert len(by_entry[e]) <= count + 1, f"an entry with {count} could get a judge of {e}"
            for j in takers[e]:
                if j in seen_takers:
                    continue
                seen_takers.add(j)
                for donor in holds[j]:
                    if donor not in seen_donors:
                        seen_donors.add(donor)
                        stack.append(donor)


@pytest.mark.parametrize(
    ("seed", "n_entries", "n_judges", "k"),
    [(1, 1000, 40, 3), (2, 1000, 40, 3), (3, 300, 17, 3), (4, 120, 9, 2), (5, 57, 6, 4)],
)
def test_random_panels_get_k_distinct_unconflicted_judges_with_balanced_loads(
    seed: int, n_entries: int, n_judges: int, k: int
) -> None:
    rng = random.Random(seed)
    entries, judges, conflicts = random_panel(rng, n_entries, n_judges, 0.05)

    result = assign(entries, judges, k, conflicts)

    assert result.complete
    check_valid(result, entries, k, conflicts)
    assert all(len(result.judges_by_entry[e]) == k for e in entries)
    low, high = balance_report(result)
    assert high - low <= 1
    assert sum(result.loads.values()) == k * n_entries


def test_many_small_random_panels_stay_balanced() -> None:
    rng = random.Random(20240601)
    for _ in range(150):
        k = rng.randint(1, 4)
        n_judges = rng.randint(k + 1, 12)
        entries, judges, conflicts = random_panel(rng, rng.randint(1, 80), n_judges, 0.05)
        # Keep every entry fillable so that balance is always achievable.
        for entry in entries:
            free = [j for j in judges if (j, entry) not in conflicts]
            for judge in judges:
                if len(free) >= k:
                    break
                if (judge, entry) in conflicts:
                    conflicts.discard((judge, entry))
                    free.append(judge)

        result = assign(entries, judges, k, conflicts)

        assert result.complete
        check_valid(result, entries, k, conflicts)
        low, high = balance_report(result)
        assert high - low <= 1


def brute_force(
    entries: list[int],
    judges: list[str],
    k: int,
    conflicts: set[tuple[str, int]],
    existing: dict[int, list[str]],
    capacity: dict[str, int],
) -> tuple[int, int, int, int, int]:
    """Enumerate every assignment; return (most places filled, and among those assignments:
    least possible max load, largest possible min load, least convex judge cost, least
    convex shortfall cost)."""
    options = []
    for entry in entries:
        held = existing.get(entry, [])
        free = [j for j in judges if j not in held and (j, entry) not in conflicts]
        need = max(0, k - len(held))
        options.append(
            [c for size in range(need + 1) for c in itertools.combinations(free, size)]
        )
    base = {j: sum(j in existing.get(e, []) for e in entries) for j in judges}
    best: tuple[int, int, int, int, int] | None = None
    for choice in itertools.product(*options):
        loads = dict(base)
        for chosen in choice:
            for judge in chosen:
                loads[judge] += 1
        # A cap counts existing entries; a judge already over it just takes nothing new.
        if any(loads[j] > max(capacity.get(j, len(entries)), base[j]) for j in judges):
            continue
        filled = sum(len(chosen) for chosen in choice)
        key = (
            filled,
            -max(loads.values()),
            min(loads.values()),
            -sum(v * (v + 1) // 2 for v in loads.values()),
            -shortfall_cost(
                [len(existing.get(e, [])) + len(c) for e, c in zip(entries, choice, strict=True)],
                k,
            ),
        )
        if best is None or key[0] > best[0]:
            best = key
        elif key[0] == best[0]:
            best = (best[0], *(max(b, c) for b, c in zip(best[1:], key[1:], strict=True)))
    assert best is not None
    return best[0], -best[1], best[2], -best[3], -best[4]


def test_min_cost_flow_matches_brute_force_on_tiny_instances() -> None:
    """The balance claim, checked exhaustively: among all largest assignments none has a
    smaller maximum load, a larger minimum load or a lower convex cost than the one found,
    and none spreads the empty places more evenly (both at once: they never conflict)."""
    rng = random.Random(7)
    for _ in range(250):
        n_judges = rng.randint(1, 4)
        k = rng.randint(1, 2)
        entries, judges, conflicts = random_panel(rng, rng.randint(1, 4), n_judges, 0.3)
        existing: dict[int, list[str]] = {}
        if rng.random() < 0.3:
            for entry in entries:
                free = [j for j in judges if (j, entry) not in conflicts]
                if free and rng.random() < 0.4:
                    existing[entry] = [rng.choice(free)]
        capacity = {j: rng.randint(0, 3) for j in judges if rng.random() < 0.3}

        result = assign(entries, judges, k, conflicts, existing, capacity)

        check_valid(result, entries, k, conflicts, existing)
        most, min_max, max_min, cost, short = brute_force(
            entries, judges, k, conflicts, existing, capacity
        )
        assert filled(result) == most
        low, high = balance_report(result)
        assert (high, low, judge_cost(result)) == (min_max, max_min, cost)
        counts = [len(judges) for judges in result.judges_by_entry.values()]
        assert shortfall_cost(counts, k) == short
        assert_no_cheaper_exchange(result, judges, k, conflicts, capacity)


def skewed_instance(
    rng: random.Random,
) -> tuple[list[int], list[str], int, set[tuple[str, int]], dict[str, int] | None]:
    """Panels where loads cannot be even: a block of entries only a few judges may take
    (say, all from the outlet the other judges work for), plus random conflicts and caps."""
    k = rng.randint(1, 3)
    entries = list(range(rng.randint(1, 40)))
    judges = [f"judge-{i}" for i in range(rng.randint(1, 8))]
    conflicts = {(j, e) for j in judges for e in entries if rng.random() < 0.05}
    few = rng.sample(judges, rng.randint(1, len(judges)))
    block = rng.sample(entries, rng.randint(0, len(entries)))
    conflicts |= {(j, e) for j in judges if j not in few for e in block}
    capacity = {j: rng.randint(0, len(entries)) for j in judges} if rng.random() < 0.3 else None
    return entries, judges, k, conflicts, capacity


def test_skewed_panels_fill_the_most_places_with_the_most_even_loads() -> None:
    """Where conflicts and caps make even loads or complete assignments impossible, the
    result still fills as many places as a plain maximum flow and no exchange improves it."""
    rng = random.Random(99)
    short = 0
    for _ in range(300):
        entries, judges, k, conflicts, capacity = skewed_instance(rng)

        result = assign(entries, judges, k, conflicts, capacity=capacity)

        check_valid(result, entries, k, conflicts)
        assert filled(result) == max_places(entries, judges, k, conflicts, capacity=capacity)
        assert_no_cheaper_exchange(result, judges, k, conflicts, capacity)
        short += not result.complete
    # Both kinds of instance really occurred, often.
    assert 50 < short < 250, short


def test_large_skewed_panel_loads_the_few_free_judges_evenly() -> None:
    """The benchmark's skewed panel: 30 % of the entries may only go to 5 judges."""
    rng = random.Random(5)
    entries, judges, conflicts = random_panel(rng, 1000, 40, 0.05)
    few = set(judges[:5])
    block = set(rng.sample(entries, 300))
    conflicts = {(j, e) for j, e in conflicts if not (j in few and e in block)}
    conflicts |= {(j, e) for j in judges if j not in few for e in block}

    result = assign(entries, judges, 3, conflicts)

    assert result.complete
    check_valid(result, entries, 3, conflicts)
    assert_no_cheaper_exchange(result, judges, 3, conflicts)
    assert {result.loads[j] for j in few} == {180}
    assert {result.loads[j] for j in judges if j not in few} == {60}


def test_large_panel_short_of_capacity_fills_the_most_places_and_spreads_the_rest() -> None:
    """Caps leave about 450 of the 3,000 places empty: every one the judges can fill is
    filled, and no entry misses two judges while another misses none it could spare."""
    rng = random.Random(8)
    entries, judges, conflicts = random_panel(rng, 1000, 40, 0.05)
    capacity = {j: rng.randint(50, 78) for j in judges}

    result = assign(entries, judges, 3, conflicts, capacity=capacity)

    check_valid(result, entries, 3, conflicts)
    assert filled(result) == max_places(entries, judges, 3, conflicts, capacity=capacity)
    assert_no_cheaper_exchange(result, judges, 3, conflicts, capacity)
    assert not result.complete
    assert {r.code for r in result.unassignable.values()} == {REASON_TOTAL_CAPACITY}
    assert {len(judges_on) for judges_on in result.judges_by_entry.values()} == {2, 3}


def test_the_exchange_check_rejects_uneven_results() -> None:
    """The certificate above is what the larger tests rely on, so check that it bites."""
    # b may take none of a's entries, but c may take one and hand entry 3 on to b.
    conflicts = {("b", 1), ("b", 2), ("b", 4), ("c", 4)}
    uneven = {1: ("a",), 2: ("a",), 3: ("c",), 4: ("a",)}
    result = Assignment(1, uneven, uneven, {"a": 3, "b": 0, "c": 1})
    with pytest.raises(AssertionError, match="at load 0 could take an entry from a"):
        assert_no_cheaper_exchange(result, ["a", "b", "c"], 1, conflicts)
    assert assign([1, 2, 3, 4], ["a", "b", "c"], 1, conflicts).loads == {"a": 1, "b": 1, "c": 2}
    # Entry 2 could have one of entry 1's two judges.
    lopsided = Assignment(2, {1: ("a", "b"), 2: ()}, {1: ("a", "b")}, {"a": 1, "b": 1})
    with pytest.raises(AssertionError, match="with 0 could get a judge of 1"):
        assert_no_cheaper_exchange(lopsided, ["a", "b"], 2, set(), {"a": 1, "b": 1})


def test_entry_conflicted_with_all_but_two_judges_is_reported() -> None:
    rng = random.Random(11)
    entries, judges, conflicts = random_panel(rng, 1000, 40, 0.05)
    blocked = 417
    free = judges[5:7]
    conflicts = {(j, e) for j, e in conflicts if e != blocked}
    conflicts |= {(j, blocked) for j in judges if j not in free}

    result = assign(entries, judges, 3, conflicts)

    assert list(result.unassignable) == [blocked]
    reason = result.unassignable[blocked]
    assert reason.code == REASON_CONFLICTS
    assert (reason.assigned, reason.needed, reason.eligible) == (2, 3, 2)
    assert "only 2 judges without a conflict" in reason.message
    # It still gets the two judges it can have, and everyone else is complete and balanced.
    assert set(result.judges_by_entry[blocked]) == set(free)
    check_valid(result, entries, 3, conflicts)
    low, high = balance_report(result)
    assert high - low <= 1


def test_total_capacity_too_small_is_reported_and_spread() -> None:
    entries = list(range(30))
    judges = ["a", "b", "c", "d"]
    capacity = dict.fromkeys(judges, 10)

    result = assign(entries, judges, 2, set(), capacity=capacity)

    # 60 places needed, 40 available: every judge is full and 20 places stay empty, spread
    # as one missing judge on each of 20 entries rather than 10 entries with none.
    assert result.loads == dict.fromkeys(judges, 10)
    assert len(result.unassignable) == 20
    for entry, reason in result.unassignable.items():
        assert reason.code == REASON_TOTAL_CAPACITY
        assert reason.assigned == 1 == len(result.judges_by_entry[entry])
        assert "not enough total judge capacity: 40 places left for 60 needed" in reason.message
    check_valid(result, entries, 2, set())


def test_capacity_of_the_only_free_judges_used_up_is_reported() -> None:
    entries = [1, 2, 3, 4]
    judges = ["a", "b", "c", "d"]
    # Entries 1-3 may only go to a and b, who take two entries each; c and d have no cap.
    conflicts = {(j, e) for j in ("c", "d") for e in (1, 2, 3)}
    capacity = {"a": 2, "b": 2}

    result = assign(entries, judges, 2, conflicts, capacity=capacity)

    assert result.loads["a"] == result.loads["b"] == 2
    short = result.unassignable
    assert sum(2 - r.assigned for r in short.values()) == 2
    assert set(short) <= {1, 2, 3} and len(short) == 2
    assert all(r.code == REASON_CAPACITY and r.eligible == 2 for r in short.values())
    assert len(result.judges_by_entry[4]) == 2


def test_existing_assignments_are_kept_and_count_towards_k_and_loads() -> None:
    rng = random.Random(3)
    entries, judges, conflicts = random_panel(rng, 200, 10, 0.05)
    existing: dict[int, list[str]] = {}
    for entry in entries[:60]:
        free = [j for j in judges if (j, entry) not in conflicts]
        existing[entry] = rng.sample(free, rng.randint(1, 3))
    # A judge who withdrew after scoring is no longer in the panel but still counts.
    existing[199] = ["withdrawn"]

    result = assign(entries, judges, 3, conflicts, existing)

    assert result.complete
    check_valid(result, entries, 3, conflicts, existing)
    for entry, held in existing.items():
        assert len(result.new.get(entry, ())) == 3 - len(held)
    assert "withdrawn" in result.judges_by_entry[199]
    assert "withdrawn" not in result.loads
    low, high = balance_report(result)
    assert high - low <= 1


def test_heavy_existing_load_is_balanced_by_giving_that_judge_nothing_new() -> None:
    entries = list(range(12))
    judges = ["a", "b", "c"]
    existing = {e: ["a"] for e in range(8)}

    result = assign(entries, judges, 1, set(), existing)

    assert "a" not in {j for js in result.new.values() for j in js}
    assert result.loads == {"a": 8, "b": 2, "c": 2}


def test_entries_already_full_get_nothing_and_capacity_is_respected() -> None:
    entries = list(range(10))
    judges = ["a", "b", "c", "d", "e"]
    existing = {0: ["a", "b", "c"]}
    capacity = {"a": 3, "b": 3}

    result = assign(entries, judges, 2, set(), existing, capacity)

    assert result.complete
    assert 0 not in result.new
    assert result.judges_by_entry[0] == ("a", "b", "c")
    assert result.loads["a"] <= 3 and result.loads["b"] <= 3
    assert sum(result.loads.values()) == 3 + 2 * 9


def test_existing_pair_that_is_a_conflict_is_refused() -> None:
    with pytest.raises(ValueError, match="conflict"):
        assign([1, 2], ["a", "b"], 1, {("a", 1)}, {1: ["a"]})


@pytest.mark.parametrize(
    ("entries", "judges", "k", "capacity"),
    [([1], ["a"], 0, None), ([1, 1], ["a"], 1, None), ([1], ["a", "a"], 1, None),
     ([1], ["a"], 1, {"a": -1})],
)
def test_bad_arguments_are_refused(
    entries: list[int], judges: list[str], k: int, capacity: dict[str, int] | None
) -> None:
    with pytest.raises(ValueError):
        assign(entries, judges, k, set(), capacity=capacity)


def test_no_judges_leaves_every_entry_short_for_conflicts() -> None:
    result = assign([1, 2], [], 2, set())

    assert set(result.unassignable) == {1, 2}
    assert all(r.code == REASON_CONFLICTS and r.eligible == 0 for r in result.unassignable.values())
    assert balance_report(result) == (0, 0)


def test_empty_panel_is_trivially_complete() -> None:
    result = assign([], ["a"], 3, set())

    assert result.complete and result.loads == {"a": 0} and result.new_pairs() == []


def test_new_pairs_lists_what_to_store() -> None:
    result = assign([1, 2], ["a", "b"], 2, set(), {1: ["a"]})

    assert sorted(result.new_pairs()) == [("a", 2), ("b", 1), ("b", 2)]


def test_add_judge_picks_the_least_loaded_eligible_judge() -> None:
    judges = ["a", "b", "c", "d", "e"]
    loads = {"a": 1, "b": 4, "c": 2, "d": 2, "e": 0}
    conflicts = {("e", 9)}

    # a is on the entry already, e has a conflict: c and d tie at 2, c is listed first.
    assert add_judge(9, ["a"], judges, conflicts, loads) == "c"
    assert add_judge(9, ["a"], judges, conflicts, loads, capacity={"c": 2}) == "d"
    # A judge missing from loads counts as having none.
    assert add_judge(9, [], ["b", "z"], set(), loads) == "z"
    assert add_judge(9, ["a", "b"], ["a", "b"], set(), loads) is None
    assert add_judge(9, [], ["e"], conflicts, loads) is None
