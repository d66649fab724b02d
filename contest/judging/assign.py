"""Assigning K judges to every entry of a panel, with balanced loads and no conflicts.

The assignment is a minimum-cost maximum flow (OR-Tools' ``SimpleMinCostFlow``) in this
network:

* source -> judge: one unit arc per further entry the judge may take; the i-th extra entry
  of a judge already at load L costs L + i. The marginal cost rises with the load, so the
  total cost is a strictly convex function of each judge's load and the cheapest flow
  spreads the work as evenly as the conflicts and caps allow (see "Balance" below). A judge
  at their cap has no such arc;
* judge -> entry: capacity 1, cost 0, absent where the judge declared a conflict with the
  entry or already holds it, so an entry's judges are always distinct and never conflicted;
* entry -> sink: one unit arc per missing place; filling the p-th missing place of an entry
  that already has h judges costs h + p. This too is convex, so filling an entry's first
  missing place is cheaper than its later ones and, when places must stay empty, they are
  spread (many entries with K - 1 judges rather than some with none).

``solve_max_flow_with_min_cost`` sends as many units as the network allows, so an
infeasible instance still gets the largest possible assignment, and among the largest
ones the cheapest. The entries left short are named in :attr:`Assignment.unassignable`
with a :class:`Reason`; the remedy is more judges or higher caps, which the reasons point
to. Which of several interchangeable entries is left short is the solver's deterministic
choice.

The two sides never trade off against each other, so neither needs a larger weight: two
maximum flows differ by cycles of the residual network, and a cycle through both the
source and the sink would contain an augmenting path, which a maximum flow has none of.
Each cycle therefore moves load between judges or places between entries, never both, and
with separable convex costs no cycle can lower either side of the cheapest maximum flow: it
is at once the cheapest for the judges and for the entries (the brute-force test checks
both).

Balance: the judges' load vectors over all largest assignments are the integer points of a
base polyhedron (flows in a bipartite network), and minimising a separable strictly convex
cost over such a set gives its "decreasingly minimal" element, which is also increasingly
maximal (Frank and Murota): no largest assignment has a smaller maximum load or a larger
minimum load. So whenever some assignment has loads that differ by at most one, the
returned one does too. The unit tests check this against brute force on small random
instances, and on larger ones check that no exchange of entries along a chain of judges
could lower the cost.

Sub-panels: a preliminary round judged in sub-panels by medium (print, radio, TV ...) is
solved by calling :func:`assign` once per panel, with that panel's entries and judges.
Loads passed in ``existing`` are counted only for entries of the call, so a judge sitting
on two panels is balanced within each; use ``capacity`` to cap their total across panels.

Re-running after new entries, a withdrawn judge or a tie-break: pass the pairs that must
stay in ``existing``; only the missing places are filled.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "REASON_CAPACITY",
    "REASON_CONFLICTS",
    "REASON_TOTAL_CAPACITY",
    "Assignment",
    "Entry",
    "Judge",
    "Reason",
    "add_judge",
    "assign",
    "balance_report",
]

Entry: TypeAlias = Hashable
Judge: TypeAlias = Hashable

# Reason codes: stable identifiers the views translate; the English message is for logs.
REASON_CONFLICTS = "conflicts"
REASON_TOTAL_CAPACITY = "total_capacity"
REASON_CAPACITY = "capacity"


@dataclass(frozen=True)
class Reason:
    """Why an entry could not get K judges.

    ``code`` is one of :data:`REASON_CONFLICTS` (fewer than K judges of the panel are free of
    a conflict with the entry), :data:`REASON_TOTAL_CAPACITY` (the judges' load caps add up
    to fewer places than the panel needs) or :data:`REASON_CAPACITY` (enough places overall,
    but the judges free to take this entry are full with other entries). ``assigned`` is how
    many judges the entry has after assignment, ``needed`` is K and ``eligible`` counts the
    panel's judges without a conflict with the entry (including those already on it).
    """

    code: str
    message: str
    assigned: int
    needed: int
    eligible: int


@dataclass(frozen=True)
class Assignment:
    """The outcome of :func:`assign`.

    ``judges_by_entry`` lists every entry's judges: those from ``existing`` first, in the
    order given, then the newly assigned ones in the order of the ``judges`` argument.
    ``new`` holds only the newly assigned judges per entry (what the caller must store).
    ``loads`` is each panel judge's total number of entries in this panel, existing plus
    new, including judges left with none. ``unassignable`` names the entries that have
    fewer than K judges, with the reason; it is empty when the assignment is complete.
    """

    k: int
    judges_by_entry: dict[Entry, tuple[Judge, ...]]
    new: dict[Entry, tuple[Judge, ...]]
    loads: dict[Judge, int]
    unassignable: dict[Entry, Reason] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """True when every entry has K judges."""
        return not self.unassignable

    def new_pairs(self) -> list[tuple[Judge, Entry]]:
        """The newly assigned (judge, entry) pairs, entry by entry."""
        return [(judge, entry) for entry, judges in self.new.items() for judge in judges]


def assign(
    entries: Sequence[Entry],
    judges: Sequence[Judge],
    k: int,
    conflicts: Collection[tuple[Judge, Entry]],
    existing: Mapping[Entry, Collection[Judge]] | None = None,
    capacity: Mapping[Judge, int] | None = None,
) -> Assignment:
    """Give every entry ``k`` distinct judges of the panel, balancing loads, avoiding conflicts.

    ``entries`` and ``judges`` are the panel (ids of any hashable type, no duplicates);
    ``conflicts`` holds (judge, entry) pairs that must never be assigned; ``existing`` maps
    entries to judges they already have, which are kept and count towards ``k`` and towards
    the judges' loads (a judge missing from ``judges``, e.g. one who withdrew after scoring,
    still counts for the entry but has no load here). ``capacity`` caps a judge's total
    number of entries in this panel, existing ones included; a judge absent from it, or
    every judge when it is None, has no cap.

    Returns the best assignment possible: complete when one exists, otherwise the largest
    one, with the entries left short and the reasons in ``unassignable``.

    Raises ValueError for ``k < 1``, duplicate ids, a negative capacity, or an existing pair
    that is also declared as a conflict (the caller must withdraw that judge first, not have
    it silently kept or dropped).
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    _reject_duplicates(entries, "entry")
    _reject_duplicates(judges, "judge")
    existing = existing or {}
    capacity = capacity or {}
    for judge, cap in capacity.items():
        if cap < 0:
            raise ValueError(f"negative capacity {cap} for judge {judge!r}")
    conflict_set = set(conflicts)

    judge_set = set(judges)
    held: dict[Entry, tuple[Judge, ...]] = {}
    loads: dict[Judge, int] = dict.fromkeys(judges, 0)
    bad_pairs = []
    for entry in entries:
        # dict.fromkeys keeps the caller's order and drops repeats.
        current = tuple(dict.fromkeys(existing.get(entry, ())))
        held[entry] = current
        for judge in current:
            if (judge, entry) in conflict_set:
                bad_pairs.append((judge, entry))
            if judge in judge_set:
                loads[judge] += 1
    if bad_pairs:
        raise ValueError(f"existing assignments conflict with declared conflicts: {bad_pairs!r}")

    need = {entry: max(0, k - len(held[entry])) for entry in entries}
    remaining = {
        judge: (max(0, capacity[judge] - loads[judge]) if judge in capacity else None)
        for judge in judges
    }
    # Arcs a judge could ever use: entries without a conflict that the judge does not hold,
    # and only for a judge with room left.
    candidates: list[list[int]] = [[] for _ in judges]
    open_judges = [(j, judge) for j, judge in enumerate(judges) if remaining[judge] != 0]
    for e, entry in enumerate(entries):
        if not need[entry]:
            continue
        have = set(held[entry])
        for j, judge in open_judges:
            if judge not in have and (judge, entry) not in conflict_set:
                candidates[j].append(e)
    usable = []
    for j, judge in enumerate(judges):
        cap = remaining[judge]
        usable.append(len(candidates[j]) if cap is None else min(cap, len(candidates[j])))

    new_by_index = _solve(
        [need[entry] for entry in entries],
        [min(k, len(held[entry])) for entry in entries],
        [loads[judge] for judge in judges],
        usable,
        candidates,
    )

    new: dict[Entry, tuple[Judge, ...]] = {}
    for e, entry in enumerate(entries):
        got = new_by_index.get(e, [])
        if got:
            # Report new judges in the panel's order, whatever order the solver found them in.
            new[entry] = tuple(judges[j] for j in sorted(got))
            for j in got:
                loads[judges[j]] += 1
    judges_by_entry = {entry: held[entry] + new.get(entry, ()) for entry in entries}

    unassignable = _explain_shortfalls(
        entries, judges, k, conflict_set, judges_by_entry, need, remaining
    )
    return Assignment(
        k=k, judges_by_entry=judges_by_entry, new=new, loads=loads, unassignable=unassignable
    )


