"""Mentor matching at programme scale: match_all for 1,000 startups and 500 mentors on one core.

Draws --startups needs and --mentors profiles from --seed (1-3 topics of the expertise vocabulary,
0-2 target markets, mostly Korean-speaking with some English and Japanese, a month of 10-40 mentor
hours part booked, about 5% of mentors inactive, --conflicts of the pairs excluded), pins this
process to one CPU, times `match_all` (best and median of --repeat), gives the CPUs back, and
prints the seconds, the pairs made, the startups left short, whether any mentor's capacity was
exceeded, and whether the target (under 2 s) is met.

    .venv/bin/python bench/mentoring.py --startups 1000 --mentors 500
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nup.mentoring.matching import EXPERTISE, MatchPlan, MentorProfile, StartupNeed, match_all

TARGET_SECONDS = 2.0
INDUSTRIES = (
    "robot_manufacturing",
    "mobility",
    "logistics",
    "smart_factory",
    "agritech",
    "medical_devices",
    "semiconductors",
    "software",
)
# Target markets, the first ones far more often: the programme's usual export destinations.
MARKETS = ("US", "JP", "VN", "DE", "SG", "CN", "ID", "IN", "AE", "GB")
MARKET_WEIGHTS = (30, 20, 12, 10, 8, 6, 5, 4, 3, 2)
HOURS_WANTED = (4, 6, 8, 10, 12, 20)


def draw_mentors(rng: random.Random, count: int) -> list[MentorProfile]:
    """A vetted pool: 1-4 areas of expertise, 1-3 industries and markets, mostly 10+ years."""
    mentors = []
    for index in range(count):
        languages = {"ko"} if rng.random() < 0.92 else set()
        for language, share in (("en", 0.6), ("ja", 0.12), ("zh", 0.08), ("vi", 0.04)):
            if rng.random() < share:
                languages.add(language)
        month = rng.choice((10, 16, 20, 24, 30, 40))
        booked = rng.choice((0, 0, 2, 4, 6, 8)) if month > 8 else 0
        mentors.append(
            MentorProfile(
                id=1 + index,
                expertise=frozenset(rng.sample(EXPERTISE, rng.randint(1, 4))),
                industries=frozenset(rng.sample(INDUSTRIES, rng.randint(1, 3))),
                countries=frozenset({"KR", *rng.choices(MARKETS, MARKET_WEIGHTS, k=rng.randint(0, 3))}),
                languages=frozenset(languages or {"en"}),
                years=rng.randint(8, 35),
                capacity_hours=float(month - booked),
                load_hours=float(booked),
                fee_per_hour=rng.randrange(80_000, 200_001, 10_000),
                active=rng.random() > 0.05,
            )
        )
    return mentors


def draw_needs(rng: random.Random, count: int) -> list[StartupNeed]:
    """Startups asking for 1-3 topics, 0-2 markets, Korean (some also English, a few English only)."""
    needs = []
    for index in range(count):
        roll = rng.random()
        languages = {"ko"} if roll < 0.8 else {"ko", "en"} if roll < 0.97 else {"en"}
        needs.append(
            StartupNeed(
                id=10_000 + index,
                topics=frozenset(rng.sample(EXPERTISE, rng.randint(1, 3))),
                markets=frozenset(rng.choices(MARKETS, MARKET_WEIGHTS, k=rng.randint(0, 2))),
                languages=frozenset(languages),
                industry=rng.choice(INDUSTRIES),
                hours_wanted=float(rng.choice(HOURS_WANTED)),
            )
        )
    return needs


def draw_conflicts(
    rng: random.Random, needs: list[StartupNeed], mentors: list[MentorProfile], share: float
) -> set[tuple[int, int]]:
    """(startup id, mentor id) pairs excluded for conflicts of interest, about `share` of all pairs."""
    per_startup = max(0, round(share * len(mentors)))
    ids = [mentor.id for mentor in mentors]
    return {(need.id, mentor_id) for need in needs for mentor_id in rng.sample(ids, per_startup)}


def pin_to_one_core() -> str:
    """Run on a single CPU where the OS allows it, so the figure is per core."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity here): one thread, one process"
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def overbooked(plan: MatchPlan, needs: list[StartupNeed], mentors: list[MentorProfile]) -> list[int]:
    """Mentors given more hours than they had left (must be none)."""
    hours = {need.id: need.hours_wanted for need in needs}
    booked: defaultdict[int, float] = defaultdict(float)
    for startup_id, mentor_id, _suggestion in plan.pairs:
        booked[mentor_id] += hours[startup_id]
    return [mentor.id for mentor in mentors if booked[mentor.id] > mentor.capacity_hours]


def bench_matching(args: argparse.Namespace) -> bool:
    """Print the matching figures; return whether the time target was met."""
    rng = random.Random(args.seed)
    mentors = draw_mentors(rng, args.mentors)
    needs = draw_needs(rng, args.startups)
    excluded = draw_conflicts(rng, needs, mentors, args.conflicts)
    demand = sum(need.hours_wanted for need in needs) * args.per_startup
    supply = sum(mentor.capacity_hours for mentor in mentors if mentor.active)
    print(
        f"Mentor matching: {len(needs)} startups x {args.per_startup} mentor(s) from a pool of {len(mentors)} "
        f"({sum(m.active for m in mentors)} active), {len(excluded)} conflicts ({args.conflicts:.1%}); "
        f"{demand:,.0f} h wanted, {supply:,.0f} h free"
    )
    original = os.sched_getaffinity(0) if hasattr(os, "sched_setaffinity") else None
    print(f"  {pin_to_one_core()}")
    times, plan = [], None
    try:
        for _ in range(args.repeat):
            started = time.perf_counter()
            plan = match_all(needs, mentors, excluded=excluded, per_startup=args.per_startup)
            times.append(time.perf_counter() - started)
    finally:
        if original is not None:
            os.sched_setaffinity(0, original)
    assert plan is not None
    best = min(times)
    print(f"  match_all: best {best:.3f} s, median {statistics.median(times):.3f} s over {len(times)} runs")
    matched = len({startup_id for startup_id, _mentor, _s in plan.pairs})
    print(f"  pairs made: {len(plan.pairs)} ({matched} startups); startups left short: {len(plan.unmatched)}")
    if plan.pairs:
        scores = [suggestion.score for _startup, _mentor, suggestion in plan.pairs]
        print(f"  scores of the pairs: median {statistics.median(scores):.2f}, min {min(scores):.2f}")
    if plan.unmatched:
        first_step = Counter(reason.split(": ", 1)[0] for _startup, reason in plan.unmatched)
        print(f"  why short (first): {plan.unmatched[0][1]}")
        print(f"  short by: {dict(first_step)}")
    over = overbooked(plan, needs, mentors)
    conflicted = sum((startup_id, mentor_id) in excluded for startup_id, mentor_id, _s in plan.pairs)
    print(f"  mentors over capacity: {len(over)}; conflicted pairs: {conflicted}")
    met = best < TARGET_SECONDS and not over and not conflicted
    print(f"  target: under {TARGET_SECONDS:.0f} s on one core -> {'met' if met else 'MISSED'}")
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--startups", type=int, default=1000)
    parser.add_argument("--mentors", type=int, default=500)
    parser.add_argument("--per-startup", type=int, default=1)
    parser.add_argument("--conflicts", type=float, default=0.01, help="share of (startup, mentor) pairs excluded")
    parser.add_argument("--seed", type=int, default=2026, help="draws the inputs")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sys.exit(0 if bench_matching(args) else 1)


if __name__ == "__main__":
    main()
