"""The progress figures of 重大项目, pure functions (no database): completion rate, 序时进度,
lag in 个百分点, start delay, and the lights through `dudao.core.lights.band` (via the
thresholds held in `ProjectSettings`). Rounding: rates half-up to 2 decimals; the lag is the
difference of the two displayed rates (docs/projects.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from dudao.core.lights import Light, worst
from dudao.core.numbers import round_half_up

if TYPE_CHECKING:
    from dudao.projects.models import ProjectSettings

ZERO = Decimal("0")
HUNDRED = Decimal("100")
RATE_DECIMALS = 2


@dataclass(frozen=True)
class Progress:
    """Completion against the annual plan at the end of a month."""

    plan: Decimal
    done: Decimal | None  # None: nothing approved for the month → grey
    elapsed_pct: Decimal
    rate_pct: Decimal | None
    lag: Decimal | None
    light: Light
    reached: str  # 达到 / 基本达到 / 滞后 / 严重滞后 / 未报 / 无计划

    @property
    def ahead(self) -> Decimal | None:
        return None if self.lag is None else -self.lag


def elapsed_pct(month: int, plan: Decimal = ZERO, curve: list[Any] | None = None) -> Decimal:
    """序时进度 in % (2 decimals): N/12, or the planned cumulative curve ÷ plan."""
    if curve and plan > 0:
        return round_half_up(Decimal(str(curve[month - 1])) * HUNDRED / plan, RATE_DECIMALS)
    return round_half_up(Decimal(month) * HUNDRED / Decimal(12), RATE_DECIMALS)


def progress(
    plan: Decimal | None,
    done: Decimal | None,
    month: int,
    settings: ProjectSettings,
    curve: list[Any] | None = None,
) -> Progress:
    """Completion rate, 序时进度, lag and light (§2.2, §4.5, §9.5)."""
    plan = plan or ZERO
    elapsed = elapsed_pct(month, plan, curve)
    if done is None:
        return Progress(plan, None, elapsed, None, None, Light.GREY, "未报")
    if plan <= 0:
        return Progress(plan, done, elapsed, None, None, Light.GREY, "无计划")
    rate = round_half_up(done * HUNDRED / plan, RATE_DECIMALS)
    lag = elapsed - rate
    light = settings.lag_light(lag)
    if lag <= 0:
        reached = "达到"
    elif light == Light.GREEN:
        reached = "基本达到"
    elif light == Light.YELLOW:
        reached = "滞后"
    else:
        reached = "严重滞后"
    return Progress(plan, done, elapsed, rate, lag, light, reached)


def months_late(
    planned_start: date | None, actual_start: date | None, year: int, month: int
) -> int | None:
    """Months (planned start month … this month, inclusive) without a start; None if n/a."""
    if planned_start is None:
        return None
    if actual_start is not None and (actual_start.year, actual_start.month) <= (year, month):
        return 0
    late = (year - planned_start.year) * 12 + month - planned_start.month + 1
    return max(late, 0)


@dataclass
class ProjectLight:
    progress: Progress
    start_late: int | None
    start_light: Light
    light: Light


def project_light(
    *,
    plan: Decimal | None,
    done: Decimal | None,
    curve: list[Any] | None,
    planned_start: date | None,
    actual_start: date | None,
    year: int,
    month: int,
    settings: ProjectSettings,
) -> ProjectLight:
    prog = progress(plan, done, month, settings, curve)
    late = months_late(planned_start, actual_start, year, month)
    start = settings.start_light(late) if late is not None else Light.GREY
    return ProjectLight(prog, late, start, combine(prog.light, start))


def combine(progress_light: Light, start_light: Light) -> Light:
    """A project's light: the worse of progress and start delay; grey (未报) stays grey unless
    the start delay alone is yellow or red."""
    if progress_light == Light.GREY and start_light in (Light.GREY, Light.GREEN):
        return Light.GREY
    return worst([progress_light, start_light])
