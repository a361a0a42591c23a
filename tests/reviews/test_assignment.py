"""Reviewer assignment: hand-worked cases, and properties checked against independent solvers."""

from __future__ import annotations

import itertools
import random
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.graph.python import max_flow

from nup.reviews.assignment import (
    AssignmentPlan,
    Candidate,
    InfeasibleAssignment,
    Item,
    Shortfall,
    load_spread,
    plan_assignment,
)

TAGS = ["physical_ai_robotics", "bio", "energy", "mobility"]


def panel(count: int, *, first_id: int = 100, expertise: frozenset[str] = frozenset()) -> list[Candidate]:
    return [Candidate(first_id + j, expertise) for j in range(count)]


def assigned(plan: AssignmentPlan) -> dict[int, list[int]]:
    by_item: dict[int, list[int]] = {}
    for pair in plan.pairs:
        by_item.setdefault(pair.item_id, []).append(pair.candidate_id)
    return by_item


# Hand-worked cases


def test_three_applications_five_evaluators_spreads_nine_reviews_evenly():
    items = [Item(i, needed=3) for i in (1, 2, 3)]
    plan = plan_assignment(items, panel(5), excluded=set(), seed=1)
    by_item = assigned(plan)
    assert sorted(by_item) == [1, 2, 3]
    assert all(len(set(chosen)) == 3 for chosen in by_item.values())
    assert sorted(plan.loads.values()) == [1, 2, 2, 2, 2]
    assert plan.spread == 1 and plan.balanced
    assert plan.seed == 1


def test_excluded_pairs_are_never_assigned_and_the_plan_stays_balanced():
    excluded = {(1, 100), (1, 101), (2, 102)}
    items = [Item(1, needed=2), Item(2, needed=2)]
    plan = plan_assignment(items, panel(4), excluded=excluded, seed=3)
    assert not {(p.item_id, p.candidate_id) for p in plan.pairs} & excluded
    assert set(assigned(plan)[1]) == {102, 103}
    assert plan.loads == {100: 1, 101: 1, 102: 1, 103: 1}


def test_kept_loads_count_towards_the_balance():
    candidates = [Candidate(100, load=3), Candidate(101), Candidate(102)]
    plan = plan_assignment([Item(1, needed=2)], candidates, excluded=set(), seed=0)
    assert set(assigned(plan)[1]) == {101, 102}
    assert plan.loads == {100: 3, 101: 1, 102: 1}
    assert plan.spread == 2 and not plan.balanced  # the best possible: 100 already holds 3


def test_an_overloaded_evaluator_gets_nothing_and_the_rest_are_filled_evenly():
    candidates = [Candidate(100, load=10), *panel(3, first_id=101)]
    items = [Item(i, needed=2) for i in range(6)]
    plan = plan_assignment(items, candidates, excluded=set(), seed=5)
    assert plan.loads == {100: 10, 101: 4, 102: 4, 103: 4}
    assert plan.spread == 6 and not plan.balanced


def test_far_above_the_balanced_level_the_lighter_evaluator_still_gets_the_review():
    # 100 is excluded, so balance is impossible; 101 (load 2 -> 3) keeps the spread at 5, 102 would make it 6.
    candidates = [Candidate(100), Candidate(101, load=2), Candidate(102, load=5)]
    for seed in range(10):
        plan = plan_assignment([Item(1, needed=1)], candidates, excluded={(1, 100)}, seed=seed)
        assert plan.loads == {100: 0, 101: 3, 102: 5}


def test_below_the_balanced_level_the_lighter_evaluator_still_gets_the_review():
    # Application 2 must go to 101, 102 and 103; application 1 to 100 keeps the spread at 3, not 4.
    candidates = [Candidate(100), Candidate(101, load=3), Candidate(102, load=2), Candidate(103)]
    items = [Item(1, needed=1), Item(2, needed=3)]
    for seed in range(10):
        plan = plan_assignment(items, candidates, excluded={(1, 101), (2, 100)}, seed=seed)
        assert plan.loads == {100: 1, 101: 4, 102: 3, 103: 1}


