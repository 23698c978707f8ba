"""The ledger's domain rules, public for every module: a problem's deadline, whether it is
overdue, and its days late (逾期天数) in the unit of its time limit. Supervision's
unit-performance page and the daily digest call these, so the three always agree.

* A problem is **overdue** on day `d` when it is not closed and `lateness(deadline, d) > 0`.
* 自然日: days late = `d − deadline` in calendar days.
* 工作日: days late = the number of workdays `w` with `deadline < w ≤ d` (holidays, weekends and
  调休 rest days do not count, 调休上班 days do — `dudao.workdays`). So a problem due on a
  Friday is not yet late on the Saturday after it, and one workday late on the Monday.
* A closed problem was **closed on time** when `lateness(deadline, closing day) == 0`.

In SQL, "overdue today" is `deadline < today` for 自然日 and `deadline < W` for 工作日, where W is
the last workday on or before today (`overdue_cutoffs`) — the same rule without a per-row loop.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q

from dudao.workdays.calendar import (
    Deadline,
    DeadlineKind,
    Overrides,
    is_workday,
    workdays_between,
)
from dudao.workdays.selectors import deadline_for, load_overrides


def sla_deadline(unit: str, amount: int, start: dt.date) -> Deadline:
    """The time limit of a problem registered on `start` with a category's 时限 (amount, unit),
    by the platform's one deadline service (`dudao.workdays.selectors.deadline_for`): its
    `provisional` is true when it relies on a year whose holidays are not published yet."""
    return deadline_for(start, amount, unit)


def default_deadline(unit: str, amount: int, start: dt.date) -> dt.date:
    """The due date of `sla_deadline`."""
    return sla_deadline(unit, amount, start).due


def unit_word(unit: str) -> str:
    """How days late are counted in `unit`: "个工作日" (工作日) or "天" (自然日)."""
    return "个工作日" if unit == DeadlineKind.WORKDAY else "天"


def late_label(days: int, unit: str) -> str:
    """ "3个工作日" / "5天", or "" when not late."""
    return f"{days}{unit_word(unit)}" if days else ""


def closed_on_time(deadline: dt.date, closed_on: dt.date, unit: str) -> bool:
    """A problem closed on `closed_on` was closed on time (no day late in its unit)."""
    return lateness(deadline, closed_on, unit) == 0


def lateness(deadline: dt.date, on: dt.date, unit: str, overrides: Overrides | None = None) -> int:
    """Days late on `on` (0 when on time), in the problem's unit."""
    if on <= deadline:
        return 0
    if unit == DeadlineKind.WORKDAY:
        if overrides is None:
            overrides = load_overrides(range(deadline.year, on.year + 1))
        return workdays_between(deadline, on, overrides)
    return (on - deadline).days


def last_workday_on_or_before(day: dt.date, overrides: Overrides | None = None) -> dt.date:
    """The latest workday ≤ `day` (at most a few weeks back, e.g. over 春节)."""
    if overrides is None:
        overrides = load_overrides([day.year - 1, day.year])
    while not is_workday(day, overrides).is_workday:
        day -= dt.timedelta(days=1)
    return day


def overdue_q(today: dt.date, prefix: str = "") -> Q:
    """Condition "open and overdue on `today`" for a Problem queryset (two date comparisons)."""
    cutoff = last_workday_on_or_before(today)
    return ~Q(**{f"{prefix}status": "closed"}) & (
        Q(**{f"{prefix}deadline_unit": DeadlineKind.WORKDAY, f"{prefix}deadline__lt": cutoff})
        | Q(
            **{
                f"{prefix}deadline_unit": DeadlineKind.CALENDAR_DAY,
                f"{prefix}deadline__lt": today,
            }
        )
    )


class LatenessBook:
    """Days late for many problems with one overrides query (a ledger page, an export)."""

    def __init__(self, deadlines: Iterable[dt.date], today: dt.date) -> None:
        years = {d.year for d in deadlines} | {today.year}
        self.today = today
        self.overrides = load_overrides(range(min(years), max(years) + 1))
        self._memo: dict[tuple[dt.date, dt.date, str], int] = {}

    def days_late(self, deadline: dt.date, unit: str, on: dt.date | None = None) -> int:
        key = (deadline, on or self.today, unit)
        if key not in self._memo:
            self._memo[key] = lateness(key[0], key[1], unit, self.overrides)
        return self._memo[key]

    def remaining_workdays(self, deadline: dt.date) -> int:
        """Workdays from today to `deadline` (0 on the deadline day, negative once past it):
        the "due soon" measure of the ledger's lights, in workdays whatever the unit."""
        key = (deadline, self.today, "remaining")
        if key not in self._memo:
            self._memo[key] = workdays_between(self.today, deadline, self.overrides)
        return self._memo[key]
