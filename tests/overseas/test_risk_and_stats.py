"""At-risk detection and the selection-to-outcome statistics: pure functions, no database."""

from datetime import date

import pytest

from nup.overseas import kpis, risk, stats
from nup.overseas.risk import MilestoneFact, ReportFact

pytestmark = pytest.mark.calendar  # built relative to today: make test runs it at fixed instants too

TODAY = date(2026, 7, 20)


def test_an_on_track_plan_has_no_reasons():
    periods = kpis.periods(date(2026, 3, 1), TODAY, "monthly")
    reports = [ReportFact(p.start, "accepted") for p in periods]
    assert (
        risk.assess(
            today=TODAY,
            milestones=[MilestoneFact("CES", date(2026, 8, 1), "planned")],
            periods=periods,
            reports=reports,
            budget_won=100,
            spent_won=100,
        )
        == []
    )


def test_an_overdue_milestone_raises_a_flag_but_a_submitted_one_does_not():
    reasons = risk.assess(
        today=TODAY,
        milestones=[
            MilestoneFact("Kick-off", date(2026, 3, 15), "planned"),
            MilestoneFact("CES", date(2026, 7, 1), "submitted"),
            MilestoneFact("Today", TODAY, "planned"),
        ],
    )
    assert [(r.code, r.detail) for r in reasons] == [("milestone_overdue", "Kick-off")]


def test_a_report_missing_after_its_due_date_is_a_risk_only_once_the_grace_has_passed():
    periods = kpis.periods(date(2026, 6, 1), TODAY, "monthly")  # June due 10 July; July not yet due
    assert [r.detail for r in risk.assess(today=TODAY, periods=periods, due_days=10)] == ["2026-06"]
    assert risk.assess(today=date(2026, 7, 10), periods=periods, due_days=10) == []


def test_a_returned_report_left_uncorrected_for_two_weeks_is_a_risk():
    returned = ReportFact(date(2026, 6, 1), "returned", decided_on=date(2026, 7, 1))
    assert [r.code for r in risk.assess(today=TODAY, reports=[returned])] == ["report_returned"]
    assert risk.assess(today=date(2026, 7, 10), reports=[returned]) == []


def test_overspending_reclaim_grounds_and_a_failed_check_are_risks():
    reasons = risk.assess(
        today=TODAY, budget_won=100, spent_won=150, reclaim_grounds=["fraud", "fraud"], failed_checks=["midterm"]
    )
    assert [r.code for r in reasons] == ["overspent", "reclaim", "check_failed"]
    assert reasons[0].detail == "50"


def test_spearman_is_one_for_the_same_order_and_minus_one_for_the_reverse():
    assert stats.spearman([1, 2, 3, 4], [10, 20, 30, 400]).rho == 1.0
    assert stats.spearman([1, 2, 3, 4], [9, 7, 5, 1]).rho == -1.0


def test_spearman_handles_ties_with_average_ranks():
    assert stats.average_ranks([10, 20, 20, 30]) == [1.0, 2.5, 2.5, 4.0]
    # x = 1..5, y = 1,2,2,4,3: y ranks 1, 2.5, 2.5, 5, 4 -> rho = 8.5 / sqrt(10 * 9.5) = 0.8721
    assert stats.spearman([1, 2, 3, 4, 5], [1, 2, 2, 4, 3]).rho == pytest.approx(8.5 / (10 * 9.5) ** 0.5, abs=1e-4)


def test_spearman_says_nothing_with_too_few_firms_or_no_variation():
    assert stats.spearman([1, 2], [1, 2]).rho is None
    none = stats.spearman([80, 85, 90], [0, 0, 0])
    assert none.rho is None and none.n == 3 and none.strength == "none"
    with pytest.raises(ValueError):
        stats.spearman([1, 2, 3], [1, 2])


def test_strength_words_follow_the_size_of_rho():
    assert stats.Correlation(0.7, 10).strength == "strong"
    assert stats.Correlation(-0.4, 10).strength == "moderate"
    assert stats.Correlation(0.1, 10).strength == "weak"


def test_quartiles_group_firms_by_rank_best_first():
    groups = stats.quartile_means([1, 2, 3, 4, 5, 6, 7, 8], [80, 60, 40, 40, 20, 20, 0, 0])
    assert groups == [(1, 2, 70.0), (2, 2, 40.0), (3, 2, 20.0), (4, 2, 0.0)]
    assert stats.quartile_means([], []) == []