def test_an_overloaded_evaluator_is_used_when_nobody_else_can_be():
    plan = plan_assignment([Item(1, needed=2)], [Candidate(100, load=5), Candidate(101)], excluded=set(), seed=0)
    assert plan.loads == {100: 6, 101: 1}


def test_a_matching_evaluator_is_preferred_when_the_load_allows():
    candidates = [Candidate(100), Candidate(101, frozenset({"bio"})), Candidate(102)]
    for seed in range(10):
        plan = plan_assignment([Item(1, frozenset({"bio"}), needed=1)], candidates, excluded=set(), seed=seed)
        assert plan.pairs[0].candidate_id == 101 and plan.pairs[0].matched
        assert plan.matched_share == 1.0


def test_balance_comes_before_expertise():
    candidates = [Candidate(100, load=1), Candidate(101, frozenset({"bio"}), load=2), Candidate(102, load=1)]
    plan = plan_assignment([Item(1, frozenset({"bio"}), needed=1)], candidates, excluded=set(), seed=0)
    assert plan.pairs[0].candidate_id in {100, 102}
    assert plan.matched_share == 0.0 and plan.balanced


def test_matches_are_maximised_across_applications():
    # Evaluator 100 knows bio and energy; giving it to the energy item frees 101 for the bio item.
    candidates = [Candidate(100, frozenset({"bio", "energy"})), Candidate(101, frozenset({"bio"}))]
    items = [Item(1, frozenset({"bio"}), needed=1), Item(2, frozenset({"energy"}), needed=1)]
    for seed in range(10):
        plan = plan_assignment(items, candidates, excluded=set(), seed=seed)
        assert {(p.item_id, p.candidate_id) for p in plan.pairs} == {(1, 101), (2, 100)}


def test_the_same_seed_gives_the_same_plan_and_seeds_differ():
    items = [Item(i, needed=1) for i in range(4)]
    candidates = panel(8)
    plans = {seed: plan_assignment(items, candidates, excluded=set(), seed=seed) for seed in range(12)}
    assert plan_assignment(items, candidates, excluded=set(), seed=7) == plans[7]
    assert len({tuple(p.pairs) for p in plans.values()}) >= 2
    assert plan_assignment(items, candidates, excluded=set(), seed=-7).seed == -7  # any int is a seed


def test_items_needing_nobody_get_nobody():
    items = [Item(1, needed=0), Item(2, needed=-1), Item(3, needed=1)]
    plan = plan_assignment(items, panel(2), excluded=set(), seed=0)
    assert [p.item_id for p in plan.pairs] == [3]

    nothing = plan_assignment([Item(1, needed=0)], [Candidate(100, load=2), Candidate(101)], excluded=set(), seed=0)
    assert nothing.pairs == [] and nothing.matched_share == 1.0
    assert nothing.loads == {100: 2, 101: 0} and nothing.spread == 2


def test_an_application_with_four_free_evaluators_cannot_get_five():
    excluded = {(1, 100)}
    with pytest.raises(InfeasibleAssignment) as error:
        plan_assignment([Item(1), Item(2)], panel(5), excluded=excluded, seed=0)
    assert error.value.shortfalls == [Shortfall(item_id=1, needed=5, available=4)]
    assert str(error.value) == error.value.message
    assert "application 1 needs 5 more but only 4" in error.value.message


def test_a_panel_smaller_than_n_reports_every_application():
    with pytest.raises(InfeasibleAssignment) as error:
        plan_assignment([Item(i) for i in range(12)], panel(3), excluded=set(), seed=0)
    assert [s.item_id for s in error.value.shortfalls] == list(range(12))
    assert all(s.available == 3 and s.needed == 5 for s in error.value.shortfalls)
    assert error.value.message.startswith("12 applications cannot get enough evaluators")
    assert "and 2 more" in error.value.message


