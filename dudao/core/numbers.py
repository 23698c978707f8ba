"""Decimal arithmetic every figure uses: exact values, half-up rounding on the displayed value,
percent and unit conversions. Pure Python, no Django; the one place a number is rounded.

* All arithmetic is ``decimal.Decimal`` through a private fixed context (28 significant
  digits), never float; floats are refused with ``FigureError``.
* Rates are unrounded Decimal fractions (``Decimal("0.132")`` is 13.2%); only display rounds,
  ROUND_HALF_UP (half away from zero: −2.45 → −2.5), and negative zero never appears.
* Money is stored in 万元 and displayed in 亿元 (or 万元, chosen per table) with thousands
  separators (``format_amount``).
"""

from __future__ import annotations

from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)

__all__ = [
    "ZERO",
    "FigureError",
    "add",
    "dec",
    "displayed_percent",
    "div",
    "format_amount",
    "format_decimal",
    "format_percent",
    "format_yi",
    "from_percent",
    "mul",
    "round_half_up",
    "sub",
    "wan_to_yi",
    "yi_to_wan",
]

# Private context so a caller's thread-local decimal settings cannot change our figures.
_CTX = Context(
    prec=28,
    rounding=ROUND_HALF_EVEN,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)
_HUNDRED = Decimal(100)
_TEN_THOUSAND = Decimal(10000)
ZERO = Decimal(0)
_MAX_DECIMALS = 10


class FigureError(ValueError):
    """Raised when a figure cannot be computed honestly; the message is Chinese, user-facing."""


def dec(value: Decimal | int | str) -> Decimal:
    """Return ``value`` as a finite Decimal; refuse floats, bools, NaN and infinities."""
    if type(value) is Decimal and value.is_finite():  # the common case, without a copy
        return value
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise FigureError(
            f"数值类型不受支持（{type(value).__name__}），请使用 Decimal、整数或字符串"
        )
    try:
        result = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    except InvalidOperation:
        raise FigureError(f"无法识别的数值：{value!r}") from None
    if not result.is_finite():
        raise FigureError(f"数值必须为有限数：{value!r}")
    return result


def _check_decimals(decimals: int) -> None:
    """Refuse a number of decimals outside 0..10."""
    if isinstance(decimals, bool) or not isinstance(decimals, int):
        raise FigureError("小数位数必须为整数")
    if not 0 <= decimals <= _MAX_DECIMALS:
        raise FigureError(f"小数位数必须在0到{_MAX_DECIMALS}之间，实为{decimals}")


def div(numerator: Decimal, denominator: Decimal) -> Decimal:
    """Divide in the private context; the caller guarantees a non-zero denominator."""
    return _CTX.divide(numerator, denominator)


def add(a: Decimal, b: Decimal) -> Decimal:
    """Add in the private context."""
    return _CTX.add(a, b)


def sub(a: Decimal, b: Decimal) -> Decimal:
    """Subtract in the private context."""
    return _CTX.subtract(a, b)


def mul(a: Decimal, b: Decimal) -> Decimal:
    """Multiply in the private context."""
    return _CTX.multiply(a, b)


def round_half_up(value: Decimal, decimals: int = 1) -> Decimal:
    """Round ``value`` to ``decimals`` places, half away from zero, never returning −0."""
    _check_decimals(decimals)
    value = dec(value)
    result = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP, context=_CTX)
    return result.copy_abs() if result.is_zero() else result


def format_decimal(value: Decimal, decimals: int = 1, *, drop_trailing_zero: bool = False) -> str:
    """Render ``value`` half-up with ``decimals`` places; optionally "47.0" → "47" (whole only)."""
    rounded = round_half_up(value, decimals)
    if drop_trailing_zero and rounded == rounded.to_integral_value():
        rounded = round_half_up(rounded, 0)
    return f"{rounded:f}"


def from_percent(percent: Decimal) -> Decimal:
    """Convert a percent figure as published (``6.4``) into the stored fraction (``0.064``)."""
    return div(dec(percent), _HUNDRED)


def displayed_percent(rate: Decimal, decimals: int = 1) -> Decimal:
    """Return the percent shown to the reader for a fraction ``rate`` (0.132024 → 13.2)."""
    return round_half_up(mul(dec(rate), _HUNDRED), decimals)


def format_percent(rate: Decimal, decimals: int = 1, *, drop_trailing_zero: bool = False) -> str:
    """Render a fraction as a percent string with sign kept (0.4699953 → "47.0%")."""
    text = format_decimal(mul(dec(rate), _HUNDRED), decimals, drop_trailing_zero=drop_trailing_zero)
    return f"{text}%"


def wan_to_yi(value_wan: Decimal) -> Decimal:
    """Convert 万元 to 亿元 exactly (no rounding)."""
    return div(dec(value_wan), _TEN_THOUSAND)


def yi_to_wan(value_yi: Decimal) -> Decimal:
    """Convert 亿元 to 万元 exactly."""
    return mul(dec(value_yi), _TEN_THOUSAND)


def format_yi(value_wan: Decimal, decimals: int = 1) -> str:
    """Render an amount held in 万元 as 亿元 digits without unit (9046000 → "904.6")."""
    return format_decimal(wan_to_yi(value_wan), decimals)


AMOUNT_UNITS = ("万元", "亿元")


def format_amount(value_wan: Decimal, unit: str = "万元", decimals: int = 1) -> str:
    """Render an amount held in 万元 in ``unit`` (万元 or 亿元), half-up on the displayed
    value, with thousands separators and no unit text (29973207.14 → "29,973,207.1" in 万元,
    "2,997.3" in 亿元)."""
    if unit not in AMOUNT_UNITS:
        raise FigureError(f"unknown amount unit {unit!r}")
    value = wan_to_yi(value_wan) if unit == "亿元" else dec(value_wan)
    return f"{round_half_up(value, decimals):,f}"
