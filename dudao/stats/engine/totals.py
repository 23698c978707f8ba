"""Group totals and counts, formula indicators (亩均税收 …) and park totals per city."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from decimal import Decimal
from typing import TypeVar

from dudao.core.numbers import (
    ZERO,
    dec,
)
from dudao.core.numbers import add as _add
from dudao.core.numbers import div as _div
from dudao.core.numbers import mul as _mul
from dudao.stats.engine.figures import StatsError

K = TypeVar("K", bound=Hashable)
G = TypeVar("G", bound=Hashable)
R = TypeVar("R")
_ZERO = ZERO


def group_totals(
    rows: Iterable[R], key: Callable[[R], G], value: Callable[[R], Decimal]
) -> dict[G, Decimal]:
    """Sum ``value(row)`` per ``key(row)``, groups in order of first appearance."""
    totals: dict[G, Decimal] = {}
    for row in rows:
        group = key(row)
        totals[group] = _add(totals.get(group, _ZERO), dec(value(row)))
    return totals


def group_counts(
    rows: Iterable[R], key: Callable[[R], G], where: Callable[[R], bool] | None = None
) -> dict[G, int]:
    """Count rows per ``key(row)`` (only rows passing ``where``), in order of first appearance."""
    counts: dict[G, int] = {}
    for row in rows:
        if where is None or where(row):
            group = key(row)
            counts[group] = counts.get(group, 0) + 1
    return counts


def formula_value(
    numerator: Decimal,
    denominator: Decimal,
    *,
    factor: Decimal = Decimal(1),
    divisor: Decimal = Decimal(1),
) -> Decimal:
    """Return numerator ÷ denominator × factor ÷ divisor (e.g. 亩均税收); refuse a zero base."""
    den = _mul(dec(denominator), dec(divisor))
    if den.is_zero():
        raise StatsError("分母为零，不能计算该公式指标")
    return _div(_mul(dec(numerator), dec(factor)), den)


def park_totals_by_city(
    rows: Iterable[tuple[K, G, Decimal]],
) -> dict[G, Decimal]:
    """Sum (park, city, value) rows per city; a park listed twice is an input error."""
    seen: set[K] = set()
    totals: dict[G, Decimal] = {}
    for park, city, value in rows:
        if park in seen:
            raise StatsError(f"园区{park}重复出现，合计会重复计算")
        seen.add(park)
        totals[city] = _add(totals.get(city, _ZERO), dec(value))
    return totals