def _reject_duplicates(items: Sequence[Hashable], what: str) -> None:
    seen: set[Hashable] = set()
    repeated = []
    for item in items:
        if item in seen:
            repeated.append(item)
        seen.add(item)
    if repeated:
        raise ValueError(f"duplicate {what} ids: {repeated!r}")


def _solve(
    need: Sequence[int],
    held: Sequence[int],
    loads: Sequence[int],
    usable: Sequence[int],
    candidates: Sequence[Sequence[int]],
) -> dict[int, list[int]]:
    """Solve the network of the module docstring; return the new judges (indices) per entry.

    Everything here works on indices: judge j is ``judges[j]``, entry e is ``entries[e]``.
    ``need[e]`` is how many more judges entry e should get, ``held[e]`` how many it has,
    ``loads[j]`` judge j's current load, ``usable[j]`` how many more entries judge j can
    take, ``candidates[j]`` the entries judge j may take.
    """
    import numpy as np
    from ortools.graph.python.min_cost_flow import SimpleMinCostFlow
    n_judges = len(loads)
    if not n_judges or sum(need) == 0:
        return {}
    # Nodes: 0 is the source, 1 the sink, then the judges, then the entries.
    source, sink, first_judge, first_entry = 0, 1, 2, 2 + n_judges

    # source -> judge j: unit arcs costing loads[j] + 1, loads[j] + 2, ...
    judge_nodes, judge_costs = _unit_arcs(first_judge, loads, usable)
    # judge -> entry: capacity 1, cost 0.
    pair_judge = np.repeat(np.arange(n_judges), [len(c) for c in candidates])
    pair_entry = np.fromiter((e for c in candidates for e in c), dtype=np.int64)
    # entry -> sink: unit arcs costing held[e] + 1, held[e] + 2, ... (the count after filling).
    entry_nodes, entry_costs = _unit_arcs(first_entry, held, need)

    tails = np.concatenate(
        [np.full(len(judge_nodes), source), first_judge + pair_judge, entry_nodes]
    )
    heads = np.concatenate(
        [judge_nodes, first_entry + pair_entry, np.full(len(entry_nodes), sink)]
    )
    costs = np.concatenate([judge_costs, np.zeros(len(pair_judge), np.int64), entry_costs])

    flow = SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), np.ones(len(tails), np.int64), costs
    )
    total = int(sum(need))
    flow.set_nodes_supplies(
        np.array([source, sink], np.int32), np.array([total, -total], np.int64)
    )
    status = flow.solve_max_flow_with_min_cost()
    if status != SimpleMinCostFlow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status!r}")

    pair_arcs = arcs[len(judge_nodes) : len(judge_nodes) + len(pair_judge)]
    used = np.flatnonzero(flow.flows(pair_arcs))
    result: dict[int, list[int]] = {}
    for j, e in zip(pair_judge[used].tolist(), pair_entry[used].tolist(), strict=True):
        result.setdefault(e, []).append(j)
    return result


