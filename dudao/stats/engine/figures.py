"""Figures: a value with its unit, period, scope, indicator and subject; the checks two figures
must pass before they are combined; and the engine's one error class."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from dudao.core.numbers import (
    ZERO,
    FigureError,
    dec,
)
from dudao.core.numbers import add as _add
from dudao.core.periods import Period

K = TypeVar("K", bound=Hashable)
G = TypeVar("G", bound=Hashable)
R = TypeVar("R")

_HUNDRED = Decimal(100)
_ZERO = ZERO
_UNIT_WAN = "万元"
_UNIT_YI = "亿元"


# The engine's error is the arithmetic's error: one class, caught the same everywhere.
StatsError = FigureError


@dataclass(frozen=True, slots=True)
class Figure:
    """A value with the unit, period, statistical scope, indicator and subject it belongs to."""

    value: Decimal
    unit: str
    period: Period
    scope: str
    indicator: str = ""
    subject: str = ""

    def __post_init__(self) -> None:
        """Refuse non-Decimal or non-finite values."""
        if not isinstance(self.value, Decimal) or not self.value.is_finite():
            raise StatsError(
                f"{self.indicator or '指标'}的数值必须为有限的 Decimal：{self.value!r}"
            )

    def describe(self) -> str:
        """Return a short Chinese description used in error messages."""
        who = self.subject or "（未注明主体）"
        return f"{who}{self.period.label()}{self.scope}{self.indicator}（{self.unit}）"


def _check_comparable(a: Figure, b: Figure, what: str) -> None:
    """Refuse two figures whose scope, indicator or unit differ."""
    if a.scope != b.scope:
        raise StatsError(f"{what}：统计口径不一致（{a.scope} 与 {b.scope}），不能计算")
    if a.indicator != b.indicator:
        raise StatsError(f"{what}：指标不一致（{a.indicator} 与 {b.indicator}），不能计算")
    if a.unit != b.unit:
        raise StatsError(f"{what}：计量单位不一致（{a.unit} 与 {b.unit}），请先换算")


def _check_same_period(a: Figure, b: Figure, what: str) -> None:
    """Refuse two figures of different periods, or different scope/indicator/unit."""
    if a.period != b.period:
        raise StatsError(
            f"{what}：统计期不一致（{a.period.label()} 与 {b.period.label()}），不能计算"
        )
    _check_comparable(a, b, what)


def _check_base_period(current: Figure, base: Figure, what: str) -> None:
    """Refuse a base that is not the same period of the previous year, or not comparable."""
    expected = current.period.previous_year()
    if base.period != expected:
        raise StatsError(
            f"{what}：基期应为{expected.label()}，实为{base.period.label()}，不能计算同比"
        )
    _check_comparable(current, base, what)


def _value(x: Figure | Decimal) -> Decimal:
    """Return the Decimal held by a Figure, or the Decimal itself (validated)."""
    return x.value if isinstance(x, Figure) else dec(x)


def sum_figures(figures: Iterable[Figure], *, subject: str = "") -> Figure:
    """Add figures of one period/scope/indicator/unit into a total for ``subject``."""
    items = list(figures)
    if not items:
        raise StatsError("没有可汇总的数据")
    first = items[0]
    total = _ZERO
    for item in items:
        _check_same_period(first, item, "汇总")
        total = _add(total, item.value)
    return Figure(total, first.unit, first.period, first.scope, first.indicator, subject)
