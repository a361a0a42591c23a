"""Currencies the KPI reports accept (ISO 4217, a fixed list) and exact conversion to integer won."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

# code -> (minor-unit digits, Korean name, English name)
CURRENCIES: dict[str, tuple[int, str, str]] = {
    "KRW": (0, "원", "Korean won"),
    "USD": (2, "미국 달러", "US dollar"),
    "EUR": (2, "유로", "Euro"),
    "JPY": (0, "일본 엔", "Japanese yen"),
    "CNY": (2, "중국 위안", "Chinese yuan"),
    "GBP": (2, "영국 파운드", "Pound sterling"),
    "SGD": (2, "싱가포르 달러", "Singapore dollar"),
    "HKD": (2, "홍콩 달러", "Hong Kong dollar"),
    "TWD": (2, "대만 달러", "New Taiwan dollar"),
    "VND": (0, "베트남 동", "Vietnamese dong"),
    "IDR": (2, "인도네시아 루피아", "Indonesian rupiah"),
    "INR": (2, "인도 루피", "Indian rupee"),
    "AED": (2, "아랍에미리트 디르함", "UAE dirham"),
    "MXN": (2, "멕시코 페소", "Mexican peso"),
    "CAD": (2, "캐나다 달러", "Canadian dollar"),
    "AUD": (2, "호주 달러", "Australian dollar"),
    "CHF": (2, "스위스 프랑", "Swiss franc"),
}
# A rate far outside these bounds (won per unit) is a typing slip, not a market rate.
MIN_RATE, MAX_RATE = Decimal("0.01"), Decimal("100000")
# Roughly where each currency stood against the won in 2025-26 (won per unit). A reported rate must be
# within a factor of three of it: wide enough for years of market moves, narrow enough to catch a USD
# rate typed against yen, which would turn a report into trillions of won.
REFERENCE_RATES: dict[str, Decimal] = {
    code: Decimal(rate)
    for code, rate in {
        "USD": "1380",
        "EUR": "1500",
        "JPY": "9.2",
        "CNY": "190",
        "GBP": "1750",
        "SGD": "1030",
        "HKD": "177",
        "TWD": "43",
        "VND": "0.055",
        "IDR": "0.087",
        "INR": "16.5",
        "AED": "376",
        "MXN": "75",
        "CAD": "1000",
        "AUD": "900",
        "CHF": "1560",
    }.items()
}
RATE_BAND = Decimal(3)
RATE_DECIMALS = 6
MAX_AMOUNT = Decimal("1000000000000")  # a trillion units: catches a misplaced digit


class AmountError(ValueError):
    """A value that is not an acceptable amount, rate or currency; `message` says why (lazy string)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def currency_choices(language: str) -> list[tuple[str, str]]:
    """(code, 'USD — US dollar') pairs for a select."""
    return [(code, f"{code} — {names[2] if language == 'en' else names[1]}") for code, names in CURRENCIES.items()]


def check_currency(code: str | None) -> str:
    """The code in capitals if it is on the list; otherwise AmountError."""
    code = (code or "").strip().upper()
    if code not in CURRENCIES:
        raise AmountError(_l("Choose a currency from the list (ISO 4217 code such as USD, JPY or EUR)."))
    return code


def parse_amount(raw: object, currency: str) -> Decimal:
    """A non-negative amount with no more decimals than the currency has; commas are allowed."""
    text = str(raw if raw is not None else "").replace(",", "").replace(" ", "").strip()
    if text == "":
        return Decimal(0)
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise AmountError(_l("Enter an amount as a number, for example 12500.50.")) from error
    if not value.is_finite():
        raise AmountError(_l("Enter an amount as a number, for example 12500.50."))
    if value < 0:
        raise AmountError(_l("Amounts cannot be negative."))
    if value > MAX_AMOUNT:
        raise AmountError(_l("This amount is too large. Check the number of digits."))
    digits = CURRENCIES[currency][0]
    if value != value.quantize(Decimal(1).scaleb(-digits)):
        raise AmountError(_l("%(currency)s amounts have at most %(n)d decimal places.", currency=currency, n=digits))
    return value


def parse_rate(raw: object, currency: str) -> Decimal:
    """The won value of one unit of `currency`: exactly 1 for won, otherwise within sane bounds."""
    if currency == "KRW":
        return Decimal(1)
    text = str(raw if raw is not None else "").replace(",", "").strip()
    try:
        rate = Decimal(text)
    except InvalidOperation as error:
        raise AmountError(_l("Enter the exchange rate used (won per 1 unit of the currency).")) from error
    if not rate.is_finite() or rate <= 0:
        raise AmountError(_l("Enter the exchange rate used (won per 1 unit of the currency)."))
    if not MIN_RATE <= rate <= MAX_RATE:
        raise AmountError(_l("This exchange rate is not plausible. Give won per 1 unit (e.g. 1385.20 for USD)."))
    if rate != rate.quantize(Decimal(1).scaleb(-RATE_DECIMALS)):
        raise AmountError(_l("Give the exchange rate with at most %(n)d decimal places.", n=RATE_DECIMALS))
    reference = REFERENCE_RATES.get(currency)
    if reference is not None and not reference / RATE_BAND <= rate <= reference * RATE_BAND:
        raise AmountError(
            _l(
                "A %(currency)s rate of %(rate)s won is not plausible: expect between %(low)s and %(high)s won "
                "per unit.",
                currency=currency,
                rate=format(rate, "f"),
                low=format((reference / RATE_BAND).quantize(Decimal("0.001")).normalize(), "f"),
                high=format((reference * RATE_BAND).normalize(), "f"),
            )
        )
    return rate.normalize() if rate == rate.to_integral() else rate


def to_won(amount: Decimal, rate: Decimal) -> int:
    """Convert an amount at a rate (won per unit) to whole won, rounding half up."""
    return int((amount * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def to_minor(amount: Decimal, currency: str) -> int:
    """The amount in the currency's minor unit (cents) for exact storage."""
    return int(amount.scaleb(CURRENCIES[currency][0]))


def from_minor(minor: int, currency: str) -> Decimal:
    """The amount back from its minor unit."""
    return Decimal(minor).scaleb(-CURRENCIES.get(currency, (0,))[0])


def format_amount(minor: int, currency: str) -> str:
    """'12,500.50 USD' for display."""
    digits = CURRENCIES.get(currency, (0,))[0]
    return f"{from_minor(minor, currency):,.{digits}f} {currency}"


def rate_text(rate: Decimal) -> str:
    """The rate as exact decimal text for storage (never a float)."""
    return format(rate, "f")
