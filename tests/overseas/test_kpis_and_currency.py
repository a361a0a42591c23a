"""KPI roll-ups, reporting periods and currency conversion: pure functions, no database."""

from datetime import date
from decimal import Decimal

import pytest

from nup.overseas import currency, kpis
from nup.overseas.kpis import KpiFigures

pytestmark = pytest.mark.calendar  # built relative to today: make test runs it at fixed instants too


def test_a_ten_month_agreement_ends_the_day_before_the_same_date_ten_months_later():
    assert kpis.agreement_end(date(2026, 3, 1), 10) == date(2026, 12, 31)
    assert kpis.agreement_end(date(2026, 1, 31), 1) == date(2026, 2, 27)  # 28 Feb is the same date a month later


def test_monthly_periods_cover_every_month_the_agreement_touches():
    periods = kpis.periods(date(2026, 3, 15), date(2027, 1, 14), "monthly")
    assert [p.label for p in periods][:2] == ["2026-03", "2026-04"]
    assert periods[-1].label == "2027-01"
    assert len(periods) == 11
    assert periods[0].start == date(2026, 3, 1) and periods[0].end == date(2026, 3, 31)


def test_quarterly_periods_and_their_due_date():
    periods = kpis.periods(date(2026, 2, 1), date(2026, 11, 30), "quarterly")
    assert [p.label for p in periods] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert periods[1].end == date(2026, 6, 30)
    assert periods[1].due_on(10) == date(2026, 7, 10)


@pytest.mark.parametrize(
    ("label", "frequency", "expected"),
    [
        ("2026-03", "monthly", date(2026, 3, 1)),
        ("2026-q3", "quarterly", date(2026, 7, 1)),
        ("2026-13", "monthly", None),
        ("2026-Q5", "quarterly", None),
        ("march", "monthly", None),
        ("", "monthly", None),
    ],
)
def test_a_period_label_is_parsed_or_refused(label, frequency, expected):
    period = kpis.parse_period(label, frequency)
    assert (period.start if period else None) == expected


def test_a_period_outside_the_agreement_is_recognised():
    start, end = date(2026, 3, 1), date(2026, 12, 31)
    assert kpis.in_agreement(kpis.parse_period("2026-03", "monthly"), start, end)
    assert not kpis.in_agreement(kpis.parse_period("2027-01", "monthly"), start, end)
    assert not kpis.in_agreement(kpis.parse_period("2026-02", "monthly"), start, end)


def test_roll_up_sums_every_figure_and_the_outcome():
    total = kpis.roll_up(
        [
            KpiFigures(export_contracts=1, export_value_won=100, overseas_sales_won=50, jobs_overseas=1, entities=1),
            KpiFigures(export_contracts=2, investment_won=1_000, jobs_domestic=3),
        ]
    )
    assert total.export_contracts == 3
    assert total.outcome_won == 1_150
    assert total.jobs == 4
    assert total.entities == 1
    assert kpis.roll_up([]) == KpiFigures()


def test_cumulative_totals_run_over_the_periods_in_order():
    running = kpis.cumulative(
        [("2026-03", KpiFigures(overseas_sales_won=10)), ("2026-04", KpiFigures(overseas_sales_won=5))]
    )
    assert [(label, f.overseas_sales_won) for label, f in running] == [("2026-03", 10), ("2026-04", 15)]


def test_dollars_convert_to_whole_won_rounding_half_up():
    amount = currency.parse_amount("12,500.50", "USD")
    rate = currency.parse_rate("1385.20", "USD")
    assert amount == Decimal("12500.50")
    assert currency.to_won(amount, rate) == 17_315_693  # 17,315,692.6 rounds up
    assert currency.to_won(Decimal("0.5"), Decimal(1)) == 1
    assert currency.to_minor(amount, "USD") == 1_250_050
    assert currency.format_amount(1_250_050, "USD") == "12,500.50 USD"


def test_yen_have_no_decimals_and_won_always_convert_at_one():
    with pytest.raises(currency.AmountError):
        currency.parse_amount("100.5", "JPY")
    assert currency.to_won(currency.parse_amount("1000000", "JPY"), currency.parse_rate("9.12", "JPY")) == 9_120_000
    assert currency.parse_rate("1400", "KRW") == 1


@pytest.mark.parametrize("raw", ["-1", "-0.01", "abc", "1e400", "NaN", "10000000000000"])
def test_negative_or_malformed_amounts_are_refused(raw):
    with pytest.raises(currency.AmountError):
        currency.parse_amount(raw, "USD")


@pytest.mark.parametrize("raw", ["0", "-5", "", "abc", "1000000"])
def test_implausible_rates_are_refused(raw):
    with pytest.raises(currency.AmountError):
        currency.parse_rate(raw, "EUR")


@pytest.mark.parametrize("code", ["XYZ", "", "usd ", "BTC"])
def test_only_listed_iso_currencies_are_accepted(code):
    if code.strip().upper() == "USD":
        assert currency.check_currency(code) == "USD"
    else:
        with pytest.raises(currency.AmountError):
            currency.check_currency(code)


def test_conversion_is_exact_with_decimal_not_float():
    # 0.1 + 0.2 in float is 0.30000000000000004: Decimal keeps cents exact.
    total = currency.parse_amount("0.10", "EUR") + currency.parse_amount("0.20", "EUR")
    assert currency.to_won(total, currency.parse_rate("1500", "EUR")) == 450