def test_progress_is_reported_up_to_done():
    seen: list[float] = []
    plan_assignment([Item(1, needed=2)], panel(3), excluded=set(), seed=0, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) >= 3


def test_duplicate_ids_are_refused():
    with pytest.raises(ValueError, match="Item ids"):
        plan_assignment([Item(1), Item(1)], panel(6), excluded=set(), seed=0)
    with pytest.raises(ValueError, match="Candidate ids"):
        plan_assignment([Item(1)], [Candidate(1), Candidate(1)], excluded=set(), seed=0)


def test_load_spread():
    assert load_spread({}) == 0
    assert load_spread({1: 4, 2: 7, 3: 5}) == 3


# Independent checks


def available_for(item: Item, candidates: list[Candidate], excluded: set[tuple[int, int]]) -> list[int]:
    return [c.id for c in candidates if (item.id, c.id) not in excluded]


def balanced_plan_exists(items: list[Item], candidates: list[Candidate], excluded: set[tuple[int, int]]) -> bool:
    """Whether every total load can be f or f + 1: a flow with lower bounds, by plain max flow.

    Items take exactly `needed`; candidate j takes between max(0, f - kept) and f + 1 - kept new
    reviews. Lower bounds are moved into node excesses and met from a super source and sink.
    """
    active = [i for i in items if i.needed > 0]
    total = sum(i.needed for i in active) + sum(c.load for c in candidates)
    floor = total // len(candidates)
    if any(c.load > floor + 1 for c in candidates):
        return False
    n, m = len(active), len(candidates)
    sink, source, super_source, super_sink = n + m, n + m + 1, n + m + 2, n + m + 3
    excess = Counter()
    arcs: list[tuple[int, int, int]] = []
    for row, item in enumerate(active):
        excess[row] += item.needed
        excess[source] -= item.needed
        arcs += [(row, n + col, 1) for col, c in enumerate(candidates) if (item.id, c.id) not in excluded]
    for col, candidate in enumerate(candidates):
        lower, upper = max(0, floor - candidate.load), floor + 1 - candidate.load
        arcs.append((n + col, sink, upper - lower))
        excess[sink] += lower
        excess[n + col] -= lower
    arcs.append((sink, source, total + 1))
    for node, amount in excess.items():
        if amount > 0:
            arcs.append((super_source, node, amount))
        elif amount < 0:
            arcs.append((node, super_sink, -amount))
    solver = max_flow.SimpleMaxFlow()
    table = np.array(arcs, dtype=np.int64)
    solver.add_arcs_with_capacity(table[:, 0].astype(np.int32), table[:, 1].astype(np.int32), table[:, 2])
    assert solver.solve(super_source, super_sink) == solver.OPTIMAL
    return solver.optimal_flow() == sum(a for a in excess.values() if a > 0)


def check_plan(plan: AssignmentPlan, items: list[Item], candidates: list[Candidate], excluded: set) -> None:
    by_item = assigned(plan)
    for item in items:
        chosen = by_item.get(item.id, [])
        assert len(chosen) == max(item.needed, 0)
        assert len(set(chosen)) == len(chosen)
        assert all((item.id, c) not in excluded for c in chosen)
    counts = Counter(p.candidate_id for p in plan.pairs)
    assert plan.loads == {c.id: c.load + counts[c.id] for c in candidates}
    assert plan.spread == load_spread(plan.loads) and plan.balanced == (plan.spread <= 1)
    expertise = {c.id: c.expertise for c in candidates}
    tags = {i.id: i.tags for i in items}
    assert all(p.matched == bool(expertise[p.candidate_id] & tags[p.item_id]) for p in plan.pairs)
    if plan.pairs:
        assert plan.matched_share == sum(p.matched for p in plan.pairs) / len(plan.pairs)


