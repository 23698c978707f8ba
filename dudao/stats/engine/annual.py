"""Annual figures (年度指标): one figure a year, compared with the previous year (较上年).

A percent indicator (unit "%", e.g. A类企业占比) changes by 个百分点 computed from the
*displayed* rates of the two years (26.5% and 24.1% → 提高2.4个百分点), so a reader can check
the sentence with the printed numbers; any other indicator (亩均税收, 万元/亩) changes by a
growth rate of its levels (current ÷ last year − 1, displayed half-up). No previous figure, or
a growth from a zero or negative base, gives no change (None) and an explanation, never 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from dudao.core.numbers import dec, format_decimal, round_half_up
from dudao.stats.engine.figures import StatsError
from dudao.stats.engine.growth import yoy
from dudao.stats.engine.phrases import change_phrase, growth_phrase

PERCENT_UNIT = "%"


@dataclass(frozen=True)
class AnnualChange:
    """The change of an annual figure against last year: ``points`` (个百分点) for a percent
    indicator, ``growth`` (a fraction) otherwise; ``text`` is the phrase or why there is none."""

    points: Decimal | None
    growth: Decimal | None
    text: str

    @property
    def known(self) -> bool:
        return self.points is not None or self.growth is not None


def annual_change(
    current: Decimal,
    previous: Decimal | None,
    *,
    unit: str,
    decimals: int = 1,
    rate_decimals: int = 1,
) -> AnnualChange:
    """较上年变化 of an annual figure. ``decimals`` are the indicator's display decimals (the
    rates of a percent indicator are shown with them); ``rate_decimals`` those of a growth rate."""
    cur = dec(current)
    if previous is None:
        return AnnualChange(None, None, "上年无数据，不计算变化")
    prev = dec(previous)
    if unit == PERCENT_UNIT:
        points = round_half_up(
            round_half_up(cur, decimals) - round_half_up(prev, decimals), decimals
        )
        text = change_phrase(points, prefix="较上年", flat_phrase="与上年持平", decimals=decimals)
        return AnnualChange(points, None, text)
    try:
        growth = yoy(cur, prev).rate
    except StatsError as exc:
        return AnnualChange(None, None, str(exc).replace("上年同期", "上年"))
    text = growth_phrase(growth, prefix="较上年", decimals=rate_decimals, flat_phrase="与上年持平")
    return AnnualChange(None, growth, text)


def annual_display(value: Decimal, unit: str, decimals: int) -> str:
    """An annual figure as printed: half-up with the indicator's decimals, then its unit."""
    return f"{format_decimal(dec(value), decimals)}{unit}"
