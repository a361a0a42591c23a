"""The sweepers' pace: a pure rule of their own threshold (workers/schedule.py)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from workers.schedule import (
    ASSIGNMENT_RUN_STUCK_AFTER_SECONDS,
    MATCH_RUN_STUCK_AFTER_SECONDS,
    beat_schedule,
    sweep_interval,
)

thresholds = st.floats(min_value=0, max_value=7 * 24 * 3600, allow_nan=False)


def test_the_pace_is_half_the_threshold_between_5_and_60_seconds():
    assert sweep_interval(10) == 5
    assert sweep_interval(60) == 30
    assert sweep_interval(4) == 5  # never busier than every 5 s
    assert sweep_interval(0) == 5
    assert sweep_interval(600) == 60  # never slower than every minute


@settings(max_examples=60, deadline=None)
@given(after=thresholds, later=thresholds)
def test_a_lost_message_is_taken_up_within_the_threshold_and_a_half(after, later):
    interval = sweep_interval(after)
    assert 5 <= interval <= 60
    assert interval <= max(after / 2, 5)
    # Due `after` s after it was written, taken up by the next run at the latest.
    assert after + interval <= max(1.5 * after, after + 5)
    if later >= after:
        assert sweep_interval(later) >= interval  # a longer threshold never sweeps more often


@settings(max_examples=30, deadline=None)
@given(after=st.integers(min_value=1, max_value=3600))
def test_the_outbox_sweep_follows_notify_sweep_after_seconds(after):
    schedule = beat_schedule({"NOTIFY_SWEEP_AFTER_SECONDS": after})
    outbox = schedule["sweep-outbox"]
    assert outbox["task"] == "notifications.sweep"
    assert outbox["schedule"] == sweep_interval(after)
    assert outbox["options"]["queue"] == "priority"
    assert 0 < outbox["options"]["expires"] < outbox["schedule"]  # a late run gives way to the next


def test_the_run_sweepers_follow_their_own_threshold():
    from workers.tasks import mentoring, reviews

    schedule = beat_schedule({"NOTIFY_SWEEP_AFTER_SECONDS": 60})
    assert schedule["sweep-assignment-runs"]["schedule"] == sweep_interval(ASSIGNMENT_RUN_STUCK_AFTER_SECONDS)
    assert schedule["sweep-mentoring-runs"]["schedule"] == sweep_interval(MATCH_RUN_STUCK_AFTER_SECONDS)
    assert reviews.STUCK_AFTER.total_seconds() == ASSIGNMENT_RUN_STUCK_AFTER_SECONDS
    assert mentoring.STUCK_AFTER.total_seconds() == MATCH_RUN_STUCK_AFTER_SECONDS
    # The daily and weekly jobs keep their clock times.
    assert {"deadline-reminders", "weekly-status", "officer-digest", "overseas-daily"} <= set(schedule)
