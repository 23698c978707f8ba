"""同比 growth: a published rate wins, else current/base − 1; the growth of a total."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from dudao.core.numbers import (
    ZERO,
    dec,
    displayed_percent,
)
from dudao.core.numbers import add as _add
from dudao.core.numbers import div as _div
from dudao.core.numbers import sub as _sub
from dudao.stats.engine.figures import Figure, StatsError, _check_base_period, _value

K = TypeVar("K", bound=Hashable)
_ZERO = ZERO


class GrowthSource(StrEnum):
    """Where a growth rate came from."""

    PUBLISHED = "published"
    COMPUTED = "computed"

    @property
    def label(self) -> str:
        """Return the Chinese label shown next to a rate ("发布增速" / "按总量计算")."""
        return "发布增速" if self is GrowthSource.PUBLISHED else "按总量计算"


@dataclass(frozen=True, slots=True)
class Growth:
    """A 同比 rate as an unrounded fraction, with its source and the levels seen (if any)."""

    rate: Decimal
    source: GrowthSource
    current: Decimal | None = None
    base: Decimal | None = None
    computed_rate: Decimal | None = None

    def percent(self, decimals: int = 1) -> Decimal:
        """Return the displayed percent (half-up), e.g. 13.2."""
        return displayed_percent(self.rate, decimals)


def _growth_from_levels(current: Decimal, base: Decimal) -> Decimal:
    """Return current/base − 1; refuse a zero or negative base."""
    if base.is_zero():
        raise StatsError("上年同期基数为零，不能计算同比增速")
    if base < 0:
        raise StatsError("上年同期基数为负数，同比增速无意义，请改用增减额表述")
    return _sub(_div(current, base), Decimal(1))


def yoy(
    current: Figure | Decimal | None,
    base: Figure | Decimal | None = None,
    published_rate: Decimal | None = None,
    *,
    require_published: bool = False,
) -> Growth:
    """Return the 同比 rate: a published rate (fraction) wins, else current/base − 1."""
    cur = None if current is None else _value(current)
    bas = None if base is None else _value(base)
    if isinstance(current, Figure) and isinstance(base, Figure):
        _check_base_period(current, base, "同比增速")
    if published_rate is not None:
        computed = None
        if cur is not None and bas is not None and bas > 0:
            computed = _growth_from_levels(cur, bas)
        return Growth(dec(published_rate), GrowthSource.PUBLISHED, cur, bas, computed)
    if require_published:
        raise StatsError("该指标按可比价计算，须使用统计部门发布的增速，不能由现价总量推算")
    if cur is None:
        raise StatsError("缺少本期数据，不能计算同比增速")
    if bas is None:
        raise StatsError("缺少上年同期数据，且无发布的增速，不能计算同比增速")
    rate = _growth_from_levels(cur, bas)
    return Growth(rate, GrowthSource.COMPUTED, cur, bas, rate)


def _rate(x: Growth | Decimal) -> Decimal:
    """Return the fraction held by a Growth, or the Decimal itself."""
    return x.rate if isinstance(x, Growth) else dec(x)


def growth_of_total(
    parts: Iterable[tuple[K, Decimal, Decimal | None]],
    *,
    require_published: bool = False,
) -> Growth:
    """Return the 同比 of a total computed from its parts' levels: Σcurrent ÷ Σbase − 1.

    ``parts`` are (name, current, base); every part needs its same-period base, otherwise the
    two sums would not cover the same units and the rate would be wrong: the error names them.
    Comparable-price indicators cannot be totalled from nominal levels at all.
    """
    if require_published:
        raise StatsError("该指标按可比价计算，须使用统计部门发布的增速，不能由现价总量推算")
    items = list(parts)
    if not items:
        raise StatsError("没有可汇总的数据，不能计算同比增速")
    missing = [name for name, _, base in items if base is None]
    if missing:
        names = "、".join(str(n) for n in missing[:5])
        more = f"等{len(missing)}个单位" if len(missing) > 5 else ""
        raise StatsError(f"{names}{more}缺少上年同期数，不能计算合计的同比增速")
    current = _ZERO
    base = _ZERO
    for _, cur, bas in items:
        if bas is not None:  # always true: the missing bases were refused above
            current = _add(current, dec(cur))
            base = _add(base, dec(bas))
    return yoy(current, base)
