"""Pure working-day arithmetic: 工作日 / 自然日 deadlines with holidays and 调休 (docs §7.4, §9.12).

Nothing here touches the database. Every function takes an `overrides` mapping (date → an
object with `is_workday`, `name`, `source`), normally loaded once by
`dudao.workdays.selectors.load_overrides`, and optionally the set of years whose State Council
notice an administrator has entered (`HolidayYearStatus.published`).

Where a day's status comes from, in order:

1. an administrator's `CalendarOverride` for that date (always wins);
2. the chinese-calendar package (1.11.0 knows 2004–2026);
3. for a year the package does not know (it raises NotImplementedError): Monday–Friday are
   workdays. Such a day is *provisional* unless the year is marked published — the State
   Council publishes next year's 调休 only in Q4 (§7.4), so a deadline that relies on such a day
   may still move. It never raises.

Counting conventions (§7.4 legal basis, 民法典 第201–203条; worked examples §9.12):

* The start day never counts (民法典 201: 开始的当日不计入). `add_workdays(d, n)` is the n-th
  workday strictly after `d`. A start on a rest day changes nothing: Fri 2025-09-26 and
  Sat 2025-09-27 + 5 工作日 both give 2025-10-10. This deliberately differs from
  `chinese_calendar.find_workday`, which first snaps a rest day forward (→ 2025-10-11).
* Adjusted workdays (调休上班, e.g. Sun 2025-09-28) count as workdays.
* 自然日: `start + n` days; if that last day is a rest day (statutory holiday or weekend) it
  rolls to the next workday (民法典 203: 以法定休假日结束的次日为最后一日), unless the caller
  asks not to roll.
* n = 0 means "the same day": `add_workdays(d, 0) == d`; `add_natural_days(d, 0)` is `d`,
  rolled forward if `d` is a rest day. Negative amounts are refused with a Chinese message.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, Protocol

import chinese_calendar
from django.db.models import TextChoices

from dudao.core.exceptions import DomainError

DaySource = Literal["override", "chinese_calendar", "weekend_rule"]

# Ten years of natural days: longer periods are a typing error, and far larger ones overflow `date`.
MAX_AMOUNT = 3660

WEEKDAY_NAMES = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
WEEKEND_NAMES = frozenset({"周六", "周日"})
WORKDAY_NAME = "工作日"

# chinese-calendar reports English holiday names; these are the names used in 国办 notices.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


class OverrideLike(Protocol):
    """What the calendar needs from an override: `CalendarOverride` and `Override` both fit."""

    @property
    def is_workday(self) -> bool: ...

    @property
    def name(self) -> str: ...

    @property
    def source(self) -> str: ...


Overrides = Mapping[date, OverrideLike]


@dataclass(frozen=True, slots=True)
class Override:
    """A plain override value (tests, previews); same attributes as the model."""

    is_workday: bool
    name: str
    source: str = ""


@dataclass(frozen=True, slots=True)
class DayInfo:
    """The status of one day and where it came from."""

    is_workday: bool
    name: str
    source: DaySource
    provisional: bool


class DeadlineKind(TextChoices):
    """The unit of a deadline rule (§4.4: `unit ∈ {workday, calendar_day}`)."""

    WORKDAY = "workday", "工作日"
    CALENDAR_DAY = "calendar_day", "自然日"


@dataclass(frozen=True, slots=True)
class SkippedDay:
    """A rest day passed over while counting (or rolled over at the end of a 自然日 period)."""

    day: date
    name: str
    provisional: bool


@dataclass(frozen=True, slots=True)
class Deadline:
    """A computed deadline with the reasoning a user can check by hand."""

    start: date
    amount: int
    kind: DeadlineKind
    due: date
    provisional: bool
    skipped: tuple[SkippedDay, ...]
    adjusted_workdays: tuple[SkippedDay, ...]
    explanation: str


# --- single days -------------------------------------------------------------------------------


@functools.cache
def chinese_calendar_knows(year: int) -> bool:
    """Return True when the installed chinese-calendar has data for `year`."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _weekend_name(day: date) -> str:
    return "周六" if day.weekday() == 5 else "周日"


def is_workday(
    day: date, overrides: Overrides, *, published_years: Collection[int] = ()
) -> DayInfo:
    """Return whether `day` is a workday: override, else chinese-calendar, else Mon–Fri.

    A Mon–Fri guess for a year chinese-calendar does not know is `provisional` unless the year
    is in `published_years` (its 国办 notice has been entered as overrides).
    """
    override = overrides.get(day)
    if override is not None:
        return DayInfo(bool(override.is_workday), override.name, "override", provisional=False)
    if chinese_calendar_knows(day.year):
        workday = bool(chinese_calendar.is_workday(day))
        _, english = chinese_calendar.get_holiday_detail(day)
        if english is not None:
            festival = HOLIDAY_NAMES.get(str(english), str(english))
            name = f"{festival}调休上班" if workday else festival
        else:
            name = WORKDAY_NAME if workday else _weekend_name(day)
        return DayInfo(workday, name, "chinese_calendar", provisional=False)
    weekday = day.weekday() < 5
    return DayInfo(
        weekday,
        WORKDAY_NAME if weekday else _weekend_name(day),
        "weekend_rule",
        provisional=day.year not in published_years,
    )


