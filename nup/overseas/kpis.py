"""Pure KPI rules: reporting periods of an agreement, and roll-ups of reported figures (no database)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta

FREQUENCIES = ("monthly", "quarterly")
WON_FIELDS = ("export_value_won", "overseas_sales_won", "investment_won")


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    label: str  # 2026-03 or 2026-Q1

    def due_on(self, due_days: int) -> date:
        return self.end + timedelta(days=due_days)


@dataclass(frozen=True)
class KpiFigures:
    """Reported KPI values in won (money) and counts; summed by `roll_up`."""

    export_contracts: int = 0
    export_value_won: int = 0
    overseas_sales_won: int = 0
    investment_won: int = 0
    jobs_overseas: int = 0
    jobs_domestic: int = 0
    entities: int = 0

    @property
    def jobs(self) -> int:
        return self.jobs_overseas + self.jobs_domestic

    @property
    def outcome_won(self) -> int:
        """Export contracts signed, overseas sales and investment attracted, in won."""
        return self.export_value_won + self.overseas_sales_won + self.investment_won

    def as_dict(self) -> dict[str, int]:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(jobs=self.jobs, outcome_won=self.outcome_won)
        return values


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has fewer days)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def agreement_end(starts_on: date, months: int) -> date:
    """The last day of an agreement of `months` months starting on `starts_on`."""
    return add_months(starts_on, months) - timedelta(days=1)


def period_of(day: date, frequency: str) -> Period:
    """The calendar month or quarter that contains `day`."""
    if frequency == "quarterly":
        first_month = (day.month - 1) // 3 * 3 + 1
        start = date(day.year, first_month, 1)
        label = f"{day.year}-Q{(day.month - 1) // 3 + 1}"
        months = 3
    else:
        start = date(day.year, day.month, 1)
        label = f"{day.year}-{day.month:02d}"
        months = 1
    return Period(start, add_months(start, months) - timedelta(days=1), label)


def periods(starts_on: date, ends_on: date, frequency: str) -> list[Period]:
    """Every reporting period that overlaps the agreement, in order."""
    result: list[Period] = []
    current = period_of(starts_on, frequency)
    while current.start <= ends_on:
        result.append(current)
        current = period_of(current.end + timedelta(days=1), frequency)
    return result


def parse_period(label: str, frequency: str) -> Period | None:
    """The period a label names (2026-03 monthly, 2026-Q1 quarterly), or None when malformed."""
    text = (label or "").strip().upper()
    try:
        if frequency == "quarterly":
            year, quarter = text.split("-Q")
            if not 1 <= int(quarter) <= 4:
                return None
            return period_of(date(int(year), (int(quarter) - 1) * 3 + 1, 1), frequency)
        year, month = text.split("-")
        return period_of(date(int(year), int(month), 1), frequency)
    except ValueError:
        return None


def in_agreement(period: Period, starts_on: date, ends_on: date) -> bool:
    """Whether the period overlaps the agreement at all."""
    return period.start <= ends_on and period.end >= starts_on


def roll_up(reports: Iterable[KpiFigures]) -> KpiFigures:
    """Sum the figures of many reports (the jobs and entities reported per period add up)."""
    totals = dict.fromkeys((f.name for f in fields(KpiFigures)), 0)
    for report in reports:
        for name in totals:
            totals[name] += getattr(report, name)
    return KpiFigures(**totals)


def cumulative(by_period: Sequence[tuple[str, KpiFigures]]) -> list[tuple[str, KpiFigures]]:
    """Running totals over periods given in order."""
    running = KpiFigures()
    result = []
    for label, figures in by_period:
        running = roll_up([running, figures])
        result.append((label, running))
    return result


def share(part: int | float, whole: int | float) -> float:
    """part / whole as a fraction in 0..1 (0 when there is no whole)."""
    return max(0.0, min(1.0, part / whole)) if whole else 0.0