@st.composite
def instances(draw, *, max_items: int, max_candidates: int, max_needed: int, max_load: int):
    m = draw(st.integers(1, max_candidates))
    n = draw(st.integers(1, max_items))
    kept_loads = draw(st.booleans())
    candidates = [
        Candidate(
            100 + j,
            frozenset(draw(st.sets(st.sampled_from(TAGS), max_size=2))),
            draw(st.integers(0, max_load)) if kept_loads else 0,
        )
        for j in range(m)
    ]
    items = [
        Item(i, frozenset(draw(st.sets(st.sampled_from(TAGS), max_size=1))), draw(st.integers(0, max_needed)))
        for i in range(n)
    ]
    density = draw(st.sampled_from([0.0, 0.0, 0.05, 0.2, 0.5]))
    chooser = random.Random(draw(st.integers(0, 2**16)))
    excluded = {(i.id, c.id) for i in items for c in candidates if chooser.random() < density}
    return items, candidates, excluded, draw(st.integers(0, 2**31))


@settings(max_examples=250, deadline=None)
@given(instances(max_items=40, max_candidates=25, max_needed=5, max_load=6))
def test_plans_are_complete_valid_and_balanced_whenever_balance_is_possible(instance):
    items, candidates, excluded, seed = instance
    short = [
        Shortfall(i.id, i.needed, len(available_for(i, candidates, excluded)))
        for i in items
        if i.needed > len(available_for(i, candidates, excluded))
    ]
    if short:
        # No evaluator has an upper limit, so an item is unfillable exactly when too few are free for it.
        with pytest.raises(InfeasibleAssignment) as error:
            plan_assignment(items, candidates, excluded=excluded, seed=seed)
        assert error.value.shortfalls == short
        assert error.value.message and str(error.value) == error.value.message
        return
    plan = plan_assignment(items, candidates, excluded=excluded, seed=seed)
    check_plan(plan, items, candidates, excluded)
    assert plan.balanced == balanced_plan_exists(items, candidates, excluded)
    if not excluded and all(c.load == 0 for c in candidates):
        assert plan.spread <= 1
    assert plan_assignment(items, candidates, excluded=excluded, seed=seed) == plan


def brute_force(items: list[Item], candidates: list[Candidate], excluded: set) -> tuple[int, list[int], int]:
    """Enumerate every plan: the least spread, the most even sorted loads, and most matches among those."""
    options = [list(itertools.combinations(available_for(i, candidates, excluded), max(i.needed, 0))) for i in items]
    expertise = {c.id: c.expertise for c in candidates}
    best_spread, best_loads, best_matches = None, None, -1
    for choice in itertools.product(*options):
        loads = Counter({c.id: c.load for c in candidates})
        matches = 0
        for item, chosen in zip(items, choice, strict=True):
            loads.update(chosen)
            matches += sum(bool(expertise[c] & item.tags) for c in chosen)
        values = [loads[c.id] for c in candidates]
        spread, evenness = max(values) - min(values), sorted(values, reverse=True)
        best_spread = spread if best_spread is None else min(best_spread, spread)
        if best_loads is None or evenness < best_loads:
            best_loads, best_matches = evenness, matches
        elif evenness == best_loads:
            best_matches = max(best_matches, matches)
    return best_spread, best_loads, best_matches


@settings(max_examples=300, deadline=None)
@given(instances(max_items=3, max_candidates=4, max_needed=3, max_load=4))
def test_tiny_plans_are_as_even_and_as_well_matched_as_brute_force_finds(instance):
    items, candidates, excluded, seed = instance
    if any(i.needed > len(available_for(i, candidates, excluded)) for i in items):
        with pytest.raises(InfeasibleAssignment):
            plan_assignment(items, candidates, excluded=excluded, seed=seed)
        return
    plan = plan_assignment(items, candidates, excluded=excluded, seed=seed)
    check_plan(plan, items, candidates, excluded)
    least_spread, most_even, most_matches = brute_force(items, candidates, excluded)
    assert plan.spread == least_spread
    assert sorted(plan.loads.values(), reverse=True) == most_even
    assert sum(p.matched for p in plan.pairs) == most_matches