def _unit_arcs(
    first_node: int, start: Sequence[int], count: Sequence[int]
) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and costs of ``count[i]`` unit arcs at node ``first_node + i``, the t-th of which
    costs ``start[i] + t``: an increasing marginal cost, i.e. a convex cost of the flow."""
    import numpy as np
    counts = np.asarray(count, dtype=np.int64)
    nodes = np.repeat(first_node + np.arange(len(counts)), counts)
    # Position of each arc within its node's run: 0, 1, ..., count - 1.
    offsets = np.repeat(np.cumsum(counts) - counts, counts)
    steps = np.arange(len(nodes)) - offsets + 1
    costs = np.repeat(np.asarray(start, dtype=np.int64), counts) + steps
    return nodes, costs


def _explain_shortfalls(
    entries: Sequence[Entry],
    judges: Sequence[Judge],
    k: int,
    conflict_set: set[tuple[Judge, Entry]],
    judges_by_entry: Mapping[Entry, tuple[Judge, ...]],
    need: Mapping[Entry, int],
    remaining: Mapping[Judge, int | None],
) -> dict[Entry, Reason]:
    """Name every entry left with fewer than K judges and say why, most specific cause first."""
    short = [entry for entry in entries if len(judges_by_entry[entry]) < k]
    if not short:
        return {}
    total_need = sum(need.values())
    caps = [r for r in remaining.values() if r is not None]
    # With any uncapped judge the panel's places are unlimited.
    places = sum(caps) if len(caps) == len(remaining) else None
    judge_set = set(judges)
    reasons: dict[Entry, Reason] = {}
    for entry in short:
        current = judges_by_entry[entry]
        # Judges outside the panel (withdrawn after scoring) still count for the entry.
        outside = sum(1 for judge in current if judge not in judge_set)
        free = sum(1 for judge in judges if (judge, entry) not in conflict_set) + outside
        assigned = len(current)
        if free < k:
            code = REASON_CONFLICTS
            message = f"only {free} judges without a conflict; {k} needed"
        elif places is not None and places < total_need:
            code = REASON_TOTAL_CAPACITY
            message = (
                f"not enough total judge capacity: {places} places left for "
                f"{total_need} needed"
            )
        else:
            code = REASON_CAPACITY
            message = (
                f"the {free} judges without a conflict are at their load cap with other "
                f"entries; {assigned} of {k} assigned"
            )
        reasons[entry] = Reason(
            code=code, message=message, assigned=assigned, needed=k, eligible=free
        )
    return reasons


def balance_report(assignment: Assignment) -> tuple[int, int]:
    """Return (smallest, largest) total load over the panel's judges; (0, 0) with no judges."""
    if not assignment.loads:
        return (0, 0)
    values = assignment.loads.values()
    return (min(values), max(values))


def add_judge(
    entry: Entry,
    current_judges: Collection[Judge],
    judges: Sequence[Judge],
    conflicts: Collection[tuple[Judge, Entry]],
    loads: Mapping[Judge, int],
    capacity: Mapping[Judge, int] | None = None,
) -> Judge | None:
    """Pick one more judge for ``entry``, e.g. a tie-break judge on a flagged entry.

    Returns the least-loaded judge of ``judges`` who is not already on the entry, has no
    conflict with it and (when ``capacity`` caps them) is below their cap; equal loads go
    to the judge listed first in ``judges``, so the choice is reproducible. A judge missing
    from ``loads`` counts as having none. Returns None when no judge qualifies.
    """
    on_entry = set(current_judges)
    conflict_set = conflicts if isinstance(conflicts, set | frozenset) else set(conflicts)
    capacity = capacity or {}
    best: Judge | None = None
    best_load = 0
    for judge in judges:
        if judge in on_entry or (judge, entry) in conflict_set:
            continue
        load = loads.get(judge, 0)
        if judge in capacity and load >= capacity[judge]:
            continue
        if best is None or load < best_load:
            best, best_load = judge, load
    return best
