"""Statistics engine: the single source of every figure Dudao prints.

Pure Python, no Django. Conventions (see docs/domain-research.md §6.3, §6.4, §8, §9):

* All arithmetic is ``decimal.Decimal`` through a private fixed context (28 significant
  digits), never float; floats are refused with ``StatsError``.
* Money is stored in 万元 and displayed in 亿元.
* Rates (growth, share, contribution, pull) are **unrounded Decimal fractions**:
  ``Decimal("0.132")`` means 13.2%. Only formatting multiplies by 100 and rounds.
* Percentage-point gaps (个百分点) are Decimal **points** (``Decimal("11.4")``), already
  rounded, because by default they are computed from the displayed rates (mode "displayed",
  §6.4 mode (b)), so every printed sentence adds up: 26.5% − 15.1% = 11.4个百分点.
* Rounding is ROUND_HALF_UP on the displayed value only (half away from zero, so
  −2.45 displays as −2.5 and is worded "下降2.5%"). Negative zero never appears.
* ``Figure.scope`` is the statistical caliber (统计口径, e.g. 规模以上工业); ``subject`` is the
  unit the figure describes (e.g. 18家产业集聚区 / 全市); ``indicator`` is the measure.
* Errors are ``StatsError`` (a ``ValueError``) with Chinese, user-facing messages.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import (
    Decimal,
)
from enum import StrEnum
from typing import TypeVar

from dudao.core.numbers import (
    ZERO,
    FigureError,
    dec,
    displayed_percent,
    format_decimal,
    format_percent,
    format_yi,
    from_percent,
    round_half_up,
    wan_to_yi,
    yi_to_wan,
)
from dudao.core.numbers import add as _add
from dudao.core.numbers import div as _div
from dudao.core.numbers import mul as _mul
from dudao.core.numbers import sub as _sub
from dudao.core.periods import Period
from dudao.core.ranks import (
    RankChange,
    RankMove,
    competition_rank,
    fastest_risers,
    rank_change_phrase,
    rank_changes,
    top_n,
)

__all__ = [
    "Figure",
    "GapMode",
    "Growth",
    "GrowthSource",
    "Period",
    "RankChange",
    "RankMove",
    "StatsError",
    "SummaryLine",
    "SummaryOptions",
    "amount_phrase",
    "change_phrase",
    "competition_rank",
    "contribution_phrase",
    "contribution_rate",
    "cumulative_drops",
    "cumulative_from_monthly",
    "dec",
    "displayed_percent",
    "fastest_risers",
    "figure_sentence",
    "format_amount",
    "format_decimal",
    "format_percent",
    "format_yi",
    "formula_value",
    "from_percent",
    "gap_phrase",
    "gap_reconciles",
    "group_counts",
    "group_totals",
    "growth_of_total",
    "growth_phrase",
    "join_clauses",
    "monthly_from_cumulative",
    "park_totals_by_city",
    "pp_difference",
    "pull_phrase",
    "pull_rate",
    "rank_change_phrase",
    "rank_changes",
    "round_half_up",
    "share",
    "share_phrase",
    "sum_figures",
    "summary_line",
    "top_n",
    "wan_to_yi",
    "yi_to_wan",
    "yoy",
]

K = TypeVar("K", bound=Hashable)
G = TypeVar("G", bound=Hashable)
R = TypeVar("R")

_HUNDRED = Decimal(100)
_ZERO = ZERO
_UNIT_WAN = "万元"
_UNIT_YI = "亿元"


# The engine's error is the arithmetic's error: one class, caught the same everywhere.
StatsError = FigureError


# --------------------------------------------------------------------------------------------
# Basic Decimal helpers
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# Periods and figures
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Monthly values and 1–N月 cumulative values
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# 同比 growth
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Share, percentage points, contribution and pull
# --------------------------------------------------------------------------------------------


def share(part: Figure, whole: Figure) -> Decimal:
    """Return part/whole as a fraction; refuse mismatched period/scope/indicator/unit, whole ≤ 0."""
    _check_same_period(part, whole, "占比")
    if whole.value <= 0:
        raise StatsError(f"总量为零或负数，不能计算占比：{whole.describe()}")
    return _div(part.value, whole.value)


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


# --------------------------------------------------------------------------------------------
# Ranking
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# Group totals
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Reported series: revisions, growth of a total, formula indicators, park totals per city
# --------------------------------------------------------------------------------------------


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
        current = _add(current, dec(cur))
        base = _add(base, dec(bas))  # type: ignore[arg-type]
    return yoy(current, base)


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


# --------------------------------------------------------------------------------------------
# The cluster summary line: one indicator, the parks' total against the city (§6.4, §9.1–9.2)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SummaryOptions:
    """The [P] formatting choices of §6.3–6.4, stored as data by the caller."""

    rate_decimals: int = 1
    amount_decimals: int = 1
    gap_mode: GapMode = GapMode.DISPLAYED
    drop_trailing_zero: bool = False
    change_prefix: str = "同比"
    whole_name: str = "全市"


@dataclass(frozen=True, slots=True)
class SummaryLine:
    """Every figure of one indicator in the cluster summary, with notes on what was missing."""

    part: Figure
    whole: Figure | None
    share: Decimal | None
    growth: Growth | None
    reference_growth: Growth | None
    previous_growth: Growth | None
    gap_points: Decimal | None
    change_points: Decimal | None
    sentence: str
    clauses: tuple[str, ...]
    notes: tuple[str, ...]
    gap_mode: GapMode


def _try(notes: list[str], label: str, compute: Callable[[], R]) -> R | None:
    """Run ``compute``; on StatsError record "label：message" in ``notes`` and return None."""
    try:
        return compute()
    except StatsError as exc:
        notes.append(f"{label}：{exc}")
        return None


def summary_line(
    part: Figure,
    *,
    whole: Figure | None,
    growth: Growth | None,
    reference_growth: Growth | None,
    previous_growth: Growth | None,
    reference_label: str,
    verb: str = "完成",
    options: SummaryOptions = SummaryOptions(),
    notes: Iterable[str] = (),
) -> SummaryLine:
    """Build "{subject}完成X亿元，占全市的Y%，同比增长Z%，高于{ref}A个百分点，同比提高B个百分点".

    ``growth`` is the parts' 同比, ``reference_growth`` the whole's (for the gap) and
    ``previous_growth`` the parts' 同比 one year earlier (for 提高/下降). A missing input
    drops its clause and adds a note; nothing is guessed.
    """
    found = list(notes)
    opts = options
    rd = opts.rate_decimals
    ratio: Decimal | None = None
    if whole is None:
        found.append(f"占比：缺少{opts.whole_name}的已审核数")
    else:
        ratio = _try(found, "占比", lambda: share(part, whole))
    gap = change = None
    if growth is not None and reference_growth is not None:
        gap = pp_difference(growth, reference_growth, decimals=rd, mode=opts.gap_mode)
    if growth is not None and previous_growth is not None:
        change = pp_difference(growth, previous_growth, decimals=rd, mode=opts.gap_mode)
    clauses = [
        f"{part.subject}{amount_phrase(part, verb=verb, decimals=opts.amount_decimals)}",
        ""
        if ratio is None
        else share_phrase(
            ratio,
            whole_name=opts.whole_name,
            decimals=rd,
            drop_trailing_zero=opts.drop_trailing_zero,
        ),
        "" if growth is None else growth_phrase(growth, decimals=rd),
        "" if gap is None else gap_phrase(gap, reference_label, decimals=rd),
        "" if change is None else change_phrase(change, prefix=opts.change_prefix, decimals=rd),
    ]
    kept = tuple(c for c in clauses if c)
    return SummaryLine(
        part=part,
        whole=whole,
        share=ratio,
        growth=growth,
        reference_growth=reference_growth,
        previous_growth=previous_growth,
        gap_points=gap,
        change_points=change,
        sentence=f"{part.period.label()}，{join_clauses(*kept)}。",
        clauses=kept,
        notes=tuple(found),
        gap_mode=opts.gap_mode,
    )


# --------------------------------------------------------------------------------------------
# Phrases
# --------------------------------------------------------------------------------------------


def format_amount(figure: Figure, decimals: int = 1) -> str:
    """Render a figure with unit; 万元 is shown as 亿元 ("904.6亿元"), other units as they are."""
    if figure.unit == _UNIT_WAN:
        return f"{format_yi(figure.value, decimals)}{_UNIT_YI}"
    return f"{format_decimal(figure.value, decimals)}{figure.unit}"


def amount_phrase(figure: Figure, *, verb: str = "完成", decimals: int = 1) -> str:
    """Return "完成固定资产投资904.6亿元" from a figure's indicator and value."""
    return f"{verb}{figure.indicator}{format_amount(figure, decimals)}"


