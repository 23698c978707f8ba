"""Monthly values and 1–N月 cumulative values (February's value is 1–2月), and revisions."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from dudao.core.numbers import (
    ZERO,
    dec,
)
from dudao.core.numbers import add as _add
from dudao.core.numbers import sub as _sub
from dudao.stats.engine.figures import StatsError

_ZERO = ZERO


def _month_label(month: int) -> str:
    """Return "1-N月" for a cumulative month key."""
    return f"1-{month}月"


def _check_months(series: Mapping[int, Decimal], january_published: bool, what: str) -> list[int]:
    """Validate month keys form a gapless run from the first published month; return them."""
    if not series:
        raise StatsError(f"{what}：没有数据")
    months = sorted(series)
    for month in months:
        if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
            raise StatsError(f"{what}：月份不合法：{month!r}")
    if not january_published and 1 in series:
        raise StatsError(f"{what}：1月数据不单独发布，应与2月合并为1-2月数据")
    first = 1 if january_published else 2
    missing = [m for m in range(first, months[-1] + 1) if m not in series]
    if missing:
        names = "、".join(_month_label(m) for m in missing)
        raise StatsError(f"{what}：缺少{names}的数据，无法推算")
    return months


def monthly_from_cumulative(
    cumulative: Mapping[int, Decimal], *, january_published: bool = False
) -> dict[int, Decimal]:
    """Turn {N: 1–N月累计} into {N: 当月值}; February's value is 1–2月, January has none."""
    months = _check_months(cumulative, january_published, "由累计数推算当月数")
    result: dict[int, Decimal] = {}
    previous = _ZERO
    for month in months:
        current = dec(cumulative[month])
        result[month] = _sub(current, previous)
        previous = current
    return result


def cumulative_from_monthly(
    monthly: Mapping[int, Decimal], *, january_published: bool = False
) -> dict[int, Decimal]:
    """Turn {N: 当月值} (February = 1–2月) into {N: 1–N月累计}; gaps raise StatsError."""
    months = _check_months(monthly, january_published, "由当月数推算累计数")
    result: dict[int, Decimal] = {}
    running = _ZERO
    for month in months:
        running = _add(running, dec(monthly[month]))
        result[month] = running
    return result


def cumulative_drops(cumulative: Mapping[int, Decimal]) -> list[int]:
    """Return the months whose 1–N月 value is below the previous month's (a revision to note)."""
    drops: list[int] = []
    previous: Decimal | None = None
    for month in sorted(cumulative):
        current = dec(cumulative[month])
        if previous is not None and current < previous:
            drops.append(month)
        previous = current
    return drops
