"""Measuring a task for the light rules, and the progress roll-up. No writes here.

`WorkdayIndex` answers "workdays left" for thousands of tasks from one pass over the calendar
(overrides loaded once), so the daily recompute does not walk the calendar per task.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from dudao.core.lights import Evaluation, RuleLike, evaluate
from dudao.core.numbers import format_decimal, round_half_up
from dudao.workdays.calendar import is_workday
from dudao.workdays.selectors import load_overrides, published_years

if TYPE_CHECKING:
    from dudao.supervision.models import SupervisionTask

HUNDRED = Decimal(100)


class WorkdayIndex:
    """Sorted workdays of a date range: `remaining(today, deadline)` by bisection."""

    def __init__(self, start: date, end: date) -> None:
        years = range(start.year, end.year + 1)
        overrides = load_overrides(years)
        published = published_years(years)
        self.start, self.end = start, end
        self.workdays: list[date] = []
        day = start
        while day <= end:
            if is_workday(day, overrides, published_years=published).is_workday:
                self.workdays.append(day)
            day += timedelta(days=1)

    def count_upto(self, day: date) -> int:
        """Number of indexed workdays ≤ day."""
        return bisect_right(self.workdays, day)

    def remaining(self, today: date, deadline: date) -> int:
        """Workdays d with today < d ≤ deadline (0 on the deadline day); §7.4."""
        if not (self.start <= today <= self.end and self.start <= deadline <= self.end):
            raise ValueError("date outside the index")
        if deadline <= today:
            return -(self.count_upto(today) - self.count_upto(deadline))
        return self.count_upto(deadline) - self.count_upto(today)

    @classmethod
    def around(cls, today: date, deadlines: Iterable[date | None]) -> WorkdayIndex:
        """An index covering today and every given deadline."""
        days = [d for d in deadlines if d is not None] + [today]
        return cls(min(days) - timedelta(days=1), max(days) + timedelta(days=1))


@dataclass(frozen=True)
class MilestoneLike:
    due: date
    expected_progress: Decimal


def task_metrics(
    task: SupervisionTask,
    today: date,
    index: WorkdayIndex,
    milestones: Sequence[MilestoneLike] = (),
) -> dict[str, Decimal | int | None]:
    """The measured values the light rules read (None: the metric does not apply)."""
    deadline, assigned = task.deadline, task.assigned_on
    metrics: dict[str, Decimal | int | None] = {
        "days_overdue": None,
        "remaining_workdays": None,
        "progress_lag": None,
        "milestones_missed": None,
        "cycles_without_feedback": None,
    }
    if deadline is None or assigned is None:
        return metrics
    metrics["days_overdue"] = max((today - deadline).days, 0)
    if today <= deadline:
        metrics["remaining_workdays"] = index.remaining(today, deadline)
        metrics["progress_lag"] = progress_lag(task.progress, assigned, deadline, today)
    metrics["milestones_missed"] = sum(
        1 for m in milestones if m.due < today and task.progress < m.expected_progress
    )
    last = task.last_feedback_on or assigned
    metrics["cycles_without_feedback"] = max((today - last).days, 0) // task.cycle_days
    return metrics


def elapsed_percent(assigned: date, deadline: date, today: date) -> Decimal:
    """时间进度: share of the assigned→deadline span that has passed, in % (0–100)."""
    span = (deadline - assigned).days
    if span <= 0:
        return HUNDRED
    passed = min(max((today - assigned).days, 0), span)
    return Decimal(passed) * HUNDRED / Decimal(span)


def progress_lag(progress: Decimal, assigned: date, deadline: date, today: date) -> Decimal:
    """个百分点 by which progress trails elapsed time, from the displayed (1-decimal) values."""
    elapsed = round_half_up(elapsed_percent(assigned, deadline, today), 1)
    return elapsed - round_half_up(progress, 1)


def evaluate_task(
    task: SupervisionTask,
    rules: Sequence[RuleLike],
    today: date,
    index: WorkdayIndex,
    milestones: Sequence[MilestoneLike] = (),
) -> Evaluation:
    return evaluate(rules, task_metrics(task, today, index, milestones))


def cycle_number(task: SupervisionTask, today: date) -> int:
    """0 for the first feedback cycle after assignment, 1 for the second …"""
    if task.assigned_on is None:
        return 0
    return max((today - task.assigned_on).days, 0) // task.cycle_days


# --- progress roll-up --------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildShare:
    child_id: int
    code: str
    title: str
    progress: Decimal
    weight: Decimal | None


def rollup(children: Sequence[ChildShare]) -> tuple[Decimal, dict[str, object]]:
    """Weighted mean of the children's progress, and how it was computed (shown to users).

    A child without a weight counts with the mean of the weights given; when no child has a
    weight, all count equally. The explanation lists each term so the % can be checked.
    """
    given = [c.weight for c in children if c.weight is not None]
    if not children:
        return Decimal(0), {}
    if given:
        default = sum(given, Decimal(0)) / Decimal(len(given))
        method = "weighted" if len(given) == len(children) else "weighted_with_defaults"
    else:
        default, method = Decimal(1), "equal"
    total_weight = Decimal(0)
    weighted_sum = Decimal(0)
    terms = []
    for c in children:
        w = c.weight if c.weight is not None else default
        total_weight += w
        weighted_sum += w * c.progress
        terms.append(
            {
                "id": c.child_id,
                "code": c.code,
                "title": c.title,
                "progress": str(c.progress),
                "weight": str(w),
                "weight_given": c.weight is not None,
            }
        )
    value = weighted_sum / total_weight
    notes = {
        "weighted": "按各下级任务权重加权平均。",
        "weighted_with_defaults": (
            f"部分下级任务未填权重，按已填权重的平均值 {format_decimal(default, 2)} 计入。"
        ),
        "equal": "下级任务均未填权重，按等权平均。",
    }
    formula = " + ".join(
        f"{format_decimal(Decimal(t['weight']), 2)}×{format_decimal(Decimal(t['progress']), 1)}%"  # type: ignore[arg-type]
        for t in terms
    )
    basis: dict[str, object] = {
        "method": method,
        "note": notes[method],
        "terms": terms,
        "formula": f"({formula}) ÷ {format_decimal(total_weight, 2)} = {format_decimal(value, 1)}%",
    }
    return round_half_up(value, 2), basis