# --- counting ----------------------------------------------------------------------------------


def check_amount(n: int) -> None:
    """Raise DomainError (Chinese message) unless 0 ≤ n ≤ MAX_AMOUNT."""
    if n < 0:
        raise DomainError(f"期限不能为负数（收到 {n}）。", field="amount")
    if n > MAX_AMOUNT:
        raise DomainError(f"期限过长：最多 {MAX_AMOUNT} 天。", field="amount")


def _walk_workdays(
    start: date, n: int, overrides: Overrides, published_years: Collection[int]
) -> tuple[date, list[tuple[date, DayInfo]]]:
    """Return the n-th workday after `start` and every day looked at on the way."""
    check_amount(n)
    seen: list[tuple[date, DayInfo]] = []
    day, counted = start, 0
    while counted < n:
        day += timedelta(days=1)
        info = is_workday(day, overrides, published_years=published_years)
        seen.append((day, info))
        if info.is_workday:
            counted += 1
    return day, seen


def _walk_natural_days(
    start: date,
    n: int,
    overrides: Overrides,
    published_years: Collection[int],
    *,
    roll_forward_if_holiday: bool,
) -> tuple[date, date, list[tuple[date, DayInfo]]]:
    """Return (due, last day of the period, the days looked at from that last day on)."""
    check_amount(n)
    last = start + timedelta(days=n)
    day = last
    info = is_workday(day, overrides, published_years=published_years)
    seen = [(day, info)]
    while roll_forward_if_holiday and not info.is_workday:
        day += timedelta(days=1)
        info = is_workday(day, overrides, published_years=published_years)
        seen.append((day, info))
    return day, last, seen


def add_workdays(start: date, n: int, overrides: Overrides) -> date:
    """Return the n-th workday strictly after `start` (the start day never counts).

    Convention (§7.4 [P] `add_workdays`, 民法典 201 analogue; §9.12): count from the day after
    `start`, whether or not `start` itself is a workday; adjusted workdays (调休上班) count,
    holidays, 调休 rest days and weekends do not. Fri 2025-09-26 + 5 → 2025-10-10 (9/28, 9/29,
    9/30, 10/9, 10/10); Sat 2025-09-27 + 5 → 2025-10-10 too. `n == 0` returns `start`
    unchanged; a negative `n` raises DomainError.
    """
    due, _ = _walk_workdays(start, n, overrides, ())
    return due


def add_natural_days(
    start: date, n: int, overrides: Overrides, *, roll_forward_if_holiday: bool = True
) -> date:
    """Return the last day of an n-自然日 period starting the day after `start`.

    Convention (§7.4 [P] `add_calendar_days`; 民法典 201 and 203; §9.12): the period ends on
    `start + n`; if that day is a rest day (statutory holiday, 调休 rest day or weekend) and
    `roll_forward_if_holiday` is true, the deadline is the next workday. 2025-01-20 + 15 →
    2025-02-04 (春节) → 2025-02-05. `n == 0` is `start` (rolled likewise); negative `n` raises.
    """
    due, _, _ = _walk_natural_days(
        start, n, overrides, (), roll_forward_if_holiday=roll_forward_if_holiday
    )
    return due


def workdays_between(a: date, b: date, overrides: Overrides) -> int:
    """Return the number of workdays d with a < d ≤ b; negative (−count in (b, a]) when b < a.

    This is §7.4's `remaining_workdays(today, deadline)`: 0 on the deadline day, 1 on the
    workday before it (2025-10-09 → 2025-10-10 is 1, §9.12), and −1 on the first overdue
    workday. It is the inverse of `add_workdays` when `b` is a workday.
    """
    if b < a:
        return -workdays_between(b, a, overrides)
    count = 0
    day = a + timedelta(days=1)
    while day <= b:
        if is_workday(day, overrides).is_workday:
            count += 1
        day += timedelta(days=1)
    return count


# --- deadlines with explanations ---------------------------------------------------------------


def format_day(day: date) -> str:
    """2025年10月10日"""
    return f"{day.year}年{day.month}月{day.day}日"


def _format_with_weekday(day: date) -> str:
    return f"{format_day(day)}（{WEEKDAY_NAMES[day.weekday()]}）"


def _format_due(due: date, seen: list[tuple[date, DayInfo]]) -> str:
    """The due date with its weekday, and the reason when it is a weekend day worked (调休上班)."""
    info = seen[-1][1] if seen and seen[-1][0] == due else None
    if info is not None and info.is_workday and due.weekday() >= 5:
        return f"{format_day(due)}（{WEEKDAY_NAMES[due.weekday()]}，{info.name}）"
    return _format_with_weekday(due)


