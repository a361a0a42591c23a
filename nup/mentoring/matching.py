"""Mentor matching (pure): explainable suggestions for one startup, and a fair plan for all of them."""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace

EXPERTISE = (
    "robotics",
    "autonomous_driving",
    "manufacturing_ai",
    "drones",
    "ai_software",
    "go_to_market",
    "fundraising_ir",
    "legal_ip",
    "localisation",
    "export_sales",
    "manufacturing_scale_up",
    "hr_organisation",
    "finance_accounting",
    "data_cloud_gpu",
)

# Points per component, at most 95 in all. Expertise dominates because mentoring is matched by expertise;
# market and industry say whether the advice applies; language is also a hard requirement, so its points
# only show the fit. Experience is small because the whole pool is vetted (typically 10+ years).
EXPERTISE_POINTS = 50.0
MARKET_POINTS = 15.0
INDUSTRY_POINTS = 10.0
LANGUAGE_POINTS = 5.0
EXPERIENCE_POINTS_PER_YEAR = 0.25
EXPERIENCE_CAP_YEARS = 20
CAPACITY_POINTS = 10.0
BALANCE_PENALTY = 10.0  # at most, for a mentor whose whole month is already booked
# A suggestion needs at least this much remaining capacity (or all the hours wanted, if fewer):
# less than one proper session is not worth an introduction.
MIN_HOURS = 2.0
REASON_CODES = ("expertise", "market", "language", "industry", "experience", "capacity", "balance")


@dataclass(frozen=True)
class MentorProfile:
    id: int
    expertise: frozenset[str]  # keys of EXPERTISE
    industries: frozenset[str]
    countries: frozenset[str]  # ISO 3166 codes of the markets the mentor knows
    languages: frozenset[str]  # "ko", "en", "ja", ...
    years: int
    capacity_hours: float  # remaining this month
    load_hours: float  # already matched or booked this month
    fee_per_hour: int  # won
    active: bool = True

    def __post_init__(self) -> None:
        # Written as "not >= 0" so that NaN is refused too.
        if not (self.capacity_hours >= 0 and self.load_hours >= 0 and self.years >= 0 and self.fee_per_hour >= 0):
            raise ValueError(f"Mentor {self.id}: hours, years and fee must be zero or more.")


@dataclass(frozen=True)
class StartupNeed:
    id: int
    topics: frozenset[str]  # keys of EXPERTISE
    markets: frozenset[str]  # ISO 3166 codes
    languages: frozenset[str]  # any one shared language is enough
    industry: str = ""
    hours_wanted: float = 10

    def __post_init__(self) -> None:
        if not (self.hours_wanted > 0 and math.isfinite(self.hours_wanted)):
            raise ValueError(f"Startup {self.id}: hours wanted must be a positive number.")


@dataclass(frozen=True)
class Reason:
    code: str  # one of REASON_CODES: the caller's translation key
    detail: str  # short English, mostly the data behind the points
    points: float
    # The same data as plain values, for pages that say it in the reader's language.
    facts: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Suggestion:
    mentor_id: int
    score: float  # the sum of the reasons' points
    reasons: tuple[Reason, ...]


@dataclass
class MatchPlan:
    pairs: list[tuple[int, int, Suggestion]]  # (startup id, mentor id, why), in the order they were made
    unmatched: list[tuple[int, str]]  # (startup id, why it got fewer mentors than asked), same order


def _points(value: float) -> float:
    # Quarter points are exact in binary floating point, so any sum of them is exact whatever the order:
    # a score equals the sum of its reasons, and the planner's running sums rank exactly as rank_mentors does.
    return round(value * 4) / 4


def _expertise_points(covered: int, named: int) -> float:
    return _points(EXPERTISE_POINTS * covered / named) if named else 0.0


def _market_points(covered: int, named: int) -> float:
    return _points(MARKET_POINTS * covered / named) if named else 0.0


def _experience_points(years: int) -> float:
    return _points(EXPERIENCE_POINTS_PER_YEAR * min(years, EXPERIENCE_CAP_YEARS))


def _capacity_points(capacity: float, hours_wanted: float) -> float:
    return _points(CAPACITY_POINTS * min(1.0, capacity / hours_wanted))


def _balance_points(load: float, capacity: float) -> float:
    month = load + capacity
    return 0.0 - _points(BALANCE_PENALTY * load / month) if month else 0.0  # never -0.0


def _listed(codes: Collection[str]) -> str:
    return ", ".join(sorted(codes))


