"""Assigning K judges to every entry of a panel, with balanced loads and no conflicts.

The assignment is a minimum-cost flow in this network:

* source -> judge: one unit arc per further entry the judge may take, costing the judge's
  total load after taking it (L0 + 1, L0 + 2, ... where L0 is the load the judge already
  has). The marginal cost rises with the load, so the total cost is a strictly convex
  function of each judge's load and the cheapest flow spreads the work as evenly as the
  conflicts and caps allow (see "Balance" below);
* judge -> entry: capacity 1, cost 0, absent where the judge declared a conflict with the
  entry or already holds it, so an entry's judges are always distinct and never conflicted;
* entry -> sink: capacity K minus the judges the entry already has.

A flow of K x (number of entries) gives every entry K distinct judges. When no such flow
exists the network also has, for every entry, "shortfall" arcs from the source straight to
the entry whose costs are larger than any real arc's, so the solver still returns the
largest possible real assignment (it leaves a place empty only when no flow can fill it)
and the entries left short are named in :attr:`Assignment.unassignable` with a
:class:`Reason`. An entry's second empty place costs more than its first, so missing places
are spread (many entries with K - 1 judges rather than some with none). Which of several
interchangeable entries is left short is the solver's deterministic choice; the remedy is
more judges or higher caps, which the reasons point to.

Balance: the judges' load vectors over all largest assignments are the integer points of a
base polyhedron (flows in a bipartite network), and minimising a separable strictly convex
cost over such a set gives its "decreasingly minimal" element, which is also increasingly
maximal (Frank and Murota): no largest assignment has a smaller maximum load or a larger
minimum load. So whenever some assignment has loads that differ by at most one, the
returned one does too. The unit tests check this against brute force on small random
instances and on random panels of 1,000 entries.

How it is solved: networkx's network simplex needs tens of seconds on 1,000 entries x 40
judges (about 40,000 judge -> entry arcs, and gunicorn gives a request 30 s), so
:func:`assign` tries two exact shortcuts first and uses the simplex only when both decline:

1. Ignoring conflicts, the cheapest loads are known in closed form (fill every judge up to a
   common level, respecting existing loads and caps; likewise spread any empty places over
   entries). If one max-flow computation with lower bounds (networkx preflow-push) can
   realise a flow within those bounds, that flow costs the least any flow could: it is a
   minimum-cost flow of the full network. This is the usual case (well under a second).
2. When conflicts force uneven loads (entries only a few judges may take), successive
   shortest augmenting paths, specialised to this network where only the source arcs cost
   anything, fill one place at a time (about a second and a half at the size above).
3. When some places cannot be filled and not for the simple reasons handled in 1 (caps run
   out unevenly), the network simplex decides which entries go short: exact, fast on
   panels of a few hundred entries, slow on the largest.

The unit tests check that every path reaches the network simplex's cost.

Sub-panels: a preliminary round judged in sub-panels by medium (print, radio, TV ...) is
solved by calling :func:`assign` once per panel, with that panel's entries and judges.
Loads passed in ``existing`` are counted only for entries of the call, so a judge sitting
on two panels is balanced within each; use ``capacity`` to cap their total across panels.

Re-running after new entries, a withdrawn judge or a tie-break: pass the pairs that must
stay in ``existing``; only the missing places are filled.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

import networkx as nx
from networkx.algorithms.flow import preflow_push

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
    reachable = [0] * len(entries)
    for e, entry in enumerate(entries):
        if not need[entry]:
            continue
        have = set(held[entry])
        for j, judge in open_judges:
            if judge not in have and (judge, entry) not in conflict_set:
                candidates[j].append(e)
                reachable[e] += 1
    usable = []
    for j, judge in enumerate(judges):
        cap = remaining[judge]
        usable.append(len(candidates[j]) if cap is None else min(cap, len(candidates[j])))
    # An entry can never receive more judges than it has arcs from, so lowering its demand to
    # that number changes neither the best flow nor its cost, and lets the fast path below
    # work on instances where a heavily conflicted entry cannot be filled.
    places = [min(need[entry], reachable[e]) for e, entry in enumerate(entries)]

    new_by_index = _solve(
        k,
        places,
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
    k: int,
    need: Sequence[int],
    held: Sequence[int],
    loads: Sequence[int],
    usable: Sequence[int],
    candidates: Sequence[Sequence[int]],
) -> dict[int, list[int]]:
    """Find a minimum-cost flow; return the new judges (indices) per entry index.

    Everything here works on indices: judge j is ``judges[j]``, entry e is ``entries[e]``.
    ``need[e]`` is how many more judges entry e can get (already capped at the judges it has
    arcs from), ``held[e]`` how many it has, ``loads[j]`` judge j's current load,
    ``usable[j]`` how many more entries judge j can take, ``candidates[j]`` the entries
    judge j may take.
    """
    if not loads or sum(need) == 0:
        return {}
    found = _solve_by_max_flow(need, held, loads, usable, candidates)
    if found is None:
        found = _solve_by_shortest_paths(need, loads, usable, candidates)
    if found is None:
        found = _solve_by_network_simplex(k, need, held, loads, usable, candidates)
    return found


def _water_levels(
    total: int, floors: Sequence[int], room: Sequence[int]
) -> tuple[list[int], list[int]]:
    """Bounds (low, high) on the units each item gets in the cheapest spread of ``total``.

    Item i already stands at ``floors[i]`` and can take up to ``room[i]`` more units; each
    further unit costs the level it brings the item to (judges: the load; entries, for
    places left empty: the missing count, which is the same thing seen from the top). The
    cheapest way to hand out ``total`` units is then to fill items up to a common level:
    with the smallest level L that fits, every item ends at L or L - 1, or at its room, or
    where it stood if that was above L. Any split inside these bounds that adds up to
    ``total`` has the same, least, cost.
    """
    def spread(level: int) -> list[int]:
        return [min(max(level - floor, 0), cap) for floor, cap in zip(floors, room, strict=True)]

    low_level = 0
    high_level = max((floor + cap for floor, cap in zip(floors, room, strict=True)), default=0)
    while low_level < high_level:
        mid = (low_level + high_level) // 2
        if sum(spread(mid)) >= total:
            high_level = mid
        else:
            low_level = mid + 1
    return spread(low_level - 1), spread(low_level)


def _solve_by_max_flow(
    need: Sequence[int],
    held: Sequence[int],
    loads: Sequence[int],
    usable: Sequence[int],
    candidates: Sequence[Sequence[int]],
) -> dict[int, list[int]] | None:
    """Realise the conflict-free optimum with one max flow, or return None if it cannot be.

    Without conflicts the network's cost separates into the judges' side and the entries'
    side, and each is cheapest at the bounds of :func:`_water_levels` for a flow of value
    ``target`` (the most the needs and the caps allow). A flow of that value inside both
    sets of bounds therefore costs the least any flow could: it is a minimum-cost flow of
    the real network. Finding one is a flow with lower bounds, reduced in the textbook way
    to a single max flow from a super source to a super sink: it exists exactly when that
    max flow saturates the super source. About a second on 1,000 entries x 40 judges, where
    the network simplex takes tens of seconds, so it is tried first.
    """
    n_judges = len(loads)
    target = min(sum(need), sum(usable))
    judge_low, judge_high = _water_levels(target, loads, usable)
    entry_low, entry_high = _water_levels(target, held, need)
    # Node names: judges 0..n_judges-1, entry e is n_judges + e; the rest are negative.
    source, sink, super_source, super_sink = -1, -2, -3, -4
    base = n_judges

    graph = nx.DiGraph()
    graph.add_nodes_from((super_source, super_sink))
    # Arc source -> judge j carries between judge_low[j] and judge_high[j]: its lower bound
    # becomes a supply at j and a demand at the source, its capacity the difference. Same
    # for entry -> sink, and for the sink -> source return arc fixed at exactly ``target``.
    if target > sum(judge_low):
        graph.add_edge(super_source, source, capacity=target - sum(judge_low))
    if target > sum(entry_low):
        graph.add_edge(sink, super_sink, capacity=target - sum(entry_low))
    for j in range(n_judges):
        if judge_low[j]:
            graph.add_edge(super_source, j, capacity=judge_low[j])
        if judge_high[j] > judge_low[j]:
            graph.add_edge(source, j, capacity=judge_high[j] - judge_low[j])
        graph.add_edges_from(((j, base + e) for e in candidates[j]), capacity=1)
    for e in range(len(need)):
        if entry_low[e]:
            graph.add_edge(base + e, super_sink, capacity=entry_low[e])
        if entry_high[e] > entry_low[e]:
            graph.add_edge(base + e, sink, capacity=entry_high[e] - entry_low[e])
    value, flow = nx.maximum_flow(graph, super_source, super_sink, flow_func=preflow_push)
    if value < target:
        return None
    result: dict[int, list[int]] = {}
    for j in range(n_judges):
        for node, units in flow.get(j, {}).items():
            if units:
                result.setdefault(node - base, []).append(j)
    return result


def _solve_by_shortest_paths(
    need: Sequence[int],
    loads: Sequence[int],
    usable: Sequence[int],
    candidates: Sequence[Sequence[int]],
) -> dict[int, list[int]] | None:
    """Successive shortest paths, one place at a time; None as soon as a place cannot be filled.

    Used when conflicts make the even spread impossible but every place can still be filled.
    Places are added one by one; the flow so far is a minimum-cost flow for the places added,
    and the cheapest way to fill the next place of entry e is the cheapest augmenting path
    ending at e. Judge -> entry arcs cost nothing, so that path costs (load + 1) of the judge
    it starts from: the least-loaded judge that can reach e through a chain of hand-overs
    (j takes e1 from j2, j2 takes e2 from j3, ..., the last one takes e). A breadth-first
    search backwards from e finds it, stopping early at a judge as lightly loaded as any.
    Augmenting along a shortest path keeps the flow minimum-cost, so the result is exact.
    When some place cannot be reached at all, which entries should go short is a question
    of cost too, and the network simplex answers it instead.
    """
    n_judges = len(loads)
    load = list(loads)
    room = list(usable)
    eligible: list[list[int]] = [[] for _ in need]
    for j, entries in enumerate(candidates):
        for e in entries:
            eligible[e].append(j)
    holds: list[set[int]] = [set() for _ in range(n_judges)]  # new entries per judge
    on: list[set[int]] = [set() for _ in need]  # new judges per entry
    for e, places in enumerate(need):
        for _ in range(places):
            open_loads = [load[j] for j in range(n_judges) if room[j] > 0]
            if not open_loads:
                return None
            floor = min(open_loads)
            # takes[j]: the entry judge j would take; gives[e1]: the judge giving e1 up.
            takes: dict[int, int] = {}
            gives: dict[int, int] = {}
            queue: deque[int] = deque()
            for j in eligible[e]:
                if j not in on[e]:
                    takes[j] = e
                    queue.append(j)
            seen = {e}
            best: int | None = None
            while queue:
                j = queue.popleft()
                if room[j] > 0 and (best is None or load[j] < load[best]):
                    best = j
                    if load[j] == floor:
                        break
                for e1 in holds[j]:
                    if e1 in seen:
                        continue
                    seen.add(e1)
                    gives[e1] = j
                    for j2 in eligible[e1]:
                        if j2 not in on[e1] and j2 not in takes:
                            takes[j2] = e1
                            queue.append(j2)
            if best is None:
                return None
            load[best] += 1
            room[best] -= 1
            j = best
            while True:
                e1 = takes[j]
                holds[j].add(e1)
                on[e1].add(j)
                if e1 == e:
                    break
                giver = gives[e1]
                holds[giver].discard(e1)
                on[e1].discard(giver)
                j = giver
    return {e: sorted(judges) for e, judges in enumerate(on) if judges}


def _solve_by_network_simplex(
    k: int,
    need: Sequence[int],
    held: Sequence[int],
    loads: Sequence[int],
    usable: Sequence[int],
    candidates: Sequence[Sequence[int]],
) -> dict[int, list[int]]:
    """Solve the full min-cost flow with networkx's network simplex (exact, slower).

    Used when conflicts or caps make the even spread impossible. One unit arc per possible
    extra entry would cost judges x entries arcs, so each judge gets unit arcs only up to a
    target load ``top`` plus one "overflow" arc for the rest, priced at the true cost of its
    first unit. That cost never exceeds the true cost of any flow, and equals it whenever no
    overflow arc carries two units or more; in that case the relaxed optimum is the true
    optimum. Otherwise ``top`` doubles and the flow is solved again.
    """
    top = math.ceil((sum(loads) + sum(need)) / len(loads)) + 1
    while True:
        graph, overflow_arcs = _network(k, need, held, loads, usable, candidates, top)
        _, flow = nx.network_simplex(graph)
        if all(flow[_SOURCE][node][key] <= 1 for node, key in overflow_arcs):
            break
        top *= 2

    result: dict[int, list[int]] = {}
    for j in range(len(loads)):
        for (_, e), units in flow[("j", j)].items():
            if units[0]:
                result.setdefault(e, []).append(j)
    return result


_SOURCE = ("source",)
_SINK = ("sink",)


def _network(
    k: int,
    need: Sequence[int],
    held: Sequence[int],
    loads: Sequence[int],
    usable: Sequence[int],
    candidates: Sequence[Sequence[int]],
    top: int,
) -> tuple[nx.MultiDiGraph, list[tuple[tuple[str, int], int]]]:
    """Build the min-cost flow network described in the module docstring."""
    graph = nx.MultiDiGraph()
    total_need = sum(need)
    graph.add_node(_SOURCE, demand=-total_need)
    graph.add_node(_SINK, demand=total_need)
    overflow_arcs = []
    most_expensive = 0
    for j, start in enumerate(loads):
        node = ("j", j)
        graph.add_node(node)
        slots = max(0, min(usable[j], top - start))
        for step in range(1, slots + 1):
            graph.add_edge(_SOURCE, node, capacity=1, weight=start + step)
        rest = usable[j] - slots
        if rest > 0:
            cost = start + slots + 1
            key = graph.add_edge(_SOURCE, node, capacity=rest, weight=cost)
            overflow_arcs.append((node, key))
            most_expensive = max(most_expensive, cost)
        elif slots:
            most_expensive = max(most_expensive, start + slots)
        for e in candidates[j]:
            graph.add_edge(node, ("e", e), capacity=1, weight=0)
    # A place left empty costs more than any path of real arcs from the source (at most one
    # source arc's cost), so the solver leaves a place empty only when no flow can fill it.
    # An entry's second empty place costs more than its first, so when places must stay
    # empty they are spread over entries (the one with the fewest judges is filled first)
    # instead of leaving some entries with no judge at all. Places no judge can ever fill
    # (``need`` was lowered for them) are counted first, as in :func:`_solve_by_max_flow`.
    for e, places in enumerate(need):
        if places:
            node = ("e", e)
            graph.add_edge(node, _SINK, capacity=places, weight=0)
            forced = max(0, k - held[e] - places)
            for missing in range(forced + 1, forced + places + 1):
                graph.add_edge(_SOURCE, node, capacity=1, weight=most_expensive + missing)
    return graph, overflow_arcs


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
