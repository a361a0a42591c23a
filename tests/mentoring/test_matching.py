"""Mentor matching and mentoring-hour accounting: hand-worked cases and properties of the plan."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nup.mentoring.accounting import AccountingError, Budget, check_log_duration, check_session, overlaps, session_fee
from nup.mentoring.matching import (
    EXPERTISE,
    REASON_CODES,
    MatchPlan,
    MentorProfile,
    StartupNeed,
    match_all,
    rank_mentors,
)


def mentor(mentor_id: int, **changes) -> MentorProfile:
    values = {
        "expertise": frozenset({"robotics"}),
        "industries": frozenset({"robot_manufacturing"}),
        "countries": frozenset({"KR", "US"}),
        "languages": frozenset({"ko", "en"}),
        "years": 15,
        "capacity_hours": 20.0,
        "load_hours": 0.0,
        "fee_per_hour": 100_000,
    }
    return MentorProfile(id=mentor_id, **{**values, **changes})


def need(need_id: int = 1, **changes) -> StartupNeed:
    values = {
        "topics": frozenset({"robotics"}),
        "markets": frozenset({"US"}),
        "languages": frozenset({"ko"}),
        "industry": "robot_manufacturing",
        "hours_wanted": 10.0,
    }
    return StartupNeed(id=need_id, **{**values, **changes})


def reasons_of(suggestion) -> dict[str, tuple[str, float]]:
    return {reason.code: (reason.detail, reason.points) for reason in suggestion.reasons}


# Explanations


def test_every_component_is_listed_with_its_points_and_they_sum_to_the_score():
    startup = need(topics=frozenset({"robotics", "fundraising_ir", "legal_ip"}))
    [suggestion] = rank_mentors(startup, [mentor(7, expertise=frozenset({"robotics", "fundraising_ir", "drones"}))])

    assert suggestion.mentor_id == 7
    assert tuple(reason.code for reason in suggestion.reasons) == REASON_CODES
    assert reasons_of(suggestion) == {
        "expertise": ("covers fundraising_ir, robotics (2 of 3 topics); not legal_ip", 33.25),  # 50 x 2/3
        "market": ("knows US (1 of 1 markets)", 15.0),
        "language": ("speaks ko", 5.0),
        "industry": ("robot_manufacturing", 10.0),
        "experience": ("15 years", 3.75),
        "capacity": ("20 h left for 10 h wanted", 10.0),
        "balance": ("0 h booked of 20 h this month (0%)", 0.0),
    }
    assert suggestion.score == sum(reason.points for reason in suggestion.reasons) == 77.0


def test_partial_fits_unnamed_needs_and_capped_experience_are_explained():
    startup = need(markets=frozenset({"US", "JP"}), languages=frozenset(), industry="")
    veteran = mentor(1, years=32, industries=frozenset({"mobility"}), capacity_hours=5.0, load_hours=15.0)
    [suggestion] = rank_mentors(startup, [veteran])

    assert reasons_of(suggestion) == {
        "expertise": ("covers robotics (1 of 1 topics)", 50.0),
        "market": ("knows US (1 of 2 markets)", 7.5),
        "language": ("no language named", 0.0),
        "industry": ("no industry named", 0.0),
        "experience": ("32 years (capped)", 5.0),
        "capacity": ("5 h left for 10 h wanted", 5.0),
        "balance": ("15 h booked of 20 h this month (75%)", -7.5),
    }
    assert suggestion.score == 60.0


def test_a_mentor_in_another_industry_and_market_scores_lower_and_says_why():
    startup = need(markets=frozenset({"JP"}))
    elsewhere = mentor(2, industries=frozenset({"mobility"}))
    ranked = rank_mentors(startup, [elsewhere, mentor(1, countries=frozenset({"JP"}))])

    assert [s.mentor_id for s in ranked] == [1, 2]
    assert reasons_of(ranked[1])["industry"] == ("not robot_manufacturing", 0.0)
    assert reasons_of(ranked[1])["market"] == ("knows none (0 of 1 markets)", 0.0)


# Who is left out


def test_a_full_mentor_is_never_suggested_and_a_nearly_full_one_only_for_a_session():
    mentors = [
        mentor(1, capacity_hours=0.0, load_hours=20.0),
        mentor(2, capacity_hours=1.5),
        mentor(3, capacity_hours=2),
    ]
    assert [s.mentor_id for s in rank_mentors(need(hours_wanted=10), mentors)] == [3]
    # Wanting fewer hours than the minimum, the mentor only needs those hours.
    assert [s.mentor_id for s in rank_mentors(need(hours_wanted=1.5), mentors)] == [2, 3]


def test_conflicts_and_inactive_mentors_are_excluded():
    mentors = [mentor(1), mentor(2), mentor(3, active=False)]
    assert [s.mentor_id for s in rank_mentors(need(), mentors, excluded={1})] == [2]


def test_a_shared_language_is_required_when_the_need_names_languages():
    mentors = [mentor(1, languages=frozenset({"ko"})), mentor(2, languages=frozenset({"en", "ja"}))]
    assert [s.mentor_id for s in rank_mentors(need(languages=frozenset({"ja"})), mentors)] == [2]
    assert [s.mentor_id for s in rank_mentors(need(languages=frozenset({"ja", "ko"})), mentors)] == [1, 2]
    assert [s.mentor_id for s in rank_mentors(need(languages=frozenset()), mentors)] == [1, 2]


def test_a_mentor_covering_none_of_the_topics_is_left_out_unless_expertise_is_not_required():
    outsider = mentor(1, expertise=frozenset({"legal_ip"}))
    assert rank_mentors(need(), [outsider]) == []
    [suggestion] = rank_mentors(need(), [outsider], require_expertise=False)
    assert reasons_of(suggestion)["expertise"] == ("covers none (0 of 1 topics); not robotics", 0.0)


# Balance and order


def test_between_equal_mentors_the_lower_loaded_comes_first():
    busy, idle = mentor(1, load_hours=8.0), mentor(2, load_hours=0.0)
    ranked = rank_mentors(need(), [busy, idle])
    assert [s.mentor_id for s in ranked] == [2, 1]
    assert reasons_of(ranked[1])["balance"] == ("8 h booked of 28 h this month (29%)", -2.75)
    assert ranked[0].score - ranked[1].score == 2.75


def test_equal_scores_go_to_the_lower_load_then_the_lower_id():
    # A tenth of an hour is too little load to cost a quarter point, so only the tiebreaks separate them.
    mentors = [mentor(5, load_hours=0.1), mentor(4, load_hours=0.1), mentor(9)]
    ranked = rank_mentors(need(), mentors)
    assert len({s.score for s in ranked}) == 1
    assert [s.mentor_id for s in ranked] == [9, 4, 5]


def test_ranking_is_deterministic_whatever_the_input_order_and_respects_the_limit():
    rng = random.Random(4)
    mentors = [
        mentor(i, expertise=frozenset(rng.sample(EXPERTISE[:5], 2)), load_hours=rng.choice((0.0, 4.0)))
        for i in range(1, 30)
    ]
    startup = need(topics=frozenset(EXPERTISE[:3]))
    expected = rank_mentors(startup, mentors, limit=6)
    assert len(expected) == 6
    for _ in range(5):
        rng.shuffle(mentors)
        assert rank_mentors(startup, mentors, limit=6) == expected
    assert rank_mentors(startup, mentors, limit=0) == []


# The plan for a whole call


def test_the_plan_never_books_a_mentor_past_capacity_and_says_why_a_startup_is_left_out():
    plan = match_all([need(1), need(2), need(3)], [mentor(1, capacity_hours=20.0)])
    assert [(startup, mentor_id) for startup, mentor_id, _ in plan.pairs] == [(1, 1), (2, 1)]
    [(startup, reason)] = plan.unmatched
    assert startup == 3
    assert reason == (
        "0 of 1 mentors found: 1 active, 1 speak ko, 1 cover robotics, 1 free of conflicts, 1 had 10 h free, "
        "0 still have it after earlier matches"
    )


def test_a_mentor_filling_up_is_scored_with_the_load_it_has_by_then():
    plan = match_all([need(1), need(2)], [mentor(1, capacity_hours=20.0)])
    first, second = (suggestion for _, _, suggestion in plan.pairs)
    assert reasons_of(first)["balance"] == ("0 h booked of 20 h this month (0%)", 0.0)
    assert reasons_of(second)["balance"] == ("10 h booked of 20 h this month (50%)", -5.0)
    assert reasons_of(second)["capacity"] == ("10 h left for 10 h wanted", 10.0)


def test_startups_with_the_fewest_candidates_choose_first():
    # Startup 1 would take the legal expert (the better fit for it too) if ids decided the order.
    legal = mentor(1, expertise=frozenset({"robotics", "legal_ip"}), capacity_hours=10.0)
    plain = mentor(2)
    needs = [need(1, topics=frozenset({"robotics", "legal_ip"})), need(2, topics=frozenset({"legal_ip"}))]
    plan = match_all(needs, [legal, plain])
    assert sorted((startup, mentor_id) for startup, mentor_id, _ in plan.pairs) == [(1, 2), (2, 1)]
    assert plan.unmatched == []


def test_the_plan_skips_excluded_pairs_and_gives_distinct_mentors():
    mentors = [mentor(i) for i in range(1, 5)]
    plan = match_all([need(1), need(2)], mentors, excluded={(1, 1), (2, 2)}, per_startup=2)
    by_startup = defaultdict(list)
    for startup, mentor_id, _ in plan.pairs:
        by_startup[startup].append(mentor_id)
    assert by_startup == {1: [2, 3], 2: [1, 4]}


def test_the_reason_names_the_requirement_that_ran_out():
    plan = match_all([need(1, languages=frozenset({"ja"}))], [mentor(1), mentor(2)], per_startup=2)
    assert plan.pairs == []
    assert plan.unmatched == [
        (
            1,
            "0 of 2 mentors found: 2 active, 0 speak ja, 0 cover robotics, 0 free of conflicts, "
            "0 had 10 h free, 0 still have it after earlier matches",
        )
    ]


def test_a_single_startup_gets_the_top_ranked_mentor_with_the_same_explanation():
    rng = random.Random(11)
    mentors = [
        mentor(
            i,
            expertise=frozenset(rng.sample(EXPERTISE[:6], 2)),
            countries=frozenset(rng.sample(["KR", "US", "JP", "VN"], 2)),
            load_hours=float(rng.randint(0, 10)),
            capacity_hours=float(rng.randint(10, 20)),
            years=rng.randint(8, 30),
        )
        for i in range(1, 40)
    ]
    startup = need(topics=frozenset(EXPERTISE[:3]), markets=frozenset({"JP", "VN"}))
    [(_startup, mentor_id, suggestion)] = match_all([startup], mentors).pairs
    assert rank_mentors(startup, mentors, limit=1) == [suggestion]
    assert suggestion.mentor_id == mentor_id


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="unique"):
        match_all([need(1), need(1)], [mentor(1)])
    with pytest.raises(ValueError, match="unique"):
        match_all([need(1)], [mentor(1), mentor(1)])
    with pytest.raises(ValueError, match="per_startup"):
        match_all([need(1)], [mentor(1)], per_startup=0)
    with pytest.raises(ValueError, match="positive"):
        need(hours_wanted=0)
    with pytest.raises(ValueError, match="zero or more"):
        mentor(1, capacity_hours=-1.0)


# A property of the plan

TOPICS = list(EXPERTISE[:4])
LANGUAGES = ["ko", "en", "ja"]
half_hours = st.integers(min_value=0, max_value=60).map(lambda n: n / 2)  # sums of halves are exact


@st.composite
def scenarios(draw):
    tags = st.frozensets(st.sampled_from(TOPICS), max_size=3)
    mentors = [
        MentorProfile(
            id=i,
            expertise=draw(tags),
            industries=draw(st.frozensets(st.sampled_from(["a", "b"]))),
            countries=draw(st.frozensets(st.sampled_from(["KR", "US", "JP"]))),
            languages=draw(st.frozensets(st.sampled_from(LANGUAGES), min_size=1)),
            years=draw(st.integers(0, 40)),
            capacity_hours=draw(half_hours),
            load_hours=draw(half_hours),
            fee_per_hour=100_000,
            active=draw(st.booleans()),
        )
        for i in range(1, draw(st.integers(0, 12)) + 1)
    ]
    needs = [
        StartupNeed(
            id=100 + j,
            topics=draw(tags),
            markets=draw(st.frozensets(st.sampled_from(["US", "JP", "VN"]))),
            languages=draw(st.frozensets(st.sampled_from(LANGUAGES), max_size=2)),
            industry=draw(st.sampled_from(["", "a", "b"])),
            hours_wanted=draw(half_hours.filter(lambda hours: hours > 0)),
        )
        for j in range(draw(st.integers(0, 15)))
    ]
    pairs = [(n.id, m.id) for n in needs for m in mentors]
    excluded = set(draw(st.lists(st.sampled_from(pairs), max_size=20))) if pairs else set()
    return needs, mentors, excluded, draw(st.integers(1, 3)), draw(st.booleans())


@settings(max_examples=150, deadline=None)
@given(scenarios())
def test_the_plan_keeps_every_rule(scenario):
    needs, mentors, excluded, per_startup, require_expertise = scenario
    plan = match_all(needs, mentors, excluded=excluded, per_startup=per_startup, require_expertise=require_expertise)
    by_need = {n.id: n for n in needs}
    by_mentor = {m.id: m for m in mentors}
    booked: defaultdict[int, float] = defaultdict(float)
    given_to: defaultdict[int, list[int]] = defaultdict(list)
    for startup, mentor_id, suggestion in plan.pairs:
        startup_need, profile = by_need[startup], by_mentor[mentor_id]
        assert (startup, mentor_id) not in excluded
        assert profile.active
        assert not startup_need.languages or startup_need.languages & profile.languages
        assert not (require_expertise and startup_need.topics) or startup_need.topics & profile.expertise
        assert suggestion.mentor_id == mentor_id
        assert suggestion.score == sum(reason.points for reason in suggestion.reasons)
        booked[mentor_id] += startup_need.hours_wanted
        given_to[startup].append(mentor_id)
    for mentor_id, hours in booked.items():
        assert hours <= by_mentor[mentor_id].capacity_hours
    for mentor_ids in given_to.values():
        assert len(mentor_ids) == len(set(mentor_ids)) <= per_startup
    short = {n.id for n in needs if len(given_to[n.id]) < per_startup}
    unmatched = [startup for startup, _ in plan.unmatched]
    assert len(unmatched) == len(set(unmatched))
    assert set(unmatched) == short
    assert all(reason for _, reason in plan.unmatched)
    # Greedy leaves nobody short who could still be served: capacity only ever goes down.
    for startup in short:
        startup_need = by_need[startup]
        for profile in mentors:
            left = profile.capacity_hours - booked[profile.id]
            assert not (
                profile.active
                and profile.id not in given_to[startup]
                and (startup, profile.id) not in excluded
                and left >= startup_need.hours_wanted
                and (not startup_need.languages or startup_need.languages & profile.languages)
                and (not (require_expertise and startup_need.topics) or startup_need.topics & profile.expertise)
            )
    # The same plan whatever order the inputs come in.
    shuffled = random.Random(len(needs)).sample(mentors, len(mentors))
    assert (
        match_all(
            needs[::-1], shuffled, excluded=excluded, per_startup=per_startup, require_expertise=require_expertise
        )
        == plan
    )


def test_an_empty_call_makes_an_empty_plan():
    assert match_all([], [mentor(1)]) == MatchPlan(pairs=[], unmatched=[])
    assert match_all([need(1)], []).unmatched == [
        (
            1,
            "0 of 1 mentors found: 0 active, 0 speak ko, 0 cover robotics, 0 free of conflicts, 0 had 10 h free, "
            "0 still have it after earlier matches",
        )
    ]


# Accounting


BUDGET = Budget(hour_cap=40, budget_won=10_000_000, used_hours=0, used_won=0)


def test_a_session_that_exactly_reaches_the_hour_cap_passes():
    budget = Budget(hour_cap=40, budget_won=10_000_000, used_hours=39.7, used_won=3_970_000)
    after = check_session(budget, hours=0.3, fee_per_hour=100_000)  # 39.7 + 0.3 is not 40.0 in floats
    assert after == Budget(hour_cap=40, budget_won=10_000_000, used_hours=40.0, used_won=4_000_000)


@pytest.mark.parametrize("hours", [1.5, 1 + 1 / 60, 1.000001, 1.000000001])
def test_a_session_that_would_pass_the_hour_cap_by_any_amount_is_refused(hours):
    budget = Budget(hour_cap=40, budget_won=10_000_000, used_hours=39, used_won=0)
    with pytest.raises(AccountingError) as refused:
        check_session(budget, hours=hours, fee_per_hour=100_000)
    assert refused.value.code == "over_hours"
    assert "1 h of 40 h remain" in refused.value.message


def test_the_budget_in_won_is_checked_the_same_way():
    budget = Budget(hour_cap=100, budget_won=10_000_000, used_hours=10, used_won=9_900_000)
    assert check_session(budget, hours=1, fee_per_hour=100_000).used_won == 10_000_000
    with pytest.raises(AccountingError) as refused:
        check_session(budget, hours=1, fee_per_hour=100_010)
    assert refused.value.code == "over_budget"
    assert refused.value.message == (
        "A 100,010 won session would pass the budget: 100,000 won of 10,000,000 won remain."
    )


def test_hours_are_reported_before_won_when_both_run_out():
    budget = Budget(hour_cap=10, budget_won=1_000_000, used_hours=10, used_won=1_000_000)
    with pytest.raises(AccountingError) as refused:
        check_session(budget, hours=1, fee_per_hour=100_000)
    assert refused.value.code == "over_hours"
    assert isinstance(refused.value, ValueError)


@pytest.mark.parametrize("hours", [0, -1, -0.5, float("nan"), float("inf")])
def test_sessions_without_a_positive_duration_are_refused(hours):
    with pytest.raises(AccountingError) as refused:
        check_session(BUDGET, hours=hours, fee_per_hour=100_000)
    assert refused.value.code == "not_positive"


@pytest.mark.parametrize(
    ("hours", "fee", "won"),
    [
        (1, 100_000, 100_000),
        (1.5, 100_000, 150_000),
        (50 / 60, 100_000, 83_330),  # 83,333.33 won
        (40 / 60, 100_000, 66_670),  # 66,666.67 won
        (1, 123_454, 123_450),
        (1, 123_455, 123_460),  # a half goes up
        (0.5, 9, 0),  # 4.5 won
        (2, 0, 0),  # a pro bono mentor
    ],
)
def test_session_fees_are_rounded_to_the_nearest_ten_won(hours, fee, won):
    assert session_fee(hours, fee) == won


def test_a_negative_fee_is_refused():
    with pytest.raises(AccountingError) as refused:
        session_fee(1, -100_000)
    assert refused.value.code == "negative_fee"


def test_a_log_may_be_as_long_as_its_session_but_not_longer():
    check_log_duration(60, 60)
    check_log_duration(60, 45)
    with pytest.raises(AccountingError) as refused:
        check_log_duration(60, 61)
    assert refused.value.code == "log_too_long"
    assert "61 minutes" in refused.value.message
    with pytest.raises(AccountingError) as empty:
        check_log_duration(60, 0)
    assert empty.value.code == "not_positive"


AT = datetime(2026, 3, 2, 10, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    ("b_start", "b_end", "expected"),
    [
        (AT + HOUR / 2, AT + HOUR * 1.5, True),  # overlaps the end
        (AT - HOUR / 2, AT + HOUR / 2, True),  # overlaps the start
        (AT + HOUR / 4, AT + HOUR / 2, True),  # inside
        (AT, AT + HOUR, True),  # the same slot
        (AT + HOUR, AT + 2 * HOUR, False),  # starts as the other ends
        (AT - HOUR, AT, False),  # ends as the other starts
        (AT + 2 * HOUR, AT + 3 * HOUR, False),
    ],
)
def test_sessions_overlap_unless_they_only_touch(b_start, b_end, expected):
    assert overlaps(AT, AT + HOUR, b_start, b_end) is expected
    assert overlaps(b_start, b_end, AT, AT + HOUR) is expected


def test_a_session_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="before it starts"):
        overlaps(AT, AT - HOUR, AT, AT + HOUR)