def _suggestion(need: StartupNeed, mentor: MentorProfile) -> Suggestion:
    """Explain and score one eligible mentor for one need, component by component."""
    covered, missing = need.topics & mentor.expertise, need.topics - mentor.expertise
    expertise = "no topics named"
    if need.topics:
        expertise = f"covers {_listed(covered) or 'none'} ({len(covered)} of {len(need.topics)} topics)"
        expertise += f"; not {_listed(missing)}" if missing else ""
    markets = need.markets & mentor.countries
    market = "no target market named"
    if need.markets:
        market = f"knows {_listed(markets) or 'none'} ({len(markets)} of {len(need.markets)} markets)"
    shared = need.languages & mentor.languages  # never empty when the need names languages: that is required
    language = f"speaks {_listed(shared)}" if shared else "no language named"
    in_industry = bool(need.industry) and need.industry in mentor.industries
    industry = (need.industry if in_industry else f"not {need.industry}") if need.industry else "no industry named"
    capped = " (capped)" if mentor.years > EXPERIENCE_CAP_YEARS else ""
    month = mentor.load_hours + mentor.capacity_hours
    capacity = f"{mentor.capacity_hours:g} h left for {need.hours_wanted:g} h wanted"
    balance = f"{mentor.load_hours:g} h booked of {month:g} h this month ({mentor.load_hours / (month or 1):.0%})"
    reasons = (
        Reason(
            "expertise",
            expertise,
            _expertise_points(len(covered), len(need.topics)),
            {"covered": sorted(covered), "missing": sorted(missing), "named": len(need.topics)},
        ),
        Reason(
            "market",
            market,
            _market_points(len(markets), len(need.markets)),
            {"covered": sorted(markets), "named": len(need.markets)},
        ),
        Reason("language", language, LANGUAGE_POINTS if shared else 0.0, {"shared": sorted(shared)}),
        Reason(
            "industry",
            industry,
            INDUSTRY_POINTS if in_industry else 0.0,
            {"industry": need.industry, "match": in_industry},
        ),
        Reason(
            "experience",
            f"{mentor.years} years{capped}",
            _experience_points(mentor.years),
            {"years": mentor.years, "capped": bool(capped)},
        ),
        Reason(
            "capacity",
            capacity,
            _capacity_points(mentor.capacity_hours, need.hours_wanted),
            {"left": mentor.capacity_hours, "wanted": need.hours_wanted},
        ),
        Reason(
            "balance",
            balance,
            _balance_points(mentor.load_hours, mentor.capacity_hours),
            {"booked": mentor.load_hours, "month": month},
        ),
    )
    return Suggestion(mentor.id, sum(reason.points for reason in reasons), reasons)


def _suitable(need: StartupNeed, mentor: MentorProfile, require_expertise: bool) -> bool:
    """Active, shares a language when the need names some, and covers a topic when that is required."""
    return (
        mentor.active
        and (not need.languages or bool(need.languages & mentor.languages))
        and (not (require_expertise and need.topics) or bool(need.topics & mentor.expertise))
    )


def rank_mentors(
    need: StartupNeed,
    mentors: Sequence[MentorProfile],
    *,
    excluded: Collection[int] = (),
    limit: int = 5,
    require_expertise: bool = True,
) -> list[Suggestion]:
    """Suggest up to `limit` mentors for one need, best first, each with the reasons for its score.

    Left out: inactive mentors, the ids in `excluded` (conflicts of interest, computed by the caller),
    mentors sharing no language with a need that names languages, mentors covering none of the
    need's topics (unless `require_expertise` is False), and mentors with less than
    min(hours wanted, MIN_HOURS) left this month. Order: score, then lower load, then mentor id.
    """
    if limit <= 0:
        return []
    excluded_ids = set(excluded)
    floor = min(need.hours_wanted, MIN_HOURS)
    ranked = [
        (_suggestion(need, mentor), mentor.load_hours)
        for mentor in mentors
        if mentor.id not in excluded_ids
        and mentor.capacity_hours >= floor
        and _suitable(need, mentor, require_expertise)
    ]
    best = heapq.nsmallest(limit, ranked, key=lambda item: (-item[0].score, item[1], item[0].mentor_id))
    return [suggestion for suggestion, _load in best]


