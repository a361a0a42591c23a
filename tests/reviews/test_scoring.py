"""Aggregation rules with hand-worked cases."""

import pytest

from nup.reviews import scoring
from nup.reviews.scoring import BonusRule, Criterion, Ranked, Review

PSST = [Criterion("problem", 25), Criterion("solution", 30), Criterion("scale_up", 25), Criterion("team", 20)]


def test_weighted_total_multiplies_points_by_weights():
    rubric = [Criterion("problem", 30, 1.0), Criterion("solution", 40, 1.5)]
    assert scoring.weighted_total({"problem": 20, "solution": 30}, rubric) == 20 + 45


@pytest.mark.parametrize(
    ("points", "code"),
    [
        ({"problem": 26, "solution": 1, "scale_up": 1, "team": 1}, "out_of_range"),
        ({"problem": -1, "solution": 1, "scale_up": 1, "team": 1}, "out_of_range"),
        ({"problem": 1, "solution": 1, "scale_up": 1}, "missing"),
        ({"problem": 1, "solution": 1, "scale_up": 1, "team": 1, "luck": 5}, "unknown_criterion"),
        ({"problem": "ten", "solution": 1, "scale_up": 1, "team": 1}, "not_a_number"),
        ({"problem": True, "solution": 1, "scale_up": 1, "team": 1}, "not_a_number"),
    ],
)
def test_bad_score_sheets_are_refused_with_the_criterion_named(points, code):
    with pytest.raises(scoring.ScoreError) as error:
        scoring.weighted_total(points, PSST)
    assert error.value.code == code


def test_drops_one_highest_and_one_lowest_from_five():
    assert scoring.trimmed_mean([90, 80, 70, 60, 40], min_reviews=5) == 70


def test_keeps_every_total_below_the_threshold():
    assert scoring.trimmed_mean([90, 40, 70], min_reviews=5) == pytest.approx(66.67, abs=0.01)


def test_ties_at_the_top_and_bottom_drop_only_one_each():
    assert scoring.trimmed_mean([90, 90, 70, 50, 50], min_reviews=5) == pytest.approx((90 + 70 + 50) / 3)


def test_no_reviews_no_score():
    assert scoring.trimmed_mean([], min_reviews=5) is None
    assert scoring.final_score([], min_reviews=5).final is None


def test_bonus_is_added_after_trimming_and_capped():
    bonus = scoring.bonus_points(
        {"physical_ai": True, "women_led": True, "innobiz": True},
        [BonusRule("physical_ai", 3), BonusRule("women_led", 1), BonusRule("innobiz", 2)],
        cap=5,
    )
    assert bonus == 5
    result = scoring.final_score([95, 80, 70, 60, 20], min_reviews=5, bonus=bonus)
    # Trimmed first: (80 + 70 + 60) / 3 = 70; then + 5. Adding first would change which totals drop.
    assert result.trimmed_mean == 70 and result.final == 75 and result.trimmed


def test_penalty_and_ceiling():
    assert scoring.final_score([50, 50, 50], min_reviews=5, bonus=2, penalty=3).final == 49
    assert scoring.final_score([99, 99, 99], min_reviews=5, bonus=5, ceiling=100).final == 100
    assert scoring.final_score([1, 1, 1], min_reviews=5, penalty=5).final == 0


def test_rank_uses_tie_breakers_and_shares_a_rank_when_all_equal():
    ranked = scoring.rank(
        [
            Ranked(1, 80.0, (0,)),
            Ranked(2, 85.0, (0,)),
            Ranked(3, 80.0, (1,)),
            Ranked(4, 80.0, (0,)),
            Ranked(5, None),
        ]
    )
    assert [(r.application_id, r.rank) for r in ranked] == [(2, 1), (3, 2), (1, 3), (4, 3), (5, None)]


def _reviews(table):
    return [Review(reviewer, application, total) for reviewer, application, total in table]


def test_a_harsh_evaluator_is_corrected_in_the_adjusted_view():
    # True quality: Y (2) is better than X (1). Fair evaluators 1-4 score quality give or
    # take a little; evaluator 9 scores 20 points under quality and happens to review Y.
    quality = {1: 78, 2: 82, 3: 90, 4: 70, 5: 60, 6: 85, 7: 65}
    noise = {1: -1, 2: 1, 3: 0, 4: 2}
    table = [(r, app, q + noise[r]) for r in noise for app, q in quality.items() if not (r == 4 and app == 2)]
    table += [(9, app, quality[app] - 20) for app in (2, 3, 5, 6, 7)]
    view = scoring.adjusted_scores(_reviews(table))
    raw = {app: sum(t for _r, a, t in table if a == app) / sum(1 for _r, a, _t in table if a == app) for app in quality}
    assert raw[2] < raw[1]  # the official mean puts X above Y because of one harsh evaluator
    assert view.adjusted[2] > view.adjusted[1]  # the adjusted view shows the order the evaluators agree on
    assert view.reviewer_bias[9] < -5 < 5 > view.reviewer_bias[1]


def test_few_reviews_do_not_make_an_evaluator_harsh():
    table = [(1, 1, 70), (1, 2, 90), (2, 1, 72), (2, 2, 88), (3, 1, 50)]
    view = scoring.adjusted_scores(_reviews(table))
    assert abs(view.reviewer_bias[3]) < abs(50 - 74)  # one review is pulled toward everyone's mean


def test_outlier_reviews_are_flagged_and_agreement_measured():
    table = [(1, 1, 80), (2, 1, 82), (3, 1, 78), (4, 1, 20), (1, 2, 60), (2, 2, 62), (3, 2, 61), (4, 2, 59)]
    view = scoring.adjusted_scores(_reviews(table))
    assert [(o.reviewer_id, o.application_id) for o in view.outliers] == [(4, 1)]
    assert view.agreement is not None and view.agreement > 0
