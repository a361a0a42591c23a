"""Mentoring-hour accounting (pure): hours and won against a firm's budget, and checks on sessions and logs."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Budget:
    hour_cap: float
    budget_won: int
    used_hours: float = 0.0
    used_won: int = 0


class AccountingError(ValueError):
    """A session or log the budget rules refuse; `code` is the caller's translation key."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _decimal(hours: float) -> Decimal:
    # The shortest repr of a float is the decimal a person typed: 39.7 + 0.3 is exactly 40 this way,
    # where float addition would give 40.00000000000001 and refuse a session that exactly reaches the cap.
    return Decimal(repr(float(hours)))


def _hours_text(hours: Decimal) -> str:
    return f"{hours.normalize():f}"


def session_fee(hours: float, fee_per_hour: int) -> int:
    """Return the fee in won for `hours` at `fee_per_hour`, to the nearest 10 won (halves up)."""
    if not (math.isfinite(hours) and hours > 0):
        raise AccountingError("not_positive", f"A session must last a positive number of hours, not {hours}.")
    if fee_per_hour < 0:
        raise AccountingError("negative_fee", f"A mentor's fee cannot be negative ({fee_per_hour:,} won per hour).")
    # Fractional hours (50 minutes is 0.8333 h) give fractions of a won. Amounts are settled to 10 won, the
    # smallest coin in use, rounding halves up as people do by hand, so the log, the budget and an officer's
    # own sum agree.
    tens = (_decimal(hours) * fee_per_hour / 10).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(tens) * 10


def check_session(budget: Budget, *, hours: float, fee_per_hour: int) -> Budget:
    """Return the budget after a session of `hours` at `fee_per_hour`; raise AccountingError if it does not fit.

    A session that exactly reaches the hour cap or the budget fits; one that would pass either by any
    amount is refused ("over_hours" first, then "over_budget"), saying what remains.
    """
    fee = session_fee(hours, fee_per_hour)
    cap, used = _decimal(budget.hour_cap), _decimal(budget.used_hours)
    after = used + _decimal(hours)
    if after > cap:
        left = max(cap - used, Decimal(0))
        raise AccountingError(
            "over_hours",
            f"A {_hours_text(_decimal(hours))} h session would pass the hour cap: "
            f"{_hours_text(left)} h of {_hours_text(cap)} h remain.",
        )
    if budget.used_won + fee > budget.budget_won:
        left_won = max(budget.budget_won - budget.used_won, 0)
        raise AccountingError(
            "over_budget",
            f"A {fee:,} won session would pass the budget: {left_won:,} won of {budget.budget_won:,} won remain.",
        )
    return replace(budget, used_hours=float(after), used_won=budget.used_won + fee)


def check_log_duration(scheduled_minutes: int, logged_minutes: int) -> None:
    """Refuse a mentoring log with no duration or longer than its scheduled session."""
    if scheduled_minutes <= 0 or logged_minutes <= 0:
        raise AccountingError(
            "not_positive",
            f"A session and its log must last a positive number of minutes "
            f"(scheduled {scheduled_minutes}, logged {logged_minutes}).",
        )
    if logged_minutes > scheduled_minutes:
        raise AccountingError(
            "log_too_long",
            f"The log records {logged_minutes} minutes but the session was scheduled for {scheduled_minutes}; "
            "a log cannot be longer than its session.",
        )


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Return whether two sessions share any time; one ending as the other starts does not overlap."""
    if a_end < a_start or b_end < b_start:
        raise ValueError("A session cannot end before it starts.")
    return a_start < b_end and b_start < a_end