def share_phrase(
    rate: Decimal,
    *,
    whole_name: str = "全市",
    decimals: int = 1,
    drop_trailing_zero: bool = False,
) -> str:
    """Return "占全市的47.0%" (or "占全市的47%" with drop_trailing_zero) from a fraction."""
    pct = format_percent(rate, decimals, drop_trailing_zero=drop_trailing_zero)
    return f"占{whole_name}的{pct}"


def growth_phrase(
    growth: Growth | Decimal,
    *,
    prefix: str = "同比",
    decimals: int = 1,
    up_word: str = "增长",
    down_word: str = "下降",
    flat_phrase: str = "与上年同期持平",
) -> str:
    """Return "同比增长6.4%" / "同比下降12.4%" / "与上年同期持平" (judged after rounding)."""
    shown = displayed_percent(_rate(growth), decimals)
    if shown.is_zero():
        return flat_phrase
    word = up_word if shown > 0 else down_word
    return f"{prefix}{word}{format_decimal(abs(shown), decimals)}%"


def gap_phrase(points: Decimal, reference_name: str, *, decimals: int = 1) -> str:
    """Return "高于全市工业11.4个百分点" / "低于…" / "与全市工业持平" from a points gap."""
    shown = round_half_up(points, decimals)
    if shown.is_zero():
        return f"与{reference_name}持平"
    word = "高于" if shown > 0 else "低于"
    return f"{word}{reference_name}{format_decimal(abs(shown), decimals)}个百分点"


