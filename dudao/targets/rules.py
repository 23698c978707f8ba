"""The rules of 年度目标, pure functions (no database): 序时进度, completion, the gap in
个百分点 from the displayed rates, the light and the weak-link test from thresholds held as
data, the year-end forecast, the weighted score and the plain-Chinese sentence.

Conventions: rates are percents as displayed (``Decimal("74.0")`` is 74.0%), rounded half-up
by ``dudao.core.numbers``; a gap is in 个百分点, positive when the unit is ahead (better than
序时进度 or than the target rate), whatever the indicator's direction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from dudao.core.lights import Light, band
from dudao.core.numbers import (
    ZERO,
    add,
    div,
    format_decimal,
    mul,
    round_half_up,
    sub,
)

HUNDRED = Decimal(100)
TWELVE = Decimal(12)
LEVEL_KINDS = ("absolute", "count")
RATE_KINDS = ("growth", "share")
KIND_LABELS = {"absolute": "绝对量", "growth": "增速", "count": "个数", "share": "占比"}


@dataclass(frozen=True)
class Thresholds:
    """Light and weak-link thresholds (from `TargetSettings`), in 个百分点 behind."""

    yellow_from: Decimal
    red_above: Decimal
    weak_from: Decimal
    rate_yellow_from: Decimal
    rate_red_above: Decimal
    rate_weak_from: Decimal
    decimals: int = 1


@dataclass(frozen=True)
class Actual:
    """What the owning engine reported for a unit: for a level kind the 1–N月 value, for a
    growth kind the displayed 同比 percent, for a share kind the displayed percent."""

    value: Decimal
    display: str
    cumulative: bool = True


@dataclass(frozen=True)
class Evaluation:
    completion: Decimal | None
    schedule: Decimal | None
    gap: Decimal | None
    light: Light
    weak: bool
    gap_display: str
    forecast: Decimal | None = None
    forecast_method: str = ""


def check_curve(curve: Sequence[object]) -> str:  # noqa: PLR0911 - one return per refusal
    """'' when `curve` is empty or 12 non-decreasing percents ending at 100; else the reason."""
    if not curve:
        return ""
    if len(curve) != 12:
        return "月度序时曲线应为12个数（1–12月累计百分数）。"
    try:
        values = [Decimal(str(v)) for v in curve]
    except ArithmeticError:
        return "月度序时曲线只能填数字。"
    if any(not v.is_finite() or v < 0 or v > HUNDRED for v in values):
        return "月度序时曲线的每个数应在0到100之间。"
    if any(b < a for a, b in pairwise(values)):
        return "月度序时曲线应逐月不减。"
    if values[-1] != HUNDRED:
        return "月度序时曲线12月应为100。"
    return ""


def schedule_pct(month: int, curve: Sequence[object] = (), decimals: int = 1) -> Decimal:
    """序时进度 as displayed: month ÷ 12 × 100, or the row's monthly curve."""
    if curve:
        return round_half_up(Decimal(str(curve[month - 1])), decimals)
    return round_half_up(div(mul(Decimal(month), HUNDRED), TWELVE), decimals)


def _gap_display(  # noqa: PLR0911 - one return per wording
    kind: str, gap: Decimal | None, *, higher: bool, decimals: int
) -> str:
    if gap is None:
        return "—"
    points = format_decimal(abs(gap), decimals)
    if kind in RATE_KINDS:
        what = "目标增速" if kind == "growth" else "目标占比"
        if gap.is_zero():
            return f"与{what}持平"
        if higher:
            return f"{'高于' if gap > 0 else '低于'}{what}{points}个百分点"
        return f"{'低于' if gap > 0 else '高于'}{what}{points}个百分点"
    if gap.is_zero():
        return "与序时进度持平"
    if higher:
        return f"{'超' if gap > 0 else '落后'}序时进度{points}个百分点"
    return f"{'低于' if gap > 0 else '超出'}序时进度{points}个百分点"


def measure(
    *,
    kind: str,
    target: Decimal,
    higher: bool,
    month: int,
    actual: Decimal | None,
    curve: Sequence[object] = (),
    decimals: int = 1,
) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """(completion, 序时进度, gap) as displayed, the gap in 个百分点 and positive when ahead:
    the one place these three figures are computed (`evaluate` and the trend both use it)."""
    if kind in RATE_KINDS:
        if actual is None:
            return None, None, None
        shown_actual = round_half_up(actual, decimals)
        shown_target = round_half_up(target, decimals)
        gap = sub(shown_actual, shown_target) if higher else sub(shown_target, shown_actual)
        return None, None, gap
    schedule = schedule_pct(month, curve, decimals)
    if actual is None or target.is_zero():
        return None, schedule, None
    completion = round_half_up(div(mul(actual, HUNDRED), target), decimals)
    gap = sub(completion, schedule) if higher else sub(schedule, completion)
    return completion, schedule, gap