def match_all(
    needs: Sequence[StartupNeed],
    mentors: Sequence[MentorProfile],
    *,
    excluded: Collection[tuple[int, int]] = (),
    per_startup: int = 1,
    require_expertise: bool = True,
) -> MatchPlan:
    """Give each startup up to `per_startup` distinct mentors, greedily, never past a mentor's capacity.

    `excluded` holds (startup id, mentor id) pairs never to match. A mentor is eligible as in
    rank_mentors, except that each match books the startup's full hours_wanted, so the mentor must
    have at least that much left at the time. Startups with the fewest eligible mentors choose
    first (then by id), so the scarce mentors go where they are the only option; each takes its
    best-scoring mentors as scored at that moment (their load has grown with earlier matches).
    """
    if per_startup < 1:
        raise ValueError("per_startup must be at least 1.")
    if len({need.id for need in needs}) != len(needs):
        raise ValueError("Startup ids must be unique.")
    if len({mentor.id for mentor in mentors}) != len(mentors):
        raise ValueError("Mentor ids must be unique.")
    conflicts: defaultdict[int, set[int]] = defaultdict(set)
    for startup_id, mentor_id in excluded:
        conflicts[startup_id].add(mentor_id)
    pool = [mentor for mentor in mentors if mentor.active]
    remaining = [mentor.capacity_hours for mentor in pool]
    load = [mentor.load_hours for mentor in pool]
    balance = [_balance_points(mentor.load_hours, mentor.capacity_hours) for mentor in pool]
    experience = [_experience_points(mentor.years) for mentor in pool]
    by_topic: defaultdict[str, list[int]] = defaultdict(list)
    by_language: defaultdict[str, list[int]] = defaultdict(list)
    for index, mentor in enumerate(pool):
        for topic in mentor.expertise:
            by_topic[topic].append(index)
        for language in mentor.languages:
            by_language[language].append(index)

    # The parts of a score that do not change as mentors fill up, once per eligible pair.
    candidates: dict[int, list[tuple[int, float]]] = {}
    for need in needs:
        if require_expertise and need.topics:
            indices = {index for topic in need.topics for index in by_topic.get(topic, ())}
        else:
            indices = set(range(len(pool)))
        if need.languages:
            indices &= {index for language in need.languages for index in by_language.get(language, ())}
        expertise_table = [_expertise_points(k, len(need.topics)) for k in range(len(need.topics) + 1)]
        market_table = [_market_points(k, len(need.markets)) for k in range(len(need.markets) + 1)]
        fixed = LANGUAGE_POINTS if need.languages else 0.0
        conflicted = conflicts.get(need.id, ())
        static = []
        for index in sorted(indices):
            mentor = pool[index]
            if mentor.id in conflicted or remaining[index] < need.hours_wanted:
                continue
            points = fixed + experience[index]
            points += expertise_table[len(need.topics & mentor.expertise)]
            points += market_table[len(need.markets & mentor.countries)]
            if need.industry and need.industry in mentor.industries:
                points += INDUSTRY_POINTS
            static.append((index, points))
        candidates[need.id] = static

    plan = MatchPlan(pairs=[], unmatched=[])
    for need in sorted(needs, key=lambda need: (len(candidates[need.id]), need.id)):
        hours = need.hours_wanted
        # Whoever still has the full hours left earns the full capacity points, so only balance changes.
        chosen = heapq.nsmallest(
            per_startup,
            (
                (-(points + CAPACITY_POINTS + balance[index]), load[index], pool[index].id, index)
                for index, points in candidates[need.id]
                if remaining[index] >= hours
            ),
        )
        for _key, _load, mentor_id, index in chosen:
            current = replace(pool[index], capacity_hours=remaining[index], load_hours=load[index])
            plan.pairs.append((need.id, mentor_id, _suggestion(need, current)))
        for _key, _load, _id, index in chosen:
            remaining[index] -= hours
            load[index] += hours
            balance[index] = _balance_points(load[index], remaining[index])
        if len(chosen) < per_startup:
            funnel = _funnel(need, pool, remaining, conflicts.get(need.id, set()), require_expertise)
            plan.unmatched.append((need.id, f"{len(chosen)} of {per_startup} mentors found: {funnel}"))
    return plan


def _funnel(
    need: StartupNeed,
    pool: list[MentorProfile],
    remaining: list[float],
    conflicted: Collection[int],
    require_expertise: bool,
) -> str:
    """Say how many active mentors pass each requirement in turn, so an officer sees which one ran out."""
    hours = need.hours_wanted
    left = list(range(len(pool)))
    steps = [f"{len(left)} active"]
    tests = []
    if need.languages:
        tests.append((f"speak {' or '.join(sorted(need.languages))}", lambda m, i: m.languages & need.languages))
    if require_expertise and need.topics:
        tests.append((f"cover {' or '.join(sorted(need.topics))}", lambda m, i: m.expertise & need.topics))
    tests += [
        ("free of conflicts", lambda m, i: m.id not in conflicted),
        (f"had {hours:g} h free", lambda m, i: m.capacity_hours >= hours),
        ("still have it after earlier matches", lambda m, i: remaining[i] >= hours),
    ]
    for label, test in tests:
        left = [index for index in left if test(pool[index], index)]
        steps.append(f"{len(left)} {label}")
    return ", ".join(steps)