def change_phrase(
    points: Decimal,
    *,
    prefix: str = "同比",
    up_word: str = "提高",
    down_word: str = "下降",
    flat_phrase: str = "与上年同期持平",
    decimals: int = 1,
) -> str:
    """Return "同比提高16.2个百分点" / "较去年同期下降8.2个百分点" for a change in points."""
    shown = round_half_up(points, decimals)
    if shown.is_zero():
        return flat_phrase
    word = up_word if shown > 0 else down_word
    return f"{prefix}{word}{format_decimal(abs(shown), decimals)}个百分点"


def contribution_phrase(rate: Decimal, *, target: str = "", decimals: int = 1) -> str:
    """Return "对全市固定资产投资增长的贡献率为40.6%" (or "贡献率为40.6%" without target)."""
    lead = f"对{target}增长的" if target else ""
    return f"{lead}贡献率为{format_percent(rate, decimals)}"


def pull_phrase(rate: Decimal, *, target: str = "", decimals: int = 1) -> str:
    """Return "拉动全市固定资产投资增长6.3个百分点"; negative reads "下拉…增速6.0个百分点"."""
    shown = displayed_percent(rate, decimals)
    if shown < 0:
        return f"下拉{target}增速{format_decimal(abs(shown), decimals)}个百分点"
    return f"拉动{target}增长{format_decimal(shown, decimals)}个百分点"


def join_clauses(*clauses: str) -> str:
    """Join non-empty clauses with a full-width comma."""
    return "，".join(c for c in clauses if c)


def figure_sentence(
    part: Figure,
    *,
    whole: Figure | None = None,
    growth: Growth | Decimal | None = None,
    verb: str = "完成",
    whole_name: str = "全市",
    include_subject: bool = False,
    amount_decimals: int = 1,
    rate_decimals: int = 1,
    drop_trailing_zero: bool = False,
) -> str:
    """Return "完成固定资产投资904.6亿元，占全市的47.0%，同比增长13.2%" (clauses optional)."""
    head = amount_phrase(part, verb=verb, decimals=amount_decimals)
    if include_subject:
        head = f"{part.subject}{head}"
    share_clause = ""
    if whole is not None:
        share_clause = share_phrase(
            share(part, whole),
            whole_name=whole_name,
            decimals=rate_decimals,
            drop_trailing_zero=drop_trailing_zero,
        )
    growth_clause = "" if growth is None else growth_phrase(growth, decimals=rate_decimals)
    return join_clauses(head, share_clause, growth_clause)


# --------------------------------------------------------------------------------------------
# Tour phrases (观摩督导)
# --------------------------------------------------------------------------------------------

TOUR_VISIT_VERB = "实地查看了"
TOUR_COUNTY_WORD = "个县（市、区）"
TOUR_PARK_WORD = "位于产业集聚区（园区）"


def tour_sites_phrase(
    counts_by_type: Iterable[tuple[str, int]],
    *,
    scope: str = "全市",
    in_park: int | None = None,
    investment_wan: Decimal | None = None,
    county_count: int | None = None,
    decimals: int = 1,
) -> str:
    """Return "实地查看了全市61个产业项目和24个城建项目，…" from counts per site type.

    Types with a zero count are left out; two types are joined with 和, three or more with 、
    and a final 和. Optional clauses: how many counties, how many sites lie in parks, and the
    visited projects' total investment (万元 in, 亿元 out, half-up). Raises StatsError when no
    site was visited or a count is negative.
    """
    items = [(name, n) for name, n in counts_by_type if n != 0]
    if any(n < 0 for _, n in items) or (in_park is not None and in_park < 0):
        raise StatsError("项目个数不能为负数")
    if not items:
        raise StatsError("没有观摩项目，无法生成表述")
    parts = [f"{n}个{name}项目" for name, n in items]
    listed = parts[0] if len(parts) == 1 else "、".join(parts[:-1]) + "和" + parts[-1]
    total = sum(n for _, n in items)
    if in_park is not None and in_park > total:
        raise StatsError("位于园区的项目数不能多于项目总数")
    clauses = [f"{TOUR_VISIT_VERB}{scope}{listed}"]
    if county_count:
        clauses.append(f"覆盖{county_count}{TOUR_COUNTY_WORD}")
    if in_park is not None:
        clauses.append(f"其中{in_park}个项目{TOUR_PARK_WORD}" if in_park else "均不在园区内")
    if investment_wan is not None:
        clauses.append(f"总投资{format_yi(dec(investment_wan), decimals)}{_UNIT_YI}")
    return join_clauses(*clauses)
