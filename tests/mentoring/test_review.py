"""The yearly mentor review (pure): ranking by the startups' ratings and the bottom 20% flagged."""

from nup.mentoring.review import MentorYear, review_year


def year(mentor_id: int, ratings: tuple[int, ...], hours: float = 10.0) -> MentorYear:
    return MentorYear(
        mentor_id, f"m{mentor_id}", hours, sessions=5, startups=2, ratings=ratings, follow_ups=3, fee_won=1_000_000
    )


def test_the_bottom_fifth_of_ranked_mentors_is_flagged():
    years = [year(i, (5, 5, 5) if i < 8 else (2, 2, 3)) for i in range(10)]
    rows = review_year(years)
    assert [r.year.mentor_id for r in rows if r.flagged] == [8, 9]
    assert [r.rank for r in rows] == list(range(1, 11))
    assert rows[-1].average == 2.33


def test_never_more_than_a_fifth_is_flagged_and_too_few_ratings_are_not_ranked():
    rows = review_year([year(1, (5, 4, 5)), year(2, (1, 1, 1)), year(3, (3, 3, 3)), year(4, (1,)), year(5, ())])
    ranked = [r for r in rows if r.rank]
    assert [r.year.mentor_id for r in ranked] == [1, 3, 2]
    assert not any(r.flagged for r in rows)  # floor(3 x 20%) = 0: three ranked mentors flag nobody
    assert [(r.year.mentor_id, r.average, r.flagged) for r in rows if r.rank is None] == [
        (4, None, False),
        (5, None, False),
    ]


def test_ties_go_to_more_hours_then_the_lower_id():
    rows = review_year(
        [year(3, (4, 4, 4), 5), year(2, (4, 4, 4), 9), year(1, (4, 4, 4), 5), year(9, (1, 1, 1)), year(8, (5, 5, 5))]
    )
    assert [r.year.mentor_id for r in rows] == [8, 2, 1, 3, 9]
    assert [r.flagged for r in rows] == [False, False, False, False, True]
    assert rows[0].follow_up_share == 0.6