def _runs(days: list[SkippedDay]) -> list[list[SkippedDay]]:
    """Group consecutive dates."""
    runs: list[list[SkippedDay]] = []
    for item in days:
        if runs and item.day - runs[-1][-1].day == timedelta(days=1):
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


def _describe_runs(days: list[SkippedDay]) -> str:
    parts = []
    for run in _runs(days):
        names: list[str] = []
        for item in run:
            if item.name not in WEEKEND_NAMES and item.name not in names:
                names.append(item.name)
        if any(item.name in WEEKEND_NAMES for item in run):
            names.append("周末" if len(run) > 1 or names else run[0].name)
        span = (
            format_day(run[0].day)
            if len(run) == 1
            else f"{format_day(run[0].day)}至{format_day(run[-1].day)}"
        )
        parts.append(f"{span}（{'、'.join(names)}）")
    return "；".join(parts)


def _provisional_note(days: list[tuple[date, DayInfo]]) -> str:
    years = sorted({day.year for day, info in days if info.provisional})
    if not years:
        return ""
    listed = "、".join(f"{year}年" for year in years)
    return (
        f"注意：{listed}的节假日安排尚未录入（国务院办公厅通知未发布或未录入），"
        "暂按周一至周五为工作日计算，通知录入后截止日期可能变化。"
    )


def parse_kind(kind: DeadlineKind | str) -> DeadlineKind:
    """Return the DeadlineKind for "workday" / "calendar_day", or raise DomainError."""
    try:
        return DeadlineKind(kind)
    except ValueError:
        raise DomainError(f"期限单位无效：{kind}（应为工作日或自然日）。", field="kind") from None


def _classify(seen: list[tuple[date, DayInfo]]) -> tuple[list[SkippedDay], list[SkippedDay]]:
    """Split the looked-at days into rest days and weekend days worked (调休上班)."""
    skipped = [
        SkippedDay(d, info.name, info.provisional) for d, info in seen if not info.is_workday
    ]
    adjusted = [
        SkippedDay(d, info.name, info.provisional)
        for d, info in seen
        if info.is_workday and d.weekday() >= 5
    ]
    return skipped, adjusted


def compute_deadline(
    start: date,
    amount: int,
    kind: DeadlineKind | str,
    overrides: Overrides,
    *,
    published_years: Collection[int] = (),
    roll_forward_if_holiday: bool = True,
) -> Deadline:
    """Compute a 工作日 or 自然日 deadline with the skipped rest days and a Chinese explanation.

    Same conventions as `add_workdays` / `add_natural_days`. `provisional` is true when any day
    the result depends on was guessed by the weekend rule for an unpublished year.
    """
    unit = parse_kind(kind)
    sentences: list[str] = []
    if unit == DeadlineKind.WORKDAY:
        due, seen = _walk_workdays(start, amount, overrides, published_years)
        skipped, adjusted = _classify(seen)
        if amount == 0:
            sentences.append(f"期限为0个工作日，即当日：截止日期为{_format_due(due, seen)}。")
        else:
            sentences.append(
                f"自{_format_with_weekday(start)}的次日起算{amount}个工作日（开始当日不计入），"
                f"截止日期为{_format_due(due, seen)}。"
            )
        if skipped:
            sentences.append(f"期间跳过的休息日：{_describe_runs(skipped)}。")
        if adjusted:
            listed = "、".join(f"{format_day(item.day)}（{item.name}）" for item in adjusted)
            sentences.append(f"按工作日计入的调休上班日：{listed}。")
    else:
        due, last, seen = _walk_natural_days(
            start,
            amount,
            overrides,
            published_years,
            roll_forward_if_holiday=roll_forward_if_holiday,
        )
        skipped, adjusted = _classify(seen)
        head = (
            f"期限为0个自然日，即当日{_format_with_weekday(last)}"
            if amount == 0
            else f"自{_format_with_weekday(start)}的次日起算{amount}个自然日，"
            f"期满日为{_format_with_weekday(last)}"
        )
        last_info = seen[0][1]
        if due != last:
            sentences.append(
                f"{head}，该日为休息日（{last_info.name}），依民法典第二百零三条顺延至"
                f"休息日结束的次日，截止日期为{_format_due(due, seen)}。"
            )
            sentences.append(f"顺延跳过的休息日：{_describe_runs(skipped)}。")
        elif not last_info.is_workday:
            sentences.append(
                f"{head}，该日为休息日（{last_info.name}），按规则不顺延，"
                f"截止日期为{_format_due(due, seen)}。"
            )
        else:
            sentences.append(f"{head}，截止日期为{_format_due(due, seen)}。")
    provisional = any(info.provisional for _, info in seen)
    note = _provisional_note(seen)
    if note:
        sentences.append(note)
    return Deadline(
        start=start,
        amount=amount,
        kind=unit,
        due=due,
        provisional=provisional,
        skipped=tuple(skipped),
        adjusted_workdays=tuple(adjusted),
        explanation="".join(sentences),
    )
