"""Reviewer assignment (pure): N distinct evaluators per application, loads balanced, expertise preferred."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

# Tiebreaks are drawn once with this many bits and shifted down when the cost range must shrink,
# so one seed gives one plan however many rounds the solve takes.
_RAW_TIEBREAK_BITS = 20
_MAX_TIEBREAK_BITS = 12
# ortools multiplies costs by (nodes + 1) and node potentials can reach about nodes times that;
# keeping max_cost * 8 * (nodes + 1)^2 under int64 leaves room for both.
_INT64_LIMIT = 2**63 - 1
_SHORTFALLS_IN_MESSAGE = 10


@dataclass(frozen=True)
class Candidate:
    id: int
    expertise: frozenset[str] = frozenset()
    load: int = 0  # assignments already held in this stage: kept, and counted for balance


@dataclass(frozen=True)
class Item:
    id: int
    tags: frozenset[str] = frozenset()  # overlap with a candidate's expertise is a match
    needed: int = 5  # how many more evaluators it needs (N minus kept assignments)


@dataclass(frozen=True)
class Pair:
    item_id: int
    candidate_id: int
    matched: bool


@dataclass(frozen=True)
class Shortfall:
    item_id: int
    needed: int
    available: int  # candidates not excluded for it


@dataclass
class AssignmentPlan:
    pairs: list[Pair]
    loads: dict[int, int]  # candidate id -> kept + new
    spread: int
    balanced: bool
    matched_share: float
    seed: int


class InfeasibleAssignment(Exception):
    """Carries a report instead of a partial plan."""

    def __init__(self, shortfalls: list[Shortfall], message: str):
        super().__init__(message)
        self.shortfalls = shortfalls
        self.message = message


def load_spread(loads: Mapping[int, int]) -> int:
    """Return max(load) - min(load), 0 for no candidates."""
    return max(loads.values()) - min(loads.values()) if loads else 0


@dataclass
class _Graph:
    item_ids: np.ndarray  # items that need evaluators, in input order
    needed: np.ndarray
    candidate_ids: np.ndarray
    kept: np.ndarray
    edge_item: np.ndarray  # index into item_ids
    edge_candidate: np.ndarray  # index into candidate_ids
    matched: np.ndarray
    raw_tiebreak: np.ndarray

    @property
    def capacity(self) -> np.ndarray:
        """Edges per candidate: no candidate can take more new units than this."""
        return np.bincount(self.edge_candidate, minlength=len(self.candidate_ids)).astype(np.int64)


def plan_assignment(
    items: Sequence[Item],
    candidates: Sequence[Candidate],
    *,
    excluded: Collection[tuple[int, int]],
    seed: int,
    progress: Callable[[float], None] | None = None,
) -> AssignmentPlan:
    """Give every item exactly `needed` new distinct candidates, none of them excluded.

    `excluded` holds (item_id, candidate_id) pairs never to assign: conflicts of interest and
    pairs that already exist, so a re-run never repeats an evaluator. Raises InfeasibleAssignment
    with a report when some item cannot be filled; never returns a partial plan.

    Priorities, strictly in this order: (1) the total loads (kept + new) are as even as the
    exclusions and kept loads allow — max - min <= 1 whenever that is possible, otherwise the
    decreasingly-minimal load vector, which also has the smallest spread; (2) as many expertise
    matches as possible; (3) among equals, a random choice from `seed`. The same inputs and seed
    give the same plan, so the caller records the seed with the plan to reproduce or audit it.
    """
    report = progress or (lambda _fraction: None)
    _check_unique(items, candidates)
    graph = _build_graph(items, candidates, excluded, seed)
    report(0.1)
    candidate_ids = [c.id for c in candidates]
    kept = {c.id: c.load for c in candidates}
    if len(graph.item_ids) == 0:
        report(1.0)
        return _plan([], kept, seed)

    low, high = _initial_band(graph)
    report(0.5)
    chosen = _solve_band(graph, low, high)
    too_low, too_high = _misplaced(graph, chosen, low, high)
    while len(too_low) or len(too_high):
        low, high = _widen(low, high, too_low, too_high)
        report(0.7)
        chosen = _solve_band(graph, low, high)
        too_low, too_high = _misplaced(graph, chosen, low, high)

    item_index = graph.edge_item[chosen]
    candidate_index = graph.edge_candidate[chosen]
    pairs = [
        Pair(int(i), int(c), bool(m))
        for i, c, m in zip(
            graph.item_ids[item_index].tolist(),
            graph.candidate_ids[candidate_index].tolist(),
            graph.matched[chosen].tolist(),
            strict=True,
        )
    ]
    new = np.bincount(candidate_index, minlength=len(candidate_ids))
    loads = {cid: kept[cid] + int(n) for cid, n in zip(candidate_ids, new.tolist(), strict=True)}
    report(1.0)
    return _plan(pairs, loads, seed)


def _plan(pairs: list[Pair], loads: dict[int, int], seed: int) -> AssignmentPlan:
    spread = load_spread(loads)
    share = sum(p.matched for p in pairs) / len(pairs) if pairs else 1.0
    return AssignmentPlan(pairs=pairs, loads=loads, spread=spread, balanced=spread <= 1, matched_share=share, seed=seed)


def _check_unique(items: Sequence[Item], candidates: Sequence[Candidate]) -> None:
    if len({i.id for i in items}) != len(items):
        raise ValueError("Item ids must be unique.")
    if len({c.id for c in candidates}) != len(candidates):
        raise ValueError("Candidate ids must be unique.")
    if any(c.load < 0 for c in candidates):
        raise ValueError("A candidate's load cannot be negative.")


def _build_graph(
    items: Sequence[Item], candidates: Sequence[Candidate], excluded: Collection[tuple[int, int]], seed: int
) -> _Graph:
    """Lay out the allowed (item, candidate) edges; raise InfeasibleAssignment for short items."""
    active = [i for i in items if i.needed > 0]
    item_ids = np.array([i.id for i in active], dtype=np.int64)
    needed = np.array([i.needed for i in active], dtype=np.int64)
    candidate_ids = np.array([c.id for c in candidates], dtype=np.int64)
    kept = np.array([c.load for c in candidates], dtype=np.int64)

    allowed = np.ones((len(active), len(candidates)), dtype=bool)
    row_of = {item_id: row for row, item_id in enumerate(item_ids.tolist())}
    column_of = {candidate_id: column for column, candidate_id in enumerate(candidate_ids.tolist())}
    # Exclusions about other items or other panels do not matter here.
    cells = [
        (row_of[item_id], column_of[candidate_id])
        for item_id, candidate_id in excluded
        if item_id in row_of and candidate_id in column_of
    ]
    if cells:
        rows, columns = zip(*cells, strict=True)
        allowed[list(rows), list(columns)] = False

    available = allowed.sum(axis=1)
    short = np.nonzero(available < needed)[0]
    if len(short):
        shortfalls = [Shortfall(int(item_ids[i]), int(needed[i]), int(available[i])) for i in short]
        raise InfeasibleAssignment(shortfalls, _shortfall_message(shortfalls))

    edge_item, edge_candidate = np.nonzero(allowed)
    matched = _expertise_matches(active, candidates)[edge_item, edge_candidate]
    rng = np.random.default_rng(seed % 2**64)  # numpy takes only non-negative seeds
    raw_tiebreak = rng.integers(0, 1 << _RAW_TIEBREAK_BITS, size=len(edge_item), dtype=np.int64)
    return _Graph(item_ids, needed, candidate_ids, kept, edge_item, edge_candidate, matched, raw_tiebreak)


def _expertise_matches(items: Sequence[Item], candidates: Sequence[Candidate]) -> np.ndarray:
    vocabulary = {tag: n for n, tag in enumerate(sorted({t for c in candidates for t in c.expertise}))}
    item_tags = np.zeros((len(items), len(vocabulary)), dtype=np.float32)
    for row, item in enumerate(items):
        item_tags[row, [vocabulary[t] for t in item.tags if t in vocabulary]] = 1
    expertise = np.zeros((len(candidates), len(vocabulary)), dtype=np.float32)
    for row, candidate in enumerate(candidates):
        expertise[row, [vocabulary[t] for t in candidate.expertise]] = 1
    return (item_tags @ expertise.T) > 0


def _shortfall_message(shortfalls: list[Shortfall]) -> str:
    details = "; ".join(
        f"application {s.item_id} needs {s.needed} more but only {s.available} evaluators are free of "
        "conflicts and earlier assignments"
        for s in shortfalls[:_SHORTFALLS_IN_MESSAGE]
    )
    more = len(shortfalls) - _SHORTFALLS_IN_MESSAGE
    tail = f"; and {more} more" if more > 0 else ""
    noun = "application cannot" if len(shortfalls) == 1 else "applications cannot"
    return f"{len(shortfalls)} {noun} get enough evaluators: {details}{tail}."


def _initial_band(graph: _Graph) -> tuple[int, int]:
    """The balanced levels: everyone at the floor f, some at f + 1; f + 2 is where overload starts.

    f is the water level of the new reviews poured over the kept loads, so an evaluator who already
    holds more than the rest does not lift the floor (and the first solve is usually the last).
    """
    demand, kept = int(graph.needed.sum()), graph.kept
    low, high = int(kept.min()), int(kept.max()) + demand
    while low < high:  # the highest level f with sum(max(0, f - kept)) <= demand
        level = (low + high + 1) // 2
        if int(np.clip(level - kept, 0, None).sum()) <= demand:
            low = level
        else:
            high = level - 1
    return low, low + 2


def _weights(cycle_edges: int, band: int, nodes: int) -> tuple[int, int, int]:
    """Pick (tiebreak bits, mismatch cost, tier step) so each priority strictly dominates the next.

    A simple residual cycle has at most `cycle_edges` item-candidate arcs, so a level of cost that
    exceeds `cycle_edges` times the largest cost below it can never be traded for those below.
    The tiebreak range shrinks (down to none) when a wide band would overflow int64.
    """
    for bits in range(_MAX_TIEBREAK_BITS, -1, -1):
        tiebreak_max = (1 << bits) - 1
        mismatch = cycle_edges * tiebreak_max + 1
        edge_max = mismatch + tiebreak_max
        tier = cycle_edges * edge_max + 1
        if max(tier * band, edge_max) * 8 * (nodes + 1) ** 2 < _INT64_LIMIT:
            return bits, mismatch, tier
    raise ValueError("The assignment is too large to solve exactly; split the panel.")


def _solve_band(graph: _Graph, low: int, high: int) -> np.ndarray:
    """Solve the min-cost flow for one band; return a mask of the chosen edges.

    Sink arcs per candidate, by the total load level they bring it to: levels <= low cost 0,
    each level between costs tier * (level - low), levels >= high cost tier * (high - low).
    Inside [low, high] that is a strictly convex (quadratic) load cost, whose minimum is the most
    even load vector; `_misplaced` checks that the flat ends did not matter.
    """
    n, m = len(graph.item_ids), len(graph.candidate_ids)
    sink = n + m
    cycle_edges = 2 * min(n, m) + 2
    bits, mismatch, tier = _weights(cycle_edges, high - low, sink + 1)
    shift = _RAW_TIEBREAK_BITS - bits

    solver = min_cost_flow.SimpleMinCostFlow()
    edge_costs = np.where(graph.matched, 0, mismatch) + (graph.raw_tiebreak >> shift)
    edge_arcs = solver.add_arcs_with_capacity_and_unit_cost(
        graph.edge_item.astype(np.int32),
        (graph.edge_candidate + n).astype(np.int32),
        np.ones(len(edge_costs), dtype=np.int64),
        edge_costs.astype(np.int64),
    )

    kept, first = graph.kept, graph.kept + 1
    last = graph.kept + graph.capacity
    nodes = np.arange(n, n + m, dtype=np.int32)
    tails, capacities, costs = [], [], []

    def add(mask: np.ndarray, capacity: np.ndarray | int, cost: int) -> None:
        tails.append(nodes[mask])
        capacities.append(np.broadcast_to(np.asarray(capacity, dtype=np.int64), (m,))[mask])
        costs.append(np.full(int(mask.sum()), cost, dtype=np.int64))

    low_capacity = np.clip(np.minimum(low, last) - kept, 0, None)
    add(low_capacity > 0, low_capacity, 0)
    for level in range(low + 1, high):
        add((first <= level) & (level <= last), 1, tier * (level - low))
    top_capacity = np.clip(last - np.maximum(first, high) + 1, 0, None)
    add(top_capacity > 0, top_capacity, tier * (high - low))
    sink_tails = np.concatenate(tails)
    solver.add_arcs_with_capacity_and_unit_cost(
        sink_tails,
        np.full(len(sink_tails), sink, dtype=np.int32),
        np.concatenate(capacities),
        np.concatenate(costs),
    )

    supplies = np.concatenate([graph.needed, np.zeros(m, dtype=np.int64), [-int(graph.needed.sum())]])
    solver.set_nodes_supplies(np.arange(sink + 1, dtype=np.int32), supplies.astype(np.int64))
    status = solver.solve()
    if status == min_cost_flow.SimpleMinCostFlow.INFEASIBLE:
        _raise_unrouted(graph)
    if status != min_cost_flow.SimpleMinCostFlow.OPTIMAL:
        raise RuntimeError(f"The assignment solver failed: {status.name}.")
    return np.asarray(solver.flows(edge_arcs)) > 0


def _misplaced(graph: _Graph, chosen: np.ndarray, low: int, high: int) -> tuple[np.ndarray, np.ndarray]:
    """Loads left below the band though they could rise, and above it though they could fall.

    With none, every load sits where the banded cost and the true quadratic one agree up to a
    constant, so the plan is as even as the quadratic cost makes it (and every equally even plan
    competed on matches). A candidate whose load cannot move does not count.
    """
    new = np.bincount(graph.edge_candidate[chosen], minlength=len(graph.candidate_ids))
    loads = graph.kept + new
    too_low = (loads < low) & (new < graph.capacity)
    too_high = (loads > high) & (new > 0)
    return loads[too_low], loads[too_high]


def _widen(low: int, high: int, too_low: np.ndarray, too_high: np.ndarray) -> tuple[int, int]:
    """A band at least twice as wide that holds the misplaced loads."""
    width = high - low
    if len(too_low):
        low = min(low - width, int(too_low.min()))
    if len(too_high):
        high = max(high + width, int(too_high.max()))
    return max(low, 0), high


def _raise_unrouted(graph: _Graph) -> None:
    """Report the items a max flow cannot fill (unreachable while candidates have no upper limit)."""
    n, m = len(graph.item_ids), len(graph.candidate_ids)
    source, sink = n + m, n + m + 1
    solver = max_flow.SimpleMaxFlow()
    item_arcs = solver.add_arcs_with_capacity(
        np.full(n, source, dtype=np.int32), np.arange(n, dtype=np.int32), graph.needed.astype(np.int64)
    )
    solver.add_arcs_with_capacity(
        graph.edge_item.astype(np.int32),
        (graph.edge_candidate + n).astype(np.int32),
        np.ones(len(graph.edge_item), dtype=np.int64),
    )
    solver.add_arcs_with_capacity(np.arange(n, n + m, dtype=np.int32), np.full(m, sink, dtype=np.int32), graph.capacity)
    solver.solve(source, sink)
    filled = np.asarray(solver.flows(item_arcs))
    available = np.bincount(graph.edge_item, minlength=n)
    shortfalls = [
        Shortfall(int(graph.item_ids[i]), int(graph.needed[i]), int(available[i]))
        for i in np.nonzero(filled < graph.needed)[0]
    ]
    raise InfeasibleAssignment(
        shortfalls,
        f"Each application has enough evaluators on its own, but together they cannot all be served: "
        f"{len(shortfalls)} could not be filled ({int(filled.sum())} of {int(graph.needed.sum())} places).",
    )
