"""Share, percentage-point gaps (个百分点), contribution (贡献率) and pull (拉动)."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from dudao.core.numbers import (
    dec,
    displayed_percent,
    round_half_up,
)
from dudao.core.numbers import div as _div
from dudao.core.numbers import mul as _mul
from dudao.core.numbers import sub as _sub
from dudao.stats.engine.figures import (
    Figure,
    StatsError,
    _check_base_period,
    _check_same_period,
    _value,
)
from dudao.stats.engine.growth import Growth, _rate

_HUNDRED = Decimal(100)


def share(part: Figure, whole: Figure, *, within_whole: bool = False) -> Decimal:
    """Return part/whole as a fraction; refuse mismatched period/scope/indicator/unit, whole ≤ 0.

    ``within_whole`` (the catalogue says the part lies inside the whole): a share above 100%
    is refused — the part or the whole is wrong, most often a total typed in 亿元 instead of
    万元 — rather than printed into a sentence."""
    _check_same_period(part, whole, "占比")
    if whole.value <= 0:
        raise StatsError(f"总量为零或负数，不能计算占比：{whole.describe()}")
    ratio = _div(part.value, whole.value)
    if within_whole and ratio > 1:
        raise StatsError(
            f"{part.subject or '部分'}的{part.indicator}大于{whole.subject or '总量'}，"
            "占比超过100%，不予计算。请核对计量单位（是否以亿元填报）"
        )
    return ratio


class GapMode(StrEnum):
    """How a 个百分点 gap is derived (docs §6.4)."""

    DISPLAYED = "displayed"  # (b) subtract the rounded, displayed rates — the default
    UNROUNDED = "unrounded"  # (a) subtract unrounded rates, then round


def pp_difference(
    rate: Growth | Decimal,
    reference: Growth | Decimal,
    *,
    decimals: int = 1,
    mode: GapMode = GapMode.DISPLAYED,
) -> Decimal:
    """Return rate − reference in 个百分点 (points, rounded), by default from displayed rates."""
    a, b = _rate(rate), _rate(reference)
    if mode is GapMode.DISPLAYED:
        diff = _sub(displayed_percent(a, decimals), displayed_percent(b, decimals))
        return round_half_up(diff, decimals)
    return round_half_up(_mul(_sub(a, b), _HUNDRED), decimals)


def gap_reconciles(
    rate: Growth | Decimal,
    reference: Growth | Decimal,
    stated_points: Decimal,
    *,
    decimals: int = 1,
    tolerance: Decimal = Decimal("0.1"),
) -> bool:
    """Return True if a stated 个百分点 gap matches the displayed rates within ``tolerance``."""
    actual = pp_difference(rate, reference, decimals=decimals, mode=GapMode.DISPLAYED)
    return abs(_sub(actual, dec(stated_points))) <= dec(tolerance)


def _increment(current: Figure | Decimal, base: Figure | Decimal, what: str) -> Decimal:
    """Return current − base after checking Figures are the same scope one year apart."""
    if isinstance(current, Figure) and isinstance(base, Figure):
        _check_base_period(current, base, what)
    return _sub(_value(current), _value(base))


def contribution_rate(
    part_current: Figure | Decimal,
    part_base: Figure | Decimal,
    total_current: Figure | Decimal,
    total_base: Figure | Decimal,
) -> Decimal:
    """Return 贡献率 = part increment ÷ total increment (fraction); refuse a zero total change."""
    if isinstance(part_current, Figure) and isinstance(total_current, Figure):
        _check_same_period(part_current, total_current, "贡献率")
    part_inc = _increment(part_current, part_base, "贡献率")
    total_inc = _increment(total_current, total_base, "贡献率")
    if total_inc.is_zero():
        raise StatsError("总体增量为零，不能计算贡献率")
    return _div(part_inc, total_inc)


def pull_rate(
    part_current: Figure | Decimal,
    part_base: Figure | Decimal,
    total_base: Figure | Decimal,
) -> Decimal:
    """Return 拉动 = part increment ÷ total base (fraction; ×100 gives 个百分点)."""
    if isinstance(part_base, Figure) and isinstance(total_base, Figure):
        _check_same_period(part_base, total_base, "拉动")
    part_inc = _increment(part_current, part_base, "拉动")
    base = _value(total_base)
    if base <= 0:
        raise StatsError("总体上年同期值为零或负数，不能计算拉动")
    return _div(part_inc, base)