def evaluate(
    *,
    kind: str,
    target: Decimal,
    higher: bool,
    month: int,
    actual: Actual | None,
    thresholds: Thresholds,
    curve: Sequence[object] = (),
    last_year_ytd: Decimal | None = None,
    last_year_full: Decimal | None = None,
) -> Evaluation:
    """Evaluate one row for 1–`month`. See the module docstring for the conventions."""
    completion, schedule, gap = measure(
        kind=kind,
        target=target,
        higher=higher,
        month=month,
        actual=None if actual is None else actual.value,
        curve=curve,
        decimals=thresholds.decimals,
    )
    if actual is None:
        return Evaluation(None, schedule, None, Light.GREY, False, "—")
    forecast, method = (
        (None, "")
        if kind in RATE_KINDS
        else _forecast(actual, month, last_year_ytd, last_year_full)
    )
    if gap is None:
        # A zero target: 0 as a ceiling (lower is better) is met only by 0; as a floor it is
        # always met.
        met = higher or actual.value <= 0
        light = Light.GREEN if met else Light.RED
        return Evaluation(None, schedule, None, light, not met, "—", forecast, method)
    done = _finish(kind, gap, thresholds, completion=completion, schedule=schedule, higher=higher)
    return Evaluation(
        done.completion,
        done.schedule,
        done.gap,
        done.light,
        done.weak,
        done.gap_display,
        forecast,
        method,
    )


def _finish(
    kind: str,
    gap: Decimal,
    t: Thresholds,
    *,
    completion: Decimal | None,
    schedule: Decimal | None,
    higher: bool,
) -> Evaluation:
    lag = -gap
    if kind in RATE_KINDS:
        light = band(
            lag, yellow_from=t.rate_yellow_from, red_from=t.rate_red_above, red_inclusive=False
        )
        weak = lag > t.rate_weak_from
    else:
        light = band(lag, yellow_from=t.yellow_from, red_from=t.red_above, red_inclusive=False)
        weak = lag > t.weak_from
    return Evaluation(
        completion,
        schedule,
        gap,
        light,
        weak,
        _gap_display(kind, gap, higher=higher, decimals=t.decimals),
    )


def _forecast(
    actual: Actual, month: int, ly_ytd: Decimal | None, ly_full: Decimal | None
) -> tuple[Decimal | None, str]:
    """Year-end estimate of a cumulative figure: last year's seasonal shape when last year's
    1–N月 and full-year values exist, else linear (× 12 ÷ N). A stock is not extrapolated."""
    if not actual.cumulative:
        return None, ""
    if ly_ytd is not None and ly_full is not None and ly_ytd > 0 and ly_full > 0:
        return div(mul(actual.value, ly_full), ly_ytd), "按上年同期进度估算"
    return div(mul(actual.value, TWELVE), Decimal(month)), "按线性估算"


def weighted_score(items: Sequence[tuple[Decimal, Decimal | None]]) -> Decimal | None:
    """加权得分 = Σ 权重 × (100 + 超序时百分点) ÷ Σ 权重 over the rows that have a gap (a gap
    below −100 counts as −100), two decimals; None when no weighted row has one."""
    total_weight = ZERO
    total = ZERO
    for weight, gap in items:
        if gap is None or weight <= 0:
            continue
        total_weight = add(total_weight, weight)
        total = add(total, mul(weight, add(HUNDRED, max(gap, -HUNDRED))))
    if total_weight.is_zero():
        return None
    return round_half_up(div(total, total_weight), 2)


def trend_phrase(gap: Decimal | None, previous_gap: Decimal | None, decimals: int = 1) -> str:
    """How the gap moved since last month: "较上月改善1.2个百分点" / "较上月下滑…" / "与上月持平"
    (the gap is positive when ahead, so a rise is an improvement whatever the direction)."""
    if gap is None or previous_gap is None:
        return ""
    change = round_half_up(sub(gap, previous_gap), decimals)
    if change.is_zero():
        return "与上月持平"
    word = "改善" if change > 0 else "下滑"
    return f"较上月{word}{format_decimal(abs(change), decimals)}个百分点"


def sentence(
    *,
    unit_name: str,
    indicator_name: str,
    kind: str,
    month: int,
    higher: bool,
    target_display: str,
    actual: Actual | None,
    growth_text: str,
    evaluation: Evaluation,
    trend: str = "",
    forecast_display: str = "",
) -> str:
    """The plain-Chinese sentence for one row (never "增长-3.2%", never "None")."""
    span = "1月" if month == 1 else f"1–{month}月"
    head = f"{unit_name}{indicator_name}"
    if actual is None:
        return f"{head}{span}数据尚未报送或未审核，暂无法评价（年度目标{target_display}）。"
    e = evaluation
    parts: list[str]
    if kind == "growth":
        parts = [
            f"{head}{span}{growth_text or '增速暂无法计算'}",
            f"目标增速{target_display}",
            e.gap_display,
        ]
    elif kind == "share":
        parts = [f"{head}{span}为{actual.display}", f"目标{target_display}", e.gap_display]
    elif e.completion is None:
        verdict = "已达到目标要求" if e.light == Light.GREEN else "未达到目标要求"
        parts = [f"{head}{span}为{actual.display}", f"年度目标为{target_display}，{verdict}"]
    else:
        verb = "完成年度目标的" if higher else "占年度控制目标的"
        parts = [
            f"{head}{span}为{actual.display}",
            f"{verb}{format_decimal(e.completion, 1)}%",
            f"序时进度{format_decimal(e.schedule or ZERO, 1)}%",
            e.gap_display,
        ]
    if trend:
        parts.append(trend)
    text = "，".join(parts)
    if forecast_display:
        text += f"；{e.forecast_method}，预计全年{forecast_display}"
    return text + "。"
